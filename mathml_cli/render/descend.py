"""Renderings of a `Descent` (and of a comparison of several): Rich text, JSON, LaTeX, Markdown,
plus the terminal plots: loss per step, the 1-D curve with the path, the 2-D heat map."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from mathml_cli.core.descend import PRESETS, Descent, grid_values, thin
from mathml_cli.core.expr import to_latex, to_text
from mathml_cli.core.optimizers import HYPERPARAMETERS
from mathml_cli.render.common import (
    BAD,
    DIM,
    FORMULA,
    GOOD,
    NOTE,
    RESULT,
    TITLE,
    format_number,
    latex_escape,
)

STATUS_STYLE = {"converged": GOOD, "max_steps": NOTE, "diverged": BAD, "undefined": BAD}


def _hyper_text(descent: Descent) -> str:
    parts = []
    for key, value in descent.hyperparameters.items():
        spec = HYPERPARAMETERS[key]
        if spec.flag:
            parts.append(f"{spec.symbol} = {'on' if value else 'off'}")
        else:
            parts.append(f"{spec.symbol} = {float(value):g}")
    return ", ".join(parts)


def _hyper_latex(descent: Descent) -> str:
    parts = []
    for key, value in descent.hyperparameters.items():
        spec = HYPERPARAMETERS[key]
        if spec.flag:
            parts.append(rf"\text{{{spec.key}}} = \text{{{'on' if value else 'off'}}}")
        else:
            parts.append(f"{spec.latex} = {_latex_number(float(value))}")
    return ",\\ ".join(parts)


def _latex_number(value: float, digits: int = 6) -> str:
    if math.isnan(value):
        return r"\text{undefined}"
    if math.isinf(value):
        return r"\infty" if value > 0 else r"-\infty"
    text = format_number(value, digits)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def _point_text(names: Sequence[str], values: Sequence[float]) -> str:
    return ", ".join(f"{n} = {format_number(v)}" for n, v in zip(names, values, strict=True))


def _function_head(descent: Descent) -> str:
    return f"f({', '.join(descent.variables)})"


def _schedule_text(descent: Descent) -> str | None:
    formula = descent.schedule.formula()
    if formula is None:
        return None
    values = ", ".join(f"{k} = {v:g}" for k, v in descent.schedule.symbols().items())
    return f"{formula[0]}   with {values}"


# --- Rich text -------------------------------------------------------------


def rich(descent: Descent, every: int | None = None, verbose: bool = False) -> Any:
    from rich.console import Group
    from rich.text import Text

    parts: list[Any] = [*_header(descent), Text("")]
    parts.append(_table(descent, every, verbose))
    note = _thinning_note(descent, every)
    if note:
        parts.append(Text(f"{note}; --format json has them all", style=DIM))
    parts.append(Text(""))
    parts.extend(_ending(descent))
    return Group(*parts)


def _header(descent: Descent) -> list[Any]:
    from rich.text import Text

    lines: list[Any] = [
        Text.assemble((f"{_function_head(descent)} = ", TITLE), to_text(descent.expression))
    ]
    if descent.preset:
        lines.append(
            Text(f"  (preset {descent.preset}: {PRESETS[descent.preset].note})", style=DIM)
        )
    names = ", ".join(f"∂f/∂{v}" for v in descent.variables)
    values = ", ".join(to_text(d) for d in descent.gradient)
    label = f"∇f = ({names}) = " if len(descent.variables) > 1 else f"df/d{descent.variables[0]} = "
    lines.append(
        Text.assemble(
            (label, TITLE), (f"({values})" if len(descent.variables) > 1 else values, RESULT)
        )
    )
    lines.append(Text(""))
    lines.append(
        Text.assemble(
            ("Update rule: ", TITLE),
            f"{descent.optimizer} (torch.optim.{descent.torch_name}, PyTorch 2.13)",
        )
    )
    for line in descent.rule:
        lines.append(Text(f"  {line.text}", style=FORMULA))
    lines.append(Text(f"  with {_hyper_text(descent)}"))
    schedule = _schedule_text(descent)
    if schedule:
        lines.append(
            Text(f"  learning rate schedule ({descent.schedule.name}): {schedule}", style=FORMULA)
        )
        lines.append(Text("  (γ_t replaces γ in update t)", style=DIM))
    return lines


# A table cell: the step number, a number, a vector (one cell when f has more
# than two variables), or blank (the start has no step, rate or state).
Cell = int | float | tuple[float, ...] | None

TABLE_DIGITS = 4
_STATE_LATEX = {"g_ave": "g^{ave}", "v_max": "v^{max}"}


def _wide(descent: Descent) -> bool:
    return len(descent.variables) > 2


def _columns(descent: Descent, verbose: bool, compact: bool = False) -> list[tuple[str, str]]:
    """The table's columns as (text, LaTeX) headers. `compact` makes the step and the
    optimizer state one vector column each (for the page width of LaTeX)."""
    names = list(descent.variables)
    wide = _wide(descent)

    def per_variable(text: str, latex: str, vector: bool = False) -> list[tuple[str, str]]:
        if wide or vector:
            return [(text.format("θ"), latex.format(r"\theta"))]
        return [(text.format(n), latex.format(n)) for n in names]

    columns = [("step", r"\text{step}")]
    columns += per_variable("{}", "{}")
    columns += [("f", "f")]
    columns += [("∇f", r"\nabla f")] if wide else per_variable("∂f/∂{}", r"\partial f/\partial {}")
    columns += per_variable("Δ{}", r"\Delta {}", vector=compact)
    if descent.schedule.name != "constant":
        columns.append(("γ_t", r"\gamma_t"))
    if verbose:
        for state in descent.state_names:
            symbol = _STATE_LATEX.get(state, state)
            if wide or compact:
                columns.append((state, symbol))
            else:
                columns += [(f"{state}[{n}]", f"{symbol}[{n}]") for n in names]
    return columns


def _row(descent: Descent, index: int, verbose: bool, compact: bool = False) -> list[Cell]:
    wide = _wide(descent)

    def cells(values: Sequence[float] | None, vector: bool = False) -> list[Cell]:
        one = wide or vector
        if values is None:
            return [None] if one else [None] * len(descent.variables)
        return [tuple(values)] if one else list(values)

    row: list[Cell] = [index]
    row += cells(descent.points[index])
    row.append(descent.values[index])
    row += cells(descent.gradients[index])
    row += cells(descent.step_vector(index) if index else None, vector=compact)
    if descent.schedule.name != "constant":
        row.append(descent.rates[index] if index else None)
    if verbose:
        state = descent.states[index]
        for position in range(len(descent.state_names)):
            row += cells(
                state[position] if index and position < len(state) else None, vector=compact
            )
    return row


def _cell_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, tuple):
        return "(" + ", ".join(format_number(v) for v in cell) + ")"
    return format_number(cell)


def _cell_latex(cell: Cell) -> str:
    """A cell for the printed table: 4 significant digits (JSON has them all)."""
    if cell is None:
        return ""
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, tuple):
        # A column vector keeps a cell narrow however many variables f has.
        entries = r" \\ ".join(_latex_number(v, TABLE_DIGITS) for v in cell)
        return rf"\left(\begin{{smallmatrix}} {entries} \end{{smallmatrix}}\right)"
    return _latex_number(cell, TABLE_DIGITS)


def _table(descent: Descent, every: int | None, verbose: bool) -> Any:
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False, header_style=TITLE)
    for index, (column, _) in enumerate(_columns(descent, verbose)):
        table.add_column(column, justify="right", no_wrap=index == 0, overflow="fold")
    for index in thin(len(descent.points), every):
        table.add_row(*[_cell_text(cell) for cell in _row(descent, index, verbose)])
    return table


def _thinning_note(descent: Descent, every: int | None) -> str | None:
    """ "showing N of M rows (how)", or None when every row is shown."""
    shown = len(thin(len(descent.points), every))
    total = len(descent.points)
    if shown == total:
        return None
    if every:
        how = f"every {every}th" + (" and the last" if (total - 1) % every else "")
    else:
        how = "the first 10, every k-th, the last 5"
    return f"showing {shown} of {total} rows ({how})"


def _ending(descent: Descent) -> list[Any]:
    from rich.text import Text

    last = len(descent.points) - 1
    lines: list[Any] = [
        Text.assemble(
            ("Status: ", TITLE),
            (descent.status, STATUS_STYLE[descent.status]),
            f" — {descent.reason}",
        ),
        Text.assemble(
            ("Final: ", TITLE),
            f"after {last} update{'s' if last != 1 else ''}: ",
            (_point_text(descent.variables, descent.points[last]), RESULT),
            ", f = ",
            (format_number(descent.values[last]), RESULT),
        ),
    ]
    if descent.preset:
        preset = PRESETS[descent.preset]
        minima = "; ".join(
            _point_text(descent.variables, [m[v] for v in descent.variables]) for m in preset.minima
        )
        lines.append(
            Text(
                f"  (the minim{'a are' if len(preset.minima) > 1 else 'um is'} at {minima}, "
                f"f = {preset.minimum_value:g})",
                style=DIM,
            )
        )
    return lines


# --- JSON ------------------------------------------------------------------


def _vector(names: Sequence[str], values: Sequence[float]) -> dict[str, float]:
    return {name: float(value) for name, value in zip(names, values, strict=True)}


def iteration_data(descent: Descent, index: int) -> dict[str, Any]:
    names = descent.variables
    item: dict[str, Any] = {
        "step": index,
        "point": _vector(names, descent.points[index]),
        "value": descent.values[index],
        "gradient": _vector(names, descent.gradients[index]),
    }
    if index:
        item["step_taken"] = _vector(names, descent.step_vector(index))
        item["lr"] = descent.rates[index]
        state = descent.states[index]
        item["state"] = {
            name: _vector(names, values)
            for name, values in zip(descent.state_names, state, strict=False)
        }
    return item


def data(descent: Descent) -> dict[str, Any]:
    last = len(descent.points) - 1
    curvature = descent.curvature
    oscillation = descent.oscillation
    return {
        "status": descent.status,
        "reason": descent.reason,
        "optimizer": descent.optimizer,
        "torch_optimizer": f"torch.optim.{descent.torch_name}",
        "hyperparameters": dict(descent.hyperparameters),
        "schedule": {"name": descent.schedule.name, **descent.schedule.parameters},
        "expression": to_text(descent.expression),
        "preset": descent.preset,
        "variables": list(descent.variables),
        "gradient": {
            name: to_text(d) for name, d in zip(descent.variables, descent.gradient, strict=True)
        },
        "update_rule": [line.text for line in descent.rule],
        "max_steps": descent.max_steps,
        "tol": descent.tol,
        "steps": last,
        "iterations": [iteration_data(descent, index) for index in range(len(descent.points))],
        "final": iteration_data(descent, last),
        "curvature": (
            {
                "largest_eigenvalue": curvature.largest_eigenvalue,
                "lr_bound": curvature.bound,
                "suggested_lr": curvature.suggested_lr,
            }
            if curvature
            else None
        ),
        "oscillation": (
            {
                "variable": oscillation.variable,
                "from_step": oscillation.from_step,
                "length": oscillation.length,
            }
            if oscillation
            else None
        ),
        "nondifferentiable": (
            {"step": descent.kink.step, "where": descent.kink.where} if descent.kink else None
        ),
    }


# --- LaTeX -----------------------------------------------------------------


def latex(descent: Descent, every: int | None = None, verbose: bool = False) -> str:
    """The align* fragment (f, ∇f, the rule, start and end), then the thinned iteration
    table as an array in display math and the status as a paragraph: amsmath only."""
    last = len(descent.points) - 1
    gradient = ", ".join(to_latex(d) for d in descent.gradient)
    lines = [
        f"% mathml descend: {descent.text} --optimizer {descent.optimizer}",
        r"\begin{align*}",
        rf"{_function_head(descent)} &= {to_latex(descent.expression)} \\",
        rf"\nabla f &= \left({gradient}\right) \\",
    ]
    lines += [rf"{line.latex} \\" for line in descent.rule]
    lines.append(rf"&\text{{with }} {_hyper_latex(descent)} \\")
    formula = descent.schedule.formula()
    if formula:
        lines.append(rf"{formula[1]} \\")
    start = _latex_point(descent.variables, descent.points[0])
    end = _latex_point(descent.variables, descent.points[last])
    lines.append(rf"&\text{{start: }} {start},\ f = {_latex_number(descent.values[0])} \\")
    lines.append(
        rf"&\text{{after {last} update{'s' if last != 1 else ''}: }} {end},\ "
        rf"f = {_latex_number(descent.values[last])}"
    )
    lines.append(r"\end{align*}")
    lines += _latex_table(descent, every, verbose)
    note = _thinning_note(descent, every)
    if note:
        lines.append(rf"\noindent\emph{{{_latex_prose(note)}; the JSON output has them all.}}")
        lines.append("")
    lines.append(
        rf"\noindent\textbf{{Status: {_latex_prose(descent.status)}}} --- "
        f"{_latex_prose(descent.reason)}"
    )
    return "\n".join(lines)


def _latex_table(descent: Descent, every: int | None, verbose: bool) -> list[str]:
    """The thinned table as arrays in small type (the optimizer state, with --verbose, in a
    second array so that neither runs off the page)."""
    columns = _columns(descent, verbose, compact=True)
    shown = thin(len(descent.points), every)
    rows = [
        [_cell_latex(cell) for cell in _row(descent, index, verbose, compact=True)]
        for index in shown
    ]
    split = len(_columns(descent, verbose=False, compact=True))
    parts = [(columns[:split], [row[:split] for row in rows])]
    if verbose and len(columns) > split:
        parts.append((columns[:1] + columns[split:], [row[:1] + row[split:] for row in rows]))
    lines = [r"\begingroup\footnotesize\setlength{\arraycolsep}{4pt}"]
    for headers, body in parts:
        lines += [
            r"\[",
            r"\begin{array}{" + "r" * len(headers) + "}",
            " & ".join(latex for _, latex in headers) + r" \\",
            r"\hline",
        ]
        lines += [" & ".join(cells) + r" \\" for cells in body]
        lines += [r"\end{array}", r"\]"]
    lines.append(r"\endgroup")
    return lines


def _latex_point(names: Sequence[str], values: Sequence[float]) -> str:
    return ",\\ ".join(
        f"{name} = {_latex_number(value)}" for name, value in zip(names, values, strict=True)
    )


_PROSE_LATEX = {
    "∇": r"$\nabla$",
    "|": r"$|$",
    "<": r"$<$",
    ">": r"$>$",
    "≥": r"$\geq$",
    "≤": r"$\leq$",
    "γ": r"$\gamma$",
    "—": "---",
    "−": "-",
}


def _latex_prose(text: str) -> str:
    """Plain text for a LaTeX paragraph: escaped, symbols in math mode, and `--tol` kept as
    two hyphens rather than an en dash."""
    escaped = latex_escape(text)
    out = []
    for position, char in enumerate(escaped):
        if char == "-" and escaped[position + 1 : position + 2] == "-":
            out.append("-{}")
        else:
            out.append(_PROSE_LATEX.get(char, char))
    return "".join(out)


# --- Markdown --------------------------------------------------------------


def markdown(descent: Descent, every: int | None = None, verbose: bool = False) -> str:
    last = len(descent.points) - 1
    gradient = ", ".join(to_latex(d) for d in descent.gradient)
    lines = [
        f"**Function:** ${_function_head(descent)} = {to_latex(descent.expression)}$",
        "",
        f"**Gradient:** $\\nabla f = \\left({gradient}\\right)$",
        "",
        f"**Update rule** ({descent.optimizer}, `torch.optim.{descent.torch_name}`):",
        "",
    ]
    lines += [f"- ${line.latex.replace('&', '')}$" for line in descent.rule]
    formula = descent.schedule.formula()
    if formula:
        lines.append(f"- ${formula[1].replace('&', '')}$")
    lines += ["", f"with ${_hyper_latex(descent)}$", ""]
    columns = _columns(descent, verbose)
    lines.append("| " + " | ".join(f"${latex}$" for _, latex in columns) + " |")
    lines.append("|" + "---:|" * len(columns))
    for index in thin(len(descent.points), every):
        cells = [_cell_text(cell) for cell in _row(descent, index, verbose)]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    note = _thinning_note(descent, every)
    if note:
        lines.append(f"*{note[0].upper()}{note[1:]}; `--format json` has them all.*")
        lines.append("")
    lines.append(f"**Status:** {descent.status} — {_markdown_escape(descent.reason)}")
    lines.append("")
    names = descent.variables
    lines.append(
        f"**Final** (after {last} update{'s' if last != 1 else ''}): "
        f"{_point_text(names, descent.points[last])}, f = {format_number(descent.values[last])}"
    )
    return "\n".join(lines)


def _markdown_escape(text: str) -> str:
    """Reasons contain |∇f| and `*`: keep them from becoming table pipes or emphasis."""
    return "".join("\\" + char if char in "|*`" else char for char in text)


# --- Comparison of optimizers ------------------------------------------------


def compare_rich(runs: Sequence[Descent]) -> Any:
    """One summary row per optimizer, narrow enough for 100 columns; the hyperparameters and
    how each run ended go on lines under the table."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    first = runs[0]
    parts: list[Any] = [_header_common(first)]
    parts.append(
        Text(
            f"Start: {_point_text(first.variables, first.points[0])}, "
            f"f = {format_number(first.values[0])}"
        )
    )
    parts.append(Text(""))
    table = Table(show_edge=False, pad_edge=False, header_style=TITLE)
    point_header = f"final ({', '.join(first.variables)})"
    for column in ("optimizer", "γ", "updates", "status", "final f", point_header, "|∇f|"):
        left = column in ("optimizer", "status", point_header)
        table.add_column(
            column, justify="left" if left else "right", no_wrap=column != point_header
        )
    for run in runs:
        last = len(run.points) - 1
        table.add_row(
            run.optimizer,
            f"{float(run.hyperparameters['lr']):g}",
            str(last),
            Text(run.status, style=STATUS_STYLE[run.status]),
            format_number(run.values[last]),
            _cell_text(tuple(run.points[last])),
            f"{math.hypot(*run.gradients[last]):.3g}",
        )
    parts.append(table)
    parts.append(Text(""))
    width = max(len(run.optimizer) for run in runs)
    parts.append(Text("Hyperparameters:", style=TITLE))
    for run in runs:
        parts.append(Text(f"  {run.optimizer:<{width}}  {_hyper_text(run)}"))
    parts.append(Text(""))
    parts.append(Text("How each run ended:", style=TITLE))
    for run in runs:
        parts.append(
            Text.assemble(
                f"  {run.optimizer:<{width}}  ",
                (run.status, STATUS_STYLE[run.status]),
                f" — {run.reason}",
            )
        )
    return Group(*parts)


def _header_common(descent: Descent) -> Any:
    from rich.console import Group

    return Group(*_header(descent)[:3])


def compare_data(runs: Sequence[Descent]) -> dict[str, Any]:
    first = runs[0]
    return {
        "expression": to_text(first.expression),
        "preset": first.preset,
        "variables": list(first.variables),
        "gradient": {n: to_text(d) for n, d in zip(first.variables, first.gradient, strict=True)},
        "compare": [run.optimizer for run in runs],
        "runs": [data(run) for run in runs],
    }


def compare_latex(runs: Sequence[Descent]) -> str:
    first = runs[0]
    point = ", ".join(first.variables)
    lines = [
        f"% mathml descend: {first.text} --compare {','.join(r.optimizer for r in runs)}",
        r"\begin{align*}",
        rf"{_function_head(first)} &= {to_latex(first.expression)} \\",
        rf"&\text{{start: }} {_latex_point(first.variables, first.points[0])},\ "
        rf"f = {_latex_number(first.values[0])}",
        r"\end{align*}",
        r"\begingroup\footnotesize\setlength{\arraycolsep}{4pt}",
        r"\[",
        r"\begin{array}{lrrlrrr}",
        rf"\text{{optimizer}} & \gamma & \text{{updates}} & \text{{status}} & f "
        rf"& ({point}) & \lVert\nabla f\rVert \\",
        r"\hline",
    ]
    for run in runs:
        last = len(run.points) - 1
        lines.append(
            rf"\text{{{run.optimizer}}} & {_latex_number(float(run.hyperparameters['lr']))} "
            rf"& {last} & \text{{{latex_escape(run.status)}}} "
            rf"& {_cell_latex(run.values[last])} & {_cell_latex(tuple(run.points[last]))} "
            rf"& {_cell_latex(math.hypot(*run.gradients[last]))} \\"
        )
    lines += [r"\end{array}", r"\]", r"\endgroup"]
    for run in runs:
        lines.append(
            rf"\noindent\textbf{{{run.optimizer}}} (${_hyper_latex(run)}$): "
            rf"{_latex_prose(run.status)} --- {_latex_prose(run.reason)}"
        )
        lines.append("")
    return "\n".join(lines).rstrip("\n")


def compare_markdown(runs: Sequence[Descent]) -> str:
    first = runs[0]
    point = ", ".join(first.variables)
    lines = [
        f"**Function:** ${_function_head(first)} = {to_latex(first.expression)}$",
        "",
        f"**Start:** {_point_text(first.variables, first.points[0])}, "
        f"f = {format_number(first.values[0])}",
        "",
        f"| optimizer | γ | updates | status | final f | final ({point}) | \\|∇f\\| |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for run in runs:
        last = len(run.points) - 1
        lines.append(
            f"| {run.optimizer} | {float(run.hyperparameters['lr']):g} | {last} | "
            f"{run.status} | {format_number(run.values[last])} | "
            f"{_cell_text(tuple(run.points[last]))} | "
            f"{math.hypot(*run.gradients[last]):.3g} |"
        )
    lines.append("")
    for run in runs:
        lines.append(
            f"- **{run.optimizer}** (${_hyper_latex(run)}$): {run.status} — "
            f"{_markdown_escape(run.reason)}"
        )
    return "\n".join(lines)


# --- Plots -------------------------------------------------------------------


def _log_scale(values: Sequence[float]) -> bool:
    finite = [v for v in values if math.isfinite(v)]
    return bool(finite) and min(finite) > 0 and max(finite) / min(finite) >= 100


def loss_plot(runs: Sequence[Descent]) -> str:
    from mathml_cli.render.plot import Series, line_plot

    series = [
        Series(
            run.optimizer if len(runs) > 1 else "f", list(range(len(run.values))), list(run.values)
        )
        for run in runs
    ]
    everything = [v for run in runs for v in run.values]
    log_y = _log_scale(everything)
    title = "loss f per step" + (" (log scale)" if log_y else "")
    return line_plot(series, title=title, xlabel="step", log_y=log_y)


def path_plot(runs: Sequence[Descent]) -> str:
    """For one variable the curve with the path(s) on it; for two, a heat map with the
    path(s); for more, nothing."""
    variables = len(runs[0].variables)
    if variables == 1:
        return _curve_plot(runs)
    if variables == 2:
        return heat_map(runs)
    return ""


def _curve_plot(runs: Sequence[Descent]) -> str:
    from mathml_cli.core.expr import sample
    from mathml_cli.render.plot import Series, line_plot

    first = runs[0]
    xs = [p[0] for run in runs for p in run.points if math.isfinite(p[0])]
    low, high = _padded(min(xs), max(xs))
    grid, curve = sample(first.expression, first.variables[0], low, high)
    series = [Series("f", grid, curve)]
    for run in runs:
        shown = thin(len(run.points), None, head=5, tail=3, middle=30)
        series.append(
            Series(
                f"{run.optimizer} path" if len(runs) > 1 else "path",
                [run.points[i][0] for i in shown],
                [run.values[i] for i in shown],
                style="scatter",
            )
        )
    return line_plot(series, title="f and the descent path", xlabel=first.variables[0])


def _padded(low: float, high: float) -> tuple[float, float]:
    span = high - low
    margin = 0.15 * span if span > 0 else max(1.0, abs(low) * 0.5)
    return low - margin, high + margin


SHADES = " .:-=+*#%@"


def heat_map(runs: Sequence[Descent], width: int = 64, height: int = 22) -> str:
    """f as shades (light = low) over the box around the path(s); one run's path as •, several
    runs' as 1, 2, 3, ...; S marks the start, E an end."""
    paths = [[p for p in run.points if all(math.isfinite(c) for c in p)] for run in runs]
    finite = [p for path in paths for p in path]
    x_low, x_high = _padded(min(p[0] for p in finite), max(p[0] for p in finite))
    y_low, y_high = _padded(min(p[1] for p in finite), max(p[1] for p in finite))
    xs = [x_low + (x_high - x_low) * (i + 0.5) / width for i in range(width)]
    ys = [y_high - (y_high - y_low) * (j + 0.5) / height for j in range(height)]
    values = grid_values(runs[0], xs, ys)
    flat = sorted(v for row in values for v in row if math.isfinite(v))
    cells = [[" "] * width for _ in range(height)]
    if flat:
        # Shades by rank (quantiles), so a huge range still shows its contours.
        for j, row in enumerate(values):
            for i, v in enumerate(row):
                if math.isfinite(v):
                    rank = _rank(flat, v)
                    cells[j][i] = SHADES[min(len(SHADES) - 1, int(rank * len(SHADES)))]

    def place(point: Sequence[float], mark: str) -> None:
        i = int((point[0] - x_low) / (x_high - x_low) * width)
        j = int((y_high - point[1]) / (y_high - y_low) * height)
        if 0 <= i < width and 0 <= j < height:
            cells[j][i] = mark

    marks = ["•"] if len(runs) == 1 else [str(n % 10) for n in range(1, len(runs) + 1)]
    for path, mark in zip(paths, marks, strict=True):
        for point in path:
            place(point, mark)
    for path in paths:
        place(path[-1], "E")
    place(paths[0][0], "S")
    x_name, y_name = runs[0].variables
    legend = (
        "• path"
        if len(runs) == 1
        else ", ".join(f"{mark} {run.optimizer}" for mark, run in zip(marks, runs, strict=True))
    )
    lines = [
        f"f over {x_name} ∈ [{x_low:.3g}, {x_high:.3g}] (left to right), "
        f"{y_name} ∈ [{y_low:.3g}, {y_high:.3g}] (bottom to top)",
        "shades: light = low f, dark = high f",
        f"{legend}; S start, E end",
    ]
    border = "+" + "-" * width + "+"
    lines.append(border)
    lines += ["|" + "".join(row) + "|" for row in cells]
    lines.append(border)
    return "\n".join(lines) + "\n"


def _rank(ordered: Sequence[float], value: float) -> float:
    from bisect import bisect_left

    return bisect_left(ordered, value) / len(ordered)


# --- The presets (--list) ---------------------------------------------------


def presets_rich() -> Any:
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False, header_style=TITLE)
    for column in ("preset", "f(x, y)", "default start", "minimum"):
        table.add_column(column)
    for preset in PRESETS.values():
        minima = "; ".join(_point_text(list(m), list(m.values())) for m in preset.minima)
        table.add_row(
            preset.name,
            preset.formula,
            _point_text(list(preset.start), list(preset.start.values())),
            f"f = {preset.minimum_value:g} at {minima}",
        )
    return table


def presets_data() -> dict[str, Any]:
    return {
        "presets": [
            {
                "name": p.name,
                "formula": p.formula,
                "start": p.start,
                "minima": list(p.minima),
                "minimum_value": p.minimum_value,
                "note": p.note,
            }
            for p in PRESETS.values()
        ]
    }


def presets_latex() -> str:
    from mathml_cli.core.expr import parse_expression

    lines = [r"\begin{align*}"]
    for p in PRESETS.values():
        lines.append(rf"\text{{{p.name}}}: f &= {to_latex(parse_expression(p.formula))} \\")
    lines[-1] = lines[-1].removesuffix(r" \\")
    lines.append(r"\end{align*}")
    return "\n".join(lines)


def presets_markdown() -> str:
    lines = ["| preset | f(x, y) | default start | minimum |", "|---|---|---|---|"]
    for p in PRESETS.values():
        minima = "; ".join(_point_text(list(m), list(m.values())) for m in p.minima)
        start = _point_text(list(p.start), list(p.start.values()))
        lines.append(
            f"| {p.name} | `{p.formula}` | {start} | f = {p.minimum_value:g} at {minima} |"
        )
    return "\n".join(lines)
