"""Small pieces every renderer shares: number formatting and styles."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeVar

from mathml_cli.render.view import Math, Role, name_latex

# Rich style names, in one place so every command looks alike.
TITLE = "bold"
RULE = "bold cyan"
FORMULA = "magenta"
RESULT = "bold green"
NOTE = "yellow"
DIM = "dim"
GOOD = "green"
BAD = "bold red"


T = TypeVar("T")


def head_and_tail(items: Sequence[T], head: int, tail: int) -> tuple[list[T], list[T], int]:
    """The first `head` and last `tail` items, and how many are left out between them.

    Every long table or tree in the text views is thinned this way, with a marker
    where the gap is; JSON always keeps everything.
    """
    if len(items) <= head + tail:
        return list(items), [], 0
    return list(items[:head]), list(items[len(items) - tail :]), len(items) - head - tail


def format_number(value: float | None, digits: int = 6) -> str:
    """A float for people: 6 significant digits, no '-0', 'undefined' for nan."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "undefined"
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "0"
    return f"{value:.{digits}g}"


def latex_escape(text: str) -> str:
    """Text safe inside \\text{...}."""
    replacements = {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "_": r"\_",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "&": r"\&",
        "^": r"\^{}",
        "~": r"\~{}",
        "…": r"\ldots{}",
    }
    return "".join(replacements.get(char, char) for char in text)


def latex_of(expr: Any) -> str:
    """A SymPy expression in LaTeX, its variables named as `name_latex` names them."""
    from mathml_cli.core.expr import to_latex_named

    names = {symbol: name_latex(symbol.name) for symbol in getattr(expr, "free_symbols", ())}
    return to_latex_named(expr, names)


def math_of(expr: Any, role: Role | None = None) -> Math:
    """A SymPy expression as an inline piece: mathml's text form and its LaTeX."""
    from mathml_cli.core.expr import to_text

    return Math(to_text(expr), latex_of(expr), role)


def derivative_operator(variable: str, partial: bool, order: int = 1) -> Math:
    """d/dx or ∂/∂x (∂ only for a function of several variables), in both forms."""
    symbol, latex_symbol = ("∂", r"\partial") if partial else ("d", "d")
    name = name_latex(variable)
    if order == 1:
        return Math(
            f"{symbol}/{symbol}{variable}", rf"\frac{{{latex_symbol}}}{{{latex_symbol} {name}}}"
        )
    return Math(
        f"{symbol}^{order}/{symbol}{variable}^{order}",
        rf"\frac{{{latex_symbol}^{{{order}}}}}{{{latex_symbol} {name}^{{{order}}}}}",
    )
