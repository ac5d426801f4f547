"""Every activation of `mathml explain` is a row of the function table, so derive,
descend and backprop accept it; each row is checked against PyTorch: its value, and
its derivative with the slope PyTorch's backward takes at a kink.

The references are torch.nn.functional's own functions, recorded in
tests/data/explain/torch_reference.json (float64, by tests/data/explain/record.py)
and, when torch is installed, run live on random points and on the kinks.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from mathml_cli.core.backprop import backprop
from mathml_cli.core.catalogue import ENTRIES, SELU_ALPHA, SELU_SCALE, Entry
from mathml_cli.core.derive import derive
from mathml_cli.core.descend import descend, prepare
from mathml_cli.core.expr import evaluate, parse_expression
from mathml_cli.core.functions import FUNCTIONS

REFERENCE = json.loads(
    (Path(__file__).parent / "data" / "explain" / "torch_reference.json").read_text()
)
WITH_A_CALL = [entry for entry in ENTRIES if entry.call]
# torch's hardsigmoid backward multiplies by 1/6 rounded to float32.
SLOPE_TOLERANCE = {"hard_sigmoid": 1e-7}


def _name(entry: Entry) -> str:
    return entry.name


def _with_defaults(entry: Entry) -> str:
    """The entry's call with its parameters at their defaults: leaky_relu(x, 0.01)."""
    text = entry.call
    for parameter in entry.parameters:
        text = re.sub(rf"\b{parameter.name}\b", repr(parameter.default), text)
    return text


def test_every_activation_but_softmax_is_a_row_of_the_function_table():
    activations = {e.name for e in ENTRIES if e.category == "activation"} - {"softmax"}
    assert {entry.name for entry in WITH_A_CALL} == activations
    for entry in WITH_A_CALL:
        assert entry.call.split("(")[0] in FUNCTIONS, entry.call


def test_selus_constants_are_torchs():
    # torch.nn.functional.selu(1) = λ and selu(x) → −λ·α as x → −∞ (recorded at -6).
    (at_one,) = [r for r in REFERENCE["cases"]["selu"] if r["point"]["x"] == 1.0]
    assert FUNCTIONS["selu"].value(1.0) == at_one["value"] == SELU_SCALE  # type: ignore[misc]
    (at_zero,) = [r for r in REFERENCE["cases"]["selu"] if r["point"]["x"] == 0.0]
    assert at_zero["derivative"] == pytest.approx(SELU_SCALE * SELU_ALPHA, rel=1e-15)


@pytest.mark.parametrize("entry", WITH_A_CALL, ids=_name)
def test_the_row_is_torchs_function_in_derive_and_backprop(entry):
    """At every recorded point, kinks included: the parsed call's value, derive's
    derivative evaluated there, the row's float value and local slope, and backprop's
    gradient through w*x + b, all against torch."""
    text = _with_defaults(entry)
    spec = FUNCTIONS[entry.call.split("(")[0]]
    assert spec.value is not None and spec.local is not None
    parameters = [p.default for p in entry.parameters if p.name in entry.call]
    derivative = derive(text, "x").partials[0].result
    expression = parse_expression(text)
    tolerance = SLOPE_TOLERANCE.get(entry.name, 1e-12)
    for row in REFERENCE["cases"][entry.name]:
        x = row["point"]["x"]
        assert evaluate(expression, {"x": x}) == pytest.approx(row["value"], rel=1e-13, abs=1e-15)
        assert spec.value(x, *parameters) == pytest.approx(row["value"], rel=1e-13, abs=1e-15)
        if row["derivative"] is None:  # autograd has no derivative for heaviside
            continue
        torch_slope = pytest.approx(row["derivative"], rel=tolerance, abs=1e-15)
        assert evaluate(derivative, {"x": x}) == torch_slope, (entry.name, x)
        local = spec.local([x, *parameters], spec.value(x, *parameters))[0]
        assert local == torch_slope, (entry.name, x)
        # Through the chain rule: d/dw f(w*x + b) = f'(w*x + b)*x at w = 1, b = 0.
        graph = backprop(text.replace("(x", "(w*x + b", 1), {"w": 1.0, "x": x, "b": 0.0})
        assert graph.gradient("b") == torch_slope, (entry.name, x)
        assert graph.gradient("w") == pytest.approx(row["derivative"] * x, rel=tolerance, abs=1e-15)


@pytest.mark.parametrize("name", ["selu", "mish", "hard_sigmoid", "softsign"])
def test_the_explain_entry_and_the_row_are_the_same_function(name):
    # The entry's formula is written out (elementary functions); the row is one call.
    entry = next(e for e in ENTRIES if e.name == name)
    values = {p.name: p.default for p in entry.parameters}
    formula = parse_expression(entry.formula)
    closed_form = parse_expression(entry.closed_form)
    call = parse_expression(entry.call)
    derivative = derive(entry.call, "x").partials[0].result
    for x in (-5.0, -3.0, -2.5, -1.0, -0.25, 0.0, 0.25, 1.0, 2.5, 3.0, 5.0):
        point = {**values, "x": x}
        assert evaluate(call, point) == pytest.approx(
            evaluate(formula, point), rel=1e-14, abs=1e-15
        )
        # The closed form takes PyTorch's slope at a kink, as the row does.
        assert evaluate(derivative, point) == pytest.approx(
            evaluate(closed_form, point), rel=1e-14, abs=1e-15
        )


@pytest.mark.parametrize(
    ("text", "slope"),
    [
        ("selu(x)", SELU_SCALE * SELU_ALPHA),  # the left side's, as torch
        ("hard_sigmoid(x + 3)", 0.0),  # at 3
        ("hard_sigmoid(x - 3)", 0.0),  # at -3
    ],
)
def test_at_a_kink_derive_warns_and_backprop_says_it_used_a_convention(text, slope):
    derivation = derive(text, at={"x": 0.0})
    assert derivation.derivative_values["x"] == pytest.approx(slope, rel=1e-15)
    assert any("has a kink here" in warning for warning in derivation.warnings)
    graph = backprop(text, {"x": 0.0})
    assert graph.gradient("x") == pytest.approx(slope, rel=1e-15)
    assert graph.backward.conventions


@pytest.mark.parametrize("name", ["selu", "mish", "hard_sigmoid", "softsign"])
def test_descend_minimises_through_the_new_functions(name):
    # (f(x) - f(1))**2 has its minimum at x = 1, where each f is increasing.
    spec = FUNCTIONS[name]
    assert spec.value is not None
    target = spec.value(1.0)
    problem = prepare(f"({name}(x) - {target!r})**2", "x=0.5")
    result = descend(problem, "sgd", {"lr": 0.2}, steps=3000)
    assert result.status == "converged"
    assert result.points[-1][0] == pytest.approx(1.0, abs=1e-4)


# --- live PyTorch ---------------------------------------------------------------


@pytest.mark.parametrize("entry", WITH_A_CALL, ids=_name)
def test_live_torch_on_random_points_and_kinks(entry):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F  # noqa: N812 - torch's own convention

    references = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": F.relu,
        "leaky_relu": lambda t: F.leaky_relu(t, 0.01),
        "elu": lambda t: F.elu(t, 1.0),
        "selu": F.selu,
        "gelu": lambda t: F.gelu(t, approximate="none"),
        "silu": F.silu,
        "softplus": F.softplus,
        "mish": F.mish,
        "hard_sigmoid": F.hardsigmoid,
        "softsign": F.softsign,
    }
    if entry.name not in references:  # the step: autograd has no heaviside derivative
        pytest.skip(f"torch has no derivative for {entry.name}")
    generator = torch.Generator().manual_seed(0)
    points = (torch.rand(60, generator=generator, dtype=torch.float64) - 0.5) * 16
    points = torch.cat([points, torch.tensor([-3.0, 0.0, 3.0], dtype=torch.float64)])
    points.requires_grad_(True)
    values = references[entry.name](points)
    values.sum().backward()
    text = _with_defaults(entry)
    derivative = derive(text, "x").partials[0].result
    expression = parse_expression(text)
    tolerance = SLOPE_TOLERANCE.get(entry.name, 1e-12)
    for x, value, slope in zip(points.tolist(), values.tolist(), points.grad.tolist(), strict=True):
        assert evaluate(expression, {"x": x}) == pytest.approx(value, rel=1e-12, abs=1e-14)
        ours = evaluate(derivative, {"x": x})
        assert ours == pytest.approx(slope, rel=tolerance, abs=1e-14), (entry.name, x)
        assert math.isfinite(ours)
