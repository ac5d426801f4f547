"""Student's t and Fisher's F distributions, through mpmath's incomplete beta function.

Both tails are regularized incomplete beta functions, which mpmath evaluates
to any precision; we work at 30 digits and hand back floats, so a p-value such
as 1e-200 is not lost to cancellation.
"""

from __future__ import annotations

import math

import mpmath

_DIGITS = 30
_SERIES_LIMIT = 100


def _beta_cdf(a: float, b: float, x: mpmath.mpf) -> mpmath.mpf:
    """I_x(a, b), the regularized incomplete beta function.

    mpmath's betainc sums a hypergeometric series, which converges quickly for
    x <= 1/2, and for x > 1/2 through I_x(a, b) = 1 - I_(1-x)(b, a) while
    a(1 - x) is moderate. Beyond that (a t statistic of 40 with a million
    degrees of freedom) the series needs about a(1 - x) terms, so the density
    is integrated instead with mpmath's tanh-sinh quadrature, which is accurate
    for the tiny probabilities found there.
    """
    if x <= 0.5:
        return mpmath.betainc(a, b, 0, x, regularized=True)
    if a * (1 - x) < _SERIES_LIMIT:
        result = 1 - mpmath.betainc(b, a, 0, 1 - x, regularized=True)
        lost = -int(mpmath.log10(result)) if result > 0 else mpmath.mp.dps
        if lost > 10:
            # The subtraction cancelled `lost` digits: redo it with that many more.
            with mpmath.extradps(lost + 10):
                result = 1 - mpmath.betainc(b, a, 0, 1 - x, regularized=True)
        return result
    log_norm = mpmath.log(mpmath.beta(a, b))

    def density(u: mpmath.mpf) -> mpmath.mpf:
        return mpmath.exp((a - 1) * mpmath.log(u) + (b - 1) * mpmath.log1p(-u) - log_norm)

    # Here the density rises steeply towards x, falling by a factor e over
    # `scale`: split the interval there so the quadrature puts its points
    # where the mass is.
    scale = 1 / ((a - 1) / x - (b - 1) / (1 - x))
    points = [x - k * scale for k in (1000, 100, 10, 1) if x - k * scale > 0]
    return mpmath.quad(density, [0, *points, x])


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| >= |t|) for T with `df` degrees of freedom."""
    if math.isnan(t) or df <= 0:
        return math.nan
    if math.isinf(t):
        return 0.0
    with mpmath.workdps(_DIGITS):
        t_squared = mpmath.mpf(t) ** 2
        return float(_beta_cdf(df / 2, 0.5, df / (df + t_squared)))


def t_quantile(probability: float, df: float) -> float:
    """The value q with P(T <= q) = probability, for 0.5 <= probability < 1."""
    if not 0.5 <= probability < 1 or df <= 0:
        raise ValueError("t_quantile needs 0.5 <= probability < 1 and df > 0")
    if probability == 0.5:
        return 0.0
    with mpmath.workdps(_DIGITS):
        tail = 2 * (1 - mpmath.mpf(probability))  # the two-sided p-value q must give

        def gap(q: mpmath.mpf) -> mpmath.mpf:
            return _beta_cdf(df / 2, 0.5, df / (df + q**2)) - tail

        # The tail falls from 1 at q = 0 towards 0: grow the bracket until it
        # holds the root, then a bracketing solver cannot lose it.
        high = mpmath.mpf(4)
        while gap(high) > 0:
            high *= 4
        return float(mpmath.findroot(gap, (mpmath.mpf(0), high), solver="illinois"))


def f_survival(f: float, df_num: float, df_den: float) -> float:
    """P(F >= f) for F with (df_num, df_den) degrees of freedom."""
    if math.isnan(f) or df_num <= 0 or df_den <= 0:
        return math.nan
    if math.isinf(f):
        return 0.0
    if f <= 0:
        return 1.0
    with mpmath.workdps(_DIGITS):
        x = df_den / (df_den + df_num * mpmath.mpf(f))
        return float(_beta_cdf(df_den / 2, df_num / 2, x))
