"""Gradients against torch.autograd, from numbers recorded by tests/data/backprop/record.py.

These run without torch (CI); tests/test_backprop_torch.py compares live when torch is present.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from mathml_cli.core.backprop import backprop

FIXTURES = json.loads((Path(__file__).parent / "data/backprop/torch_gradients.json").read_text())
CASES = FIXTURES["cases"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_gradients_match_torch(case):
    result = backprop(case["expression"], case["at"])
    assert math.isclose(result.output, case["output"], rel_tol=1e-9, abs_tol=1e-15)
    assert set(result.gradients) == set(case["gradients"])
    for name, expected in case["gradients"].items():
        assert math.isclose(result.gradient(name), expected, rel_tol=1e-9, abs_tol=1e-15), name
    assert result.verified is not False


def test_the_recorded_numbers_are_torchs_float64():
    assert FIXTURES["dtype"] == "float64" and FIXTURES["torch"].startswith("2.")
    assert len(CASES) >= 10
