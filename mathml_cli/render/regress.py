"""Renderings of a `Regression`: Rich text, JSON data, LaTeX and Markdown."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from mathml_cli.core.regress import Coefficient, Descent, Regression
from mathml_cli.render.common import (
    DIM,
    FORMULA,
    NOTE,
    RESULT,
    RULE,
    TITLE,
    format_number,
    latex_escape,
)

MATRIX_LIMIT = 8  # show XᵀX and Sxx as numbers up to this size, else only their shape

fmt = format_number


def _p_value(value: float) -> str:
    if math.isnan(value):
        return "undefined"
    return "< 1e-16" if value < 1e-16 else f"{value:.4g}"


def _model_text(result: Regression) -> str:
    terms = " + ".join(f"β{_sub(i)}·{name}" for i, name in enumerate(result.features, start=1))
    if not result.intercept:
        return f"{result.target} = {terms} + ε   (no intercept: through the origin)"
    return f"{result.target} = β₀ + {terms} + ε"


def _sub(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


# --- Rich text -------------------------------------------------------------


def rich(result: Regression, show_steps: bool = True, every: int | None = None) -> Any:
    from rich.console import Group
    from rich.text import Text

    method = "normal equation" if result.method == "normal" else "gradient descent"
    if result.ridge is not None:
        method = f"ridge, λ = {result.ridge:g}"
    parts: list[Any] = [
        Text.assemble(
            ("Linear regression ", TITLE),
            f"of {result.target} on {', '.join(result.features)}",
            (f"  (n = {result.n}, method: {method})", DIM),
        ),
        Text.assemble(("Model: ", TITLE), (_model_text(result), FORMULA), "   i.e. y = Xβ + ε"),
        Text.assemble(
            ("Computed by: " if result.descent is None else "Closed form computed by: ", TITLE),
            (result.algorithm, DIM),
        ),
    ]
    if show_steps:
        parts.extend(_normal_steps(result))
    if result.descent is not None:
        parts.extend(_descent_part(result.descent, result, every))
    parts.append(Text(""))
    title = "Coefficients"
    if result.descent is not None:
        title += f" where gradient descent ended (step {result.descent.steps})"
    parts.append(_coefficient_table(result.coefficients, title))
    parts.append(_fit_table(result))
    parts.append(_residual_line(result))
    parts.extend(Text(note, style=DIM) for note in _model_notes(result))
    if result.prediction is not None:
        parts.extend(_prediction_part(result))
    for warning in result.warnings:
        parts.append(Text.assemble(("Warning: ", NOTE), warning))
    return Group(*parts)


def _matrix_table(rows: Sequence[Sequence[float]], labels: Sequence[str] | None = None) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE, show_header=labels is not None, pad_edge=False)
    for label in labels or [""] * (len(rows[0]) if rows else 0):
        table.add_column(label, justify="right")
    for row in rows:
        table.add_row(*(fmt(v) for v in row))
    return table


def _step(number: int, title: str) -> Any:
    from rich.text import Text

    return Text.assemble(("\n" + f"Step {number}  ", RULE), (title, TITLE))


def _normal_steps(result: Regression) -> list[Any]:
    from rich.text import Text

    eq = result.normal
    columns = ["1", *result.features] if result.intercept else list(result.features)
    width = len(columns)
    parts: list[Any] = [_step(1, f"the design matrix X ({result.n}×{width}) and the target y")]
    if eq.design_rows is not None and eq.target_values is not None:
        rows = [(*x, y) for x, y in zip(eq.design_rows, eq.target_values, strict=True)]
        parts.append(_matrix_table(rows, [*columns, f"y = {result.target}"]))
    else:
        parts.append(
            Text(
                ("X has a column of ones (for β₀) and " if result.intercept else "X has ")
                + f"one column per feature: {result.n} rows, "
                "too many to print; only a small triangular factor of X is kept, and the "
                "sums below follow from it (memory O(p²), not O(n)).",
                style=DIM,
            )
        )
    lam = eq.ridge
    gram = "XᵀX" if lam is None else "XᵀX + λI'"
    if lam is None:
        parts.append(_step(2, "XᵀX and Xᵀy, sums over the rows"))
    else:
        parts.append(_step(2, f"XᵀX + λI' and Xᵀy, with λ = {lam:g}"))
    if not result.intercept:
        parts.append(Text("XᵀX = Σxxᵀ,  Xᵀy = Σxy", style=FORMULA))
    else:
        parts.append(Text("XᵀX = [[n, Σx], [Σx, Σxxᵀ]],  Xᵀy = [Σy, Σxy]", style=FORMULA))
    if lam is not None:
        parts.append(
            Text(
                "Ridge adds λ to the diagonal of XᵀX"
                + (" except the intercept's (I' is I with a 0 for β₀)" if result.intercept else "")
                + ": the solution of (XᵀX + λI')β = Xᵀy minimises ‖y − Xβ‖² + λ‖β‖².",
                style=DIM,
            )
        )
    if width <= MATRIX_LIMIT:
        rows = [(*row, rhs) for row, rhs in zip(eq.xtx, eq.xty, strict=True)]
        label = gram if lam is None else f"({gram})"
        parts.append(_matrix_table(rows, [*(f"{label}·{c}" for c in columns), "Xᵀy"]))
    else:
        parts.append(Text(f"{gram} is {width}×{width}, Xᵀy has {width} entries.", style=DIM))
    if not result.intercept:
        parts.append(_step(3, f"solve ({gram})β = Xᵀy"))
        solved = ", ".join(
            f"β({name}) = {fmt(b)}" for name, b in zip(eq.fitted, eq.slopes, strict=True)
        )
        parts.append(Text(solved, style=RESULT))
        return parts
    sxx = "Sxx" if lam is None else "(Sxx + λI)"
    parts.append(_step(3, f"solve ({gram})β = Xᵀy, centred"))
    parts.append(
        Text(
            f"Subtracting the means splits it into {sxx}·β = Sxy for the slopes and "
            "β₀ = ȳ − x̄ᵀβ, with S the sums of products of deviations from the means. "
            "Same solution, but no digits lost to large raw sums.",
            style=DIM,
        )
    )
    means = ", ".join(
        f"{name}: {fmt(m)}"
        for name, m in zip([*result.features, result.target], eq.means, strict=True)
    )
    parts.append(Text(f"means: {means}"))
    if eq.fitted and len(eq.fitted) <= MATRIX_LIMIT:
        rows = [(*row, rhs) for row, rhs in zip(eq.sxx, eq.sxy, strict=True)]
        parts.append(_matrix_table(rows, [*(f"{sxx}·{name}" for name in eq.fitted), "Sxy"]))
    solved = ", ".join(
        f"β({name}) = {fmt(b)}" for name, b in zip(eq.fitted, eq.slopes, strict=True)
    )
    parts.append(_step(4, "β"))
    intercept_line = f"β₀ = ȳ − x̄ᵀβ = {fmt(eq.intercept)}"
    parts.append(Text((solved + "\n" if solved else "") + intercept_line, style=RESULT))
    return parts


def _descent_part(descent: Descent, result: Regression, every: int | None) -> list[Any]:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    features = "z = (x − x̄)/s, standardised" if descent.standardized else "x as given"
    b = "b + " if result.intercept else ""
    rule = f"J = (1/n)·Σ(ŷ − y)² with ŷ = {b}xᵀw;  ∂J/∂w = (2/n)·Σ(ŷ − y)·x" + (
        ",  ∂J/∂b = (2/n)·Σ(ŷ − y)" if result.intercept else ""
    )
    update = "w ← w − α·∂J/∂w" + (",  b ← b − α·∂J/∂b" if result.intercept else "")
    parts: list[Any] = [
        Text("\nGradient descent", style=TITLE),
        Text(rule, style=FORMULA),
        Text(f"{update}   from all zeros, α = {descent.learning_rate:g}", style=FORMULA),
        Text(
            f"On the features {features}; each step is the full batch over all {result.n} rows."
            + ("  Coefficients below in x's units." if descent.standardized else ""),
            style=DIM,
        ),
    ]
    names = [c.name for c in result.coefficients if _fitted(c)]
    table = Table(box=box.SIMPLE, pad_edge=False)
    table.add_column("step", justify="right")
    table.add_column("loss J", justify="right")
    for name in names:
        table.add_column(name, justify="right")
    table.add_column("|∇J|", justify="right")
    shown = descent_rows(len(descent.table), every)
    for index in shown:
        row = descent.table[index]
        table.add_row(
            str(row.iteration),
            fmt(row.loss),
            *(fmt(v) for v in row.coefficients),
            fmt(row.gradient_norm, 3),
        )
    parts.append(table)
    if len(shown) < len(descent.table):
        how = f"every {every}th and the last" if every else "the first 10, every k-th, the last 5"
        parts.append(
            Text(
                f"showing {len(shown)} of {len(descent.table)} rows ({how}); "
                "--every K picks the rows, --format json has them all",
                style=DIM,
            )
        )
    stable = (
        f"2/L = {descent.stable_below:.3g}, with L = {descent.largest_eigenvalue:.3g} the largest "
        "eigenvalue of the Hessian (2/n)XᵀX"
    )
    if descent.status == "converged":
        status = Text(f"Converged after {descent.steps} steps (the update fell below 1e-13 of θ).")
    elif descent.status == "diverged":
        advice = (
            ""
            if descent.standardized
            else "; or standardise the features (--standardize), which evens out the curvature "
            "so that one rate suits them all"
        )
        status = Text(
            f"Diverged at step {descent.steps}: the learning rate {descent.learning_rate:g} "
            f"is too large. Gradient descent on J converges for rates below {stable}: "
            f"use --lr below {descent.stable_below:.3g}{advice}.",
            style=NOTE,
        )
    else:
        status = Text(
            f"Stopped after --steps {descent.max_steps} without converging (raise --steps or "
            f"--lr; rates below {descent.stable_below:.3g} = 2/L converge).",
            style=NOTE,
        )
    parts.append(status)
    comparison = Table(box=box.SIMPLE, pad_edge=False)
    for label in ("", "gradient descent", "closed form", "relative difference"):
        comparison.add_column(label, justify="left" if not label else "right")
    for name, ours, closed, relative in zip(
        names,
        descent.coefficients,
        descent.closed_form,
        descent.relative_differences,
        strict=True,
    ):
        comparison.add_row(name, fmt(ours), fmt(closed), fmt(relative, 3))
    parts.append(
        Text("\nWhere descent ended, against the closed form (least squares)", style=TITLE)
    )
    parts.append(comparison)
    parts.append(
        Text(
            f"Relative distance ‖w − ŵ‖/‖ŵ‖ = {fmt(descent.relative_distance, 3)} "
            f"(largest absolute difference {fmt(descent.max_difference, 3)}).",
            style=RESULT,
        )
    )
    return parts


def descent_rows(count: int, every: int | None, head: int = 10, tail: int = 5) -> list[int]:
    """Which of `count` descent rows the text shows: all when few, else thinned."""
    if every is not None:
        return sorted({*range(0, count, every), count - 1})
    if count <= head + tail + 15:
        return list(range(count))
    stride = max(1, math.ceil((count - head - tail) / 15))
    return sorted({*range(head), *range(0, count, stride), *range(count - tail, count)})


def _fitted(coefficient: Coefficient) -> bool:
    return not math.isnan(coefficient.estimate)


def _coefficient_table(coefficients: Sequence[Coefficient], title: str = "Coefficients") -> Any:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
    table.title = title
    table.title_style = TITLE
    for label in ("", "estimate", "std error", "t", "P>|t|", "[0.025", "0.975]"):
        table.add_column(label, justify="left" if not label else "right")
    for c in coefficients:
        if _fitted(c) and math.isnan(c.t_value):
            # ridge (no standard errors) or gradient descent (no t, p, intervals)
            table.add_row(c.name, fmt(c.estimate), _blank(c.std_error), "", "", "", "")
        elif _fitted(c):
            table.add_row(
                c.name,
                fmt(c.estimate),
                fmt(c.std_error),
                fmt(c.t_value, 4),
                _p_value(c.p_value),
                fmt(c.conf_low),
                fmt(c.conf_high),
            )
        else:
            table.add_row(c.name, "not fitted", "", "", "", "", "")
    return table


def _blank(value: float) -> str:
    return "" if math.isnan(value) else fmt(value)


def _model_notes(result: Regression) -> list[str]:
    """What the statistics mean for this model, where they differ from plain OLS."""
    notes = []
    if not result.intercept:
        notes.append(
            "No intercept: R² = 1 − Σr²/Σy² is the uncentred one (as NIST and statsmodels "
            "define it without a constant), measured against predicting 0, not ȳ; it is not "
            "comparable to the R² of a model with an intercept."
        )
    if result.ridge is not None:
        notes.append(
            f"Ridge: λ = {result.ridge:g} pulls every slope towards 0 (the larger λ, the more; "
            "λ = 0 is least squares), trading a little bias for less variance, and makes "
            "collinear features solvable; the intercept is not penalised. The OLS standard "
            "errors, t values, p-values, intervals and F-test no longer apply, so none are "
            "given; R² is that of the ridge fit."
        )
    return notes


def _fit_table(result: Regression) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE, show_header=False, pad_edge=False)
    table.add_column()
    table.add_column(justify="right")
    table.add_column()
    table.add_column(justify="right")
    rows = [
        (
            "R²" if result.intercept else "R² (uncentred)",
            fmt(result.r_squared),
            "adjusted R²",
            fmt(result.adj_r_squared),
        ),
        (
            "residual std error",
            f"{fmt(result.residual_std_error)} on {result.df_resid} DF",
            "n",
            str(result.n),
        ),
        (
            "F-statistic",
            f"{fmt(result.f_statistic)} on {result.df_model} and {result.df_resid} DF",
            "p-value (F)",
            _p_value(result.f_p_value),
        ),
        (
            "log-likelihood",
            fmt(result.log_likelihood),
            "AIC / BIC",
            f"{fmt(result.aic)} / {fmt(result.bic)}",
        ),
        ("condition number", fmt(result.condition_number, 4), "", ""),
    ]
    for row in rows:
        table.add_row(*row)
    return table


def _residual_line(result: Regression) -> Any:
    from rich.text import Text

    r = result.residuals
    how = (
        "exact"
        if r.exact
        else f"estimated from a uniform random sample of {r.rows_used} of the {result.n} rows"
    )
    values = (r.minimum, r.first_quartile, r.median, r.third_quartile, r.maximum)
    labels = ("min", "1Q", "median", "3Q", "max")
    line = "   ".join(f"{label} {fmt(v)}" for label, v in zip(labels, values, strict=True))
    return Text.assemble(("Residuals: ", TITLE), line, (f"   ({how})", DIM))


def _signed_sum(first: float, terms: list[tuple[float, str]]) -> str:
    """'a + b − c': each term's sign written as the operator before it."""
    parts = [fmt(first)]
    for value, text in terms:
        parts.append(f"{'−' if value < 0 else '+'} {text}")
    return " ".join(parts)


def _prediction_part(result: Regression) -> list[Any]:
    from rich.text import Text

    prediction = result.prediction
    assert prediction is not None
    point = ", ".join(f"{name} = {value:g}" for name, value in prediction.point)
    symbolic = " + ".join(
        ["β₀"] * result.intercept + [f"β({name})·{name}" for name, _, _ in prediction.terms]
    )
    filled = _signed_sum(
        prediction.intercept,
        [
            (b, f"{fmt(abs(b))}·{fmt(x) if x >= 0 else f'({fmt(x)})'}")
            for _, b, x in prediction.terms
        ],
    )
    products = _signed_sum(
        prediction.intercept, [(b * x, fmt(abs(b * x))) for _, b, x in prediction.terms]
    )
    if not result.intercept:  # no β₀ term to start the sums with
        filled, products = (_without_zero_start(text) for text in (filled, products))
    low, high = prediction.conf_int
    new_low, new_high = prediction.pred_int
    intervals = (
        f"95% interval for the mean: [{fmt(low)}, {fmt(high)}];  "
        f"for a new observation: [{fmt(new_low)}, {fmt(new_high)}]"
        if not math.isnan(low)
        else "No intervals: they need the OLS standard errors, which ridge estimates do not have."
    )
    return [
        Text(""),
        Text.assemble(("Prediction at ", TITLE), (point, TITLE)),
        Text(f"ŷ = {symbolic}", style=FORMULA),
        Text(f"  = {filled}"),
        Text(f"  = {products}"),
        Text.assemble("  = ", (fmt(prediction.value), RESULT)),
        Text(intervals, style=DIM),
    ]


def _without_zero_start(text: str) -> str:
    """'0 + a − b' -> 'a − b' and '0 − a' -> '−a'."""
    if text.startswith("0 + "):
        return text[4:]
    return "−" + text[4:] if text.startswith("0 − ") else text


# --- JSON ------------------------------------------------------------------


def data(result: Regression) -> dict[str, Any]:
    coefficients = result.coefficients

    def by_name(values: Sequence[float]) -> dict[str, float]:
        return {c.name: v for c, v in zip(coefficients, values, strict=True)}

    def by_name_fitted(values: Sequence[float]) -> dict[str, float]:
        names = [c.name for c in coefficients if _fitted(c)]
        return dict(zip(names, values, strict=True))

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
        "intercept": result.intercept,
        "r_squared_kind": "centred" if result.intercept else "uncentred",
        "ridge": result.ridge,
        "algorithm": result.algorithm,
        "exact": result.exact,
        "closed_form": by_name_fitted(result.closed_form),
    }
    if result.descent is not None:
        descent = result.descent
        payload["iterations"] = [
            {
                "step": row.iteration,
                "loss": row.loss,
                "coefficients": list(row.coefficients),
                "gradient_norm": row.gradient_norm,
            }
            for row in descent.table
        ]
        payload["descent"] = {
            "learning_rate": descent.learning_rate,
            "steps": descent.steps,
            "status": descent.status,
            "closed_form": list(descent.closed_form),
            "max_difference": descent.max_difference,
            "standardized": descent.standardized,
            "relative_differences": by_name_fitted(descent.relative_differences),
            "relative_distance": descent.relative_distance,
            "largest_eigenvalue": descent.largest_eigenvalue,
            "stable_below": descent.stable_below,
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


# --- LaTeX and Markdown -----------------------------------------------------


def _latex_name(name: str) -> str:
    return r"\text{" + latex_escape(name) + "}"


def _bmatrix(rows: Sequence[Sequence[float]]) -> str:
    body = r" \\ ".join(" & ".join(_latex_number(v) for v in row) for row in rows)
    return r"\begin{bmatrix} " + body + r" \end{bmatrix}"


def _latex_number(value: float) -> str:
    text = fmt(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def latex(result: Regression, show_steps: bool = True) -> str:
    names = [_latex_name(name) for name in result.features]
    model = " + ".join(rf"\beta_{{{i}}} {n}" for i, n in enumerate(names, start=1))
    beta_0 = r"\beta_0 + " if result.intercept else ""
    lines = [rf"{_latex_name(result.target)} &= {beta_0}{model} + \varepsilon"]
    eq = result.normal
    if show_steps and len(eq.xtx) <= MATRIX_LIMIT:
        lines.append(
            rf"X^\top X &= {_bmatrix(eq.xtx)}, \quad X^\top y = {_bmatrix([[v] for v in eq.xty])}"
        )
    if result.ridge is None:
        lines.append(r"X^\top X \beta &= X^\top y")
    else:
        lines.append(
            rf"(X^\top X + \lambda I')\beta &= X^\top y, "
            rf"\quad \lambda = {_latex_number(result.ridge)}"
        )
    for i, c in enumerate(result.coefficients, start=0 if result.intercept else 1):
        if _fitted(c) and math.isnan(c.t_value):
            lines.append(rf"\hat\beta_{{{i}}} &= {_latex_number(c.estimate)}")
        elif _fitted(c):
            lines.append(
                rf"\hat\beta_{{{i}}} &= {_latex_number(c.estimate)} "
                rf"\quad (\mathrm{{SE}}\ {_latex_number(c.std_error)},\ "
                rf"p = {_latex_number(c.p_value)})"
            )
    r_squared = r"R^2" if result.intercept else r"R^2_{\text{uncentred}}"
    f_test = (
        rf", \quad F_{{{result.df_model},{result.df_resid}}} = {_latex_number(result.f_statistic)}"
        if result.ridge is None
        else ""
    )
    lines.append(rf"{r_squared} &= {_latex_number(result.r_squared)}{f_test}")
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


def markdown(result: Regression, show_steps: bool = True) -> str:
    model = " + ".join(
        rf"\beta_{{{i}}}\,\text{{{name}}}" for i, name in enumerate(result.features, start=1)
    )
    out = [
        f"**Linear regression** of `{result.target}` on "
        + ", ".join(f"`{name}`" for name in result.features)
        + f" (n = {result.n}, method: {result.method})",
        "",
        rf"Model: $\text{{{result.target}}} = "
        + (r"\beta_0 + " if result.intercept else "")
        + rf"{model} + \varepsilon$, "
        + (
            r"solved from the normal equation $X^\top X\beta = X^\top y$"
            if result.ridge is None
            else rf"ridge: $(X^\top X + \lambda I')\beta = X^\top y$ "
            rf"with $\lambda = {result.ridge:g}$"
        )
        + f", computed by {result.algorithm}.",
        "",
    ]
    eq = result.normal
    if show_steps and len(eq.xtx) <= MATRIX_LIMIT:
        out.append(
            rf"$X^\top X = {_bmatrix(eq.xtx)}$, $X^\top y = {_bmatrix([[v] for v in eq.xty])}$"
        )
        out.append("")
    out.append("| | estimate | std error | t | P>\\|t\\| | [0.025 | 0.975] |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    for c in result.coefficients:
        if _fitted(c) and math.isnan(c.t_value):
            out.append(f"| {c.name} | {fmt(c.estimate)} | {_blank(c.std_error)} | | | | |")
        elif _fitted(c):
            out.append(
                f"| {c.name} | {fmt(c.estimate)} | {fmt(c.std_error)} | {fmt(c.t_value, 4)} | "
                f"{_p_value(c.p_value)} | {fmt(c.conf_low)} | {fmt(c.conf_high)} |"
            )
        else:
            out.append(f"| {c.name} | not fitted | | | | | |")
    out.append("")
    out.append(
        f"$R^2$ = {fmt(result.r_squared)}, adjusted $R^2$ = {fmt(result.adj_r_squared)}, "
        f"residual std error {fmt(result.residual_std_error)} on {result.df_resid} DF, "
        f"F = {fmt(result.f_statistic)} (p {_p_value(result.f_p_value)}), "
        f"condition number {fmt(result.condition_number, 4)}."
    )
    for note in _model_notes(result):
        out.append("")
        out.append(note)
    if result.descent is not None:
        d = result.descent
        out.append("")
        out.append(
            f"Gradient descent ({d.status}, {d.steps} steps, learning rate "
            f"{d.learning_rate:g}): the estimates above are where it ended, at relative "
            f"distance {fmt(d.relative_distance, 3)} (at most {fmt(d.max_difference, 3)}) from "
            "the closed form."
        )
    if result.prediction is not None:
        out.append("")
        out.append(f"Prediction: ŷ = {fmt(result.prediction.value)}")
    for warning in result.warnings:
        out.append("")
        out.append(f"> **Warning:** {warning}")
    return "\n".join(out)
