"""The normal distribution N(μ, σ²): density, CDF, intervals, quantiles and the MLE fit.

Φ(z) = ½·[1 + erf(z/√2)] is how the CDF is written; it is computed as
½·erfc(−z/√2), the same value without the cancellation of 1 + erf(...) for
negative z, and the upper tail P(X > x) = ½·erfc(z/√2) directly, so a tail
such as P(Z > 8) ≈ 6.2e-16 keeps all its digits instead of becoming 1 − 1 = 0.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from mathml_cli.core.describe import Histogram
from mathml_cli.core.inputs import read_number
from mathml_cli.errors import InputError, listed
from mathml_cli.records import Record

SQRT2 = math.sqrt(2.0)
SQRT_2PI = math.sqrt(2.0 * math.pi)
RULE_WIDTHS = (1, 2, 3)  # the 68–95–99.7 rule: within 1, 2 and 3 standard deviations


class Point(Record):
    """What the distribution says at one x."""

    x: float
    z: float  # (x − μ)/σ
    density: float  # exp(−z²/2)/(σ√(2π))
    cdf: float  # P(X ≤ x) = Φ(z)
    upper: float  # P(X > x) = 1 − Φ(z), computed directly


class Interval(Record):
    """P(a < X < b) = Φ(z_b) − Φ(z_a)."""

    low: Point
    high: Point
    probability: float
    from_upper_tails: bool  # computed as Q(z_a) − Q(z_b), where both CDFs are near 1


class Quantile(Record):
    """The x with P(X ≤ x) = p: z = √2·erfinv(2p − 1), x = μ + σ·z."""

    p: float
    z: float
    x: float


class Fit(Record):
    """The maximum-likelihood normal distribution for data."""

    n: int
    mean: float  # μ̂ = Σx/n
    sum_of_squares: float  # Σ(x − μ̂)²
    std: float  # σ̂ = √(Σ(x − μ̂)²/n): divides by n, not n − 1
    sample_std: float | None  # s, dividing by n − 1, for comparison
    log_likelihood: float  # ℓ(μ̂, σ̂) = −n/2·(log(2π σ̂²) + 1)
    source: str
    histogram: Histogram  # of the data, to draw against the fitted curve


class Normal(Record):
    mean: float
    std: float
    rule: tuple[Interval, ...]  # within 1, 2, 3 standard deviations of the mean
    point: Point | None = None
    interval: Interval | None = None
    quantile: Quantile | None = None
    fit: Fit | None = None


def check_parameters(mean: float, std: float) -> None:
    if not math.isfinite(mean):
        raise InputError(f"--mean must be a finite number, got {mean}")
    if not (math.isfinite(std) and std > 0):
        raise InputError(f"--std must be a positive number, got {std:g}")
    if not (math.isfinite(mean + 3 * std) and math.isfinite(mean - 3 * std)):
        raise InputError(
            f"--mean {mean:g} and --std {std:g} are too large: μ ± 3σ overflows float64"
        )


def point(mean: float, std: float, x: float) -> Point:
    z = (x - mean) / std
    if not math.isfinite(z):
        raise InputError(f"--x {x:g} is too far from the mean for --std {std:g}")
    density = math.exp(-0.5 * z * z) / (std * SQRT_2PI)
    return Point(x, z, density, cdf(z), upper_tail(z))


def cdf(z: float) -> float:
    """Φ(z) = ½·[1 + erf(z/√2)], evaluated as ½·erfc(−z/√2)."""
    return 0.5 * math.erfc(-z / SQRT2)


def upper_tail(z: float) -> float:
    """Q(z) = 1 − Φ(z) = ½·erfc(z/√2), without computing 1 − Φ(z)."""
    return 0.5 * math.erfc(z / SQRT2)


def interval(mean: float, std: float, low: float, high: float) -> Interval:
    if not low < high:
        raise InputError(f"--between needs a < b, got {low:g},{high:g}")
    a, b = point(mean, std, low), point(mean, std, high)
    if a.z > 0:
        # Both above the mean: Φ(z_a) and Φ(z_b) are both near 1 and their
        # difference would lose its digits; the upper tails hold them.
        return Interval(a, b, a.upper - b.upper, from_upper_tails=True)
    return Interval(a, b, b.cdf - a.cdf, from_upper_tails=False)


def standard_quantile(p: float) -> float:
    """z with Φ(z) = p, for 0 < p < 1: Acklam's rational approximation (relative
    error 1.2e-9), then one Halley step on Φ(z) − p, which brings it to rounding."""
    if not 0 < p < 1:
        raise InputError(f"--p must be strictly between 0 and 1, got {p:g}")
    a = (-39.69683028665376, 220.9460984245205, -275.9285104469687,
         138.3577518672690, -30.66479806614716, 2.506628277459239)  # fmt: skip
    b = (-54.47609879822406, 161.5858368580409, -155.6989798598866,
         66.80131188771972, -13.28068155288572)  # fmt: skip
    c = (-0.007784894002430293, -0.3223964580411365, -2.400758277161838,
         -2.549732539343734, 4.374664141464968, 2.938163982698783)  # fmt: skip
    d = (0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416)
    low = 0.02425
    if p < low or p > 1 - low:
        q = math.sqrt(-2 * math.log(p if p < low else 1 - p))
        z = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
        )
        z = z if p < low else -z
    else:
        q = p - 0.5
        r = q * q
        z = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (
            ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1
        )
    # Halley's step, with the error measured in the smaller tail so it keeps its digits.
    error = cdf(z) - p if p < 0.5 else (1 - p) - upper_tail(z)
    u = error * SQRT_2PI * math.exp(0.5 * z * z)
    return z - u / (1 + 0.5 * z * u)


def quantile(mean: float, std: float, p: float) -> Quantile:
    z = standard_quantile(p)
    return Quantile(p, z, mean + std * z)


def fit(blocks: Iterable[np.ndarray], source: str) -> Fit:
    """μ̂ and σ̂ maximising the likelihood of the data, with ℓ at the maximum.

    ℓ(μ, σ) = −n/2·log(2π) − n·log σ − Σ(x − μ)²/(2σ²). Setting ∂ℓ/∂μ = 0 gives
    μ̂ = x̄; ∂ℓ/∂σ = 0 gives σ̂² = Σ(x − x̄)²/n. The moments come from describe's
    one-pass accumulator, so a file of any size works.
    """
    from mathml_cli.core.describe import describe

    summary = describe(blocks, ["x"], source).columns[0]
    n = summary.n
    if n < 2:
        raise InputError(f"fitting a normal distribution needs at least 2 numbers, {source} has 1")
    variance = summary.population_variance
    if variance == 0:
        raise InputError(
            f"all {n} numbers in {source} are equal ({summary.mean:g}): "
            "σ̂ = 0 and the likelihood has no maximum"
        )
    log_likelihood = -0.5 * n * (math.log(2 * math.pi * variance) + 1)
    return Fit(
        n=n,
        mean=summary.mean,
        sum_of_squares=summary.sum_of_squares,
        std=math.sqrt(variance),
        sample_std=summary.sample_std,
        log_likelihood=log_likelihood,
        source=source,
        histogram=summary.histogram,
    )


def fit_input(data: Any, column: str | None = None) -> Fit:
    """The fit of the numbers in a file (or '-', stdin), or of one column of a CSV file;
    from Python also of a list or array of numbers, or a column of a DataFrame."""
    from mathml_cli.core.describe import dimensions, open_numbers, python_numbers
    from mathml_cli.core.sources import is_frame

    if not isinstance(data, (str, os.PathLike)) and not is_frame(data) and dimensions(data) < 2:
        if column is not None:
            raise InputError("--column picks a column of a CSV file or a DataFrame to --fit")
        numbers = np.array(python_numbers(data, "--fit"))
        return fit([numbers.reshape(-1, 1)], "the numbers")
    with open_numbers(data, [column] if column else None) as (blocks, names, source, _):
        if len(names) != 1:
            raise InputError(
                f"{source} has {len(names)} columns ({listed(names)}): choose one with --column"
            )
        return fit(blocks, source)


def _number(value: str | float, option: str) -> float:
    """A number given as text or from Python, with the command line's messages."""
    return read_number(value if isinstance(value, str) else repr(float(value)), option)


def read_between(value: str | Sequence[float]) -> tuple[float, float]:
    """`-1,1` (or, from Python, a pair of numbers) as (a, b) with a < b."""
    from mathml_cli.core.inputs import split_numbers

    tokens = split_numbers(value) if isinstance(value, str) else list(value)
    text = value if isinstance(value, str) else ",".join(str(token) for token in tokens)
    if len(tokens) != 2:
        raise InputError(f"--between needs two numbers a,b as in -1,1; got {text!r}")
    low, high = (_number(token, "--between") for token in tokens)
    if not low < high:
        raise InputError(f"--between needs a < b, got {text!r}")
    return low, high


def normal(
    mean: float = 0.0,
    std: float = 1.0,
    *,
    x: float | None = None,
    between: tuple[float, float] | None = None,
    p: float | None = None,
    fit_data: Fit | None = None,
) -> Normal:
    """N(mean, std²) and the answers asked for, with the 68–95–99.7 rule."""
    if fit_data is not None:
        mean, std = fit_data.mean, fit_data.std
    check_parameters(mean, std)
    rule = tuple(interval(mean, std, mean - k * std, mean + k * std) for k in RULE_WIDTHS)
    return Normal(
        mean=mean,
        std=std,
        rule=rule,
        point=point(mean, std, x) if x is not None else None,
        interval=interval(mean, std, *between) if between is not None else None,
        quantile=quantile(mean, std, p) if p is not None else None,
        fit=fit_data,
    )


def normal_input(
    mean: str | float | None = None,
    std: str | float | None = None,
    *,
    x: str | float | None = None,
    between: str | Sequence[float] | None = None,
    p: str | float | None = None,
    fit: Any = None,
    column: str | None = None,
) -> Normal:
    """`mathml normal`'s options, checked and read (text as the command line gives
    it, or Python values): N(0, 1) unless `mean` or `std` are given, or fitted to
    the data `fit` names (a path or '-'; from Python also numbers or a DataFrame)."""
    if column is not None and fit is None:
        raise InputError("--column picks the column to --fit: give --fit FILE too")
    fitted = fit_input(fit, column) if fit is not None else None
    if fitted is not None and (mean is not None or std is not None):
        raise InputError("--fit finds μ and σ from the data: leave out --mean and --std")
    return normal(
        _number(mean, "--mean") if mean is not None else 0.0,
        _number(std, "--std") if std is not None else 1.0,
        x=_number(x, "--x") if x is not None else None,
        between=read_between(between) if between is not None else None,
        p=_number(p, "--p") if p is not None else None,
        fit_data=fitted,
    )
