"""The vocabulary of differentiation rules: id, name and general formula.

The structural rules (sum, product, chain, ...) are listed here; each function's
rule comes from its row of the function table (core/functions.py).

Every `Step` names one of these ids; docs/derive.md lists them. A formula is
kept as text (in mathml's input language, with ' for "derivative of") and as
LaTeX, so each renderer shows the same rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from mathml_cli.core.functions import FUNCTION_TABLE


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    formula: str
    latex: str


_STRUCTURAL = [
    Rule("constant", "constant rule", "d/dx[c] = 0", r"\frac{d}{dx} c = 0"),
    Rule("identity", "identity rule", "d/dx[x] = 1", r"\frac{d}{dx} x = 1"),
    Rule(
        "constant_multiple",
        "constant multiple rule",
        "d/dx[c*f] = c*f'",
        r"\frac{d}{dx}\left[c f\right] = c f'",
    ),
    Rule("sum", "sum rule", "d/dx[f + g] = f' + g'", r"\frac{d}{dx}\left[f + g\right] = f' + g'"),
    Rule("power", "power rule", "d/dx[x**n] = n*x**(n - 1)", r"\frac{d}{dx} x^{n} = n x^{n - 1}"),
    Rule(
        "product",
        "product rule",
        "d/dx[f*g] = f'*g + f*g'",
        r"\frac{d}{dx}\left[f g\right] = f' g + f g'",
    ),
    Rule(
        "quotient",
        "quotient rule",
        "d/dx[f/g] = (f'*g - f*g')/g**2",
        r"\frac{d}{dx} \frac{f}{g} = \frac{f' g - f g'}{g^{2}}",
    ),
    Rule(
        "chain",
        "chain rule",
        "d/dx[f(u)] = f'(u)*u'",
        r"\frac{d}{dx} f(u) = f'(u) \cdot u'",
    ),
    Rule(
        "exponential",
        "exponential rule",
        "d/dx[a**x] = a**x*log(a)",
        r"\frac{d}{dx} a^{x} = a^{x} \ln a",
    ),
    Rule(
        "log_derivative",
        "logarithmic differentiation",
        "d/dx[f**g] = f**g*(g'*log(f) + g*f'/f)",
        r"\frac{d}{dx} f^{g} = f^{g} \left(g' \ln f + \frac{g f'}{f}\right)",
    ),
    Rule(
        "reference",
        "shown before",
        "the same derivative as an earlier step",
        r"\text{as in an earlier step}",
    ),
    Rule(
        "simplify",
        "simplify",
        "the same derivative, rewritten in a simpler form",
        r"\text{simplify}",
    ),
    Rule(
        "fallback",
        "SymPy's derivative",
        "no rule of mathml's applies; SymPy computed this derivative",
        r"\text{(SymPy)}",
    ),
]

# The rules of functions (sin, sigmoid, max, ...) live in their rows of the function table.
_FUNCTION_RULES = [
    Rule(spec.rule, spec.rule_name, spec.formula, spec.latex)
    for spec in FUNCTION_TABLE
    if spec.rule and spec.formula
]

RULES: dict[str, Rule] = {rule.id: rule for rule in [*_STRUCTURAL, *_FUNCTION_RULES]}


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
    import sympy

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
