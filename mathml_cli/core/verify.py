"""Independent numeric check of a derivative: central finite differences.

A derivative is `verified` when it agrees with a Richardson-extrapolated
central difference of the function at several points where both are defined
and the function is smooth. Points near a kink (relu, abs at 0) or a
singularity are skipped, not counted as failures: there the difference
quotient itself is unreliable.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from mathml_cli.core.expr import free_variables, point_evaluator

WANTED_POINTS = 5
CANDIDATES = 60
TOLERANCE = 1e-6


@dataclass(frozen=True)
class CheckedPoint:
    point: dict[str, float]
    derivative: float  # the symbolic derivative's value
    finite_difference: float


@dataclass(frozen=True)
class Verification:
    """verified: True (agreed at every point), False (disagreed), None (no usable point)."""

    verified: bool | None
    points: tuple[CheckedPoint, ...]
    method: str = "central finite differences with Richardson extrapolation"


def check_derivative(function: Any, derivative: Any, variable: str) -> Verification:
    """Compare `derivative` with finite differences of `function` along `variable`."""
    names = sorted(set(free_variables(function)) | set(free_variables(derivative)) | {variable})
    f = point_evaluator(function, names)
    df = point_evaluator(derivative, names)
    index = names.index(variable)
    rng = random.Random(20261122)
    checked: list[CheckedPoint] = []
    for attempt in range(CANDIDATES):
        # Half the candidates are positive, for functions such as log and sqrt.
        low = 0.05 if attempt % 2 else -3.0
        point = [rng.uniform(low, 3.0) for _ in names]
        expected = _finite_difference(f, point, index)
        got = df(*point)
        if expected is None or math.isnan(got):
            continue
        scale = max(1.0, abs(expected), abs(got))
        checked.append(CheckedPoint(dict(zip(names, point, strict=True)), got, expected))
        if abs(expected - got) > TOLERANCE * scale:
            return Verification(False, tuple(checked))
        if len(checked) == WANTED_POINTS:
            break
    return Verification(True if checked else None, tuple(checked))


def _finite_difference(f: Any, point: list[float], index: int) -> float | None:
    x = point[index]
    h = 1e-3 * max(1.0, abs(x))

    def central(step: float) -> float | None:
        ahead, behind = list(point), list(point)
        ahead[index] = x + step
        behind[index] = x - step
        high, low = f(*ahead), f(*behind)
        if math.isnan(high) or math.isnan(low):
            return None
        return (high - low) / (2 * step)

    coarse, fine, finest = central(h), central(h / 2), central(h / 4)
    if coarse is None or fine is None or finest is None:
        return None
    first = (4 * fine - coarse) / 3
    second = (4 * finest - fine) / 3
    # Two extrapolations that disagree mean a kink or a pole nearby: skip.
    if abs(first - second) > 1e-7 * max(1.0, abs(second)):
        return None
    return second
