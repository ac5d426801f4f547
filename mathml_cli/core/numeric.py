"""Finite differences, the independent numeric check behind derive and backprop."""

from __future__ import annotations

from collections.abc import Callable

# Two Richardson extrapolations further apart than this (relative) mean a kink
# or a pole is near: the difference quotient cannot be trusted there.
AGREEMENT = 1e-7


def richardson_slope(along: Callable[[float], float | None], h: float) -> float | None:
    """The derivative at t = 0 of `along(t)` (a function at point + t·direction).

    Central differences at h, h/2 and h/4, combined by Richardson extrapolation
    (error O(h⁴)); None where `along` is undefined or the two extrapolations
    disagree, as they do next to a kink (relu, abs at 0) or a pole.
    """
    estimate = richardson_estimate(along, h)
    return None if estimate is None else estimate[0]


def richardson_estimate(
    along: Callable[[float], float | None], h: float
) -> tuple[float, float] | None:
    """richardson_slope's value and the difference of its two extrapolations,
    a bound on its truncation error (the finer one is about 16 times closer)."""

    def central(step: float) -> float | None:
        high, low = along(step), along(-step)
        if high is None or low is None:
            return None
        return (high - low) / (2 * step)

    coarse, fine, finest = central(h), central(h / 2), central(h / 4)
    if coarse is None or fine is None or finest is None:
        return None
    first = (4 * fine - coarse) / 3
    second = (4 * finest - fine) / 3
    if abs(first - second) > AGREEMENT * max(1.0, abs(second)):
        return None
    return second, abs(first - second)
