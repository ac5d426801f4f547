"""The structural rules of differentiation: each one entry holding its formula and
its fill-in, which must say the same thing, and say what SymPy's diff says.

Three independent readings of each rule are compared: the formula's text (parsed
by mathml's parser, primes read as names: f' is df), the fill-in function, and
SymPy's derivative of the formula's left-hand side with f, g, u functions of x.
"""

from __future__ import annotations

import html
import inspect
import math
import random
import re

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mathml_cli.core.derive import Step, derive
from mathml_cli.core.expr import (
    InOrderAdd,
    parse_expression,
    point_evaluator,
    to_latex,
    to_text,
)
from mathml_cli.core.functions import to_elementary
from mathml_cli.core.rules import PLACEHOLDERS, RULES, STRUCTURAL_RULES, StructuralRule

x = sympy.Symbol("x", real=True)
CONSTANTS = {"c", "n", "a"}  # the letters that stand for constants; f, g, u depend on x


def _sides(rule: StructuralRule) -> tuple[str, str]:
    left, right = rule.formula.split(" = ", 1)
    return left.removeprefix("d/dx[").removesuffix("]"), right


def _unprimed(text: str) -> str:
    """The formula's right-hand side with f'(u) and f' written as df, u' as du."""
    return re.sub(r"\b([a-z])'(\(u\))?", r"d\1", text)


def _names(text: str) -> set[str]:
    return {str(s) for s in parse_expression(text).free_symbols}


def _ids(rule: StructuralRule) -> str:
    return rule.id


def test_every_structural_rule_is_in_the_vocabulary():
    for rule in STRUCTURAL_RULES:
        assert RULES[rule.id] is rule


@pytest.mark.parametrize("rule", STRUCTURAL_RULES, ids=_ids)
def test_the_letters_are_the_formulas_placeholders_and_can_be_renamed(rule):
    left, right = _sides(rule)
    written = set(re.findall(r"\b[a-z]\b", f"{left} {right}")) - {"x"}
    assert set(rule.letters) == written
    # Every letter a formula uses is one that derive renames away from the user's names.
    assert set(rule.letters) <= set(PLACEHOLDERS)


@pytest.mark.parametrize("rule", STRUCTURAL_RULES, ids=_ids)
def test_the_fill_in_takes_what_the_formula_names(rule):
    _, right = _sides(rule)
    parameters = inspect.signature(rule.fill_in).parameters
    named = {p for p, v in parameters.items() if v.kind is not v.VAR_POSITIONAL}
    assert named == _names(_unprimed(right))


@pytest.mark.parametrize("rule", STRUCTURAL_RULES, ids=_ids)
def test_the_fill_in_is_the_formulas_right_hand_side(rule):
    _, right = _sides(rule)
    expected = parse_expression(_unprimed(right))
    names = inspect.signature(rule.fill_in).parameters
    symbols = {name: x if name == "x" else sympy.Symbol(name, real=True) for name in names}
    filled = rule.fill_in(**{k: v for k, v in symbols.items() if k != "more"})
    assert sympy.simplify(filled - expected) == 0, (to_text(filled), to_text(expected))


@pytest.mark.parametrize("rule", [r for r in STRUCTURAL_RULES if r.id != "chain"], ids=_ids)
def test_the_fill_in_is_sympys_derivative_of_the_left_hand_side(rule):
    left, _ = _sides(rule)
    functions = {
        letter: sympy.Function(letter.upper())(x)
        for letter in rule.letters
        if letter not in CONSTANTS
    }
    symbols = {s: functions.get(str(s), s) for s in parse_expression(left).free_symbols}
    lhs = parse_expression(left).subs(symbols)
    arguments: dict[str, object] = {}
    for name in inspect.signature(rule.fill_in).parameters:
        if name == "x":
            arguments[name] = x
        elif name.startswith("d"):
            arguments[name] = sympy.diff(functions[name[1:]], x)
        elif name in functions:
            arguments[name] = functions[name]
        elif name != "more":
            arguments[name] = sympy.Symbol(name, real=True)
    filled = rule.fill_in(**arguments).subs(
        {sympy.Symbol(k, real=True): sympy.Symbol(k) for k in CONSTANTS}
    )
    expected = sympy.diff(lhs, x).subs(
        {sympy.Symbol(k, real=True): sympy.Symbol(k) for k in CONSTANTS}
    )
    assert sympy.simplify(filled - expected) == 0, (rule.id, filled, expected)


def test_the_chain_rules_fill_in_is_sympys_derivative_of_a_composition():
    outer, inner = sympy.Function("F"), sympy.Function("G")(x)
    u = sympy.Symbol("u")
    df = sympy.diff(outer(u), u).subs(u, inner)
    filled = RULES["chain"].fill_in(df=df, du=sympy.diff(inner, x))  # type: ignore[attr-defined]
    assert sympy.simplify(filled - sympy.diff(outer(inner), x)) == 0


# --- the product rule filled in, in the formula's order -------------------------


def _steps(step: Step):
    yield step
    for sub in step.substeps:
        yield from _steps(sub)


def _product_step(text: str) -> Step:
    derivation = derive(text, "x")
    return next(
        s
        for top in derivation.partials[0].passes[0].steps
        for s in _steps(top)
        if s.rule == "product"
    )


def test_the_learners_case_reads_as_the_formula_f_prime_g_plus_f_g_prime():
    # f = sin(x), g = cos(x): f' = cos(x), g' = -sin(x), written by hand from the formula.
    step = _product_step("sin(x)*cos(x)")
    assert to_text(step.applied) == "cos(x)*cos(x) + sin(x)*(-sin(x))"
    assert to_latex(step.applied) == (
        r"\cos{\left(x \right)} \cos{\left(x \right)} + \sin{\left(x \right)} "
        r"\left(- \sin{\left(x \right)}\right)"
    )


@pytest.mark.parametrize("output", ["text", "json", "latex", "markdown", "html"])
def test_every_format_shows_the_formulas_order(output):
    from typer.testing import CliRunner

    from mathml_cli.cli import app

    result = CliRunner().invoke(app, ["derive", "tanh(x)*x**2", "--format", output])
    assert result.exit_code == 0, result.output
    # f = tanh(x), g = x**2: f'*g, then f*g', as one line of the product rule's step.
    page = result.stdout
    if output in ("latex", "markdown"):
        page = page.replace(r"\left", "").replace(r"\right", "").replace("{(x )}", "(x)")
        filled_in = r"(1 - \tanh^{2}(x)) x^{2} + \tanh(x) (2 x)"
    elif output == "html":  # MathML: the symbols in the order they are read
        page = html.unescape(re.sub(r"<[^>]+>", "", page))
        filled_in = "(1−tanh2(x))x2+tanh(x)(2x)"
    else:
        filled_in = "(1 - tanh(x)**2)*x**2 + tanh(x)*(2*x)"
    assert filled_in in page, page


_factor = st.sampled_from(
    ["x", "x**2", "sin(x)", "cos(x)", "exp(x)", "tanh(x)", "sigmoid(x)", "log(x)", "x + 1",
     "selu(x)", "softsign(x)", "mish(x)", "sqrt(x)", "3*x - 1"]
)  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_factor, _factor)
def test_a_product_is_filled_in_as_f_prime_g_plus_f_g_prime(f_text, g_text):
    step = _product_step(f"({f_text})*({g_text})")
    (f_name, f), (g_name, g) = step.parts
    assert (f_name, g_name) == ("f", "g")
    assert isinstance(step.applied, InOrderAdd)
    first, second = step.applied.args
    # The oracle: SymPy's own derivatives of the parts, compared at points.
    df = sympy.diff(to_elementary(f), x)
    dg = sympy.diff(to_elementary(g), x)
    for ours, theirs in ((first, df * g), (second, f * dg)):
        _agree(ours, theirs)
    assert to_text(step.applied).startswith(to_text(first))  # f'*g is written first
    _agree(step.applied, step.result)


def _agree(ours, theirs) -> None:
    f = point_evaluator(ours, ["x"])
    g = point_evaluator(to_elementary(theirs), ["x"])
    rng = random.Random(3)
    for _ in range(5):
        point = rng.uniform(0.1, 2.5)  # log and sqrt are defined there
        a, b = f(point), g(point)
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), (point, a, b)


# --- every step's fill-in agrees with the step's result (SymPy's diff) ----------

CORPUS = [
    "x**2*sin(x)",
    "sin(x)/x",
    "(x**2 + 1)/(x - 3)",
    "exp(sin(cos(tan(x))))",
    "x**x",
    "3**(x**2)",
    "5*x**3 + 2**x",
    "max(x, x**2)*relu(x)",
    "-(y*log(sigmoid(x)) + (1 - y)*log(1 - sigmoid(x)))",
    "selu(x)*hard_sigmoid(x**2)",
]


@pytest.mark.parametrize("text", CORPUS)
def test_every_steps_filled_in_formula_equals_its_result(text):
    derivation = derive(text, "x")
    checked = 0
    for top in derivation.partials[0].passes[0].steps:
        for step in _steps(top):
            if step.applied is None or step.rule == "simplify":
                continue
            names = sorted({str(s) for s in step.applied.free_symbols | step.result.free_symbols})
            f = point_evaluator(step.applied, names)
            g = point_evaluator(step.result, names)
            rng = random.Random(5)
            for _ in range(3):
                point = [rng.uniform(0.2, 0.9) for _ in names]
                a, b = f(*point), g(*point)
                assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), (step.rule, point)
            checked += 1
    assert checked >= 2
