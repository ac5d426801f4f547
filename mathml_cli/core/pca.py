"""Principal component analysis from a stream of rows: covariance, eigenvectors, scores.

One pass over the table keeps the row count, the column means and the matrix of
centred cross-products, merged block by block with Chan, Golub and LeVeque's
update, so memory is O(p²) and a column that is 1e6 give or take 1 keeps its
spread. The same pass feeds regress's streamed QR factorisation of [1 | X]
(core/lstsq.py; R stays (p+1)×(p+1)), whose lower right block R₂₂ satisfies
R₂₂ᵀR₂₂ = X_cᵀX_c: the singular values of the centred data without ever
holding it, which is how libraries compute PCA (the SVD of X_c), here as an
independent check of the eigendecomposition.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tempfile
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mathml_cli.core.linalg import sign_rule
from mathml_cli.core.lstsq import StreamedQR
from mathml_cli.core.table import CsvTable
from mathml_cli.errors import InputError, did_you_mean

SHOWN_ROWS = 5  # rows kept to show the centring and the scores with numbers
SCALE_WARNING = 100.0  # variances this many times apart: suggest --standardize


@dataclass(frozen=True)
class Component:
    number: int  # 1 for the first principal component
    variance: float  # its eigenvalue: the variance of the scores along it
    ratio: float  # its share of the total variance
    cumulative: float  # the share of this and every earlier component
    loadings: tuple[float, ...]  # the unit eigenvector, one weight per column


@dataclass(frozen=True)
class SvdCheck:
    """The same components from the SVD of the centred data, X_c = UΣVᵀ."""

    singular_values: tuple[float, ...]
    variances: tuple[float, ...]  # σ²/(n − 1)
    max_variance_difference: float  # relative to the largest variance
    max_loading_difference: float  # largest |V − loadings| entry, after the sign rule


@dataclass(frozen=True)
class Pca:
    source: str
    n: int
    columns: tuple[str, ...]
    means: tuple[float, ...]
    std: tuple[float, ...]  # sample standard deviations (n − 1)
    standardized: bool
    covariance: tuple[tuple[float, ...], ...]  # sample covariance, always
    decomposed: tuple[tuple[float, ...], ...]  # the covariance, or the correlation matrix
    components: tuple[Component, ...]  # all of them, largest variance first
    kept: int  # k: the components the scores use
    first_rows: tuple[tuple[float, ...], ...]
    first_scores: tuple[tuple[float, ...], ...]  # the first rows projected, k columns
    svd: SvdCheck
    sample_scores: tuple[tuple[float, ...], ...]  # for the plot; empty unless asked for
    sample_complete: bool  # False: a uniform random sample of the rows
    warnings: tuple[str, ...]
    # Every row, kept only when the scores are to be written (8 bytes × columns per row).
    rows: np.ndarray | None = field(default=None, repr=False, compare=False)


class Moments:
    """Running count, means and co-moment matrix of the columns, merged block by block."""

    def __init__(self, width: int) -> None:
        self.n = 0
        self.mean = np.zeros(width)
        self.comoment = np.zeros((width, width))

    def add(self, block: np.ndarray) -> None:
        rows = len(block)
        if not rows:
            return
        block_mean = block.mean(axis=0)
        centred = block - block_mean
        block_comoment = centred.T @ centred
        total = self.n + rows
        delta = block_mean - self.mean
        # Chan, Golub and LeVeque's update: exact merging of two groups' co-moments.
        self.comoment += block_comoment + np.outer(delta, delta) * (self.n * rows / total)
        self.mean += delta * (rows / total)
        self.n = total


def pca(  # noqa: C901 - the steps of PCA in the order a textbook gives them
    table: CsvTable,
    *,
    columns: list[str] | None = None,
    standardize: bool = False,
    components: int | None = None,
    keep_rows: bool = False,
    sample: bool = False,
) -> Pca:
    """PCA of the chosen columns (default: all), streaming the table once.

    components: k, how many to project onto (default 2);
    keep_rows: keep every row for `write_scores`; sample: keep a sample of
    scores for a plot.
    """
    if not table.layout.has_header:
        width = len(table.names)
        table.layout = dataclasses.replace(
            table.layout, names=tuple(f"x{i}" for i in range(1, width + 1))
        )
    names = _choose_columns(table, columns)
    if columns is None:
        table.text_hint = "choose the numeric columns with --columns"
    p = len(names)
    k = min(2, p) if components is None else components
    if not 1 <= k <= p:
        raise InputError(f"--components must be between 1 and {p} (the number of columns), got {k}")
    indices = [table.column_index(name, "--columns") for name in names]
    moments = Moments(p)
    qr = StreamedQR(p, intercept=True)
    first: list[np.ndarray] = []
    kept_rows: list[np.ndarray] = []
    keeper = None
    if sample:
        # regress's sampler; imported only here, as regress loads mpmath for its p-values.
        from mathml_cli.core.regress import RowKeeper

        keeper = RowKeeper(p)
    no_gaps = "pca needs every value: remove or fill such rows first"
    with closing(table.blocks(indices, missing_hint=no_gaps, bounded=True)) as blocks:
        for block in blocks:
            moments.add(block)
            qr.add(block)
            if sum(len(b) for b in first) < SHOWN_ROWS:
                first.append(block[:SHOWN_ROWS])
            if keep_rows:
                kept_rows.append(block)
            if keeper is not None:
                keeper.add(block)
    n = moments.n
    if n < 2:
        got = "no data rows" if n == 0 else "one data row"
        raise InputError(
            f"{table.source} has {got}: PCA needs at least 2 rows to estimate a covariance "
            "(it divides by n - 1)"
        )
    mean = moments.mean
    covariance = moments.comoment / (n - 1)
    std = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    constant = [j for j in range(p) if std[j] == 0 or std[j] <= 1e-12 * abs(mean[j]) * math.sqrt(p)]
    if standardize and constant:
        j = constant[0]
        raise InputError(
            f"column '{names[j]}' is constant ({mean[j]:.6g} in every row): its standard "
            "deviation is 0, so it cannot be standardised; leave it out with --columns"
        )
    scale = std if standardize else np.ones(p)
    decomposed = covariance / np.outer(scale, scale)
    if standardize:
        np.fill_diagonal(decomposed, 1.0)  # exactly: each column's correlation with itself
    values, vectors = np.linalg.eigh(decomposed)
    order = np.argsort(values)[::-1]
    values = np.clip(values[order], 0.0, None)  # rounding can leave -1e-17 for a 0
    vectors = np.column_stack([sign_rule(vectors[:, i]) for i in order])
    total = float(values.sum())
    if total == 0:
        raise InputError(
            f"every chosen column of {table.source} is constant: there is no variance to explain"
        )
    ratios = values / total
    cumulative = np.cumsum(ratios)
    found = tuple(
        Component(
            i + 1,
            float(values[i]),
            float(ratios[i]),
            float(min(cumulative[i], 1.0)),
            tuple(map(float, vectors[:, i])),
        )
        for i in range(p)
    )
    # [1 | X] = QF: F's lower right block is R of the centred data, in its units.
    svd = _svd_check(qr.raw_factor()[1:, 1:], n, scale, values, vectors)
    head = np.concatenate(first)[:SHOWN_ROWS]
    projection = vectors[:, :k]
    first_scores = ((head - mean) / scale) @ projection
    sample_scores: tuple[tuple[float, ...], ...] = ()
    complete = True
    if keeper is not None:
        sampled, complete = keeper.rows()
        sample_scores = _matrix(((sampled - mean) / scale) @ projection)
    warnings = _warnings(names, covariance, constant, standardize)
    return Pca(
        source=table.source,
        n=n,
        columns=tuple(names),
        means=tuple(map(float, mean)),
        std=tuple(map(float, std)),
        standardized=standardize,
        covariance=_matrix(covariance),
        decomposed=_matrix(decomposed),
        components=found,
        kept=k,
        first_rows=_matrix(head),
        first_scores=_matrix(first_scores),
        svd=svd,
        sample_scores=sample_scores,
        sample_complete=complete,
        warnings=tuple(warnings),
        rows=np.concatenate(kept_rows) if keep_rows else None,
    )


def pca_input(
    data: Any,
    *,
    columns: str | Sequence[str] | None = None,
    standardize: bool = False,
    components: int | None = None,
    scores: str | None = None,
    no_header: bool = False,
    plot: bool = False,
) -> Pca:
    """`mathml pca`'s options read: the table from a path ('-' for stdin) or, from
    Python, a pandas DataFrame or a 2-D NumPy array; columns as "a,b" or a list;
    with `scores`, every row's scores written to that CSV file."""
    from mathml_cli.core.inputs import read_names
    from mathml_cli.core.sources import open_table

    chosen = read_names(columns) if columns is not None else None
    with open_table(data, header=False if no_header else None, command="pca") as (
        stream,
        source,
        header,
    ):
        table = CsvTable(stream, source, header=header, needs="PCA needs at least two columns")
        result = pca(
            table,
            columns=chosen,
            standardize=standardize,
            components=components,
            keep_rows=scores is not None,
            sample=plot,
        )
    if scores is not None:
        write_scores(result, scores)
    return result


def _choose_columns(table: CsvTable, columns: list[str] | None) -> list[str]:
    if columns is None:
        return list(table.names)
    if not columns:
        raise InputError("--columns is empty: name at least two columns")
    for name in columns:
        if name not in table.names:
            raise InputError(
                f"--columns: no column named '{name}'{did_you_mean(name, table.names)}; "
                f"the columns are: {', '.join(table.names)}"
            )
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise InputError(f"--columns names {', '.join(repeated)} more than once")
    if len(columns) == 1:
        # One column's only direction is itself: its variance is all there is (mathml stats).
        raise InputError(
            f"--columns names one column ({columns[0]}): PCA needs at least two; "
            "for one column's spread, use mathml stats"
        )
    return columns


def _svd_check(
    r22: np.ndarray, n: int, scale: np.ndarray, values: np.ndarray, vectors: np.ndarray
) -> SvdCheck:
    """Singular values and right singular vectors of X_c (scaled), from R₂₂ of the QR."""
    centred_factor = r22 / scale  # R₂₂ D⁻¹: same singular values and V as X_c D⁻¹
    _, singular, vt = np.linalg.svd(centred_factor)
    variances = singular**2 / (n - 1)
    largest = max(float(values[0]), float(variances[0]), np.finfo(float).tiny)
    loadings = np.column_stack([sign_rule(row) for row in vt])
    # A loading is defined only where its variance is apart from the others'.
    gaps = _separated(values)
    difference = float(np.abs(loadings[:, gaps] - vectors[:, gaps]).max()) if gaps.any() else 0.0
    return SvdCheck(
        singular_values=tuple(map(float, singular)),
        variances=tuple(map(float, variances)),
        max_variance_difference=float(np.abs(variances - values).max() / largest),
        max_loading_difference=difference,
    )


def _separated(values: np.ndarray) -> np.ndarray:
    """Which eigenvalues stand apart from their neighbours (their eigenvectors are unique)."""
    tolerance = 1e-8 * max(float(values[0]), np.finfo(float).tiny)
    apart = np.ones(len(values), dtype=bool)
    close = np.abs(np.diff(values)) <= tolerance
    apart[:-1] &= ~close
    apart[1:] &= ~close
    return apart


def _warnings(
    names: list[str], covariance: np.ndarray, constant: list[int], standardize: bool
) -> list[str]:
    warnings = []
    for j in constant:
        warnings.append(f"column '{names[j]}' is constant: it adds a component with variance 0")
    variances = np.diag(covariance)
    spread = [j for j in range(len(names)) if j not in constant]
    if not standardize and len(spread) > 1:
        high = max(spread, key=lambda j: variances[j])
        low = min(spread, key=lambda j: variances[j])
        if variances[high] > SCALE_WARNING * variances[low]:
            warnings.append(
                f"the columns' variances differ by a factor of "
                f"{variances[high] / variances[low]:.3g} ('{names[high]}' {variances[high]:.3g}, "
                f"'{names[low]}' {variances[low]:.3g}): the first components will mostly follow "
                f"'{names[high]}'; if the columns are in different units, use --standardize"
            )
    return warnings


def _matrix(values: np.ndarray) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(map(float, row)) for row in values)


def scores(result: Pca, rows: np.ndarray) -> np.ndarray:
    """The rows projected onto the first k components: ((x − x̄)/s)·V_k."""
    mean = np.array(result.means)
    scale = np.array(result.std) if result.standardized else np.ones(len(mean))
    loadings = np.array([c.loadings for c in result.components[: result.kept]]).T
    return ((rows - mean) / scale) @ loadings  # type: ignore[no-any-return]


def write_scores(result: Pca, path: str) -> int:
    """Write the scores of every row as CSV (PC1,...,PCk); the number of rows written.

    The file appears whole or not at all: it is written to a temporary file
    beside it, then renamed over the target.
    """
    if result.rows is None:
        raise ValueError("pca(..., keep_rows=True) keeps the rows the scores need")
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise InputError(f"--scores: {path} is a directory, not a file")
    header = ",".join(f"PC{i}" for i in range(1, result.kept + 1))
    try:
        handle = tempfile.NamedTemporaryFile(
            "w", dir=directory, prefix=f".{target.name}.", suffix=".tmp", delete=False
        )
    except OSError as error:
        raise InputError(f"--scores: cannot write {path}: {error.strerror}") from None
    try:
        with handle:
            handle.write(header + "\n")
            block = 65_536
            for start in range(0, len(result.rows), block):
                values = scores(result, result.rows[start : start + block])
                handle.write("\n".join(",".join(map(repr, row)) for row in values.tolist()))
                handle.write("\n")
        os.replace(handle.name, target)
    except OSError as error:
        Path(handle.name).unlink(missing_ok=True)
        raise InputError(f"--scores: cannot write {path}: {error.strerror}") from None
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return len(result.rows)
