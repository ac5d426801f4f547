"""`mathml backprop` as a View (every format but JSON), as JSON data, and as Graphviz DOT.

Every format but JSON and DOT shows at most MAX_ROWS rows of each table (the
first and the last half, with a marker between); JSON and DOT hold every node.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from mathml_cli.core.backprop import Backprop, Check
from mathml_cli.core.graph import Contribution, Node
from mathml_cli.render.common import latex_of
from mathml_cli.render.view import (
    Block,
    Column,
    Gap,
    Line,
    Math,
    Note,
    Paragraph,
    Section,
    Span,
    Table,
    Tree,
    TreeNode,
    View,
    head_and_tail,
    name_latex,
    number,
    number_latex,
    text_latex,
)

MAX_ROWS = 40
MAX_TREE_NODES = 40
MAX_GRADIENTS = 20

T = TypeVar("T")


def _shown(items: Sequence[T], limit: int) -> tuple[list[T], list[T], int]:
    """The first and last half of `items` and how many are left out between them."""
    return head_and_tail(items, limit // 2, limit // 2)


def _hidden(count: int, what: str) -> str:
    return f"… {count:,} {what} not shown (--format json has them all) …"


def _expression(text: str) -> Math:
    """One of the graph's expressions (written in node ids and variables) as math."""
    from mathml_cli.core.expr import parse_expression
    from mathml_cli.errors import InputError

    if text.endswith("…"):  # shortened by the graph: no longer an expression
        return Math(text, text_latex(text))
    try:
        return Math(text, latex_of(parse_expression(text)))
    except InputError:
        return Math(text, text_latex(text))


_PRIMES = {"′": "'", "″": "''", "‴": "'" * 3}


def _id_latex(identifier: str) -> str:
    """A node's id in LaTeX: c′ as c', c@5 as c^{(5)}, a repeated number 2#2 as 2."""
    base = identifier.rstrip("".join(_PRIMES))
    primes = "".join(_PRIMES[char] for char in identifier[len(base) :])
    if "#" in base:
        return text_latex(base.split("#")[0])
    if "@" in base:
        name, version = base.split("@")
        return f"{name_latex(name)}^{{({version})}}"
    if not base.isidentifier():
        return text_latex(base)
    return name_latex(base) + primes


def _name(identifier: str, role: Any = None) -> Math:
    return Math(identifier, _id_latex(identifier), role)


def _value_number(result: Backprop, index: int) -> Math:
    """A node's value, marked ≈ 0 where it is float64 rounding residue (see _rounding_note)."""
    value = result.values[index]
    if index in result.rounding_zeros:
        return Math(number(value) + " ≈ 0", number_latex(value) + r" \approx 0")
    return Math(number(value), number_latex(value))


def _rounding_note(result: Backprop) -> str | None:
    """Why some values are marked ≈ 0, with the first few of them."""
    if not result.rounding_zeros:
        return None
    nodes = result.graph.nodes
    examples = [
        f"{nodes[i].id} = {nodes[i].label} is {number(result.values[i])}, "
        f"its rounding error up to {bound:.1e}"
        for i, bound in list(result.rounding_zeros.items())[:3]
    ]
    more = len(result.rounding_zeros) - len(examples)
    listed = "; ".join(examples) + (f"; and {more:,} more" if more else "")
    return (
        f"≈ 0 marks a value within float64 rounding error of 0: {listed}. Decimals such as "
        "0.1 have no exact binary form, so read it as 0 (--format json keeps the exact floats)."
    )


def _signed(value: float) -> Math:
    """A number as a factor: negative ones in parentheses, as in 2 − 0.1 × (-0.075)."""
    text, latex = number(value), number_latex(value)
    return Math(f"({text})", f"({latex})") if text.startswith("-") else Math(text, latex)


def _partial(result: Backprop, name: str) -> Math:
    """∂L/∂name."""
    out = result.output_name
    return Math(
        f"∂{out}/∂{name}", rf"\frac{{\partial {_id_latex(out)}}}{{\partial {_id_latex(name)}}}"
    )


def _equals(left: Math, right: Math, role: Any = None) -> Math:
    return Math(f"{left.text} = {right.text}", f"{left.latex} = {right.latex}", role)


def view(result: Backprop) -> View:
    """The graph, the forward and backward passes as tables, the gradients and the checks."""
    graph = result.graph
    output = graph.nodes[graph.output]
    out = _name(result.output_name, "strong")
    blocks: list[Block] = [
        *_heading(result, out),
        Note((f"at {_point_text(result)}" if result.point else "(no variables)",)),
    ]
    blocks.extend(Note((f"Warning: {warning}",), "warning") for warning in result.warnings)
    blocks.extend(Note((f"Note: {note}",)) for note in result.notes)
    blocks.append(Section(None, (Paragraph((Span("Graph (output at the top)"),)), _tree(result))))
    forward: list[Block] = [
        Paragraph((Span("Forward pass"), " (topological order)")),
        _forward(result),
    ]
    rounding = _rounding_note(result)
    if rounding is not None:
        forward.append(Note((rounding,), "warning"))
    blocks.append(Section(None, tuple(forward)))
    seed = _equals(_partial(result, output.id), Math("1", "1"))
    backward: list[Block] = [
        Paragraph(
            (
                Span("Backward pass"),
                " (reverse order; seed ",
                seed,
                "); each row sends a gradient to one input",
            )
        ),
        _backward(result),
    ]
    backward.extend(
        Note((f"Convention: {note}",), "warning") for note in result.backward.conventions
    )
    blocks.append(Section(None, tuple(backward)))
    if result.chain_rules:
        blocks.append(Section(None, tuple(_chain_rule(result))))
    summary: list[Block] = [
        Paragraph(
            (_equals(_name(result.output_name), _value_number(result, graph.output), "result"),)
        )
    ]
    summary.extend(_gradients(result))
    blocks.append(Section(None, tuple(summary)))
    if result.update is not None:
        blocks.append(Section(None, tuple(_update(result))))
    blocks.append(Section(None, tuple(_check_note(check) for check in result.checks)))
    source = f"mathml backprop: {'; '.join(_statements(result)) or result.text.strip()}"
    return View(source, tuple(blocks), source)


def _statements(result: Backprop) -> list[str]:
    if result.program is None:
        return []
    return [statement.text.strip() for statement in result.program.statements]


def _heading(result: Backprop, out: Math) -> list[Block]:
    """f = the expression, or a program's statements (thinned when there are many)."""
    if result.program is None:
        return [Paragraph((out, Math(" = ", "=", "strong"), _expression(result.text.strip())))]
    blocks: list[Block] = [Paragraph((Span("Program"), " (output ", out, ")"))]
    first, last, hidden = _shown(_statements(result), MAX_ROWS)
    blocks += [Paragraph((line,), indent=1) for line in first]
    if hidden:
        blocks.append(Note((_hidden(hidden, "statements"),), "warning"))
    return blocks + [Paragraph((line,), indent=1) for line in last]


_CHAIN_NOTE = (
    "each factor ∂p/∂q is the derivative of p's own statement by q, its other names held fixed; "
    "the left side is the whole gradient"
)


def _chain_lines(result: Backprop) -> list[str]:
    return [rule.text(result.graph, result.output_name, number) for rule in result.chain_rules]


def _chain_rule(result: Backprop) -> list[Block]:
    """∂z/∂x = ∂z/∂y · ∂y/∂x = 2 · 4 = 8 for each named node, from the output down."""
    heading = Paragraph(
        (Span("Chain rule in the program's names"), f" (from the output down; {_CHAIN_NOTE})")
    )

    def line(text: str) -> Block:
        return Paragraph((Span(text, "formula"),), indent=1)

    return [heading, *_limited(_chain_lines(result), line, "lines")]


def _point_text(result: Backprop) -> str:
    items = list(result.point.items())
    shown = ", ".join(f"{name} = {number(value)}" for name, value in items[:12])
    return shown + (f", … ({len(items) - 12:,} more)" if len(items) > 12 else "")


def _tree_label(result: Backprop, index: int, seen: bool) -> Line:
    node = result.graph.nodes[index]
    label: list[Any] = [_name(node.id, "rule")]
    if node.op not in ("input", "constant"):
        label.append(Span(f" {node.symbol}", "formula"))
    label += ["  value ", _value_number(result, index)]
    gradient = result.backward.gradients[index]
    if gradient is not None:
        label += [
            Span("  grad ", "result"),
            Math(number(gradient), number_latex(gradient), "result"),
        ]
    if seen:
        label.append(Span("  (shared: shown above)", "muted"))
    return tuple(label)


def _tree(result: Backprop) -> Tree:
    """The graph from its output down, shared nodes shown once, at most MAX_TREE_NODES."""
    nodes = result.graph.nodes
    shown = {result.graph.output}
    count = 1
    cut = False

    def children(index: int) -> tuple[TreeNode, ...]:
        # Depth first in reading order, deciding "shared" as each entry is written, so a
        # node's full entry always comes before its "(shared: shown above)".
        nonlocal count, cut
        made: list[TreeNode] = []
        for child in nodes[index].inputs:
            if count >= MAX_TREE_NODES:
                cut = True
                break
            seen = child in shown
            shown.add(child)
            count += 1
            below = () if seen else children(child)
            made.append(TreeNode((_tree_label(result, child, seen),), below))
        return tuple(made)

    top = children(result.graph.output)
    if cut:
        words = (
            f"… the tree stops after {MAX_TREE_NODES} entries (the graph has {len(nodes):,} "
            "nodes; the tables have them all)"
        )
        top = (*top, TreeNode(((Span(words, "note"),),)))
    return Tree(_tree_label(result, result.graph.output, False), top)


def _inputs(result: Backprop, node: Node) -> str:
    names = [result.graph.nodes[i].id for i in node.inputs]
    return ", ".join(names) if len(names) <= 6 else ", ".join(names[:5]) + f", … ({len(names)})"


def _op(node: Node) -> str:
    return {"input": "input", "constant": "constant"}.get(node.op, node.symbol)


def _thinned(items: Sequence[T], row: Callable[[T], tuple[Any, ...]], what: str) -> tuple[Any, ...]:
    first, last, hidden = _shown(items, MAX_ROWS)
    middle = (Gap(hidden, what),) if hidden else ()
    return (*(row(item) for item in first), *middle, *(row(item) for item in last))


def _forward(result: Backprop) -> Table:
    nodes = result.graph.nodes
    columns = (
        Column("node", align="left", role="rule"),
        Column("op", align="left", role="formula"),
        Column("inputs", align="left", droppable=True),
        Column("expression", align="left", droppable=True),
        Column("value"),
    )

    def row(index: int) -> tuple[Any, ...]:
        node = nodes[index]
        return (
            _name(node.id),
            _op(node),
            _inputs(result, node),
            _expression(node.label),
            _value_number(result, index),
        )

    return Table(columns, _thinned(range(len(nodes)), row, "nodes"))


def _accumulated(step: Contribution) -> Math:
    text, latex = number(step.accumulated), number_latex(step.accumulated)
    if step.path > 1:
        before = _signed(step.contribution)
        text = f"{number(step.previous)} + {before.text} = {text}"
        latex = f"{number_latex(step.previous)} + {before.latex} = {latex}"
    if step.paths > 1:
        text += f"  (path {step.path} of {step.paths})"
        latex += rf"\ \text{{(path {step.path} of {step.paths})}}"
    return Math(text, latex, "result" if step.path == step.paths else None)


def _backward(result: Backprop) -> Table:
    nodes = result.graph.nodes
    out = result.output_name
    columns = (
        Column("node", align="left", role="rule"),
        Column("from", align="left"),
        Column(_partial(result, "from"), short=f"∂{out}"),
        Column(
            Math("local ∂from/∂node", r"\partial\,\text{from}/\partial\,\text{node}"),
            align="left",
            droppable=True,
            short="local",
        ),
        Column(Math("= local", r"\text{local}"), short="="),
        Column("contribution", droppable=True, short="contrib."),
        Column("accumulated", align="left", short="accum."),
    )

    def row(step: Contribution) -> tuple[Any, ...]:
        return (
            _name(nodes[step.target].id),
            _name(nodes[step.source].id),
            step.upstream,
            _expression(step.formula),
            step.local,
            step.contribution,
            _accumulated(step),
        )

    rows = _thinned(result.backward.contributions, row, "rows")
    if not rows:
        return Table(columns[:1], (("(no variables: nothing to send back)",),))
    return Table(columns, rows)


def _limited(items: Sequence[T], block: Callable[[T], Block], what: str) -> list[Block]:
    """One block per item, at most MAX_GRADIENTS, with a marker where some are left out."""
    first, last, hidden = _shown(items, MAX_GRADIENTS)
    marker = [Note((_hidden(hidden, what),), "warning")] if hidden else []
    return [*(block(item) for item in first), *marker, *(block(item) for item in last)]


def _gradients(result: Backprop) -> list[Block]:
    def line(item: tuple[str, float]) -> Block:
        name, value = item
        return Paragraph(
            (_equals(_partial(result, name), Math(number(value), number_latex(value)), "result"),)
        )

    return _limited(list(result.gradients.items()), line, "gradients")


def _update(result: Backprop) -> list[Block]:
    update = result.update
    assert update is not None
    lr = Math(number(update.learning_rate), number_latex(update.learning_rate))
    blocks: list[Block] = [
        Paragraph(
            (
                Span(f"One gradient-descent step, learning rate {lr.text}: "),
                Math(
                    f"new = old − {lr.text} × gradient",
                    rf"\text{{new}} = \text{{old}} - {lr.latex} \times \text{{gradient}}",
                ),
            )
        )
    ]

    def line(item: tuple[str, float]) -> Block:
        name, new = item
        old = result.point[name]
        grad = _signed(result.gradient(name))
        step = Math(
            f"{name}: {number(old)} − {lr.text} × {grad.text} = ",
            rf"{name_latex(name)} \leftarrow {number_latex(old)} - {lr.latex} \times "
            rf"{grad.latex} =",
        )
        return Paragraph((step, Math(number(new), number_latex(new), "result")), indent=1)

    blocks += _limited(list(update.values.items()), line, "updates")
    after = "undefined" if update.output is None else number(update.output)
    before = _value_number(result, result.graph.output)
    blocks.append(Paragraph((f"{result.output_name} after the step: {before.text} → {after}",)))
    return blocks


def _check_note(check: Check) -> Note:
    mark, kind = {True: ("✓", "check"), False: ("✗", "failure"), None: ("–", "warning")}[
        check.verified
    ]
    return Note((f"{mark} {check.method}: {check.detail}",), kind)  # type: ignore[arg-type]


# --- JSON ------------------------------------------------------------------


def data(result: Backprop) -> dict[str, Any]:
    nodes = result.graph.nodes
    payload: dict[str, Any] = {
        "expression": result.text.strip(),
        "point": result.point,
        "output": result.output,
        "output_node": nodes[result.graph.output].id,
        "gradients": result.gradients,
        "nodes": [
            {
                "id": node.id,
                "op": node.op,
                "inputs": [nodes[i].id for i in node.inputs],
                "value": result.values[index],
                "grad": result.backward.gradients[index],
                "expression": node.label,
                "name": node.name,
            }
            for index, node in enumerate(nodes)
        ],
        "backward": [
            {
                "node": nodes[step.target].id,
                "from": nodes[step.source].id,
                "upstream": step.upstream,
                "local_formula": step.formula,
                "local": step.local,
                "contribution": step.contribution,
                "previous": step.previous,
                "accumulated": step.accumulated,
                "path": step.path,
                "paths": step.paths,
            }
            for step in result.backward.contributions
        ],
        "conventions": list(result.backward.conventions),
        "zero_up_to_rounding": {
            nodes[index].id: bound for index, bound in result.rounding_zeros.items()
        },
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
        payload["updated"] = result.update.values
        payload["updated_output"] = result.update.output
    if result.program is not None:
        payload["program"] = _statements(result)
        payload["output_name"] = result.output_name
        payload["inputs"] = {
            name: result.program.first_use[name] for name in result.graph.variables
        }
        payload["notes"] = list(result.notes)
        payload["chain_rule"] = [
            {
                "node": nodes[rule.node].id,
                "text": text,
                "terms": [
                    [{"of": nodes[f.of].id, "wrt": nodes[f.wrt].id, "value": f.value} for f in term]
                    for term in rule.terms
                ],
                "value": rule.value,
                "whole_paths": rule.expanded,
            }
            for rule, text in zip(result.chain_rules, _chain_lines(result), strict=True)
        ]
    return payload


# --- Graphviz DOT ----------------------------------------------------------


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _record(text: str) -> str:
    """Text safe inside a record label, whose {}|<> are structure."""
    for char in '\\{}|<>"':
        text = text.replace(char, "\\" + char)
    return text


def dot(result: Backprop) -> str:
    """The graph for Graphviz: a box per value (name, value, grad), a circle per operation."""
    nodes = result.graph.nodes
    lines = [
        "digraph backprop {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica"];',
    ]
    for index, node in enumerate(nodes):
        name = node.id if node.op in ("input", "constant") else f"{node.id} = {node.label}"
        fields = [_record(name), f"value {_value_number(result, index).text}"]
        gradient = result.backward.gradients[index]
        if gradient is not None:
            fields.append(f"grad {number(gradient)}")
        style = ", style=bold" if index == result.graph.output else ""
        # Already escaped for a record label (quotes included), so not _dot_string.
        label = '"{ ' + " | ".join(fields) + ' }"'
        lines.append(f"  {_dot_string(node.id)} [shape=record{style}, label={label}];")
        if node.inputs:
            op_node = _dot_string(f"{node.id}:op")
            lines.append(f"  {op_node} [shape=circle, label={_dot_string(node.symbol)}];")
            for i in node.inputs:
                lines.append(f"  {_dot_string(nodes[i].id)} -> {op_node};")
            lines.append(f"  {op_node} -> {_dot_string(node.id)};")
    lines.append("}")
    return "\n".join(lines) + "\n"
