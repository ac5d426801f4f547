"""Descriptive statistics of one or more columns of numbers, in one pass.

The moments (mean, variance, covariance) are accumulated block by block in
constant memory and stay accurate for data far from zero:

1. every value is shifted by the first row (x − K): for data around 1e9 with
   spread 1 the shifted values are of order 1, and the subtraction is exact
   for values within a factor of two of K (Sterbenz's lemma);
2. inside a block the mean and the sum of squared deviations are computed in
   two passes (mean first, then Σ(x − mean)²), which loses nothing to
   cancellation;
3. blocks are merged with the pairwise update of Chan, Golub and LeVeque:
   M2 = M2_a + M2_b + δ²·n_a·n_b/n, with δ the difference of the block means.

The textbook one-pass formula Σx² − n·μ² subtracts two numbers near 1e18 whose
difference is about 1e9 (for a million values of spread 1): float64 keeps
about 16 digits of each, so the variance comes out with none correct.

Medians and quartiles are exact (NumPy's default, linear interpolation between
order statistics) while a column has at most EXACT_LIMIT values. Beyond that
they are estimated from a uniform random sample of SAMPLE_SIZE rows, kept by
giving each row a random key and keeping the rows with the smallest keys
(bottom-k sampling), with a fixed seed so a run can be repeated.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import numpy as np

from mathml_cli.core.inputs import read_names, read_number, read_number_list, split_numbers
from mathml_cli.errors import InputError
from mathml_cli.records import Record

if TYPE_CHECKING:
    from mathml_cli.core.table import ReadCounts

EXACT_LIMIT = 1_000_000  # values per column kept for exact quartiles
SAMPLE_SIZE = 1_000_000  # rows in the random sample beyond EXACT_LIMIT
ROWS_LIMIT = 10_000  # up to this n, every row's deviation and z-score is kept
HEAD = 5  # rows kept from the start and the end of longer data
MAX_COLUMNS = 20
_SEED = 20_140_101
_BLOCK_BYTES = 1 << 20  # as core/table.py reads a table
_BOM = b"\xef\xbb\xbf"


class Quartiles(Record):
    """Q1, median and Q3 by NumPy's default method (linear interpolation, Hyndman–Fan 7)."""

    q1: float
    median: float
    q3: float
    exact: bool  # False: estimated from a random sample of `sample_size` values
    sample_size: int
    # For each of Q1, median, Q3: (p, position h = (m − 1)·p in the sorted values,
    # the value at floor(h), the value at floor(h) + 1); m is the count sorted.
    positions: tuple[tuple[float, float, float, float], ...]

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1


class Row(Record):
    """One value with its deviation from the mean and its z-score."""

    index: int  # 1-based position in the data
    x: float
    deviation: float  # x − μ
    squared: float  # (x − μ)²
    z: float | None  # (x − μ)/σ with the population σ; None when σ = 0


class Histogram(Record):
    edges: tuple[float, ...]
    counts: tuple[int, ...]  # scaled to the whole column when built from the sample


class ColumnSummary(Record):
    name: str
    n: int
    sum: float
    mean: float
    sum_of_squares: float  # Σ(x − μ)²
    population_variance: float  # Σ(x − μ)²/n
    sample_variance: float | None  # Σ(x − μ)²/(n − 1); None for n = 1
    minimum: float
    maximum: float
    quartiles: Quartiles
    rows: tuple[Row, ...]  # every row when n ≤ ROWS_LIMIT, else the first and last HEAD
    histogram: Histogram

    @property
    def population_std(self) -> float:
        return math.sqrt(self.population_variance)

    @property
    def sample_std(self) -> float | None:
        return None if self.sample_variance is None else math.sqrt(self.sample_variance)

    @property
    def range(self) -> float:
        return self.maximum - self.minimum

    @property
    def all_rows(self) -> bool:
        return len(self.rows) == self.n


class PairRow(Record):
    index: int
    x: float
    y: float
    dx: float  # x − x̄
    dy: float  # y − ȳ
    product: float  # (x − x̄)(y − ȳ)


class Pair(Record):
    """The covariance and correlation of two columns, with the numbers that make them."""

    x: str
    y: str
    rows: tuple[PairRow, ...]  # as in ColumnSummary.rows
    sum_of_products: float  # Σ(x − x̄)(y − ȳ)
    covariance: float | None  # sample: Σ/(n − 1), what np.cov and pandas' cov return
    population_covariance: float  # Σ/n
    correlation: float | None  # Pearson r; None when a column is constant


class Description(Record):
    """The summary of each column and, for two or more, their covariances and correlations."""

    source: str
    columns: tuple[ColumnSummary, ...]
    covariance: tuple[tuple[float | None, ...], ...] | None  # sample covariance matrix
    correlation: tuple[tuple[float | None, ...], ...] | None  # Pearson correlation matrix
    pair: Pair | None  # the steps for the first two columns
    dropped_rows: int = 0  # rows left out for a missing value (--drop-missing)


class _Accumulator:
    """Shifted, block-wise two-pass moments merged with Chan's update; bounded memory."""

    def __init__(self, width: int, *, seed: int = _SEED) -> None:
        self.width = width
        self.n = 0
        self.shift = np.zeros(width)
        self.mean = np.zeros(width)  # of the shifted values
        self.m2 = np.zeros(width)
        self.comoment = np.zeros((width, width))
        self.total = np.zeros(width)  # Neumaier-compensated Σx
        self.compensation = np.zeros(width)
        self.minimum = np.full(width, np.inf)
        self.maximum = np.full(width, -np.inf)
        self.head: list[np.ndarray] = []
        self.tail = np.empty((0, width))
        self.kept: list[np.ndarray] | None = []  # every row, until EXACT_LIMIT
        self.sample_parts: list[np.ndarray] = []  # the random sample, in pieces until compacted
        self.key_parts: list[np.ndarray] = []
        self.pending = 0
        self.threshold = np.inf
        self.random = np.random.default_rng(seed)

    def add(self, block: np.ndarray) -> None:
        rows = len(block)
        if not rows:
            return
        if self.n == 0:
            self.shift = block[0].copy()
        shifted = block - self.shift
        block_mean = shifted.mean(axis=0)
        centred = shifted - block_mean
        block_m2 = np.einsum("ij,ij->j", centred, centred)
        n = self.n + rows
        delta = block_mean - self.mean
        weight = self.n * rows / n
        self.mean += delta * (rows / n)
        self.m2 += block_m2 + delta * delta * weight
        if self.width > 1:
            self.comoment += centred.T @ centred + np.outer(delta, delta) * weight
        self._add_sum(block.sum(axis=0))
        np.minimum(self.minimum, block.min(axis=0), out=self.minimum)
        np.maximum(self.maximum, block.max(axis=0), out=self.maximum)
        if self.n < HEAD:
            self.head.append(block[: HEAD - self.n].copy())
        self.tail = np.concatenate([self.tail, block[-HEAD:]])[-HEAD:]
        self._keep(block, n)
        self.n = n

    def _add_sum(self, values: np.ndarray) -> None:
        # Neumaier's compensated sum of the blocks' (pairwise) sums.
        total = self.total + values
        bigger = np.abs(self.total) >= np.abs(values)
        self.compensation += np.where(
            bigger, (self.total - total) + values, (values - total) + self.total
        )
        self.total = total

    def _keep(self, block: np.ndarray, n: int) -> None:
        if self.kept is not None:
            if n <= EXACT_LIMIT:
                self.kept.append(block.copy())
                return
            # Past the limit: the rows so far seed the random sample.
            block = np.concatenate([*self.kept, block])
            self.kept = None
        keys = self.random.random(len(block))
        if self.threshold < np.inf:
            chosen = keys < self.threshold
            block, keys = block[chosen], keys[chosen]
        # (Until the first compaction every row enters: no copies of them all.)
        self.sample_parts.append(block)
        self.key_parts.append(keys)
        self.pending += len(keys)
        if self.pending > SAMPLE_SIZE + SAMPLE_SIZE // 4:
            self._compact()

    def _compact(self) -> None:
        """Keep the SAMPLE_SIZE rows with the smallest keys; later rows must beat the largest."""
        sample = np.concatenate(self.sample_parts)
        keys = np.concatenate(self.key_parts)
        self.sample_parts, self.key_parts = [], []
        if len(keys) > SAMPLE_SIZE:
            # Selecting by the SAMPLE_SIZE-th smallest key needs no index array as
            # large as the sample (stats' peak memory was this step's).
            bound = float(np.partition(keys, SAMPLE_SIZE - 1)[SAMPLE_SIZE - 1])
            chosen = keys <= bound
            if int(np.count_nonzero(chosen)) == SAMPLE_SIZE:
                sample, keys = sample[chosen], keys[chosen]
            else:  # keys equal to the bound: keep exactly SAMPLE_SIZE of them
                order = np.argpartition(keys, SAMPLE_SIZE - 1)[:SAMPLE_SIZE]
                sample, keys = sample[order], keys[order]
            self.threshold = bound
        self.sample_parts, self.key_parts, self.pending = [sample], [keys], len(keys)

    def values(self) -> tuple[np.ndarray, bool]:
        """The rows kept for quartiles and histograms, and whether they are all of them."""
        if self.kept is not None:
            return np.concatenate(self.kept) if self.kept else np.empty((0, self.width)), True
        self._compact()
        return self.sample_parts[0], False

    @property
    def sums(self) -> np.ndarray:
        return self.total + self.compensation


def describe(
    blocks: Iterable[np.ndarray], names: Sequence[str], source: str = "arguments"
) -> Description:
    """Summarise the columns of `blocks` (arrays of rows × len(names)), read once."""
    width = len(names)
    if not 1 <= width <= MAX_COLUMNS:
        raise InputError(f"stats summarises 1 to {MAX_COLUMNS} columns at a time, not {width}")
    accumulator = _Accumulator(width)
    # Overflow (values near ±1.8e308) shows up as inf or nan in the sums, checked below.
    with np.errstate(over="ignore", invalid="ignore"):
        for block in blocks:
            accumulator.add(np.asarray(block, dtype=np.float64).reshape(-1, width))
    n = accumulator.n
    if n == 0:
        raise InputError(f"no numbers to summarise in {source}")
    _check_finite(accumulator, names)
    kept, exact = accumulator.values()
    means = accumulator.shift + accumulator.mean
    head = np.concatenate(accumulator.head)
    every = n <= ROWS_LIMIT
    shown = kept if every else np.concatenate([head, accumulator.tail])
    indices = (
        list(range(1, n + 1))
        if every
        else [*range(1, len(head) + 1), *range(n - len(accumulator.tail) + 1, n + 1)]
    )
    columns = tuple(
        _column(accumulator, column, names[column], kept[:, column], exact, shown, indices)
        for column in range(width)
    )
    if width == 1:
        return Description(source, columns, None, None, None)
    covariance, correlation = _matrices(accumulator, n)
    pair = _pair(columns[0], columns[1], shown, indices, means, accumulator, n)
    return Description(source, columns, covariance, correlation, pair)


def _check_finite(accumulator: _Accumulator, names: Sequence[str]) -> None:
    """An InputError naming the column whose sums overflow float64."""
    with np.errstate(over="ignore", invalid="ignore"):
        spans = accumulator.maximum - accumulator.minimum
        sums = accumulator.sums
    finite = np.isfinite(sums) & np.isfinite(accumulator.m2) & np.isfinite(spans)
    finite &= np.isfinite(accumulator.comoment).all(axis=0)
    for column in np.flatnonzero(~finite).tolist():
        raise InputError(
            f"column '{names[column]}': the numbers are too large to summarise, their sum, "
            "range or sum of squares overflows float64 (about ±1.8e308)"
            if len(names) > 1
            else "the numbers are too large to summarise: their sum, range or sum of squares "
            "overflows float64 (about ±1.8e308)"
        )


def describe_values(values: Sequence[float], name: str = "x") -> Description:
    """The summary of one list of numbers."""
    numbers = [float(value) for value in values]
    if not all(math.isfinite(value) for value in numbers):
        raise InputError("every value must be a finite number (no nan or inf)")
    return describe([np.array(numbers).reshape(-1, 1)], [name], "arguments")


def _column(
    accumulator: _Accumulator,
    column: int,
    name: str,
    kept: np.ndarray,
    exact: bool,
    shown: np.ndarray,
    indices: list[int],
) -> ColumnSummary:
    n = accumulator.n
    mean = float(accumulator.shift[column] + accumulator.mean[column])
    m2 = float(accumulator.m2[column])
    population_variance = m2 / n
    sigma = math.sqrt(population_variance)
    rows = []
    for index, x in zip(indices, shown[:, column].tolist(), strict=True):
        deviation = x - mean
        rows.append(
            Row(index, x, deviation, deviation * deviation, deviation / sigma if sigma else None)
        )
    return ColumnSummary(
        name=name,
        n=n,
        sum=float(accumulator.sums[column]),
        mean=mean,
        sum_of_squares=m2,
        population_variance=population_variance,
        sample_variance=m2 / (n - 1) if n > 1 else None,
        minimum=float(accumulator.minimum[column]),
        maximum=float(accumulator.maximum[column]),
        quartiles=quartiles(kept, exact=exact),
        rows=tuple(rows),
        histogram=_histogram(kept, n),
    )


def quartiles(values: np.ndarray, *, exact: bool = True) -> Quartiles:
    """Q1, median and Q3 of `values` by linear interpolation (NumPy's default).

    With the m values sorted, the quantile p sits at position h = (m − 1)·p:
    Q = x_⌊h⌋ + (h − ⌊h⌋)·(x_⌊h⌋+1 − x_⌊h⌋).
    """
    count = len(values)
    wanted = []
    for p in (0.25, 0.5, 0.75):
        h = (count - 1) * p
        below = math.floor(h)
        wanted += [below, min(below + 1, count - 1)]
    ordered = np.partition(values, sorted(set(wanted)))
    results = []
    positions = []
    for p in (0.25, 0.5, 0.75):
        h = (count - 1) * p
        below = math.floor(h)
        low = float(ordered[below])
        high = float(ordered[min(below + 1, count - 1)])
        # low + t·(high − low) keeps equal neighbours exact; NumPy does the same.
        results.append(low + (h - below) * (high - low))
        positions.append((p, h, low, high))
    return Quartiles(results[0], results[1], results[2], exact, count, tuple(positions))


def _histogram(values: np.ndarray, n: int) -> Histogram:
    low, high = float(values.min()), float(values.max())
    bins = int(min(30, max(5, math.ceil(math.log2(len(values)) + 1))))  # Sturges, capped
    if low == high:  # one bar around the value; ±0.5 is lost in the rounding of 1e16
        half = max(0.5, abs(low) * 1e-12)
        low, high = low - half, high + half
    # A range a few floats wide (0 to 5e-324) has room for fewer distinct edges.
    while bins > 1 and not np.all(np.diff(np.linspace(low, high, bins + 1)) > 0):
        bins -= 1
    counts, edges = np.histogram(values, bins=bins, range=(low, high))
    if len(values) != n:
        counts = np.rint(counts * (n / len(values))).astype(int)
    return Histogram(tuple(edges.tolist()), tuple(int(c) for c in counts))


def _matrices(
    accumulator: _Accumulator, n: int
) -> tuple[tuple[tuple[float | None, ...], ...], tuple[tuple[float | None, ...], ...]]:
    width = accumulator.width
    comoment = accumulator.comoment.copy()
    np.fill_diagonal(comoment, accumulator.m2)  # the same sums, kept apart for the variances
    covariance = tuple(
        tuple(float(comoment[i, j]) / (n - 1) if n > 1 else None for j in range(width))
        for i in range(width)
    )
    correlation = tuple(
        tuple(_correlation(comoment, i, j) for j in range(width)) for i in range(width)
    )
    return covariance, correlation


def _correlation(comoment: np.ndarray, i: int, j: int) -> float | None:
    scale = math.sqrt(comoment[i, i]) * math.sqrt(comoment[j, j])
    if scale == 0:
        return None
    if i == j:
        return 1.0
    # Clip the last-bit overshoot of a perfect correlation to the possible range.
    return max(-1.0, min(1.0, float(comoment[i, j]) / scale))


def _pair(
    x: ColumnSummary,
    y: ColumnSummary,
    shown: np.ndarray,
    indices: list[int],
    means: np.ndarray,
    accumulator: _Accumulator,
    n: int,
) -> Pair:
    rows = []
    for index, (a, b) in zip(indices, shown[:, :2].tolist(), strict=True):
        dx, dy = a - float(means[0]), b - float(means[1])
        rows.append(PairRow(index, a, b, dx, dy, dx * dy))
    products = float(accumulator.comoment[0, 1])
    scale = math.sqrt(x.sum_of_squares) * math.sqrt(y.sum_of_squares)
    return Pair(
        x=x.name,
        y=y.name,
        rows=tuple(rows),
        sum_of_products=products,
        covariance=products / (n - 1) if n > 1 else None,
        population_covariance=products / n,
        correlation=max(-1.0, min(1.0, products / scale)) if scale else None,
    )


# --- reading numbers ---------------------------------------------------------

_SEPARATORS_TO_NEWLINES = bytes.maketrans(b",; \t\r", b"\n\n\n\n\n")


def number_blocks(stream: BinaryIO, source: str) -> Iterator[np.ndarray]:
    """The numbers of a stream (separated by spaces, commas, semicolons or newlines),
    as one-column arrays, about a megabyte of text at a time."""
    from mathml_cli.core.table import _parse_plain  # the exact, vectorised decimal parser

    line = 0
    while True:
        block = stream.read(_BLOCK_BYTES)
        if not block:
            return
        if not block.endswith(b"\n"):
            block += stream.readline()
        if line == 0:
            block = block.removeprefix(_BOM)
        text = block.translate(_SEPARATORS_TO_NEWLINES)
        if not text.endswith(b"\n"):
            text += b"\n"
        values = _parse_plain(text, 1, 10)
        if values is None:
            values = _parse_tokens(block, source, line)
        yield values.reshape(-1, 1)
        line += block.count(b"\n")


def _parse_tokens(block: bytes, source: str, first_line: int) -> np.ndarray:
    tokens = block.translate(_SEPARATORS_TO_NEWLINES).split()
    try:
        values = np.array([float(token) for token in tokens], dtype=np.float64)
        if np.isfinite(values).all() and not any(b"_" in token for token in tokens):
            return values
    except ValueError:
        pass
    # Find the bad token for the message: its line and its place on the line.
    text = block.decode("utf-8", errors="replace")
    for offset, line in enumerate(text.splitlines(), start=1):
        for position, token in enumerate(split_numbers(line), start=1):
            where = f"{source}, line {first_line + offset}, value {position}"
            if "_" in token:
                raise InputError(f"{token!r} is not a number ({where})")
            read_number(token, where)
    raise InputError(f"{source} holds text that is not numbers")  # pragma: no cover


class _Prefixed:
    """A byte stream whose first block was already read (to look for a header)."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self.prefix = prefix
        self.stream = stream

    def read(self, size: int = -1) -> bytes:
        if self.prefix:
            block, self.prefix = self.prefix, b""
            return block
        return self.stream.read(size)

    def readline(self) -> bytes:
        if self.prefix:
            line, newline, self.prefix = self.prefix.partition(b"\n")
            return line + newline
        return self.stream.readline()


# (blocks, column names, source name, rows kept and dropped: filled in as the blocks are read)
Columns = tuple[Iterator[np.ndarray], tuple[str, ...], str, "ReadCounts"]


@contextmanager
def open_numbers(
    data: Any, columns: str | Sequence[str] | None = None, *, drop_missing: bool = False
) -> Iterator[Columns]:
    """The numbers of a file (or stdin for '-'), or of a DataFrame or a 2-D array
    from Python: (blocks, column names, source name, counts of the rows read and of
    those dropped for missing values, filled in as the blocks are read).

    With `columns` ("a,b" or a list), or when the first line is a header (every
    cell on it is not a number), a file is a CSV table read by core.table's
    reader: delimiter and header sniffed as for regress, one block per
    megabyte. Otherwise it is a list of numbers separated by spaces, commas,
    semicolons or newlines. A DataFrame's columns keep their names; an array's
    are column1, column2, ....
    """
    from mathml_cli.core.sources import open_table
    from mathml_cli.core.table import CsvTable, ReadCounts, read_start

    names = tuple(read_names(columns))
    with open_table(data, command="stats") as (stream, source, header):
        if header is None:
            stream, first = read_start(stream)  # (lines ending in CR become LF)
            stream = cast(BinaryIO, _Prefixed(first, stream))
            if not names and not _is_table(first):
                yield number_blocks(stream, source), ("x",), source, ReadCounts()
                return
        table = CsvTable(stream, source, header=header, for_regression=False)
        if not names:
            table.text_hint = "choose the numeric columns with --column"
        names = names or table.names
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise InputError(f"--column names {', '.join(repeated)} twice")
        indices = [table.column_index(name, "--column") for name in names]
        blocks = table.blocks(indices, drop_missing=drop_missing)
        with closing(blocks):  # stops the parsing helper even if summarising fails
            yield blocks, names, source, table.counts


def _is_table(block: bytes) -> bool:
    """Does the input start with a header row or comment lines, not with numbers?"""
    text = block[:4096].removeprefix(_BOM).decode("utf-8", errors="replace")
    first = next((line for line in text.splitlines() if line.strip()), "")
    if first.lstrip().startswith("#"):
        return True  # comment lines: the table reader skips them (and a savetxt header)
    cells = re.split(r"[,;\t]", first)
    if len(cells) == 1:
        cells = first.split()  # numbers separated by spaces: "1 2 3"
    cells = [cell.strip().strip('"') for cell in cells]
    return bool(first) and not any(_is_number(cell) for cell in cells if cell)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def is_input_spec(arguments: Sequence[str]) -> bool:
    """Do the arguments name a file (or '-') rather than give numbers?"""
    if len(arguments) != 1:
        return False
    tokens = split_numbers(arguments[0])
    return arguments[0] == "-" or not tokens or not _is_number(tokens[0])


def describe_input(
    values: Any,
    columns: str | Sequence[str] | None = None,
    *,
    drop_missing: bool = False,
) -> Description:
    """`mathml stats`'s inputs: numbers as arguments (text, as the command line
    gives them, or Python numbers), or one file or '-' (stdin); from Python also a
    path, a pandas DataFrame or a 2-D NumPy array (a table, one column each)."""
    from mathml_cli.core.sources import is_frame

    if isinstance(values, (str, os.PathLike)):
        values = [os.fspath(values)]
    table = is_frame(values) or (not _all_text(values) and dimensions(values) == 2)
    if table or (_all_text(values) and is_input_spec(values)):
        spec = values if table else values[0]
        with open_numbers(spec, columns, drop_missing=drop_missing) as opened:
            blocks, names, source, counts = opened
            return describe(blocks, names, source).replace(dropped_rows=counts.dropped)
    if read_names(columns):
        raise InputError("--column picks columns of a CSV file: give the file (or - for stdin)")
    numbers = (
        read_number_list(list(values)) if _all_text(values) else python_numbers(values, "stats")
    )
    if not numbers:
        raise InputError("no numbers given: try 'mathml stats 85 92 78 95 88'")
    return describe([np.array(numbers).reshape(-1, 1)], ["x"], "arguments")


def _all_text(values: Any) -> bool:
    return isinstance(values, (list, tuple)) and all(isinstance(v, str) for v in values)


def dimensions(values: Any) -> int:
    """np.ndim, and 0 for ragged nested lists (python_numbers then says what is wrong)."""
    try:
        return int(np.ndim(values))
    except ValueError:
        return 0


def python_numbers(values: Any, command: str) -> list[float]:
    """A list or a 1-D array of numbers, each checked as the command line checks it."""
    try:
        array = np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InputError(
            f"{command} takes numbers (a list or a NumPy array), a path, a pandas DataFrame "
            f"or a 2-D array, got {type(values).__name__}"
        ) from None
    finite = np.isfinite(array)
    if not finite.all():
        index = int(np.argmin(finite))
        # Read as text, to raise the command line's message for nan or inf.
        read_number(repr(float(array[index])), f"number {index + 1}")
    return [float(value) for value in array.tolist()]
