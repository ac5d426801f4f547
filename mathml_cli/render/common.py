"""Helpers for views built from SymPy expressions (view.py itself stays free of SymPy)."""

from __future__ import annotations

from typing import Any

from mathml_cli.render.view import Math, Role, name_latex


def latex_of(expr: Any) -> str:
    """A SymPy expression in LaTeX, its variables named as `name_latex` names them."""
    from mathml_cli.core.expr import to_latex_named

    names = {symbol: name_latex(symbol.name) for symbol in getattr(expr, "free_symbols", ())}
    return to_latex_named(expr, names)


def math_of(expr: Any, role: Role | None = None) -> Math:
    """A SymPy expression as an inline piece: mathml's text form and its LaTeX."""
    from mathml_cli.core.expr import to_text

    return Math(to_text(expr), lambda: latex_of(expr), role)


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
