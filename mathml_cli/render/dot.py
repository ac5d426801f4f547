"""Renderings of a `DotProduct`: Rich text, JSON data, LaTeX and Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mathml_cli.core.linalg import CellSum, DotProduct, shape_text
from mathml_cli.render.common import DIM, FORMULA, NOTE, RESULT, RULE, TITLE, format_number

# Larger matrices are shown as their first and last rows and columns around a "…".
MAX_SHOWN = 8
# Longer sums of products are written as their first and last terms around a "…".
MAX_TERMS = 5
# The cell named by --cell is written out in full up to this many products.
ASKED_TERMS = 40

_ACTIVATION_FORMULAS = {
    "relu": "relu(z) = max(0, z)",
    "sigmoid": "σ(z) = 1 / (1 + e^−z)",
    "tanh": "tanh(z) = (e^z − e^−z) / (e^z + e^−z)",
    "softmax": "softmax(z)_i = e^(z_i − max z) / Σ_j e^(z_j − max z), over each row",
}


def _shown(count: int, limit: int = MAX_SHOWN) -> list[int | None]:
    """Indices to display; None marks the gap where some were left out."""
    if count <= limit:
        return list(range(count))
    return [*range(limit - 2), None, count - 2, count - 1]


def _index_text(index: tuple[int, ...]) -> str:
    return "[" + ",".join(str(i) for i in index) + "]" if index else ""


def _terms(cell: CellSum, joiner: str = "·", limit: int = MAX_TERMS) -> tuple[str, str]:
    """('1·5 + 2·7', '5 + 14'): the products written out, and their values."""
    positions = _shown(len(cell.pairs), limit)
    factors = []
    values = []
    for position in positions:
        if position is None:
            factors.append("…")
            values.append("…")
            continue
        left, right = cell.pairs[position]
        shown_left = format_number(left) if position == 0 else _signed(left)
        factors.append(f"{shown_left}{joiner}{_signed(right)}")
        values.append(_signed(left * right))
    return " + ".join(factors), " + ".join(values)


def _signed(value: float) -> str:
    text = format_number(value)
    return f"({text})" if value < 0 else text


def _cell_name(result: DotProduct, index: tuple[int, ...]) -> str:
    return f"C{_index_text(index)}" if index else "a·b"


# --- Rich text -------------------------------------------------------------


def rich(result: DotProduct) -> Any:
    from rich.console import Group
    from rich.text import Text

    parts: list[Any] = [_heading(result), Text("")]
    if result.geometry is None:
        parts += [_shape_rule(result), Text("")]
    parts += _rich_cells(result)
    if result.geometry is not None:
        parts += [Text("")] + _rich_geometry(result)
    elif result.bias is None and result.activation is None:
        parts += [Text(""), Text("Result: A·B =", style=TITLE), _matrix(result.product, RESULT)]
    else:
        parts += [Text(""), Text("A·B =", style=TITLE), _matrix(result.product, None)]
    parts += _rich_layer(result)
    return Group(*parts)


def _heading(result: DotProduct) -> Any:
    from rich.text import Text

    heading = Text()
    layer = result.bias is not None or result.activation is not None
    heading.append("Dense layer y = f(A·B + b)" if layer else "Dot product A·B", style=TITLE)
    heading.append(f": {result.kind}, {shape_text(result.a.shape)} · {shape_text(result.b.shape)}")
    shape = result.product.shape
    heading.append(f" → {shape_text(shape)}" if shape else " → a number")
    return heading


def _shape_rule(result: DotProduct) -> Any:
    from rich.text import Text

    a_shape, b_shape = result.a.shape, result.b.shape
    inner = str(result.inner)
    rule = Text()
    rule.append("Shape rule: ", style=RULE)
    rule.append("(")
    if len(a_shape) == 2:
        rule.append(f"{a_shape[0]}×")
    first = len(rule.plain)
    rule.append(inner, style="bold reverse")
    rule.append(") · (")
    second = len(rule.plain)
    rule.append(inner, style="bold reverse")
    if len(b_shape) == 2:
        rule.append(f"×{b_shape[1]}")
    rule.append(f") → {shape_text(result.product.shape)}\n")
    # Carets under the inner dimensions, so they stand out without colour too.
    marks = " " * first + "^" * len(inner) + " " * (second - first - len(inner)) + "^" * len(inner)
    rule.append(marks, style=NOTE)
    rule.append(
        f"  inner dimensions must match ({inner} = {inner}); the outer ones give the shape",
        style=DIM,
    )
    return rule


def _formula(result: DotProduct) -> str:
    a, b = result.a, result.b
    if a.ndim == b.ndim == 1:
        return "a·b = Σ_k a_k·b_k  (multiply matching entries, then add)"
    if a.ndim == 2 and b.ndim == 2:
        return "C[i,j] = Σ_k A[i,k]·B[k,j]  (row i of A times column j of B)"
    if a.ndim == 2:
        # B is a vector here: x, not b, which names the bias of a dense layer.
        return "C[i] = Σ_k A[i,k]·x[k]  (row i of A times the vector x = B)"
    return "C[j] = Σ_k x[k]·B[k,j]  (the vector x = A times column j of B)"


def _rich_cells(result: DotProduct) -> list[Any]:
    from rich.text import Text

    lines: list[Any] = [Text(_formula(result), style=FORMULA)]
    for cell in result.steps:
        lines.append(_cell_line(result, cell))
    total = result.product.size
    if not result.complete:
        lines.append(
            Text(
                f"   showing {len(result.steps)} of {total:,} cells (the first and the last); "
                "--cell explains any other",
                style=NOTE,
            )
        )
    if result.cell is not None:
        lines.append(Text(f"Cell {_index_text(result.cell.index)} (asked for):", style=TITLE))
        lines.append(_cell_line(result, result.cell, ASKED_TERMS))
    return lines


def _cell_line(result: DotProduct, cell: CellSum, limit: int = MAX_TERMS) -> Any:
    from rich.text import Text

    factors, products = _terms(cell, limit=limit)
    line = Text(f"   {_cell_name(result, cell.index)} = {factors}")
    if 1 < len(cell.pairs) <= MAX_TERMS:
        line.append(f" = {products}")
    line.append(" = ")
    line.append(format_number(cell.value), style=RESULT)
    if len(cell.pairs) > limit:
        line.append(f"  ({len(cell.pairs):,} products)", style=DIM)
    return line


def _rich_geometry(result: DotProduct) -> list[Any]:
    from rich.text import Text

    geometry = result.geometry
    assert geometry is not None
    lines: list[Any] = [
        Text.assemble(
            ("Result: ", TITLE), ("a·b = ", ""), (format_number(float(result.product)), RESULT)
        ),
        Text(""),
        Text("Geometry: a·b = ‖a‖·‖b‖·cos θ", style=TITLE),
        Text(f"   ‖a‖ = √(Σ a_k²) = {format_number(geometry.norm_a)}"),
        Text(f"   ‖b‖ = √(Σ b_k²) = {format_number(geometry.norm_b)}"),
    ]
    if geometry.cosine is None or geometry.angle_degrees is None:
        lines.append(Text("   cos θ is undefined: a zero vector has no direction", style=NOTE))
        return lines
    lines.append(
        Text(
            f"   cos θ = a·b / (‖a‖·‖b‖) = {format_number(float(result.product))} / "
            f"({format_number(geometry.norm_a)}·{format_number(geometry.norm_b)}) = "
            f"{format_number(geometry.cosine)}  (cosine similarity)"
        )
    )
    lines.append(
        Text(
            f"   θ = arccos({format_number(geometry.cosine)}) = "
            f"{format_number(geometry.angle_degrees)}°"
        )
    )
    lines.append(
        Text(
            "   cos θ = 1: same direction; 0: orthogonal (unrelated); −1: opposite",
            style=DIM,
        )
    )
    return lines


def _rich_layer(result: DotProduct) -> list[Any]:
    from rich.text import Text

    lines: list[Any] = []
    if result.bias is not None:
        lines += [Text(""), Text("Add the bias: z = A·B + b", style=TITLE)]
        lines.append(Text(f"   {_broadcast_words(result)}", style=DIM))
        lines.append(Text("   b ="))
        lines.append(_matrix(result.bias, None))
        lines.append(
            Text(
                "   z = A·B + b =" if result.activation else "Result: A·B + b =",
                style="" if result.activation else TITLE,
            )
        )
        lines.append(_matrix(result.pre_activation, None if result.activation else RESULT))
    if result.activation is not None:
        z = "z" if result.bias is not None else "A·B"
        lines += [
            Text(""),
            Text(f"Activation: {_ACTIVATION_FORMULAS[result.activation]}", style=TITLE),
        ]
        if result.bias is None:
            lines.append(Text("   pre-activation z = A·B (above)", style=DIM))
        lines.append(Text(f"Result: y = {result.activation}({z}) =", style=TITLE))
        lines.append(_matrix(result.result, RESULT))
    return lines


def _broadcast_words(result: DotProduct) -> str:
    bias = result.bias
    assert bias is not None
    shape = result.product.shape
    if bias.ndim == 0:
        return "one number, added to every output" if shape else "one number"
    if bias.ndim == 1 and len(shape) == 1:
        return "one bias per output, added entry by entry"
    if bias.shape == shape:
        return "same shape as A·B: added entry by entry"
    if len(shape) == 2 and bias.shape in ((shape[1],), (1, shape[1])):
        return f"broadcast: the same b (one per column) is added to each of the {shape[0]} rows"
    if len(shape) == 2 and bias.shape == (shape[0], 1):
        return f"broadcast: the column b (one per row) is added to each of the {shape[1]} columns"
    return "one bias per output, added entry by entry"


def _matrix(values: Any, style: str | None) -> Any:
    """A vector or matrix as an aligned grid, truncated with '…' when large."""
    from rich import box
    from rich.console import Group
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    if values.ndim == 0:
        return Padding(
            Text(format_number(float(values)), style=style or ""), (0, 0, 0, 3), expand=False
        )
    grid = values.reshape(1, -1) if values.ndim == 1 else values
    rows, columns = _shown(grid.shape[0]), _shown(grid.shape[1])
    table = Table(box=box.SIMPLE_HEAD, show_header=False, show_edge=False, pad_edge=False)
    for _ in columns:
        table.add_column(justify="right", style=style)
    for row in rows:
        if row is None:
            table.add_row(*["⋮" if c is not None else "⋱" for c in columns])
            continue
        table.add_row(*["…" if c is None else format_number(float(grid[row, c])) for c in columns])
    parts: list[Any] = [table]
    if None in rows or None in columns:
        parts.append(
            Text(
                f"[showing {len([r for r in rows if r is not None])} of {grid.shape[0]} rows and "
                f"{len([c for c in columns if c is not None])} of {grid.shape[1]} columns; "
                "--format json has every value]",
                style=NOTE,
            )
        )
    return Padding(Group(*parts), (0, 0, 0, 3), expand=False)


# --- JSON ------------------------------------------------------------------


def _cell_data(cell: CellSum) -> dict[str, Any]:
    return {
        "cell": list(cell.index),
        "terms": [list(pair) for pair in cell.pairs],
        "products": [left * right for left, right in cell.pairs],
        "sum": cell.value,
    }


def data(result: DotProduct) -> dict[str, Any]:
    shape = list(result.product.shape)
    out: dict[str, Any] = {
        "result": result.result.tolist(),
        "shape": shape,
        "a_shape": list(result.a.shape),
        "b_shape": list(result.b.shape),
        "kind": result.kind,
        "inner_dimension": result.inner,
    }
    if result.complete:
        out["steps"] = [_cell_data(cell) for cell in result.steps]
    if result.cell is not None:
        out["cell"] = _cell_data(result.cell)
    if result.geometry is not None:
        geometry = result.geometry
        out.update(
            norm_a=geometry.norm_a,
            norm_b=geometry.norm_b,
            cosine=geometry.cosine,
            angle_degrees=geometry.angle_degrees,
        )
    if result.bias is not None or result.activation is not None:
        out["product"] = result.product.tolist()
    if result.bias is not None:
        out["bias"] = result.bias.tolist()
    if result.activation is not None:
        out["activation"] = result.activation
        out["pre_activation"] = result.pre_activation.tolist()
    return out


# --- LaTeX -----------------------------------------------------------------


def _latex_matrix(values: Any) -> str:
    if values.ndim == 0:
        return format_number(float(values))
    grid = values.reshape(1, -1) if values.ndim == 1 else values
    rows, columns = _shown(grid.shape[0]), _shown(grid.shape[1])
    lines = []
    for row in rows:
        if row is None:
            lines.append(" & ".join(r"\vdots" if c is not None else r"\ddots" for c in columns))
            continue
        lines.append(
            " & ".join(
                r"\cdots" if c is None else format_number(float(grid[row, c])) for c in columns
            )
        )
    return r"\begin{pmatrix}" + r" \\ ".join(lines) + r"\end{pmatrix}"


def _latex_cell(result: DotProduct, cell: CellSum) -> str:
    factors, _ = _terms(cell, r" \cdot ")
    factors = factors.replace("…", r"\dots")
    name = f"C_{{{','.join(str(i) for i in cell.index)}}}" if cell.index else r"a \cdot b"
    return rf"{name} &= {factors} = {format_number(cell.value)} \\"


def latex(result: DotProduct) -> str:
    lines = [r"\begin{align*}"]
    target = shape_text(result.product.shape) if result.product.ndim else r"\text{a number}"
    shapes = f"{shape_text(result.a.shape)} \\cdot {shape_text(result.b.shape)} \\to {target}"
    lines.append(rf"&{shapes} \\".replace("×", r"\times "))
    for cell in result.steps:
        lines.append(_latex_cell(result, cell))
    if result.cell is not None:
        lines.append(_latex_cell(result, result.cell))
    if result.geometry is not None and result.geometry.cosine is not None:
        g = result.geometry
        lines.append(
            rf"\cos\theta &= \frac{{a \cdot b}}{{\lVert a \rVert \lVert b \rVert}} = "
            rf"\frac{{{format_number(float(result.product))}}}{{{format_number(g.norm_a)} \cdot "
            rf"{format_number(g.norm_b)}}} = {format_number(g.cosine)},\ "
            rf"\theta = {format_number(g.angle_degrees)}^\circ \\"
        )
    lines.append(rf"AB &= {_latex_matrix(result.product)} \\")
    if result.bias is not None:
        lines.append(rf"z = AB + b &= {_latex_matrix(result.pre_activation)} \\")
    if result.activation is not None:
        z = "z" if result.bias is not None else "AB"
        lines.append(
            rf"y = \mathrm{{{result.activation}}}({z}) &= {_latex_matrix(result.result)} \\"
        )
    lines.append(r"\end{align*}")
    return "\n".join(lines)


# --- Markdown --------------------------------------------------------------


def markdown(result: DotProduct) -> str:
    shapes = (
        f"{shape_text(result.a.shape)} · {shape_text(result.b.shape)} → "
        f"{shape_text(result.product.shape) if result.product.shape else 'a number'}"
    )
    lines = [f"**{result.kind}:** {shapes}", ""]
    cells: Sequence[CellSum] = [*result.steps, *([result.cell] if result.cell else [])]
    for cell in cells:
        equation = _latex_cell(result, cell).replace("&", "").removesuffix(r" \\")
        lines.append(f"- ${equation}$")
    if not result.complete:
        lines.append(f"- … {result.product.size:,} cells in all")
    if result.geometry is not None and result.geometry.cosine is not None:
        g = result.geometry
        lines.append(
            f"- $\\lVert a \\rVert = {format_number(g.norm_a)}$, "
            f"$\\lVert b \\rVert = {format_number(g.norm_b)}$, "
            f"$\\cos\\theta = {format_number(g.cosine)}$, "
            f"$\\theta = {format_number(g.angle_degrees)}^\\circ$"
        )
    lines += ["", f"$$AB = {_latex_matrix(result.product)}$$"]
    if result.bias is not None:
        lines += ["", f"$$z = AB + b = {_latex_matrix(result.pre_activation)}$$"]
    if result.activation is not None:
        z = "z" if result.bias is not None else "AB"
        lines += [
            "",
            f"$$y = \\mathrm{{{result.activation}}}({z}) = {_latex_matrix(result.result)}$$",
        ]
    return "\n".join(lines)
