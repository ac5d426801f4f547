"""Least squares the stable way: a QR factor streamed block by block, and an exact solve.

The normal equation XᵀXβ = Xᵀy is the formula, not the algorithm: forming XᵀX
squares the condition number κ of X, so with κ = 10⁸ (a degree-10 polynomial, a
feature near 10⁶ that varies by 1) double precision has no digit left. Instead:

- `StreamedQR` keeps the triangular factor R of the design [1, z, z_y] of
  shifted and scaled columns (z = (x − c)/s, with c and s the mean and spread of
  the first block). Each new block is centred on its own mean and factored
  (CholeskyQR2, or Householder reflections when it is ill-conditioned); that
  factor and the block's mean row are stacked under the running R, and the
  stack is re-triangularised with Householder reflections (this is TSQR).
  [1, z, z_y] = QR without Q ever being stored: memory O(p²), one pass, and the
  errors grow with κ, not κ².
- `exact_least_squares` solves the normal equation in exact rational arithmetic
  from the doubles that were read (each double is an integer times a power of
  two), for tables small enough that this is cheap. Its answers are the exact
  least-squares solution of the numbers in the file, rounded once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np


class StreamedQR:
    """R of the scaled design, one block of rows at a time (O(p²) memory).

    Columns of R: the column of ones (when there is an intercept), each feature,
    then the target, all as z = (value − shift) / scale.
    """

    def __init__(self, width: int, intercept: bool) -> None:
        self.width = width  # features and target
        self.intercept = intercept
        self.n = 0
        self.shift = np.zeros(width)
        self.scale = np.ones(width)
        self.sums = np.zeros(width)
        size = width + int(intercept)
        self.r = np.zeros((size, size))
        # Work space for the centred block and CholeskyQR2's Q, reused from block to
        # block: a fresh array of this size each time costs a page fault per 4 KB.
        self._work = np.empty((2, 0, width))
        self._ones = np.ones(0)

    def _scratch(self, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Two (rows x width) work arrays and a vector of ones, grown when needed."""
        if self._work.shape[1] < rows:
            self._work = np.empty((2, rows, self.width))
            self._ones = np.ones(rows)
        return self._work[0, :rows], self._work[1, :rows], self._ones[:rows]

    def add(self, block: np.ndarray) -> None:
        rows = len(block)
        if not rows:
            return
        if self.n == 0:
            # Centring and scaling from the first block: every later product is of
            # numbers near 1, so no digit goes to a large common offset.
            if self.intercept:
                self.shift = block.mean(axis=0)
            spread = np.sqrt(((block - self.shift) ** 2).mean(axis=0))
            self.scale = np.where(spread > 0, spread, 1.0)
        centred, work, ones = self._scratch(rows)
        column_sums = ones @ block  # a matrix-vector product: many times faster than .sum(0)
        if not self.intercept:
            factor = block_factor(block, self.scale, work)
            self.r = triangular_factor(np.vstack([self.r, factor]))
        else:
            # With the block's own mean m, [1, Z] = [1, m + Zc] where Zc's columns are
            # orthogonal to 1, so its R is [[√b, √b·m], [0, R(Zc)]]: the factor of the
            # centred block, which is better conditioned than the block itself.
            block_mean = column_sums / rows
            stacked = np.zeros((self.width + 1, self.width + 1))
            stacked[0, 0] = math.sqrt(rows)
            stacked[0, 1:] = math.sqrt(rows) * (block_mean - self.shift) / self.scale
            np.subtract(block, block_mean, out=centred)
            stacked[1:, 1:] = block_factor(centred, self.scale, work)
            self.r = triangular_factor(np.vstack([self.r, stacked]))
        self.sums += column_sums
        self.n += rows

    def raw_factor(self) -> np.ndarray:
        """F with [1, X, y] = QF in the original units (XᵀX = FᵀF)."""
        if not self.intercept:
            return self.r * self.scale
        factor = self.r.copy()
        factor[:, 1:] = self.r[:, 1:] * self.scale + np.outer(self.r[:, 0], self.shift)
        return factor


# Cholesky QR's R is off by about κ²·ε relative; below this κ that is under 1e-13,
# as good as Householder, and one pass is enough.
ONE_PASS_LIMIT = 20.0
# CholeskyQR2 is as good as Householder for κ well below 1/√ε = 6.7e7.
CHOLESKY_QR_LIMIT = 1e5


def block_factor(
    block: np.ndarray, scale: np.ndarray, work: np.ndarray | None = None
) -> np.ndarray:
    """R of a tall block with its columns divided by `scale`: R(A·D⁻¹) = R(A)·D⁻¹.

    CholeskyQR2 when the scaled block is well conditioned, else Householder.
    CholeskyQR2 (R₁ from the Cholesky factor of AᵀA, then again for Q₁ = AR₁⁻¹,
    R = R₂R₁) is as accurate as Householder QR while κ(A) is well below 1/√ε
    (Yamamoto et al., 2015) and runs on matrix products, several times faster
    for a block of thousands of rows; when κ is tiny, R₁ alone already is. The
    scaling is applied to the small matrices, never to the block. `work`, shaped
    like the block, may hold Q₁.

    The last column is the target (in a regression). In a good fit it is nearly
    a combination of the others, which makes κ(A) large even when the features
    are well conditioned; then R₁ is right but for its last entry, the size of
    what the features leave unexplained, which Cholesky finds by a subtraction
    that cancels. While the other columns are well conditioned, that entry is
    measured directly instead, as the norm of the last column's residual on
    them (one matrix-vector product, not a second pass).
    """
    width = block.shape[1]
    if len(block) > 4 * width:
        try:
            gram = block.T @ block / np.outer(scale, scale)  # of A·D⁻¹
            first = np.linalg.cholesky(gram).T
            if width > 1 and np.linalg.cond(first[:-1, :-1]) < ONE_PASS_LIMIT:
                first[-1, -1] = _unexplained(block, first, scale)
                return first
            condition = np.linalg.cond(first)
            if condition < ONE_PASS_LIMIT:
                return first
            if condition < CHOLESKY_QR_LIMIT:
                # Q₁ = A·D⁻¹·R₁⁻¹ = A·(R₁D)⁻¹
                orthogonal = np.matmul(block, np.linalg.inv(first * scale), out=work)
                second = np.linalg.cholesky(orthogonal.T @ orthogonal).T
                return second @ first
        except np.linalg.LinAlgError:
            pass
    scaled = block / scale
    if len(block) < width:  # fewer rows than columns: R is still square, with zero rows
        scaled = np.vstack([scaled, np.zeros((width - len(block), width))])
    return triangular_factor(scaled)


def _unexplained(block: np.ndarray, first: np.ndarray, scale: np.ndarray) -> float:
    """‖y − Xc‖ / s_y for the block [X, y]: c are the least-squares coefficients of y
    on X that the Cholesky factor R₁ of the scaled block gives (b = R₁₁⁻¹r with
    R₁ = [[R₁₁, r], [0, ρ]], on the scaled columns; c = b·s_y/s_x)."""
    scaled = back_substitute(first[:-1, :-1], first[:-1, -1])
    weights = np.append(-scaled * scale[-1] / scale[:-1], 1.0)
    residual = block @ weights  # y − Xc, one product over the whole (contiguous) block
    return math.sqrt(float(residual @ residual)) / float(scale[-1])


def triangular_factor(matrix: np.ndarray) -> np.ndarray:
    """R of matrix = QR (Householder, LAPACK), without forming Q."""
    factor: np.ndarray = np.linalg.qr(matrix, mode="r")  # type: ignore[assignment]
    return factor


def back_substitute(upper: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve upper · x = rhs for an upper-triangular matrix (rhs a vector or matrix)."""
    size = len(upper)
    solution = np.array(rhs, dtype=float, copy=True)
    for i in range(size - 1, -1, -1):
        solution[i] = (solution[i] - upper[i, i + 1 :] @ solution[i + 1 :]) / upper[i, i]
    return solution


@dataclass(frozen=True)
class ExactSolution:
    beta: tuple[float, ...]  # intercept (when fitted) first
    inverse: tuple[tuple[float, ...], ...]  # (XᵀX)⁻¹
    rss: float  # Σ residual²
    tss: float  # Σ(y − ȳ)², or Σy² without an intercept
    r_squared: float  # 1 − rss/tss, rounded once (nan when tss is 0)


EXACT_WORK = 2_000_000  # rows × (parameters + 1)²: up to this, an exact solve takes < 0.3 s
EXACT_BITS = 4096  # a column spanning more binary orders of magnitude is not solved exactly


def exact_least_squares(
    design: np.ndarray, target: np.ndarray, intercept: bool
) -> ExactSolution | None:
    """The least-squares fit of these doubles in exact rational arithmetic, or None.

    Each column is written as integers times one power of two, so XᵀX and Xᵀy
    are sums of Python integers (exact), and Gauss-Jordan elimination in
    fractions gives β and (XᵀX)⁻¹ exactly; RSS = yᵀy − βᵀXᵀy holds exactly too.
    None when the table is too large for this or XᵀX is exactly singular.
    """
    n = len(target)
    columns = ([np.ones(n)] if intercept else []) + [design[:, j] for j in range(design.shape[1])]
    columns.append(target)
    exact = _integer_gram(columns)
    if exact is None:
        return None
    gram, exponents, integers = exact
    size = len(columns) - 1
    # Gauss-Jordan on [G | Gy | I] in fractions; G is positive definite unless singular.
    rows = [
        [Fraction(int(gram[i, j])) for j in range(size)]
        + [Fraction(int(gram[i, size]))]
        + [Fraction(int(i == j)) for j in range(size)]
        for i in range(size)
    ]
    for c in range(size):
        pivot = rows[c][c]
        if pivot == 0:
            return None
        rows[c] = [v / pivot for v in rows[c]]
        for r in range(size):
            if r != c and rows[r][c] != 0:
                factor = rows[r][c]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[c], strict=True)]
    gamma = [rows[i][size] for i in range(size)]
    # x_j = M_j·2^e_j and y = M_y·2^e_y, so β_j = γ_j·2^(e_y − e_j).
    e_y = exponents[size]
    beta = [g * _power_of_two(e_y - exponents[j]) for j, g in enumerate(gamma)]
    inverse = [
        [rows[i][size + 1 + j] * _power_of_two(-exponents[i] - exponents[j]) for j in range(size)]
        for i in range(size)
    ]
    yty = Fraction(int(gram[size, size]))
    rss = (yty - sum(g * int(gram[j, size]) for j, g in enumerate(gamma))) * _power_of_two(2 * e_y)
    total = sum(integers[size])
    tss = (yty - Fraction(total * total, n) if intercept else yty) * _power_of_two(2 * e_y)
    return ExactSolution(
        beta=tuple(float(b) for b in beta),
        inverse=tuple(tuple(float(v) for v in row) for row in inverse),
        rss=float(rss),
        tss=float(tss),
        r_squared=float(1 - rss / tss) if tss else math.nan,
    )


def exact_gram(columns: list[np.ndarray]) -> np.ndarray | None:
    """AᵀA for A with these columns, each entry the correctly rounded exact sum (so
    the XᵀX of a small table shows 8, not 8.000000000000002); None when too large."""
    exact = _integer_gram(columns)
    if exact is None:
        return None
    gram, exponents, _ = exact
    size = len(columns)
    return np.array(
        [
            [
                float(int(gram[i, j]) * _power_of_two(exponents[i] + exponents[j]))
                for j in range(size)
            ]
            for i in range(size)
        ]
    )


def _integer_gram(
    columns: list[np.ndarray],
) -> tuple[np.ndarray, list[int], list[list[int]]] | None:
    """MᵀM in Python integers, with each column = M_j·2^e_j, the e_j and the M_j;
    None when the work is above EXACT_WORK or a column spans too many orders."""
    if not columns or len(columns[0]) * len(columns) ** 2 > EXACT_WORK:
        return None
    integers, exponents = [], []
    for column in columns:
        ints, exponent = _as_integers(column)
        if ints is None:
            return None
        integers.append(ints)
        exponents.append(exponent)
    matrix = np.empty((len(columns[0]), len(columns)), dtype=object)
    for j, ints in enumerate(integers):
        matrix[:, j] = ints
    return matrix.T.dot(matrix), exponents, integers  # Python integers: exact


def _power_of_two(exponent: int) -> Fraction:
    return Fraction(2**exponent) if exponent >= 0 else Fraction(1, 2**-exponent)


def _as_integers(column: np.ndarray) -> tuple[list[int] | None, int]:
    """Integers M and one exponent e with column = M·2^e exactly (None if too wide)."""
    fractions, exponents = np.frexp(column)
    mantissas = (fractions * 2.0**53).astype(np.int64)  # exact: 53-bit significands
    powers = exponents.astype(np.int64) - 53
    lowest = int(powers[mantissas != 0].min()) if np.any(mantissas != 0) else 0
    shifts = np.where(mantissas != 0, powers - lowest, 0)
    if int(shifts.max()) > EXACT_BITS:
        return None, 0
    ints = [m << s for m, s in zip(mantissas.tolist(), shifts.tolist(), strict=True)]
    return ints, lowest
