"""Dot products and dense layers, y = f(W·x + b), with the sums of products kept.

NumPy computes every result (`numpy.matmul`), so a 1000×1000 product takes
milliseconds; the sums of products that explain it are collected for every
output cell of a small product and for a sample (plus one chosen cell) of a
large one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mathml_cli.core.inputs import read_array
from mathml_cli.errors import InputError
from mathml_cli.records import Record

if TYPE_CHECKING:
    import numpy as np

ACTIVATIONS = ("relu", "sigmoid", "tanh", "softmax")
# A product is "small" (every cell explained) up to this many cells and terms per cell.
SMALL_CELLS = 16
SMALL_TERMS = 10


class CellSum(Record):
    """One output cell: Σ_k a_k·b_k over the row of A and the column of B that meet there."""

    index: tuple[int, ...]  # () for a scalar, (i,) for a vector, (i, j) for a matrix
    pairs: tuple[tuple[float, float], ...]
    value: float


class Geometry(Record):
    """What a · b means for two vectors: a·b = ‖a‖‖b‖ cos θ."""

    norm_a: float
    norm_b: float
    cosine: float | None  # undefined when either vector is zero
    angle_degrees: float | None


@dataclass(frozen=True, eq=False)
class DotProduct:
    a: np.ndarray
    b: np.ndarray
    product: np.ndarray  # A·B (0-d for vector · vector)
    steps: tuple[CellSum, ...]  # every cell when `complete`, else a sample
    complete: bool
    cell: CellSum | None  # the one asked for with --cell
    geometry: Geometry | None
    bias: np.ndarray | None
    pre_activation: np.ndarray  # A·B + bias
    activation: str | None
    result: np.ndarray  # f(A·B + bias)

    @property
    def kind(self) -> str:
        names = {1: "vector", 2: "matrix"}
        return f"{names[self.a.ndim]} · {names[self.b.ndim]}"

    @property
    def inner(self) -> int:
        return int(self.a.shape[-1])


def shape_text(shape: tuple[int, ...]) -> str:
    """(3×4), (3) or () for a scalar."""
    return "(" + "×".join(str(size) for size in shape) + ")"


def dot_input(
    a: Any,
    b: Any,
    *,
    bias: Any = None,
    activation: str | None = None,
    cell: str | Sequence[int] | None = None,
) -> DotProduct:
    """`mathml dot` from what a user gives: text (`[1,2]`, `1 2`, `@file.csv`, `-`) or
    Python values (lists, NumPy arrays); cell as "2,0" or (2, 0)."""
    if isinstance(a, str) and isinstance(b, str) and a.strip() == "-" and b.strip() == "-":
        raise InputError("only one of A and B can be read from stdin (-)")
    left = read_array(a, "A")
    right = read_array(b, "B")
    bias_values = read_array(bias, "--bias") if bias is not None else None
    chosen = _read_cell(cell) if cell is not None else None
    name = activation.strip().lower() if activation is not None else None
    return dot(left, right, bias_values, name, chosen)


def _read_cell(value: str | Sequence[int]) -> tuple[int, ...]:
    parts = [part.strip() for part in value.split(",")] if isinstance(value, str) else value
    if not 1 <= len(parts) <= 2 or not all(str(part).isdigit() for part in parts):
        raise InputError(
            f"--cell must be row,column (e.g. 2,0) or one index, counting from 0; got {value!r}"
        )
    return tuple(int(part) for part in parts)


def dot(
    a: np.ndarray,
    b: np.ndarray,
    bias: np.ndarray | None = None,
    activation: str | None = None,
    cell: tuple[int, ...] | None = None,
) -> DotProduct:
    """A · B (vectors or matrices), then + bias and the activation if given."""
    import numpy as np

    for name, array in (("A", a), ("B", b)):
        if array.ndim not in (1, 2) or array.size == 0:
            raise InputError(f"{name} must be a non-empty vector or matrix")
    _check_aligned(a, b)
    with np.errstate(over="ignore", invalid="ignore"):
        product = np.asarray(np.matmul(a, b), dtype=float)
    _check_finite(product, "A·B")
    steps, complete = _sample_steps(a, b, product)
    chosen = _cell(a, b, product, cell) if cell is not None else None
    geometry = _geometry(a, b) if a.ndim == b.ndim == 1 else None
    pre_activation = product
    if bias is not None:
        bias = _fit_bias(bias, product.shape)
        pre_activation = product + bias
        _check_finite(pre_activation, "A·B + bias")
    if activation is not None and activation not in ACTIVATIONS:
        from mathml_cli.errors import did_you_mean

        raise InputError(
            f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}"
            + did_you_mean(activation, ACTIVATIONS)
        )
    result = activate(pre_activation, activation) if activation else pre_activation
    return DotProduct(
        a=a,
        b=b,
        product=product,
        steps=steps,
        complete=complete,
        cell=chosen,
        geometry=geometry,
        bias=bias,
        pre_activation=pre_activation,
        activation=activation,
        result=result,
    )


def _check_aligned(a: np.ndarray, b: np.ndarray) -> None:
    inner_a = a.shape[-1]
    inner_b = b.shape[0]
    if inner_a == inner_b:
        return
    if a.ndim == b.ndim == 1:
        raise InputError(
            f"shapes do not align: A {shape_text(a.shape)} · B {shape_text(b.shape)}: "
            f"a dot product needs vectors of equal length, and {inner_a} ≠ {inner_b}"
        )
    what_a = "columns of A" if a.ndim == 2 else "length of A"
    what_b = "rows of B" if b.ndim == 2 else "length of B"
    raise InputError(
        f"shapes do not align: A {shape_text(a.shape)} · B {shape_text(b.shape)}: "
        f"the inner dimensions differ, {inner_a} ({what_a}) ≠ {inner_b} ({what_b})"
    )


def _pairs(a: np.ndarray, b: np.ndarray, index: tuple[int, ...]) -> tuple[tuple[float, float], ...]:
    """The factors that meet in one output cell: a row of A and a column of B."""
    if a.ndim == 2 and b.ndim == 2:
        row, column = a[index[0]], b[:, index[1]]
    elif a.ndim == 2:
        row, column = a[index[0]], b
    elif b.ndim == 2:
        row, column = a, b[:, index[0]]
    else:
        row, column = a, b
    return tuple(zip(row.tolist(), column.tolist(), strict=True))


def _sample_steps(
    a: np.ndarray, b: np.ndarray, product: np.ndarray
) -> tuple[tuple[CellSum, ...], bool]:
    import numpy as np

    complete = product.size <= SMALL_CELLS and a.shape[-1] <= SMALL_TERMS
    if complete:
        indices = [tuple(int(i) for i in index) for index in np.ndindex(product.shape)]
    else:
        # The first and the last cell: enough to see the pattern; --cell shows any other.
        last = tuple(size - 1 for size in product.shape)
        indices = [tuple(0 for _ in product.shape), last]
    steps = tuple(CellSum(index, _pairs(a, b, index), float(product[index])) for index in indices)
    return steps, complete


def _cell(a: np.ndarray, b: np.ndarray, product: np.ndarray, cell: tuple[int, ...]) -> CellSum:
    if product.ndim == 0:
        raise InputError("--cell needs a vector or matrix result; A·B here is a single number")
    if len(cell) != product.ndim:
        wanted = "i,j (row,column)" if product.ndim == 2 else "i (one index)"
        raise InputError(f"--cell needs {wanted} for a result of shape {shape_text(product.shape)}")
    for position, (index, size) in enumerate(zip(cell, product.shape, strict=True)):
        if not 0 <= index < size:
            axis, axes = (
                (("row", "rows"), ("column", "columns"))[position]
                if product.ndim == 2
                else ("index", "indices")
            )
            raise InputError(
                f"--cell {axis} {index} is out of range: the result has shape "
                f"{shape_text(product.shape)}, so {axes} run from 0 to {size - 1}"
            )
    return CellSum(cell, _pairs(a, b, cell), float(product[cell]))


def _geometry(a: np.ndarray, b: np.ndarray) -> Geometry:
    import numpy as np

    # math.hypot scales internally, so tiny or huge entries neither underflow nor overflow.
    norm_a = math.hypot(*a.tolist())
    norm_b = math.hypot(*b.tolist())
    if norm_a == 0 or norm_b == 0:
        return Geometry(norm_a, norm_b, None, None)
    unit_a, unit_b = _unit(a), _unit(b)
    cosine = float(np.clip(np.dot(unit_a, unit_b), -1.0, 1.0))
    # Kahan's angle formula: accurate near 0° and 180°, where acos(cosine) is not.
    gap = math.hypot(*(unit_a - unit_b).tolist())
    total = math.hypot(*(unit_a + unit_b).tolist())
    return Geometry(norm_a, norm_b, cosine, math.degrees(2 * math.atan2(gap, total)))


def _unit(vector: np.ndarray) -> np.ndarray:
    import numpy as np

    # Scale to max |entry| = 1 first: dividing tiny (subnormal) entries by their
    # tiny norm directly would lose most of their precision.
    scaled = vector / np.abs(vector).max()
    return scaled / math.hypot(*scaled.tolist())  # type: ignore[no-any-return]


def _fit_bias(bias: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The bias, checked to broadcast onto the result the way NumPy adds it."""
    if not shape:
        if bias.size != 1:
            raise InputError(
                f"the bias has {bias.size} numbers, but A·B is a single number: give one bias"
            )
        return bias.reshape(())
    if bias.ndim == 1 and bias.size == 1:
        return bias.reshape(())  # one number added to every output
    fits = bias.ndim <= len(shape) and all(
        size in (1, target) for size, target in zip(bias.shape[::-1], shape[::-1], strict=False)
    )
    if fits:
        return bias
    if bias.ndim == 1 and len(shape) == 2:
        hint = (
            f"; {bias.size} is the number of rows: for one bias per row give a column, "
            f"e.g. [[b1],[b2],...]"
            if bias.size == shape[0]
            else ""
        )
        raise InputError(
            f"the bias has length {bias.size}, but A·B has shape {shape_text(shape)}: a vector "
            f"bias is added to every row, so it needs {shape[1]} numbers (one per column){hint}"
        )
    if bias.ndim == 1:
        raise InputError(
            f"the bias has length {bias.size}, but A·B has length {shape[0]}: "
            "give one bias per output"
        )
    raise InputError(
        f"the bias of shape {shape_text(bias.shape)} does not fit A·B of shape {shape_text(shape)}"
    )


def activate(values: np.ndarray, activation: str) -> np.ndarray:
    """relu, sigmoid, tanh or softmax (over the last axis), computed without overflow."""
    import numpy as np

    if activation == "relu":
        return np.maximum(values, 0.0)
    if activation == "tanh":
        return np.tanh(values)
    if activation == "sigmoid":
        # exp of a non-positive number only: 1/(1+e^-z) for z ≥ 0, e^z/(1+e^z) below.
        exponential = np.exp(-np.abs(values))
        return np.where(values >= 0, 1.0 / (1.0 + exponential), exponential / (1.0 + exponential))
    from mathml_cli.core.softmax import softmax_array

    return softmax_array(values)


def _check_finite(values: np.ndarray, what: str) -> None:
    """Overflow is an answer nobody can use: say where it happened instead of printing ∞."""
    import numpy as np

    bad = np.argwhere(~np.isfinite(np.atleast_1d(values)))
    if bad.size:
        where = "" if values.ndim == 0 else f" at cell {','.join(str(i) for i in bad[0])}"
        raise InputError(
            f"{what} overflows float64{where} (beyond about 1.8e308): scale the inputs down"
        )


def sign_rule(vector: np.ndarray) -> np.ndarray:
    """The vector scaled so its largest entry (the first, among near-equal ones) is real
    and positive: one eigenvector (or PCA loading) out of the ±v (or e^{iφ}v) that are."""
    import numpy as np

    magnitudes = np.abs(vector)
    largest = magnitudes.max()
    if largest == 0:
        return vector
    index = int(np.argmax(magnitudes >= largest * (1 - 1e-9)))
    phase = vector[index] / magnitudes[index]
    return vector / phase  # type: ignore[no-any-return]
