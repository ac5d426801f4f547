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


def _latex_number(value: float) -> str:
    text = format_number(value)
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
    shown = thin(len(descent.points), every)
    if len(shown) < len(descent.points):
        how = f"every {every}th" if every else "the first 10, evenly spaced rows, the last 5"
        parts.append(
            Text(
                f"showing {len(shown)} of {len(descent.points)} rows ({how}); "
                "--format json has them all",
                style=DIM,
            )
        )
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


def _columns(descent: Descent, verbose: bool) -> list[str]:
    names = list(descent.variables)
    wide = len(names) > 2
    columns = ["step"]
    columns += ["θ"] if wide else names
    columns += ["f"]
    columns += ["∇f"] if wide else [f"∂f/∂{n}" for n in names]
    columns += ["Δθ"] if wide else [f"Δ{n}" for n in names]
    if descent.schedule.name != "constant":
        columns.append("γ_t")
    if verbose:
        for state in descent.state_names:
            columns += [state] if wide else [f"{state}[{n}]" for n in names]
    return columns


def _row(descent: Descent, index: int, verbose: bool) -> list[str]:
    wide = len(descent.variables) > 2

    def cells(values: Sequence[float]) -> list[str]:
        shown = [format_number(v) for v in values]
        return ["(" + ", ".join(shown) + ")"] if wide else shown

    row = [str(index)]
    row += cells(descent.points[index])
    row.append(format_number(descent.values[index]))
    row += cells(descent.gradients[index])
    blank = [""] * (1 if wide else len(descent.variables))
    row += cells(descent.step_vector(index)) if index else blank
    if descent.schedule.name != "constant":
        row.append(format_number(descent.rates[index]) if index else "")
    if verbose:
        state = descent.states[index]
        for position in range(len(descent.state_names)):
            if index and position < len(state):
                row += cells(state[position])
            else:
                row += blank
    return row


def _table(descent: Descent, every: int | None, verbose: bool) -> Any:
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False, header_style=TITLE)
    for index, column in enumerate(_columns(descent, verbose)):
        table.add_column(column, justify="right", no_wrap=index == 0)
    for index in thin(len(descent.points), every):
        table.add_row(*_row(descent, index, verbose))
    return table


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
    }


# --- LaTeX -----------------------------------------------------------------


def latex(descent: Descent) -> str:
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
    start = latex_escape(_point_text(descent.variables, descent.points[0]))
    end = latex_escape(_point_text(descent.variables, descent.points[last]))
    lines.append(rf"&\text{{start: {start}}},\ f = {_latex_number(descent.values[0])} \\")
    lines.append(
        rf"&\text{{after {last} updates: {end}}},\ f = {_latex_number(descent.values[last])} \\"
    )
    lines.append(rf"&\text{{{latex_escape(descent.status + ': ' + descent.reason)}}}")
    lines.append(r"\end{align*}")
    return "\n".join(lines)


# --- Markdown --------------------------------------------------------------


def markdown(descent: Descent, every: int | None = None) -> str:
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
    names = descent.variables
    header = ["step", *names, "f", *[f"∂f/∂{n}" for n in names]]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---:|" * len(header))
    shown = thin(len(descent.points), every)
    for index in shown:
        cells = [
            str(index),
            *[format_number(v) for v in descent.points[index]],
            format_number(descent.values[index]),
            *[format_number(v) for v in descent.gradients[index]],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    if len(shown) < len(descent.points):
        lines.append(f"*Showing {len(shown)} of {len(descent.points)} rows.*")
        lines.append("")
    lines.append(f"**Status:** {descent.status} — {descent.reason}")
    lines.append("")
    lines.append(
        f"**Final** (after {last} updates): {_point_text(names, descent.points[last])}, "
        f"f = {format_number(descent.values[last])}"
    )
    return "\n".join(lines)


# --- Comparison of optimizers ------------------------------------------------


def compare_rich(runs: Sequence[Descent]) -> Any:
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
    for column in (
        "optimizer",
        "hyperparameters",
        "updates",
        "status",
        "final f",
        "final point",
        "|∇f|",
    ):
        table.add_column(
            column,
            justify="left"
            if column in ("optimizer", "hyperparameters", "status", "final point")
            else "right",
        )
    for run in runs:
        last = len(run.points) - 1
        table.add_row(
            run.optimizer,
            _hyper_text(run),
            str(last),
            Text(run.status, style=STATUS_STYLE[run.status]),
            format_number(run.values[last]),
            _point_text(run.variables, run.points[last]),
            f"{math.hypot(*run.gradients[last]):.3g}",
        )
    parts.append(table)
    parts.append(Text(""))
    for run in runs:
        parts.append(
            Text.assemble(
                (f"{run.optimizer}: ", TITLE),
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
    lines = [
        f"% mathml descend: {first.text} --compare {','.join(r.optimizer for r in runs)}",
        r"\begin{align*}",
        rf"{_function_head(first)} &= {to_latex(first.expression)} \\",
    ]
    for run in runs:
        last = len(run.points) - 1
        end = latex_escape(_point_text(run.variables, run.points[last]))
        lines.append(
            rf"&\text{{{run.optimizer}: {run.status} after {last} updates at {end}}},\ "
            rf"f = {_latex_number(run.values[last])} \\"
        )
    lines[-1] = lines[-1].removesuffix(r" \\")
    lines.append(r"\end{align*}")
    return "\n".join(lines)


def compare_markdown(runs: Sequence[Descent]) -> str:
    first = runs[0]
    lines = [
        f"**Function:** ${_function_head(first)} = {to_latex(first.expression)}$",
        "",
        "| optimizer | hyperparameters | updates | status | final f | final point |",
        "|---|---|---:|---|---:|---|",
    ]
    for run in runs:
        last = len(run.points) - 1
        lines.append(
            f"| {run.optimizer} | {_hyper_text(run)} | {last} | {run.status} | "
            f"{format_number(run.values[last])} | {_point_text(run.variables, run.points[last])} |"
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


def path_plot(descent: Descent) -> str:
    """For one variable the curve with the path on it; for two, a heat map with the path."""
    if len(descent.variables) == 1:
        return _curve_plot(descent)
    if len(descent.variables) == 2:
        return heat_map(descent)
    return ""


def _curve_plot(descent: Descent) -> str:
    from mathml_cli.core.expr import sample
    from mathml_cli.render.plot import Series, line_plot

    xs = [p[0] for p in descent.points if math.isfinite(p[0])]
    low, high = _padded(min(xs), max(xs))
    grid, curve = sample(descent.expression, descent.variables[0], low, high)
    shown = thin(len(descent.points), None, head=5, tail=3, middle=30)
    path = Series(
        "path",
        [descent.points[i][0] for i in shown],
        [descent.values[i] for i in shown],
        style="scatter",
    )
    return line_plot(
        [Series("f", grid, curve), path],
        title="f and the descent path",
        xlabel=descent.variables[0],
    )


def _padded(low: float, high: float) -> tuple[float, float]:
    span = high - low
    margin = 0.15 * span if span > 0 else max(1.0, abs(low) * 0.5)
    return low - margin, high + margin


SHADES = " .:-=+*#%@"


def heat_map(descent: Descent, width: int = 64, height: int = 22) -> str:
    """f as shades (light = low) over the box around the path, the path as •, S start, E end."""
    finite = [p for p in descent.points if all(math.isfinite(c) for c in p)]
    x_low, x_high = _padded(min(p[0] for p in finite), max(p[0] for p in finite))
    y_low, y_high = _padded(min(p[1] for p in finite), max(p[1] for p in finite))
    xs = [x_low + (x_high - x_low) * (i + 0.5) / width for i in range(width)]
    ys = [y_high - (y_high - y_low) * (j + 0.5) / height for j in range(height)]
    values = grid_values(descent, xs, ys)
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

    for point in finite:
        place(point, "•")
    place(finite[-1], "E")
    place(finite[0], "S")
    x_name, y_name = descent.variables
    lines = [
        f"f over {x_name} ∈ [{x_low:.3g}, {x_high:.3g}] (left to right), "
        f"{y_name} ∈ [{y_low:.3g}, {y_high:.3g}] (bottom to top)"
    ]
    lines.append("shades: light = low f, dark = high f;  • path, S start, E end")
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
