"""`mathml regress` as a View (every format but JSON) and as JSON data."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from mathml_cli.core.regress import Coefficient, Descent, Regression
from mathml_cli.render import view as v

MATRIX_LIMIT = 8  # show XᵀX and Sxx as numbers up to this size, else only their shape


def _p_value(value: float) -> v.Math:
    if math.isnan(value):
        return v.Math("undefined", r"\text{undefined}")
    if value < 1e-16:
        return v.Math("< 1e-16", r"< 10^{-16}")
    text = f"{value:.4g}"
    return v.Math(text, v.number_latex(float(text), 4))


def _sub(number_: int) -> str:
    return str(number_).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _model(result: Regression) -> v.Math:
    terms = " + ".join(f"β{_sub(i)}·{name}" for i, name in enumerate(result.features, start=1))
    latex = " + ".join(
        rf"\beta_{{{i}}} {v.name_latex(name)}" for i, name in enumerate(result.features, start=1)
    )
    return v.Math(
        f"{result.target} = β₀ + {terms} + ε",
        rf"{v.name_latex(result.target)} = \beta_0 + {latex} + \varepsilon",
        "formula",
    )


def _name(name: str) -> v.Math:
    return v.Math(name, v.name_latex(name))


def _num(value: float, digits: int = 6, role: Any = None) -> v.Math:
    return v.Math(v.number(value, digits), v.number_latex(value, digits), role)


def view(result: Regression, *, show_steps: bool = True, plot: bool = False) -> v.View:
    """The data and model, the normal equation step by step, the coefficients and fit."""
    method = "normal equation" if result.method == "normal" else "gradient descent"
    blocks: list[v.Block] = [
        v.Paragraph(
            (
                v.Span("Linear regression "),
                f"of {result.target} on {', '.join(result.features)}",
                v.Span(f"  (n = {result.n}, method: {method})", "muted"),
            )
        ),
        v.Paragraph(
            (
                v.Span("Model: "),
                _model(result),
                "   i.e. ",
                v.Math("y = Xβ + ε", r"y = X\beta + \varepsilon"),
            )
        ),
    ]
    if show_steps:
        blocks.extend(_normal_steps(result))
    if result.descent is not None:
        blocks.append(_descent_part(result.descent, result))
    blocks.append(
        v.Section(v.Heading(("Coefficients",), 3), (_coefficient_table(result.coefficients),))
    )
    blocks.append(v.Section(None, tuple(_fit(result))))
    if result.prediction is not None:
        blocks.append(v.Section(None, tuple(_prediction_part(result))))
    blocks.extend(
        v.Note((v.Span("Warning: ", "note"), warning), "warning") for warning in result.warnings
    )
    if plot:
        blocks.extend(plots(result))
    source = f"mathml regress: {result.target} on {', '.join(result.features)}"
    return v.View(source, tuple(blocks), source)


def _step(number_: int, title: v.Line) -> v.Paragraph:
    return v.Paragraph((v.Span(f"Step {number_}  ", "rule"), *title))


def _number_table(headers: Sequence[v.Math | str], rows: Sequence[Sequence[float]]) -> v.Table:
    return v.Table(tuple(v.Column(header) for header in headers), tuple(tuple(row) for row in rows))


def _normal_steps(result: Regression) -> list[v.Block]:
    eq = result.normal
    p = len(result.features)
    columns = ["1", *result.features]
    headers = [v.Math("1", "1"), *(_name(c) for c in result.features)]
    step1: list[v.Block] = [
        _step(1, (v.Span(f"the design matrix X ({result.n}×{p + 1}) and the target y"),))
    ]
    if eq.design_rows is not None and eq.target_values is not None:
        rows = [(*x, y) for x, y in zip(eq.design_rows, eq.target_values, strict=True)]
        target = v.Math(f"y = {result.target}", f"y = {v.name_latex(result.target)}")
        step1.append(_number_table([*headers, target], rows))
    else:
        step1.append(
            v.Note(
                (
                    f"X has a column of ones (for β₀) and one column per feature: {result.n} rows, "
                    "too many to print; only the sums below are kept (memory O(p²), not O(n)).",
                ),
            )
        )
    step2: list[v.Block] = [
        _step(2, (v.Span("XᵀX and Xᵀy, sums over the rows"),)),
        v.Paragraph(
            (
                v.Math(
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
            v.Math(f"XᵀX·{c}", rf"X^\top X \cdot {v.name_latex(c) if c != '1' else '1'}")
            for c in columns
        ]
        step2.append(_number_table([*gram, v.Math("Xᵀy", r"X^\top y")], rows))
    else:
        step2.append(v.Note((f"XᵀX is {p + 1}×{p + 1}, Xᵀy has {p + 1} entries.",)))
    means = [
        v.Math(f"{name}: {v.number(m)}", f"{v.name_latex(name)}: {v.number_latex(m)}")
        for name, m in zip([*result.features, result.target], eq.means, strict=True)
    ]
    means_line: list[Any] = ["means: "]
    for index, mean in enumerate(means):
        means_line += [", " if index else "", mean]
    step3: list[v.Block] = [
        _step(
            3,
            (
                v.Span("solve "),
                v.Math("XᵀXβ = Xᵀy", r"X^\top X \beta = X^\top y"),
                v.Span(", centred"),
            ),
        ),
        v.Note(
            (
                "Subtracting the means splits it into Sxx·β = Sxy for the slopes and "
                "β₀ = ȳ − x̄ᵀβ, with S the sums of products of deviations from the means. "
                "Same solution, but no digits lost to large raw sums.",
            ),
            indent=1,
        ),
        v.Paragraph(tuple(means_line), indent=1),
    ]
    if eq.fitted and len(eq.fitted) <= MATRIX_LIMIT:
        rows = [(*row, rhs) for row, rhs in zip(eq.sxx, eq.sxy, strict=True)]
        sxx = [v.Math(f"Sxx·{name}", rf"S_{{xx}} \cdot {v.name_latex(name)}") for name in eq.fitted]
        step3.append(_number_table([*sxx, v.Math("Sxy", "S_{xy}")], rows))
    step4: list[v.Block] = [_step(4, (v.Math("β", r"\beta"),))]
    for name, b in zip(eq.fitted, eq.slopes, strict=True):
        step4.append(
            v.Paragraph(
                (
                    v.Math(
                        f"β({name}) = {v.number(b)}",
                        rf"\beta_{{{v.name_latex(name)}}} = {v.number_latex(b)}",
                        "result",
                    ),
                ),
                indent=1,
            )
        )
    step4.append(
        v.Paragraph(
            (
                v.Math(
                    f"β₀ = ȳ − x̄ᵀβ = {v.number(eq.intercept)}",
                    rf"\beta_0 = \bar y - \bar x^\top \beta = {v.number_latex(eq.intercept)}",
                    "result",
                ),
            ),
            indent=1,
        )
    )
    return [v.Section(None, tuple(part)) for part in (step1, step2, step3, step4)]


def _fitted(coefficient: Coefficient) -> bool:
    return not math.isnan(coefficient.estimate)


def _descent_part(descent: Descent, result: Regression) -> v.Section:
    names = ["intercept", *(c.name for c in result.coefficients[1:] if _fitted(c))]
    columns = (
        v.Column("step", format="integer"),
        v.Column(v.Math("loss J", "J"), role="result"),
        *(v.Column(_name(name)) for name in names),
    )
    rows = tuple((row.iteration, row.loss, *row.coefficients) for row in descent.table)
    blocks: list[v.Block] = [
        v.Paragraph((v.Span("Gradient descent"),)),
        v.Note(
            (
                "On standardised features z = (x − x̄)/s: J(b, w) = (1/2n)·Σ(b + zᵀw − y)², "
                f"b ← b − α·∂J/∂b, w ← w − α·∂J/∂w with α = {descent.learning_rate:g}; "
                "coefficients below in original units.",
            ),
        ),
        v.Table(columns, rows),
    ]
    if descent.status == "converged":
        blocks.append(
            v.Paragraph(
                (f"Converged after {descent.steps} steps (gradient below 1e-10 of y's scale).",)
            )
        )
    elif descent.status == "diverged":
        blocks.append(
            v.Note(
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
            v.Note(
                (
                    f"Stopped after {descent.max_steps} steps without converging "
                    "(raise --steps or --lr).",
                ),
                "warning",
            )
        )
    if descent.status != "diverged":
        blocks.append(
            v.Paragraph(
                (
                    v.Span("Closed form (normal equation) differs by at most ", "result"),
                    _num(descent.max_difference, 3, "result"),
                    v.Span(" in any coefficient.", "result"),
                )
            )
        )
    return v.Section(None, tuple(blocks))


def _coefficient_table(coefficients: Sequence[Coefficient]) -> v.Table:
    columns = (
        v.Column("", align="left"),
        v.Column("estimate", role="result"),
        v.Column("std error", short="SE"),
        v.Column("t", digits=4),
        v.Column(v.Math("P>|t|", r"P > |t|"), align="right"),
        v.Column("[0.025", droppable=True, group="interval"),
        v.Column("0.975]", droppable=True, group="interval"),
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
    return v.Table(columns, tuple(rows))


def _fit(result: Regression) -> list[v.Block]:
    def stat(name: str, name_latex_: str, value: v.Math, extra: str = "") -> v.Math:
        return v.Math(
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
    residuals: list[Any] = [v.Span("Residuals: ")]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        residuals += ["   " if index else "", f"{label} ", _num(value)]
    residuals.append(v.Span(f"   ({how})", "muted"))
    return [
        v.Paragraph(
            (
                stat("R²", "R^2", _num(result.r_squared)),
                ", ",
                stat("adjusted R²", r"\bar R^2", _num(result.adj_r_squared)),
                f", n = {result.n}",
            )
        ),
        v.Paragraph(
            (
                "residual std error ",
                _num(result.residual_std_error),
                f" on {result.df_resid} DF; ",
                stat("F", f"F_{{{result.df_model},{result.df_resid}}}", _num(result.f_statistic)),
                f" on {result.df_model} and {result.df_resid} DF, p-value (F) ",
                _p_value(result.f_p_value),
            )
        ),
        v.Paragraph(
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
        v.Paragraph(tuple(residuals)),
    ]


def _signed_sum(first: float, terms: list[tuple[float, v.Math]]) -> v.Math:
    """'a + b − c': each term's sign written as the operator before it."""
    text, latex = [v.number(first)], [v.number_latex(first)]
    for value, term in terms:
        text.append(f"{'−' if value < 0 else '+'} {term.text}")
        latex.append(f"{'-' if value < 0 else '+'} {term.latex}")
    return v.Math(" ".join(text), " ".join(latex))


def _factor(value: float) -> v.Math:
    text, latex = v.number(value), v.number_latex(value)
    return v.Math(text, latex) if value >= 0 else v.Math(f"({text})", f"({latex})")


def _prediction_part(result: Regression) -> list[v.Block]:
    prediction = result.prediction
    assert prediction is not None
    point = ", ".join(f"{name} = {value:g}" for name, value in prediction.point)
    symbolic = v.Math(
        " + ".join(["ŷ = β₀", *(f"β({name})·{name}" for name, _, _ in prediction.terms)]),
        " + ".join(
            [
                r"\hat y = \beta_0",
                *(
                    rf"\beta_{{{v.name_latex(n)}}} {v.name_latex(n)}"
                    for n, _, _ in prediction.terms
                ),
            ]
        ),
        "formula",
    )
    filled = _signed_sum(
        prediction.intercept,
        [
            (
                b,
                v.Math(
                    f"{v.number(abs(b))}·{_factor(x).text}",
                    rf"{v.number_latex(abs(b))} \cdot {_factor(x).latex}",
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
    equals = v.Math("  = ", "=")
    return [
        v.Paragraph((v.Span(f"Prediction at {point}"),)),
        v.Paragraph((symbolic,), indent=1),
        v.Paragraph((equals, filled), indent=1),
        v.Paragraph((equals, products), indent=1),
        v.Paragraph((equals, _num(prediction.value, role="result")), indent=1),
        v.Note(
            (
                f"95% interval for the mean: [{v.number(low)}, {v.number(high)}];  "
                f"for a new observation: [{v.number(new_low)}, {v.number(new_high)}]",
            ),
        ),
    ]


# --- plots ----------------------------------------------------------------------------


def plots(result: Regression) -> list[v.Block]:
    """The data and the fitted line (one feature), or actual and residuals against
    predicted (several), and the loss by step of gradient descent."""
    points = result.points
    actual = tuple(a for _, a, _ in points)
    fitted = tuple(f for _, _, f in points)
    how = "" if result.residuals.exact else f" (a random {len(points)} of {result.n} rows)"
    blocks: list[v.Block] = []
    if len(result.features) == 1:
        xs = tuple(x for x, _, _ in points)
        low, high = min(xs), max(xs)
        slope = result.coefficients[1].estimate
        intercept = result.coefficients[0].estimate
        line = (intercept + slope * low, intercept + slope * high)
        blocks.append(
            v.Plot(
                f"{result.target} against {result.features[0]}{how}",
                (
                    v.Series("data", xs, actual, style="scatter"),
                    v.Series("fitted line", (low, high), line),
                ),
                xlabel=result.features[0],
            )
        )
    else:
        low, high = min(actual + fitted), max(actual + fitted)
        blocks.append(
            v.Plot(
                f"actual against predicted {result.target}{how}",
                (
                    v.Series("rows", fitted, actual, style="scatter"),
                    v.Series("actual = predicted", (low, high), (low, high)),
                ),
                xlabel="predicted",
            )
        )
        residuals = tuple(a - f for a, f in zip(actual, fitted, strict=True))
        blocks.append(
            v.Plot(
                f"residuals against predicted{how}",
                (
                    v.Series("residuals", fitted, residuals, style="scatter"),
                    v.Series("zero", (min(fitted), max(fitted)), (0.0, 0.0)),
                ),
                xlabel="predicted",
            )
        )
    if result.descent is not None:
        losses = tuple(result.descent.losses)
        blocks.append(
            v.Plot(
                "gradient descent: loss by step",
                (v.Series("loss J", tuple(float(i) for i in range(len(losses))), losses),),
                xlabel="step",
                log_y=all(loss > 0 for loss in losses),
            )
        )
    return blocks


# --- JSON ------------------------------------------------------------------


def data(result: Regression) -> dict[str, Any]:
    coefficients = result.coefficients

    def by_name(values: Sequence[float]) -> dict[str, float]:
        return {c.name: value for c, value in zip(coefficients, values, strict=True)}

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
