"""`mathml backprop` as a View (every format but JSON), as JSON data, and as Graphviz DOT.

Every format but JSON and DOT shows at most MAX_ROWS rows of each table (the
first and the last half, with a marker between); JSON and DOT hold every node.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from mathml_cli.core.backprop import Backprop, Check
from mathml_cli.core.graph import Contribution, Node
from mathml_cli.render import view as v
from mathml_cli.render.common import latex_of

MAX_ROWS = 40
MAX_TREE_NODES = 40
MAX_GRADIENTS = 20

T = TypeVar("T")


def _shown(items: Sequence[T], limit: int) -> tuple[list[T], list[T], int]:
    """The first and last half of `items` and how many are left out between them."""
    return v.head_and_tail(items, limit // 2, limit // 2)


def _hidden(count: int, what: str) -> str:
    return f"… {count:,} {what} not shown (--format json has them all) …"


def _expression(text: str) -> v.Math:
    """One of the graph's expressions (written in node ids and variables) as math."""
    from mathml_cli.core.expr import parse_expression
    from mathml_cli.errors import InputError

    # c′ in a label as c': latex_escape's $'$ would end a Markdown math span early.
    words = v.text_latex(text.translate(_ASCII_PRIMES))
    if text.endswith("…"):  # shortened by the graph: no longer an expression
        return v.Math(text, words)
    try:
        return v.Math(text, latex_of(parse_expression(text)))
    except InputError:
        return v.Math(text, words)


_PRIMES = {"′": "'", "″": "''", "‴": "'" * 3}
_ASCII_PRIMES = str.maketrans(_PRIMES)


def _id_latex(identifier: str) -> str:
    """A node's id in LaTeX: c′ as c', c@5 as c^{(5)}, a repeated number 2#2 as 2."""
    base = identifier.rstrip("".join(_PRIMES))
    primes = "".join(_PRIMES[char] for char in identifier[len(base) :])
    if "#" in base:
        return v.text_latex(base.split("#")[0])
    if "@" in base:
        name, version = base.split("@")
        return f"{v.name_latex(name)}^{{({version})}}"
    if not base.isidentifier():
        return v.text_latex(base)
    return v.name_latex(base) + primes


def _name(identifier: str, role: Any = None) -> v.Math:
    return v.Math(identifier, _id_latex(identifier), role)


def _value_number(result: Backprop, index: int) -> v.Math:
    """A node's value, marked ≈ 0 where it is float64 rounding residue (see _rounding_note)."""
    value = result.values[index]
    if index in result.rounding_zeros:
        return v.Math(v.number(value) + " ≈ 0", v.number_latex(value) + r" \approx 0")
    return v.Math(v.number(value), v.number_latex(value))


def _rounding_note(result: Backprop) -> str | None:
    """Why some values are marked ≈ 0, with the first few of them."""
    if not result.rounding_zeros:
        return None
    nodes = result.graph.nodes
    examples = [
        f"{nodes[i].id} = {nodes[i].label} is {v.number(result.values[i])}, "
        f"its rounding error up to {bound:.1e}"
        for i, bound in list(result.rounding_zeros.items())[:3]
    ]
    more = len(result.rounding_zeros) - len(examples)
    listed = "; ".join(examples) + (f"; and {more:,} more" if more else "")
    return (
        f"≈ 0 marks a value within float64 rounding error of 0: {listed}. Decimals such as "
        "0.1 have no exact binary form, so read it as 0 (--format json keeps the exact floats)."
    )


def _signed(value: float) -> v.Math:
    """A number as a factor: negative ones in parentheses, as in 2 − 0.1 × (-0.075)."""
    text, latex = v.number(value), v.number_latex(value)
    return v.Math(f"({text})", f"({latex})") if text.startswith("-") else v.Math(text, latex)


def _partial(result: Backprop, name: str) -> v.Math:
    """∂L/∂name."""
    out = result.output_name
    return v.Math(
        f"∂{out}/∂{name}", rf"\frac{{\partial {_id_latex(out)}}}{{\partial {_id_latex(name)}}}"
    )


def _equals(left: v.Math, right: v.Math, role: Any = None) -> v.Math:
    return v.Math(f"{left.text} = {right.text}", f"{left.latex} = {right.latex}", role)


def view(result: Backprop) -> v.View:
    """The graph, the forward and backward passes as tables, the gradients and the checks."""
    graph = result.graph
    output = graph.nodes[graph.output]
    out = _name(result.output_name, "strong")
    blocks: list[v.Block] = [
        *_heading(result, out),
        v.Note((f"at {_point_text(result)}" if result.point else "(no variables)",)),
    ]
    blocks.extend(v.Note((f"Warning: {warning}",), "warning") for warning in result.warnings)
    blocks.extend(v.Note((f"Note: {note}",)) for note in result.notes)
    blocks.append(
        v.Section(None, (v.Paragraph((v.Span("Graph (output at the top)"),)), _tree(result)))
    )
    forward: list[v.Block] = [
        v.Paragraph((v.Span("Forward pass"), " (topological order)")),
        _forward(result),
    ]
    rounding = _rounding_note(result)
    if rounding is not None:
        forward.append(v.Note((rounding,), "warning"))
    blocks.append(v.Section(None, tuple(forward)))
    seed = _equals(_partial(result, output.id), v.Math("1", "1"))
    backward: list[v.Block] = [
        v.Paragraph(
            (
                v.Span("Backward pass"),
                " (reverse order; seed ",
                seed,
                "); each row sends a gradient to one input",
            )
        ),
        _backward(result),
    ]
    backward.extend(
        v.Note((f"Convention: {note}",), "warning") for note in result.backward.conventions
    )
    blocks.append(v.Section(None, tuple(backward)))
    if result.chain_rules:
        blocks.append(v.Section(None, tuple(_chain_rule(result))))
    summary: list[v.Block] = [
        v.Paragraph(
            (_equals(_name(result.output_name), _value_number(result, graph.output), "result"),)
        )
    ]
    summary.extend(_gradients(result))
    blocks.append(v.Section(None, tuple(summary)))
    if result.update is not None:
        blocks.append(v.Section(None, tuple(_update(result))))
    blocks.append(v.Section(None, tuple(check_note(check) for check in result.checks)))
    source = f"mathml backprop: {'; '.join(_statements(result)) or result.text.strip()}"
    return v.View(source, tuple(blocks), source)


def _statements(result: Backprop) -> list[str]:
    if result.program is None:
        return []
    return [statement.text.strip() for statement in result.program.statements]


def _heading(result: Backprop, out: v.Math) -> list[v.Block]:
    """f = the expression, or a program's statements (thinned when there are many)."""
    if result.program is None:
        return [v.Paragraph((out, v.Math(" = ", "=", "strong"), _expression(result.text.strip())))]
    blocks: list[v.Block] = [v.Paragraph((v.Span("Program"), " (output ", out, ")"))]
    first, last, hidden = _shown(_statements(result), MAX_ROWS)
    blocks += [v.Paragraph((line,), indent=1) for line in first]
    if hidden:
        blocks.append(v.Note((_hidden(hidden, "statements"),), "warning"))
    return blocks + [v.Paragraph((line,), indent=1) for line in last]


_CHAIN_NOTE = (
    "each factor ∂p/∂q is the derivative of p's own statement by q, its other names held fixed; "
    "the left side is the whole gradient"
)


def _chain_lines(result: Backprop) -> list[str]:
    return [rule.text(result.graph, result.output_name, v.number) for rule in result.chain_rules]


def _chain_rule(result: Backprop) -> list[v.Block]:
    """∂z/∂x = ∂z/∂y · ∂y/∂x = 2 · 4 = 8 for each named node, from the output down."""
    heading = v.Paragraph(
        (v.Span("Chain rule in the program's names"), f" (from the output down; {_CHAIN_NOTE})")
    )

    def line(text: str) -> v.Block:
        return v.Paragraph((v.Span(text, "formula"),), indent=1)

    return [heading, *_limited(_chain_lines(result), line, "lines")]


def _point_text(result: Backprop) -> str:
    items = list(result.point.items())
    shown = ", ".join(f"{name} = {v.number(value)}" for name, value in items[:12])
    return shown + (f", … ({len(items) - 12:,} more)" if len(items) > 12 else "")


def _tree_label(result: Backprop, index: int, seen: bool) -> v.Line:
    node = result.graph.nodes[index]
    label: list[Any] = [_name(node.id, "rule")]
    if node.op not in ("input", "constant"):
        label.append(v.Span(f" {node.symbol}", "formula"))
    label += ["  value ", _value_number(result, index)]
    gradient = result.backward.gradients[index]
    if gradient is not None:
        label += [
            v.Span("  grad ", "result"),
            v.Math(v.number(gradient), v.number_latex(gradient), "result"),
        ]
    if seen:
        label.append(v.Span("  (shared: shown above)", "muted"))
    return tuple(label)


def _tree(result: Backprop) -> v.Tree:
    """The graph from its output down, shared nodes shown once, at most MAX_TREE_NODES."""
    nodes = result.graph.nodes
    shown = {result.graph.output}
    count = 1
    cut = False

    def children(index: int) -> tuple[v.TreeNode, ...]:
        # Depth first in reading order, deciding "shared" as each entry is written, so a
        # node's full entry always comes before its "(shared: shown above)".
        nonlocal count, cut
        made: list[v.TreeNode] = []
        for child in nodes[index].inputs:
            if count >= MAX_TREE_NODES:
                cut = True
                break
            seen = child in shown
            shown.add(child)
            count += 1
            below = () if seen else children(child)
            made.append(v.TreeNode((_tree_label(result, child, seen),), below))
        return tuple(made)

    top = children(result.graph.output)
    if cut:
        words = (
            f"… the tree stops after {MAX_TREE_NODES} entries (the graph has {len(nodes):,} "
            "nodes; the tables have them all)"
        )
        top = (*top, v.TreeNode(((v.Span(words, "note"),),)))
    return v.Tree(_tree_label(result, result.graph.output, False), top)


def _inputs(result: Backprop, node: Node) -> str:
    names = [result.graph.nodes[i].id for i in node.inputs]
    return ", ".join(names) if len(names) <= 6 else ", ".join(names[:5]) + f", … ({len(names)})"


def _op(node: Node) -> str:
    return {"input": "input", "constant": "constant"}.get(node.op, node.symbol)


def _thinned(items: Sequence[T], row: Callable[[T], tuple[Any, ...]], what: str) -> tuple[Any, ...]:
    first, last, hidden = _shown(items, MAX_ROWS)
    middle = (v.Gap(hidden, what),) if hidden else ()
    return (*(row(item) for item in first), *middle, *(row(item) for item in last))


def _forward(result: Backprop) -> v.Table:
    nodes = result.graph.nodes
    columns = (
        v.Column("node", align="left", role="rule"),
        v.Column("op", align="left", role="formula"),
        v.Column("inputs", align="left", droppable=True),
        v.Column("expression", align="left", droppable=True),
        v.Column("value"),
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

    return v.Table(columns, _thinned(range(len(nodes)), row, "nodes"))


def _accumulated(step: Contribution) -> v.Math:
    text, latex = v.number(step.accumulated), v.number_latex(step.accumulated)
    if step.path > 1:
        before = _signed(step.contribution)
        text = f"{v.number(step.previous)} + {before.text} = {text}"
        latex = f"{v.number_latex(step.previous)} + {before.latex} = {latex}"
    if step.paths > 1:
        text += f"  (path {step.path} of {step.paths})"
        latex += rf"\ \text{{(path {step.path} of {step.paths})}}"
    return v.Math(text, latex, "result" if step.path == step.paths else None)


def _backward(result: Backprop) -> v.Table:
    nodes = result.graph.nodes
    out = result.output_name
    columns = (
        v.Column("node", align="left", role="rule"),
        v.Column("from", align="left"),
        v.Column(_partial(result, "from"), short=f"∂{out}"),
        v.Column(
            v.Math("local ∂from/∂node", r"\partial\,\text{from}/\partial\,\text{node}"),
            align="left",
            droppable=True,
            short="local",
        ),
        v.Column(v.Math("= local", r"\text{local}"), short="="),
        v.Column("contribution", droppable=True, short="contrib."),
        v.Column("accumulated", align="left", short="accum."),
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
        return v.Table(columns[:1], (("(no variables: nothing to send back)",),))
    return v.Table(columns, rows)


def _limited(items: Sequence[T], block: Callable[[T], v.Block], what: str) -> list[v.Block]:
    """One block per item, at most MAX_GRADIENTS, with a marker where some are left out."""
    first, last, hidden = _shown(items, MAX_GRADIENTS)
    marker = [v.Note((_hidden(hidden, what),), "warning")] if hidden else []
    return [*(block(item) for item in first), *marker, *(block(item) for item in last)]


def _gradients(result: Backprop) -> list[v.Block]:
    def line(item: tuple[str, float]) -> v.Block:
        name, value = item
        return v.Paragraph(
            (
                _equals(
                    _partial(result, name), v.Math(v.number(value), v.number_latex(value)), "result"
                ),
            )
        )

    return _limited(list(result.gradients.items()), line, "gradients")


def _update(result: Backprop) -> list[v.Block]:
    update = result.update
    assert update is not None
    lr = v.Math(v.number(update.learning_rate), v.number_latex(update.learning_rate))
    blocks: list[v.Block] = [
        v.Paragraph(
            (
                v.Span(f"One gradient-descent step, learning rate {lr.text}: "),
                v.Math(
                    f"new = old − {lr.text} × gradient",
                    rf"\text{{new}} = \text{{old}} - {lr.latex} \times \text{{gradient}}",
                ),
            )
        )
    ]

    def line(item: tuple[str, float]) -> v.Block:
        name, new = item
        old = result.point[name]
        grad = _signed(result.gradient(name))
        step = v.Math(
            f"{name}: {v.number(old)} − {lr.text} × {grad.text} = ",
            rf"{v.name_latex(name)} \leftarrow {v.number_latex(old)} - {lr.latex} \times "
            rf"{grad.latex} =",
        )
        return v.Paragraph((step, v.Math(v.number(new), v.number_latex(new), "result")), indent=1)

    blocks += _limited(list(update.values.items()), line, "updates")
    after = "undefined" if update.output is None else v.number(update.output)
    before = _value_number(result, result.graph.output)
    blocks.append(v.Paragraph((f"{result.output_name} after the step: {before.text} → {after}",)))
    return blocks


def check_note(check: Check) -> v.Note:
    """How a check of the gradients ended (the scalar and the layer graph alike)."""
    mark, kind = {True: ("✓", "check"), False: ("✗", "failure"), None: ("–", "warning")}[
        check.verified
    ]
    return v.Note((f"{mark} {check.method}: {check.detail}",), kind)  # type: ignore[arg-type]


# --- JSON ------------------------------------------------------------------


def checks_data(checks: Sequence[Check]) -> list[dict[str, Any]]:
    return [
        {
            "method": check.method,
            "verified": check.verified,
            "detail": check.detail,
            "largest_difference": check.largest_difference,
        }
        for check in checks
    ]


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
        "checks": checks_data(result.checks),
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
            fields.append(f"grad {v.number(gradient)}")
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
