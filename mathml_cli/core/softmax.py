"""Softmax, log-softmax and the cross-entropy loss, with every intermediate kept.

softmax(z)_i = exp(z_i / T) / Σ_j exp(z_j / T). Computed the stable way:
subtract the maximum m of z/T first (the factor e^-m cancels), so every
exponent is ≤ 0 and no exp overflows; log-softmax is (z/T − m) − log Σ exp(z/T − m),
the log-sum-exp form, so no probability that rounds to 0 becomes log 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mathml_cli.core.inputs import (
    read_array,
    read_names,
    read_number,
    read_number_list,
    read_rows,
    read_text,
)
from mathml_cli.errors import InputError
from mathml_cli.records import Record

if TYPE_CHECKING:
    import numpy as np

# exp(x) overflows float64 for x above log(max float) ≈ 709.78.
EXP_OVERFLOW = math.log(1.7976931348623157e308)


class Softmax(Record):
    """One row of logits through softmax, every step kept for explaining it."""

    logits: tuple[float, ...]
    temperature: float
    scaled: tuple[float, ...]  # logits / T
    maximum: float  # max of the scaled logits, subtracted for stability
    shifted: tuple[float, ...]  # scaled − maximum, all ≤ 0
    exp: tuple[float, ...]  # exp(shifted), each in (0, 1]
    sum: float  # Σ exp(shifted), at least 1
    probabilities: tuple[float, ...]
    log_probabilities: tuple[float, ...]  # shifted − log(sum)
    prediction: int  # argmax (the first one on a tie)
    would_overflow: bool  # exp of the largest scaled logit overflows without the shift
    target: int | None = None
    loss: float | None = None  # −log p_target
    gradient: tuple[float, ...] | None = None  # ∂loss/∂logits = (p − onehot(target)) / T

    @property
    def total(self) -> float:
        """Σ p, which must be 1 up to rounding."""
        return math.fsum(self.probabilities)


class SoftmaxBatch(Record):
    """Softmax of each row of a table of logits."""

    rows: tuple[Softmax, ...]
    labels: tuple[str, ...] | None


def softmax(
    logits: Sequence[float], temperature: float = 1.0, target: int | None = None
) -> Softmax:
    """Softmax of `logits` at `temperature`; with a `target` index, the loss and its gradient."""
    import numpy as np

    values = tuple(float(value) for value in logits)
    if not values:
        raise InputError("no logits given: softmax needs at least one number")
    if not all(math.isfinite(value) for value in values):
        raise InputError("logits must be finite numbers (no nan or inf)")
    if not (math.isfinite(temperature) and temperature > 0):
        raise InputError(
            f"--temperature must be a positive number, got {temperature:g} "
            "(T > 1 flattens the distribution, T < 1 sharpens it)"
        )
    if target is not None and not 0 <= target < len(values):
        raise InputError(
            f"--target {target} is out of range: there are {len(values)} classes, "
            f"indices 0 to {len(values) - 1}"
        )
    z = np.array(values, dtype=float)
    with np.errstate(over="ignore"):
        scaled = z / temperature
    if not np.all(np.isfinite(scaled)):
        raise InputError(
            f"--temperature {temperature:g} is too small for these logits: logits / T overflows"
        )
    maximum = float(scaled.max())
    with np.errstate(over="ignore"):
        shifted = scaled - maximum
    if not np.all(np.isfinite(shifted)):
        raise InputError(
            f"the logits {maximum:g} and {float(scaled.min()):g} are too far apart: "
            "their difference overflows float64 (about 1.8e308)"
        )
    exponentials = np.exp(shifted)
    total = float(exponentials.sum())
    probabilities = exponentials / total
    log_probabilities = shifted - math.log(total)
    loss = gradient = None
    if target is not None:
        loss = float(-log_probabilities[target])
        onehot = np.zeros_like(probabilities)
        onehot[target] = 1.0
        gradient = tuple(((probabilities - onehot) / temperature).tolist())
    return Softmax(
        logits=values,
        temperature=float(temperature),
        scaled=tuple(scaled.tolist()),
        maximum=maximum,
        shifted=tuple(shifted.tolist()),
        exp=tuple(exponentials.tolist()),
        sum=total,
        probabilities=tuple(probabilities.tolist()),
        log_probabilities=tuple(log_probabilities.tolist()),
        prediction=int(np.argmax(scaled)),  # of the logits: p may round ties
        would_overflow=maximum > EXP_OVERFLOW,
        target=target,
        loss=loss,
        gradient=gradient,
    )


def softmax_rows(
    rows: Sequence[Sequence[float]],
    temperature: float = 1.0,
    targets: Sequence[int] | None = None,
    labels: Sequence[str] | None = None,
) -> SoftmaxBatch:
    """Softmax of each row; `targets` holds one target index per row."""
    if not rows:
        raise InputError("no logits given: softmax needs at least one number")
    width = len(rows[0])
    for index, row in enumerate(rows, start=1):
        if len(row) != width:
            raise InputError(
                f"row {index} has {len(row)} logits, row 1 has {width}: "
                "every row needs one logit per class"
            )
    if labels is not None and len(labels) != width:
        raise InputError(f"--labels names {len(labels)} classes, but there are {width} logits")
    if targets is not None and len(targets) != len(rows):
        raise InputError(f"--target gives {len(targets)} targets for {len(rows)} rows")
    results = []
    for index, row in enumerate(rows):
        target = targets[index] if targets is not None else None
        try:
            results.append(softmax(row, temperature, target))
        except InputError as error:
            if len(rows) == 1:
                raise
            raise InputError(f"row {index + 1}: {error}") from None
    return SoftmaxBatch(rows=tuple(results), labels=tuple(labels) if labels else None)


def softmax_input(
    logits: Any = None,
    *,
    temperature: str | float = 1.0,
    target: str | int | Sequence[str | int] | None = None,
    labels: str | Sequence[str] | None = None,
    rows: str | None = None,
) -> SoftmaxBatch:
    """`mathml softmax` from what a user gives, on the command line or from Python.

    logits: command-line arguments (numbers, `2,1,0.1`, `[2, 1, 0.1]`, `[[..],[..]]`,
    `@file.csv`, `-`), or numbers: a list, a list of rows, a NumPy array.
    rows: a CSV file (or `-`) with one row of logits per line.
    """
    table = _logit_table(logits, rows)
    names = _labels(labels)
    targets = None
    if target is not None:
        given = read_names(target) if isinstance(target, str) else _as_list(target)
        if not given:
            raise InputError("--target is empty")
        if len(given) == 1:
            given = given * len(table)
        targets = [resolve_target(str(item), len(table[0]), names) for item in given]
    if isinstance(temperature, str):
        t = read_number(temperature, "--temperature")
    else:
        t = read_number(repr(float(temperature)), "--temperature")
    return softmax_rows(table, t, targets, names)


def _as_list(value: Any) -> list[Any]:
    return [value] if isinstance(value, (int, float)) else list(value)


def _logit_table(logits: Any, rows: str | None) -> list[list[float]]:
    arguments = [logits] if isinstance(logits, str) else logits
    if rows is not None:
        if arguments is not None and len(arguments):
            raise InputError("give the logits either as arguments or with --rows, not both")
        text, source = read_text(rows)
        table = read_rows(text, source)
        if not table:
            raise InputError(f"no logits given: {source} holds no numbers")
        return table
    if arguments is None or not len(arguments):
        raise InputError("no logits given: try 'mathml softmax 2 1 0.1'")
    if not all(isinstance(item, str) for item in arguments):
        return _nested(read_array(arguments, "the logits"))
    sources = [item for item in arguments if item == "-" or item.startswith("@")]
    if sources:
        if len(arguments) > 1:
            source = "stdin" if sources[0] == "-" else "a file"
            raise InputError(
                f"{sources[0]} (read {source}) cannot be mixed with logits given as arguments"
            )
        text, source = read_text(arguments[0])
        table = read_rows(text, source)
        if table and all(len(row) == 1 for row in table):
            table = [[row[0] for row in table]]  # one number per line: a single list
        if not table:
            raise InputError(f"no logits given: {source} holds no numbers")
        return table
    if len(arguments) == 1 and arguments[0].strip().startswith("[["):
        return _nested(read_array(arguments[0], "the logits"))
    values = read_number_list(arguments, "logit")
    if not values:
        raise InputError("no logits given: try 'mathml softmax 2 1 0.1'")
    return [values]


def _nested(array: np.ndarray) -> list[list[float]]:
    return [array.tolist()] if array.ndim == 1 else array.tolist()


def _labels(value: str | Sequence[str] | None) -> list[str] | None:
    if value is None:
        return None
    names = [name.strip() for name in (value.split(",") if isinstance(value, str) else value)]
    if any(not name for name in names):
        raise InputError(f"--labels has an empty name in {value!r}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InputError(f"--labels repeats {', '.join(repeated)}")
    return names


def resolve_target(text: str, classes: int, labels: Sequence[str] | None) -> int:
    """A target given as an index (`2`) or, with labels, as a label (`dog`)."""
    from mathml_cli.errors import did_you_mean

    token = text.strip()
    if labels is not None and token in labels:
        return list(labels).index(token)
    if token.lstrip("-").isdigit():
        index = int(token)
        if not 0 <= index < classes:
            raise InputError(
                f"--target {index} is out of range: there are {classes} classes, "
                f"indices 0 to {classes - 1}"
            )
        return index
    if labels is None:
        raise InputError(f"--target {token!r} is not a class index; to name classes, give --labels")
    raise InputError(
        f"--target {token!r} is not one of the labels {', '.join(labels)}"
        + did_you_mean(token, labels)
    )


def softmax_array(values: np.ndarray) -> np.ndarray:
    """Softmax over the last axis of an array (each row of a matrix), max-shifted."""
    import numpy as np

    if values.ndim == 0:
        return np.ones(())
    exponentials = np.exp(values - values.max(axis=-1, keepdims=True))
    return np.asarray(exponentials / exponentials.sum(axis=-1, keepdims=True))
