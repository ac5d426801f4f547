"""The expression language: what it accepts, what it refuses, and its limits."""

from __future__ import annotations

import math
import time

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from mathml_cli.core.expr import (
    FUNCTIONS,
    MAX_LENGTH,
    evaluate,
    parse_expression,
    parse_number,
    to_text,
)
from mathml_cli.core.functions import relu, sigmoid, softplus, step
from mathml_cli.errors import ExpressionError, InputError

x, y = sympy.symbols("x y", real=True)


def sym(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, real=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x + 2*y", x + 2 * y),
        ("x - y", x - y),
        ("x / y", x / y),
        ("x**3", x**3),
        ("x^3", x**3),
        ("2^3^2", sympy.Integer(512)),  # right-associative, like **
        ("x^2 + 1", x**2 + 1),  # ^ binds like **, not like Python's xor
        ("-x**2", -(x**2)),
        ("(x + 1)*(x - 1)", (x + 1) * (x - 1)),
        ("1e-3*x", sympy.Float("0.001") * x),
        ("2.5", sympy.Float("2.5")),
        ("pi*e", sympy.pi * sympy.E),
        ("e**x", sympy.exp(x)),
        ("exp(x)", sympy.exp(x)),
        ("log(x)", sympy.log(x)),
        ("ln(x)", sympy.log(x)),
        ("log(x, 2)", sympy.log(x) / sympy.log(2)),
        ("sqrt(x)", sympy.sqrt(x)),
        ("abs(x)", sympy.Abs(x)),
        ("sin(x) + cos(x) + tan(x)", sympy.sin(x) + sympy.cos(x) + sympy.tan(x)),
        ("asin(x) + acos(x) + atan(x)", sympy.asin(x) + sympy.acos(x) + sympy.atan(x)),
        ("sinh(x) + cosh(x) + tanh(x)", sympy.sinh(x) + sympy.cosh(x) + sympy.tanh(x)),
        ("sigmoid(x)", sigmoid(x)),
        ("relu(x)", relu(x)),
        ("softplus(x)", softplus(x)),
        ("step(x)", step(x)),
        ("max(x, y)", sympy.Max(x, y)),
        ("min(x, y, 0)", sympy.Min(x, y, 0)),
    ],
)
def test_accepts_the_language(text, expected):
    assert parse_expression(text) == expected


@pytest.mark.parametrize("name", ["alpha", "beta", "lambda_", "theta", "w1", "x_2", "θ", "E"])
def test_greek_and_other_names_are_plain_variables(name):
    assert parse_expression(f"2*{name}") == 2 * sym(name)


def test_ml_functions_keep_their_names():
    for text in ["sigmoid(x)", "softplus(x)", "relu(x)", "sigmoid(2*x + 1)"]:
        assert to_text(parse_expression(text)) == text
    assert "exp" not in to_text(parse_expression("sigmoid(x)"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x +* 3", "unexpected '*' at column 4 in \"x +* 3\""),
        ("2x", "write 2*x"),
        ("2(x+1)", "write 2*(x+1)"[:7]),
        ("x y", "write x*y"),
        ("(x+1)(x-1)", "missing operator"),
        ("sigmod(x)", "did you mean 'sigmoid'?"),
        ("foo(x)", "unknown function 'foo'"),
        ("sin", "'sin' is a function"),
        ("sin()", "sin() takes 1 argument, got 0"),
        ("log(x, 2, 3)", "log() takes 1 or 2 arguments, got 3"),
        ("max(x)", "at least 2 arguments"),
        ("(x", "'(' is never closed at column 1"),
        ("x)", "unmatched ')' at column 2"),
        ("x**", "unexpected end of expression"),
        ("", "empty expression"),
        ("   ", "empty expression"),
        ("1/0", "division by zero at column 3"),
        ("log(0)", "log(0) is undefined"),
        ("sqrt(-1)", "imaginary"),
        ("1e999", "number too large"),
        ("lambda", "write lambda_"),
    ],
)
def test_errors_say_what_and_where(text, message):
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert message in str(caught.value)


def test_column_points_at_the_bad_token():
    with pytest.raises(ExpressionError) as caught:
        parse_expression("sin(x) + cos(y) $ 2")
    assert caught.value.column == 17


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('echo pwned')",
        "__import__",
        "x.__class__",
        "().__class__.__bases__[0].__subclasses__()",
        "x.real",
        "sin.__globals__",
        "x[0]",
        "[x for x in y]",
        "lambda: 1",
        "lambda x: x",
        "'abc'",
        '"abc"',
        "f'{x}'",
        "sin(x=1)",
        "sin(*x)",
        "x = 3",
        "x := 3",
        "1 if x else 2",
        "x < 3",
        "x and y",
        "not x",
        "x @ y",
        "x % 2",
        "x // 2",
        "~x",
        "x | y",
        "x & y",
        "x << 2",
        "{x: 1}",
        "{x}",
        "(x, y)",
        "True",
        "None",
        "exec('1')",
        "eval('1')",
        "open('/etc/passwd')",
        "globals()",
        "getattr(x, 'y')",
        "x; y",
        "x\ny",
        "#comment",
        "\\x",
    ],
)
def test_hostile_input_is_rejected_and_nothing_runs(text, monkeypatch):
    import builtins

    def tripwire(*args, **kwargs):
        raise AssertionError("user text reached eval/exec")

    monkeypatch.setattr(builtins, "eval", tripwire)
    monkeypatch.setattr(builtins, "exec", tripwire)
    with pytest.raises(ExpressionError):
        parse_expression(text)


def test_valid_input_never_reaches_eval(monkeypatch):
    # SymPy's own parser (sympify/parse_expr on a string) ends in eval: a
    # tripwire on eval proves the whole language is parsed without it.
    import builtins

    def tripwire(*args, **kwargs):
        raise AssertionError("eval called")

    monkeypatch.setattr(builtins, "eval", tripwire)
    text = "x**2*sin(x) + sigmoid(y) - log(x, 2)/sqrt(y) + max(x, y)^2"
    expected = (
        x**2 * sympy.sin(x) + sigmoid(y) - sympy.log(x, 2) / sympy.sqrt(y) + sympy.Max(x, y) ** 2
    )
    assert parse_expression(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "9**9**9**9",
        "2**2**2**2**2**2",
        "factorial(10**9)",
        "(" * 5000 + "x" + ")" * 5000,
        "x" * 100_000,
        "x+" * 50_000 + "x",
        "-" * 10_000 + "x",
        "x**" * 3000 + "x",
        "10**1000**1000",
        "(10**1000)**1000",
        "((2*x)**1000)**1000",
        "9" * 200,
        "2**exp(exp(exp(100)))",
        "sin(" * 99 + "x" + ")" * 99 + "**" + "9" * 90,
    ],
)
def test_limits_end_fast_with_a_clear_error_or_answer(text):
    started = time.perf_counter()
    try:
        parse_expression(text)
    except ExpressionError as error:
        assert str(error).strip()
    assert time.perf_counter() - started < 1.0


def test_a_long_flat_sum_parses_without_recursion_trouble():
    text = " + ".join(f"w{i}*x{i}" for i in range(2000))
    assert len(text) < MAX_LENGTH
    expr = parse_expression(text)
    assert len(expr.args) == 2000


def test_parse_number_refuses_code():
    with pytest.raises(InputError):
        parse_number("__import__('os')")
    assert parse_number("sqrt(2)") == pytest.approx(math.sqrt(2))


# --- round trip: what mathml prints, mathml (and SymPy) read back ------------

_leaves = st.sampled_from(["x", "y", "2", "3", "0.5", "pi", "e"])
_unary = st.sampled_from([name for name, (_, low, _) in FUNCTIONS.items() if low == 1])


def _expressions():
    return st.recursive(
        _leaves,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            st.tuples(_unary, inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(inner, st.sampled_from(["2", "3"])).map(lambda t: f"({t[0]})**{t[1]}"),
        ),
        max_leaves=8,
    )


@settings(max_examples=80, deadline=None)
@given(_expressions())
def test_printed_form_parses_back_to_the_same_function(text):
    try:
        expr = parse_expression(text)
    except ExpressionError:
        return  # e.g. log(0) built by chance
    again = parse_expression(to_text(expr))
    point = {"x": 0.37, "y": 0.61}
    first, second = evaluate(expr, point), evaluate(again, point)
    if math.isnan(first):
        assert math.isnan(second)
    else:
        assert second == pytest.approx(first, rel=1e-9, abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(_expressions(), st.floats(-3, 3), st.floats(-3, 3))
def test_the_quick_float_evaluator_agrees_with_numpy(text, x_value, y_value):
    import numpy as np

    from mathml_cli.core.expr import numeric_function, point_evaluator

    try:
        expr = parse_expression(text)
    except ExpressionError:
        return
    ours = point_evaluator(expr, ["x", "y"])(x_value, y_value)
    function = numeric_function(expr, ["x", "y"])
    with np.errstate(all="ignore"):
        theirs = complex(function(x_value, y_value))
    if math.isnan(ours):
        # Undefined for us: NumPy gives nan, inf or a complex number there, or
        # reaches a finite value only through an infinity (tanh(log(0)) = -1),
        # which it flags as a floating-point error.
        try:
            with np.errstate(all="raise"):
                complex(function(x_value, y_value))
        except FloatingPointError:
            return
        assert not (math.isfinite(theirs.real) and theirs.imag == 0)
    else:
        assert theirs.imag == 0
        assert ours == pytest.approx(theirs.real, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sin x", 'missing parentheses: write sin(x) (sin is a function) at column 5 in "sin x"'),
        ("ln x", 'missing parentheses: write ln(x) (ln is a function) at column 4 in "ln x"'),
        ("ReLU(x)", "unknown function 'ReLU' (did you mean 'relu'?)"),
        ("GELU(x)", "unknown function 'GELU' (did you mean 'gelu'?)"),
        ("x²", 'superscripts are not allowed: write x**2 at column 2 in "x²"'),
        ("x² + y³", "write x**2 at column 2"),
        ("(x+1)²", "superscripts are not allowed: write (...)**2 at column 6"),
        ("x·y", "'·' is not allowed: write * for products (x*y) at column 2"),
        ("3 × x", "'×' is not allowed: write * for products (3*x) at column 3"),
        ("x − 1", "'−' (a typographic minus) is not allowed: write - at column 3"),
    ],
)
def test_hints_for_what_learners_type(text, message):
    with pytest.raises(ExpressionError) as error:
        parse_expression(text)
    assert message in str(error.value)
