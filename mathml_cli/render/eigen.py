"""`mathml eigen` as a View (every format but JSON) and as JSON data."""

from __future__ import annotations

import cmath
import math
from typing import Any

from mathml_cli.core.eigen import (
    EXACT_RANGE,
    EXACT_SIZE,
    Eigen,
    EigenPair,
    Expression,
    PowerIteration,
)
from mathml_cli.render import view as v
from mathml_cli.render.common import step_heading

MAX_SHOWN = 8  # rows and columns of a matrix shown before it is cut with "…"
MAX_VECTOR = 6  # entries of a vector written in a table cell before it is cut
POWER_HEAD, POWER_TAIL = 10, 5  # power iteration rows shown around a gap
CIRCLE_POINTS = 181


_FROM_SUBSCRIPT = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def _subscript(index: int) -> str:
    return str(index).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _clean(value: float, scale: float) -> float:
    """Rounding residue (below 1e-12 of the vector's size) written as 0."""
    return 0.0 if abs(value) <= 1e-12 * scale else value


def _complex(value: complex, scale: float = 1.0, digits: int = 6) -> v.Math:
    real, imag = _clean(value.real, scale), _clean(value.imag, scale)
    if imag == 0:
        return v.Math(v.number(real, digits), v.number_latex(real, digits))
    sign = "-" if imag < 0 else "+"
    magnitude = abs(imag)
    imag_text = "" if magnitude == 1 else v.number(magnitude, digits)
    imag_latex = "" if magnitude == 1 else v.number_latex(magnitude, digits)
    if real == 0:
        lead = "-" if imag < 0 else ""
        return v.Math(f"{lead}{imag_text}i", f"{lead}{imag_latex}i")
    return v.Math(
        f"{v.number(real, digits)} {sign} {imag_text}i",
        f"{v.number_latex(real, digits)} {sign} {imag_latex}i",
    )


def _vector(values: tuple[complex, ...], limit: int | None = None) -> v.Math:
    """(a, b, c) with rounding residue as 0, cut to `limit` entries."""
    scale = max((abs(value) for value in values), default=1.0) or 1.0
    shown = list(values)
    cut = limit is not None and len(shown) > limit
    if cut:
        assert limit is not None
        shown = shown[: limit - 1]
    parts = [_complex(value, scale) for value in shown]
    text = ", ".join(p.text for p in parts) + (", …" if cut else "")
    latex = ", ".join(p.latex for p in parts) + (r", \dots" if cut else "")
    return v.Math(f"({text})", rf"\left({latex}\right)")


def _expression(expression: Expression, role: Any = None) -> v.Math:
    return v.Math(expression.text, expression.latex, role)


def _lambda(index: int) -> v.Math:
    return v.Math(f"λ{_subscript(index)}", rf"\lambda_{{{index}}}")


def _value(pair_value: complex, exact: Expression | None) -> v.Math:
    """The eigenvalue exactly when known, with its decimal value."""
    decimal = _complex(pair_value)
    if exact is None:
        return v.Math(f"≈ {decimal.text}", rf"\approx {decimal.latex}")
    if exact.text == decimal.text:
        return v.Math(f"= {exact.text}", f"= {exact.latex}")
    return v.Math(f"= {exact.text} ≈ {decimal.text}", rf"= {exact.latex} \approx {decimal.latex}")


def _matrix(name: v.Math | None, rows: Any, role: Any = None) -> v.Matrix:
    """A matrix of numbers (or of Math), cut to its first and last rows and columns."""
    count_rows, count_columns = len(rows), len(rows[0])

    def shown(count: int) -> list[int | None]:
        if count <= MAX_SHOWN:
            return list(range(count))
        return [*range(MAX_SHOWN - 2), None, count - 2, count - 1]

    def cell(value: Any) -> Any:
        if isinstance(value, Expression):
            return v.Math(value.text, value.latex)
        if isinstance(value, complex):
            return _complex(value) if value.imag else float(value.real)
        return float(value)

    cells = tuple(
        tuple("⋮" if c is not None else "⋱" for c in shown(count_columns))
        if r is None
        else tuple("…" if c is None else cell(rows[r][c]) for c in shown(count_columns))
        for r in shown(count_rows)
    )
    return v.Matrix(cells, name, role)


# --- the view -----------------------------------------------------------------


def view(result: Eigen, *, plot: bool = False) -> v.View:
    """The polynomial, its roots, the eigenvectors and the checks (or NumPy's answer)."""
    n = result.size
    kind = "symmetric " if result.symmetric else ""
    blocks: list[v.Block] = [
        v.Paragraph((v.Span(f"Eigenvalues and eigenvectors of a {kind}{n}×{n} matrix"),)),
        _matrix(v.Math("A", "A"), result.matrix),
        v.Paragraph(
            (
                v.Math("Av = λv", r"A v = \lambda v", "formula"),
                v.Span(
                    ": an eigenvector v keeps its direction under A, and λ says how much A "
                    "stretches it (a negative λ flips it)",
                    "muted",
                ),
            )
        ),
    ]
    if result.characteristic is not None:
        blocks += _exact_sections(result)
    else:
        blocks += _numeric_sections(result)
    blocks += _checks(result)
    if result.spectral is not None:
        blocks.append(_spectral(result))
    if result.rotations:
        blocks.append(_rotations(result))
    if result.defects:
        blocks.append(_defects(result))
    for warning in result.warnings:
        blocks.append(v.Note((warning,), "warning"))
    if result.power is not None:
        blocks.append(_power(result.power))
    if plot:
        blocks.append(plot_view(result))
    return v.View("mathml eigen", tuple(blocks), "mathml eigen")


def _exact_sections(result: Eigen) -> list[v.Block]:
    characteristic = result.characteristic
    assert characteristic is not None
    n = result.size
    expansion: list[v.Block] = [
        step_heading(
            1,
            "The characteristic polynomial: ",
            v.Math("det(A - λI)", r"\det(A - \lambda I)"),
        ),
        v.Note(
            (
                v.Math("Av = λv", r"A v = \lambda v"),
                " means ",
                v.Math("(A - λI)v = 0", r"(A - \lambda I) v = 0"),
                " for a ",
                v.Math("v ≠ 0", r"v \neq 0"),
                ", which needs A - λI to be singular: ",
                v.Math("det(A - λI) = 0", r"\det(A - \lambda I) = 0"),
                ". Subtract λ on the diagonal:",
            ),
            indent=1,
        ),
        _matrix(v.Math("A - λI", r"A - \lambda I"), characteristic.shifted),
    ]
    for step in characteristic.steps:
        expression = step.expression
        if step.description.startswith("M₁"):
            # A minor: named on its own line, what it is said once in the expansion above.
            name = step.description[:3]
            column = step.description[2].translate(_FROM_SUBSCRIPT)
            minor: v.Line = (
                v.Math(f"{name} = {expression.text}", f"M_{{1{column}}} = {expression.latex}"),
            )
            expansion.append(v.Paragraph(minor, indent=2))
            continue
        expansion.append(
            v.Paragraph(
                (
                    v.Math(f"= {expression.text}", f"= {expression.latex}"),
                    v.Span(f"   {step.description}", "muted"),
                ),
                indent=1,
            )
        )
    polynomial = characteristic.polynomial
    if n == 2:
        expansion.append(
            v.Note(
                (
                    "For any 2×2: det(A - λI) = λ² - tr(A)·λ + det(A), here tr(A) = ",
                    v.Math(v.number(result.trace), v.number_latex(result.trace)),
                    " and det(A) = ",
                    v.Math(v.number(result.determinant), v.number_latex(result.determinant)),
                    ".",
                ),
                "check",
                indent=1,
            )
        )
    factors = {root.factor.text for root in characteristic.roots}
    if len(factors) > 1 or any(root.multiplicity > 1 for root in characteristic.roots):
        equation = v.Math(
            f"{polynomial.text} = {characteristic.factored.text} = 0",
            f"{polynomial.latex} = {characteristic.factored.latex} = 0",
        )
    else:  # one irreducible factor: factoring shows nothing new
        equation = v.Math(f"{polynomial.text} = 0", f"{polynomial.latex} = 0")
    roots: list[v.Block] = [step_heading(2, "The eigenvalues are its roots: ", equation)]
    index = 1
    irreducible_cubic = False
    for root in characteristic.roots:
        symbol = _lambda(index)
        value = _value(root.value, root.exact)
        line: list[Any] = [v.Math(f"{symbol.text} {value.text}", f"{symbol.latex} {value.latex}")]
        if root.multiplicity > 1:
            line.append(v.Span(f"   (a root {root.multiplicity} times)", "muted"))
        if root.exact is None:
            irreducible_cubic = True
        roots.append(v.Paragraph(tuple(line), indent=1))
        index += root.multiplicity
    quadratics = {r.factor.text for r in characteristic.roots if r.factor.text.count("λ") == 2}
    for factor in sorted(quadratics):
        roots.append(
            v.Note(
                (
                    f"from {factor} = 0 by the quadratic formula ",
                    v.Math(
                        "λ = (-b ± √(b² - 4c))/2", r"\lambda = \frac{-b \pm \sqrt{b^2 - 4c}}{2}"
                    ),
                    " (a negative b² - 4c gives a complex pair)"
                    if any(r.value.imag for r in characteristic.roots)
                    else "",
                ),
                indent=1,
            )
        )
    if irreducible_cubic:
        roots.append(
            v.Note(
                (
                    "this cubic has no rational root, and Cardano's exact formula for its roots "
                    "is unreadable, so they are found numerically (to 30 digits, shown to 6)",
                ),
                indent=1,
            )
        )
    vectors: list[v.Block] = [
        step_heading(
            3,
            "Each eigenvector spans the null space of A - λI: ",
            v.Math("(A - λI)v = 0", r"(A - \lambda I) v = 0"),
        ),
        v.Note(
            (
                "each v is shown with whole numbers where it can be, then scaled to length 1 "
                "(any multiple of an eigenvector is one; the sign makes the largest entry "
                "positive); the check multiplies A by it",
            ),
            indent=1,
        ),
    ]
    if any(pair.exact_vector is None for pair in result.pairs):
        vectors.append(
            v.Note(
                (
                    "for a λ known only numerically, v is the unit vector A - λI shrinks most "
                    "(its last right singular vector)",
                ),
                indent=1,
            )
        )
    for index, pair in enumerate(result.pairs, start=1):
        vectors += _pair_lines(index, pair)
    return [v.Section(None, tuple(part)) for part in (expansion, roots, vectors)]


def _pair_lines(index: int, pair: EigenPair) -> list[v.Block]:
    name = _lambda(index)
    value = _complex(pair.value)
    head: list[Any] = [
        v.Math(f"{name.text} = {value.text}: ", rf"{name.latex} = {value.latex}:\ "),
    ]
    if pair.exact_vector is not None:
        exact = v.Math(
            "(" + ", ".join(e.text for e in pair.exact_vector) + ")",
            r"\left(" + ", ".join(e.latex for e in pair.exact_vector) + r"\right)",
        )
        unit = _vector(pair.vector)
        head.append(v.Math(f"v = {exact.text}", f"v = {exact.latex}"))
        head.append(", ")
        head.append(
            v.Math(f"v/‖v‖ = {unit.text}", rf"v / \lVert v \rVert = {unit.latex}", "result")
        )
    else:
        unit = _vector(pair.vector)
        head.append(v.Math(f"v = {unit.text}", f"v = {unit.latex}", "result"))
    image = _vector(pair.image)
    check = v.Math(f"Av = {image.text} = λv", rf"A v = {image.latex} = \lambda v")
    residual = v.Math(
        f"‖Av - λv‖ = {v.number(pair.residual, 3)}",
        rf"\lVert A v - \lambda v \rVert = {v.number_latex(pair.residual, 3)}",
    )
    return [
        v.Paragraph(tuple(head), indent=1),
        v.Paragraph((v.Span("check ", "muted"), check, ", ", residual), indent=2),
    ]


def _numeric_sections(result: Eigen) -> list[v.Block]:
    n = result.size
    how = "eigh (for symmetric matrices)" if result.symmetric else "eig"
    rows = [
        (_lambda(index), _complex(pair.value), abs(pair.value), pair.residual)
        for index, pair in enumerate(result.pairs, start=1)
    ]
    table = v.Table(
        (
            v.Column("", align="left", format="text"),
            v.Column("λ", role="result"),
            v.Column("|λ|"),
            v.Column(
                v.Math("‖Av - λv‖", r"\lVert A v - \lambda v \rVert"), format="scientific", digits=2
            ),
        ),
        v.thin(rows, 12, 4, "eigenpairs"),
    )
    columns = tuple(tuple(pair.vector[i] for pair in result.pairs) for i in range(result.size))
    vectors = _matrix(v.Math("V", "V"), columns)
    return [
        v.Section(
            None,
            (
                v.Note(
                    (
                        _why_numeric(n),
                        f"NumPy's {how} (LAPACK's QR algorithm: repeated similarity transforms "
                        "that keep the eigenvalues) finds them instead; the residual says how "
                        "nearly each pair satisfies Av = λv.",
                    ),
                ),
                table,
                *(
                    ()
                    if result.symmetric  # Q below shows them
                    else (
                        v.Paragraph(
                            (v.Span("The eigenvectors", "rule"), " (unit length, a column per λ):")
                        ),
                        vectors,
                    )
                ),
            ),
        )
    ]


def _why_numeric(n: int) -> str:
    if n <= EXACT_SIZE:  # small, but with entries too large or small to write exactly
        return (
            f"Exact steps are shown for entries from {EXACT_RANGE[0]:g} to {EXACT_RANGE[1]:g} in "
            "size (or 0); past that their numbers run to hundreds of digits and the smaller "
            "eigenvalues are lost to cancellation. "
        )
    return (
        f"A {n}×{n} matrix: no symbolic steps past {EXACT_SIZE}×{EXACT_SIZE}. "
        f"det(A - λI) is a polynomial of degree {n}, with {math.factorial(n):,} "
        "terms in its expansion and (past degree 4) no formula for its roots. "
    )


def _checked(identity: v.Math, holds: bool) -> v.Paragraph:
    """An identity the eigenvalues must satisfy, marked ✓ or ✗."""
    return v.Paragraph((identity, v.Span("  ✓" if holds else "  ✗", "good" if holds else "bad")), 1)


def _checks(result: Eigen) -> list[v.Block]:
    largest = max(abs(value) for value in result.eigenvalues)
    scale = max(1.0, largest)
    trace_ok = abs(result.eigenvalue_sum - result.trace) <= 1e-9 * scale * result.size
    try:  # the size of the products the determinant sums
        magnitude = scale**result.size
    except OverflowError:  # beyond float64: compare the two relatively instead
        product_size = math.hypot(result.eigenvalue_product.real, result.eigenvalue_product.imag)
        magnitude = max(abs(result.determinant), product_size)  # hypot: inf, not an error
    # Rounding residue is below 1e-12, or below 1e-12 of the eigenvalues when they are
    # all small (1e-200 is not residue next to 1e-200, but 3 is not residue next to 1e90).
    residue = min(1.0, largest)
    values = [_complex(value, residue) for value in result.eigenvalues]
    total = _complex(result.eigenvalue_sum, residue)
    product = _complex(result.eigenvalue_product, residue**result.size)
    comparable = math.isfinite(result.determinant) and cmath.isfinite(result.eigenvalue_product)
    difference = result.eigenvalue_product - result.determinant
    det_ok = comparable and math.hypot(difference.real, difference.imag) <= (
        1e-9 * magnitude * result.size
    )
    shown = values if len(values) <= MAX_SHOWN else values[: MAX_SHOWN - 1]
    more = "" if len(values) <= MAX_SHOWN else " + …"
    more_product = "" if len(values) <= MAX_SHOWN else "·…"
    bracketed = [
        f"({part.text})" if " " in part.text or part.text.startswith("-") else part.text
        for part in shown
    ]
    sum_text = " + ".join(bracketed)
    product_text = "·".join(bracketed)
    return [
        v.Section(
            None,
            (
                v.Paragraph(
                    (
                        v.Span("Checks", "rule"),
                        v.Span(
                            ": the trace is the sum of the eigenvalues, the determinant their "
                            "product",
                            "muted",
                        ),
                    )
                ),
                _checked(
                    v.Math(
                        f"tr(A) = {v.number(result.trace)}, Σλ = {sum_text}{more} = {total.text}",
                        rf"\operatorname{{tr}}(A) = {v.number_latex(result.trace)},\ "
                        rf"\sum \lambda = {total.latex}",
                    ),
                    trace_ok,
                ),
                _checked(
                    v.Math(
                        f"det(A) = {v.number(result.determinant)}, Πλ = {product_text}"
                        f"{more_product} = {product.text}",
                        rf"\det(A) = {v.number_latex(result.determinant)},\ "
                        rf"\prod \lambda = {product.latex}",
                    ),
                    det_ok,
                )
                if comparable
                else v.Paragraph(
                    (
                        "det(A) and Πλ are beyond float64 (about 1.8e308), so they are not "
                        "compared; the trace and the residuals above still check the eigenvalues",
                    ),
                    1,
                ),
            ),
        )
    ]


def _spectral(result: Eigen) -> v.Section:
    spectral = result.spectral
    assert spectral is not None
    n = result.size
    diagonal = tuple(
        tuple(spectral.values[i] if i == j else 0.0 for j in range(n)) for i in range(n)
    )
    return v.Section(
        None,
        (
            v.Paragraph(
                (v.Span("Symmetric: ", "rule"), v.Math("A = QΛQᵀ", r"A = Q \Lambda Q^{\top}"))
            ),
            v.Note(
                (
                    "Why the eigenvalues are real: for Av = λv, ",
                    v.Math("v̄ᵀAv = λ‖v‖²", r"\bar v^{\top} A v = \lambda \lVert v \rVert^2"),
                    ", and for a real symmetric A the left side equals its own complex conjugate, "
                    "so λ is real. Why the eigenvectors are orthogonal: for ",
                    v.Math("λ ≠ μ", r"\lambda \neq \mu"),
                    ", ",
                    v.Math(
                        "λ·uᵀv = (Au)ᵀv = uᵀ(Av) = μ·uᵀv",
                        r"\lambda u^{\top} v = (A u)^{\top} v = u^{\top} (A v) = \mu u^{\top} v",
                    ),
                    ", so ",
                    v.Math("uᵀv = 0", r"u^{\top} v = 0"),
                    " (a repeated λ's eigenvectors can be chosen orthogonal). So Q, the unit "
                    "eigenvectors as columns, has ",
                    v.Math("QᵀQ = I", r"Q^{\top} Q = I"),
                    ", and ",
                    v.Math("A = QΛQᵀ", r"A = Q \Lambda Q^{\top}"),
                    ": rotate into the eigenvector axes, stretch each by its λ, rotate back.",
                ),
                indent=1,
            ),
            _matrix(v.Math("Q", "Q"), spectral.q),
            _matrix(v.Math("Λ", r"\Lambda"), diagonal),
            v.Note(
                (
                    v.Math(
                        f"max |A - QΛQᵀ| = {v.number(spectral.reconstruction_error, 3)}, "
                        f"max |QᵀQ - I| = {v.number(spectral.orthogonality_error, 3)}",
                        rf"\max \lvert A - Q \Lambda Q^{{\top}} \rvert = "
                        rf"{v.number_latex(spectral.reconstruction_error, 3)},\ "
                        rf"\max \lvert Q^{{\top}} Q - I \rvert = "
                        rf"{v.number_latex(spectral.orthogonality_error, 3)}",
                    ),
                    " (rounding only)",
                ),
                "check",
                indent=1,
            ),
        ),
    )


def _rotations(result: Eigen) -> v.Section:
    blocks: list[v.Block] = [v.Paragraph((v.Span("Complex eigenvalues: a rotation", "rule"),))]
    for rotation in result.rotations:
        pair = _complex(complex(rotation.real, rotation.imag))
        where = (
            "A has no real eigenvector (every direction is turned). In a suitable basis"
            if result.size == 2
            else "In the plane spanned by the real and imaginary parts of its eigenvector,"
        )
        blocks.append(
            v.Paragraph(
                (
                    v.Math(
                        f"λ = {pair.text} and its conjugate = r·(cos θ ± i·sin θ) with "
                        f"r = |λ| = {v.number(rotation.modulus)}, "
                        f"θ = {v.number(rotation.angle_degrees)}°",
                        rf"\lambda = {pair.latex} = r(\cos\theta \pm i \sin\theta),\ "
                        rf"r = {v.number_latex(rotation.modulus)},\ "
                        rf"\theta = {v.number_latex(rotation.angle_degrees)}^\circ",
                        "result",
                    ),
                ),
                indent=1,
            )
        )
        blocks.append(
            v.Note(
                (
                    f"{where} A acts as a rotation by "
                    f"{v.number(rotation.angle_degrees)} degrees combined with a scaling by "
                    f"{v.number(rotation.modulus)}"
                    + (" (a pure rotation)" if abs(rotation.modulus - 1) < 1e-12 else ""),
                ),
                indent=1,
            )
        )
    return v.Section(None, tuple(blocks))


def _defects(result: Eigen) -> v.Section:
    blocks: list[v.Block] = [v.Paragraph((v.Span("Defective: too few eigenvectors", "rule"),))]
    for defect in result.defects:
        value = _complex(defect.value)
        blocks.append(
            v.Note(
                (
                    v.Math(f"λ = {value.text}", rf"\lambda = {value.latex}"),
                    f" is a root {defect.algebraic} times (algebraic multiplicity), but A - λI "
                    f"has only {defect.geometric} independent null vector"
                    f"{'s' if defect.geometric != 1 else ''} (geometric multiplicity): A is "
                    "defective, not diagonalizable; no basis of eigenvectors exists (like a "
                    "shear, which slides every vector along one direction)",
                ),
                "warning",
                indent=1,
            )
        )
    return v.Section(None, tuple(blocks))


def _power(power: PowerIteration) -> v.Section:
    rows = [
        (
            row.step,
            _vector(tuple(complex(x) for x in row.vector), MAX_VECTOR),
            row.estimate,
            None if math.isnan(row.change) else row.change,
        )
        for row in power.rows
    ]
    table = v.Table(
        (
            v.Column("k", format="integer"),
            v.Column(v.Math("x_k", "x_k"), align="left"),
            v.Column(v.Math("x_kᵀAx_k", r"x_k^{\top} A x_k"), role="result", digits=10),
            v.Column(
                v.Math("‖x_k - x_{k-1}‖", r"\lVert x_k - x_{k-1} \rVert"),
                format="scientific",
                digits=2,
            ),
        ),
        v.thin(rows, POWER_HEAD, POWER_TAIL, "steps"),
    )
    start = _vector(tuple(complex(x) for x in power.start))
    blocks: list[v.Block] = [
        v.Paragraph(
            (
                v.Span("Power iteration: ", "rule"),
                v.Math("x_{k+1} = A·x_k / ‖A·x_k‖", r"x_{k+1} = \frac{A x_k}{\lVert A x_k \rVert}"),
            )
        ),
        v.Note(
            (
                "Multiplying by A again and again stretches x most along the eigenvector of "
                "the largest ",
                v.Math("|λ|", r"\lvert \lambda \rvert"),
                ", so x turns towards it; ",
                v.Math("x_kᵀAx_k", r"x_k^{\top} A x_k"),
                " (the Rayleigh quotient) estimates that λ. This is how eigenvalues are found "
                "in practice for huge matrices, and PageRank's idea (the web's link matrix, its "
                "dominant eigenvector the ranking). Start: ",
                v.Math(f"x_0 = {start.text}", f"x_0 = {start.latex}"),
            ),
            indent=1,
        ),
        table,
    ]
    for warning in power.warnings:
        blocks.append(v.Note((warning,), "warning", indent=1))
    last = power.rows[-1]
    if power.status == "null":
        blocks.append(
            v.Note(
                ("A·x is 0: x lies in A's null space, and the iteration cannot go on",),
                "warning",
                indent=1,
            )
        )
    elif power.status == "no_dominant":
        blocks.append(
            v.Note(
                (
                    "no single dominant eigenvalue: several eigenvalues share the largest ",
                    v.Math("|λ|", r"\lvert \lambda \rvert"),
                    " (opposite signs, or a complex pair), so x need not settle and the estimate "
                    "need not converge",
                ),
                "warning",
                indent=1,
            )
        )
    else:
        assert power.dominant is not None
        done = (
            f"converged after {last.step} step{'s' if last.step != 1 else ''} "
            "(x moved less than 1e-12)"
            if power.status == "converged"
            else f"after {last.step} steps"
        )
        angle = (
            ""
            if power.angle_degrees is None
            else f"; x is {v.number(power.angle_degrees, 3)} degrees from the dominant eigenvector"
        )
        rate: tuple[Any, ...] = ()
        if power.ratio is not None and 0 < power.ratio < 1:
            rate = (
                "; the error shrinks by about ",
                v.Math(
                    f"|λ₂/λ₁| = {v.number(power.ratio, 4)}",
                    rf"\lvert \lambda_2 / \lambda_1 \rvert = {v.number_latex(power.ratio, 4)}",
                ),
                " per step",
            )
        elif power.ratio is None:
            rate = ("; A is defective, so convergence is slow (like 1/k, not geometric)",)
        dominant = _complex(power.dominant, digits=10)
        blocks.append(
            v.Note(
                (
                    f"{done}: estimate {v.number(last.estimate, 10)}, dominant ",
                    v.Math(f"λ = {dominant.text}", rf"\lambda = {dominant.latex}"),
                    angle,
                    *rate,
                ),
                "check",
                indent=1,
            )
        )
    return v.Section(None, tuple(blocks))


def plot_view(result: Eigen) -> v.Plot:
    """The unit circle, its image under A (an ellipse), and the real eigenvector directions."""
    from mathml_cli.errors import InputError

    if result.size != 2:
        raise InputError(
            f"--plot draws a 2×2 matrix acting on the plane; this matrix is "
            f"{result.size}×{result.size}"
        )
    angles = [2 * math.pi * i / (CIRCLE_POINTS - 1) for i in range(CIRCLE_POINTS)]
    circle_x = tuple(math.cos(t) for t in angles)
    circle_y = tuple(math.sin(t) for t in angles)
    (a, b), (c, d) = result.matrix
    image_x = tuple(a * x + b * y for x, y in zip(circle_x, circle_y, strict=True))
    image_y = tuple(c * x + d * y for x, y in zip(circle_x, circle_y, strict=True))
    series = [
        v.Series("unit circle", circle_x, circle_y),
        v.Series("its image under A", image_x, image_y),
    ]
    for index, pair in enumerate(result.pairs, start=1):
        if pair.value.imag:
            continue
        vx, vy = pair.vector[0].real, pair.vector[1].real
        reach = max(1.0, abs(pair.value.real))  # from -λv to λv: where A sends ±v
        series.append(
            v.Series(
                f"v{_subscript(index)} (λ = {v.number(pair.value.real)})",
                (-reach * vx, reach * vx),
                (-reach * vy, reach * vy),
            )
        )
    return v.Plot("A stretches the unit circle along its eigenvectors", tuple(series), xlabel="x")


# --- JSON -----------------------------------------------------------------------


def _number(value: complex) -> dict[str, float]:
    return {"real": value.real, "imag": value.imag}


def data(result: Eigen) -> dict[str, Any]:
    characteristic = result.characteristic
    out: dict[str, Any] = {
        "matrix": [list(row) for row in result.matrix],
        "size": result.size,
        "symmetric": result.symmetric,
        "method": result.method,
        "eigenvalues": [_number(value) for value in result.eigenvalues],
        "pairs": [
            {
                "value": _number(pair.value),
                "exact_value": pair.exact_value.text if pair.exact_value else None,
                "vector": [x.real for x in pair.vector],
                "vector_imag": [x.imag for x in pair.vector],
                "exact_vector": [e.text for e in pair.exact_vector] if pair.exact_vector else None,
                "residual": pair.residual,
            }
            for pair in result.pairs
        ],
        "trace": result.trace,
        "determinant": result.determinant,
        "eigenvalue_sum": result.eigenvalue_sum.real,
        "eigenvalue_product": result.eigenvalue_product.real,
        "characteristic": None,
        "defects": [
            {
                "value": _number(d.value),
                "exact": d.exact.text if d.exact else None,
                "algebraic_multiplicity": d.algebraic,
                "geometric_multiplicity": d.geometric,
            }
            for d in result.defects
        ],
        "rotations": [
            {
                "real": r.real,
                "imag": r.imag,
                "modulus": r.modulus,
                "angle_degrees": r.angle_degrees,
            }
            for r in result.rotations
        ],
        "spectral": None,
        "power": None,
        "warnings": list(result.warnings),
    }
    if characteristic is not None:
        out["characteristic"] = {
            "polynomial": characteristic.polynomial.text,
            "polynomial_latex": characteristic.polynomial.latex,
            "coefficients": list(characteristic.coefficients),
            "factored": characteristic.factored.text,
            "factored_latex": characteristic.factored.latex,
            "steps": [
                {
                    "description": s.description,
                    "expression": s.expression.text,
                    "latex": s.expression.latex,
                }
                for s in characteristic.steps
            ],
            "roots": [
                {
                    **_number(root.value),
                    "exact": root.exact.text if root.exact else None,
                    "exact_latex": root.exact.latex if root.exact else None,
                    "multiplicity": root.multiplicity,
                    "factor": root.factor.text,
                }
                for root in characteristic.roots
            ],
        }
    if result.spectral is not None:
        out["spectral"] = {
            "q": [list(row) for row in result.spectral.q],
            "values": list(result.spectral.values),
            "reconstruction_error": result.spectral.reconstruction_error,
            "orthogonality_error": result.spectral.orthogonality_error,
        }
    if result.power is not None:
        power = result.power
        out["power"] = {
            "start": list(power.start),
            "steps": [
                {
                    "step": row.step,
                    "vector": list(row.vector),
                    "estimate": row.estimate,
                    "change": None if math.isnan(row.change) else row.change,
                }
                for row in power.rows
            ],
            "status": power.status,
            "dominant": power.dominant.real if power.dominant is not None else None,
            "dominant_vector": list(power.dominant_vector) if power.dominant_vector else None,
            "ratio": power.ratio,
            "angle_degrees": power.angle_degrees,
            "warnings": list(power.warnings),
        }
    return out
