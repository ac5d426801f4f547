"""`mathml dot` as a View (every format but JSON) and as JSON data."""

from __future__ import annotations

from typing import Any

from mathml_cli.core.linalg import CellSum, DotProduct, shape_text
from mathml_cli.render import view as v

# Larger matrices are shown as their first and last rows and columns around a "…".
MAX_SHOWN = 8
# Longer sums of products are written as their first and last terms around a "…".
MAX_TERMS = 5
# The cell named by --cell is written out in full up to this many products.
ASKED_TERMS = 40

_ACTIVATION_FORMULAS = {
    "relu": v.Math("relu(z) = max(0, z)", r"\operatorname{relu}(z) = \max(0, z)"),
    "sigmoid": v.Math("σ(z) = 1 / (1 + e^−z)", r"\sigma(z) = \frac{1}{1 + e^{-z}}"),
    "tanh": v.Math(
        "tanh(z) = (e^z − e^−z) / (e^z + e^−z)", r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}"
    ),
    "softmax": v.Math(
        "softmax(z)_i = e^(z_i − max z) / Σ_j e^(z_j − max z), over each row",
        r"\operatorname{softmax}(z)_i = \frac{e^{z_i - \max z}}{\sum_j e^{z_j - \max z}}"
        r"\ \text{over each row}",
    ),
}


def _shown(count: int, limit: int = MAX_SHOWN) -> list[int | None]:
    """Indices to display; None marks the gap where some were left out."""
    if count <= limit:
        return list(range(count))
    return [*range(limit - 2), None, count - 2, count - 1]


def _index_text(index: tuple[int, ...]) -> str:
    return "[" + ",".join(str(i) for i in index) + "]" if index else ""


def _signed(value: float) -> v.Math:
    text, latex = v.number(value), v.number_latex(value)
    return v.Math(f"({text})", f"({latex})") if value < 0 else v.Math(text, latex)


def _cell_math(result: DotProduct, cell: CellSum, limit: int = MAX_TERMS) -> v.Math:
    """C[i,j] = 1·5 + 2·7 = 5 + 14 = 19, with long sums cut to their first and last terms."""
    factors: list[v.Math] = []
    values: list[v.Math] = []
    for position in _shown(len(cell.pairs), limit):
        if position is None:
            factors.append(v.Math("…", r"\dots"))
            values.append(v.Math("…", r"\dots"))
            continue
        left, right = cell.pairs[position]
        shown_left = (
            v.Math(v.number(left), v.number_latex(left)) if position == 0 else _signed(left)
        )
        right_math = _signed(right)
        factors.append(
            v.Math(
                f"{shown_left.text}·{right_math.text}",
                rf"{shown_left.latex} \cdot {right_math.latex}",
            )
        )
        values.append(_signed(left * right))
    if cell.index:
        name = v.Math(
            f"C{_index_text(cell.index)}", f"C_{{{','.join(str(i) for i in cell.index)}}}"
        )
    else:
        name = v.Math("a·b", r"a \cdot b")
    text = [name.text, " + ".join(f.text for f in factors)]
    latex = [name.latex, " + ".join(f.latex for f in factors)]
    if 1 < len(cell.pairs) <= MAX_TERMS:
        text.append(" + ".join(value.text for value in values))
        latex.append(" + ".join(value.latex for value in values))
    text.append(v.number(cell.value))
    latex.append(v.number_latex(cell.value))
    return v.Math(" = ".join(text), " = ".join(latex))


def _cell_line(result: DotProduct, cell: CellSum, limit: int = MAX_TERMS) -> v.Line:
    if len(cell.pairs) > limit:
        return (
            _cell_math(result, cell, limit),
            v.Span(f"  ({len(cell.pairs):,} products)", "muted"),
        )
    return (_cell_math(result, cell, limit),)


def view(result: DotProduct) -> v.View:
    """The shapes, each cell's sum of products, then the product (and the layer, if any)."""
    blocks: list[v.Block] = [v.Paragraph(_heading(result))]
    if result.geometry is None:
        blocks.append(v.Section(None, _shape_rule(result)))
    blocks.append(v.Section(None, _cells(result)))
    if result.geometry is not None:
        blocks.append(v.Section(None, _geometry(result)))
    elif result.bias is None and result.activation is None:
        blocks.append(
            v.Section(
                None,
                (
                    v.Paragraph((v.Span("Result: "),)),
                    _matrix("A·B", r"A B", result.product, "result"),
                ),
            )
        )
    else:
        blocks.append(v.Section(None, (_matrix("A·B", r"A B", result.product, None),)))
    blocks.extend(_layer(result))
    return v.View("mathml dot", tuple(blocks), "mathml dot")


def _shape(shape: tuple[int, ...]) -> v.Math:
    text = shape_text(shape)
    return v.Math(text, text.replace("×", r" \times "))


def _heading(result: DotProduct) -> v.Line:
    layer = result.bias is not None or result.activation is not None
    title = v.Span("Dense layer y = f(A·B + b)" if layer else "Dot product A·B")
    shape = result.product.shape
    target = _shape(shape) if shape else v.Math("a number", r"\text{a number}")
    shapes = v.Math(
        f"{shape_text(result.a.shape)} · {shape_text(result.b.shape)} → {target.text}",
        rf"{_shape(result.a.shape).latex} \cdot {_shape(result.b.shape).latex} \to {target.latex}",
    )
    return (title, f": {result.kind}, ", shapes)


def _shape_rule(result: DotProduct) -> tuple[v.Block, ...]:
    a_shape, b_shape = result.a.shape, result.b.shape
    inner = str(result.inner)
    outer_a = f"{a_shape[0]}×" if len(a_shape) == 2 else ""
    outer_b = f"×{b_shape[1]}" if len(b_shape) == 2 else ""
    times = r" \times "
    rule = v.Math(
        f"({outer_a}{inner}) · ({inner}{outer_b}) → {shape_text(result.product.shape)}",
        f"({outer_a.replace('×', times)}\\underline{{{inner}}}) \\cdot "
        f"(\\underline{{{inner}}}{outer_b.replace('×', times)}) \\to "
        + _shape(result.product.shape).latex,
    )
    return (
        v.Paragraph((v.Span("Shape rule: ", "rule"), rule)),
        v.Note(
            (f"inner dimensions must match ({inner} = {inner}); the outer ones give the shape",),
            indent=1,
        ),
    )


def _formula(result: DotProduct) -> v.Paragraph:
    a, b = result.a, result.b
    if a.ndim == b.ndim == 1:
        formula = v.Math("a·b = Σ_k a_k·b_k", r"a \cdot b = \sum_k a_k b_k")
        words = "multiply matching entries, then add"
    elif a.ndim == 2 and b.ndim == 2:
        formula = v.Math("C[i,j] = Σ_k A[i,k]·B[k,j]", r"C_{i,j} = \sum_k A_{i,k} B_{k,j}")
        words = "row i of A times column j of B"
    elif a.ndim == 2:
        formula = v.Math("C[i] = Σ_k A[i,k]·b[k]", r"C_{i} = \sum_k A_{i,k} b_{k}")
        words = "row i of A times the vector b"
    else:
        formula = v.Math("C[j] = Σ_k a[k]·B[k,j]", r"C_{j} = \sum_k a_{k} B_{k,j}")
        words = "the vector a times column j of B"
    return v.Paragraph(
        (v.Math(formula.text, formula.latex, "formula"), v.Span(f"  ({words})", "muted"))
    )


def _cells(result: DotProduct) -> tuple[v.Block, ...]:
    blocks: list[v.Block] = [_formula(result)]
    blocks.extend(v.Paragraph(_cell_line(result, cell), indent=1) for cell in result.steps)
    if not result.complete:
        blocks.append(
            v.Note(
                (
                    f"showing {len(result.steps)} of {result.product.size:,} cells "
                    "(the first and the last); --cell explains any other",
                ),
                "warning",
                indent=1,
            )
        )
    if result.cell is not None:
        blocks.append(v.Paragraph((v.Span(f"Cell {_index_text(result.cell.index)} (asked for):"),)))
        blocks.append(v.Paragraph(_cell_line(result, result.cell, ASKED_TERMS), indent=1))
    return tuple(blocks)


def _geometry(result: DotProduct) -> tuple[v.Block, ...]:
    geometry = result.geometry
    assert geometry is not None
    product = float(result.product)
    blocks: list[v.Block] = [
        v.Paragraph(
            (
                v.Span("Result: "),
                v.Math(
                    f"a·b = {v.number(product)}",
                    rf"a \cdot b = {v.number_latex(product)}",
                    "result",
                ),
            )
        ),
        v.Section(
            None,
            (
                v.Paragraph(
                    (
                        v.Span("Geometry: "),
                        v.Math(
                            "a·b = ‖a‖·‖b‖·cos θ",
                            r"a \cdot b = \lVert a \rVert \lVert b \rVert \cos\theta",
                        ),
                    )
                ),
                _norm("a", geometry.norm_a),
                _norm("b", geometry.norm_b),
            ),
        ),
    ]
    if geometry.cosine is None or geometry.angle_degrees is None:
        blocks.append(
            v.Note(("cos θ is undefined: a zero vector has no direction",), "warning", indent=1)
        )
        return tuple(blocks)
    norms = f"({v.number(geometry.norm_a)}·{v.number(geometry.norm_b)})"
    cosine = v.Math(
        f"cos θ = a·b / (‖a‖·‖b‖) = {v.number(product)} / {norms} = {v.number(geometry.cosine)}",
        rf"\cos\theta = \frac{{a \cdot b}}{{\lVert a \rVert \lVert b \rVert}} = "
        rf"\frac{{{v.number_latex(product)}}}{{{v.number_latex(geometry.norm_a)} \cdot "
        rf"{v.number_latex(geometry.norm_b)}}} = {v.number_latex(geometry.cosine)}",
    )
    angle = v.Math(
        f"θ = arccos({v.number(geometry.cosine)}) = {v.number(geometry.angle_degrees)}°",
        rf"\theta = \arccos({v.number_latex(geometry.cosine)}) = "
        rf"{v.number_latex(geometry.angle_degrees)}^\circ",
    )
    blocks.append(v.Paragraph((cosine, "  (cosine similarity)"), indent=1))
    blocks.append(v.Paragraph((angle,), indent=1))
    blocks.append(
        v.Note(("cos θ = 1: same direction; 0: orthogonal (unrelated); −1: opposite",), indent=1)
    )
    return tuple(blocks)


def _norm(name: str, value: float) -> v.Paragraph:
    norm = v.Math(
        f"‖{name}‖ = √(Σ {name}_k²) = {v.number(value)}",
        rf"\lVert {name} \rVert = \sqrt{{\textstyle\sum {name}_k^2}} = {v.number_latex(value)}",
    )
    return v.Paragraph((norm,), indent=1)


def _layer(result: DotProduct) -> list[v.Block]:
    blocks: list[v.Block] = []
    if result.bias is not None:
        final = result.activation is None
        blocks.append(
            v.Section(
                None,
                (
                    v.Paragraph((v.Span("Add the bias: "), v.Math("z = A·B + b", "z = A B + b"))),
                    v.Note((_broadcast_words(result),), indent=1),
                    _matrix("b", "b", result.bias, None),
                    *((v.Paragraph((v.Span("Result:"),)),) if final else ()),
                    _matrix(
                        "z = A·B + b",
                        "z = A B + b",
                        result.pre_activation,
                        "result" if final else None,
                    ),
                ),
            )
        )
    if result.activation is not None:
        z, z_latex = ("z", "z") if result.bias is not None else ("A·B", "A B")
        inner: list[v.Block] = [
            v.Paragraph((v.Span("Activation: "), _ACTIVATION_FORMULAS[result.activation])),
        ]
        if result.bias is None:
            inner.append(v.Note(("pre-activation z = A·B (above)",), indent=1))
        inner.append(v.Paragraph((v.Span("Result:"),)))
        name = result.activation
        inner.append(
            _matrix(
                f"y = {name}({z})",
                rf"y = \operatorname{{{name}}}({z_latex})",
                result.result,
                "result",
            )
        )
        blocks.append(v.Section(None, tuple(inner)))
    return blocks


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


def _matrix(name: str, name_latex: str, values: Any, role: Any) -> v.Block:
    """A vector or matrix, cut to its first and last rows and columns when large."""
    if values.ndim == 0:
        value = float(values)
        return v.Paragraph(
            (
                v.Math(f"{name} = ", f"{name_latex} ="),
                v.Math(v.number(value), v.number_latex(value), role),
            ),
            indent=1,
        )
    grid = values.reshape(1, -1) if values.ndim == 1 else values
    rows, columns = _shown(grid.shape[0]), _shown(grid.shape[1])
    cells = tuple(
        tuple("⋮" if c is not None else "⋱" for c in columns)
        if row is None
        else tuple("…" if c is None else float(grid[row, c]) for c in columns)
        for row in rows
    )
    matrix = v.Matrix(cells, v.Math(name, name_latex), role)
    if None not in rows and None not in columns:
        return matrix
    shown_rows = len([r for r in rows if r is not None])
    shown_columns = len([c for c in columns if c is not None])
    note = v.Note(
        (
            f"[showing {shown_rows} of {grid.shape[0]} rows and {shown_columns} of "
            f"{grid.shape[1]} columns; --format json has every value]",
        ),
        "warning",
        indent=1,
    )
    return v.Section(None, (matrix, note))


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
