"""Renderings of a `Backprop`: Rich text, JSON data, LaTeX, Markdown and Graphviz DOT.

Text, LaTeX and Markdown show at most MAX_ROWS rows of each table (the first
and the last half, with a marker between); JSON and DOT hold every node.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from mathml_cli.core.backprop import Backprop, Check
from mathml_cli.core.graph import Contribution, Node
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

MAX_ROWS = 40
MAX_TREE_NODES = 40
MAX_GRADIENTS = 20

T = TypeVar("T")


def _shown(items: Sequence[T], limit: int) -> tuple[list[T], list[T], int]:
    """The first and last half of `items` and how many are left out between them."""
    return head_and_tail(items, limit // 2, limit // 2)


def _hidden(count: int, what: str) -> str:
    return f"… {count:,} {what} not shown (--format json has them all) …"


def _limited(
    items: Sequence[T], line: Callable[[T], str], what: str, marker: Callable[[str], str]
) -> list[str]:
    """One line per item, at most MAX_GRADIENTS, with the same marker as the text view."""
    first, last, hidden = _shown(items, MAX_GRADIENTS)
    lines = [line(item) for item in first]
    if hidden:
        lines.append(marker(_hidden(hidden, what)))
    return lines + [line(item) for item in last]


def _point_text(result: Backprop) -> str:
    items = list(result.point.items())
    shown = ", ".join(f"{name} = {format_number(value)}" for name, value in items[:12])
    return shown + (f", … ({len(items) - 12:,} more)" if len(items) > 12 else "")


def _inputs(result: Backprop, node: Node) -> str:
    names = [result.graph.nodes[i].id for i in node.inputs]
    return ", ".join(names) if len(names) <= 6 else ", ".join(names[:5]) + f", … ({len(names)})"


def _op(node: Node) -> str:
    return {"input": "input", "constant": "constant"}.get(node.op, node.symbol)


def _local(step: Contribution) -> str:
    return f"{step.formula} = {format_number(step.local)}"


def _accumulated(step: Contribution) -> str:
    text = format_number(step.accumulated)
    if step.path > 1:
        shown = format_number(step.contribution)
        added = f"({shown})" if shown.startswith("-") else shown
        text = f"{format_number(step.previous)} + {added} = {text}"
    if step.paths > 1:
        text += f"  (path {step.path} of {step.paths})"
    return text


def _value(result: Backprop, index: int) -> str:
    """A node's value, marked ≈ 0 where it is float64 rounding residue (see _rounding_note)."""
    text = format_number(result.values[index])
    return text + " ≈ 0" if index in result.rounding_zeros else text


def _rounding_note(result: Backprop) -> str | None:
    """Why some values are marked ≈ 0, with the first few of them."""
    if not result.rounding_zeros:
        return None
    nodes = result.graph.nodes
    examples = [
        f"{nodes[i].id} = {nodes[i].label} is {format_number(result.values[i])}, "
        f"its rounding error up to {bound:.1e}"
        for i, bound in list(result.rounding_zeros.items())[:3]
    ]
    more = len(result.rounding_zeros) - len(examples)
    listed = "; ".join(examples) + (f"; and {more:,} more" if more else "")
    return (
        f"≈ 0 marks a value within float64 rounding error of 0: {listed}. Decimals such as "
        "0.1 have no exact binary form, so read it as 0 (--format json keeps the exact floats)."
    )


def _signed(value: float) -> str:
    """A number as a factor: negative ones in parentheses, as in 2 − 0.1 × (-0.075)."""
    text = format_number(value)
    return f"({text})" if text.startswith("-") else text


def _grad_text(result: Backprop, index: int) -> str:
    value = result.backward.gradients[index]
    return "—" if value is None else format_number(value)


# --- Rich text -------------------------------------------------------------


def rich(result: Backprop) -> Any:
    from rich.console import Group
    from rich.text import Text

    graph = result.graph
    output = graph.nodes[graph.output]
    parts: list[Any] = [
        *_heading(result),
        Text(f"at {_point_text(result)}" if result.point else "(no variables)", style=DIM),
    ]
    for warning in result.warnings:
        parts.append(Text(f"Warning: {warning}", style=NOTE))
    for note in result.notes:
        parts.append(Text(f"Note: {note}", style=NOTE))
    parts += [Text(""), Text("Graph (output at the top)", style=TITLE), _tree(result)]
    parts += [Text(""), Text("Forward pass (topological order)", style=TITLE), _forward(result)]
    rounding = _rounding_note(result)
    if rounding is not None:
        parts.append(Text(rounding, style=NOTE))
    parts += [Text(""), _backward_heading(result, output), _backward(result)]
    for note in result.backward.conventions:
        parts.append(Text(f"Convention: {note}", style=NOTE))
    if result.chain_rules:
        parts += [Text(""), Text.assemble((_CHAIN_HEADING, TITLE), (f"  {_CHAIN_NOTE}", DIM))]
        parts += [
            Text(line, style=FORMULA)
            for line in _limited(
                _chain_lines(result), lambda line: line, "lines", lambda text: text
            )
        ]
    output_value = _value(result, result.graph.output)
    parts += [Text(""), Text.assemble((f"{result.output_name} = ", TITLE), (output_value, RESULT))]
    parts += _gradient_lines(result)
    if result.update is not None:
        parts += [Text("")] + _update_lines(result)
    parts += [Text("")] + [_check_line(check) for check in result.checks]
    return Group(*parts)


_CHAIN_HEADING = "Chain rule in the program's names (from the output down)"
_CHAIN_NOTE = (
    "each factor ∂p/∂q is the derivative of p's own statement by q, its other names held fixed; "
    "the left side is the whole gradient"
)


def _statements(result: Backprop) -> list[str]:
    assert result.program is not None
    return [statement.text.strip() for statement in result.program.statements]


def _chain_lines(result: Backprop) -> list[str]:
    return [
        rule.text(result.graph, result.output_name, format_number) for rule in result.chain_rules
    ]


def _heading(result: Backprop) -> list[Any]:
    from rich.text import Text

    if result.program is None:
        return [Text.assemble((f"{result.output_name} = ", TITLE), result.text.strip())]
    lines = [Text(f"Program (output {result.output_name})", style=TITLE)]
    first, last, hidden = _shown(_statements(result), MAX_ROWS)
    lines += [Text(f"  {line}") for line in first]
    if hidden:
        lines.append(Text(_hidden(hidden, "statements"), style=NOTE))
    return lines + [Text(f"  {line}") for line in last]


def _backward_heading(result: Backprop, output: Node) -> Any:
    from rich.text import Text

    return Text.assemble(
        ("Backward pass (reverse order)", TITLE),
        (
            f"  seed: ∂{result.output_name}/∂{output.id} = 1; "
            "each row sends a gradient to one input",
            DIM,
        ),
    )


def _tree(result: Backprop) -> Any:
    from rich.text import Text
    from rich.tree import Tree

    graph = result.graph
    nodes = graph.nodes

    def label(index: int, seen: bool) -> Text:
        node = nodes[index]
        text = Text()
        text.append(node.id, style=RULE)
        if node.op not in ("input", "constant"):
            text.append(f" {node.symbol}", style=FORMULA)
        text.append(f"  value {_value(result, index)}")
        if result.backward.gradients[index] is not None:
            text.append(f"  grad {_grad_text(result, index)}", style=RESULT)
        if seen:
            text.append("  (shared: shown above)", style=DIM)
        return text

    root = Tree(label(graph.output, False), guide_style=DIM)
    shown = {graph.output}
    # Depth first, in reading order, deciding "shared" as each entry is written:
    # a node's full entry comes before every "(shared: shown above)".
    stack: list[tuple[Any, int]] = [(root, child) for child in reversed(nodes[graph.output].inputs)]
    count = 1
    cut = False
    while stack:
        if count >= MAX_TREE_NODES:
            cut = True
            break
        branch, index = stack.pop()
        seen = index in shown
        sub = branch.add(label(index, seen))
        count += 1
        if not seen:
            shown.add(index)
            stack.extend((sub, child) for child in reversed(nodes[index].inputs))
    if cut:
        root.add(
            Text(
                f"… the tree stops after {MAX_TREE_NODES} entries (the graph has "
                f"{len(nodes):,} nodes; the tables have them all)",
                style=NOTE,
            )
        )
    return root


def _table(columns: Sequence[str], folding: Sequence[str]) -> Any:
    """A table whose `folding` columns take the line breaks when the terminal is narrow."""
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False, header_style=TITLE)
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column not in folding)
    return table


def _forward(result: Backprop) -> Any:
    from rich.text import Text

    table = _table(["node", "op", "inputs", "expression", "value"], ["expression"])
    first, last, hidden = _shown(range(len(result.graph.nodes)), MAX_ROWS)

    def add(index: int) -> None:
        node = result.graph.nodes[index]
        table.add_row(
            Text(node.id, style=RULE),
            Text(_op(node), style=FORMULA),
            Text(_inputs(result, node)),
            Text(node.label),
            Text(_value(result, index)),
        )

    for index in first:
        add(index)
    if hidden:
        # The marker goes in the column that wraps, so it cannot widen the others.
        table.add_row(Text("…", style=NOTE), "", "", Text(_hidden(hidden, "nodes"), style=NOTE), "")
    for index in last:
        add(index)
    return table


def _backward(result: Backprop) -> Any:
    from rich.text import Text

    nodes = result.graph.nodes
    columns = [
        "node",
        "from",
        f"upstream ∂{result.output_name}/∂from",
        "local derivative",
        "contribution",
        "accumulated",
    ]
    table = _table(columns, ["local derivative", "accumulated"])
    first, last, hidden = _shown(result.backward.contributions, MAX_ROWS)

    def add(step: Contribution) -> None:
        source = nodes[step.source].id
        table.add_row(
            Text(nodes[step.target].id, style=RULE),
            Text(source),
            Text(format_number(step.upstream)),
            Text(_local(step), style=FORMULA),
            Text(format_number(step.contribution)),
            Text(_accumulated(step), style=RESULT if step.path == step.paths else ""),
        )

    for step in first:
        add(step)
    if hidden:
        table.add_row(
            Text("…", style=NOTE), "", "", Text(_hidden(hidden, "rows"), style=NOTE), "", ""
        )
    for step in last:
        add(step)
    if not result.backward.contributions:
        table.add_row(Text("(no variables: nothing to send back)", style=DIM), "", "", "", "", "")
    return table


def _gradient_lines(result: Backprop) -> list[Any]:
    from rich.text import Text

    items = list(result.gradients.items())
    first, last, hidden = _shown(items, MAX_GRADIENTS)
    lines = [
        Text.assemble((f"∂{result.output_name}/∂{name} = ", TITLE), (format_number(value), RESULT))
        for name, value in first
    ]
    if hidden:
        lines.append(Text(_hidden(hidden, "gradients"), style=NOTE))
    lines += [
        Text.assemble((f"∂{result.output_name}/∂{name} = ", TITLE), (format_number(value), RESULT))
        for name, value in last
    ]
    return lines


def _update_lines(result: Backprop) -> list[Any]:
    from rich.text import Text

    update = result.update
    assert update is not None
    lr = format_number(update.learning_rate)
    lines = [Text(_update_heading(result), style=TITLE)]
    first, last, hidden = _shown(list(update.values.items()), MAX_GRADIENTS)

    def line(name: str, new: float) -> Any:
        old = result.point[name]
        grad = result.gradient(name)
        return Text.assemble(
            f"{name}: {format_number(old)} − {lr} × {_signed(grad)} = ",
            (format_number(new), RESULT),
        )

    lines += [line(name, new) for name, new in first]
    if hidden:
        lines.append(Text(_hidden(hidden, "updates"), style=NOTE))
    lines += [line(name, new) for name, new in last]
    lines.append(Text(_after_step(result)))
    return lines


def _update_heading(result: Backprop) -> str:
    assert result.update is not None
    lr = format_number(result.update.learning_rate)
    return f"One gradient-descent step, learning rate {lr}: new = old − {lr} × gradient"


def _after_step(result: Backprop) -> str:
    assert result.update is not None
    output = result.update.output
    after = "undefined" if output is None else format_number(output)
    return f"{result.output_name} after the step: {_value(result, result.graph.output)} → {after}"


def _check_text(check: Check) -> str:
    verdict = {True: "verified", False: "DISAGREES", None: "not checked"}[check.verified]
    return f"{check.method} ({verdict}): {check.detail}"


def _check_line(check: Check) -> Any:
    from rich.text import Text

    mark, style = {True: ("✓", GOOD), False: ("✗", BAD), None: ("–", NOTE)}[check.verified]
    return Text.assemble((f"{mark} {check.method}: ", style), check.detail)


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


# --- LaTeX -----------------------------------------------------------------


def _tt(text: str) -> str:
    return r"\texttt{" + _latex_text(text) + "}"


_LATEX_SYMBOLS = {
    "≈": r"$\approx$",
    "→": r"$\to$",
    "−": "-",
    "×": r"$\times$",
    "∂": r"$\partial$",
    "·": r"$\cdot$",
    "′": "'",
    "″": "''",
    "‴": "'" * 3,
}


def _latex_text(text: str) -> str:
    """Text for \\text{...}: escaped, and the few symbols we print as math."""
    return "".join(_LATEX_SYMBOLS.get(char, char) for char in latex_escape(text))


def _latex_note(text: str) -> str:
    return r"&\text{" + _latex_text(text) + r"} \\"


def latex(result: Backprop) -> str:
    out = "".join(_LATEX_SYMBOLS.get(char, char) for char in result.output_name)  # c′ as c'

    nodes = result.graph.nodes
    lines = [r"\begin{align*}"]
    if result.program is not None:
        lines += [_latex_note(statement) for statement in _statements(result)]
    lines += [_latex_note(f"Warning: {warning}") for warning in result.warnings]
    lines += [_latex_note(f"Note: {note}") for note in result.notes]
    lines.append(r"&\text{forward pass} \\")
    first, last, hidden = _shown(range(len(nodes)), MAX_ROWS)

    def forward_line(index: int) -> str:
        node = nodes[index]
        value = _value(result, index).replace("≈", r"\approx")
        if node.op in ("input", "constant"):
            return f"{_tt(node.id)} &= {value} \\\\"
        return f"{_tt(node.id)} &= {_tt(node.label)} = {value} \\\\"

    lines += [forward_line(i) for i in first]
    if hidden:
        lines.append(_latex_note(_hidden(hidden, "nodes")))
    lines += [forward_line(i) for i in last]
    rounding = _rounding_note(result)
    if rounding is not None:
        lines.append(_latex_note(rounding))
    lines.append(
        rf"&\text{{backward pass: }} \frac{{\partial {out}}}{{\partial \texttt{{node}}}} "
        r"\mathrel{+}= \text{upstream} \times \text{local} \\"
    )
    steps_first, steps_last, steps_hidden = _shown(result.backward.contributions, MAX_ROWS)

    def backward_line(step: Contribution) -> str:
        target, source = nodes[step.target].id, nodes[step.source].id
        return (
            rf"\frac{{\partial {out}}}{{\partial {_tt(target)}}} &\mathrel{{+}}= "
            rf"{format_number(step.upstream)} \times \left({_tt(step.formula)} = "
            rf"{format_number(step.local)}\right) = {format_number(step.contribution)}"
            rf" \quad \text{{(from {_latex_text(source)}; "
            rf"now {_latex_text(_accumulated(step))})}} \\"
        )

    lines += [backward_line(step) for step in steps_first]
    if steps_hidden:
        lines.append(_latex_note(_hidden(steps_hidden, "rows")))
    lines += [backward_line(step) for step in steps_last]
    lines += [_latex_note(f"convention: {note}") for note in result.backward.conventions]
    if result.chain_rules:
        lines.append(_latex_note(f"{_CHAIN_HEADING}: {_CHAIN_NOTE}"))
    lines += _limited(_chain_lines(result), _latex_note, "lines", _latex_note)
    output_value = _value(result, result.graph.output).replace("≈", r"\approx")
    lines.append(rf"{out} &= {output_value} \\")

    def gradient_line(item: tuple[str, float]) -> str:
        name, value = item
        return rf"\frac{{\partial {out}}}{{\partial {_tt(name)}}} &= {format_number(value)} \\"

    lines += _limited(list(result.gradients.items()), gradient_line, "gradients", _latex_note)
    if result.update is not None:
        lr = format_number(result.update.learning_rate)
        lines.append(_latex_note(_update_heading(result)))

        def update_line(item: tuple[str, float]) -> str:
            name, new = item
            return (
                rf"{_tt(name)} &\leftarrow {format_number(result.point[name])} - {lr} \times "
                rf"{_signed(result.gradient(name))} = {format_number(new)} \\"
            )

        lines += _limited(list(result.update.values.items()), update_line, "updates", _latex_note)
        lines.append(_latex_note(_after_step(result)))
    lines += [_latex_note(_check_text(check)) for check in result.checks]
    lines[-1] = lines[-1].removesuffix(r" \\")
    lines.append(r"\end{align*}")
    return "\n".join(lines)


# --- Markdown --------------------------------------------------------------


def _cell(text: str) -> str:
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`" if text else ""


def _markdown_table(
    header: Sequence[str], items: Sequence[T], row: Callable[[T], Sequence[str]], what: str
) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    first, last, hidden = _shown(items, MAX_ROWS)
    lines += ["| " + " | ".join(row(item)) + " |" for item in first]
    if hidden:
        lines.append("| " + _hidden(hidden, what) + " |" + " |" * (len(header) - 1))
    lines += ["| " + " | ".join(row(item)) + " |" for item in last]
    return lines


def markdown(result: Backprop) -> str:
    nodes = result.graph.nodes
    if result.program is None:
        lines = [f"**f** = {_cell(result.text.strip())} at {_point_text(result)}", ""]
    else:
        lines = [f"**Program** (output {_cell(result.output_name)}) at {_point_text(result)}", ""]
        lines += [f"    {statement}" for statement in _statements(result)] + [""]
    lines += [f"> Warning: {warning}\n" for warning in result.warnings]
    lines += [f"> Note: {note}\n" for note in result.notes]
    lines += ["**Forward pass** (topological order)", ""]

    def forward_row(index: int) -> list[str]:
        node = nodes[index]
        return [
            _cell(node.id), _op(node), _cell(_inputs(result, node)), _cell(node.label),
            _value(result, index),
        ]  # fmt: skip

    lines += _markdown_table(
        ["node", "op", "inputs", "expression", "value"], range(len(nodes)), forward_row, "nodes"
    )
    rounding = _rounding_note(result)
    if rounding is not None:
        lines += ["", f"> {rounding}"]
    lines += ["", f"**Backward pass** (reverse order; seed ∂{result.output_name}/∂output = 1)", ""]

    def backward_row(step: Contribution) -> list[str]:
        return [
            _cell(nodes[step.target].id), _cell(nodes[step.source].id),
            format_number(step.upstream), _cell(_local(step)),
            format_number(step.contribution), _accumulated(step),
        ]  # fmt: skip

    lines += _markdown_table(
        ["node", "from", "upstream", "local derivative", "contribution", "accumulated"],
        result.backward.contributions,
        backward_row,
        "rows",
    )
    lines.append("")
    if result.chain_rules:
        lines += [f"**{_CHAIN_HEADING}** ({_CHAIN_NOTE})", ""]
        lines += _limited(
            _chain_lines(result), lambda line: f"- {line}", "lines", lambda t: f"- {t}"
        )
        lines.append("")
    lines += [f"- Convention: {note}" for note in result.backward.conventions]
    lines.append(f"- {result.output_name} = {_value(result, result.graph.output)}")
    lines += _limited(
        list(result.gradients.items()),
        lambda item: f"- ∂{result.output_name}/∂{_cell(item[0])} = {format_number(item[1])}",
        "gradients",
        lambda text: f"- {text}",
    )
    if result.update is not None:
        lr = format_number(result.update.learning_rate)
        lines.append(f"- {_update_heading(result)}")
        lines += _limited(
            list(result.update.values.items()),
            lambda item: (
                f"- {_cell(item[0])}: {format_number(result.point[item[0]])} − {lr} × "
                f"{_signed(result.gradient(item[0]))} = {format_number(item[1])}"
            ),
            "updates",
            lambda text: f"- {text}",
        )
        lines.append(f"- {_after_step(result)}")
    marks = {True: "✓", False: "✗", None: "–"}
    lines += [f"- {marks[c.verified]} {c.method}: {c.detail}" for c in result.checks]
    return "\n".join(lines)


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
        fields = [_record(name), f"value {_value(result, index)}"]
        if result.backward.gradients[index] is not None:
            fields.append(f"grad {_grad_text(result, index)}")
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
