"""mathml: the math behind machine learning, step by step.

The public Python API. Importing this package is cheap: the functions below
load SymPy and NumPy only when first used, and the CLI is never imported.

    >>> from mathml_cli import derive
    >>> derive("x**2*sin(x)").partials[0].result
    x**2*cos(x) + 2*x*sin(x)
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = {
    "derive": "mathml_cli.core.derive",
    "parse_expression": "mathml_cli.core.expr",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'mathml_cli' has no attribute {name!r}")
