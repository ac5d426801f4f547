"""`mathml backprop` on vectors and matrices (a `LayerBackprop`): its View, JSON data and DOT.

The View (every format but JSON) shows each value thinned (its first and last
entries, like dot's cells) and at most MAX_ROWS rows per table; JSON has every entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from mathml_cli.core.tensor import Edge, LayerBackprop, TensorNode, shape_text
from mathml_cli.render import view as v
from mathml_cli.render.backprop import check_note, checks_data

MAX_ROWS = 60
VECTOR_ENTRIES = 6  # a longer vector shows its first and last 3
MATRIX_ROWS = 4  # a taller matrix shows its first and last 2 rows


def array_text(value: np.ndarray) -> str:
    """A value in one line: 0.25, [1, 2, 3], [[1, 2], [3, 4]], thinned past a few entries."""
    if value.ndim == 0:
        return v.number(float(value))
    if value.ndim == 1:
        return _row(value)
    first, last, hidden = v.head_and_tail(list(value), MATRIX_ROWS // 2, MATRIX_ROWS // 2)
    rows = [_row(row) for row in first] + (["…"] if hidden else []) + [_row(row) for row in last]
    return "[" + ", ".join(rows) + "]"


def _row(values: np.ndarray) -> str:
    first, last, hidden = v.head_and_tail(
        [float(entry) for entry in values], VECTOR_ENTRIES // 2, VECTOR_ENTRIES // 2
    )
    parts = [v.number(entry) for entry in first] + (["…"] if hidden else [])
    return "[" + ", ".join(parts + [v.number(entry) for entry in last]) + "]"


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
    lr = v.number(update.learning_rate)
    lines = [f"One SGD step, learning rate {lr}: new = old − {lr} × gradient, for each parameter"]
    for name, new in update.values.items():
        old = array_text(result.point[name])
        gradient = f"∂{result.output_name}/∂{name}"
        lines.append(f"{name} ← {old} − {lr} × {gradient} = {array_text(new)}")
    after = "undefined" if update.loss is None else v.number(update.loss)
    lines.append(f"{result.output_name} before the step: {v.number(result.output)}; after: {after}")
    return lines


# --- The View (text, LaTeX, Markdown, HTML) ---------------------------------------


def _formula(text: str, role: Any = None) -> Any:
    """Words that may wrap in every format (values, rules written with ∂ and ᵀ)."""
    return v.Span(text, role) if role else text


def view(result: LayerBackprop) -> v.View:
    """The program, the forward and backward passes statement by statement, the gradients."""
    out = result.output_name
    blocks: list[v.Block] = [v.Paragraph((v.Span("Layers"), f" (output {out})"))]
    blocks += [v.Paragraph((_formula(line),), indent=1) for line in _statements(result)]
    blocks.append(v.Note(("at",)))
    blocks += [v.Paragraph((_formula(line),), indent=1) for line in _point_lines(result)]
    blocks += [v.Note((f"Warning: {warning}",), "warning") for warning in result.warnings]
    blocks += [v.Note((f"Note: {note}",)) for note in result.program.notes]
    blocks.append(
        v.Section(
            None,
            (v.Paragraph((v.Span("Forward pass"), ", statement by statement")), _forward(result)),
        )
    )
    seed = f"seed ∂{out}/∂{out} = 1; ⊙ is elementwise, · the matrix product, ᵀ the transpose"
    backward: list[v.Block] = [
        v.Paragraph((v.Span("Backward pass"), f", from the loss down ({seed})")),
        *_backward(result),
    ]
    backward += [v.Note((f"Convention: {note}",), "warning") for note in result.conventions]
    blocks.append(v.Section(None, tuple(backward)))
    summary: list[v.Block] = [
        v.Paragraph((_formula(f"{out} = {v.number(result.output)}", "result"),))
    ]
    summary += [
        v.Paragraph((_formula(_gradient_line(result, name, gradient), "result"),))
        for name, gradient in _gradient_items(result)
    ]
    blocks.append(v.Section(None, tuple(summary)))
    if result.update is not None:
        lines = _update_lines(result)
        update: list[v.Block] = [v.Paragraph((v.Span(lines[0]),))]
        update += [v.Paragraph((_formula(line),), indent=1) for line in lines[1:-1]]
        update.append(v.Paragraph((lines[-1],)))
        blocks.append(v.Section(None, tuple(update)))
    blocks.append(v.Section(None, tuple(check_note(check) for check in result.checks)))
    source = f"mathml backprop: {'; '.join(_statements(result))}"
    return v.View(source, tuple(blocks), source)


def _heading_row(text: str, width: int, at: int) -> tuple[Any, ...]:
    """A row that names the statement the rows below come from, in the column `at`."""
    cells: list[Any] = ["▸"] + [None] * (width - 1)
    cells[at] = text
    return tuple(cells)


def _gapped(rows: list[Any], what: str) -> tuple[Any, ...]:
    first, last, hidden = v.head_and_tail(rows, MAX_ROWS // 2, MAX_ROWS // 2)
    return (*first, *((v.Gap(hidden, what),) if hidden else ()), *last)


def _forward(result: LayerBackprop) -> v.Table:
    nodes = result.graph.nodes
    columns = (
        v.Column("node", align="left", role="rule"),
        v.Column("op", align="left", role="formula"),
        v.Column("shape", align="left"),
        v.Column("expression", align="left", droppable=True),
        v.Column("value", align="left"),
    )
    rows: list[Any] = []
    for heading, index in _forward_rows(result):
        if index is None:
            rows.append(_heading_row(heading or "", len(columns), 3))
            continue
        node = nodes[index]
        rows.append(
            (
                _formula(node.id),
                _op(node),
                shape_text(node.shape),
                _formula(node.label),
                _formula(_shaped(result.values[index])),
            )
        )
    return v.Table(columns, _gapped(rows, "rows"))


def _backward(result: LayerBackprop) -> list[v.Block]:
    """One line per edge, ∂L/∂W1 = ∂L/∂n1 · xᵀ (3×2) = [...], under its statement."""
    nodes = result.graph.nodes
    out = result.output_name
    rows = _backward_rows(result)
    first, last, hidden = v.head_and_tail(rows, MAX_ROWS // 2, MAX_ROWS // 2)
    blocks: list[v.Block] = []
    for heading, edge in first:
        blocks.append(_backward_line(result, heading, edge, nodes, out))
    if hidden:
        blocks.append(v.Note((v.Gap(hidden, "rows").words(),), "warning"))
    for heading, edge in last:
        blocks.append(_backward_line(result, heading, edge, nodes, out))
    return blocks


def _backward_line(
    result: LayerBackprop,
    heading: str | None,
    edge: Edge | None,
    nodes: Sequence[TensorNode],
    out: str,
) -> v.Block:
    if edge is None:
        return v.Paragraph((v.Span("▸ "), _formula(heading or "", "strong")))
    sign = "+=" if edge.path > 1 else "="
    paths = f"  (path {edge.path} of {edge.paths})" if edge.paths > 1 else ""
    shape = shape_text(edge.contribution.shape)
    text = f"∂{out}/∂{nodes[edge.target].id} {sign} {edge.formula}"
    value = f"  ({shape}) = {_shaped(edge.contribution)}{paths}"
    return v.Paragraph((_formula(text, "formula"), _formula(value)), indent=1)


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
        "checks": checks_data(result.checks),
    }
    if result.update is not None:
        payload["learning_rate"] = result.update.learning_rate
        payload["updated"] = {name: value.tolist() for name, value in result.update.values.items()}
        payload["updated_output"] = result.update.loss
    return payload


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
