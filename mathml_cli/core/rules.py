"""The vocabulary of differentiation rules: id, name, formula and its fill-in.

Each structural rule (sum, product, chain, ...) is one entry below, as SymPy's
manualintegrate keeps one class per rule: its formula, as text (in mathml's input
language, with ' for "derivative of") and as LaTeX, the placeholder letters the
formula names its parts with, and the function that fills the formula in with
the parts of an expression and their derivatives. Each function's rule (sin,
sigmoid, max, ...) comes from its row of the function table (core/functions.py).

Every `Step` names one of these ids; docs/derive.md lists them. Which rule
applies to an expression, and what its parts are, is derive's business
(core/derive.py); what the rule says is written here once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sympy

from mathml_cli.core.expr import in_order_product, in_order_sum
from mathml_cli.core.functions import FUNCTION_TABLE
from mathml_cli.records import Record


class Rule(Record):
    """One rule of differentiation, as docs/derive.md lists it: id, name and formula."""

    id: str
    name: str
    formula: str
    latex: str


class StructuralRule(Rule):
    """A rule about the structure of an expression (sum, product, chain, ...).

    `letters` are the placeholders the formula names the parts of an expression
    with (f and g for f*g). `fill_in` returns the right-hand side of the formula
    with the parts and their derivatives put in, unevaluated, so that a learner
    sees the formula at work before SymPy tidies it: it takes them by the names
    the formula uses, a derivative named with a d (df for f', du for u'); the
    chain rule's df is f'(u) with u already replaced by the inner function.
    """

    letters: tuple[str, ...]
    fill_in: Callable[..., Any]


def added(*terms: Any) -> Any:
    """A sum as the rule writes it: unevaluated, so 1*exp(x) + x*exp(x) stays that."""
    return sympy.Add(*terms, evaluate=False)


def multiplied(*factors: Any) -> Any:
    return sympy.Mul(*factors, evaluate=False)


def _power(base: Any, exponent: Any) -> Any:
    return sympy.Pow(base, exponent, evaluate=False)


CONSTANT = StructuralRule(
    "constant",
    "constant rule",
    "d/dx[c] = 0",
    r"\frac{d}{dx} c = 0",
    letters=("c",),
    fill_in=lambda: sympy.S.Zero,
)
IDENTITY = StructuralRule(
    "identity",
    "identity rule",
    "d/dx[x] = 1",
    r"\frac{d}{dx} x = 1",
    letters=(),
    fill_in=lambda: sympy.S.One,
)
CONSTANT_MULTIPLE = StructuralRule(
    "constant_multiple",
    "constant multiple rule",
    "d/dx[c*f] = c*f'",
    r"\frac{d}{dx}\left[c f\right] = c f'",
    letters=("c", "f"),
    fill_in=lambda c, df: multiplied(c, df),
)
SUM = StructuralRule(
    "sum",
    "sum rule",
    "d/dx[f + g] = f' + g'",
    r"\frac{d}{dx}\left[f + g\right] = f' + g'",
    # A sum of more terms: f + g + h + ... has f' + g' + h' + ...
    letters=("f", "g"),
    fill_in=lambda df, dg, *more: added(df, dg, *more),
)
POWER = StructuralRule(
    "power",
    "power rule",
    "d/dx[x**n] = n*x**(n - 1)",
    r"\frac{d}{dx} x^{n} = n x^{n - 1}",
    letters=("n",),
    fill_in=lambda x, n: multiplied(n, _power(x, n - 1)),
)
PRODUCT = StructuralRule(
    "product",
    "product rule",
    "d/dx[f*g] = f'*g + f*g'",
    r"\frac{d}{dx}\left[f g\right] = f' g + f g'",
    # In the formula's order, f'*g + f*g', not SymPy's sorted order (a learner saw
    # g*f' + g'*f and could not match it to the formula).
    letters=("f", "g"),
    fill_in=lambda f, g, df, dg: in_order_sum(in_order_product(df, g), in_order_product(f, dg)),
)
QUOTIENT = StructuralRule(
    "quotient",
    "quotient rule",
    "d/dx[f/g] = (f'*g - f*g')/g**2",
    r"\frac{d}{dx} \frac{f}{g} = \frac{f' g - f g'}{g^{2}}",
    letters=("f", "g"),
    fill_in=lambda f, g, df, dg: multiplied(
        added(multiplied(df, g), -multiplied(f, dg)), _power(g, -2)
    ),
)
CHAIN = StructuralRule(
    "chain",
    "chain rule",
    "d/dx[f(u)] = f'(u)*u'",
    r"\frac{d}{dx} f(u) = f'(u) \cdot u'",
    letters=("f", "u"),
    fill_in=lambda df, du: multiplied(df, du),
)
EXPONENTIAL = StructuralRule(
    "exponential",
    "exponential rule",
    "d/dx[a**x] = a**x*log(a)",
    r"\frac{d}{dx} a^{x} = a^{x} \ln a",
    letters=("a",),
    fill_in=lambda a, x: multiplied(_power(a, x), sympy.log(a)),
)
LOG_DERIVATIVE = StructuralRule(
    "log_derivative",
    "logarithmic differentiation",
    "d/dx[f**g] = f**g*(g'*log(f) + g*f'/f)",
    r"\frac{d}{dx} f^{g} = f^{g} \left(g' \ln f + \frac{g f'}{f}\right)",
    letters=("f", "g"),
    fill_in=lambda f, g, df, dg: multiplied(
        _power(f, g), added(multiplied(dg, sympy.log(f)), multiplied(g, df, 1 / f))
    ),
)
# Steps that fill in no formula: a step shown before, a tidier form, SymPy's own answer.
REFERENCE = Rule(
    "reference",
    "shown before",
    "the same derivative as an earlier step",
    r"\text{as in an earlier step}",
)
SIMPLIFY = Rule(
    "simplify",
    "simplify",
    "the same derivative, rewritten in a simpler form",
    r"\text{simplify}",
)
FALLBACK = Rule(
    "fallback",
    "SymPy's derivative",
    "no rule of mathml's applies; SymPy computed this derivative",
    r"\text{(SymPy)}",
)

STRUCTURAL_RULES = (
    CONSTANT, IDENTITY, CONSTANT_MULTIPLE, SUM, POWER, PRODUCT, QUOTIENT, CHAIN, EXPONENTIAL,
    LOG_DERIVATIVE,
)  # fmt: skip

# The rules of functions (sin, sigmoid, max, ...) live in their rows of the function table.
_FUNCTION_RULES = [
    Rule(spec.rule, spec.rule_name, spec.formula, spec.latex)
    for spec in FUNCTION_TABLE
    if spec.rule and spec.formula
]

RULES: dict[str, Rule] = {
    rule.id: rule for rule in [*STRUCTURAL_RULES, REFERENCE, SIMPLIFY, FALLBACK, *_FUNCTION_RULES]
}


# The letters rule formulas name their parts with, and the ones used instead when
# the user's expression already has a variable of that name.
PLACEHOLDERS = ("c", "f", "g", "n", "a", "u")
SPARE_LETTERS = ("k", "p", "q", "r", "s", "h", "m", "v", "b", "j")

_TEXT_TOKEN = re.compile(r"d/dx|\b[A-Za-z]\b")
_LATEX_TOKEN = re.compile(r"\\frac\{d\}\{dx\}|(?<![\\A-Za-z])[A-Za-z](?![A-Za-z])")


def placeholder_names(taken: Iterable[str]) -> dict[str, str]:
    """Placeholder letter -> the letter to write, none of them one of the `taken` names."""
    names: dict[str, str] = {}
    used = set(taken)
    spare = (letter for letter in SPARE_LETTERS if letter not in used)
    for letter in PLACEHOLDERS:
        if letter in used:
            names[letter] = next(spare, letter + "_")
        else:
            names[letter] = letter
    return names


def written_for(
    rule: Rule,
    variable: str,
    names: Mapping[str, str],
    latex_name: Callable[[str], str] | None = None,
) -> tuple[str, str]:
    """The rule's formula (text, LaTeX) for d/d(variable), its placeholders renamed.

    latex_name: how a variable's name is typeset (default: SymPy's choice).
    """

    def text(match: re.Match[str]) -> str:
        token = match.group()
        if token == "d/dx":
            return f"d/d{variable}"
        if token == "x":
            return variable
        return names.get(token, token)

    symbol = latex_name(variable) if latex_name else sympy.latex(sympy.Symbol(variable))

    def latex(match: re.Match[str]) -> str:
        token = match.group()
        if token.startswith("\\frac"):
            return r"\frac{d}{d %s}" % symbol
        if token == "x":
            return symbol
        return names.get(token, token)

    return _TEXT_TOKEN.sub(text, rule.formula), _LATEX_TOKEN.sub(latex, rule.latex)
