"""Helpers the command views share: pieces built from SymPy expressions (view.py itself
stays free of SymPy) and the headings every explanation is laid out with."""

from __future__ import annotations

from typing import Any

from mathml_cli.render import view as v


def latex_of(expr: Any) -> str:
    """A SymPy expression in LaTeX, its variables named as `name_latex` names them."""
    from mathml_cli.core.expr import to_latex_named

    names = {symbol: v.name_latex(symbol.name) for symbol in getattr(expr, "free_symbols", ())}
    return to_latex_named(expr, names)


def math_of(expr: Any, role: v.Role | None = None) -> v.Math:
    """A SymPy expression as an inline piece: mathml's text form and its LaTeX."""
    from mathml_cli.core.expr import to_text

    return v.Math(to_text(expr), lambda: latex_of(expr), role)


def derivative_operator(variable: str, partial: bool, order: int = 1) -> v.Math:
    """d/dx or ∂/∂x (∂ only for a function of several variables), in both forms."""
    symbol, latex_symbol = ("∂", r"\partial") if partial else ("d", "d")
    name = v.name_latex(variable)
    if order == 1:
        return v.Math(
            f"{symbol}/{symbol}{variable}", rf"\frac{{{latex_symbol}}}{{{latex_symbol} {name}}}"
        )
    return v.Math(
        f"{symbol}^{order}/{symbol}{variable}^{order}",
        rf"\frac{{{latex_symbol}^{{{order}}}}}{{{latex_symbol} {name}^{{{order}}}}}",
    )


def part_heading(text: str) -> v.Heading:
    """The heading of one part of an explanation (below the page's title)."""
    return v.Heading((text,), level=3)


def step_heading(number: int, title: str, *rest: v.Inline) -> v.Paragraph:
    """`2. The posterior: …`, one numbered step of a worked explanation."""
    return v.Paragraph((v.Span(f"{number}. ", "muted"), v.Span(title, "rule"), *rest))
