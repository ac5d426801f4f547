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
from mathml_cli.core.numeric import richardson_slope

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

    def along(t: float) -> float | None:
        shifted = list(point)
        shifted[index] = x + t
        value = f(*shifted)
        return None if math.isnan(value) else float(value)

    return richardson_slope(along, 1e-3 * max(1.0, abs(x)))
