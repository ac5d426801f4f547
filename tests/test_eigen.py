"""mathml eigen: the core against SymPy (exact) and NumPy/SciPy (numeric)."""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction

import numpy as np
import pytest
import scipy.linalg
import sympy
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from sympy.parsing.sympy_parser import parse_expr, rationalize, standard_transformations

from mathml_cli.core.eigen import EXACT_SIZE, eigen
from mathml_cli.errors import InputError

LAMBDA = sympy.Symbol("L")
_SUPERSCRIPT_DIGITS = {"²": "2", "³": "3", "⁴": "4"}


def oracle_matrix(rows) -> sympy.Matrix:
    """The exact matrix an input denotes, built here independently of mathml."""
    return sympy.Matrix(
        [[sympy.Rational(str(Fraction(repr(float(x))))) for x in row] for row in rows]
    )


def read_back(text: str) -> sympy.Expr:
    """Our own text output (λ², 2i√3, (5 + √33)/2, 0.5·(1 - λ)) read as a SymPy expression."""
    t = text.replace("λ", "L").replace("·", "*")
    for superscript, digit in _SUPERSCRIPT_DIGITS.items():
        t = t.replace(superscript, f"**{digit}")
    t = re.sub(r"√(\d+)", r"sqrt(\1)", t)
    t = re.sub(r"i(?=sqrt)", "I*", t)
    t = re.sub(r"(?<![A-Za-z])i(?![A-Za-z])", "I", t)
    t = re.sub(r"(?<=[0-9)LI])\s*(?=[L(sI])", "*", t)
    # Decimals in our text are exact: read them as the fractions they write.
    return parse_expr(
        t, local_dict={"L": LAMBDA}, transformations=(*standard_transformations, rationalize)
    )


def characteristic_oracle(rows) -> sympy.Expr:
    a = oracle_matrix(rows)
    return sympy.expand((a - LAMBDA * sympy.eye(a.shape[0])).det())


def small_matrices(decimals: bool = False, symmetric: bool = False):
    element = (
        st.integers(-40, 40).map(lambda k: k / 10) if decimals else st.integers(-6, 6).map(float)
    )

    @st.composite
    def build(draw):
        n = draw(st.integers(1, EXACT_SIZE))
        rows = [[draw(element) for _ in range(n)] for _ in range(n)]
        if symmetric:
            rows = [[rows[min(i, j)][max(i, j)] for j in range(n)] for i in range(n)]
        return np.array(rows)

    return build()


def check_exact(a: np.ndarray) -> None:
    """Every claim of an exact result, each against an independent oracle."""
    result = eigen(a)
    n = a.shape[0]
    characteristic = result.characteristic
    assert characteristic is not None and result.method == "exact"
    polynomial = characteristic_oracle(a.tolist())

    # The polynomial: its coefficients, its text, its factored form, each step of the working.
    expected = sympy.Poly(polynomial, LAMBDA).all_coeffs()
    assert characteristic.coefficients == tuple(float(c) for c in expected)
    assert sympy.expand(read_back(characteristic.polynomial.text) - polynomial) == 0
    assert sympy.expand(read_back(characteristic.factored.text) - polynomial) == 0
    minors = {}
    # The minors first, so the expansion that names them can be checked with them.
    ordered = sorted(characteristic.steps, key=lambda step: not step.description.startswith("M₁"))
    for step in ordered:
        text = step.expression.text
        if step.description.startswith("M₁"):
            name = step.description[:3]
            written, value = text.split(" = ")
            j = int(name[2].translate(str.maketrans("₁₂₃", "123"))) - 1
            block = oracle_matrix(a.tolist()) - LAMBDA * sympy.eye(3)
            block.row_del(0)
            block.col_del(j)
            assert sympy.expand(read_back(written) - block.det()) == 0, step
            assert sympy.expand(read_back(value) - block.det()) == 0, step
            minors[name] = f"({value})"
            continue
        for name, value in minors.items():
            text = text.replace(name, value)
        assert sympy.expand(read_back(text) - polynomial) == 0, step

    # Eigenvalues with multiplicity: SymPy's roots and NumPy's eigvals.
    sympy_values = sorted(
        (
            complex(sympy.N(value, 30))
            for value, count in sympy.roots(polynomial, LAMBDA).items()
            for _ in range(count)
        ),
        key=lambda v: (round(v.real, 9), round(v.imag, 9)),
    )
    if len(sympy_values) == n:  # sympy.roots gives up on some cubics; NumPy still checks
        ours = sorted(result.eigenvalues, key=lambda v: (round(v.real, 9), round(v.imag, 9)))
        np.testing.assert_allclose(ours, sympy_values, atol=1e-9)
    numpy_values = np.linalg.eigvals(a)
    scale = max(1.0, np.abs(a).max())
    for value in result.eigenvalues:
        # A repeated root is ill-conditioned for NumPy (an error ~ √eps), not for SymPy.
        assert np.min(np.abs(numpy_values - value)) < 1e-6 * scale
    assert len(result.eigenvalues) == n

    # Each exact root and eigenvector, checked exactly: (A − λI)v = 0.
    a_exact = oracle_matrix(a.tolist())
    for pair in result.pairs:
        assert pair.residual <= 1e-9 * scale
        vector = np.array(pair.vector)
        assert np.linalg.norm(vector) == pytest.approx(1.0)
        np.testing.assert_allclose(a @ vector, pair.value * vector, atol=1e-9 * scale)
        if pair.exact_value is not None:
            assert complex(sympy.N(read_back(pair.exact_value.text))) == pytest.approx(pair.value)
            assert sympy.expand(polynomial.subs(LAMBDA, read_back(pair.exact_value.text))) == 0
        if pair.exact_vector is not None:
            assert pair.exact_value is not None
            value = read_back(pair.exact_value.text)
            v = sympy.Matrix([read_back(entry.text) for entry in pair.exact_vector])
            assert any(sympy.expand(x) != 0 for x in v)
            assert (a_exact * v - value * v).applyfunc(sympy.expand) == sympy.zeros(n, 1)
            numeric = np.array([complex(sympy.N(x)) for x in v])
            # The unit vector is the exact one, normalised (same direction, same sign).
            np.testing.assert_allclose(numeric / np.linalg.norm(numeric), vector, atol=1e-9)

    # Geometric multiplicities: SymPy's eigenvects; defects named where it has too few.
    expected_defects = {
        complex(sympy.N(value)): (count, len(basis))
        for value, count, basis in a_exact.eigenvects()
        if len(basis) < count
    }
    found = {complex(d.value): (d.algebraic, d.geometric) for d in result.defects}
    assert set(found.values()) == set(expected_defects.values())
    diagonalizable_pairs = sum(len(b) for _, _, b in a_exact.eigenvects())
    if len(result.pairs) != diagonalizable_pairs:
        # An irreducible cubic's roots: SymPy may not list them; one vector per root.
        assert len(result.pairs) == n

    # The trace and determinant checks.
    assert result.trace == pytest.approx(float(a_exact.trace()))
    assert result.determinant == float(a_exact.det())
    assert result.eigenvalue_sum == pytest.approx(result.trace, abs=1e-9 * scale)
    assert result.eigenvalue_product == pytest.approx(result.determinant, abs=1e-8 * scale**n)

    # Complex pairs as rotations: the angle of a + bi, b > 0. Which eigenvalues are
    # complex is SymPy's exact answer: NumPy gives a defective matrix's double root
    # (3 for [[1, 1], [-4, 5]]) as 3 ± 1.5e-8i.
    exact_values = [complex(sympy.N(value, 30)) for value in a_exact.eigenvals()]
    complex_values = [value for value in exact_values if value.imag > 1e-9]
    assert len(result.rotations) == len({round(v.real, 9) for v in complex_values})
    for rotation in result.rotations:
        assert rotation.angle_degrees == pytest.approx(
            math.degrees(math.atan2(rotation.imag, rotation.real))
        )
        assert rotation.modulus == pytest.approx(math.hypot(rotation.real, rotation.imag))


@settings(max_examples=40, deadline=None)
@given(small_matrices())
@example(np.array([[1.0, 1.0], [-4.0, 5.0]]))  # a double root NumPy splits into 3 ± 1.5e-8i
def test_exact_integer_matrices_against_sympy_and_numpy(a):
    check_exact(a)


@settings(max_examples=20, deadline=None)
@given(small_matrices(decimals=True))
def test_exact_decimal_matrices_against_sympy_and_numpy(a):
    check_exact(a)


@settings(max_examples=25, deadline=None)
@given(small_matrices(symmetric=True))
def test_symmetric_matrices_against_eigh(a):
    check_exact(a)
    result = eigen(a)
    assert result.symmetric and result.spectral is not None
    values, vectors = np.linalg.eigh(a)
    np.testing.assert_allclose(sorted(v.real for v in result.eigenvalues), values, atol=1e-9)
    assert all(v.imag == 0 for v in result.eigenvalues)
    q = np.array(result.spectral.q)
    np.testing.assert_allclose(q.T @ q, np.eye(len(a)), atol=1e-12)
    np.testing.assert_allclose(q @ np.diag(result.spectral.values) @ q.T, a, atol=1e-9)
    assert result.spectral.reconstruction_error < 1e-9
    # With distinct eigenvalues each eigenvector is unique up to sign: NumPy's, flipped.
    if len(a) > 1 and np.min(np.diff(values)) > 1e-3:
        for pair in result.pairs:
            index = int(np.argmin(np.abs(values - pair.value.real)))
            expected = vectors[:, index]
            ours = np.array(pair.vector).real
            assert min(np.abs(ours - expected).max(), np.abs(ours + expected).max()) < 1e-8


def test_worked_examples():
    result = eigen(np.array([[2.0, 1.0], [1.0, 2.0]]))
    assert [s.expression.text for s in result.characteristic.steps] == [
        "(2 - λ)·(2 - λ) - 1·1",
        "(λ² - 4λ + 4) - 1",
        "λ² - 4λ + 3",
    ]
    assert result.characteristic.factored.text == "(λ - 3)(λ - 1)"
    assert [p.exact_vector[0].text + "," + p.exact_vector[1].text for p in result.pairs] == [
        "1,1",
        "1,-1",
    ]
    surds = eigen(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert [r.exact.text for r in surds.characteristic.roots] == ["(5 + √33)/2", "(5 - √33)/2"]
    decimals = eigen(np.array([[0.5, 0.25], [0.25, 0.5]]))
    assert decimals.characteristic.polynomial.text == "λ² - λ + 0.1875"
    assert [r.exact.text for r in decimals.characteristic.roots] == ["0.75", "0.25"]


def test_rotation_and_shear():
    turn = eigen(np.array([[0.0, -1.0], [1.0, 0.0]]))
    assert [r.exact.text for r in turn.characteristic.roots] == ["i", "-i"]
    (rotation,) = turn.rotations
    assert rotation.angle_degrees == pytest.approx(90) and rotation.modulus == pytest.approx(1)
    theta = math.radians(30)
    scaled = 2 * np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    (rotation,) = eigen(scaled).rotations
    assert rotation.angle_degrees == pytest.approx(30) and rotation.modulus == pytest.approx(2)
    shear = eigen(np.array([[2.0, 1.0], [0.0, 2.0]]))
    (defect,) = shear.defects
    assert (defect.value, defect.algebraic, defect.geometric) == (2, 2, 1)
    assert len(shear.pairs) == 1


@pytest.mark.parametrize("n", [4, 5, 7])
@pytest.mark.parametrize("symmetric", [False, True])
def test_numeric_beyond_exact_size(n, symmetric):
    rng = np.random.default_rng(n)
    a = rng.normal(size=(n, n))
    if symmetric:
        a = a + a.T
    result = eigen(a)
    assert result.characteristic is None
    assert result.method == ("numpy.linalg.eigh" if symmetric else "numpy.linalg.eig")
    expected = scipy.linalg.eigvals(a)
    for value in expected:
        assert np.min(np.abs(np.array(result.eigenvalues) - value)) < 1e-9
    for pair in result.pairs:
        v = np.array(pair.vector)
        assert np.linalg.norm(a @ v - pair.value * v) == pytest.approx(pair.residual, abs=1e-14)
        assert pair.residual < 1e-12
    assert result.eigenvalue_sum.real == pytest.approx(np.trace(a))
    assert result.eigenvalue_product.real == pytest.approx(np.linalg.det(a))
    if symmetric:
        assert result.spectral is not None and result.spectral.reconstruction_error < 1e-12


def test_numeric_defective_warning():
    a = np.eye(5) + np.diag(np.ones(4), 1)  # one Jordan block
    result = eigen(a)
    assert any("nearly parallel" in warning for warning in result.warnings)


def _power_oracle(a, x, steps):
    xs = [x / np.linalg.norm(x)]
    for _ in range(steps):
        y = a @ xs[-1]
        xs.append(y / np.linalg.norm(y))
    return xs


@settings(max_examples=20, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda n: st.lists(st.integers(-5, 5), min_size=n * n, max_size=n * n).map(
            lambda xs: np.array(xs, dtype=float).reshape(n, n)
        )
    ),
    st.integers(1, 60),
)
def test_power_iteration_against_the_recurrence_and_numpy(a, steps):
    a = a + a.T  # real eigenvalues
    values = np.linalg.eigvalsh(a)
    magnitudes = np.sort(np.abs(values))
    assume(magnitudes[-1] > 0)
    result = eigen(a, power_steps=steps).power
    assert result is not None
    expected = _power_oracle(a, np.ones(len(a)), len(result.rows) - 1)
    for row, x in zip(result.rows, expected, strict=True):
        np.testing.assert_allclose(row.vector, x, atol=1e-9)
        assert row.estimate == pytest.approx(float(x @ a @ x), abs=1e-9 * magnitudes[-1])
    dominant = values[np.argmax(np.abs(values))]
    tie = magnitudes[-1] - magnitudes[-2] < 1e-9 * magnitudes[-1] and np.sum(
        np.isclose(values, -dominant)
    )
    if tie:
        assert result.status == "no_dominant" and result.dominant is None
    else:
        assert result.dominant == pytest.approx(dominant)
        others = np.abs(values[~np.isclose(values, dominant, rtol=1e-9, atol=0)])
        expected_ratio = others.max() / abs(dominant) if len(others) else 0.0
        assert result.ratio == pytest.approx(expected_ratio, abs=1e-9)
    if result.status == "converged" and not result.warnings:
        assert result.rows[-1].estimate == pytest.approx(dominant, rel=1e-6)


def test_power_iteration_start_and_warnings():
    a = np.diag([3.0, 1.0])
    blind = eigen(a, power_steps=5, start=np.array([0.0, 1.0])).power
    assert blind.start == (0.0, 1.0)
    assert any("no component along the dominant eigenvector" in w for w in blind.warnings)
    seeing = eigen(a, power_steps=50, start=np.array([1.0, 1.0])).power
    assert seeing.status == "converged" and seeing.angle_degrees == pytest.approx(0, abs=1e-6)
    assert seeing.ratio == pytest.approx(1 / 3)
    swap = eigen(np.array([[0.0, 1.0], [1.0, 0.0]]), power_steps=5).power
    assert swap.status == "no_dominant"


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([1.0, 2.0], "eigenvalues need a square matrix, got a vector of length 2"),
        ([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "the matrix is 2×3, not square"),
    ],
)
def test_errors(matrix, message):
    with pytest.raises(InputError, match=message):
        eigen(np.array(matrix))


def test_power_errors():
    with pytest.raises(InputError, match="--power must be between 1 and 1000"):
        eigen(np.eye(2), power_steps=0)
    with pytest.raises(InputError, match="--start has 3 numbers, but the matrix is 2×2"):
        eigen(np.eye(2), power_steps=3, start=np.ones(3))
    with pytest.raises(InputError, match="--start is the zero vector"):
        eigen(np.eye(2), power_steps=3, start=np.zeros(2))


# --- CLI ---------------------------------------------------------------------------

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def help_examples(run, command: str) -> list[list[str]]:
    """The example command lines of `mathml COMMAND --help`."""
    import shlex

    text = run(command, "--help").stdout
    examples = [line.strip() for line in text.splitlines() if line.strip().startswith("mathml ")]
    assert examples, f"{command} --help shows no examples"
    return [shlex.split(line)[1:] for line in examples]


def test_help_examples_run(run, monkeypatch):
    monkeypatch.chdir(ROOT)
    for args in help_examples(run, "eigen"):
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert result.stdout.strip()


def test_text_output(run):
    result = run("eigen", "[[2,1],[1,2]]", "--power", "5", "--start", "1,0")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "= (2 - λ)·(2 - λ) - 1·1" in out
    assert "= λ² - 4λ + 3" in out
    assert "λ² - 4λ + 3 = (λ - 3)(λ - 1) = 0" in out
    assert "λ₁ = 3: v = (1, 1), v/‖v‖ = (0.707107, 0.707107)" in out
    assert "tr(A) = 4, Σλ = 3 + 1 = 4  ✓" in out
    assert "Symmetric: A = QΛQᵀ" in out
    # Power iteration from (1, 0): x_1 = A·x_0/‖A·x_0‖ = (2, 1)/√5.
    x1 = np.array([2.0, 1.0]) / math.sqrt(5)
    assert f"({x1[0]:.6g}, {x1[1]:.6g})" in out
    assert "Start: x_0 = (1, 0)" in out


def test_json_against_numpy(run):
    a = np.array([[1.0, 2.0, 0.5], [0.0, 3.0, 1.0], [2.0, -1.0, 1.0]])
    result = run("eigen", "1,2,0.5;0,3,1;2,-1,1", "-f", "json", "--power", "50")
    assert result.exit_code == 0, result.stderr
    data = __import__("json").loads(result.stdout)
    for key in (
        "matrix",
        "size",
        "symmetric",
        "method",
        "eigenvalues",
        "pairs",
        "trace",
        "determinant",
        "characteristic",
        "defects",
        "rotations",
        "spectral",
        "power",
    ):
        assert key in data  # fmt: skip
    values = [complex(v["real"], v["imag"]) for v in data["eigenvalues"]]
    for value in np.linalg.eigvals(a):
        assert min(abs(value - v) for v in values) < 1e-9
    for pair in data["pairs"]:
        v = np.array(pair["vector"]) + 1j * np.array(pair["vector_imag"])
        value = complex(pair["value"]["real"], pair["value"]["imag"])
        assert np.linalg.norm(a @ v - value * v) < 1e-9
    assert data["determinant"] == pytest.approx(np.linalg.det(a))
    expected = sympy.Poly(characteristic_oracle(a.tolist()), LAMBDA).all_coeffs()
    assert data["characteristic"]["coefficients"] == [float(c) for c in expected]
    assert data["power"]["steps"][0]["vector"] == pytest.approx(list(np.ones(3) / math.sqrt(3)))


@settings(max_examples=15, deadline=None)
@given(small_matrices(), st.sampled_from(["text", "json", "latex", "markdown", "html"]))
def test_every_format(a, output_format):
    from typer.testing import CliRunner

    from mathml_cli.cli import app

    text = ";".join(",".join(repr(float(x)) for x in row) for row in a)
    result = CliRunner().invoke(app, ["eigen", text, "-f", output_format, "--power", "3"])
    assert result.exit_code == 0, result.stderr
    if output_format == "json":
        data = __import__("json").loads(result.stdout)
        values = [complex(v["real"], v["imag"]) for v in data["eigenvalues"]]
        for value in np.linalg.eigvals(a):
            assert min(abs(value - v) for v in values) < 1e-6 * max(1.0, np.abs(a).max())
    else:
        assert "λ" in result.stdout or r"\lambda" in result.stdout


LATEX_MATRICES = [
    "[[1,2],[3,4]]",
    "[[0,-1],[1,0]]",
    "[[2,1],[0,2]]",
    "[[4,1,2],[1,3,0],[2,0,5]]",
    "[[0,0,1],[1,0,0],[0,1,0]]",
    "[[0.5,0.1,0],[0.1,0.3,0],[0,0,1]]",
    "[[0,-5,-2,-2],[4,-2,0,-3],[2,1,3,3],[1,2,2,3]]",
]


@pytest.mark.parametrize("matrix", LATEX_MATRICES)
def test_latex_compiles(run, pdflatex, matrix):
    result = run("eigen", matrix, "--power", "30", "-f", "latex")
    assert result.exit_code == 0
    pdflatex(result.stdout)


def test_plot(run):
    result = run("eigen", "[[3,1],[0,2]]", "--plot")
    assert result.exit_code == 0
    assert "A stretches the unit circle along its eigenvectors" in result.stdout
    assert "v₁ (λ = 3)" in result.stdout and "v₂ (λ = 2)" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["[[1,2],[3]]"], "Error: the matrix has ragged rows: row 2 has 1 number, row 1 has 2"),
        (["1,2;3,x"], "Error: 'x' is not a number (the matrix, row 2, position 2)"),
        (["[[1,2,3],[4,5,6]]"], "Error: the matrix is 2×3, not square"),
        (["1,2,3"], "Error: eigenvalues need a square matrix, got a vector of length 3"),
        (["[[1,2],[3,4]]", "--power", "0"], "Error: --power must be between 1 and 1000"),
        (["[[1,2],[3,4]]", "--start", "1,0"], "Error: --start only applies with --power"),
        (["[[1,0,0],[0,1,0],[0,0,1]]", "--plot"], "Error: --plot draws a 2×2 matrix"),
        (["[[1,2],[3,4]]", "--plot", "-f", "json"], "Error: --plot draws in the terminal"),
        (["@nowhere.csv"], "Error: file not found: 'nowhere.csv'"),
    ],
)
def test_bad_input_is_one_line_exit_2(run, args, message):
    result = run("eigen", *args)
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_file_and_stdin(run, tmp_path):
    (tmp_path / "a.csv").write_text("2,1\n1,2\n")
    from_file = run("eigen", f"@{tmp_path / 'a.csv'}", "-f", "json")
    from_stdin = run("eigen", "-", "-f", "json", input="2,1\n1,2\n")
    assert from_file.stdout == from_stdin.stdout
    values = [v["real"] for v in __import__("json").loads(from_file.stdout)["eigenvalues"]]
    assert values == [3.0, 1.0]


@pytest.mark.parametrize(
    "matrix",
    [[[1e90, 1], [2, 3]], [[1e-200, 0], [0, 1e-200]], [[1e-10, 0], [0, 2e-10]], [[5e7, 1], [1, 0]]],
)
def test_entries_far_from_1_are_solved_numerically_and_agree_with_numpy(matrix):
    # Exactly, 1e90 and 3 gave λ = -5.8e135 (cancellation), 1e-200 printed as 200 digits.
    from typer.testing import CliRunner

    from mathml_cli.cli import app

    for output in ("text", "latex", "markdown", "html"):
        shown = CliRunner().invoke(app, ["eigen", json.dumps(matrix), "-f", output])
        assert shown.exit_code == 0, shown.stderr
        assert "✗" not in shown.stdout and "0000000000" not in shown.stdout
    data = json.loads(CliRunner().invoke(app, ["eigen", json.dumps(matrix), "-f", "json"]).stdout)
    ours = sorted(complex(e["real"], e["imag"]).real for e in data["eigenvalues"])
    theirs = sorted(np.linalg.eigvals(np.array(matrix)).real)
    assert np.allclose(ours, theirs, rtol=1e-9, atol=0)
    assert data["method"].startswith("numpy")


def test_an_entry_too_large_for_the_products_is_named_by_row_and_column():
    from typer.testing import CliRunner

    from mathml_cli.cli import app

    result = CliRunner().invoke(app, ["eigen", "[[1,0],[0,-1e160]]"])
    assert result.exit_code == 2
    assert "the entry -1e+160 at row 2, column 2 is too large" in result.stderr


def test_a_determinant_beyond_float64_is_not_compared_and_not_flagged(tmp_path):
    from typer.testing import CliRunner

    from mathml_cli.cli import app

    a = np.random.default_rng(1).uniform(-1, 1, (60, 60)) * 1e90
    path = tmp_path / "big.csv"
    np.savetxt(path, a, delimiter=",")
    for output in ("text", "latex", "markdown", "html", "json"):
        shown = CliRunner().invoke(app, ["eigen", f"@{path}", "-f", output])
        assert shown.exit_code == 0, shown.stderr
    text = CliRunner().invoke(app, ["eigen", f"@{path}"]).stdout
    assert "not compared" in text and "✗" not in text
