"""Renderings of a `LayerBackprop` (vectors and matrices): Rich text, JSON, LaTeX, Markdown, DOT.

Text, LaTeX and Markdown show each value thinned (its first and last entries,
like dot's cells) and at most MAX_ROWS rows per table; JSON has every entry.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mathml_cli.core.tensor import Edge, LayerBackprop, LayerCheck, TensorNode, shape_text
from mathml_cli.render.common import (
    BAD,
    DIM,
    FORMULA,
    GOOD,
    NOTE,
    RESULT,
    RULE,
    TITLE,
    format_number,
    head_and_tail,
    latex_escape,
)

MAX_ROWS = 60
VECTOR_ENTRIES = 6  # a longer vector shows its first and last 3
MATRIX_ROWS = 4  # a taller matrix shows its first and last 2 rows


def array_text(value: np.ndarray) -> str:
    """A value in one line: 0.25, [1, 2, 3], [[1, 2], [3, 4]], thinned past a few entries."""
    if value.ndim == 0:
        return format_number(float(value))
    if value.ndim == 1:
        return _row(value)
    first, last, hidden = head_and_tail(list(value), MATRIX_ROWS // 2, MATRIX_ROWS // 2)
    rows = [_row(row) for row in first] + (["…"] if hidden else []) + [_row(row) for row in last]
    return "[" + ", ".join(rows) + "]"


def _row(values: np.ndarray) -> str:
    first, last, hidden = head_and_tail(
        [float(v) for v in values], VECTOR_ENTRIES // 2, VECTOR_ENTRIES // 2
    )
    parts = [format_number(v) for v in first] + (["…"] if hidden else [])
    return "[" + ", ".join(parts + [format_number(v) for v in last]) + "]"


def _shaped(value: np.ndarray) -> str:
    """The value, with its shape when it is thinned."""
    text = array_text(value)
    return f"{text}  ({shape_text(value.shape)})" if "…" in text else text


def _op(node: TensorNode) -> str:
    return {"input": "input", "constant": "constant", "matmul": "@", "transpose": "ᵀ"}.get(
        node.op, {"add": "+", "sub": "−", "mul": "×", "div": "÷", "pow": "^"}.get(node.op, node.op)
    )


def _statements(result: LayerBackprop) -> list[str]:
    return [statement.text.strip() for statement in result.program.statements]


def _point_lines(result: LayerBackprop) -> list[str]:
    return [
        f"{name} = {array_text(value)}" + (f"  ({shape_text(value.shape)})" if value.ndim else "")
        for name, value in result.point.items()
    ]


def _forward_rows(result: LayerBackprop) -> list[tuple[str | None, int | None]]:
    """(statement heading, None) before each statement's nodes, then (None, node index)."""
    rows: list[tuple[str | None, int | None]] = []
    current = -1
    statements = result.program.statements
    for index, node in enumerate(result.graph.nodes):
        if node.statement and node.statement != current:
            current = node.statement
            rows.append((statements[current - 1].text.strip(), None))
        rows.append((None, index))
    return rows


def _backward_rows(result: LayerBackprop) -> list[tuple[str | None, Edge | None]]:
    rows: list[tuple[str | None, Edge | None]] = []
    current = -1
    statements = result.program.statements
    for edge in result.edges:
        statement = result.graph.nodes[edge.source].statement
        if statement != current:
            current = statement
            rows.append((statements[statement - 1].text.strip(), None))
        rows.append((None, edge))
    return rows


def _gradient_items(result: LayerBackprop) -> list[tuple[str, np.ndarray]]:
    return [(name, result.gradient(name)) for name in result.wrt]


def _gradient_line(result: LayerBackprop, name: str, gradient: np.ndarray) -> str:
    shape = shape_text(gradient.shape)
    return f"∂{result.output_name}/∂{name} ({shape}, the shape of {name}) = {array_text(gradient)}"


def _update_lines(result: LayerBackprop) -> list[str]:
    update = result.update
    assert update is not None
    lr = format_number(update.learning_rate)
    lines = [f"One SGD step, learning rate {lr}: new = old − {lr} × gradient, for each parameter"]
    for name, new in update.values.items():
        old = array_text(result.point[name])
        gradient = f"∂{result.output_name}/∂{name}"
        lines.append(f"{name} ← {old} − {lr} × {gradient} = {array_text(new)}")
    after = "undefined" if update.loss is None else format_number(update.loss)
    lines.append(
        f"{result.output_name} before the step: {format_number(result.output)}; after: {after}"
    )
    return lines


def _check_text(check: LayerCheck) -> str:
    mark = {True: "✓", False: "✗", None: "–"}[check.verified]
    return f"{mark} {check.method}: {check.detail}"


# --- Rich text ---------------------------------------------------------------------


def rich(result: LayerBackprop) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = [Text(f"Layers (output {result.output_name})", style=TITLE)]
    parts += [Text(f"  {line}") for line in _statements(result)]
    parts.append(Text("at", style=DIM))
    parts += [Text(f"  {line}", style=DIM) for line in _point_lines(result)]
    parts += [Text(f"Warning: {warning}", style=NOTE) for warning in result.warnings]
    parts += [Text(f"Note: {note}", style=NOTE) for note in result.program.notes]

    nodes = result.graph.nodes
    forward = Table(show_edge=False, pad_edge=False, header_style=TITLE)
    for column in ("node", "op", "shape", "expression", "value"):
        forward.add_column(column, overflow="fold", no_wrap=column not in ("expression", "value"))
    rows = _forward_rows(result)
    first, last, hidden = head_and_tail(rows, MAX_ROWS // 2, MAX_ROWS // 2)
    for heading, index in [*first, *([("…", None)] if hidden else []), *last]:
        if index is None:
            forward.add_row(Text("▸", style=TITLE), "", "", Text(heading or "", style=TITLE), "")
            continue
        node = nodes[index]
        forward.add_row(
            Text(node.id, style=RULE),
            Text(_op(node), style=FORMULA),
            shape_text(node.shape),
            Text(node.label),
            Text(_shaped(result.values[index])),
        )
    parts += [Text(""), Text("Forward pass, statement by statement", style=TITLE), forward]

    backward = Table(show_edge=False, pad_edge=False, header_style=TITLE)
    for column in ("node", "from", "rule", "shape", "gradient sent"):
        backward.add_column(column, overflow="fold", no_wrap=column in ("node", "from", "shape"))
    edge_rows = _backward_rows(result)
    first_e, last_e, hidden_e = head_and_tail(edge_rows, MAX_ROWS // 2, MAX_ROWS // 2)
    for heading, edge in [*first_e, *([("…", None)] if hidden_e else []), *last_e]:
        if edge is None:
            backward.add_row(Text("▸", style=TITLE), "", Text(heading or "", style=TITLE), "", "")
            continue
        paths = f"  (path {edge.path} of {edge.paths})" if edge.paths > 1 else ""
        backward.add_row(
            Text(nodes[edge.target].id, style=RULE),
            Text(nodes[edge.source].id),
            Text(edge.formula, style=FORMULA),
            shape_text(edge.contribution.shape),
            Text(_shaped(edge.contribution) + paths),
        )
    seed = f"seed ∂{result.output_name}/∂{result.output_name} = 1"
    parts += [
        Text(""),
        Text.assemble(
            ("Backward pass, from the loss down", TITLE),
            (f"  {seed}; ⊙ is elementwise, · the matrix product, ᵀ the transpose", DIM),
        ),
        backward,
        *[Text(f"Convention: {note}", style=NOTE) for note in result.conventions],
        Text(""),
        Text.assemble((f"{result.output_name} = ", TITLE), (format_number(result.output), RESULT)),
    ]
    parts += [
        Text(_gradient_line(result, name, gradient), style=RESULT)
        for name, gradient in _gradient_items(result)
    ]
    if result.update is not None:
        lines = _update_lines(result)
        parts += [Text(""), Text(lines[0], style=TITLE)] + [Text(line) for line in lines[1:]]
    parts.append(Text(""))
    for check in result.checks:
        mark, style = {True: ("✓", GOOD), False: ("✗", BAD), None: ("–", NOTE)}[check.verified]
        parts.append(Text.assemble((f"{mark} {check.method}: ", style), check.detail))
    return Group(*parts)


# --- JSON --------------------------------------------------------------------------


def _list(value: np.ndarray | None) -> Any:
    return None if value is None else value.tolist()


def data(result: LayerBackprop) -> dict[str, Any]:
    nodes = result.graph.nodes
    payload: dict[str, Any] = {
        "expression": result.text.strip(),
        "program": _statements(result),
        "output_name": result.output_name,
        "point": {name: value.tolist() for name, value in result.point.items()},
        "shapes": {name: list(value.shape) for name, value in result.point.items()},
        "output": result.output,
        "output_node": result.output_name,
        "gradients": {name: gradient.tolist() for name, gradient in _gradient_items(result)},
        "nodes": [
            {
                "id": node.id,
                "op": node.op,
                "inputs": [nodes[i].id for i in node.inputs],
                "shape": list(node.shape),
                "value": result.values[index].tolist(),
                "grad": _list(result.gradients[index]),
                "expression": node.label,
                "name": node.name,
                "statement": node.statement or None,
            }
            for index, node in enumerate(nodes)
        ],
        "backward": [
            {
                "node": nodes[edge.target].id,
                "from": nodes[edge.source].id,
                "rule": edge.formula,
                "shape": list(edge.contribution.shape),
                "contribution": edge.contribution.tolist(),
                "path": edge.path,
                "paths": edge.paths,
            }
            for edge in result.edges
        ],
        "inputs": dict(result.program.first_use),
        "notes": list(result.program.notes),
        "conventions": list(result.conventions),
        "warnings": list(result.warnings),
        "verified": result.verified,
        "checks": [
            {
                "method": check.method,
                "verified": check.verified,
                "detail": check.detail,
                "largest_difference": check.largest_difference,
            }
            for check in result.checks
        ],
    }
    if result.update is not None:
        payload["learning_rate"] = result.update.learning_rate
        payload["updated"] = {name: value.tolist() for name, value in result.update.values.items()}
        payload["updated_output"] = result.update.loss
    return payload


# --- LaTeX and Markdown -------------------------------------------------------------

_LATEX_SYMBOLS = {
    "∂": r"$\partial$",
    "·": r"$\cdot$",
    "⊙": r"$\odot$",
    "ᵀ": r"$^\top$",
    "−": "-",
    "×": r"$\times$",
    "←": r"$\leftarrow$",
    "′": "'",
    "″": "''",
    "✓": "ok:",
    "✗": "DISAGREES:",
    "–": "not checked:",
    "‴": "'" * 3,
    "▸": r"$\triangleright$",
}


def _latex_text(text: str) -> str:
    return "".join(_LATEX_SYMBOLS.get(char, char) for char in latex_escape(text))


def _note(text: str) -> str:
    return r"&\text{" + _latex_text(text) + r"} \\"


def _explanation_lines(result: LayerBackprop) -> list[str]:
    """The explanation as plain lines, shared by LaTeX and Markdown."""
    nodes = result.graph.nodes
    lines = [f"Layers (output {result.output_name})", *_statements(result), "at:"]
    lines += _point_lines(result)
    lines += [f"Warning: {w}" for w in result.warnings] + [
        f"Note: {n}" for n in result.program.notes
    ]
    lines.append("Forward pass, statement by statement")
    rows = _forward_rows(result)
    first, last, hidden = head_and_tail(rows, MAX_ROWS // 2, MAX_ROWS // 2)
    for heading, index in [*first, *([("…", None)] if hidden else []), *last]:
        if index is None:
            lines.append(f"▸ {heading}")
            continue
        node = nodes[index]
        lines.append(
            f"    {node.id} = {node.label}  ({shape_text(node.shape)}) = "
            f"{_shaped(result.values[index])}"
        )
    lines.append(
        f"Backward pass, from the loss down (seed ∂{result.output_name}/∂{result.output_name} = 1)"
    )
    edge_rows = _backward_rows(result)
    first_e, last_e, hidden_e = head_and_tail(edge_rows, MAX_ROWS // 2, MAX_ROWS // 2)
    for heading, edge in [*first_e, *([("…", None)] if hidden_e else []), *last_e]:
        if edge is None:
            lines.append(f"▸ {heading}")
            continue
        lines.append(
            f"    to {nodes[edge.target].id} from {nodes[edge.source].id}: {edge.formula}  "
            f"({shape_text(edge.contribution.shape)}) = {_shaped(edge.contribution)}"
        )
    lines += [f"Convention: {note}" for note in result.conventions]
    lines.append(f"{result.output_name} = {format_number(result.output)}")
    lines += [_gradient_line(result, n, g) for n, g in _gradient_items(result)]
    if result.update is not None:
        lines += _update_lines(result)
    lines += [_check_text(check) for check in result.checks]
    return lines


def latex(result: LayerBackprop) -> str:
    lines = [r"\begin{align*}", *[_note(line) for line in _explanation_lines(result)]]
    lines[-1] = lines[-1].removesuffix(r" \\")
    return "\n".join([*lines, r"\end{align*}"])


def markdown(result: LayerBackprop) -> str:
    out: list[str] = []
    for line in _explanation_lines(result):
        if line.startswith("    "):
            out.append(f"- `{line.strip()}`")
        elif line.startswith("▸ "):
            out.append(f"\n**{line[2:]}**\n")
        elif line.startswith(("Forward pass", "Backward pass", "Layers (")):
            out.append(f"\n### {line}\n")
        else:
            out.append(f"{line}  ")
    return "\n".join(out).strip()


# --- Graphviz DOT ---------------------------------------------------------------------


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(result: LayerBackprop) -> str:
    nodes = result.graph.nodes
    lines = ["digraph layers {", "  rankdir=LR;", '  node [fontname="Helvetica", shape=box];']
    for index, node in enumerate(nodes):
        label = f"{node.id}\n{node.label}\n{shape_text(node.shape)}"
        style = ", style=bold" if index == result.graph.output else ""
        lines.append(f"  {_dot_string(node.id)} [label={_dot_string(label)}{style}];")
        for i in node.inputs:
            lines.append(f"  {_dot_string(nodes[i].id)} -> {_dot_string(node.id)};")
    lines.append("}")
    return "\n".join(lines) + "\n"
