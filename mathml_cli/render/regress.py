"""`mathml regress` as a View (every format but JSON) and as JSON data."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from mathml_cli.core.regress import Coefficient, GradientFit, Regression
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


def _name(name: str, result: Regression | None = None) -> v.Math:
    """A column, or one of the result's expressions of columns (--features "x**2"), as math.

    A column's name is only a name: "a-b" is not a minus b, "price ($)" is words;
    in an expression a column named pi is that column, not π.
    """
    if result is None or name not in result.expressions:
        return v.Math(name, v.column_latex(name))
    from mathml_cli.core.expr import parse_expression
    from mathml_cli.errors import InputError
    from mathml_cli.render.common import latex_of

    try:
        return v.Math(name, latex_of(parse_expression(name, names=result.expression_columns)))
    except InputError:
        return v.Math(name, v.text_latex(name))


def _model(result: Regression) -> v.Math:
    features = list(enumerate(result.features, start=1))
    terms = " + ".join(f"β{_sub(i)}·{name}" for i, name in features)
    latex = " + ".join(rf"\beta_{{{i}}} {_name(name, result).latex}" for i, name in features)
    target = _name(result.target, result)
    if not result.intercept:
        return v.Math(
            f"{result.target} = {terms} + ε   (no intercept: through the origin)",
            rf"{target.latex} = {latex} + \varepsilon"
            r" \quad \text{(no intercept: through the origin)}",
            "formula",
        )
    return v.Math(
        f"{result.target} = β₀ + {terms} + ε",
        rf"{target.latex} = \beta_0 + {latex} + \varepsilon",
        "formula",
    )


def _num(value: float, digits: int = 6, role: Any = None) -> v.Math:
    return v.Math(v.number(value, digits), v.number_latex(value, digits), role)


def view(
    result: Regression, *, show_steps: bool = True, every: int | None = None, plot: bool = False
) -> v.View:
    """The data and model, the normal equation step by step, the coefficients and fit."""
    method = "normal equation" if result.method == "normal" else "gradient descent"
    if result.ridge is not None:
        method = f"ridge, λ = {result.ridge:g}"
    computed = "Computed by: " if result.descent is None else "Closed form computed by: "
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
                "   i.e.\xa0",
                v.Math("y\xa0=\xa0Xβ\xa0+\xa0ε", r"y = X\beta + \varepsilon"),  # one piece
            )
        ),
        v.Paragraph((v.Span(computed), v.Span(result.algorithm, "muted"))),
    ]
    if show_steps:
        blocks.extend(_normal_steps(result))
    if result.descent is not None:
        blocks.extend(_descent_part(result.descent, result, every))
    title = "Coefficients"
    if result.descent is not None:
        title += f" where gradient descent ended (step {result.descent.steps})"
    table = _coefficient_table(result.coefficients, result.descent is not None, result)
    blocks.append(v.Section(v.Heading((title,), 3), (table,)))
    fit = _fit(result) + [v.Note((note,)) for note in _model_notes(result)]
    blocks.append(v.Section(None, tuple(fit)))
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
    columns = ["1", *result.features] if result.intercept else list(result.features)
    width = len(columns)
    headers = [v.Math("1", "1") if c == "1" else _name(c, result) for c in columns]
    step1: list[v.Block] = [
        _step(1, (v.Span(f"the design matrix X ({result.n}×{width}) and the target y"),))
    ]
    if eq.design_rows is not None and eq.target_values is not None:
        rows = [(*x, y) for x, y in zip(eq.design_rows, eq.target_values, strict=True)]
        target = v.Math(f"y = {result.target}", f"y = {_name(result.target, result).latex}")
        step1.append(_number_table([*headers, target], rows))
    else:
        step1.append(
            v.Note(
                (
                    ("X has a column of ones (for β₀) and " if result.intercept else "X has ")
                    + f"one column per feature: {result.n} rows, too many to print; only a "
                    "small triangular factor of X is kept, and the sums below follow from it "
                    "(memory O(p²), not O(n)).",
                ),
            )
        )
    lam = eq.ridge
    gram = (
        v.Math("XᵀX", r"X^\top X") if lam is None else v.Math("XᵀX + λI'", r"X^\top X + \lambda I'")
    )
    if lam is None:
        step2: list[v.Block] = [_step(2, (v.Span("XᵀX and Xᵀy, sums over the rows"),))]
    else:
        step2 = [_step(2, (v.Span(f"XᵀX + λI' and Xᵀy, with λ = {lam:g}"),))]
    if not result.intercept:
        sums = v.Math(
            "XᵀX = Σxxᵀ,  Xᵀy = Σxy",
            r"X^\top X = \sum x x^\top,\quad X^\top y = \sum x y",
            "formula",
        )
    else:
        sums = v.Math(
            "XᵀX = [[n, Σx], [Σx, Σxxᵀ]],  Xᵀy = [Σy, Σxy]",
            r"X^\top X = \begin{bmatrix} n & \sum x^\top \\ \sum x & \sum x x^\top "
            r"\end{bmatrix},\quad X^\top y = \begin{bmatrix} \sum y \\ \sum x y "
            r"\end{bmatrix}",
            "formula",
        )
    step2.append(v.Paragraph((sums,), indent=1))
    if lam is not None:
        step2.append(
            v.Note(
                (
                    "Ridge adds λ to the diagonal of XᵀX"
                    + (
                        " except the intercept's (I' is I with a 0 for β₀)"
                        if result.intercept
                        else ""
                    )
                    + ": the solution of (XᵀX + λI')β = Xᵀy minimises ‖y − Xβ‖² + λ‖β‖².",
                ),
                indent=1,
            )
        )
    if width <= MATRIX_LIMIT:
        rows = [(*row, rhs) for row, rhs in zip(eq.xtx, eq.xty, strict=True)]
        label = gram if lam is None else v.Math(f"({gram.text})", rf"({gram.latex})")
        products = [
            v.Math(f"{label.text}·{h.text}", rf"{label.latex} \cdot {h.latex}") for h in headers
        ]
        step2.append(_number_table([*products, v.Math("Xᵀy", r"X^\top y")], rows))
    else:
        step2.append(
            v.Note(
                (
                    f"{gram.text} is {width}×{width}, Xᵀy has {width} entries: too many to "
                    "print here; --format json has them (normal_equation).",
                )
            )
        )
    slopes = [
        v.Paragraph(
            (
                v.Math(
                    f"β({name}) = {v.number(b)}",
                    rf"\beta_{{{_name(name, result).latex}}} = {v.number_latex(b)}",
                    "result",
                ),
            ),
            indent=1,
        )
        for name, b in zip(eq.fitted, eq.slopes, strict=True)
    ]
    solve = v.Math(f"({gram.text})β = Xᵀy", rf"({gram.latex})\beta = X^\top y")
    if not result.intercept:
        step3: list[v.Block] = [_step(3, (v.Span("solve "), solve)), *slopes]
        return [v.Section(None, tuple(part)) for part in (step1, step2, step3)]
    sxx = "Sxx" if lam is None else "(Sxx + λI)"
    sxx_latex = "S_{xx}" if lam is None else r"(S_{xx} + \lambda I)"
    means = [
        v.Math(
            f"{name}: {v.number(m)}",
            f"{_name(name, result).latex}: {v.number_latex(m)}",
        )
        for name, m in zip([*result.features, result.target], eq.means, strict=True)
    ]
    means_line: list[Any] = ["means: "]
    for index, mean in enumerate(means):
        means_line += [", " if index else "", mean]
    step3 = [
        _step(3, (v.Span("solve "), solve, v.Span(", centred"))),
        v.Note(
            (
                f"Subtracting the means splits it into {sxx}·β = Sxy for the slopes and "
                "β₀ = ȳ − x̄ᵀβ, with S the sums of products of deviations from the means. "
                "Same solution, but no digits lost to large raw sums.",
            ),
            indent=1,
        ),
        v.Paragraph(tuple(means_line), indent=1),
    ]
    if eq.fitted and len(eq.fitted) <= MATRIX_LIMIT:
        rows = [(*row, rhs) for row, rhs in zip(eq.sxx, eq.sxy, strict=True)]
        names = [
            v.Math(f"{sxx}·{name}", rf"{sxx_latex} \cdot {_name(name, result).latex}")
            for name in eq.fitted
        ]
        step3.append(_number_table([*names, v.Math("Sxy", "S_{xy}")], rows))
    intercept = v.Math(
        f"β₀ = ȳ − x̄ᵀβ = {v.number(eq.intercept)}",
        rf"\beta_0 = \bar y - \bar x^\top \beta = {v.number_latex(eq.intercept)}",
        "result",
    )
    step4: list[v.Block] = [_step(4, (v.Math("β", r"\beta"),)), *slopes]
    step4.append(v.Paragraph((intercept,), indent=1))
    return [v.Section(None, tuple(part)) for part in (step1, step2, step3, step4)]


def _fitted(coefficient: Coefficient) -> bool:
    return not math.isnan(coefficient.estimate)


def descent_stride(count: int, head: int = 10, tail: int = 5) -> int:
    """Every how many rows the middle of a long descent table is shown (1: all shown)."""
    if count <= head + tail + 15:
        return 1
    return max(1, math.ceil((count - head - tail) / 15))


def descent_rows(count: int, every: int | None, head: int = 10, tail: int = 5) -> list[int]:
    """Which of `count` descent rows the text shows: all when few, else thinned."""
    if every is not None:
        return sorted({*range(0, count, every), count - 1})
    stride = descent_stride(count, head, tail)
    if stride == 1:
        return list(range(count))
    return sorted({*range(head), *range(0, count, stride), *range(count - tail, count)})


def _descent_part(descent: GradientFit, result: Regression, every: int | None) -> list[v.Block]:
    features = "z = (x − x̄)/s, standardised" if descent.standardized else "x as given"
    b, b_latex = ("b + ", "b + ") if result.intercept else ("", "")
    loss = v.Math(
        f"J = (1/n)·Σ(ŷ − y)² with ŷ = {b}xᵀw;  ∂J/∂w = (2/n)·Σ(ŷ − y)·x"
        + (",  ∂J/∂b = (2/n)·Σ(ŷ − y)" if result.intercept else ""),
        rf"J = \tfrac{{1}}{{n}} \sum (\hat y - y)^2,\ \hat y = {b_latex}x^\top w;\quad "
        r"\frac{\partial J}{\partial w} = \tfrac{2}{n} \sum (\hat y - y)\, x"
        + (
            r",\ \frac{\partial J}{\partial b} = \tfrac{2}{n} \sum (\hat y - y)"
            if result.intercept
            else ""
        ),
        "formula",
    )
    update = v.Math(
        "w ← w − α·∂J/∂w" + (",  b ← b − α·∂J/∂b" if result.intercept else ""),
        r"w \leftarrow w - \alpha \frac{\partial J}{\partial w}"
        + (r",\ b \leftarrow b - \alpha \frac{\partial J}{\partial b}" if result.intercept else ""),
        "formula",
    )
    names = [c.name for c in result.coefficients]  # descent runs on every column
    columns = (
        v.Column("step", format="integer"),
        v.Column(v.Math("loss J", "J"), role="result"),
        *(v.Column(_name(name, result)) for name in names),
        v.Column(v.Math("|∇J|", r"\lVert\nabla J\rVert"), digits=3, droppable=True),
    )
    shown = descent_rows(len(descent.table), every)
    rows = tuple(
        (
            descent.table[index].iteration,
            descent.table[index].loss,
            *descent.table[index].coefficients,
            descent.table[index].gradient_norm,
        )
        for index in shown
    )
    blocks: list[v.Block] = [
        v.Paragraph((v.Span("Gradient descent"),)),
        v.Paragraph((loss,), indent=1),
        v.Paragraph(
            (update, f"   from all zeros, α = {descent.learning_rate:g}"),
            indent=1,
        ),
        v.Note(
            (
                f"On the features {features}; each step is the full batch over all "
                f"{result.n} rows."
                + ("  Coefficients below in x's units." if descent.standardized else ""),
            ),
        ),
        v.Table(columns, rows),
    ]
    if len(shown) < len(descent.table):
        how = (
            f"every {_ordinal(every)} and the last"
            if every
            else f"the first 10, every {_ordinal(descent_stride(len(descent.table)))}, the last 5"
        )
        blocks.append(
            v.Note(
                (
                    f"showing {len(shown)} of {len(descent.table)} rows ({how}); "
                    "--every K picks the rows, --format json has them all",
                ),
            )
        )
    blocks.append(_descent_outcome(descent))
    comparison = v.Table(
        (
            v.Column("", align="left"),
            v.Column("gradient descent"),
            v.Column("closed form", role="result"),
            v.Column("relative difference", digits=3, short="rel. diff."),
        ),
        tuple(
            (_name(name, result), ours, closed, relative)
            for name, ours, closed, relative in zip(
                names,
                descent.coefficients,
                descent.closed_form,
                descent.relative_differences,
                strict=True,
            )
        ),
    )
    distance = v.Paragraph(
        (
            v.Span("Relative distance ‖w − ŵ‖/‖ŵ‖ = ", "result"),
            _num(descent.relative_distance, 3, "result"),
            v.Span(" (largest absolute difference ", "result"),
            _num(descent.max_difference, 3, "result"),
            v.Span(").", "result"),
        )
    )
    against = (
        "the least-squares solution of least norm"
        if descent.minimum_norm
        else "the closed form (least squares)"
    )
    heading = v.Heading((f"Where descent ended, against {against}",), 3)
    return [
        v.Section(None, tuple(blocks)),
        v.Section(heading, (comparison, distance)),
    ]


def _ordinal(k: int) -> str:
    """2 -> "2nd", 11 -> "11th", 23 -> "23rd"."""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _descent_outcome(descent: GradientFit) -> v.Block:
    """How descent ended, and what to do when it did not converge."""
    hessian = "(2/n)ZᵀZ of the standardised design" if descent.standardized else "(2/n)XᵀX"
    stable = (
        f"2/L = {descent.stable_below:.3g}, with L = {descent.largest_eigenvalue:.3g} the largest "
        f"eigenvalue of the Hessian {hessian}"
    )
    standardise = (
        ""
        if descent.standardized
        else "; or standardise the features (--standardize), which evens out the curvature "
        "so that one rate suits them all"
    )
    if descent.status == "converged":
        return v.Paragraph(
            (f"Converged after {descent.steps} steps (the update fell below 1e-13 of θ).",)
        )
    if descent.status == "diverged" and descent.steps == descent.max_steps:
        growth = abs(1 - descent.learning_rate * descent.largest_eigenvalue)
        text = (
            f"Diverging: the learning rate {descent.learning_rate:g} is above {stable}, so "
            f"each step multiplies the error along the steepest direction by |1 − αL| = "
            f"{growth:.4g}"
            + ("; slowly, but it never converges" if growth < 1.1 else "")
            + f", and --steps {descent.max_steps} ran out before it blew up. Use --lr below "
            f"{descent.stable_below:.3g}{standardise}."
        )
    elif descent.status == "diverged":
        text = (
            f"Diverged at step {descent.steps}: the learning rate "
            f"{descent.learning_rate:g} is too large. Gradient descent on J converges "
            f"for rates below {stable}: use --lr below {descent.stable_below:.3g}{standardise}."
        )
    else:
        # Below 2/L the slowest direction shrinks by 1 − α·λ_min a step: a larger α
        # helps only while it stays well under 2/L; past that, more steps or a
        # better-conditioned (standardised) design do.
        raise_lr = descent.learning_rate < descent.stable_below / 2
        advice = (
            f"raise --lr (rates below {descent.stable_below:.3g} = 2/L converge) or --steps"
            if raise_lr
            else f"raise --steps{standardise.replace('; or', ', or')}"
        )
        text = f"Stopped after --steps {descent.max_steps} without converging: {advice}."
    return v.Note((text,), "warning")


def _coefficient_table(
    coefficients: Sequence[Coefficient], descended: bool = False, result: Regression | None = None
) -> v.Table:
    """Estimates and their inference; columns with nothing in them (ridge, descent) left out.

    After gradient descent only the estimates are shown: the standard errors are least
    squares', and beside weights descent stopped short of (or diverged from) they mislead.
    """
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
        if _fitted(c) and math.isnan(c.t_value):
            # ridge (no standard errors) or gradient descent (no t, p, intervals)
            error = None if math.isnan(c.std_error) or descended else c.std_error
            rows.append((_name(c.name, result), c.estimate, error, None, None, None, None))
        elif _fitted(c):
            rows.append(
                (
                    _name(c.name, result),
                    c.estimate,
                    c.std_error,
                    c.t_value,
                    _p_value(c.p_value),
                    c.conf_low,
                    c.conf_high,
                )
            )
        else:
            rows.append((_name(c.name, result), "not fitted", None, None, None, None, None))
    kept = [i for i in range(len(columns)) if i < 2 or any(row[i] is not None for row in rows)]
    return v.Table(
        tuple(columns[i] for i in kept), tuple(tuple(row[i] for i in kept) for row in rows)
    )


def _model_notes(result: Regression) -> list[str]:
    """What the statistics mean for this model, where they differ from plain OLS."""
    notes = []
    if not result.intercept:
        notes.append(
            "No intercept: R² = 1 − Σr²/Σy² is the uncentred one (as NIST and statsmodels "
            "define it without a constant), measured against predicting 0, not ȳ; it is not "
            "comparable to the R² of a model with an intercept."
        )
    if result.descent is not None:
        notes.append(
            "R², the residuals and the F-test are those of the closed form (least squares), "
            "the fit that gradient descent is compared with above, not of where it ended."
        )
    if result.ridge is not None:
        notes.append(
            f"Ridge: λ = {result.ridge:g} pulls every slope towards 0 (the larger λ, the more; "
            "λ = 0 is least squares), trading a little bias for less variance, and makes "
            "collinear features solvable"
            + ("; the intercept is not penalised" if result.intercept else "")
            + ". The OLS standard errors, t values, p-values, intervals and F-test no longer "
            "apply, so none are given; R² is that of the ridge fit."
        )
    return notes


def _fit(result: Regression) -> list[v.Block]:
    def stat(name: str, name_latex: str, value: v.Math) -> v.Math:
        return v.Math(f"{name} = {value.text}", f"{name_latex} = {value.latex}")

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
        residuals += ["   " if index else "", f"{label}\xa0", _num(value)]  # kept together
    residuals.append(v.Span(f"   ({how})", "muted"))
    r_squared = ("R²", "R^2") if result.intercept else ("R² (uncentred)", r"R^2_{\text{uncentred}}")
    return [
        v.Paragraph(
            (
                stat(*r_squared, _num(result.r_squared)),
                ", ",
                stat("adjusted R²", r"\bar R^2", _num(result.adj_r_squared)),
                f", n = {result.n}",
            )
        ),
        v.Paragraph(
            (
                "residual std error\xa0",
                _num(result.residual_std_error),
                f" on\xa0{result.df_resid}\xa0DF; ",
                stat("F", f"F_{{{result.df_model},{result.df_resid}}}", _num(result.f_statistic)),
                f" on {result.df_model}\xa0and\xa0{result.df_resid}\xa0DF, p-value\xa0(F)\xa0",
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
                ", condition\xa0number\xa0",
                _num(result.condition_number, 4),
                *(
                    (" (", _num(result.scaled_condition_number, 4), " with unit-length columns)")
                    if result.condition_number > 1e3 * result.scaled_condition_number
                    else ()
                ),
            )
        ),
        v.Paragraph(tuple(residuals)),
    ]


def _signed_sum(first: float | None, terms: list[tuple[float, v.Math]]) -> v.Math:
    """'a + b − c': each term's sign written as the operator before it; with no first
    term (no intercept) the sum starts at the first product."""
    text = [v.number(first)] if first is not None else []
    latex = [v.number_latex(first)] if first is not None else []
    for value, term in terms:
        sign = "−" if value < 0 else "+"
        if not text:
            text.append(f"−{term.text}" if value < 0 else term.text)
            latex.append(f"-{term.latex}" if value < 0 else term.latex)
            continue
        text.append(f"{sign} {term.text}")
        latex.append(f"{'-' if value < 0 else '+'} {term.latex}")
    return v.Math(" ".join(text), " ".join(latex))


def _factor(value: float) -> v.Math:
    text, latex = v.number(value), v.number_latex(value)
    return v.Math(text, latex) if value >= 0 else v.Math(f"({text})", f"({latex})")


def _prediction_part(result: Regression) -> list[v.Block]:
    prediction = result.prediction
    assert prediction is not None
    point = ", ".join(f"{name} = {value:g}" for name, value in prediction.point)
    terms = prediction.terms
    names = [_name(n, result).latex for n, _, _ in terms]
    symbolic = v.Math(
        "ŷ = " + " + ".join(["β₀"] * result.intercept + [f"β({n})·{n}" for n, _, _ in terms]),
        r"\hat y = "
        + " + ".join(
            [r"\beta_0"] * result.intercept + [rf"\beta_{{{name}}} {name}" for name in names]
        ),
        "formula",
    )
    start = prediction.intercept if result.intercept else None
    filled = _signed_sum(
        start,
        [
            (
                b,
                v.Math(
                    f"{v.number(abs(b))}·{_factor(x).text}",
                    rf"{v.number_latex(abs(b))} \cdot {_factor(x).latex}",
                ),
            )
            for _, b, x in terms
        ],
    )
    products = _signed_sum(start, [(b * x, _num(abs(b * x))) for _, b, x in terms])
    addends = len(terms) + (start is not None)
    low, high = prediction.conf_int
    new_low, new_high = prediction.pred_int
    intervals = (
        f"95% interval for the mean: [{v.number(low)}, {v.number(high)}];  "
        f"for a new observation: [{v.number(new_low)}, {v.number(new_high)}]"
        if not math.isnan(low)
        else prediction.note or "No intervals: the standard errors they need are undefined."
    )
    equals = v.Math("  = ", "=")
    return [
        v.Paragraph((v.Span(f"Prediction at {point}"),)),
        v.Paragraph((symbolic,), indent=1),
        v.Paragraph((equals, filled), indent=1),
        # (With one addend its product is already the value.)
        *([v.Paragraph((equals, products), indent=1)] if addends > 1 else []),
        v.Paragraph((equals, _num(prediction.value, role="result")), indent=1),
        v.Note((intervals,)),
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
        slope = result.coefficients[-1].estimate
        intercept = result.coefficients[0].estimate if result.intercept else 0.0
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
                "gradient descent: loss by step"
                + (" (log scale)" if all(loss > 0 for loss in losses) else ""),
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
        return {c.name: v for c, v in zip(coefficients, values, strict=True)}

    def by_name_fitted(values: Sequence[float]) -> dict[str, float]:
        # gradient descent runs on every column; least squares leaves collinear ones out
        names = [c.name for c in coefficients if _fitted(c) or result.descent is not None]
        return dict(zip(names, values, strict=True))

    payload: dict[str, Any] = {
        "n": result.n,
        "target": result.target,
        "features": list(result.features),
        "method": result.method,
        "coefficients": by_name([c.estimate for c in coefficients]),
        # After gd the statistics are still least squares': say so beside them.
        "statistics_of": "closed_form" if result.descent is not None else "coefficients",
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
        "scaled_condition_number": result.scaled_condition_number,
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
            "minimum_norm": descent.minimum_norm,
        }
    if result.prediction is not None:
        prediction = result.prediction
        payload["prediction"] = {
            "point": dict(prediction.point),
            "value": prediction.value,
            "std_error_mean": prediction.std_error_mean,
            "conf_int": list(prediction.conf_int),
            "pred_int": list(prediction.pred_int),
            "note": prediction.note,
        }
    return payload
