"""Eigenvalues and eigenvectors: exactly and step by step up to 3×3, numerically beyond.

Up to EXACT_SIZE the characteristic polynomial det(A − λI) is expanded by hand
(the 2×2 formula, or cofactors along the first row of a 3×3) in exact rational
arithmetic: each entry becomes the fraction its decimal text denotes (0.1 is
1/10, not the binary float nearest it). SymPy factors the polynomial over the
rationals; a linear factor gives a rational eigenvalue, a quadratic one the
quadratic formula's surds, and an irreducible cubic (whose exact roots need
Cardano's unreadable formula) numeric roots. Eigenvectors come from the null
space of A − λI, exactly where λ is exact. Larger matrices go to NumPy:
`eigh` when symmetric, `eig` otherwise, with the residual ‖Av − λv‖ of each pair.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mathml_cli.core.linalg import sign_rule
from mathml_cli.errors import InputError

if TYPE_CHECKING:
    import numpy as np

EXACT_SIZE = 3  # symbolic steps up to this size; numeric (NumPy) beyond
EXACT_RANGE = (1e-6, 1e6)  # ... and for entries of these sizes (or 0)
MAX_ENTRY = 1e100  # det(A − λI) multiplies n entries: keep them well inside float64
MAX_SIZE = 500
MAX_POWER_STEPS = 1000
POWER_TOLERANCE = 1e-12  # power iteration stops when x moves less than this
NEARLY_DEFECTIVE = 1e10  # condition number of the eigenvector matrix worth a warning

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@dataclass(frozen=True)
class Expression:
    """A piece of mathematics written for the terminal and in LaTeX (math mode)."""

    text: str
    latex: str


@dataclass(frozen=True)
class Step:
    """One line of the expansion: what was done, and the result."""

    description: str
    expression: Expression


@dataclass(frozen=True)
class Root:
    """A distinct root of the characteristic polynomial."""

    value: complex
    exact: Expression | None  # None: a root of an irreducible cubic, known numerically
    multiplicity: int  # algebraic: how often it is a root
    factor: Expression  # the factor of det(A − λI) over the rationals it comes from


@dataclass(frozen=True)
class Characteristic:
    shifted: tuple[tuple[Expression, ...], ...]  # A − λI
    steps: tuple[Step, ...]
    polynomial: Expression  # det(A − λI), expanded
    coefficients: tuple[float, ...]  # highest power first
    factored: Expression
    roots: tuple[Root, ...]


@dataclass(frozen=True)
class EigenPair:
    value: complex
    exact_value: Expression | None
    vector: tuple[complex, ...]  # unit length (see `sign_rule`)
    exact_vector: tuple[Expression, ...] | None  # a null-space vector of A − λI, scaled
    image: tuple[complex, ...]  # A·v, for the check Av = λv
    residual: float  # ‖Av − λv‖


@dataclass(frozen=True)
class Defect:
    """A repeated eigenvalue with fewer independent eigenvectors than its multiplicity."""

    value: complex
    exact: Expression | None
    algebraic: int
    geometric: int


@dataclass(frozen=True)
class Rotation:
    """A complex pair a ± bi: in its plane A turns by `angle_degrees` and scales by `modulus`."""

    real: float
    imag: float
    modulus: float
    angle_degrees: float


@dataclass(frozen=True)
class Spectral:
    """A = QΛQᵀ for a symmetric A: Q's columns the orthonormal eigenvectors."""

    q: tuple[tuple[float, ...], ...]
    values: tuple[float, ...]
    reconstruction_error: float  # max |A − QΛQᵀ|
    orthogonality_error: float  # max |QᵀQ − I|


@dataclass(frozen=True)
class PowerRow:
    step: int
    vector: tuple[float, ...]  # x_k, unit length
    estimate: float  # the Rayleigh quotient x_kᵀ A x_k
    change: float  # ‖x_k − x_{k−1}‖, up to sign (a negative λ flips x every step)


@dataclass(frozen=True)
class PowerIteration:
    start: tuple[float, ...]
    requested: int
    rows: tuple[PowerRow, ...]  # x_0 first
    status: str  # "converged", "max_steps", "no_dominant" or "null"
    dominant: complex | None  # the eigenvalue of largest |λ|, when unique
    dominant_vector: tuple[float, ...] | None
    ratio: float | None  # |λ₂|/|λ₁|: the error shrinks by about this factor per step
    angle_degrees: float | None  # between the last x and the dominant eigenvector
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Eigen:
    matrix: tuple[tuple[float, ...], ...]
    size: int
    symmetric: bool
    method: str  # "exact" (SymPy) or "numpy.linalg.eigh" / "numpy.linalg.eig"
    characteristic: Characteristic | None  # only up to EXACT_SIZE
    eigenvalues: tuple[complex, ...]  # with multiplicity, largest real part first
    pairs: tuple[EigenPair, ...]
    defects: tuple[Defect, ...]
    rotations: tuple[Rotation, ...]
    trace: float
    determinant: float
    eigenvalue_sum: complex
    eigenvalue_product: complex
    spectral: Spectral | None
    power: PowerIteration | None
    warnings: tuple[str, ...]


def eigen(
    matrix: np.ndarray,
    *,
    power_steps: int | None = None,
    start: np.ndarray | None = None,
) -> Eigen:
    """Eigenvalues and eigenvectors of a square matrix, and optionally power iteration."""
    import numpy as np

    a = _check_matrix(matrix)
    n = a.shape[0]
    symmetric = bool(np.array_equal(a, a.T))
    nonzero = np.abs(a[a != 0])
    readable = nonzero.size == 0 or (
        nonzero.min() >= EXACT_RANGE[0] and nonzero.max() <= EXACT_RANGE[1]
    )
    if n <= EXACT_SIZE and readable:
        characteristic, values, pairs, defects = _exact(a, symmetric)
        method = "exact"
        warnings: list[str] = []
    else:
        values, pairs, warnings = _numeric(a, symmetric)
        characteristic, defects = None, []
        method = "numpy.linalg.eigh" if symmetric else "numpy.linalg.eig"
    rotations = [
        Rotation(v.real, v.imag, abs(v), math.degrees(math.atan2(v.imag, v.real)))
        for v in _distinct(values)
        if v.imag > 0
    ]
    with np.errstate(over="ignore", invalid="ignore"):
        # Exactly: det(A) = det(A − 0·I), the polynomial's constant term.
        determinant = characteristic.coefficients[-1] if characteristic else float(np.linalg.det(a))
        product = complex(np.prod(np.array(values)))
    spectral = _spectral(a, pairs) if symmetric else None
    power = None
    if power_steps is not None:
        power = power_iteration(a, power_steps, start, values, pairs)
    return Eigen(
        matrix=tuple(tuple(map(float, row)) for row in a),
        size=n,
        symmetric=symmetric,
        method=method,
        characteristic=characteristic,
        eigenvalues=tuple(values),
        pairs=tuple(pairs),
        defects=tuple(defects),
        rotations=tuple(rotations),
        trace=float(np.trace(a)),
        determinant=determinant,
        eigenvalue_sum=complex(
            math.fsum(v.real for v in values), math.fsum(v.imag for v in values)
        ),
        eigenvalue_product=product,
        spectral=spectral,
        power=power,
        warnings=tuple(warnings),
    )


def eigen_input(
    matrix: Any, *, power: int | None = None, start: Any = None, plot: bool = False
) -> Eigen:
    """`mathml eigen`'s options checked and read: the matrix and the start vector as
    text ("[[2,1],[1,2]]", "2,1;1,2", "@file.csv", "-") or, from Python, lists,
    NumPy arrays and paths of CSV files; `plot` only to say that the plot is for a
    2×2 matrix."""
    import os

    from mathml_cli.core.inputs import read_array

    if start is not None and power is None:
        raise InputError("--start only applies with --power")
    if isinstance(matrix, os.PathLike):
        matrix = "@" + os.fspath(matrix)
    values = read_array(matrix, "the matrix")
    start_vector = read_array(start, "--start") if start is not None else None
    if plot and values.shape != (2, 2):
        shape = "×".join(str(size) for size in values.shape)
        raise InputError(f"--plot draws a 2×2 matrix acting on the plane; this one is {shape}")
    return eigen(values, power_steps=power, start=start_vector)


def _check_matrix(matrix: np.ndarray) -> np.ndarray:
    import numpy as np

    a = np.asarray(matrix, dtype=float)
    if a.size == 1:
        a = a.reshape(1, 1)  # one number is a 1×1 matrix
    if a.ndim == 1:
        raise InputError(
            f"eigenvalues need a square matrix, got a vector of length {a.size}: "
            "write a matrix as [[1,2],[3,4]] or 1,2;3,4"
        )
    if a.ndim != 2 or a.size == 0:
        raise InputError("eigenvalues need a non-empty square matrix")
    rows, columns = a.shape
    if rows != columns:
        raise InputError(
            f"the matrix is {rows}×{columns}, not square: eigenvalues need an n×n matrix "
            "(Av = λv needs Av to have the shape of v)"
        )
    if rows > MAX_SIZE:
        raise InputError(f"the matrix is {rows}×{rows}; mathml eigen takes at most {MAX_SIZE}")
    if not np.isfinite(a).all():
        raise InputError("the matrix holds a value that is not a finite number")
    row, column = np.unravel_index(int(np.abs(a).argmax()), a.shape)
    if abs(a[row, column]) > MAX_ENTRY:
        raise InputError(
            f"the entry {a[row, column]:g} at row {row + 1}, column {column + 1} is too large: "
            f"mathml eigen takes entries up to {MAX_ENTRY:g} in size (products of them must fit "
            "in float64); divide A by a scale s: A/s has eigenvalues λ/s and the same eigenvectors"
        )
    return a


def _order_key(value: complex) -> tuple[float, float]:
    return (-round(value.real, 12), -round(value.imag, 12))


def _distinct(values: list[complex]) -> list[complex]:
    seen: list[complex] = []
    for value in values:
        if not any(abs(value - other) <= 1e-12 * max(1.0, abs(value)) for other in seen):
            seen.append(value)
    return seen


# --- exact: 2×2 and 3×3 ---------------------------------------------------------------


def _rational(value: float) -> Any:
    """The fraction the shortest decimal text of `value` denotes (0.1 -> 1/10).

    repr() gives that text for any float; it is our own text, never the user's.
    """
    import sympy

    fraction = Fraction(repr(float(value)))
    return sympy.Rational(fraction.numerator, fraction.denominator)


class _Writer:
    """Exact numbers, polynomials in λ and surds, as text and LaTeX.

    In decimal mode (the matrix held a non-integer) a fraction whose decimal
    expansion ends is written as a decimal, as the user typed it; otherwise p/q.
    """

    def __init__(self, decimal: bool) -> None:
        self.decimal = decimal

    def number(self, q: Any) -> Expression:
        if q.q == 1:
            return Expression(str(q.p), str(q.p))
        if self.decimal:
            text = _decimal_text(int(q.p), int(q.q))
            if text is not None:
                return Expression(text, text)
        sign = "-" if q < 0 else ""
        return Expression(f"{q.p}/{q.q}", rf"{sign}\frac{{{abs(q.p)}}}{{{q.q}}}")

    def factor(self, q: Any) -> Expression:
        """A number as a factor of a product: parenthesised when negative."""
        written = self.number(q)
        if q < 0:
            return Expression(f"({written.text})", rf"\left({written.latex}\right)")
        return written

    def diagonal(self, q: Any) -> Expression:
        """a − λ."""
        if q == 0:
            return Expression("-λ", r"-\lambda")
        written = self.number(q)
        return Expression(f"{written.text} - λ", rf"{written.latex} - \lambda")

    def polynomial(self, coefficients: list[Any]) -> Expression:
        """Σ c_k λ^k from the coefficients, highest power first."""
        degree = len(coefficients) - 1
        text_terms: list[tuple[bool, str]] = []
        latex_terms: list[tuple[bool, str]] = []
        for position, c in enumerate(coefficients):
            if c == 0:
                continue
            power = degree - position
            magnitude = self.number(abs(c))
            if power == 0:
                text, latex = magnitude.text, magnitude.latex
            else:
                text_power = "λ" + (str(power).translate(_SUPERSCRIPTS) if power > 1 else "")
                latex_power = r"\lambda" + (f"^{{{power}}}" if power > 1 else "")
                if abs(c) == 1:
                    text, latex = text_power, latex_power
                else:
                    shown = f"({magnitude.text})" if "/" in magnitude.text else magnitude.text
                    text, latex = shown + text_power, magnitude.latex + " " + latex_power
            text_terms.append((c < 0, text))
            latex_terms.append((c < 0, latex))
        return Expression(_join(text_terms), _join(latex_terms))

    def surd(self, value: Any) -> Expression:
        """p + q·√m or p + q·i√m (the numbers of Q(√m)), written as a person would."""
        import sympy

        value = sympy.expand(value)
        if value.is_Rational:
            return self.number(value)
        p, rest = value.as_coeff_Add()
        q, radical = rest.as_coeff_Mul()
        imaginary = radical.has(sympy.I)
        root = sympy.expand(radical / sympy.I) if imaginary else radical
        square = sympy.expand(root**2)
        if not (p.is_Rational and q.is_Rational and square.is_Integer and square > 0):
            return Expression(
                sympy.sstr(value).replace("sqrt", "√").replace("*I", "i").replace("*", "·"),
                sympy.latex(value),
            )
        m = int(square)
        text_radical = ("i" if imaginary else "") + (f"√{m}" if m != 1 else "")
        latex_radical = ("i" if imaginary else "") + (rf"\sqrt{{{m}}}" if m != 1 else "")
        if self.decimal:
            p_text, q_text = (_decimal_text(int(x.p), int(x.q)) for x in (p, q))
            if p_text is not None and q_text is not None:
                return self._sum(p, p_text, q, q_text.lstrip("-"), text_radical, latex_radical)
        denominator = math.lcm(int(p.q), int(q.q))
        a, b = int(p * denominator), int(q * denominator)
        over = Expression("", "")
        if denominator != 1:
            over = Expression(str(denominator), str(denominator))
        return self._sum(
            sympy.Integer(a),
            str(a),
            sympy.Integer(b),
            str(abs(b)),
            text_radical,
            latex_radical,
            over,
        )

    @staticmethod
    def _sum(
        p: Any,
        p_text: str,
        q: Any,
        q_text: str,
        text_radical: str,
        latex_radical: str,
        over: Expression | None = None,
    ) -> Expression:
        coefficient = "" if q_text == "1" else q_text
        text_terms = [(q < 0, coefficient + text_radical)]
        latex_terms = [(q < 0, coefficient + latex_radical)]
        if p != 0:
            text_terms.insert(0, (p < 0, p_text.lstrip("-")))
            latex_terms.insert(0, (p < 0, p_text.lstrip("-")))
        text, latex = _join(text_terms), _join(latex_terms)
        if over is None or not over.text:
            return Expression(text, latex)
        shown = f"({text})" if p != 0 else text
        return Expression(f"{shown}/{over.text}", rf"\frac{{{latex}}}{{{over.latex}}}")


def _join(terms: list[tuple[bool, str]]) -> str:
    if not terms:
        return "0"
    negative, first = terms[0]
    parts = [("-" if negative else "") + first]
    for negative, term in terms[1:]:
        parts.append(f" {'-' if negative else '+'} {term}")
    return "".join(parts)


MAX_PLAIN_DECIMAL = 20


def _decimal_text(numerator: int, denominator: int) -> str | None:
    """numerator/denominator as a terminating decimal, or None if it does not terminate."""
    rest, twos, fives = denominator, 0, 0
    while rest % 2 == 0:
        rest //= 2
        twos += 1
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest != 1:
        return None
    places = max(twos, fives)
    scaled = abs(numerator) * 10**places // denominator  # the value is scaled·10^−places
    digits = str(scaled).rjust(places + 1, "0")
    text = f"{digits[:-places]}.{digits[-places:]}" if places else digits
    if len(text) > MAX_PLAIN_DECIMAL:  # 1e-200 written out is 202 characters
        significant = str(scaled).rstrip("0") or "0"
        exponent = len(str(scaled)) - 1 - places
        mantissa = significant[0] + (f".{significant[1:]}" if len(significant) > 1 else "")
        text = f"{mantissa}e{exponent:+03d}"
    return ("-" if numerator < 0 else "") + text


def _poly_coefficients(expression: Any, lam: Any, degree: int) -> list[Any]:
    import sympy

    if expression == 0:
        return [sympy.Integer(0)] * (degree + 1)
    poly = sympy.Poly(expression, lam)
    coefficients = poly.all_coeffs()
    return [sympy.Integer(0)] * (degree + 1 - len(coefficients)) + coefficients


def _expand_steps(entries: list[list[Any]], lam: Any, writer: _Writer) -> tuple[list[Step], Any]:
    """The expansion of det(A − λI) step by step, and the polynomial it gives."""
    import sympy

    n = len(entries)
    shifted = sympy.Matrix(entries) - lam * sympy.eye(n)

    def poly(expression: Any) -> Expression:
        expanded = sympy.expand(expression)
        degree = max(int(sympy.degree(expanded, lam)), 0) if expanded != 0 else 0
        return writer.polynomial(_poly_coefficients(expanded, lam, degree))

    if n == 1:
        value = shifted[0, 0]
        return [Step("the 1×1 determinant is the entry itself", poly(value))], sympy.expand(value)
    if n == 2:
        written, value = _minor_text(shifted, lam, writer)
        steps = [
            Step("the 2×2 determinant (a - λ)·(d - λ) - b·c", written),
            Step(
                "multiply out (a - λ)·(d - λ)",
                Expression(
                    f"({poly(shifted[0, 0] * shifted[1, 1]).text}) - "
                    f"{writer.factor(shifted[0, 1] * shifted[1, 0]).text}",
                    rf"\left({poly(shifted[0, 0] * shifted[1, 1]).latex}\right) - "
                    f"{writer.factor(shifted[0, 1] * shifted[1, 0]).latex}",
                ),
            ),
            Step("collect powers of λ", poly(value)),
        ]
        return steps, sympy.expand(value)
    # Row 1 of A − λI: the factors of the cofactor expansion.
    diagonal = writer.diagonal(entries[0][0])
    row = [
        Expression(f"({diagonal.text})", rf"({diagonal.latex})"),
        writer.factor(entries[0][1]),
        writer.factor(entries[0][2]),
    ]
    names = [f"M₁{str(j).translate(_SUBSCRIPTS)}" for j in (1, 2, 3)]

    def expansion(parts: list[Expression]) -> Expression:
        """a₁₁·(first) - a₁₂·(second) + a₁₃·(third)."""
        text = " ".join(
            f"{sign}{factor.text}·{part.text}"
            for sign, factor, part in zip(("", "- ", "+ "), row, parts, strict=True)
        )
        latex = " ".join(
            rf"{sign}{factor.latex} \cdot {part.latex}"
            for sign, factor, part in zip(("", "- ", "+ "), row, parts, strict=True)
        )
        return Expression(text, latex)

    steps = [
        Step(
            "expand along row 1: each M is the 2×2 determinant left without row 1 and "
            "that entry's column",
            expansion([Expression(name, f"M_{{1{j}}}") for j, name in enumerate(names, 1)]),
        )
    ]
    minors = []
    terms = []
    for column in range(3):
        block = shifted.extract([1, 2], [c for c in range(3) if c != column])
        written, value = _minor_text(block, lam, writer)
        minor = poly(value)
        steps.append(
            Step(
                f"{names[column]}: the determinant left when row 1 and column {column + 1} "
                "are removed",
                Expression(f"{written.text} = {minor.text}", f"{written.latex} = {minor.latex}"),
            )
        )
        minors.append(Expression(f"({minor.text})", rf"\left({minor.latex}\right)"))
        sign = 1 if column % 2 == 0 else -1
        terms.append(sign * shifted[0, column] * value)
    steps.append(Step("substitute the minors", expansion(minors)))
    products = [poly(term) for term in terms]
    steps.append(
        Step(
            "multiply out each product",
            Expression(
                " + ".join(f"({p.text})" for p in products),
                " + ".join(rf"\left({p.latex}\right)" for p in products),
            ),
        )
    )
    total = sympy.expand(sum(terms))
    steps.append(Step("collect powers of λ", poly(total)))
    return steps, total


def _minor_text(block: Any, lam: Any, writer: _Writer) -> tuple[Expression, Any]:
    """A 2×2 minor of A − λI written as x·y - u·v, entries with λ in parentheses."""
    import sympy

    def entry(row: int, column: int) -> Expression:
        value = block[row, column]
        if value.has(lam):
            constant = sympy.expand(value + lam)
            written = writer.diagonal(constant)
            return Expression(f"({written.text})", rf"({written.latex})")
        return writer.factor(value)

    a, b, c, d = entry(0, 0), entry(0, 1), entry(1, 0), entry(1, 1)
    text = f"{a.text}·{d.text} - {b.text}·{c.text}"
    latex = rf"{a.latex} \cdot {d.latex} - {b.latex} \cdot {c.latex}"
    return Expression(text, latex), block[0, 0] * block[1, 1] - block[0, 1] * block[1, 0]


def _exact(
    a: np.ndarray, symmetric: bool
) -> tuple[Characteristic, list[complex], list[EigenPair], list[Defect]]:
    import sympy

    n = a.shape[0]
    lam = sympy.Symbol("lambda")
    entries = [[_rational(x) for x in row] for row in a.tolist()]
    writer = _Writer(decimal=any(q.q != 1 for row in entries for q in row))
    steps, polynomial = _expand_steps(entries, lam, writer)
    coefficients = _poly_coefficients(polynomial, lam, n)
    shifted = tuple(
        tuple(
            writer.diagonal(entries[i][j]) if i == j else writer.number(entries[i][j])
            for j in range(n)
        )
        for i in range(n)
    )
    roots: list[Root] = []
    exact_roots: list[Any] = []  # a SymPy number, or None when known numerically
    _, factors = sympy.factor_list(polynomial, lam)
    for factor, multiplicity in factors:
        factor_coefficients = _poly_coefficients(factor, lam, sympy.degree(factor, lam))
        lead = factor_coefficients[0]
        monic = [c / lead for c in factor_coefficients]
        written_factor = writer.polynomial(monic)
        degree = len(monic) - 1
        if degree == 1:
            found = [-monic[1]]
        elif degree == 2:
            b, c = monic[1], monic[2]
            discriminant = b**2 - 4 * c
            found = [-b / 2 + sympy.sqrt(discriminant) / 2, -b / 2 - sympy.sqrt(discriminant) / 2]
        else:
            found = [None] * degree
            numeric = sympy.Poly(factor, lam).nroots(n=30)
        for index, root in enumerate(found):
            if root is None:
                value = complex(numeric[index])
                if symmetric:
                    value = complex(value.real, 0.0)
                exact_text = None
            else:
                # maxn: the precision evalf may climb to when the root cancels (1e300 and 3)
                value = complex(sympy.N(root, 30, maxn=4000))
                exact_text = writer.surd(root)
            roots.append(Root(value, exact_text, int(multiplicity), written_factor))
            exact_roots.append(root)
    order = sorted(range(len(roots)), key=lambda i: _order_key(roots[i].value))
    roots = [roots[i] for i in order]
    exact_roots = [exact_roots[i] for i in order]

    a_exact = sympy.Matrix(entries)
    pairs: list[EigenPair] = []
    defects: list[Defect] = []
    values: list[complex] = []
    for root, exact_root in zip(roots, exact_roots, strict=True):
        values.extend([root.value] * root.multiplicity)
        if exact_root is None:
            vectors = [_numeric_null_vector(a, root.value)]
            exact_vectors: list[tuple[Expression, ...] | None] = [None]
        else:
            basis = _null_space(a_exact, exact_root, symmetric)
            vectors, exact_vectors = [], []
            for vector in basis:
                numeric, written = _normalise_exact(vector, writer)
                vectors.append(numeric)
                exact_vectors.append(written)
            if len(basis) < root.multiplicity:
                defects.append(Defect(root.value, root.exact, root.multiplicity, len(basis)))
        for vector, exact_vector in zip(vectors, exact_vectors, strict=True):
            pairs.append(_pair(a, root.value, root.exact, vector, exact_vector))
    characteristic = Characteristic(
        shifted=shifted,
        steps=tuple(steps),
        polynomial=writer.polynomial(coefficients),
        coefficients=tuple(float(c) for c in coefficients),
        factored=_factored(roots, writer, n),
        roots=tuple(roots),
    )
    return characteristic, values, pairs, defects


def _factored(roots: list[Root], writer: _Writer, n: int) -> Expression:
    """det(A − λI) = (−1)ⁿ Π factors, each factor written once with its power."""
    seen: list[tuple[Expression, int]] = []
    for root in roots:
        if all(factor != root.factor for factor, _ in seen):
            seen.append((root.factor, root.multiplicity))
    # λ itself first and without brackets: λ(λ - 2), not (λ - 2)(λ).
    seen.sort(key=lambda item: item[0].text != "λ")
    text = "".join(
        (f.text if f.text == "λ" else f"({f.text})")
        + (str(m).translate(_SUPERSCRIPTS) if m > 1 else "")
        for f, m in seen
    )
    latex = "".join(
        (f.latex if f.text == "λ" else rf"\left({f.latex}\right)") + (f"^{{{m}}}" if m > 1 else "")
        for f, m in seen
    )
    if n % 2:
        return Expression("-" + text, "-" + latex)
    return Expression(text, latex)


def _null_space(a_exact: Any, root: Any, symmetric: bool) -> list[Any]:
    """A basis of the null space of A − λI, exactly (orthogonal when A is symmetric)."""
    import sympy

    n = a_exact.shape[0]
    shifted = (a_exact - root * sympy.eye(n)).applyfunc(sympy.expand)
    if root.is_Rational:
        basis = shifted.nullspace()
        if symmetric and len(basis) > 1:
            basis = sympy.GramSchmidt(basis)
        return [vector.applyfunc(sympy.expand) for vector in basis]
    # A surd λ is a simple root (n ≤ 3), so A − λI has rank n − 1: for n = 2 a nonzero
    # row (p, q) is orthogonal to (q, −p); for n = 3 two independent rows' cross
    # product is orthogonal to both. expand() writes each entry as p + q√m, where
    # zero is exactly zero.
    rows = [shifted.row(i) for i in range(n)]
    if n == 2:
        for row in rows:
            candidate = sympy.Matrix([row[1], -row[0]]).applyfunc(sympy.expand)
            if any(entry != 0 for entry in candidate):
                return [candidate]
    for first in range(n):
        for second in range(first + 1, n):
            candidate = rows[first].cross(rows[second]).T.applyfunc(sympy.expand)
            if any(entry != 0 for entry in candidate):
                return [candidate]
    raise AssertionError("A − λI has rank n − 1 for a simple eigenvalue")


def _normalise_exact(vector: Any, writer: _Writer) -> tuple[np.ndarray, tuple[Expression, ...]]:
    """The exact vector scaled to whole numbers where it can be, and its unit float vector."""
    import numpy as np
    import sympy

    denominators = []
    for entry in vector:
        for part in sympy.Add.make_args(sympy.expand(entry)):
            coefficient, _ = part.as_coeff_Mul()
            if coefficient.is_Rational:
                denominators.append(int(coefficient.q))
    scale = sympy.Integer(math.lcm(*denominators)) if denominators else sympy.Integer(1)
    scaled = [sympy.expand(entry * scale) for entry in vector]
    # Now every coefficient is whole: divide out what they share, (3 + 3√5, 6) -> (1 + √5, 2).
    whole = [
        int(part.as_coeff_Mul()[0])
        for entry in scaled
        for part in sympy.Add.make_args(entry)
        if part != 0 and part.as_coeff_Mul()[0].is_Integer
    ]
    divisor = math.gcd(*whole) if whole else 1
    if divisor > 1:
        scaled = [sympy.expand(entry / divisor) for entry in scaled]
    numeric = np.array([complex(sympy.N(entry, 30)) for entry in scaled])
    if not np.iscomplex(numeric).any():
        # The sign rule on the exact vector too, so both say the same.
        unit = sign_rule(numeric.real / np.linalg.norm(numeric.real))
        if np.dot(unit, numeric.real) < 0:
            scaled = [-entry for entry in scaled]
        return unit.astype(complex), tuple(writer.surd(entry) for entry in scaled)
    return numeric / np.linalg.norm(numeric), tuple(writer.surd(entry) for entry in scaled)


def _numeric_null_vector(a: np.ndarray, value: complex) -> np.ndarray:
    """The unit vector A − λI maps closest to zero: the last right singular vector."""
    import numpy as np

    shifted = a.astype(complex) - value * np.eye(a.shape[0])
    _, _, vh = np.linalg.svd(shifted)
    vector = vh[-1].conj()
    if abs(value.imag) == 0:
        vector = vector.real.astype(complex) if np.abs(vector.imag).max() < 1e-9 else vector
    return sign_rule(vector / np.linalg.norm(vector))


def _pair(
    a: np.ndarray,
    value: complex,
    exact: Expression | None,
    vector: np.ndarray,
    written: tuple[Expression, ...] | None,
) -> EigenPair:
    import numpy as np

    image = a @ vector
    residual = float(np.linalg.norm(image - value * vector))
    return EigenPair(
        value=value,
        exact_value=exact,
        vector=tuple(complex(x) for x in vector),
        exact_vector=written,
        image=tuple(complex(x) for x in image),
        residual=residual,
    )


# --- numeric: larger matrices -------------------------------------------------------------


def _numeric(a: np.ndarray, symmetric: bool) -> tuple[list[complex], list[EigenPair], list[str]]:
    import numpy as np

    warnings: list[str] = []
    if symmetric:
        raw_values, raw_vectors = np.linalg.eigh(a)
        values = [complex(v) for v in raw_values]
        vectors = raw_vectors.astype(complex)
    else:
        raw_values, raw_vectors = np.linalg.eig(a)
        values = [complex(v) for v in raw_values]
        vectors = raw_vectors.astype(complex)
        condition = np.linalg.cond(raw_vectors)
        if not math.isfinite(condition) or condition > NEARLY_DEFECTIVE:
            warnings.append(
                "the eigenvectors are nearly parallel (their matrix has condition number "
                f"{condition:.3g}): A is probably defective (a repeated eigenvalue without "
                "enough eigenvectors), and these eigenvalues may be accurate only to "
                "about the square root of the machine precision"
            )
    if not all(math.isfinite(v.real) and math.isfinite(v.imag) for v in values):
        raise InputError("the eigenvalues overflow float64: scale the matrix down")
    order = sorted(range(len(values)), key=lambda i: _order_key(values[i]))
    pairs = []
    for i in order:
        vector = sign_rule(vectors[:, i] / np.linalg.norm(vectors[:, i]))
        pairs.append(_pair(a, values[i], None, vector, None))
    return [values[i] for i in order], pairs, warnings


def _spectral(a: np.ndarray, pairs: list[EigenPair]) -> Spectral | None:
    """Q and Λ of A = QΛQᵀ, with how far the product and QᵀQ are from A and I."""
    import numpy as np

    if len(pairs) != a.shape[0]:
        return None  # cannot happen for a symmetric matrix, but never divide wrong
    q = np.array([[x.real for x in pair.vector] for pair in pairs]).T
    values = np.array([pair.value.real for pair in pairs])
    reconstruction = q @ np.diag(values) @ q.T
    return Spectral(
        q=tuple(tuple(map(float, row)) for row in q),
        values=tuple(map(float, values)),
        reconstruction_error=float(np.abs(reconstruction - a).max()),
        orthogonality_error=float(np.abs(q.T @ q - np.eye(len(values))).max()),
    )


# --- power iteration -----------------------------------------------------------------


def power_iteration(  # noqa: C901 - the textbook loop with its stopping cases
    a: np.ndarray,
    steps: int,
    start: np.ndarray | None,
    values: list[complex],
    pairs: list[EigenPair],
) -> PowerIteration:
    """x_{k+1} = A·x_k / ‖A·x_k‖ from `start` (default: all ones, normalised)."""
    import numpy as np

    n = a.shape[0]
    if not 1 <= steps <= MAX_POWER_STEPS:
        raise InputError(f"--power must be between 1 and {MAX_POWER_STEPS}, got {steps}")
    if start is None:
        x = np.ones(n)
    else:
        x = np.asarray(start, dtype=float).reshape(-1)
        if x.size != n:
            raise InputError(f"--start has {x.size} numbers, but the matrix is {n}×{n}")
        if not np.any(x):
            raise InputError("--start is the zero vector, which has no direction")
    x = x / np.linalg.norm(x)
    start_vector = tuple(map(float, x))
    rows = [PowerRow(0, start_vector, float(x @ a @ x), math.nan)]
    warnings: list[str] = []

    magnitudes = sorted((abs(v) for v in values), reverse=True)
    dominant_values = [v for v in values if abs(v) >= magnitudes[0] * (1 - 1e-9)]
    unique = len(_distinct(dominant_values)) == 1 and dominant_values[0].imag == 0
    dominant = dominant_values[0] if unique else None
    dominant_vector = None
    ratio = None
    if unique:
        rest = [
            m
            for v, m in zip(values, (abs(v) for v in values), strict=True)
            if abs(v - dominant_values[0]) > 1e-9 * max(1.0, magnitudes[0])
        ]
        if len(pairs) == n and magnitudes[0] > 0:
            ratio = max(rest) / magnitudes[0] if rest else 0.0
        component = _start_component(pairs, x, dominant_values[0])
        if component is not None and component < 1e-8:
            warnings.append(
                "the start has (almost) no component along the dominant eigenvector, so in "
                "exact arithmetic the iteration would never find it; choose another --start"
            )

    status = "max_steps"
    for step in range(1, steps + 1):
        y = a @ x
        length = float(np.linalg.norm(y))
        if length == 0 or not math.isfinite(length):
            status = "null"
            break
        new = y / length
        change = float(min(np.linalg.norm(new - x), np.linalg.norm(new + x)))
        x = new
        rows.append(PowerRow(step, tuple(map(float, x)), float(x @ a @ x), change))
        if change < POWER_TOLERANCE:
            status = "converged"
            break
    if not unique and status != "null":
        status = "no_dominant"
    angle = None
    if unique:
        # The dominant eigenspace may have several dimensions (the identity's is all of
        # space): compare x with its projection onto that space.
        space = np.array(
            [
                [v.real for v in p.vector]
                for p in pairs
                if abs(p.value - dominant_values[0]) <= 1e-9 * max(1.0, magnitudes[0])
            ]
        ).T
        coefficients, *_ = np.linalg.lstsq(space, x, rcond=None)
        projection = space @ coefficients
        if np.any(projection):
            dominant_vector = sign_rule(projection / np.linalg.norm(projection))
            cosine = abs(float(dominant_vector @ x))
            angle = math.degrees(math.acos(min(1.0, cosine)))
    return PowerIteration(
        start=start_vector,
        requested=steps,
        rows=tuple(rows),
        status=status,
        dominant=dominant,
        dominant_vector=tuple(map(float, dominant_vector)) if dominant_vector is not None else None,
        ratio=ratio,
        angle_degrees=angle,
        warnings=tuple(warnings),
    )


def _start_component(pairs: list[EigenPair], x: np.ndarray, dominant: complex) -> float | None:
    """|c₁| of x = Σ cᵢvᵢ in the eigenvector basis, relative to ‖c‖ (None: no basis)."""
    import numpy as np

    if len(pairs) != len(x):
        return None  # defective: the eigenvectors are no basis
    basis = np.array([pair.vector for pair in pairs]).T
    if np.linalg.cond(basis) > NEARLY_DEFECTIVE:
        return None
    coefficients = np.linalg.solve(basis, x.astype(complex))
    index = next(
        i for i, p in enumerate(pairs) if abs(p.value - dominant) <= 1e-9 * max(1.0, abs(dominant))
    )
    return float(abs(coefficients[index]) / np.linalg.norm(coefficients))
