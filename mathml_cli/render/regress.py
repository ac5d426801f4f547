"""`mathml regress` as a View (every format but JSON) and as JSON data."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from mathml_cli.core.regress import Coefficient, Descent, Regression
from mathml_cli.render.view import (
    Block,
    Column,
    Heading,
    Line,
    Math,
    Note,
    Paragraph,
    Plot,
    Section,
    Series,
    Span,
    Table,
    View,
    name_latex,
    number,
    number_latex,
)

MATRIX_LIMIT = 8  # show XᵀX and Sxx as numbers up to this size, else only their shape


def _p_value(value: float) -> Math:
    if math.isnan(value):
        return Math("undefined", r"\text{undefined}")
    if value < 1e-16:
        return Math("< 1e-16", r"< 10^{-16}")
    text = f"{value:.4g}"
    return Math(text, number_latex(float(text), 4))


def _sub(number_: int) -> str:
    return str(number_).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _model(result: Regression) -> Math:
    terms = " + ".join(f"β{_sub(i)}·{name}" for i, name in enumerate(result.features, start=1))
    latex = " + ".join(
        rf"\beta_{{{i}}} {name_latex(name)}" for i, name in enumerate(result.features, start=1)
    )
    return Math(
        f"{result.target} = β₀ + {terms} + ε",
        rf"{name_latex(result.target)} = \beta_0 + {latex} + \varepsilon",
        "formula",
    )


def _name(name: str) -> Math:
    return Math(name, name_latex(name))


def _num(value: float, digits: int = 6, role: Any = None) -> Math:
    return Math(number(value, digits), number_latex(value, digits), role)


def view(result: Regression, *, show_steps: bool = True, plot: bool = False) -> View:
    """The data and model, the normal equation step by step, the coefficients and fit."""
    method = "normal equation" if result.method == "normal" else "gradient descent"
    blocks: list[Block] = [
        Paragraph(
            (
                Span("Linear regression "),
                f"of {result.target} on {', '.join(result.features)}",
                Span(f"  (n = {result.n}, method: {method})", "muted"),
            )
        ),
        Paragraph(
            (
                Span("Model: "),
                _model(result),
                "   i.e. ",
                Math("y = Xβ + ε", r"y = X\beta + \varepsilon"),
            )
        ),
    ]
    if show_steps:
        blocks.extend(_normal_steps(result))
    if result.descent is not None:
        blocks.append(_descent_part(result.descent, result))
    blocks.append(
        Section(Heading(("Coefficients",), 3), (_coefficient_table(result.coefficients),))
    )
    blocks.append(Section(None, tuple(_fit(result))))
    if result.prediction is not None:
        blocks.append(Section(None, tuple(_prediction_part(result))))
    blocks.extend(
        Note((Span("Warning: ", "note"), warning), "warning") for warning in result.warnings
    )
    if plot:
        blocks.extend(plots(result))
    source = f"mathml regress: {result.target} on {', '.join(result.features)}"
    return View(source, tuple(blocks), source)


def _step(number_: int, title: Line) -> Paragraph:
    return Paragraph((Span(f"Step {number_}  ", "rule"), *title))


def _number_table(headers: Sequence[Math | str], rows: Sequence[Sequence[float]]) -> Table:
    return Table(tuple(Column(header) for header in headers), tuple(tuple(row) for row in rows))


def _normal_steps(result: Regression) -> list[Block]:
    eq = result.normal
    p = len(result.features)
    columns = ["1", *result.features]
    headers = [Math("1", "1"), *(_name(c) for c in result.features)]
    step1: list[Block] = [
        _step(1, (Span(f"the design matrix X ({result.n}×{p + 1}) and the target y"),))
    ]
    if eq.design_rows is not None and eq.target_values is not None:
        rows = [(*x, y) for x, y in zip(eq.design_rows, eq.target_values, strict=True)]
        target = Math(f"y = {result.target}", f"y = {name_latex(result.target)}")
        step1.append(_number_table([*headers, target], rows))
    else:
        step1.append(
            Note(
                (
                    f"X has a column of ones (for β₀) and one column per feature: {result.n} rows, "
                    "too many to print; only the sums below are kept (memory O(p²), not O(n)).",
                ),
            )
        )
    step2: list[Block] = [
        _step(2, (Span("XᵀX and Xᵀy, sums over the rows"),)),
        Paragraph(
            (
                Math(
                    "XᵀX = [[n, Σx], [Σx, Σxxᵀ]],  Xᵀy = [Σy, Σxy]",
                    r"X^\top X = \begin{bmatrix} n & \sum x^\top \\ \sum x & \sum x x^\top "
                    r"\end{bmatrix},\quad X^\top y = \begin{bmatrix} \sum y \\ \sum x y "
                    r"\end{bmatrix}",
                    "formula",
                ),
            ),
            indent=1,
        ),
    ]
    if p + 1 <= MATRIX_LIMIT:
        rows = [(*row, rhs) for row, rhs in zip(eq.xtx, eq.xty, strict=True)]
        gram = [
            Math(f"XᵀX·{c}", rf"X^\top X \cdot {name_latex(c) if c != '1' else '1'}")
            for c in columns
        ]
        step2.append(_number_table([*gram, Math("Xᵀy", r"X^\top y")], rows))
    else:
        step2.append(Note((f"XᵀX is {p + 1}×{p + 1}, Xᵀy has {p + 1} entries.",)))
    means = [
        Math(f"{name}: {number(m)}", f"{name_latex(name)}: {number_latex(m)}")
        for name, m in zip([*result.features, result.target], eq.means, strict=True)
    ]
    means_line: list[Any] = ["means: "]
    for index, mean in enumerate(means):
        means_line += [", " if index else "", mean]
    step3: list[Block] = [
        _step(
            3,
            (
                Span("solve "),
                Math("XᵀXβ = Xᵀy", r"X^\top X \beta = X^\top y"),
                Span(", centred"),
            ),
        ),
        Note(
            (
                "Subtracting the means splits it into Sxx·β = Sxy for the slopes and "
                "β₀ = ȳ − x̄ᵀβ, with S the sums of products of deviations from the means. "
                "Same solution, but no digits lost to large raw sums.",
            ),
            indent=1,
        ),
        Paragraph(tuple(means_line), indent=1),
    ]
    if eq.fitted and len(eq.fitted) <= MATRIX_LIMIT:
        rows = [(*row, rhs) for row, rhs in zip(eq.sxx, eq.sxy, strict=True)]
        sxx = [Math(f"Sxx·{name}", rf"S_{{xx}} \cdot {name_latex(name)}") for name in eq.fitted]
        step3.append(_number_table([*sxx, Math("Sxy", "S_{xy}")], rows))
    step4: list[Block] = [_step(4, (Math("β", r"\beta"),))]
    for name, b in zip(eq.fitted, eq.slopes, strict=True):
        step4.append(
            Paragraph(
                (
                    Math(
                        f"β({name}) = {number(b)}",
                        rf"\beta_{{{name_latex(name)}}} = {number_latex(b)}",
                        "result",
                    ),
                ),
                indent=1,
            )
        )
    step4.append(
        Paragraph(
            (
                Math(
                    f"β₀ = ȳ − x̄ᵀβ = {number(eq.intercept)}",
                    rf"\beta_0 = \bar y - \bar x^\top \beta = {number_latex(eq.intercept)}",
                    "result",
                ),
            ),
            indent=1,
        )
    )
    return [Section(None, tuple(part)) for part in (step1, step2, step3, step4)]


def _fitted(coefficient: Coefficient) -> bool:
    return not math.isnan(coefficient.estimate)


def _descent_part(descent: Descent, result: Regression) -> Section:
    names = ["intercept", *(c.name for c in result.coefficients[1:] if _fitted(c))]
    columns = (
        Column("step", format="integer"),
        Column(Math("loss J", "J"), role="result"),
        *(Column(_name(name)) for name in names),
    )
    rows = tuple((row.iteration, row.loss, *row.coefficients) for row in descent.table)
    blocks: list[Block] = [
        Paragraph((Span("Gradient descent"),)),
        Note(
            (
                "On standardised features z = (x − x̄)/s: J(b, w) = (1/2n)·Σ(b + zᵀw − y)², "
                f"b ← b − α·∂J/∂b, w ← w − α·∂J/∂w with α = {descent.learning_rate:g}; "
                "coefficients below in original units.",
            ),
        ),
        Table(columns, rows),
    ]
    if descent.status == "converged":
        blocks.append(
            Paragraph(
                (f"Converged after {descent.steps} steps (gradient below 1e-10 of y's scale).",)
            )
        )
    elif descent.status == "diverged":
        blocks.append(
            Note(
                (
                    f"Diverged at step {descent.steps}: the learning rate "
                    f"{descent.learning_rate:g} is too large; rates below "
                    f"{descent.stable_below:.3g} converge here.",
                ),
                "warning",
            )
        )
    else:
        blocks.append(
            Note(
                (
                    f"Stopped after {descent.max_steps} steps without converging "
                    "(raise --steps or --lr).",
                ),
                "warning",
            )
        )
    if descent.status != "diverged":
        blocks.append(
            Paragraph(
                (
                    Span("Closed form (normal equation) differs by at most ", "result"),
                    _num(descent.max_difference, 3, "result"),
                    Span(" in any coefficient.", "result"),
                )
            )
        )
    return Section(None, tuple(blocks))


def _coefficient_table(coefficients: Sequence[Coefficient]) -> Table:
    columns = (
        Column("", align="left"),
        Column("estimate", role="result"),
        Column("std error", short="SE"),
        Column("t", digits=4),
        Column(Math("P>|t|", r"P > |t|"), align="right"),
        Column("[0.025", droppable=True, group="interval"),
        Column("0.975]", droppable=True, group="interval"),
    )
    rows: list[tuple[Any, ...]] = []
    for c in coefficients:
        if _fitted(c):
            rows.append(
                (
                    _name(c.name),
                    c.estimate,
                    c.std_error,
                    c.t_value,
                    _p_value(c.p_value),
                    c.conf_low,
                    c.conf_high,
                )
            )
        else:
            rows.append((_name(c.name), "not fitted", None, None, None, None, None))
    return Table(columns, tuple(rows))


def _fit(result: Regression) -> list[Block]:
    def stat(name: str, name_latex_: str, value: Math, extra: str = "") -> Math:
        return Math(
            f"{name} = {value.text}{extra}",
            f"{name_latex_} = {value.latex}" + (rf"\ \text{{{extra.strip()}}}" if extra else ""),
        )

    r = result.residuals
    how = (
        "exact"
        if r.exact
        else f"estimated from a uniform random sample of {r.rows_used} of the {result.n} rows"
    )
    values = (r.minimum, r.first_quartile, r.median, r.third_quartile, r.maximum)
    labels = ("min", "1Q", "median", "3Q", "max")
    residuals: list[Any] = [Span("Residuals: ")]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        residuals += ["   " if index else "", f"{label} ", _num(value)]
    residuals.append(Span(f"   ({how})", "muted"))
    return [
        Paragraph(
            (
                stat("R²", "R^2", _num(result.r_squared)),
                ", ",
                stat("adjusted R²", r"\bar R^2", _num(result.adj_r_squared)),
                f", n = {result.n}",
            )
        ),
        Paragraph(
            (
                "residual std error ",
                _num(result.residual_std_error),
                f" on {result.df_resid} DF; ",
                stat("F", f"F_{{{result.df_model},{result.df_resid}}}", _num(result.f_statistic)),
                f" on {result.df_model} and {result.df_resid} DF, p-value (F) ",
                _p_value(result.f_p_value),
            )
        ),
        Paragraph(
            (
                "log-likelihood ",
                _num(result.log_likelihood),
                ", AIC / BIC ",
                _num(result.aic),
                " / ",
                _num(result.bic),
                ", condition number ",
                _num(result.condition_number, 4),
            )
        ),
        Paragraph(tuple(residuals)),
    ]


def _signed_sum(first: float, terms: list[tuple[float, Math]]) -> Math:
    """'a + b − c': each term's sign written as the operator before it."""
    text, latex = [number(first)], [number_latex(first)]
    for value, term in terms:
        text.append(f"{'−' if value < 0 else '+'} {term.text}")
        latex.append(f"{'-' if value < 0 else '+'} {term.latex}")
    return Math(" ".join(text), " ".join(latex))


def _factor(value: float) -> Math:
    text, latex = number(value), number_latex(value)
    return Math(text, latex) if value >= 0 else Math(f"({text})", f"({latex})")


def _prediction_part(result: Regression) -> list[Block]:
    prediction = result.prediction
    assert prediction is not None
    point = ", ".join(f"{name} = {value:g}" for name, value in prediction.point)
    symbolic = Math(
        " + ".join(["ŷ = β₀", *(f"β({name})·{name}" for name, _, _ in prediction.terms)]),
        " + ".join(
            [
                r"\hat y = \beta_0",
                *(rf"\beta_{{{name_latex(n)}}} {name_latex(n)}" for n, _, _ in prediction.terms),
            ]
        ),
        "formula",
    )
    filled = _signed_sum(
        prediction.intercept,
        [
            (
                b,
                Math(
                    f"{number(abs(b))}·{_factor(x).text}",
                    rf"{number_latex(abs(b))} \cdot {_factor(x).latex}",
                ),
            )
            for _, b, x in prediction.terms
        ],
    )
    products = _signed_sum(
        prediction.intercept, [(b * x, _num(abs(b * x))) for _, b, x in prediction.terms]
    )
    low, high = prediction.conf_int
    new_low, new_high = prediction.pred_int
    equals = Math("  = ", "=")
    return [
        Paragraph((Span(f"Prediction at {point}"),)),
        Paragraph((symbolic,), indent=1),
        Paragraph((equals, filled), indent=1),
        Paragraph((equals, products), indent=1),
        Paragraph((equals, _num(prediction.value, role="result")), indent=1),
        Note(
            (
                f"95% interval for the mean: [{number(low)}, {number(high)}];  "
                f"for a new observation: [{number(new_low)}, {number(new_high)}]",
            ),
        ),
    ]


# --- plots ----------------------------------------------------------------------------


def plots(result: Regression) -> list[Block]:
    """The data and the fitted line (one feature), or actual and residuals against
    predicted (several), and the loss by step of gradient descent."""
    points = result.points
    actual = tuple(a for _, a, _ in points)
    fitted = tuple(f for _, _, f in points)
    how = "" if result.residuals.exact else f" (a random {len(points)} of {result.n} rows)"
    blocks: list[Block] = []
    if len(result.features) == 1:
        xs = tuple(x for x, _, _ in points)
        low, high = min(xs), max(xs)
        slope = result.coefficients[1].estimate
        intercept = result.coefficients[0].estimate
        line = (intercept + slope * low, intercept + slope * high)
        blocks.append(
            Plot(
                f"{result.target} against {result.features[0]}{how}",
                (
                    Series("data", xs, actual, style="scatter"),
                    Series("fitted line", (low, high), line),
                ),
                xlabel=result.features[0],
            )
        )
    else:
        low, high = min(actual + fitted), max(actual + fitted)
        blocks.append(
            Plot(
                f"actual against predicted {result.target}{how}",
                (
                    Series("rows", fitted, actual, style="scatter"),
                    Series("actual = predicted", (low, high), (low, high)),
                ),
                xlabel="predicted",
            )
        )
        residuals = tuple(a - f for a, f in zip(actual, fitted, strict=True))
        blocks.append(
            Plot(
                f"residuals against predicted{how}",
                (
                    Series("residuals", fitted, residuals, style="scatter"),
                    Series("zero", (min(fitted), max(fitted)), (0.0, 0.0)),
                ),
                xlabel="predicted",
            )
        )
    if result.descent is not None:
        losses = tuple(result.descent.losses)
        blocks.append(
            Plot(
                "gradient descent: loss by step",
                (Series("loss J", tuple(float(i) for i in range(len(losses))), losses),),
                xlabel="step",
                log_y=all(v > 0 for v in losses),
            )
        )
    return blocks


# --- JSON ------------------------------------------------------------------


def data(result: Regression) -> dict[str, Any]:
    coefficients = result.coefficients

    def by_name(values: Sequence[float]) -> dict[str, float]:
        return {c.name: v for c, v in zip(coefficients, values, strict=True)}

    payload: dict[str, Any] = {
        "n": result.n,
        "target": result.target,
        "features": list(result.features),
        "method": result.method,
        "coefficients": by_name([c.estimate for c in coefficients]),
        "std_errors": by_name([c.std_error for c in coefficients]),
        "t_values": by_name([c.t_value for c in coefficients]),
        "p_values": by_name([c.p_value for c in coefficients]),
        "conf_int": {c.name: [c.conf_low, c.conf_high] for c in coefficients},
        "r_squared": result.r_squared,
        "adj_r_squared": result.adj_r_squared,
        "residual_std_error": result.residual_std_error,
        "f_statistic": result.f_statistic,
        "f_p_value": result.f_p_value,
        "condition_number": result.condition_number,
        "warnings": list(result.warnings),
        "df_model": result.df_model,
        "df_resid": result.df_resid,
        "log_likelihood": result.log_likelihood,
        "aic": result.aic,
        "bic": result.bic,
        "dropped_rows": result.dropped_rows,
        "residuals": {
            "min": result.residuals.minimum,
            "q1": result.residuals.first_quartile,
            "median": result.residuals.median,
            "q3": result.residuals.third_quartile,
            "max": result.residuals.maximum,
            "exact": result.residuals.exact,
            "rows_used": result.residuals.rows_used,
        },
        "normal_equation": {
            "xtx": [list(row) for row in result.normal.xtx],
            "xty": list(result.normal.xty),
        },
    }
    if result.descent is not None:
        descent = result.descent
        payload["iterations"] = [
            {"step": row.iteration, "loss": row.loss, "coefficients": list(row.coefficients)}
            for row in descent.table
        ]
        payload["descent"] = {
            "learning_rate": descent.learning_rate,
            "steps": descent.steps,
            "status": descent.status,
            "closed_form": list(descent.closed_form),
            "max_difference": descent.max_difference,
        }
    if result.prediction is not None:
        prediction = result.prediction
        payload["prediction"] = {
            "point": dict(prediction.point),
            "value": prediction.value,
            "std_error_mean": prediction.std_error_mean,
            "conf_int": list(prediction.conf_int),
            "pred_int": list(prediction.pred_int),
        }
    return payload
