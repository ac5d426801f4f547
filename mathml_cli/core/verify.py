"""Independent numeric check of a derivative: central finite differences.

A derivative is `verified` when it agrees, relatively, with a
Richardson-extrapolated central difference of the function at several points
where both are defined and the function is smooth. A point where the
difference quotient cannot be trusted is skipped, not counted as a failure:
next to a kink (relu, abs at 0) or a pole, where the extrapolations disagree,
and where the function is so large next to its slope that rounding drowns
the difference (cosh(3/x) near 0 beside a term of size 0.1).
"""

from __future__ import annotations

import math
import random
import sys
from dataclasses import dataclass
from typing import Any

from mathml_cli.core.expr import free_variables, point_evaluator
from mathml_cli.core.numeric import richardson_estimate

WANTED_POINTS = 5
CANDIDATES = 240
# Agreement asked of the derivative and the difference quotient, relative to
# the larger of the two (beyond what rounding in the function explains).
TOLERANCE = 1e-6
# A point counts only where rounding in f leaves the difference quotient this
# many digits of the slope (3): enough to tell a wrong derivative from a right one.
RESOLUTION = 1e-3
# Rounding error of the extrapolated quotient, in units of eps·|f|/h (the
# three central differences at h, h/2 and h/4 and their combination).
ROUNDING = 64 * sys.float_info.epsilon
# The error estimate is a guess (rounding inside f, as in log(1 + tiny), is
# larger than eps·|f|): the margin allowed is this many times the estimate.
MARGIN = 8.0
# Where the candidate points come from, in turn: the usual range, positives
# only (log, sqrt), close to 0, wider, and any magnitude from 0.01 to 10,000
# of either sign (log(x - 100) is defined only far out).
RANGES = ((-3.0, 3.0), (0.05, 3.0), (-0.5, 0.5), (0.5, 30.0), (-30.0, 30.0), None)
# Relative step sizes tried in turn: smaller ones for fast oscillation
# (sin(299*x)), larger ones where rounding in f drowns the smaller.
STEPS = (1e-3, 1e-4, 1e-5, 1e-2, 1e-1)
# Each quotient is confirmed by a second one at this fraction of its step,
# incommensurate with it: two extrapolations can agree by chance where a step
# is too coarse for the function (aliasing), two step sizes hardly ever do.
CONFIRMING_STEP = 0.3183


@dataclass(frozen=True)
class CheckedPoint:
    point: dict[str, float]
    derivative: float  # the symbolic derivative's value
    finite_difference: float
    # What rounding in f and the quotient's truncation error can explain of
    # their difference (absolute).
    rounding: float = 0.0
    # Set where the comparison was made at PRECISE_DIGITS digits: the relative
    # difference found there (the floats above may have underflowed).
    precise_relative: float | None = None

    @property
    def relative_difference(self) -> float:
        """|derivative − finite difference| relative to the larger of the two; 0 where
        both are 0 up to rounding (a zero derivative beside a quotient of pure noise)."""
        if self.precise_relative is not None:
            return self.precise_relative
        scale = max(abs(self.derivative), abs(self.finite_difference))
        if scale <= MARGIN * self.rounding:
            return 0.0
        return abs(self.derivative - self.finite_difference) / scale

    @property
    def agrees(self) -> bool:
        if self.precise_relative is not None:
            return self.precise_relative <= TOLERANCE
        scale = max(abs(self.derivative), abs(self.finite_difference))
        allowed = TOLERANCE * scale + MARGIN * self.rounding
        return abs(self.derivative - self.finite_difference) <= allowed


@dataclass(frozen=True)
class Verification:
    """verified: True (agreed at every point), False (disagreed), None (no usable point)."""

    verified: bool | None
    points: tuple[CheckedPoint, ...]
    method: str = "central finite differences with Richardson extrapolation"

    @property
    def largest_relative_difference(self) -> float | None:
        return max((p.relative_difference for p in self.points), default=None)

    @property
    def failed_point(self) -> CheckedPoint | None:
        """The point where the derivative and the finite difference disagreed."""
        return next((p for p in self.points if not p.agrees), None)

    @property
    def summary(self) -> str:
        """The outcome in one sentence, the same in every output format."""
        count = len(self.points)
        if self.verified is True:
            return (
                f"checked: agrees with finite differences at {count} point"
                f"{'s' if count != 1 else ''} (largest relative difference "
                f"{self.largest_relative_difference:.1e})"
            )
        bad = self.failed_point
        if self.verified is False and bad is not None:
            where = ", ".join(f"{name} = {value:.6g}" for name, value in bad.point.items())
            return (
                f"CHECK FAILED: at {where} this derivative is {bad.derivative:.6g} but finite "
                f"differences give {bad.finite_difference:.6g} (relative difference "
                f"{bad.relative_difference:.1e}); do not trust this result"
            )
        return "not checked: no point was found where the function is defined and smooth"


def check_derivative(function: Any, derivative: Any, variable: str) -> Verification:
    """Compare `derivative` with finite differences of `function` along `variable`."""
    names = sorted(set(free_variables(function)) | set(free_variables(derivative)) | {variable})
    f = point_evaluator(function, names)
    df = point_evaluator(derivative, names)
    index = names.index(variable)
    rng = random.Random(20261122)
    checked: list[CheckedPoint] = []
    for attempt in range(CANDIDATES):
        point = [_candidate(rng, RANGES[attempt % len(RANGES)]) for _ in names]
        got = df(*point)
        if math.isnan(got):
            continue
        measured = _finite_difference(f, point, index, got)
        if measured is None:
            continue
        expected, rounding = measured
        candidate = CheckedPoint(dict(zip(names, point, strict=True)), got, expected, rounding)
        if not candidate.agrees:
            # Float64 can mislead both sides (3**x - 3**x at x = 668, an overflow
            # inside the derivative of tanh written with exp): decide at 50 digits.
            precise = _precise_point(function, derivative, names, point, index)
            if precise is None:
                continue
            candidate = precise
        checked.append(candidate)
        if not candidate.agrees:
            return Verification(False, tuple(checked))
        if len(checked) == WANTED_POINTS:
            break
    return Verification(True if checked else None, tuple(checked))


PRECISE_DIGITS = 50
# Both sides below this at 50 digits are both 0: an exact zero beside the rounding
# residue of a constant typed unevaluated (sin(pi) is 1e-16 in floats, far less here).
NEGLIGIBLE = 1e-35


def _precise_point(
    function: Any, derivative: Any, names: list[str], point: list[float], index: int
) -> CheckedPoint | None:
    """The derivative and mpmath's numerical derivative of the function at `point`,
    both at PRECISE_DIGITS digits; None where either cannot be computed there."""
    import mpmath
    import sympy

    from mathml_cli.core.functions import to_elementary

    symbols = [sympy.Symbol(name, real=True) for name in names]
    modules = [_MPMATH_FUNCTIONS, "mpmath"]
    try:
        f = sympy.lambdify(symbols, to_elementary(function), modules=modules)
        df = sympy.lambdify(symbols, to_elementary(derivative), modules=modules)
        with mpmath.workdps(PRECISE_DIGITS):
            at = [mpmath.mpf(value) for value in point]

            def along(t: Any) -> Any:
                return _real(f(*at[:index], t, *at[index + 1 :]))

            expected = mpmath.diff(along, at[index])
            got = _real(df(*at))
            if not (mpmath.isfinite(expected) and mpmath.isfinite(got)):
                return None
            scale = max(abs(expected), abs(got))
            relative = 0.0 if scale <= NEGLIGIBLE else float(abs(got - expected) / scale)
    except (ArithmeticError, ValueError, TypeError, NameError, NotImplementedError):
        return None
    return CheckedPoint(
        dict(zip(names, point, strict=True)), float(got), float(expected), 0.0, relative
    )


def _real(value: Any) -> Any:
    import mpmath

    value = mpmath.mpmathify(value)
    if isinstance(value, mpmath.mpc):
        if value.imag != 0:
            raise ValueError("not a real number")
        value = value.real
    return value


def _heaviside(value: Any, at_zero: Any = 0.5) -> Any:
    return 1 if value > 0 else (0 if value < 0 else at_zero)


# What lambdify's mpmath printer lacks for the functions to_elementary leaves.
_MPMATH_FUNCTIONS: dict[str, Any] = {
    "Heaviside": _heaviside,
    "Max": lambda *args: max(args),
    "Min": lambda *args: min(args),
}


def _candidate(rng: random.Random, bounds: tuple[float, float] | None) -> float:
    if bounds is None:
        return rng.choice((-1.0, 1.0)) * 10 ** rng.uniform(-2.0, 4.0)
    return rng.uniform(*bounds)


def _finite_difference(
    f: Any, point: list[float], index: int, derivative: float
) -> tuple[float, float] | None:
    """The extrapolated difference quotient and its error (rounding in f, and
    truncation), or None where it cannot tell `derivative` from a wrong value."""
    x = point[index]
    centre = f(*point)
    if math.isnan(centre):
        return None

    def along(t: float) -> float | None:
        shifted = list(point)
        shifted[index] = x + t
        value = f(*shifted)
        return None if math.isnan(value) else float(value)

    for relative_step in STEPS:
        h = relative_step * max(1.0, abs(x))
        estimate = richardson_estimate(along, h)
        confirming = richardson_estimate(along, CONFIRMING_STEP * h)
        if estimate is None or confirming is None:
            continue
        slope, truncation = estimate
        error = ROUNDING * abs(centre) / (CONFIRMING_STEP * h) + max(truncation, confirming[1])
        if abs(slope - confirming[0]) > MARGIN * error + TOLERANCE * abs(slope):
            continue  # the two step sizes disagree: neither can be trusted here
        if MARGIN * error <= RESOLUTION * max(abs(slope), abs(derivative)):
            return slope, error
        if derivative == 0.0 and abs(slope) <= error:
            # A zero derivative (a constant, sin² + cos²): the quotient is 0
            # up to its error, which is all it can say.
            return slope, error
    return None
