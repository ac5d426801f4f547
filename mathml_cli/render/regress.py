"""Renderings of a `Regression`: Rich text, JSON data, LaTeX and Markdown."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from mathml_cli.core.regress import Coefficient, GradientFit, Regression
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
    return f"{result.target} = β₀ + {terms} + ε"


def _sub(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


# --- Rich text -------------------------------------------------------------


def rich(result: Regression, show_steps: bool = True) -> Any:
    from rich.console import Group
    from rich.text import Text

    method = "normal equation" if result.method == "normal" else "gradient descent"
    parts: list[Any] = [
        Text.assemble(
            ("Linear regression ", TITLE),
            f"of {result.target} on {', '.join(result.features)}",
            (f"  (n = {result.n}, method: {method})", DIM),
        ),
        Text.assemble(("Model: ", TITLE), (_model_text(result), FORMULA), "   i.e. y = Xβ + ε"),
    ]
    if show_steps:
        parts.extend(_normal_steps(result))
    if result.descent is not None:
        parts.extend(_descent_part(result.descent, result))
    parts.append(Text(""))
    parts.append(_coefficient_table(result.coefficients))
    parts.append(_fit_table(result))
    parts.append(_residual_line(result))
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
    p = len(result.features)
    columns = ["1", *result.features]
    parts: list[Any] = [_step(1, f"the design matrix X ({result.n}×{p + 1}) and the target y")]
    if eq.design_rows is not None and eq.target_values is not None:
        rows = [(*x, y) for x, y in zip(eq.design_rows, eq.target_values, strict=True)]
        parts.append(_matrix_table(rows, [*columns, f"y = {result.target}"]))
    else:
        parts.append(
            Text(
                f"X has a column of ones (for β₀) and one column per feature: {result.n} rows, "
                f"too many to print; only the sums below are kept (memory O(p²), "
                f"not O(n)).",
                style=DIM,
            )
        )
    parts.append(_step(2, "XᵀX and Xᵀy, sums over the rows"))
    parts.append(Text("XᵀX = [[n, Σx], [Σx, Σxxᵀ]],  Xᵀy = [Σy, Σxy]", style=FORMULA))
    if p + 1 <= MATRIX_LIMIT:
        rows = [(*row, rhs) for row, rhs in zip(eq.xtx, eq.xty, strict=True)]
        parts.append(_matrix_table(rows, [*(f"XᵀX·{c}" for c in columns), "Xᵀy"]))
    else:
        parts.append(Text(f"XᵀX is {p + 1}×{p + 1}, Xᵀy has {p + 1} entries.", style=DIM))
    parts.append(_step(3, "solve XᵀXβ = Xᵀy, centred"))
    parts.append(
        Text(
            "Subtracting the means splits it into Sxx·β = Sxy for the slopes and "
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
        parts.append(_matrix_table(rows, [*(f"Sxx·{name}" for name in eq.fitted), "Sxy"]))
    solved = ", ".join(
        f"β({name}) = {fmt(b)}" for name, b in zip(eq.fitted, eq.slopes, strict=True)
    )
    parts.append(_step(4, "β"))
    intercept_line = f"β₀ = ȳ − x̄ᵀβ = {fmt(eq.intercept)}"
    parts.append(Text((solved + "\n" if solved else "") + intercept_line, style=RESULT))
    return parts


def _descent_part(descent: GradientFit, result: Regression) -> list[Any]:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = [
        Text("\nGradient descent", style=TITLE),
        Text(
            "On standardised features z = (x − x̄)/s: J(b, w) = (1/2n)·Σ(b + zᵀw − y)², "
            f"b ← b − α·∂J/∂b, w ← w − α·∂J/∂w with α = {descent.learning_rate:g}; "
            "coefficients below in original units.",
            style=DIM,
        ),
    ]
    table = Table(box=box.SIMPLE, pad_edge=False)
    table.add_column("step", justify="right")
    table.add_column("loss J", justify="right")
    for name in ["intercept", *(c.name for c in result.coefficients[1:] if _fitted(c))]:
        table.add_column(name, justify="right")
    for row in descent.table:
        table.add_row(str(row.iteration), fmt(row.loss), *(fmt(v) for v in row.coefficients))
    parts.append(table)
    if descent.status == "converged":
        status = Text(f"Converged after {descent.steps} steps (gradient below 1e-10 of y's scale).")
    elif descent.status == "diverged":
        status = Text(
            f"Diverged at step {descent.steps}: the learning rate {descent.learning_rate:g} "
            f"is too large; rates below {descent.stable_below:.3g} converge here.",
            style=NOTE,
        )
    else:
        status = Text(
            f"Stopped after {descent.max_steps} steps without converging (raise --steps or --lr).",
            style=NOTE,
        )
    parts.append(status)
    if descent.status != "diverged":
        parts.append(
            Text(
                "Closed form (normal equation) differs by at most "
                f"{fmt(descent.max_difference, 3)} in any coefficient.",
                style=RESULT,
            )
        )
    return parts


def _fitted(coefficient: Coefficient) -> bool:
    return not math.isnan(coefficient.estimate)


def _coefficient_table(coefficients: Sequence[Coefficient]) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
    table.title = "Coefficients"
    table.title_style = TITLE
    for label in ("", "estimate", "std error", "t", "P>|t|", "[0.025", "0.975]"):
        table.add_column(label, justify="left" if not label else "right")
    for c in coefficients:
        if _fitted(c):
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


def _fit_table(result: Regression) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE, show_header=False, pad_edge=False)
    table.add_column()
    table.add_column(justify="right")
    table.add_column()
    table.add_column(justify="right")
    rows = [
        ("R²", fmt(result.r_squared), "adjusted R²", fmt(result.adj_r_squared)),
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
    symbolic = " + ".join(["β₀", *(f"β({name})·{name}" for name, _, _ in prediction.terms)])
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
    low, high = prediction.conf_int
    new_low, new_high = prediction.pred_int
    return [
        Text(""),
        Text.assemble(("Prediction at ", TITLE), (point, TITLE)),
        Text(f"ŷ = {symbolic}", style=FORMULA),
        Text(f"  = {filled}"),
        Text(f"  = {products}"),
        Text.assemble("  = ", (fmt(prediction.value), RESULT)),
        Text(
            f"95% interval for the mean: [{fmt(low)}, {fmt(high)}];  "
            f"for a new observation: [{fmt(new_low)}, {fmt(new_high)}]",
            style=DIM,
        ),
    ]


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
    lines = [rf"{_latex_name(result.target)} &= \beta_0 + {model} + \varepsilon"]
    eq = result.normal
    if show_steps and len(eq.xtx) <= MATRIX_LIMIT:
        lines.append(
            rf"X^\top X &= {_bmatrix(eq.xtx)}, \quad X^\top y = {_bmatrix([[v] for v in eq.xty])}"
        )
    lines.append(r"X^\top X \beta &= X^\top y")
    for i, c in enumerate(result.coefficients):
        if _fitted(c):
            lines.append(
                rf"\hat\beta_{{{i}}} &= {_latex_number(c.estimate)} "
                rf"\quad (\mathrm{{SE}}\ {_latex_number(c.std_error)},\ "
                rf"p = {_latex_number(c.p_value)})"
            )
    lines.append(
        rf"R^2 &= {_latex_number(result.r_squared)}, \quad "
        rf"F_{{{result.df_model},{result.df_resid}}} = {_latex_number(result.f_statistic)}"
    )
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
        rf"Model: $\text{{{result.target}}} = \beta_0 + {model} + \varepsilon$, "
        r"solved from the normal equation $X^\top X\beta = X^\top y$.",
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
        if _fitted(c):
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
    if result.descent is not None:
        d = result.descent
        out.append("")
        out.append(
            f"Gradient descent ({d.status}, {d.steps} steps, learning rate "
            f"{d.learning_rate:g}): at most {fmt(d.max_difference, 3)} from the closed form."
        )
    if result.prediction is not None:
        out.append("")
        out.append(f"Prediction: ŷ = {fmt(result.prediction.value)}")
    for warning in result.warnings:
        out.append("")
        out.append(f"> **Warning:** {warning}")
    return "\n".join(out)
