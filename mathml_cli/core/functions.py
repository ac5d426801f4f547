"""The ML functions SymPy lacks, as SymPy functions that keep their names.

`sigmoid(x)` stays `sigmoid(x)` in every output instead of dissolving into
`1/(1 + exp(-x))`, and differentiates to its textbook form. Each class holds
its derivative (`fdiff`), its numeric value (`_eval_evalf`), its rewrite into
elementary functions (the independent oracle the tests differentiate), and
its LaTeX form, so the math of one function sits in one place.

The classmethods named `eval` are SymPy's hook for simplifying a call with
known arguments (sigmoid(0) -> 1/2); they receive SymPy objects built by the
parser, never text, and evaluate nothing as Python.
"""

from __future__ import annotations

import cmath
import math
from typing import Any

import sympy
from sympy import Function, Max, S, exp, log


def _call_latex(name: str, call: Any, printer: Any, exp: str | None) -> str:
    """`name(arg)` in LaTeX, raised to `exp` when SymPy prints a power of the call.

    SymPy's printer passes `exp` for f(x)**n (as it writes sin^2(x)); the
    power goes after the parentheses, so σ(x)² never reads as a variance.
    """
    text = r"%s\left(%s\right)" % (name, printer._print(call.args[0]))
    return text if exp is None else "%s^{%s}" % (text, exp)


class sigmoid(Function):  # noqa: N801 - SymPy names functions by their class name
    """σ(x) = 1 / (1 + e^-x); σ'(x) = σ(x)·(1 − σ(x))."""

    @classmethod
    def eval(cls, arg: Any) -> Any:
        if arg.is_zero:
            return S.Half
        if arg is S.Infinity:
            return S.One
        if arg is S.NegativeInfinity:
            return S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> Any:
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, arg: Any, **kwargs: Any) -> Any:
        return 1 / (1 + exp(-arg))

    def _eval_evalf(self, prec: int) -> Any:
        arg = self.args[0]._eval_evalf(prec)
        if arg is None or not arg.is_number:
            return None
        return (1 / (1 + exp(-arg)))._eval_evalf(prec)

    def _eval_is_real(self) -> Any:
        return self.args[0].is_real

    def _eval_is_positive(self) -> Any:
        return self.args[0].is_real

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        return _call_latex(r"\sigma", self, printer, exp)


class step(Function):  # noqa: N801
    """The unit step: 1 for x > 0, else 0 (so relu'(0) = 0, as in PyTorch).

    Its derivative is 0 wherever it is defined (everywhere but 0), which is
    the convention gradient-based training uses.
    """

    @classmethod
    def eval(cls, arg: Any) -> Any:
        if arg.is_positive:
            return S.One
        if arg.is_nonpositive:
            return S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> Any:
        return S.Zero

    def _eval_rewrite_as_Heaviside(self, arg: Any, **kwargs: Any) -> Any:
        return sympy.Heaviside(arg, 0)

    def _eval_evalf(self, prec: int) -> Any:
        arg = self.args[0]._eval_evalf(prec)
        if arg is None or not arg.is_number:
            return None
        return S.One if arg > 0 else S.Zero

    def _eval_is_real(self) -> Any:
        return self.args[0].is_real

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        return _call_latex(r"\operatorname{step}", self, printer, exp)


class relu(Function):  # noqa: N801
    """relu(x) = max(0, x); relu'(x) = step(x), taken as 0 at x = 0."""

    @classmethod
    def eval(cls, arg: Any) -> Any:
        if arg.is_nonnegative:
            return arg
        if arg.is_nonpositive:
            return S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> Any:
        return step(self.args[0])

    def _eval_rewrite_as_Max(self, arg: Any, **kwargs: Any) -> Any:
        return Max(0, arg)

    def _eval_evalf(self, prec: int) -> Any:
        arg = self.args[0]._eval_evalf(prec)
        if arg is None or not arg.is_number:
            return None
        return arg if arg > 0 else S.Zero

    def _eval_is_real(self) -> Any:
        return self.args[0].is_real

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        return _call_latex(r"\operatorname{relu}", self, printer, exp)


class softplus(Function):  # noqa: N801
    """softplus(x) = ln(1 + e^x); softplus'(x) = σ(x)."""

    @classmethod
    def eval(cls, arg: Any) -> Any:
        if arg.is_zero:
            return log(2)
        return None

    def fdiff(self, argindex: int = 1) -> Any:
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, arg: Any, **kwargs: Any) -> Any:
        return log(1 + exp(arg))

    def _eval_evalf(self, prec: int) -> Any:
        arg = self.args[0]._eval_evalf(prec)
        if arg is None or not arg.is_number:
            return None
        return log(1 + exp(arg))._eval_evalf(prec)

    def _eval_is_real(self) -> Any:
        return self.args[0].is_real

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        return _call_latex(r"\operatorname{softplus}", self, printer, exp)


ML_FUNCTIONS = (sigmoid, relu, softplus, step)


def to_elementary(expr: Any) -> Any:
    """The same function written with SymPy's own functions only (an oracle's view)."""
    return (
        expr.replace(sigmoid, lambda a: 1 / (1 + exp(-a)))
        .replace(softplus, lambda a: log(1 + exp(a)))
        .replace(relu, lambda a: Max(0, a))
        .replace(step, lambda a: sympy.Heaviside(a, 0))
    )


def _np_sigmoid(x: Any) -> Any:
    import numpy as np

    x = np.asarray(x, dtype=float)
    # Two branches so that neither exp can overflow.
    positive = 1.0 / (1.0 + np.exp(-np.abs(x)))
    return np.where(x >= 0, positive, 1.0 - positive)


def _np_softplus(x: Any) -> Any:
    import numpy as np

    x = np.asarray(x, dtype=float)
    return np.logaddexp(0.0, x)


def _np_relu(x: Any) -> Any:
    import numpy as np

    return np.maximum(np.asarray(x, dtype=float), 0.0)


def _np_step(x: Any) -> Any:
    import numpy as np

    return np.where(np.asarray(x, dtype=float) > 0, 1.0, 0.0)


def _np_erf(x: Any) -> Any:
    import numpy as np

    # NumPy has no erf; math.erf element by element (lambdify's "numpy" lacks it too).
    return np.vectorize(math.erf, otypes=[float])(np.asarray(x, dtype=float))


NUMPY_IMPLEMENTATIONS = {
    "erf": _np_erf,
    "sigmoid": _np_sigmoid,
    "softplus": _np_softplus,
    "relu": _np_relu,
    "step": _np_step,
}


def _math_sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _math_softplus(x: float) -> float:
    # log(1 + e^x) = x + log(1 + e^-x): the second form for large x cannot overflow.
    return x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))


def _math_sign(x: float) -> float:
    return float((x > 0) - (x < 0))


# Plain-float versions, for evaluating at a few points without importing NumPy.
MATH_IMPLEMENTATIONS = {
    "sigmoid": _math_sigmoid,
    "softplus": _math_softplus,
    "relu": lambda x: max(x, 0.0),
    "step": lambda x: 1.0 if x > 0 else 0.0,
    "sign": _math_sign,
    # SymPy writes derivatives of abs(f) with these when f might be complex.
    "re": lambda z: complex(z).real,
    "im": lambda z: complex(z).imag,
    "arg": lambda z: cmath.phase(complex(z)),
}
