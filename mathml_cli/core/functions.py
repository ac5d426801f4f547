"""The function table: everything mathml knows about each function of the language.

One `FunctionSpec` row per function (see FUNCTION_TABLE at the end): its name
and arity, the SymPy constructor, derive's rule (id, name, formula as text and
LaTeX, ML note), the float value and local derivatives backprop runs, where its
derivative is a convention (kinks) and where it is defined (domain). The parser's
whitelist, derive's rule dispatch and notes, backprop's operations and the float
evaluator are all read from it, so adding a function is adding a row (and, for a
function SymPy lacks, its class here).

The ML functions SymPy lacks are SymPy functions that keep their names:
`sigmoid(x)` stays `sigmoid(x)` in every output instead of dissolving into
`1/(1 + exp(-x))`, and differentiates to its textbook form. Each class holds
its derivative (`fdiff`), its numeric value (`_eval_evalf`), its rewrite into
elementary functions (the independent oracle the tests differentiate), and
its LaTeX form.

The classmethods named `eval` are SymPy's hook for simplifying a call with
known arguments (sigmoid(0) -> 1/2); they receive SymPy objects built by the
parser, never text, and evaluate nothing as Python.
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sympy
from sympy import Function, Max, Min, S, exp, log

from mathml_cli.core.catalogue import SELU_ALPHA, SELU_SCALE

# selu's constants as PyTorch's doubles hold them, so that values agree to the last bit.
_SELU_ALPHA = sympy.Float(SELU_ALPHA)
_SELU_SCALE = sympy.Float(SELU_SCALE)


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


def _evalf_via(expr_of: Callable[..., Any]) -> Callable[[Any, int], Any]:
    """An `_eval_evalf` that evaluates the elementary form, for numeric arguments."""

    def evalf(self: Any, prec: int) -> Any:
        args = [arg._eval_evalf(prec) for arg in self.args]
        if any(arg is None or not arg.is_number for arg in args):
            return None
        return expr_of(*args)._eval_evalf(prec)

    return evalf


def _is_real(self: Any) -> Any:
    return self.args[0].is_real


def smooth_function(
    name: str, elementary: Callable[[Any], Any], derivative: Callable[[Any], Any]
) -> Any:
    """The SymPy class of a smooth function with f(0) = 0 that SymPy lacks, made from its
    elementary form and its derivative (gelu, silu): what a hand-written class would hold.
    So a function of this kind is added as one row of the table (FunctionSpec.smooth).
    """
    latex_name = r"\operatorname{%s}" % name.replace("_", r"\_")

    def eval(cls: Any, arg: Any) -> Any:
        return S.Zero if arg.is_zero else None

    def fdiff(self: Any, argindex: int = 1) -> Any:
        return derivative(self.args[0])

    def latex(self: Any, printer: Any, exp: str | None = None) -> str:
        return _call_latex(latex_name, self, printer, exp)

    namespace = {
        "__doc__": f"{name}(x), made from its elementary form by smooth_function.",
        "__module__": __name__,
        "eval": classmethod(eval),
        "fdiff": fdiff,
        "elementary": staticmethod(elementary),
        "_eval_evalf": _evalf_via(elementary),
        "_eval_is_real": _is_real,
        "_latex": latex,
    }
    return type(name, (Function,), namespace)


class leaky_relu(Function):  # noqa: N801
    """leaky_relu(x, a) = x for x > 0, a·x otherwise (a = 0.01 unless given);
    d/dx = 1 for x > 0, a otherwise (a at 0, as PyTorch)."""

    nargs = 2
    default = sympy.Rational(1, 100)

    @classmethod
    def eval(cls, arg: Any, slope: Any) -> Any:
        if arg.is_positive:
            return arg
        if arg.is_nonpositive:
            return slope * arg
        return None

    def fdiff(self, argindex: int = 1) -> Any:
        arg, slope = self.args
        if argindex == 1:
            return slope + (1 - slope) * step(arg)
        return arg - relu(arg)  # min(x, 0)

    @staticmethod
    def elementary(arg: Any, slope: Any) -> Any:
        return Max(0, arg) + slope * Min(0, arg)

    _eval_evalf = _evalf_via(lambda arg, slope: arg if arg > 0 else slope * arg)
    _eval_is_real = _is_real

    def _shown_args(self) -> tuple[Any, ...]:
        # leaky_relu(x) as typed when the slope is the default.
        return self.args[:1] if self.args[1] == self.default else self.args

    def _sympystr(self, printer: Any) -> str:
        return "leaky_relu(%s)" % ", ".join(printer._print(a) for a in self._shown_args())

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        inner = ", ".join(printer._print(a) for a in self._shown_args())
        text = r"\operatorname{leaky\_relu}\left(%s\right)" % inner
        return text if exp is None else "%s^{%s}" % (text, exp)


class elu(Function):  # noqa: N801
    """elu(x, α) = x for x > 0, α·(eˣ − 1) otherwise (α = 1 unless given);
    d/dx = 1 for x > 0, α·eˣ otherwise (α at 0, as PyTorch)."""

    nargs = 2
    default = S.One

    @classmethod
    def eval(cls, arg: Any, alpha: Any) -> Any:
        if arg.is_zero:
            return S.Zero
        if arg.is_positive:
            return arg
        return None

    def fdiff(self, argindex: int = 1) -> Any:
        arg, alpha = self.args
        if argindex == 1:
            return step(arg) + alpha * exp(arg) * (1 - step(arg))
        return (exp(arg) - 1) * (1 - step(arg))

    @staticmethod
    def elementary(arg: Any, alpha: Any) -> Any:
        return Max(0, arg) + alpha * (exp(Min(0, arg)) - 1)

    _eval_evalf = _evalf_via(lambda arg, alpha: arg if arg > 0 else alpha * (exp(arg) - 1))
    _eval_is_real = _is_real

    def _shown_args(self) -> tuple[Any, ...]:
        return self.args[:1] if self.args[1] == self.default else self.args

    def _sympystr(self, printer: Any) -> str:
        return "elu(%s)" % ", ".join(printer._print(a) for a in self._shown_args())

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        inner = ", ".join(printer._print(a) for a in self._shown_args())
        text = r"\operatorname{elu}\left(%s\right)" % inner
        return text if exp is None else "%s^{%s}" % (text, exp)


def _normal_cdf(arg: Any) -> Any:
    return (1 + sympy.erf(arg / sympy.sqrt(2))) / 2


# gelu(x) = x·Φ(x), Φ the standard normal CDF (PyTorch's exact form); gelu'(x) = Φ(x) + x·φ(x).
gelu = smooth_function(
    "gelu",
    elementary=lambda x: x * _normal_cdf(x),
    derivative=lambda x: _normal_cdf(x) + x * exp(-(x**2) / 2) / sympy.sqrt(2 * sympy.pi),
)
# silu(x) = swish(x) = x·σ(x); silu'(x) = σ(x)·(1 + x·(1 − σ(x))).
silu = smooth_function(
    "silu",
    elementary=lambda x: x / (1 + exp(-x)),
    derivative=lambda x: sigmoid(x) * (1 + x * (1 - sigmoid(x))),
)


class selu(Function):  # noqa: N801
    """selu(x) = λ·elu(x, α), with PyTorch's constants λ = 1.0507…, α = 1.6733…;
    d/dx = λ for x > 0, λ·α·eˣ otherwise (λ·α at 0, as PyTorch)."""

    @classmethod
    def eval(cls, arg: Any) -> Any:
        if arg.is_zero:
            return S.Zero
        if arg.is_positive:
            return _SELU_SCALE * arg
        return None

    def fdiff(self, argindex: int = 1) -> Any:
        x = self.args[0]
        return _SELU_SCALE * (step(x) + _SELU_ALPHA * exp(x) * (1 - step(x)))

    @staticmethod
    def elementary(arg: Any) -> Any:
        return _SELU_SCALE * (Max(0, arg) + _SELU_ALPHA * (exp(Min(0, arg)) - 1))

    _eval_evalf = _evalf_via(
        lambda arg: _SELU_SCALE * (arg if arg > 0 else _SELU_ALPHA * (exp(arg) - 1))
    )
    _eval_is_real = _is_real

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        return _call_latex(r"\operatorname{selu}", self, printer, exp)


class hard_sigmoid(Function):  # noqa: N801
    """hard_sigmoid(x) = relu6(x + 3)/6 = min(max(x/6 + 1/2, 0), 1) (PyTorch's form);
    d/dx = 1/6 for -3 < x < 3, else 0 (0 at ±3, as PyTorch)."""

    @classmethod
    def eval(cls, arg: Any) -> Any:
        if (arg + 3).is_nonpositive:
            return S.Zero
        if (arg - 3).is_nonnegative:
            return S.One
        if arg.is_number and (arg + 3).is_positive and (arg - 3).is_negative:
            return arg / 6 + S.Half
        return None

    def fdiff(self, argindex: int = 1) -> Any:
        x = self.args[0]
        return step(x + 3) * step(3 - x) / 6

    @staticmethod
    def elementary(arg: Any) -> Any:
        return Min(Max(arg / 6 + S.Half, 0), 1)

    _eval_evalf = _evalf_via(lambda arg: Min(Max(arg / 6 + S.Half, 0), 1))
    _eval_is_real = _is_real

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        return _call_latex(r"\operatorname{hard\_sigmoid}", self, printer, exp)


class log1p(Function):  # noqa: N801
    """log1p(x) = ln(1 + x), exact for tiny x; log1p'(x) = 1/(1 + x)."""

    @classmethod
    def eval(cls, arg: Any) -> Any:
        return S.Zero if arg.is_zero else None

    def fdiff(self, argindex: int = 1) -> Any:
        return 1 / (1 + self.args[0])

    @staticmethod
    def elementary(arg: Any) -> Any:
        return log(1 + arg)

    _eval_evalf = _evalf_via(lambda arg: log(1 + arg))

    def _eval_is_real(self) -> Any:
        return (self.args[0] + 1).is_positive

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        return _call_latex(r"\operatorname{log1p}", self, printer, exp)


class expm1(Function):  # noqa: N801
    """expm1(x) = eˣ − 1, exact for tiny x; expm1'(x) = eˣ."""

    @classmethod
    def eval(cls, arg: Any) -> Any:
        return S.Zero if arg.is_zero else None

    def fdiff(self, argindex: int = 1) -> Any:
        return exp(self.args[0])

    @staticmethod
    def elementary(arg: Any) -> Any:
        return exp(arg) - 1

    _eval_evalf = _evalf_via(lambda arg: exp(arg) - 1)
    _eval_is_real = _is_real

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        return _call_latex(r"\operatorname{expm1}", self, printer, exp)


sigmoid.elementary = staticmethod(lambda arg: 1 / (1 + exp(-arg)))  # type: ignore[attr-defined]
softplus.elementary = staticmethod(lambda arg: log(1 + exp(arg)))  # type: ignore[attr-defined]
relu.elementary = staticmethod(lambda arg: Max(0, arg))  # type: ignore[attr-defined]
step.elementary = staticmethod(lambda arg: sympy.Heaviside(arg, 0))  # type: ignore[attr-defined]

ML_FUNCTIONS: tuple[Any, ...] = (
    sigmoid, relu, softplus, step, leaky_relu, elu, gelu, silu, selu, hard_sigmoid,
    log1p, expm1,
)  # fmt: skip


def to_elementary(expr: Any) -> Any:
    """The same function written with SymPy's own functions only (an oracle's view)."""
    for function in ML_FUNCTIONS:
        if expr.has(function):
            expr = expr.replace(function, function.elementary)  # type: ignore[attr-defined]
    return expr


# --- plain floats -------------------------------------------------------------


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _softplus(x: float) -> float:
    # log(1 + e^x) = x + log(1 + e^-x): the second form for large x cannot overflow.
    return x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))


def _sign(x: float) -> float:
    return float((x > 0) - (x < 0))


def _leaky_relu(x: float, slope: float = 0.01) -> float:
    return x if x > 0 else slope * x


def _elu(x: float, alpha: float = 1.0) -> float:
    return x if x > 0 else alpha * math.expm1(x)


_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)


def _normal_cdf_float(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / _SQRT2))


def _gelu(x: float) -> float:
    return x * _normal_cdf_float(x)


def _silu(x: float) -> float:
    return x * _sigmoid(x)


def _selu(x: float) -> float:
    return SELU_SCALE * (x if x > 0 else SELU_ALPHA * math.expm1(x))


def _hard_sigmoid(x: float) -> float:
    return min(max(x + 3.0, 0.0), 6.0) / 6.0


# Local derivatives: (inputs, output) -> ∂output/∂input_i, a float or the reason
# there is none.
Local = float | str
Derivative = Callable[[Sequence[float], float], list[Local]]


def _one(function: Callable[[float, float], Local]) -> Derivative:
    """A one-input local derivative from f'(x, f(x))."""
    return lambda args, out: [function(args[0], out)]


def _arc_slope(sign: float) -> Derivative:
    def local(args: Sequence[float], out: float) -> list[Local]:
        x = args[0]
        if abs(x) == 1:
            return [f"±1/sqrt(1 - x**2) is infinite at x = {x:g}"]
        return [sign / math.sqrt(1.0 - x * x)]

    return local


def _sqrt_slope(x: float, out: float) -> Local:
    return 1.0 / (2.0 * out) if out > 0 else "1/(2*sqrt(x)) is infinite at x = 0"


def _acosh_slope(x: float, out: float) -> Local:
    return 1.0 / math.sqrt(x * x - 1.0) if x > 1 else "1/sqrt(x**2 - 1) is infinite at x = 1"


def _leaky_relu_slopes(args: Sequence[float], out: float) -> list[Local]:
    x = args[0]
    slope = args[1] if len(args) > 1 else 0.01
    by_x: Local = 1.0 if x > 0 else slope
    return [by_x] if len(args) == 1 else [by_x, min(x, 0.0)]


def _elu_slopes(args: Sequence[float], out: float) -> list[Local]:
    x = args[0]
    alpha = args[1] if len(args) > 1 else 1.0
    by_x: Local = 1.0 if x > 0 else alpha * math.exp(x)
    return [by_x] if len(args) == 1 else [by_x, 0.0 if x > 0 else math.expm1(x)]


def _gelu_slope(x: float, out: float) -> Local:
    return _normal_cdf_float(x) + x * math.exp(-0.5 * x * x) / _SQRT2PI


def _silu_slope(x: float, out: float) -> Local:
    s = _sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


# --- NumPy, for plots ---------------------------------------------------------


def _numpy(function: Callable[..., float]) -> Callable[..., Any]:
    """An elementwise NumPy version of a float function (NaN where it is undefined)."""

    def vectorised(*args: Any) -> Any:
        import numpy as np

        def safe(*values: float) -> float:
            try:
                return function(*values)
            except (ValueError, OverflowError, ZeroDivisionError):
                return math.nan

        return np.vectorize(safe, otypes=[float])(*args)

    return vectorised


def _np_sigmoid(x: Any) -> Any:
    import numpy as np

    x = np.asarray(x, dtype=float)
    # Two branches so that neither exp can overflow.
    positive = 1.0 / (1.0 + np.exp(-np.abs(x)))
    return np.where(x >= 0, positive, 1.0 - positive)


def _np_softplus(x: Any) -> Any:
    import numpy as np

    return np.logaddexp(0.0, np.asarray(x, dtype=float))


def _np_relu(x: Any) -> Any:
    import numpy as np

    return np.maximum(np.asarray(x, dtype=float), 0.0)


def _np_step(x: Any) -> Any:
    import numpy as np

    return np.where(np.asarray(x, dtype=float) > 0, 1.0, 0.0)


def _np_log(*args: Any) -> Any:
    import numpy as np

    if len(args) == 2:
        return np.log(args[0]) / np.log(args[1])
    return np.log(args[0])


# --- the table ----------------------------------------------------------------


def _log(*args: Any, evaluate: bool = True) -> Any:
    if len(args) == 2 and not evaluate:
        # log(x, b) is log(x)/log(b), the change of base the derivative uses.
        value, base = args
        return sympy.Mul(
            sympy.log(value, evaluate=False),
            sympy.Pow(sympy.log(base, evaluate=False), -1, evaluate=False),
            evaluate=False,
        )
    return sympy.log(*args, evaluate=evaluate)


def _with_default(function: Any) -> Callable[..., Any]:
    """The constructor of a function with an optional second argument (its default)."""

    def construct(arg: Any, second: Any = None, *, evaluate: bool = True) -> Any:
        return function(arg, function.default if second is None else second, evaluate=evaluate)

    return construct


@dataclass(frozen=True)
class FunctionSpec:
    """One function of the expression language: all that mathml knows about it."""

    name: str  # as typed: sigmoid(x)
    construct: Callable[..., Any]  # the SymPy expression of a call (accepts evaluate=False)
    sympy_class: Any  # the class of that expression; None when it is not a call (sqrt: a power)
    arity: tuple[int, int | None] = (1, 1)  # fewest and most arguments (None: any number)
    rule: str | None = None  # derive's rule id for d/dx f(x); None: the call is a power
    rule_name: str = ""  # these four on the row that owns the rule (an alias has none)
    formula: str = ""  # text, in the input language: d/dx[f(x)] = ...
    latex: str = ""
    note: str | None = None  # what the derivative teaches about training a model
    value: Callable[..., float] | None = None  # float value; raises ValueError off the domain
    local: Derivative | None = None  # backprop: ∂f/∂ each input, from the inputs and f
    local_formulas: Callable[[Sequence[str]], list[str]] | None = None  # default: the rule's
    kinks: tuple[float, ...] = ()  # inputs where the derivative is a convention
    kink_note: str | None = None  # said when backprop meets one
    kink_slope: str = "0"  # the slope mathml (and PyTorch) take at a kink
    domain: str | None = None  # where `value` is defined, for messages: "a positive input"
    numpy: Callable[..., Any] | None = None  # elementwise, for plots (None: NumPy's own)

    @classmethod
    def smooth(
        cls,
        name: str,
        *,
        elementary: Callable[[Any], Any],
        derivative: Callable[[Any], Any],
        value: Callable[..., float],
        rule_name: str = "",
        **row: Any,
    ) -> FunctionSpec:
        """The whole row of a smooth function SymPy lacks, with f(0) = 0 (softsign):
        its SymPy class from `elementary` and `derivative` (smooth_function), its
        derivative rule named after it, and its NumPy form from `value`."""
        function = smooth_function(name, elementary, derivative)
        return cls(
            name, function, function, rule=name, rule_name=rule_name or name, value=value,
            numpy=_numpy(value), **row,
        )  # fmt: skip


def _at_zero(name: str, convention: str) -> str:
    return f"{name} at exactly 0: {convention}"


FUNCTION_TABLE: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        "exp", sympy.exp, sympy.exp, rule="exp", rule_name="exponential function",
        formula="d/dx[exp(x)] = exp(x)", latex=r"\frac{d}{dx} e^{x} = e^{x}",
        value=math.exp, local=lambda a, o: [o],
    ),
    FunctionSpec(
        "log", _log, sympy.log, arity=(1, 2), rule="log", rule_name="natural logarithm",
        formula="d/dx[log(x)] = 1/x", latex=r"\frac{d}{dx} \ln x = \frac{1}{x}",
        value=math.log, domain="a positive input", numpy=_np_log,
    ),
    FunctionSpec(
        "ln", sympy.log, sympy.log, rule="log", value=math.log,
        local=_one(lambda x, o: 1.0 / x), domain="a positive input",
    ),
    FunctionSpec(
        "sqrt", sympy.sqrt, None, value=math.sqrt, local=_one(_sqrt_slope),
        local_formulas=lambda n: [f"1/(2*sqrt({n[0]}))"], domain="a non-negative input",
    ),
    FunctionSpec(
        "abs", sympy.Abs, sympy.Abs, rule="abs", rule_name="absolute value",
        formula="d/dx[abs(x)] = sign(x)  (undefined at x = 0)",
        latex=r"\frac{d}{dx} |x| = \operatorname{sign}(x)",
        note="abs' = sign(x) is undefined at 0.",
        value=abs, local=_one(lambda x, o: _sign(x)),
        kinks=(0.0,), kink_note=_at_zero("abs", "abs'(0) = sign(0) is taken as 0"),
    ),
    FunctionSpec(
        "sign", sympy.sign, sympy.sign, rule="step", value=_sign,
        local=_one(lambda x, o: 0.0), local_formulas=lambda n: ["0"],
        kinks=(0.0,), kink_note=_at_zero("sign", "its derivative there is taken as 0"),
    ),
    FunctionSpec(
        "sin", sympy.sin, sympy.sin, rule="sin", rule_name="sine",
        formula="d/dx[sin(x)] = cos(x)", latex=r"\frac{d}{dx} \sin x = \cos x",
        value=math.sin, local=_one(lambda x, o: math.cos(x)),
    ),
    FunctionSpec(
        "cos", sympy.cos, sympy.cos, rule="cos", rule_name="cosine",
        formula="d/dx[cos(x)] = -sin(x)", latex=r"\frac{d}{dx} \cos x = -\sin x",
        value=math.cos, local=_one(lambda x, o: -math.sin(x)),
    ),
    FunctionSpec(
        "tan", sympy.tan, sympy.tan, rule="tan", rule_name="tangent",
        formula="d/dx[tan(x)] = 1 + tan(x)**2 = 1/cos(x)**2",
        latex=r"\frac{d}{dx} \tan x = 1 + \tan^{2} x = \sec^{2} x",
        value=math.tan, local=_one(lambda x, o: 1.0 + o * o),
    ),
    FunctionSpec(
        "asin", sympy.asin, sympy.asin, rule="asin", rule_name="arcsine",
        formula="d/dx[asin(x)] = 1/sqrt(1 - x**2)",
        latex=r"\frac{d}{dx} \arcsin x = \frac{1}{\sqrt{1 - x^{2}}}",
        value=math.asin, local=_arc_slope(1.0), domain="an input between -1 and 1",
    ),
    FunctionSpec(
        "acos", sympy.acos, sympy.acos, rule="acos", rule_name="arccosine",
        formula="d/dx[acos(x)] = -1/sqrt(1 - x**2)",
        latex=r"\frac{d}{dx} \arccos x = -\frac{1}{\sqrt{1 - x^{2}}}",
        value=math.acos, local=_arc_slope(-1.0), domain="an input between -1 and 1",
    ),
    FunctionSpec(
        "atan", sympy.atan, sympy.atan, rule="atan", rule_name="arctangent",
        formula="d/dx[atan(x)] = 1/(1 + x**2)",
        latex=r"\frac{d}{dx} \arctan x = \frac{1}{1 + x^{2}}",
        value=math.atan, local=_one(lambda x, o: 1.0 / (1.0 + x * x)),
    ),
    FunctionSpec(
        "sinh", sympy.sinh, sympy.sinh, rule="sinh", rule_name="hyperbolic sine",
        formula="d/dx[sinh(x)] = cosh(x)", latex=r"\frac{d}{dx} \sinh x = \cosh x",
        value=math.sinh, local=_one(lambda x, o: math.cosh(x)),
    ),
    FunctionSpec(
        "cosh", sympy.cosh, sympy.cosh, rule="cosh", rule_name="hyperbolic cosine",
        formula="d/dx[cosh(x)] = sinh(x)", latex=r"\frac{d}{dx} \cosh x = \sinh x",
        value=math.cosh, local=_one(lambda x, o: math.sinh(x)),
    ),
    FunctionSpec(
        "tanh", sympy.tanh, sympy.tanh, rule="tanh", rule_name="hyperbolic tangent",
        formula="d/dx[tanh(x)] = 1 - tanh(x)**2",
        latex=r"\frac{d}{dx} \tanh x = 1 - \tanh^{2} x",
        note="tanh' = 1 − tanh² is at most 1 (at x = 0) and near 0 once |x| is large: "
        "saturated units pass almost no gradient.",
        value=math.tanh, local=_one(lambda x, o: 1.0 - o * o),
    ),
    FunctionSpec(
        "asinh", sympy.asinh, sympy.asinh, rule="asinh", rule_name="inverse hyperbolic sine",
        formula="d/dx[asinh(x)] = 1/sqrt(x**2 + 1)",
        latex=r"\frac{d}{dx} \operatorname{arsinh} x = \frac{1}{\sqrt{x^{2} + 1}}",
        value=math.asinh, local=_one(lambda x, o: 1.0 / math.sqrt(x * x + 1.0)),
    ),
    FunctionSpec(
        "acosh", sympy.acosh, sympy.acosh, rule="acosh", rule_name="inverse hyperbolic cosine",
        formula="d/dx[acosh(x)] = 1/sqrt(x**2 - 1)  (x > 1)",
        latex=r"\frac{d}{dx} \operatorname{arcosh} x = \frac{1}{\sqrt{x^{2} - 1}}",
        value=math.acosh, local=_one(_acosh_slope), domain="an input of at least 1",
    ),
    FunctionSpec(
        "atanh", sympy.atanh, sympy.atanh, rule="atanh", rule_name="inverse hyperbolic tangent",
        formula="d/dx[atanh(x)] = 1/(1 - x**2)  (-1 < x < 1)",
        latex=r"\frac{d}{dx} \operatorname{artanh} x = \frac{1}{1 - x^{2}}",
        value=math.atanh, local=_one(lambda x, o: 1.0 / (1.0 - x * x)),
        domain="an input strictly between -1 and 1",
    ),
    FunctionSpec(
        "erf", sympy.erf, sympy.erf, rule="erf", rule_name="error function",
        formula="d/dx[erf(x)] = 2*exp(-x**2)/sqrt(pi)",
        latex=r"\frac{d}{dx} \operatorname{erf} x = \frac{2}{\sqrt{\pi}} e^{-x^{2}}",
        value=math.erf, local=_one(lambda x, o: 2.0 * math.exp(-x * x) / math.sqrt(math.pi)),
        numpy=_numpy(math.erf),
    ),
    FunctionSpec(
        "log1p", log1p, log1p, rule="log1p", rule_name="log1p",
        formula="d/dx[log1p(x)] = 1/(1 + x)",
        latex=r"\frac{d}{dx} \operatorname{log1p} x = \frac{1}{1 + x}",
        note="log1p(x) = ln(1 + x) keeps its precision for tiny x, where 1 + x rounds.",
        value=math.log1p, local=_one(lambda x, o: 1.0 / (1.0 + x)), domain="an input above -1",
    ),
    FunctionSpec(
        "expm1", expm1, expm1, rule="expm1", rule_name="expm1",
        formula="d/dx[expm1(x)] = exp(x)",
        latex=r"\frac{d}{dx} \operatorname{expm1} x = e^{x}",
        value=math.expm1, local=_one(lambda x, o: math.exp(x)),
    ),
    FunctionSpec(
        "sigmoid", sigmoid, sigmoid, rule="sigmoid", rule_name="sigmoid",
        formula="d/dx[sigmoid(x)] = sigmoid(x)*(1 - sigmoid(x))",
        latex=r"\frac{d}{dx} \sigma(x) = \sigma(x)\left(1 - \sigma(x)\right)",
        note="sigmoid' = σ(1 − σ) is at most 1/4 (at x = 0): stacked sigmoids shrink "
        "gradients, the vanishing-gradient problem.",
        value=_sigmoid, local=_one(lambda x, o: o * (1.0 - o)), numpy=_np_sigmoid,
    ),
    FunctionSpec(
        "relu", relu, relu, rule="relu", rule_name="ReLU",
        formula="d/dx[relu(x)] = step(x)  (1 for x > 0, 0 for x < 0; mathml uses 0 at x = 0)",
        latex=r"\frac{d}{dx} \operatorname{relu}(x) = \operatorname{step}(x)",
        note="relu' is a step: 1 for x > 0, 0 for x < 0, undefined at 0; mathml, like "
        "PyTorch, uses 0 there.",
        value=lambda x: max(x, 0.0), local=_one(lambda x, o: 1.0 if x > 0 else 0.0),
        kinks=(0.0,),
        kink_note=_at_zero("relu", "relu'(0) is taken as 0 (the convention PyTorch uses)"),
        numpy=_np_relu,
    ),
    FunctionSpec(
        "leaky_relu", _with_default(leaky_relu), leaky_relu, arity=(1, 2), rule="leaky_relu",
        rule_name="leaky ReLU",
        formula="d/dx[leaky_relu(x, a)] = a + (1 - a)*step(x)  (1 for x > 0, a for x <= 0)",
        latex=r"\frac{d}{dx} \operatorname{leaky\_relu}(x, a) = a + (1 - a)"
        r"\operatorname{step}(x)",
        note="leaky_relu keeps a small slope a (0.01 by default) for x < 0, so a unit that "
        "went negative still gets a gradient; at 0 mathml, like PyTorch, uses a.",
        value=_leaky_relu, local=_leaky_relu_slopes,
        local_formulas=lambda n: [f"1 if {n[0]} > 0 else {n[1] if len(n) > 1 else 0.01}"]
        + ([f"min({n[0]}, 0)"] if len(n) > 1 else []),
        kinks=(0.0,), kink_slope="a",
        kink_note=_at_zero("leaky_relu", "its derivative there is taken as a (as PyTorch does)"),
        numpy=_numpy(_leaky_relu),
    ),
    FunctionSpec(
        "elu", _with_default(elu), elu, arity=(1, 2), rule="elu", rule_name="ELU",
        formula="d/dx[elu(x, a)] = step(x) + a*exp(x)*(1 - step(x))  (1 for x > 0, a*exp(x) "
        "for x <= 0)",
        latex=r"\frac{d}{dx} \operatorname{elu}(x, \alpha) = \operatorname{step}(x) + \alpha "
        r"e^{x}\left(1 - \operatorname{step}(x)\right)",
        note="elu is smooth at 0 when a = 1 (the default), and its negative side saturates "
        "at -a instead of cutting the gradient to 0.",
        value=_elu, local=_elu_slopes,
        local_formulas=lambda n: [f"1 if {n[0]} > 0 else {n[1] if len(n) > 1 else 1}*exp({n[0]})"]
        + ([f"0 if {n[0]} > 0 else expm1({n[0]})"] if len(n) > 1 else []),
        numpy=_numpy(_elu),
    ),
    FunctionSpec(
        "gelu", gelu, gelu, rule="gelu", rule_name="GELU",
        formula="d/dx[gelu(x)] = (1 + erf(x/sqrt(2)))/2 + x*exp(-x**2/2)/sqrt(2*pi)",
        latex=r"\frac{d}{dx} \operatorname{gelu}(x) = \Phi(x) + x \varphi(x)",
        note="gelu(x) = x·Φ(x) weighs x by the chance a standard normal is below it; its "
        "derivative Φ(x) + x·φ(x) dips slightly below 0 for negative x.",
        value=_gelu, local=_one(lambda x, o: _gelu_slope(x, o)), numpy=_numpy(_gelu),
    ),
    FunctionSpec(
        "silu", silu, silu, rule="silu", rule_name="SiLU (swish)",
        formula="d/dx[silu(x)] = sigmoid(x)*(1 + x*(1 - sigmoid(x)))",
        latex=r"\frac{d}{dx} \operatorname{silu}(x) = \sigma(x)\left(1 + x\left(1 - "
        r"\sigma(x)\right)\right)",
        note="silu(x) = x·σ(x), also called swish: a smooth relu whose derivative "
        "overshoots 1 a little for moderate x.",
        value=_silu, local=_one(lambda x, o: _silu_slope(x, o)), numpy=_numpy(_silu),
    ),
    FunctionSpec(
        "swish", silu, silu, rule="silu", value=_silu, local=_one(lambda x, o: _silu_slope(x, o)),
        local_formulas=lambda n: [f"sigmoid({n[0]})*(1 + {n[0]}*(1 - sigmoid({n[0]})))"],
    ),
    FunctionSpec(
        "selu", selu, selu, rule="selu", rule_name="SELU",
        formula="d/dx[selu(x)] = scale*(step(x) + alpha*exp(x)*(1 - step(x)))  (scale = 1.0507, "
        "alpha = 1.6733: PyTorch's constants)",
        latex=r"\frac{d}{dx} \operatorname{selu}(x) = \lambda\left(\operatorname{step}(x) + \alpha "
        r"e^{x}\left(1 - \operatorname{step}(x)\right)\right)",
        note="selu = λ·elu(x, α) with λ = 1.0507 and α = 1.6733, chosen so that activations "
        "keep mean 0 and variance 1 through many layers (self-normalising networks).",
        value=_selu,
        local=_one(lambda x, o: SELU_SCALE * (1.0 if x > 0 else SELU_ALPHA * math.exp(x))),
        local_formulas=lambda n: [f"1.0507 if {n[0]} > 0 else 1.7581*exp({n[0]})"],
        kinks=(0.0,), kink_slope="λ·α = 1.7581 (the left side's)",
        kink_note=_at_zero("selu", "its derivative there is taken as λ·α = 1.7581, the left "
        "side's (as PyTorch does)"),
        numpy=_numpy(_selu),
    ),
    FunctionSpec.smooth(
        "mish",
        elementary=lambda x: x * sympy.tanh(log(1 + exp(x))),
        derivative=lambda x: sympy.tanh(softplus(x))
        + x * sigmoid(x) * (1 - sympy.tanh(softplus(x)) ** 2),
        value=lambda x: x * math.tanh(_softplus(x)),
        local=_one(
            lambda x, o: math.tanh(_softplus(x))
            + x * _sigmoid(x) * (1.0 - math.tanh(_softplus(x)) ** 2)
        ),
        formula="d/dx[mish(x)] = tanh(softplus(x)) + x*sigmoid(x)*(1 - tanh(softplus(x))**2)",
        latex=r"\frac{d}{dx} \operatorname{mish}(x) = \tanh\left(\operatorname{softplus}(x)\right)"
        r" + x \sigma(x)\left(1 - \tanh^{2}\left(\operatorname{softplus}(x)\right)\right)",
        note="mish(x) = x·tanh(softplus(x)) is smooth and, like silu, dips below 0 for "
        "negative x; its slope at 0 is tanh(ln 2) = 0.6.",
    ),
    FunctionSpec(
        "hard_sigmoid", hard_sigmoid, hard_sigmoid, rule="hard_sigmoid", rule_name="hard sigmoid",
        formula="d/dx[hard_sigmoid(x)] = step(x + 3)*step(3 - x)/6  (1/6 for -3 < x < 3, else 0)",
        latex=r"\frac{d}{dx} \operatorname{hard\_sigmoid}(x) = \tfrac{1}{6}"
        r"\operatorname{step}(x + 3)\operatorname{step}(3 - x)",
        note="hard_sigmoid = relu6(x + 3)/6 (PyTorch's form) has slope 1/6 on (-3, 3) and 0 "
        "outside, where a unit passes no gradient at all; at ±3 mathml, like PyTorch, uses 0.",
        value=_hard_sigmoid, local=_one(lambda x, o: 1.0 / 6.0 if -3.0 < x < 3.0 else 0.0),
        local_formulas=lambda n: [f"1/6 if -3 < {n[0]} < 3 else 0"],
        kinks=(-3.0, 3.0),
        kink_note="hard_sigmoid at exactly -3 or 3: its derivative there is taken as 0 (as "
        "PyTorch does)",
        numpy=_numpy(_hard_sigmoid),
    ),
    FunctionSpec.smooth(
        "softsign",
        elementary=lambda x: x / (1 + sympy.Abs(x)),
        derivative=lambda x: 1 / (1 + sympy.Abs(x)) ** 2,
        value=lambda x: x / (1.0 + abs(x)),
        local=_one(lambda x, o: 1.0 / (1.0 + abs(x)) ** 2),
        formula="d/dx[softsign(x)] = 1/(1 + abs(x))**2",
        latex=r"\frac{d}{dx} \operatorname{softsign}(x) = \frac{1}{\left(1 + |x|\right)^{2}}",
        note="softsign' = 1/(1 + |x|)² decays like 1/x², not exponentially like tanh', so "
        "a saturated unit still passes some gradient.",
    ),
    FunctionSpec(
        "softplus", softplus, softplus, rule="softplus", rule_name="softplus",
        formula="d/dx[softplus(x)] = sigmoid(x)",
        latex=r"\frac{d}{dx} \operatorname{softplus}(x) = \sigma(x)",
        note="softplus is a smooth relu, and its derivative is exactly the sigmoid.",
        value=_softplus, local=_one(lambda x, o: _sigmoid(x)), numpy=_np_softplus,
    ),
    FunctionSpec(
        "step", step, step, rule="step", rule_name="step and sign",
        formula="d/dx[step(x)] = d/dx[sign(x)] = 0  (for x != 0)",
        latex=r"\frac{d}{dx} \operatorname{step}(x) = 0 \quad (x \neq 0)",
        value=lambda x: 1.0 if x > 0 else 0.0, local=_one(lambda x, o: 0.0),
        local_formulas=lambda n: ["0"],
        kinks=(0.0,), kink_note=_at_zero("step", "its derivative there is taken as 0"),
        numpy=_np_step,
    ),
    FunctionSpec(
        "max", sympy.Max, sympy.Max, arity=(2, None), rule="max", rule_name="maximum",
        formula="d/dx[max(f, g)] = f'*H(f - g) + g'*H(g - f),  H(u) = (1 + sign(u))/2"
        "  (f' where f > g, g' where g > f, the mean where they tie)",
        latex=r"\frac{d}{dx} \max(f, g) = f' H(f - g) + g' H(g - f),"
        r" \quad H(u) = \tfrac{1}{2}\left(1 + \operatorname{sign}(u)\right)",
    ),
    FunctionSpec(
        "min", sympy.Min, sympy.Min, arity=(2, None), rule="min", rule_name="minimum",
        formula="d/dx[min(f, g)] = f'*H(g - f) + g'*H(f - g),  H(u) = (1 + sign(u))/2"
        "  (f' where f < g, g' where g < f, the mean where they tie)",
        latex=r"\frac{d}{dx} \min(f, g) = f' H(g - f) + g' H(f - g),"
        r" \quad H(u) = \tfrac{1}{2}\left(1 + \operatorname{sign}(u)\right)",
    ),
)  # fmt: skip

FUNCTIONS: dict[str, FunctionSpec] = {spec.name: spec for spec in FUNCTION_TABLE}
# ...and the classes made by FunctionSpec.smooth, which have no name in this module.
ML_FUNCTIONS += tuple(
    dict.fromkeys(
        spec.sympy_class
        for spec in FUNCTION_TABLE
        if hasattr(spec.sympy_class, "elementary") and spec.sympy_class not in ML_FUNCTIONS
    )
)

# The rows that own a derivative rule, by the class a call has in an expression.
BY_CLASS: dict[Any, FunctionSpec] = {}
for _spec in FUNCTION_TABLE:
    if _spec.sympy_class is not None and _spec.formula:
        BY_CLASS.setdefault(_spec.sympy_class, _spec)
BY_CLASS[sympy.sign] = FUNCTIONS["step"]  # sign's rule is step's

# Float values by the name SymPy gives the call (Abs, sin, sigmoid, ...): the point
# evaluator's and lambdify's "math" backend.
MATH_IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    spec.sympy_class.__name__: spec.value
    for spec in FUNCTION_TABLE
    if spec.sympy_class is not None and spec.value is not None
}
MATH_IMPLEMENTATIONS.update(
    {
        # SymPy writes derivatives of abs(f) with these when f might be complex.
        "re": lambda z: complex(z).real,
        "im": lambda z: complex(z).imag,
        "arg": lambda z: cmath.phase(complex(z)),
    }
)

# Elementwise versions for NumPy (plots), where NumPy has no function of that name.
NUMPY_IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    spec.sympy_class.__name__: spec.numpy
    for spec in FUNCTION_TABLE
    if spec.sympy_class is not None and spec.numpy is not None
}
