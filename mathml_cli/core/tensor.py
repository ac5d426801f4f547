"""Backprop through layers: programs whose values are vectors and matrices.

`h = relu(W1 @ x + b1); z = W2 @ h + b2; L = cross_entropy(z, y)` is parsed
like any program (core.program: statements, names, versions c, c′, ...), each
right-hand side by `core.expr.parse_syntax` after two spellings the scalar
language does not have are mapped onto ones it does, column for column:
`A @ B` is read as `A * B` and `W.T` as `W ^ T`, and the walk below knows
from the recorded columns which `*` was an `@` and which `^ T` a transpose.
Nothing is evaluated as Python.

Each operation keeps its NumPy forward, its vector-Jacobian product (the
backward rule) and that rule's formula in the nodes' names side by side, as
core.graph does for scalars: ∂L/∂W = ∂L/∂z · xᵀ and ∂L/∂x = Wᵀ · ∂L/∂z for
z = W @ x, p − onehot(y) for softmax cross-entropy, relu's mask. Elementwise
operations broadcast as NumPy does, and a gradient is summed back over the
axes its input was broadcast along, so every gradient has its input's shape.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from mathml_cli.core.backprop import Check
from mathml_cli.core.expr import MAX_INTEGER_DIGITS, parse_number, parse_syntax
from mathml_cli.core.functions import NUMPY_IMPLEMENTATIONS
from mathml_cli.core.graph import CONSTANT_VALUES, OPERATIONS, node_label
from mathml_cli.core.inputs import parse_array
from mathml_cli.core.numeric import richardson_slope
from mathml_cli.core.program import (
    Statement,
    check_target,
    display_name,
    in_statement,
    is_program,
    next_version,
    reads_layers,
    shadowing_note,
    split_program,
)
from mathml_cli.errors import ExpressionError, InputError, did_you_mean

# Up to this many entries in all, finite differences check every entry of every gradient;
# past it, the gradient along random directions.
FD_MAX_ENTRIES = 60
FD_DIRECTIONS = 3
TOLERANCE = 1e-6
MAX_ENTRIES = 10_000_000  # per value: a bound on memory, not a limit anyone should meet


def shape_text(shape: tuple[int, ...]) -> str:
    """4×3, 4, or scalar."""
    return "×".join(str(size) for size in shape) if shape else "scalar"


def uses_layers(text: str, point: Mapping[str, object]) -> bool:
    """Whether `text` at `point` needs the layer engine: arrays, @, .T or a layer function."""
    return reads_layers(text) or any(isinstance(v, np.ndarray) for v in point.values())


def parse_point(text: str, option: str = "--at") -> dict[str, float | np.ndarray]:
    """`W=[[0.5,-0.3],[0.2,0.4]],x=[1,2],b=@bias.csv,y=1`: numbers, vectors and matrices."""
    if not text.strip():
        raise InputError(f'{option} is empty: give values such as "x=[1,2],y=1"')
    values: dict[str, float | np.ndarray] = {}
    for part in _split_top_level(text):
        name, sep, value_text = part.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError(f"{option}: expected name=value, got {part.strip()!r}")
        if not name.isidentifier():
            raise InputError(f"{option}: {name!r} is not a variable name")
        if name in values:
            raise InputError(f"{option}: {name} is given twice")
        value_text = value_text.strip()
        if value_text.startswith(("[", "@")) or value_text == "-":
            array = parse_array(value_text, f"{option} value of {name}")
            if array.size > MAX_ENTRIES:
                raise InputError(
                    f"{option}: {name} has {array.size:,} entries (limit {MAX_ENTRIES:,})"
                )
            values[name] = array
        else:
            values[name] = parse_number(value_text, what=f"{option} value of {name}")
    return values


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
        if char in ",;" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


# --- Operations: forward, backward rule, its formula --------------------------

Array = np.ndarray
# (inputs, output, ∂L/∂output) -> ∂L/∂input_i (None: no gradient flows there)
Vjp = Callable[[Sequence[Array], Array, Array], list[Array | None]]


class LayerError(InputError):
    """A value has no meaning here: shapes that do not fit, log of a negative, ..."""


@dataclass(frozen=True)
class TensorOp:
    name: str
    symbol: str
    forward: Callable[[Sequence[Array]], Array]
    vjp: Vjp
    # (input ids, output id) -> the text of ∂L/∂input_i
    formulas: Callable[[Sequence[str], str], list[str]]
    data_slots: tuple[int, ...] = ()  # inputs that are data (a loss's target): no gradient


def _unbroadcast(gradient: Array, shape: tuple[int, ...]) -> Array:
    """Sum `gradient` over the axes along which an input of `shape` was broadcast."""
    while gradient.ndim > len(shape):
        gradient = gradient.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and gradient.shape[axis] != 1:
            gradient = gradient.sum(axis=axis, keepdims=True)
    return gradient


def _broadcast_shape(args: Sequence[Array], what: str) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(*(a.shape for a in args)))
    except ValueError:
        shapes = " and ".join(shape_text(a.shape) for a in args)
        raise LayerError(
            f"{what}: shapes {shapes} do not broadcast (NumPy's rule: sizes must match or be 1, "
            "compared from the last axis)"
        ) from None


def _elementwise_binary(
    name: str,
    symbol: str,
    function: Callable[[Array, Array], Array],
    partials: Callable[[Array, Array, Array], tuple[Array, Array]],
    texts: Callable[[str, str], tuple[str, str]],
) -> TensorOp:
    def forward(args: Sequence[Array]) -> Array:
        _broadcast_shape(args, f"'{symbol}'")
        return function(args[0], args[1])

    def vjp(args: Sequence[Array], out: Array, grad: Array) -> list[Array | None]:
        left, right = partials(args[0], args[1], out)
        return [
            _unbroadcast(grad * left, args[0].shape),
            _unbroadcast(grad * right, args[1].shape),
        ]

    def formulas(ids: Sequence[str], out: str) -> list[str]:
        left, right = texts(ids[0], ids[1])
        return [_times(f"∂L/∂{out}", left), _times(f"∂L/∂{out}", right)]

    return TensorOp(name, symbol, forward, vjp, formulas)


def _times(upstream: str, local: str) -> str:
    if local == "1":
        return upstream
    if local == "-1":
        return f"−{upstream}"
    return f"{upstream} ⊙ {local}"


def _nary(name: str, symbol: str) -> TensorOp:
    """+ and × of several terms (a + b + c is one node, as in core.graph)."""

    def forward(args: Sequence[Array]) -> Array:
        _broadcast_shape(args, f"'{symbol}'")
        result = args[0]
        for arg in args[1:]:
            result = result + arg if name == "add" else result * arg
        return np.asarray(result, dtype=float)

    def vjp(args: Sequence[Array], out: Array, grad: Array) -> list[Array | None]:
        if name == "add":
            return [_unbroadcast(grad, a.shape) for a in args]
        grads: list[Array | None] = []
        for i, arg in enumerate(args):
            others = np.ones(out.shape)
            for j, other in enumerate(args):
                if j != i:
                    others = others * other
            grads.append(_unbroadcast(grad * others, arg.shape))
        return grads

    def formulas(ids: Sequence[str], out: str) -> list[str]:
        if name == "add":
            return [f"∂L/∂{out}" for _ in ids]
        return [
            _times(f"∂L/∂{out}", " ⊙ ".join(other for j, other in enumerate(ids) if j != i))
            for i in range(len(ids))
        ]

    return TensorOp(name, symbol, forward, vjp, formulas)


def _power(args: Sequence[Array]) -> Array:
    base, exponent = args
    _broadcast_shape(args, "'**'")
    if np.any((base < 0) & (exponent != np.round(exponent))):
        raise LayerError("a negative number to a non-integer power is not a real number")
    if np.any((base == 0) & (exponent < 0)):
        raise LayerError("0 to a negative power (a division by zero)")
    return np.power(base, exponent)


def _power_partials(base: Array, exponent: Array, out: Array) -> tuple[Array, Array]:
    with np.errstate(divide="ignore", invalid="ignore"):
        by_base = np.where(exponent == 0, 0.0, exponent * np.power(base, exponent - 1))
        by_exponent = np.where(base > 0, out * np.log(np.where(base > 0, base, 1.0)), 0.0)
    return by_base, by_exponent


def _divide(a: Array, b: Array) -> Array:
    if np.any(b == 0):
        raise LayerError("division by zero: the divisor has a 0 entry")
    return a / b


def _matmul_forward(args: Sequence[Array]) -> Array:
    a, b = args
    if a.ndim == 0 or b.ndim == 0:
        raise LayerError(
            f"'@' needs vectors or matrices, got shapes {shape_text(a.shape)} and "
            f"{shape_text(b.shape)}: write * to multiply by a number"
        )
    if a.ndim > 2 or b.ndim > 2:
        raise LayerError("'@' works on vectors and matrices (at most 2 axes)")
    inner_a = a.shape[-1]
    inner_b = b.shape[0]
    if inner_a != inner_b:
        raise LayerError(
            f"'@': shapes {shape_text(a.shape)} and {shape_text(b.shape)} do not align "
            f"(the left's last axis has {inner_a}, the right's first has {inner_b})"
        )
    return np.asarray(a @ b, dtype=float)


def _matmul_vjp(args: Sequence[Array], out: Array, grad: Array) -> list[Array | None]:
    a, b = args
    if a.ndim == 1 and b.ndim == 1:
        return [grad * b, grad * a]
    if b.ndim == 1:  # W @ x
        return [np.outer(grad, b), a.T @ grad]
    if a.ndim == 1:  # x @ W
        return [b @ grad, np.outer(a, grad)]
    return [grad @ b.T, a.T @ grad]


def _matmul_formulas(ids: Sequence[str], out: str) -> list[str]:
    a, b = ids
    return [f"∂L/∂{out} · {b}ᵀ", f"{a}ᵀ · ∂L/∂{out}"]


def _transpose(args: Sequence[Array]) -> Array:
    if args[0].ndim > 2:
        raise LayerError("transpose works on vectors and matrices")
    return args[0].T


def _softmax(z: Array) -> Array:
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(z: Array) -> Array:
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _needs_axis(z: Array, what: str) -> None:
    if z.ndim == 0:
        raise LayerError(f"{what} needs a vector (or a matrix, one row per example), got a scalar")
    if z.ndim > 2:
        raise LayerError(f"{what} works on vectors and matrices")


def _softmax_forward(args: Sequence[Array]) -> Array:
    _needs_axis(args[0], "softmax")
    return _softmax(args[0])


def _log_softmax_forward(args: Sequence[Array]) -> Array:
    _needs_axis(args[0], "log_softmax")
    return _log_softmax(args[0])


def _targets(z: Array, y: Array) -> Array:
    """cross_entropy's target as probabilities: class indices become one-hot rows."""
    _needs_axis(z, "cross_entropy")
    classes = z.shape[-1]
    if y.shape == z.shape:
        if np.any(y < 0) or not np.allclose(y.sum(axis=-1), 1.0):
            raise LayerError(
                "cross_entropy: a target of the logits' shape must be one-hot (or probabilities): "
                "non-negative, each row summing to 1"
            )
        return y
    rows = z.shape[:-1]
    if y.shape != rows:
        want = "a class index" if not rows else f"{rows[0]} class indices"
        raise LayerError(
            f"cross_entropy: logits of shape {shape_text(z.shape)} need {want} or one-hot targets "
            f"of shape {shape_text(z.shape)}; the target has shape {shape_text(y.shape)}"
        )
    if np.any(y != np.round(y)) or np.any(y < 0) or np.any(y >= classes):
        raise LayerError(
            f"cross_entropy: a class index must be a whole number from 0 to {classes - 1} "
            f"(there are {classes} classes); got {_short(y)}"
        )
    return np.eye(classes)[y.astype(int)]


def _short(values: Array) -> str:
    flat = values.ravel()
    shown = ", ".join(f"{v:g}" for v in flat[:6])
    return f"[{shown}{', …' if flat.size > 6 else ''}]" if values.ndim else f"{float(values):g}"


def _batch(z: Array) -> int:
    return 1 if z.ndim == 1 else int(z.shape[0])


def _cross_entropy(args: Sequence[Array]) -> Array:
    z, y = args
    target = _targets(z, y)
    return np.asarray(-(target * _log_softmax(z)).sum() / _batch(z))


def _cross_entropy_vjp(args: Sequence[Array], out: Array, grad: Array) -> list[Array | None]:
    z, y = args
    return [grad * (_softmax(z) - _targets(z, y)) / _batch(z), None]


def _cross_entropy_formulas(ids: Sequence[str], out: str) -> list[str]:
    z, y = ids
    return [f"∂L/∂{out} · (softmax({z}) − onehot({y})) / batch", ""]


def _same_shape(args: Sequence[Array], what: str) -> None:
    if args[0].shape != args[1].shape:
        raise LayerError(
            f"{what}: the prediction has shape {shape_text(args[0].shape)} and the target "
            f"{shape_text(args[1].shape)}; they must be equal"
        )


def _mse(args: Sequence[Array]) -> Array:
    _same_shape(args, "mse")
    return np.asarray(np.mean((args[0] - args[1]) ** 2))


def _mse_vjp(args: Sequence[Array], out: Array, grad: Array) -> list[Array | None]:
    return [grad * 2.0 * (args[0] - args[1]) / max(1, args[0].size), None]


def _bce(args: Sequence[Array]) -> Array:
    p, y = args
    _same_shape(args, "bce")
    if np.any((p <= 0) | (p >= 1)):
        raise LayerError("bce: every probability must be strictly between 0 and 1 (log(0) is -∞)")
    return np.asarray(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def _bce_vjp(args: Sequence[Array], out: Array, grad: Array) -> list[Array | None]:
    p, y = args
    return [grad * (p - y) / (p * (1 - p)) / max(1, p.size), None]


def _reduction(name: str) -> TensorOp:
    def forward(args: Sequence[Array]) -> Array:
        x = args[0]
        return np.asarray(x.sum() if name == "sum" else x.mean())

    def vjp(args: Sequence[Array], out: Array, grad: Array) -> list[Array | None]:
        scale = 1.0 if name == "sum" else 1.0 / max(1, args[0].size)
        return [np.broadcast_to(grad * scale, args[0].shape).copy()]

    def formulas(ids: Sequence[str], out: str) -> list[str]:
        if name == "sum":
            return [f"∂L/∂{out} in every entry"]
        return [f"∂L/∂{out} / (number of entries of {ids[0]}) in every entry"]

    return TensorOp(name, name, forward, vjp, formulas)


# Elementwise functions: NumPy forward, and the derivative from (input, output).
_UNARY: dict[str, tuple[Callable[[Array], Array], Callable[[Array, Array], Array]]] = {
    "exp": (np.exp, lambda x, o: o),
    "log": (np.log, lambda x, o: 1.0 / x),
    "ln": (np.log, lambda x, o: 1.0 / x),
    "sqrt": (np.sqrt, lambda x, o: 1.0 / (2.0 * o)),
    "abs": (np.abs, lambda x, o: np.sign(x)),
    "sign": (np.sign, lambda x, o: np.zeros_like(x)),
    "step": (lambda x: (x > 0).astype(float), lambda x, o: np.zeros_like(x)),
    "sin": (np.sin, lambda x, o: np.cos(x)),
    "cos": (np.cos, lambda x, o: -np.sin(x)),
    "tan": (np.tan, lambda x, o: 1.0 + o * o),
    "asin": (np.arcsin, lambda x, o: 1.0 / np.sqrt(1.0 - x * x)),
    "acos": (np.arccos, lambda x, o: -1.0 / np.sqrt(1.0 - x * x)),
    "atan": (np.arctan, lambda x, o: 1.0 / (1.0 + x * x)),
    "sinh": (np.sinh, lambda x, o: np.cosh(x)),
    "cosh": (np.cosh, lambda x, o: np.sinh(x)),
    "tanh": (np.tanh, lambda x, o: 1.0 - o * o),
    "erf": (NUMPY_IMPLEMENTATIONS["erf"], lambda x, o: 2.0 / math.sqrt(math.pi) * np.exp(-x * x)),
    "sigmoid": (lambda x: np.exp(-np.logaddexp(0.0, -x)), lambda x, o: o * (1.0 - o)),
    "relu": (lambda x: np.maximum(x, 0.0), lambda x, o: (x > 0).astype(float)),
    "softplus": (lambda x: np.logaddexp(0.0, x), lambda x, o: np.exp(-np.logaddexp(0.0, -x))),
}
_DOMAINS: dict[str, tuple[Callable[[Array], Array], str]] = {
    "log": (lambda x: x > 0, "log needs positive entries"),
    "ln": (lambda x: x > 0, "ln needs positive entries"),
    "sqrt": (lambda x: x > 0, "sqrt needs positive entries (its derivative is infinite at 0)"),
    "asin": (lambda x: np.abs(x) < 1, "asin needs entries strictly between -1 and 1"),
    "acos": (lambda x: np.abs(x) < 1, "acos needs entries strictly between -1 and 1"),
}


def _unary(name: str) -> TensorOp:
    function, derivative = _UNARY[name]

    def forward(args: Sequence[Array]) -> Array:
        if len(args) != 1:
            raise LayerError(f"{name}() takes 1 argument with layers, got {len(args)}")
        x = args[0]
        if name in _DOMAINS:
            check, problem = _DOMAINS[name]
            bad = ~check(x)
            if np.any(bad):
                raise LayerError(f"{problem}; got {_short(x[bad])}")
        with np.errstate(over="raise", invalid="raise"):
            try:
                return np.asarray(function(x), dtype=float)
            except FloatingPointError:
                raise LayerError(f"{name} overflows float64 at {_short(x)}") from None

    def vjp(args: Sequence[Array], out: Array, grad: Array) -> list[Array | None]:
        return [grad * derivative(args[0], out)]

    def formulas(ids: Sequence[str], out: str) -> list[str]:
        if name == "relu":
            return [f"∂L/∂{out} ⊙ [{ids[0]} > 0]  (relu's mask)"]
        return [_times(f"∂L/∂{out}", OPERATIONS[name].formulas([ids[0]])[0])]

    return TensorOp(name, name, forward, vjp, formulas)


def _extreme(name: str) -> TensorOp:
    """Elementwise max or min of several values; tied entries share the gradient equally."""
    pick = np.maximum if name == "max" else np.minimum
    word = "largest" if name == "max" else "smallest"

    def forward(args: Sequence[Array]) -> Array:
        _broadcast_shape(args, name)
        result = args[0]
        for arg in args[1:]:
            result = pick(result, arg)
        return np.asarray(result, dtype=float)

    def vjp(args: Sequence[Array], out: Array, grad: Array) -> list[Array | None]:
        winners = [np.broadcast_to(arg == out, out.shape).astype(float) for arg in args]
        count = sum(winners)
        return [
            _unbroadcast(grad * won / count, arg.shape)
            for won, arg in zip(winners, args, strict=True)
        ]

    def formulas(ids: Sequence[str], out: str) -> list[str]:
        return [f"∂L/∂{out} ⊙ [{i} is the {word}]  (ties share)" for i in ids]

    return TensorOp(name, name, forward, vjp, formulas)


TENSOR_OPERATIONS: dict[str, TensorOp] = {
    op.name: op
    for op in [
        _nary("add", "+"),
        _nary("mul", "×"),
        _elementwise_binary(
            "sub", "−", np.subtract, lambda a, b, o: (np.ones_like(o), -np.ones_like(o)),
            lambda a, b: ("1", "-1"),
        ),
        _elementwise_binary(
            "div", "÷", _divide, lambda a, b, o: (1.0 / b, -a / (b * b)),
            lambda a, b: (f"1/{b}", f"(-{a}/{b}²)"),
        ),
        TensorOp(
            "pow", "^", _power,
            lambda args, out, grad: [
                _unbroadcast(grad * p, a.shape)
                for p, a in zip(_power_partials(args[0], args[1], out), args, strict=True)
            ],
            lambda ids, out: [
                f"∂L/∂{out} ⊙ {ids[1]}·{ids[0]}^({ids[1]} − 1)",
                f"∂L/∂{out} ⊙ {out}·log({ids[0]})",
            ],
        ),
        TensorOp(
            "neg", "neg", lambda args: -args[0], lambda args, out, grad: [-grad],
            lambda ids, out: [f"−∂L/∂{out}"],
        ),
        TensorOp(
            "copy", "=", lambda args: args[0], lambda args, out, grad: [grad],
            lambda ids, out: [f"∂L/∂{out}"],
        ),
        TensorOp("matmul", "@", _matmul_forward, _matmul_vjp, _matmul_formulas),
        TensorOp(
            "transpose", "ᵀ", _transpose, lambda args, out, grad: [grad.T],
            lambda ids, out: [f"(∂L/∂{out})ᵀ"],
        ),
        _reduction("sum"),
        _reduction("mean"),
        TensorOp(
            "softmax", "softmax", _softmax_forward,
            lambda args, out, grad: [out * (grad - (grad * out).sum(axis=-1, keepdims=True))],
            lambda ids, out: [f"{out} ⊙ (∂L/∂{out} − Σ(∂L/∂{out} ⊙ {out}))"],
        ),
        TensorOp(
            "log_softmax", "log_softmax", _log_softmax_forward,
            lambda args, out, grad: [
                grad - np.exp(out) * grad.sum(axis=-1, keepdims=True)
            ],
            lambda ids, out: [f"∂L/∂{out} − softmax({ids[0]}) ⊙ Σ∂L/∂{out}"],
        ),
        TensorOp(
            "cross_entropy", "cross_entropy", _cross_entropy, _cross_entropy_vjp,
            _cross_entropy_formulas, (1,),
        ),
        TensorOp(
            "mse", "mse", _mse, _mse_vjp,
            lambda ids, out: [f"∂L/∂{out} · 2({ids[0]} − {ids[1]}) / (number of entries)", ""],
            (1,),
        ),
        TensorOp(
            "bce", "bce", _bce, _bce_vjp,
            lambda ids, out: [
                f"∂L/∂{out} · ({ids[0]} − {ids[1]}) / ({ids[0]}(1 − {ids[0]})) / (entries)", ""
            ],
            (1,),
        ),
        *[_unary(name) for name in _UNARY],
        _extreme("max"),
        _extreme("min"),
    ]
}  # fmt: skip
_ARITY: dict[str, tuple[int, int | None]] = {  # smallest and largest number of arguments
    "transpose": (1, 1), "sum": (1, 1), "mean": (1, 1), "softmax": (1, 1),
    "log_softmax": (1, 1), "cross_entropy": (2, 2), "mse": (2, 2), "bce": (2, 2),
    "max": (2, None), "min": (2, None), "log": (1, 2),
}  # fmt: skip
_PRECEDENCE = {"add": 1, "sub": 1, "mul": 2, "matmul": 2, "div": 2, "neg": 3, "pow": 4}


# --- The graph -------------------------------------------------------------------


@dataclass(frozen=True)
class TensorNode:
    id: str
    op: str  # "input", "constant" or a TENSOR_OPERATIONS name
    inputs: tuple[int, ...]
    label: str
    shape: tuple[int, ...]
    statement: int  # the statement that made it (0 for inputs)
    name: str | None = None  # the name a statement gave it
    constant: float | None = None


@dataclass(frozen=True)
class TensorGraph:
    nodes: tuple[TensorNode, ...]
    output: int
    inputs: tuple[str, ...]  # sorted
    needs_grad: tuple[bool, ...]
    positions: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.positions.update((node.id, i) for i, node in enumerate(self.nodes))

    def index(self, node_id: str) -> int:
        return self.positions[node_id]


_MATMUL = re.compile(r"@")
_TRANSPOSE = re.compile(r"(?<=[\w)])\.T\b")


def _rewrite(text: str) -> tuple[str, set[int], set[int]]:
    """`A @ B` as `A * B` and `W.T` as `W^T`, same length; the 1-based columns of each."""
    matmuls = {m.start() + 1 for m in _MATMUL.finditer(text)}
    transposes = {m.start() + 2 for m in _TRANSPOSE.finditer(text)}  # the column of T
    rewritten = _TRANSPOSE.sub("^T", text).replace("@", "*")
    return rewritten, matmuls, transposes


@dataclass
class _Draft:
    """A node while its program is read; a statement names it (display adds primes)."""

    op: str
    inputs: tuple[int, ...]
    label: str
    statement: int
    constant: float | None = None
    display: str | None = None
    name: str | None = None


class _Builder:
    """Adds each statement's nodes, computing values as it goes (shapes are known at once)."""

    def __init__(self, point: Mapping[str, Array]) -> None:
        self.point = point
        self.drafts: list[_Draft] = []
        self.values: list[Array] = []
        self.scope: dict[str, int] = {}
        self.inputs: dict[str, int] = {}
        self.first_use: dict[str, int] = {}
        self.statement = 0
        self.text = ""
        self.columns: list[int] = []
        self.matmuls: set[int] = set()
        self.transposes: set[int] = set()

    # errors, with the column in the statement
    def error(self, problem: str, node: ast.AST) -> ExpressionError:
        offset = getattr(node, "col_offset", None)
        column = self.columns[offset] if offset is not None and offset < len(self.columns) else None
        return ExpressionError(problem, self.text, column)

    def add(
        self, op: str, inputs: list[int], label: str, value: Array, constant: float | None = None
    ) -> int:
        if value.size > MAX_ENTRIES:
            raise LayerError(f"a value of {value.size:,} entries (limit {MAX_ENTRIES:,})")
        statement = 0 if op == "input" else self.statement
        self.drafts.append(_Draft(op, tuple(inputs), label, statement, constant))
        self.values.append(value)
        return len(self.drafts) - 1

    def ref(self, index: int) -> tuple[str, int]:
        """How a parent writes node `index`, and its precedence (5: never parenthesised)."""
        draft = self.drafts[index]
        if draft.display is not None:
            return draft.display, 5
        if draft.op in ("input", "constant"):
            return draft.label, 5
        return draft.label, _PRECEDENCE.get(draft.op, 5)

    def walk(self, node: ast.expr) -> int:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
            return self.walk(node.operand)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            if isinstance(node.operand, ast.Constant):
                index = self.constant(node.operand, negative=True)
                return index
            return self.operation("neg", [self.walk(node.operand)], node)
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        what = "a tuple" if isinstance(node, ast.Tuple) else type(node).__name__
        raise self.error(f"{what} is not allowed", node)

    def binary(self, node: ast.BinOp) -> int:
        if isinstance(node.op, ast.Pow):
            return self.power(self.walk(node.left), node.right, node)
        if isinstance(node.op, ast.Mult) and self.is_matmul(node):
            return self.operation("matmul", [self.walk(node.left), self.walk(node.right)], node)
        kinds = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
        op = kinds.get(type(node.op))  # type: ignore[arg-type]
        if op is None:
            raise self.error(f"the operator {type(node.op).__name__} is not allowed", node)
        if op in ("add", "mul"):
            terms = self.chain(node, type(node.op))
            return self.operation(op, [self.walk(term) for term in terms], node)
        return self.operation(op, [self.walk(node.left), self.walk(node.right)], node)

    def power(self, base: int, exponent: ast.expr, node: ast.BinOp) -> int:
        """base ** exponent, where W.T was read as W ^ T: `W.T**2` arrives as W ** (T ** 2)."""
        while True:
            if self.is_transpose(exponent):
                return self.operation("transpose", [base], node)
            if (
                isinstance(exponent, ast.BinOp)
                and isinstance(exponent.op, ast.Pow)
                and self.is_transpose(exponent.left)
            ):
                base = self.operation("transpose", [base], node)  # .T binds before **
                exponent = exponent.right
                continue
            return self.operation("pow", [base, self.walk(exponent)], node)

    def chain(self, node: ast.BinOp, kind: type) -> list[ast.expr]:
        terms: list[ast.expr] = []
        current: ast.expr = node
        while (
            isinstance(current, ast.BinOp)
            and isinstance(current.op, kind)
            and not (kind is ast.Mult and self.is_matmul(current))
        ):
            terms.append(current.right)
            current = current.left
        terms.append(current)
        return terms[::-1]

    def is_matmul(self, node: ast.BinOp) -> bool:
        start = getattr(node.left, "end_col_offset", None)
        end = getattr(node.right, "col_offset", None)
        if start is None or end is None:
            return False
        # Between the operands stand only the operator and parentheses; the operator's
        # column says whether it was typed as @.
        return any(self.columns[offset] in self.matmuls for offset in range(start, end))

    def is_transpose(self, node: ast.expr) -> bool:
        return (
            isinstance(node, ast.Name)
            and node.id == "T"
            and self.columns[node.col_offset] in self.transposes
        )

    def constant(self, node: ast.Constant, negative: bool = False) -> int:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(f"the literal {value!r} is not allowed", node)
        if isinstance(value, int) and len(str(value)) > MAX_INTEGER_DIGITS:
            raise self.error(f"integer too large (limit {MAX_INTEGER_DIGITS} digits)", node)
        number = -float(value) if negative else float(value)
        if not math.isfinite(number):
            raise self.error("number too large for a float", node)
        text = ("-" if negative else "") + (
            str(value) if isinstance(value, int) else repr(float(value))
        )
        return self.add("constant", [], text, np.asarray(number), constant=number)

    def name(self, node: ast.Name) -> int:
        name = node.id
        if name in self.scope:
            return self.scope[name]
        if name in CONSTANT_VALUES:
            value = CONSTANT_VALUES[name]
            return self.add("constant", [], name, np.asarray(value), constant=value)
        if name in OPERATIONS or name in _ARITY:
            raise self.error(f"'{name}' is a function: write {name}(...)", node)
        return self.variable(name)

    def variable(self, name: str) -> int:
        if name not in self.inputs:
            self.first_use[name] = self.statement
            value = self.point.get(name)
            if value is None:
                value = np.asarray(0.0)  # reported as missing once the program is read
            self.inputs[name] = self.add("input", [], name, np.asarray(value, dtype=float))
        return self.inputs[name]

    def call(self, node: ast.Call) -> int:
        if not isinstance(node.func, ast.Name):
            raise self.error("only named functions such as relu(x) can be called", node)
        name = node.func.id
        if node.keywords:
            raise self.error("keyword arguments are not allowed", node.keywords[0])
        known = sorted({*_UNARY, *_ARITY})
        if name not in known:
            hint = did_you_mean(name, known)
            raise self.error(
                f"unknown function '{name}' for layers{hint}; known: {', '.join(known)}", node
            )
        fewest, most = _ARITY.get(name, (1, 1))
        count = len(node.args)
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise self.error("starred arguments are not allowed", node)
        if count < fewest or (most is not None and count > most):
            want = f"{fewest}" if fewest == most else f"{fewest} or more"
            raise self.error(f"{name}() takes {want} argument(s), got {count}", node)
        args = [self.walk(arg) for arg in node.args]
        if name == "log" and count == 2:  # log(x, b) = log(x)/log(b), as written out
            logs = [self.operation("log", [arg], node) for arg in args]
            return self.operation("div", logs, node)
        return self.operation(name, args, node)

    def operation(self, op: str, inputs: list[int], node: ast.AST) -> int:
        operation = TENSOR_OPERATIONS[op]
        label = self.label(op, inputs)
        try:
            value = operation.forward([self.values[i] for i in inputs])
        except LayerError as problem:
            # The label names the operation already: "a + b: shapes 3 and 2 ...".
            reason = re.sub(r"^('[^']+'|\w+): ", "", str(problem))
            raise self.error(f"{label}: {reason}", node) from None
        return self.add(op, inputs, label, np.asarray(value, dtype=float))

    def label(self, op: str, inputs: list[int]) -> str:
        def part(index: int, below: int) -> str:
            text, precedence = self.ref(index)
            return f"({text})" if precedence < below else text

        return node_label(op, inputs, part, lambda i: self.ref(i)[0])


@dataclass(frozen=True)
class LayerProgram:
    statements: tuple[Statement, ...]
    graph: TensorGraph
    values: tuple[Array, ...]
    first_use: dict[str, int]
    notes: tuple[str, ...]


def build_layers(
    text: str, point: Mapping[str, float | Array], output: str | None = None
) -> LayerProgram:
    """The graph of `text` (a program, or one expression named f) with its forward values."""
    arrays = {name: np.asarray(value, dtype=float) for name, value in point.items()}
    if is_program(text):
        statements = split_program(text)
    else:
        if output is not None:
            raise InputError("--output names a step of a program; this is one expression")
        name = next(n for n in ("f", "L", "out") if not re.search(rf"\b{n}\b", text))
        statements = [Statement(1, 1, name, "=", text, 0)]
    several_lines = len({s.line for s in statements}) > 1
    builder = _Builder(arrays)
    versions: dict[str, int] = {}
    notes: list[str] = []
    try:
        roots = _read(builder, statements, text, output, versions, notes, several_lines)
    except InputError:
        missing = [name for name in builder.inputs if name not in point]
        if missing:  # a value standing in for a missing input caused this
            raise InputError(_missing(missing, builder, statements)) from None
        raise
    output_index = _output(builder, statements, output)
    missing = [name for name in builder.inputs if name not in point]
    if missing:
        raise InputError(_missing(missing, builder, statements))
    return _finish(builder, statements, roots, output_index, notes)


def _read(
    builder: _Builder,
    statements: Sequence[Statement],
    text: str,
    output: str | None,
    versions: dict[str, int],
    notes: list[str],
    several_lines: bool,
) -> list[int]:
    roots: list[int] = []
    for statement in statements:
        where = f"statement {statement.number}" + (
            f" (line {statement.line})" if several_lines else ""
        )
        check_target(statement.target, where)
        builder.statement = statement.number
        source_text, builder.matmuls, builder.transposes = _rewrite(statement.expression)
        try:
            try:
                tree, columns = parse_syntax(source_text)
            except ExpressionError as error:  # shown in the text as typed, not as rewritten
                raise ExpressionError(error.problem, statement.expression, error.column) from None
            builder.text = statement.text
            builder.columns = [column + statement.offset for column in columns]
            builder.matmuls = {c + statement.offset for c in builder.matmuls}
            builder.transposes = {c + statement.offset for c in builder.transposes}
            root = builder.walk(tree)
            if statement.operator != "=":
                left = builder.scope.get(statement.target)
                if left is None:
                    left = builder.variable(statement.target)
                kind = {"+=": "add", "-=": "sub", "*=": "mul", "/=": "div"}[statement.operator]
                root = builder.operation(kind, [left, root], tree)
        except ExpressionError as error:
            if statement.text == text and not is_program(text):
                raise
            raise InputError(f"{where}: {in_statement(error, statement)}") from None
        target = statement.target
        notes.extend(shadowing_note(statement, versions))
        next_version(versions, target, is_input=target in builder.inputs)
        draft = builder.drafts[root]
        if draft.display is not None or draft.op == "input":
            root = builder.add("copy", [root], builder.ref(root)[0], builder.values[root])
        builder.drafts[root].display = display_name(target, versions[target])
        builder.drafts[root].name = target
        builder.scope[target] = root
        roots.append(root)
    return roots


def _output(builder: _Builder, statements: Sequence[Statement], output: str | None) -> int:
    if output is None:
        return builder.scope[statements[-1].target]
    if output in builder.scope:
        return builder.scope[output]
    assigned = list(dict.fromkeys(s.target for s in statements))
    hint = did_you_mean(output, assigned)
    raise InputError(
        f"--output names {output}, which the program does not assign{hint} "
        f"(it assigns {', '.join(assigned)})"
    )


def _missing(missing: list[str], builder: _Builder, statements: Sequence[Statement]) -> str:
    parts = []
    for name in missing:
        used = builder.first_use[name]
        later = [s.number for s in statements if s.target == name and s.number > used]
        if later:
            parts.append(
                f"{name} (read in statement {used} before statement {later[0]} assigns it: "
                "a program runs top to bottom, so its first value is an input)"
            )
        else:
            parts.append(f"{name} (first read in statement {used})")
    return f"--at gives no value for {'; '.join(parts)}"


def _finish(
    builder: _Builder,
    statements: Sequence[Statement],
    roots: list[int],
    output: int,
    notes: list[str],
) -> LayerProgram:
    needed = {output}
    for index in range(output, -1, -1):
        if index in needed:
            needed.update(builder.drafts[index].inputs)
    keep = sorted(needed)
    unused = [
        f"{s.target} (statement {s.number})"
        for s, root in zip(statements, roots, strict=True)
        if root not in needed
    ]
    if unused:
        out = builder.drafts[output].display
        notes.append(f"{out} does not depend on {', '.join(unused)}: left out of the graph")
    position = {old: new for new, old in enumerate(keep)}
    names = {*builder.inputs, *builder.scope}
    prefix = next(p for p in ("n", "node", "op", "t") if not any(
        re.fullmatch(rf"{p}\d+", name) for name in names
    ))  # fmt: skip
    nodes: list[TensorNode] = []
    needs_grad: list[bool] = []
    count = 0
    repeats: dict[str, int] = {}
    for old in keep:
        draft = builder.drafts[old]
        inputs = tuple(position[i] for i in draft.inputs)
        node_id = draft.display
        if node_id is None and draft.op == "constant":
            repeats[draft.label] = repeats.get(draft.label, 0) + 1
            node_id = draft.label
            if repeats[node_id] > 1:
                node_id = f"{node_id}#{repeats[node_id]}"
        elif node_id is None and draft.op == "input":
            node_id = draft.label
        elif node_id is None:
            count += 1
            node_id = f"{prefix}{count}"
        op = draft.op
        data_slots = TENSOR_OPERATIONS[op].data_slots if op in TENSOR_OPERATIONS else ()
        nodes.append(
            TensorNode(
                node_id, op, inputs, draft.label, tuple(builder.values[old].shape),
                draft.statement, draft.name, draft.constant,
            )
        )  # fmt: skip
        grad = op == "input" or any(
            needs_grad[i] for slot, i in enumerate(inputs) if slot not in data_slots
        )
        needs_grad.append(grad)
    # An input read only as a loss's target is data: it gets no gradient.
    target_only = _target_only(nodes)
    needs_grad = [need and i not in target_only for i, need in enumerate(needs_grad)]
    if target_only:
        listed = ", ".join(nodes[i].id for i in sorted(target_only))
        notes.append(f"{listed}: a loss's target (data), so no gradient is computed for it")
    inputs_sorted = tuple(sorted(node.id for node in nodes if node.op == "input"))
    graph = TensorGraph(tuple(nodes), position[output], inputs_sorted, tuple(needs_grad))
    values = tuple(builder.values[old] for old in keep)
    first_use = {name: builder.first_use[name] for name in inputs_sorted}
    return LayerProgram(tuple(statements), graph, values, first_use, tuple(notes))


def _target_only(nodes: Sequence[TensorNode]) -> set[int]:
    """Inputs every use of which is a loss's target slot."""
    uses: dict[int, list[bool]] = {}
    for node in nodes:
        slots = TENSOR_OPERATIONS[node.op].data_slots if node.op in TENSOR_OPERATIONS else ()
        for slot, i in enumerate(node.inputs):
            uses.setdefault(i, []).append(slot in slots)
    return {
        i for i, node in enumerate(nodes) if node.op == "input" and uses.get(i) and all(uses[i])
    }


# --- Forward, backward, checks ------------------------------------------------------


def forward(graph: TensorGraph, point: Mapping[str, Array]) -> list[Array]:
    """Every node's value at `point` (shapes as when the graph was built)."""
    values: list[Array] = []
    for node in graph.nodes:
        if node.op == "input":
            values.append(np.asarray(point[node.id], dtype=float))
        elif node.op == "constant":
            values.append(np.asarray(node.constant, dtype=float))
        else:
            try:
                values.append(
                    np.asarray(
                        TENSOR_OPERATIONS[node.op].forward([values[i] for i in node.inputs]),
                        dtype=float,
                    )
                )
            except LayerError as problem:
                raise LayerError(f"node {node.id} = {node.label}: {problem}") from None
    return values


@dataclass(frozen=True)
class Edge:
    """One backward rule: the gradient `source` sends to its input `target`."""

    target: int
    source: int
    formula: str  # in the nodes' ids, e.g. ∂L/∂n3 · hᵀ
    contribution: Array
    path: int
    paths: int


def backward(graph: TensorGraph, values: Sequence[Array]) -> tuple[list[Array | None], list[Edge]]:
    """Reverse mode from the (scalar) output: each node's gradient, and every edge's share."""
    nodes = graph.nodes
    paths = [0] * len(nodes)
    for node in nodes:
        for i in node.inputs:
            paths[i] += graph.needs_grad[i]
    gradients: list[Array | None] = [
        np.zeros(node.shape) if need else None
        for node, need in zip(nodes, graph.needs_grad, strict=True)
    ]
    gradients[graph.output] = np.ones(nodes[graph.output].shape)
    received = [0] * len(nodes)
    edges: list[Edge] = []
    output_id = nodes[graph.output].id
    for index in range(len(nodes) - 1, -1, -1):
        node = nodes[index]
        upstream = gradients[index]
        if upstream is None or not node.inputs:
            continue
        operation = TENSOR_OPERATIONS[node.op]
        args = [values[i] for i in node.inputs]
        with np.errstate(all="ignore"):
            shares = operation.vjp(args, values[index], upstream)
        ids = [_formula_id(nodes[i]) for i in node.inputs]
        formulas = operation.formulas(ids, node.id)
        if node.op == "cross_entropy" and args[0].ndim == 1:
            formulas = [text.replace(" / batch", "") for text in formulas]  # one example
        if index == graph.output:
            formulas = [text.removeprefix(f"∂L/∂{node.id} · ") for text in formulas]
        for slot, target in enumerate(node.inputs):
            share = shares[slot]
            if not graph.needs_grad[target] or share is None:
                continue
            share = np.asarray(share, dtype=float).reshape(nodes[target].shape)
            if not np.all(np.isfinite(share)):
                raise LayerError(
                    f"the gradient is undefined at node {node.id} = {node.label}: "
                    f"what it sends to {nodes[target].id} is not finite"
                )
            gradients[target] = gradients[target] + share  # type: ignore[operator]
            received[target] += 1
            edges.append(
                Edge(target, index, formulas[slot].replace("∂L/", f"∂{output_id}/"), share,
                     received[target], paths[target])
            )  # fmt: skip
    return gradients, edges


def _formula_id(node: TensorNode) -> str:
    return node.label if node.op == "constant" and node.name is None else node.id


@dataclass(frozen=True)
class LayerUpdate:
    learning_rate: float
    values: dict[str, Array]
    loss: float | None  # the output after the step (None: undefined there)


@dataclass(frozen=True)
class LayerBackprop:
    """What `mathml backprop` computes when the values are vectors and matrices."""

    text: str
    program: LayerProgram
    point: dict[str, Array]
    wrt: tuple[str, ...]
    values: tuple[Array, ...]
    gradients: tuple[Array | None, ...]
    edges: tuple[Edge, ...]
    checks: tuple[Check, ...]
    warnings: tuple[str, ...]
    update: LayerUpdate | None
    conventions: tuple[str, ...] = ()  # where a derivative needed a convention (relu at 0)

    @property
    def graph(self) -> TensorGraph:
        return self.program.graph

    @property
    def output_name(self) -> str:
        return self.graph.nodes[self.graph.output].id

    @property
    def output(self) -> float:
        return float(self.values[self.graph.output])

    def gradient(self, name: str) -> Array:
        value = self.gradients[self.graph.index(name)]
        return np.zeros(self.point[name].shape) if value is None else value

    @property
    def verified(self) -> bool | None:
        outcomes = [check.verified for check in self.checks]
        if False in outcomes:
            return False
        return True if True in outcomes else None


def layer_backprop(
    text: str,
    at: Mapping[str, float | Array] | None,
    wrt: Sequence[str] = (),
    learning_rate: float | None = None,
    output: str | None = None,
) -> LayerBackprop:
    """Forward and backward through a program of vectors and matrices, checked numerically."""
    point_in = dict(at or {})
    program = build_layers(text, point_in, output)
    graph = program.graph
    out_node = graph.nodes[graph.output]
    if out_node.shape:
        raise InputError(
            f"the output {out_node.id} has shape {shape_text(out_node.shape)}: backprop starts "
            f"from one number (a loss); write e.g. sum({out_node.id}) or mean({out_node.id})"
        )
    point = {name: np.asarray(point_in[name], dtype=float) for name in graph.inputs}
    warnings = []
    extra = [name for name in point_in if name not in graph.inputs]
    if extra:
        hint = did_you_mean(extra[0], graph.inputs)
        warnings.append(
            f"--at gives {', '.join(extra)}, which the program's output does not use: ignored{hint}"
        )
    trainable = tuple(n for n in graph.inputs if graph.needs_grad[graph.index(n)])
    targets = _chosen(wrt, trainable, graph.inputs)
    values = program.values
    gradients, edges = backward(graph, values)
    for name in trainable:
        gradient = gradients[graph.index(name)]
        assert gradient is not None and gradient.shape == point[name].shape
    conventions = _kinks(graph, values)
    check = _finite_differences(graph, point, gradients, trainable)
    if conventions and check.verified is False:
        check = Check(
            check.method, None,
            f"{check.detail}; not conclusive: some inputs sit on a kink (see the conventions), "
            "where the derivative depends on a convention",
            check.largest_difference,
        )  # fmt: skip
    checks = [check]
    update = None
    if learning_rate is not None:
        update = _update(graph, point, gradients, targets, learning_rate)
    return LayerBackprop(
        text, program, point, targets, values, tuple(gradients), tuple(edges), tuple(checks),
        tuple(warnings), update, tuple(conventions),
    )  # fmt: skip


_KINKED = {
    "relu": "relu'(0) is taken as 0 (PyTorch's convention)",
    "abs": "abs'(0) = sign(0) is taken as 0",
    "step": "step's derivative there is taken as 0",
    "sign": "sign's derivative there is taken as 0",
}


def _kinks(graph: TensorGraph, values: Sequence[Array]) -> list[str]:
    """Where a relu (abs, step, sign) input is 0, or within float64 rounding of it."""
    notes = []
    for node in graph.nodes:
        if node.op not in _KINKED:
            continue
        x = values[node.inputs[0]]
        near = np.abs(x) <= 1e-12 * max(1.0, float(np.abs(x).max(initial=0.0)))
        if np.any(near):
            where = _short(x[near])
            notes.append(
                f"node {node.id} = {node.label}: {int(near.sum())} of {x.size} inputs at 0 "
                f"(or within rounding of it: {where}); {_KINKED[node.op]}"
            )
    return notes


def _chosen(
    wrt: Sequence[str], trainable: tuple[str, ...], inputs: tuple[str, ...]
) -> tuple[str, ...]:
    if not wrt:
        return trainable
    chosen: list[str] = []
    for name in wrt:
        if name not in trainable:
            why = "is a loss's target (data)" if name in inputs else "is not an input of the output"
            hint = did_you_mean(name, trainable)
            raise InputError(
                f"--wrt names {name}, which {why}{hint} (inputs with gradients: "
                f"{', '.join(trainable) or 'none'})"
            )
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def _update(
    graph: TensorGraph,
    point: dict[str, Array],
    gradients: Sequence[Array | None],
    targets: tuple[str, ...],
    learning_rate: float,
) -> LayerUpdate:
    if not math.isfinite(learning_rate) or learning_rate <= 0:
        raise InputError(f"--lr must be a positive number, got {learning_rate:g}")
    updated = {
        name: point[name] - learning_rate * gradients[graph.index(name)]  # type: ignore[operator]
        for name in targets
    }
    return LayerUpdate(learning_rate, updated, _loss(graph, {**point, **updated}))


def _loss(graph: TensorGraph, point: Mapping[str, Array]) -> float | None:
    try:
        with np.errstate(all="ignore"):
            value = float(forward(graph, point)[graph.output])
    except LayerError:
        return None
    return value if math.isfinite(value) else None


def _slope(
    along: Callable[[float], float | None], h: float, got: float, cheap: bool
) -> float | None:
    """The derivative along a direction by differences.

    Richardson's extrapolation of central differences, or first (`cheap`, for big
    networks) one central difference, two forward passes, kept when it agrees with
    `got`. A disagreement is retried with a step 100 times smaller, since a step that
    carries some relu input across 0 measures another piece of the function.
    """

    def agrees(value: float | None) -> bool:
        return value is not None and abs(value - got) <= TOLERANCE * max(1.0, abs(got))

    if cheap:
        high, low = along(h), along(-h)
        if high is not None and low is not None and agrees((high - low) / (2 * h)):
            return (high - low) / (2 * h)
    expected = richardson_slope(along, h)
    if agrees(expected):
        return expected
    return richardson_slope(along, h / 100) or expected


def _finite_differences(
    graph: TensorGraph,
    point: dict[str, Array],
    gradients: Sequence[Array | None],
    trainable: tuple[str, ...],
) -> Check:
    method = "finite differences"
    if not trainable:
        return Check(method, None, "no input gets a gradient: nothing to check")
    entries = sum(point[name].size for name in trainable)
    directions: list[dict[str, Array]] = []
    if entries <= FD_MAX_ENTRIES:
        for name in trainable:
            for flat in range(point[name].size):
                unit = np.zeros(point[name].size)
                unit[flat] = 1.0
                directions.append({name: unit.reshape(point[name].shape)})
        what = f"every entry of every gradient ({entries})"
    else:
        rng = np.random.default_rng(20261201)
        for _ in range(FD_DIRECTIONS):
            raw = {name: rng.standard_normal(point[name].shape) for name in trainable}
            norm = math.sqrt(sum(float((v * v).sum()) for v in raw.values()))
            directions.append({name: v / norm for name, v in raw.items()})
        what = (
            f"the gradient along {FD_DIRECTIONS} random directions "
            f"({entries:,} entries: too many to check each)"
        )
    largest = 0.0
    checked = 0
    scale = max(1.0, max(float(np.abs(point[name]).max(initial=0.0)) for name in trainable))
    for direction in directions:

        def along(t: float, direction: dict[str, Array] = direction) -> float | None:
            shifted = {**point, **{n: point[n] + t * d for n, d in direction.items()}}
            return _loss(graph, shifted)

        got = sum(
            float((gradients[graph.index(n)] * d).sum())  # type: ignore[operator]
            for n, d in direction.items()
        )
        expected = _slope(along, 1e-4 * scale, got, entries > FD_MAX_ENTRIES)
        if expected is None:
            continue
        difference = abs(expected - got)
        largest = max(largest, difference)
        checked += 1
        if difference > TOLERANCE * max(1.0, abs(expected), abs(got)):
            (name,) = direction if len(direction) == 1 else ("a random direction",)
            return Check(
                method, False,
                f"disagree along {name}: {got!r} by backprop, {expected!r} by differences",
                difference,
            )  # fmt: skip
    if checked == 0:
        return Check(method, None, "not possible here (a kink such as relu's is too close)")
    skipped = len(directions) - checked
    return Check(
        method,
        True,
        f"central differences agree for {what}, largest difference "
        f"{largest:.1e}" + (f" ({skipped} skipped near a kink)" if skipped else ""),
        largest,
    )
