"""`mathml normal` as a View (every format but JSON) and as JSON data."""

from __future__ import annotations

import math
from typing import Any

from mathml_cli.core.normal import RULE_WIDTHS, Fit, Interval, Normal, Point, Quantile
from mathml_cli.render import view as v
from mathml_cli.render.common import part_heading
from mathml_cli.render.stats import histogram_steps


def _n(value: float) -> str:
    return v.number(value)


def _l(value: float) -> str:
    return v.number_latex(value)


def view(result: Normal, *, plot: bool = False) -> v.View:
    mu, sigma = result.mean, result.std
    blocks: list[v.Block] = []
    if result.fit is not None:
        blocks.append(_fit(result.fit))
    blocks.append(
        v.Section(
            None,
            (
                v.Paragraph(
                    (
                        v.Span("Normal distribution "),
                        v.Math(
                            f"N(μ = {_n(mu)}, σ = {_n(sigma)})",
                            rf"\mathcal{{N}}(\mu = {_l(mu)},"
                            rf"\ \sigma = {_l(sigma)})",
                        ),  # fmt: skip
                    )
                ),
                v.Paragraph((v.Span("density", "rule"),), indent=1),
                v.Formula(
                    "f(x) = exp(−(x − μ)²/(2σ²)) / (σ·√(2π))",
                    r"f(x) = \frac{1}{\sigma\sqrt{2\pi}}\, e^{-(x - \mu)^2 / (2\sigma^2)}",
                ),
                v.Paragraph((v.Span("CDF", "rule"), " through the error function"), indent=1),
                v.Formula(
                    "P(X ≤ x) = Φ(z) = ½·[1 + erf(z/√2)],  z = (x − μ)/σ",
                    r"P(X \le x) = \Phi(z) = \tfrac12\left[1 + \operatorname{erf}(z/\sqrt2)\right],"
                    r"\quad z = \frac{x - \mu}{\sigma}",
                ),
                v.Formula(
                    "erf(t) = (2/√π)·∫₀ᵗ e^(−u²) du",
                    r"\operatorname{erf}(t) = \frac{2}{\sqrt\pi}\int_0^t e^{-u^2}\,du",
                ),
            ),
        )
    )
    if result.point is not None:
        blocks.append(_point(result, result.point))
    if result.interval is not None:
        blocks.append(_interval(result, result.interval))
    if result.quantile is not None:
        blocks.append(_quantile(result, result.quantile))
    blocks.append(_rule(result))
    if plot:
        blocks.append(_plot(result))
    return v.View("mathml normal", tuple(blocks), "mathml normal")


def _z_line(result: Normal, point: Point, name: str = "") -> v.Math:
    """z = (x − μ)/σ with the numbers put in; `name` subscripts z and x (z_a, a)."""
    x, mu, sigma = point.x, result.mean, result.std
    z, at = (f"z_{name}", name) if name else ("z", "x")
    return v.Math(
        f"{z} = ({at} − μ)/σ = ({_n(x)} − {_n(mu)}) / {_n(sigma)} = {_n(point.z)}",
        rf"{z} = \frac{{{at} - \mu}}{{\sigma}} = \frac{{{_l(x)} - {_l(mu)}}}{{{_l(sigma)}}}"
        rf" = {_l(point.z)}",
    )


def _point(result: Normal, point: Point) -> v.Section:
    x, z = point.x, point.z
    t = z / math.sqrt(2)
    squared = f"({_n(z)})²" if z < 0 else f"{_n(z)}²"
    blocks: list[v.Block] = [
        v.Paragraph(
            (_z_line(result, point), v.Span("  standard deviations from the mean", "muted"))
        ),
        v.Paragraph(
            (
                v.Span("density ", "rule"),
                v.Math(
                    f"f({_n(x)}) = exp(−{squared}/2) / ({_n(result.std)}·√(2π)) = "
                    f"{_n(point.density)}",
                    rf"f({_l(x)}) = \frac{{e^{{-({_l(z)})^2/2}}}}{{{_l(result.std)}\sqrt{{2\pi}}}}"
                    rf" = {_l(point.density)}",
                    "result",
                ),
            )
        ),
        v.Note(("A density is not a probability: probabilities are areas under f.",), indent=1),
        v.Paragraph(
            (
                v.Span("below ", "rule"),
                v.Math(
                    f"P(X ≤ {_n(x)}) = Φ({_n(z)}) = ½·[1 + erf({_n(t)})] = {_n(point.cdf)}",
                    rf"P(X \le {_l(x)}) = \Phi({_l(z)}) = \tfrac12\left[1 + "
                    rf"\operatorname{{erf}}({_l(t)})\right] = {_l(point.cdf)}",
                    "result",
                ),
            )
        ),
        v.Paragraph(
            (
                v.Span("above ", "rule"),
                v.Math(
                    f"P(X > {_n(x)}) = 1 − Φ({_n(z)}) = ½·erfc({_n(t)}) = {_n(point.upper)}",
                    rf"P(X > {_l(x)}) = 1 - \Phi({_l(z)}) = \tfrac12\operatorname{{erfc}}"
                    rf"({_l(t)}) = {_l(point.upper)}",
                    "result",
                ),
            )
        ),
        v.Note(
            (
                "Both tails come from erfc = 1 − erf, which keeps its digits where ",
                v.Math("1 − Φ", r"1 - \Phi"),
                " would round to 0 (",
                v.Math("P(Z > 8) ≈ 6.2e-16", r"P(Z > 8) \approx 6.2 \times 10^{-16}"),
                ").",
            ),
            indent=1,
        ),
    ]
    return v.Section(part_heading(f"At x = {_n(x)}"), tuple(blocks))


def _interval(result: Normal, interval: Interval) -> v.Section:
    a, b = interval.low, interval.high
    blocks: list[v.Block] = [
        v.Paragraph((_z_line(result, a, "a"),), indent=1),
        v.Paragraph((_z_line(result, b, "b"),), indent=1),
    ]
    if interval.from_upper_tails:
        text = (
            f"P({_n(a.x)} < X < {_n(b.x)}) = Φ(z_b) − Φ(z_a) = (1 − Φ(z_a)) − (1 − Φ(z_b)) = "
            f"{_n(a.upper)} − {_n(b.upper)} = {_n(interval.probability)}"
        )
        latex = (
            rf"P({_l(a.x)} < X < {_l(b.x)}) = \Phi(z_b) - \Phi(z_a) = (1 - \Phi(z_a)) - "
            rf"(1 - \Phi(z_b)) = {_l(a.upper)} - {_l(b.upper)} = {_l(interval.probability)}"
        )
    else:
        text = (
            f"P({_n(a.x)} < X < {_n(b.x)}) = Φ(z_b) − Φ(z_a) = Φ({_n(b.z)}) − Φ({_n(a.z)}) = "
            f"{_n(b.cdf)} − {_n(a.cdf)} = {_n(interval.probability)}"
        )
        latex = (
            rf"P({_l(a.x)} < X < {_l(b.x)}) = \Phi(z_b) - \Phi(z_a) = \Phi({_l(b.z)}) - "
            rf"\Phi({_l(a.z)}) = {_l(b.cdf)} - {_l(a.cdf)} = {_l(interval.probability)}"
        )
    blocks.append(v.Paragraph((v.Math(text, latex, "result"),)))
    blocks.append(
        v.Note(
            (
                "The area under the density between a and b: everything below b minus "
                "everything below a.",
                *(
                    (
                        " Both are above the mean, so the upper tails are subtracted instead: ",
                        v.Math("Φ(z_a)", r"\Phi(z_a)"),
                        " and ",
                        v.Math("Φ(z_b)", r"\Phi(z_b)"),
                        " are both near 1 and their difference would lose digits.",
                    )
                    if interval.from_upper_tails
                    else ()
                ),
            ),
            indent=1,
        )
    )
    return v.Section(part_heading(f"Between {_n(a.x)} and {_n(b.x)}"), tuple(blocks))


def _quantile(result: Normal, quantile: Quantile) -> v.Section:
    p, z = quantile.p, quantile.z
    blocks: list[v.Block] = [
        v.Paragraph(
            (
                v.Math(
                    f"z = Φ⁻¹({p:g}) = √2·erfinv(2·{p:g} − 1) = {_n(z)}",
                    rf"z = \Phi^{{-1}}({p:g}) = \sqrt2\,\operatorname{{erfinv}}(2 \cdot {p:g} - 1)"
                    rf" = {_l(z)}",
                ),
            )
        ),
        v.Paragraph(
            (
                v.Math(
                    f"x = μ + σ·z = {_n(result.mean)} + {_n(result.std)}·{_n(z)} = "
                    f"{_n(quantile.x)}",
                    rf"x = \mu + \sigma z = {_l(result.mean)} + {_l(result.std)} \cdot {_l(z)}"
                    rf" = {_l(quantile.x)}",
                    "result",
                ),
            )
        ),
        v.Note(
            (
                f"{p:.6g} of the distribution lies below {_n(quantile.x)}: the inverse of the "
                "CDF, solved numerically (a rational approximation refined by Halley's method "
                "on ",
                v.Math("Φ(z) − p", r"\Phi(z) - p"),
                ").",
            ),
            indent=1,
        ),
    ]
    return v.Section(part_heading(f"Quantile: the x with P(X ≤ x) = {p:g}"), tuple(blocks))


def _rule(result: Normal) -> v.Section:
    rows = []
    for k, interval in zip(RULE_WIDTHS, result.rule, strict=True):
        rows.append(
            (
                v.Math(f"μ ± {k}σ", rf"\mu \pm {k}\sigma"),
                v.Math(
                    f"[{_n(interval.low.x)}, {_n(interval.high.x)}]",
                    rf"[{_l(interval.low.x)}, {_l(interval.high.x)}]",
                ),
                v.Math(f"erf({k}/√2)", rf"\operatorname{{erf}}({k}/\sqrt2)"),
                interval.probability,
                v.Math(f"{interval.probability:.1%}", f"{interval.probability * 100:.1f}\\%"),
            )
        )
    table = v.Table(
        (
            v.Column("within", align="left"),
            v.Column("interval", align="left"),
            v.Column(v.Math("P = Φ(k) − Φ(−k)", r"P = \Phi(k) - \Phi(-k)"), short="P"),
            v.Column("probability"),
            v.Column("≈", droppable=True),
        ),
        tuple(rows),
    )
    return v.Section(
        part_heading("The 68–95–99.7 rule"),
        (
            table,
            v.Note(
                (
                    "Within one, two and three standard deviations of the mean, whatever μ and σ: "
                    "a value beyond 3σ is rare (0.27%), which is why z-scores flag outliers.",
                ),
            ),
        ),
    )


def _fit(fit: Fit) -> v.Section:
    n = fit.n
    ss = fit.sum_of_squares
    blocks: list[v.Block] = [
        v.Paragraph((f"{n:,} numbers from {fit.source}. The log-likelihood of μ and σ is",)),
        v.Formula(
            "ℓ(μ, σ) = Σ log f(x_i) = −(n/2)·log(2π) − n·log σ − Σ(x_i − μ)²/(2σ²)",
            r"\ell(\mu, \sigma) = \sum_i \log f(x_i) = -\frac n2 \log(2\pi) - n\log\sigma"
            r" - \frac{\sum_i (x_i - \mu)^2}{2\sigma^2}",
        ),
        v.Paragraph(("Set its derivatives to zero:",)),
        v.Paragraph(
            (
                v.Math(
                    f"∂ℓ/∂μ = Σ(x_i − μ)/σ² = 0  ⇒  μ̂ = Σx/n = {_n(fit.mean)}",
                    r"\frac{\partial\ell}{\partial\mu} = \frac{\sum_i (x_i - \mu)}{\sigma^2} = 0"
                    rf" \Rightarrow \hat\mu = \frac{{\sum x}}{{n}} = {_l(fit.mean)}",
                    "result",
                ),
            ),
            indent=1,
        ),
        v.Paragraph(
            (
                v.Math(
                    f"∂ℓ/∂σ = −n/σ + Σ(x_i − μ)²/σ³ = 0  ⇒  σ̂² = Σ(x − μ̂)²/n = "
                    f"{_n(ss)} / {n:,} = {_n(fit.std**2)},  σ̂ = {_n(fit.std)}",
                    r"\frac{\partial\ell}{\partial\sigma} = -\frac n\sigma + "
                    r"\frac{\sum_i (x_i - \mu)^2}{\sigma^3} = 0 \Rightarrow \hat\sigma^2 = "
                    rf"\frac{{{_l(ss)}}}{{{n}}} = {_l(fit.std**2)},\ \hat\sigma = {_l(fit.std)}",
                    "result",
                ),
            ),
            indent=1,
        ),
        v.Note(
            (
                "The MLE of σ divides by n, not n − 1: it is np.std(x), slightly smaller than "
                f"the sample standard deviation s = {v.number(fit.sample_std)} (pandas' std), "
                "because ",
                v.Math("μ̂", r"\hat\mu"),
                " was fitted to the same data.",
            ),
            "warning",
            indent=1,
        ),
        v.Paragraph((v.Span("log-likelihood at the fit", "rule"),)),
        v.Paragraph(
            (
                v.Math(
                    f"ℓ(μ̂, σ̂) = −(n/2)·(log(2π·σ̂²) + 1) = {_n(fit.log_likelihood)}",
                    r"\ell(\hat\mu, \hat\sigma) = -\frac n2\left(\log(2\pi\hat\sigma^2) + 1\right)"
                    rf" = {_l(fit.log_likelihood)}",
                    "result",
                ),
            ),
            indent=1,
        ),
        v.Note(
            (
                "Likelihood: how well parameters explain the data. No other μ, σ give these "
                "numbers a higher ",
                v.Math("ℓ", r"\ell"),
                "; it is what regression's log-likelihood and AIC build on.",
            ),
            indent=1,
        ),
    ]
    return v.Section(part_heading("Maximum-likelihood fit"), tuple(blocks))


# --- plot --------------------------------------------------------------------------


def _plot(result: Normal) -> v.Plot:
    mu, sigma = result.mean, result.std
    low, high = mu - 4 * sigma, mu + 4 * sigma
    for x in _marked(result):
        low, high = min(low, x - 0.5 * sigma), max(high, x + 0.5 * sigma)
    steps = 200
    grid = [low + (high - low) * i / steps for i in range(steps + 1)]
    density = [_density(x, mu, sigma) for x in grid]
    series = [v.Series("density f(x)", tuple(grid), tuple(density))]
    if result.fit is not None:
        series.insert(0, _data_histogram(result.fit))
        title = "data against the fitted normal density"
    else:
        start, stop, label = _area(result)
        start, stop = max(start, low), min(stop, high)
        xs: list[float] = []
        ys: list[float] = []
        for i in range(61):
            x = start + (stop - start) * i / 60
            top = _density(x, mu, sigma)
            for level in range(1, 9):
                xs.append(x)
                ys.append(top * level / 8)
        series.append(v.Series(label, tuple(xs), tuple(ys), "scatter"))
        title = f"N({_n(mu)}, {_n(sigma)}²)"
    return v.Plot(title, tuple(series), "x", "density")


def _marked(result: Normal) -> list[float]:
    marks = []
    if result.point is not None:
        marks.append(result.point.x)
    if result.interval is not None:
        marks += [result.interval.low.x, result.interval.high.x]
    if result.quantile is not None:
        marks.append(result.quantile.x)
    return marks


def _area(result: Normal) -> tuple[float, float, str]:
    """The shaded part: what was asked, or the 68% within one σ."""
    if result.interval is not None:
        a, b = result.interval.low.x, result.interval.high.x
        return a, b, f"P({_n(a)} < X < {_n(b)}) = {_n(result.interval.probability)}"
    if result.point is not None:
        x = result.point.x
        return -math.inf, x, f"P(X ≤ {_n(x)}) = {_n(result.point.cdf)}"
    if result.quantile is not None:
        q = result.quantile
        return -math.inf, q.x, f"P(X ≤ {_n(q.x)}) = {q.p:g}"
    one = result.rule[0]
    return one.low.x, one.high.x, f"μ ± σ: {_n(one.probability)}"


def _density(x: float, mu: float, sigma: float) -> float:
    z = (x - mu) / sigma
    return math.exp(-0.5 * z * z) / (sigma * math.sqrt(2 * math.pi))


def _data_histogram(fit: Fit) -> v.Series:
    """The data's histogram as a density (bar heights sum to 1 in area), as a step line."""
    edges, counts = fit.histogram.edges, fit.histogram.counts
    total = sum(counts) or 1
    heights = [
        count / (total * (right - left))
        for left, right, count in zip(edges, edges[1:], counts, strict=False)
    ]
    return histogram_steps("data (histogram)", edges, heights)


# --- JSON ----------------------------------------------------------------------------


def _point_data(point: Point) -> dict[str, Any]:
    return {
        "x": point.x,
        "z": point.z,
        "density": point.density,
        "cdf": point.cdf,
        "upper_tail": point.upper,
    }


def data(result: Normal) -> dict[str, Any]:
    out: dict[str, Any] = {
        "mean": result.mean,
        "std": result.std,
        "rule": [
            {"k": k, "low": i.low.x, "high": i.high.x, "probability": i.probability}
            for k, i in zip(RULE_WIDTHS, result.rule, strict=True)
        ],
    }
    if result.point is not None:
        out["at"] = _point_data(result.point)
    if result.interval is not None:
        interval = result.interval
        out["between"] = {
            "low": _point_data(interval.low),
            "high": _point_data(interval.high),
            "probability": interval.probability,
        }
    if result.quantile is not None:
        out["quantile"] = {"p": result.quantile.p, "z": result.quantile.z, "x": result.quantile.x}
    if result.fit is not None:
        fit = result.fit
        out["fit"] = {
            "n": fit.n,
            "source": fit.source,
            "mean": fit.mean,
            "std": fit.std,
            "sample_std": fit.sample_std,
            "sum_of_squares": fit.sum_of_squares,
            "log_likelihood": fit.log_likelihood,
        }
    return out
