"""`mathml descend` as a View (every format but JSON) and as JSON data: one run, a
comparison of optimizers (--compare), and the presets (--list), with their plots."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from mathml_cli.core.descend import PRESETS, Descent, grid_values, thin
from mathml_cli.core.expr import to_text
from mathml_cli.core.optimizers import HYPERPARAMETERS
from mathml_cli.render import view as v
from mathml_cli.render.common import latex_of, math_of

STATUS_ROLE: dict[str, v.Role] = {
    "converged": "good",
    "max_steps": "note",
    "diverged": "bad",
    "undefined": "bad",
}
# A vector cell (f of more than two variables) writes its numbers to 4 significant digits.
TABLE_DIGITS = 4
_STATE_LATEX = {"g_ave": "g^{ave}", "v_max": "v^{max}"}


def _hyperparameters(descent: Descent) -> v.Math:
    text: list[str] = []
    latex: list[str] = []
    for key, value in descent.hyperparameters.items():
        spec = HYPERPARAMETERS[key]
        if spec.flag:
            state = "on" if value else "off"
            text.append(f"{spec.symbol} = {state}")
            latex.append(rf"{v.text_latex(spec.key)} = \text{{{state}}}")
        else:
            text.append(f"{spec.symbol} = {float(value):g}")
            latex.append(f"{spec.latex} = {v.number_latex(float(value))}")
    return v.Math(", ".join(text), r",\ ".join(latex))


def _point(names: Sequence[str], values: Sequence[float], role: v.Role | None = None) -> v.Math:
    return v.Math(
        ", ".join(f"{n} = {v.number(x)}" for n, x in zip(names, values, strict=True)),
        r",\ ".join(
            f"{v.name_latex(n)} = {v.number_latex(x)}" for n, x in zip(names, values, strict=True)
        ),
        role,
    )


def _function(descent: Descent) -> v.Line:
    names = descent.variables
    head = v.Math(
        f"f({', '.join(names)}) = ",
        "f(" + ", ".join(v.name_latex(n) for n in names) + ") =",
        "strong",
    )
    return (head, math_of(descent.expression))


def _gradient(descent: Descent) -> v.Line:
    names = descent.variables
    results = [math_of(d) for d in descent.gradient]
    if len(names) == 1:
        name = names[0]
        label = v.Math(f"df/d{name} = ", rf"\frac{{d f}}{{d {v.name_latex(name)}}} =", "strong")
        return (label, v.Math(results[0].text, results[0].latex, "result"))
    partials = ", ".join(f"∂f/∂{n}" for n in names)
    partials_latex = ", ".join(rf"\frac{{\partial f}}{{\partial {v.name_latex(n)}}}" for n in names)
    label = v.Math(
        f"∇f = ({partials}) = ", rf"\nabla f = \left({partials_latex}\right) =", "strong"
    )
    return (
        label,
        v.Math(
            "(" + ", ".join(r.text for r in results) + ")",
            r"\left(" + ", ".join(r.latex for r in results) + r"\right)",
            "result",
        ),
    )


def _header(descent: Descent) -> list[v.Block]:
    blocks: list[v.Block] = [v.Paragraph(_function(descent))]
    if descent.preset:
        blocks.append(
            v.Note((f"(preset {descent.preset}: {PRESETS[descent.preset].note})",), indent=1)
        )
    blocks.append(v.Paragraph(_gradient(descent)))
    rule: list[v.Block] = [
        v.Paragraph(
            (
                v.Span("Update rule: "),
                f"{descent.optimizer} (torch.optim.{descent.torch_name}, PyTorch 2.13)",
            )
        )
    ]
    rule += [v.Formula(line.text, line.latex.replace("&", "")) for line in descent.rule]
    rule.append(v.Paragraph(("with ", _hyperparameters(descent)), indent=1))
    formula = descent.schedule.formula()
    if formula is not None:
        symbols = descent.schedule.symbols()
        values = v.Math(
            ", ".join(f"{k} = {x:g}" for k, x in symbols.items()),
            r",\ ".join(f"{_symbol_latex(k)} = {v.number_latex(x)}" for k, x in symbols.items()),
        )
        rule.append(
            v.Paragraph(
                (
                    f"learning rate schedule ({descent.schedule.name}): ",
                    v.Math(formula[0], formula[1].replace("&", ""), "formula"),
                    "   with ",
                    values,
                ),
                indent=1,
            )
        )
        rule.append(v.Note(("(γ_t replaces γ in update t)",), indent=1))
    blocks.append(v.Section(None, tuple(rule)))
    return blocks


def _symbol_latex(symbol: str) -> str:
    return {"Γ": r"\Gamma", "γ": r"\gamma", "η": r"\eta"}.get(symbol, v.name_latex(symbol))


def view(
    descent: Descent, *, every: int | None = None, verbose: bool = False, plot: bool = False
) -> v.View:
    """f, its gradient and the update rule, the (thinned) iterations, how the run ended."""
    blocks = _header(descent)
    table: list[v.Block] = [_table(descent, every, verbose)]
    note = _thinning_note(descent, every)
    if note:
        table.append(v.Note((f"{note}; --format json has them all",)))
    blocks.append(v.Section(None, tuple(table)))
    blocks.append(v.Section(None, tuple(_ending(descent))))
    if plot:
        blocks.extend(plots([descent]))
    source = f"mathml descend: {descent.text} --optimizer {descent.optimizer}"
    return v.View(source, tuple(blocks), source)


def _wide(descent: Descent) -> bool:
    return len(descent.variables) > 2


def _columns(descent: Descent, verbose: bool) -> list[v.Column]:
    """One column per variable for up to two variables, one vector column beyond."""
    names = list(descent.variables)
    wide = _wide(descent)

    def per_variable(text: str, latex: str, droppable: bool) -> list[v.Column]:
        if wide:
            return [
                v.Column(v.Math(text.format("θ"), latex.format(r"\theta")), droppable=droppable)
            ]
        return [
            v.Column(v.Math(text.format(n), latex.format(v.name_latex(n))), droppable=droppable)
            for n in names
        ]

    columns = [v.Column("step", format="integer")]
    columns += per_variable("{}", "{}", False)
    columns.append(v.Column(v.Math("f", "f"), role="result"))
    if wide:
        columns.append(v.Column(v.Math("∇f", r"\nabla f"), droppable=True))
    else:
        # ∂ for a function of several variables, d for a function of one (as df/dx above).
        d, d_latex = ("∂", r"\partial") if len(names) > 1 else ("d", "d")
        columns += per_variable(f"{d}f/{d}{{}}", f"{d_latex} f/{d_latex} {{}}", True)
    columns += per_variable("Δ{}", r"\Delta {}", True)
    if descent.schedule.name != "constant":
        columns.append(v.Column(v.Math("γ_t", r"\gamma_t"), droppable=True))
    if verbose:
        for state in descent.state_names:
            symbol = _STATE_LATEX.get(state, state)
            if wide:
                columns.append(v.Column(v.Math(state, symbol), droppable=True))
            else:
                columns += [
                    v.Column(
                        v.Math(f"{state}[{n}]", f"{symbol}[{v.name_latex(n)}]"), droppable=True
                    )
                    for n in names
                ]
    return columns


def _vector_cell(values: Sequence[float]) -> v.Math:
    """A vector cell (f of more than two variables): a column vector on paper."""
    entries = [v.number(x, TABLE_DIGITS) for x in values]
    latex = r" \\ ".join(v.number_latex(x, TABLE_DIGITS) for x in values)
    return v.Math(
        "(" + ", ".join(entries) + ")",
        rf"\left(\begin{{smallmatrix}} {latex} \end{{smallmatrix}}\right)",
    )


def _row(descent: Descent, index: int, verbose: bool) -> tuple[Any, ...]:
    wide = _wide(descent)

    def cells(values: Sequence[float] | None) -> list[Any]:
        if values is None:
            return [None] if wide else [None] * len(descent.variables)
        return [_vector_cell(values)] if wide else [float(x) for x in values]

    row: list[Any] = [index]
    row += cells(descent.points[index])
    row.append(descent.values[index])
    row += cells(descent.gradients[index])
    row += cells(descent.step_vector(index) if index else None)
    if descent.schedule.name != "constant":
        row.append(descent.rates[index] if index else None)
    if verbose:
        state = descent.states[index]
        for position in range(len(descent.state_names)):
            row += cells(state[position] if index and position < len(state) else None)
    return tuple(row)


def _table(descent: Descent, every: int | None, verbose: bool) -> v.Table:
    rows = tuple(_row(descent, index, verbose) for index in thin(len(descent.points), every))
    return v.Table(tuple(_columns(descent, verbose)), rows)


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


def _status(descent: Descent) -> v.Line:
    return (v.Span(descent.status, STATUS_ROLE[descent.status]), f" — {descent.reason}")


def _ending(descent: Descent) -> list[v.Block]:
    last = len(descent.points) - 1
    blocks: list[v.Block] = [
        v.Paragraph((v.Span("Status: "), *_status(descent))),
        v.Paragraph(
            (
                v.Span("Final: "),
                f"after {last} update{'s' if last != 1 else ''}: ",
                _point(descent.variables, descent.points[last], "result"),
                ", ",
                v.Math(
                    f"f = {v.number(descent.values[last])}",
                    f"f = {v.number_latex(descent.values[last])}",
                    "result",
                ),
            )
        ),
    ]
    if descent.preset:
        preset = PRESETS[descent.preset]
        minima = "; ".join(
            _point(descent.variables, [m[name] for name in descent.variables]).text
            for m in preset.minima
        )
        blocks.append(
            v.Note(
                (
                    f"(the minim{'a are' if len(preset.minima) > 1 else 'um is'} at {minima}, "
                    f"f = {preset.minimum_value:g})",
                ),
                indent=1,
            )
        )
    return blocks


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


# --- Comparison of optimizers ------------------------------------------------


def compare_view(runs: Sequence[Descent], *, plot: bool = False) -> v.View:
    """One summary row per optimizer; the hyperparameters and how each run ended below."""
    first = runs[0]
    blocks: list[v.Block] = [v.Paragraph(_function(first))]
    if first.preset:
        blocks.append(v.Note((f"(preset {first.preset}: {PRESETS[first.preset].note})",), indent=1))
    blocks.append(v.Paragraph(_gradient(first)))
    start = v.Math(f"f = {v.number(first.values[0])}", f"f = {v.number_latex(first.values[0])}")
    blocks.append(
        v.Paragraph((v.Span("Start: "), _point(first.variables, first.points[0]), ", ", start))
    )
    point = ", ".join(first.variables)
    columns = (
        v.Column("optimizer", align="left"),
        v.Column(v.Math("γ", r"\gamma")),
        v.Column("updates", format="integer"),
        v.Column("status", align="left"),
        v.Column("final f", role="result"),
        v.Column(f"final ({point})", align="left", droppable=True, short="final point"),
        v.Column(v.Math("|∇f|", r"\lVert\nabla f\rVert"), digits=3),
    )
    rows = []
    for run in runs:
        last = len(run.points) - 1
        rows.append(
            (
                run.optimizer,
                float(run.hyperparameters["lr"]),
                last,
                run.status,
                run.values[last],
                _point_vector(run.points[last]),
                math.hypot(*run.gradients[last]),
            )
        )
    blocks.append(v.Section(None, (v.Table(columns, tuple(rows)),)))
    hyper: list[v.Block] = [v.Paragraph((v.Span("Hyperparameters:"),))]
    hyper += [
        v.Paragraph((v.Span(run.optimizer, "rule"), ": ", _hyperparameters(run)), indent=1)
        for run in runs
    ]
    blocks.append(v.Section(None, tuple(hyper)))
    ended: list[v.Block] = [v.Paragraph((v.Span("How each run ended:"),))]
    ended += [
        v.Paragraph((v.Span(run.optimizer, "rule"), ": ", *_status(run)), indent=1) for run in runs
    ]
    blocks.append(v.Section(None, tuple(ended)))
    if plot:
        blocks.extend(plots(runs))
    optimizers = ",".join(run.optimizer for run in runs)
    source = f"mathml descend: {first.text} --compare {optimizers}"
    return v.View(source, tuple(blocks), source)


def _point_vector(values: Sequence[float]) -> v.Math:
    entries = [v.number(x) for x in values]
    return v.Math(
        "(" + ", ".join(entries) + ")",
        r"\left(" + ", ".join(v.number_latex(x) for x in values) + r"\right)",
    )


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


# --- Plots -------------------------------------------------------------------


def plots(runs: Sequence[Descent]) -> list[v.Block]:
    """The loss curve(s), then f with the path(s): a curve for one variable, a heat map for two."""
    blocks: list[v.Block] = [loss_plot(runs)]
    variables = len(runs[0].variables)
    if variables == 1:
        blocks.append(_curve_plot(runs))
    elif variables == 2:
        blocks.append(heat_plot(runs))
    else:
        blocks.append(v.Note(("(no path plot: f has more than two variables)",)))
    return blocks


def _log_scale(values: Sequence[float]) -> bool:
    finite = [x for x in values if math.isfinite(x)]
    return bool(finite) and min(finite) > 0 and max(finite) / min(finite) >= 100


def loss_plot(runs: Sequence[Descent]) -> v.Plot:
    series = tuple(
        v.Series(
            run.optimizer if len(runs) > 1 else "f",
            tuple(float(i) for i in range(len(run.values))),
            tuple(run.values),
        )
        for run in runs
    )
    log_y = _log_scale([x for run in runs for x in run.values])
    title = "loss f per step" + (" (log scale)" if log_y else "")
    return v.Plot(title, series, xlabel="step", log_y=log_y)


def _curve_plot(runs: Sequence[Descent]) -> v.Plot:
    from mathml_cli.core.expr import sample

    first = runs[0]
    xs = [p[0] for run in runs for p in run.points if math.isfinite(p[0])]
    low, high = _padded(min(xs), max(xs))
    grid, curve = sample(first.expression, first.variables[0], low, high)
    series = [v.Series("f", tuple(grid), tuple(curve))]
    for run in runs:
        shown = thin(len(run.points), None, head=5, tail=3, middle=30)
        series.append(
            v.Series(
                f"{run.optimizer} path" if len(runs) > 1 else "path",
                tuple(run.points[i][0] for i in shown),
                tuple(run.values[i] for i in shown),
                style="scatter",
            )
        )
    return v.Plot("f and the descent path", tuple(series), xlabel=first.variables[0])


def _padded(low: float, high: float) -> tuple[float, float]:
    span = high - low
    margin = 0.15 * span if span > 0 else max(1.0, abs(low) * 0.5)
    return low - margin, high + margin


HEAT_WIDTH, HEAT_HEIGHT = 64, 22


def heat_plot(runs: Sequence[Descent]) -> v.Plot:
    """f over the box around the path(s), as a grid of values, with each run's path."""
    paths = [[p for p in run.points if all(math.isfinite(c) for c in p)] for run in runs]
    finite = [p for path in paths for p in path]
    x_low, x_high = _padded(min(p[0] for p in finite), max(p[0] for p in finite))
    y_low, y_high = _padded(min(p[1] for p in finite), max(p[1] for p in finite))
    xs = [x_low + (x_high - x_low) * (i + 0.5) / HEAT_WIDTH for i in range(HEAT_WIDTH)]
    ys = [y_high - (y_high - y_low) * (j + 0.5) / HEAT_HEIGHT for j in range(HEAT_HEIGHT)]
    values = grid_values(runs[0], xs, ys)
    series = tuple(
        v.Series(
            "path" if len(runs) == 1 else run.optimizer,
            tuple(p[0] for p in path),
            tuple(p[1] for p in path),
            style="scatter",
        )
        for run, path in zip(runs, paths, strict=True)
    )
    x_name, y_name = runs[0].variables
    return v.Plot(
        "f",
        series,
        xlabel=x_name,
        ylabel=y_name,
        kind="heat",
        heat=tuple(tuple(row) for row in values),
        x_range=(x_low, x_high),
        y_range=(y_low, y_high),
    )


# --- The presets (--list) ---------------------------------------------------


def presets_view() -> v.View:
    from mathml_cli.core.expr import parse_expression

    columns = (
        v.Column("preset", align="left"),
        v.Column(v.Math("f(x, y)", "f(x, y)"), align="left"),
        v.Column("default start", align="left", droppable=True, short="start"),
        v.Column("minimum", align="left"),
    )
    rows = []
    for preset in PRESETS.values():
        minima = "; ".join(_point(list(m), list(m.values())).text for m in preset.minima)
        rows.append(
            (
                preset.name,
                v.Math(preset.formula, latex_of(parse_expression(preset.formula))),
                _point(list(preset.start), list(preset.start.values())),
                f"f = {preset.minimum_value:g} at {minima}",
            )
        )
    return v.View(
        "mathml descend --list", (v.Table(columns, tuple(rows)),), "mathml descend --list"
    )


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


def presentation(
    outcome: Descent | list[Descent],
    *,
    every: int | None = None,
    verbose: bool = False,
    plot: bool = False,
) -> tuple[Callable[[], v.View], Callable[[], dict[str, Any]]]:
    """The view and the JSON data of one run or of a --compare list, for the CLI and the
    Python API alike."""
    if isinstance(outcome, list):
        runs = outcome
        return (lambda: compare_view(runs, plot=plot)), (lambda: compare_data(runs))
    result = outcome
    return (lambda: view(result, every=every, verbose=verbose, plot=plot)), (lambda: data(result))
