"""Trajectories against torch.optim, from fixtures recorded by tests/data/descend/record.py.

These run without torch (CI); tests/test_descend_torch.py compares live when torch is present.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from mathml_cli.core.descend import descend, prepare

FIXTURES = json.loads((Path(__file__).parent / "data/descend/trajectories.json").read_text())
CASES = FIXTURES["cases"]


def assert_same_trajectory(ours, theirs, rel: float = 1e-6) -> None:
    assert len(ours) == len(theirs)
    for step, (point, expected) in enumerate(zip(ours, theirs, strict=True)):
        for a, b in zip(point, expected, strict=True):
            assert math.isclose(a, b, rel_tol=rel, abs_tol=1e-12), (step, point, expected)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_trajectory_matches_torch(case):
    problem = prepare(case["expression"], case["start"])
    assert list(problem.variables) == sorted(case["start"])
    result = descend(
        problem,
        case["optimizer"],
        case["hyperparameters"],
        steps=case["steps"],
        tol=0.0,
        schedule=case["schedule"],
        schedule_parameters=case["schedule_parameters"],
    )
    assert result.status == "max_steps", result.reason
    assert_same_trajectory(result.points, case["points"])


def test_fixtures_cover_every_optimizer_and_schedule():
    from mathml_cli.core.optimizers import OPTIMIZERS
    from mathml_cli.core.schedules import SCHEDULES

    assert {case["optimizer"] for case in CASES} == set(OPTIMIZERS)
    assert {case["schedule"] for case in CASES} == set(SCHEDULES)
