"""The function table: one row per function, read by the parser, derive, backprop and the
evaluator; each row checked against finite differences and SymPy."""

from __future__ import annotations

import math
import re

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from mathml_cli.core import expr as expr_module
from mathml_cli.core.backprop import backprop
from mathml_cli.core.derive import derive
from mathml_cli.core.expr import parse_expression, point_evaluator
from mathml_cli.core.functions import BY_CLASS, FUNCTION_TABLE, FUNCTIONS, to_elementary
from mathml_cli.core.graph import OPERATIONS
from mathml_cli.core.rules import RULES
from mathml_cli.errors import InputError

# Where each function is defined and smooth enough for a central difference.
DOMAINS = {
    "log": (0.05, 5.0),
    "ln": (0.05, 5.0),
    "sqrt": (0.05, 5.0),
    "asin": (-0.95, 0.95),
    "acos": (-0.95, 0.95),
    "acosh": (1.05, 5.0),
    "atanh": (-0.95, 0.95),
    "log1p": (-0.95, 5.0),
    "tan": (-1.4, 1.4),
    "hard_sigmoid": (-5.0, 5.0),  # both flat parts and the slope between
}
ONE_ARGUMENT = [spec for spec in FUNCTION_TABLE if spec.local is not None]


def central_difference(function, x: float, h: float = 1e-6) -> float:
    return (function(x + h) - function(x - h)) / (2 * h)


# --- the table is the single source ------------------------------------------


def test_every_row_reaches_the_parser_derive_backprop_and_the_evaluator():
    assert set(expr_module.FUNCTIONS) == set(FUNCTIONS)
    for spec in FUNCTION_TABLE:
        if spec.rule is not None:
            assert spec.rule in RULES, spec.name
        if spec.local is not None:
            assert spec.name in OPERATIONS, spec.name
        if spec.formula:
            assert RULES[spec.rule].formula == spec.formula  # type: ignore[index]
            assert spec.formula.startswith(f"d/dx[{spec.name}(")
    for cls, spec in BY_CLASS.items():
        assert spec.rule in RULES, cls


@pytest.mark.parametrize("spec", ONE_ARGUMENT, ids=lambda spec: spec.name)
@settings(max_examples=25, deadline=None)
@given(unit=st.floats(0.0, 1.0))
def test_local_derivative_matches_finite_differences(spec, unit):
    low, high = DOMAINS.get(spec.name, (-3.0, 3.0))
    x = low + unit * (high - low)
    if any(abs(x - kink) < 1e-3 for kink in spec.kinks):
        x += 0.01  # the kink itself is a convention, tested below
    value = spec.value
    assert value is not None and spec.local is not None
    slope = spec.local([x], value(x))[0]
    assert isinstance(slope, float)
    assert slope == pytest.approx(central_difference(value, x), rel=1e-6, abs=1e-7)


@pytest.mark.parametrize("spec", ONE_ARGUMENT, ids=lambda spec: spec.name)
def test_float_value_matches_sympy(spec):
    low, high = DOMAINS.get(spec.name, (-3.0, 3.0))
    x = sympy.Symbol("x", real=True)
    call = to_elementary(parse_expression(f"{spec.name}(x)"))
    for t in (0.13, 0.5, 0.87):
        point = low + t * (high - low)
        expected = float(call.subs(x, sympy.Float(point, 30)).evalf(30))
        assert spec.value(point) == pytest.approx(expected, rel=1e-12, abs=1e-15)  # type: ignore[misc]


# --- the new rows, through derive and backprop --------------------------------

NEW = [
    "leaky_relu(x)",
    "leaky_relu(x, 0.2)",
    "elu(x)",
    "elu(x, 0.5)",
    "gelu(x)",
    "silu(x)",
    "swish(x)",
    "log1p(x)",
    "expm1(x)",
    "erf(x)",
    "asinh(x)",
    "acosh(x)",
    "atanh(x)",
    "selu(x)",
    "mish(x)",
    "hard_sigmoid(x)",
    "softsign(x)",
]


@pytest.mark.parametrize("text", NEW)
def test_derive_agrees_with_sympy_on_the_elementary_form(text):
    x = sympy.Symbol("x", real=True)
    ours = derive(text, "x").partials[0].result
    theirs = sympy.diff(to_elementary(parse_expression(text)), x)
    f = point_evaluator(ours, ["x"])
    g = point_evaluator(theirs.replace(sympy.DiracDelta, lambda *a: 0), ["x"])
    low, high = DOMAINS.get(text.split("(")[0], (-3.0, 3.0))
    for t in (0.1, 0.3, 0.45, 0.7, 0.9):  # none lands on a kink at 0
        point = low + t * (high - low)
        assert f(point) == pytest.approx(g(point), rel=1e-9, abs=1e-12), (text, point)


@pytest.mark.parametrize("text", NEW)
def test_backprop_agrees_with_finite_differences(text):
    inner = text.replace("(x", "(w*x + b", 1)  # through the chain rule, and a parameter
    name = text.split("(")[0]
    low, high = DOMAINS.get(name, (-3.0, 3.0))
    at = {"w": 0.7, "x": 0.3 * low + 0.7 * high, "b": 0.0}
    at["x"] = at["x"] / 0.7  # so that w*x + b sits inside the domain
    result = backprop(inner, at)
    evaluate = point_evaluator(parse_expression(inner), ["b", "w", "x"])
    for variable in ("w", "x", "b"):

        def along(value: float, variable: str = variable) -> float:
            point = {**at, variable: value}
            return evaluate(point["b"], point["w"], point["x"])

        expected = central_difference(along, at[variable])
        assert result.gradient(variable) == pytest.approx(expected, rel=1e-6, abs=1e-8)


def test_the_slope_parameters_are_differentiable_too():
    result = backprop("leaky_relu(x, a) + elu(y, c)", {"x": -2.0, "a": 0.3, "y": -1.0, "c": 2.0})
    assert result.gradient("a") == pytest.approx(-2.0)  # d/da (a*x) for x < 0
    assert result.gradient("c") == pytest.approx(math.expm1(-1.0))
    derivation = derive("leaky_relu(x, a)", "a")
    assert derivation.partials[0].result == sympy.Symbol("x", real=True) - parse_expression(
        "relu(x)"
    )


# --- kinks: PyTorch's conventions ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "slope"),
    [("relu(x)", 0.0), ("leaky_relu(x)", 0.01), ("leaky_relu(x, 0.2)", 0.2), ("abs(x)", 0.0)],
)
def test_the_slope_at_a_kink_is_pytorchs_in_derive_and_backprop(text, slope):
    derivation = derive(text, at={"x": 0.0})
    assert derivation.derivative_values["x"] == slope
    assert any("has a kink here" in warning for warning in derivation.warnings)
    graph = backprop(text, {"x": 0.0})
    assert graph.gradient("x") == slope
    assert graph.backward.conventions  # backprop says it used a convention


def test_elu_at_zero_is_smooth_with_the_default_and_takes_alpha_otherwise():
    assert backprop("elu(x)", {"x": 0.0}).gradient("x") == 1.0
    assert backprop("elu(x, 0.5)", {"x": 0.0}).gradient("x") == 0.5  # as torch.nn.functional.elu


def test_default_parameters_print_as_typed():
    assert expr_module.to_text(parse_expression("leaky_relu(x)")) == "leaky_relu(x)"
    assert expr_module.to_text(parse_expression("leaky_relu(x, 0.2)")) == "leaky_relu(x, 0.2)"
    assert expr_module.to_text(parse_expression("elu(x, 1)")) == "elu(x)"
    assert "leaky\\_relu" in expr_module.to_latex(parse_expression("leaky_relu(x)**2"))


@pytest.mark.parametrize(
    ("text", "x", "message"),
    [
        ("log1p(x)", -2.0, "log1p needs an input above -1, got -2"),
        ("acosh(x)", -2.0, "acosh needs an input of at least 1, got -2"),
        ("atanh(x)", -2.0, "atanh needs an input strictly between -1 and 1, got -2"),
        ("expm1(x*1000)", 2.0, "expm1(2000) overflows float64"),
    ],
)
def test_outside_the_domain_backprop_says_which_function_and_why(text, x, message):
    with pytest.raises(InputError, match=re.escape(message)):
        backprop(text, {"x": x})
