"""mathml: the math behind machine learning, step by step.

The public Python API: every command as a function taking the command's
options as keyword arguments, returning an explanation with `.to_dict()`,
`.to_latex()`, `.to_markdown()` and `.to_text()` (see docs/python.md).
Importing this package is cheap: the functions load SymPy and NumPy only
when first called, and the CLI is never imported.

    >>> from mathml_cli import derive
    >>> derive("x**2*sin(x)").partials[0].result
    x*(x*cos(x) + 2*sin(x))
"""

from __future__ import annotations

from typing import Any

from mathml_cli.errors import ExpressionError, InputError, MathmlError

__version__ = "0.1.0"

_API = {
    "derive": "mathml_cli.api",
    "descend": "mathml_cli.api",
    "softmax": "mathml_cli.api",
    "dot": "mathml_cli.api",
    "regress": "mathml_cli.api",
    "backprop": "mathml_cli.api",
    "stats": "mathml_cli.api",
    "normal": "mathml_cli.api",
    "bayes": "mathml_cli.api",
    "explain": "mathml_cli.api",
    "eigen": "mathml_cli.api",
    "pca": "mathml_cli.api",
    "Explanation": "mathml_cli.api",
    "GraphExplanation": "mathml_cli.api",
    "parse_expression": "mathml_cli.core.expr",
}

__all__ = ["ExpressionError", "InputError", "MathmlError", "__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'mathml_cli' has no attribute {name!r}")
