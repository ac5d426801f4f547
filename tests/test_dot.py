"""mathml dot: values against NumPy and SciPy, the CLI, and its error messages."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.spatial.distance import cosine as cosine_distance
from scipy.special import expit
from scipy.special import softmax as scipy_softmax

from mathml_cli.core.linalg import dot
from mathml_cli.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)


def _array(shape):
    return arrays(np.float64, shape, elements=finite)


@st.composite
def aligned_pairs(draw):
    """Two arrays whose shapes align for A·B: vectors or matrices, any mix."""
    m, n, p = (draw(st.integers(1, 6)) for _ in range(3))
    a_shape = draw(st.sampled_from([(n,), (m, n)]))
    b_shape = draw(st.sampled_from([(n,), (n, p)]))
    return draw(_array(a_shape)), draw(_array(b_shape))


# --- core against NumPy and SciPy ---------------------------------------------


@settings(max_examples=80, deadline=None)
@given(aligned_pairs())
def test_product_matches_numpy(pair):
    a, b = pair
    result = dot(a, b)
    expected = np.matmul(a, b)
    np.testing.assert_array_equal(result.result, expected)
    assert result.result.shape == expected.shape
    for cell in result.steps:
        # Each written-out cell: its factors come from A and B, its sum is NumPy's.
        products = [left * right for left, right in cell.pairs]
        assert len(products) == a.shape[-1]
        assert math.isclose(math.fsum(products), cell.value, rel_tol=1e-9, abs_tol=1e-6)
        assert cell.value == expected[cell.index]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 8).flatmap(lambda n: st.tuples(_array((n,)), _array((n,)))))
def test_geometry_matches_scipy(pair):
    a, b = pair
    geometry = dot(a, b).geometry
    assert geometry is not None
    assert geometry.norm_a == pytest.approx(np.linalg.norm(a))
    if not a.any() or not b.any():
        assert geometry.cosine is None
        return
    # Cosine is scale-free; scaling to max |x| = 1 keeps SciPy clear of underflow.
    expected = 1 - cosine_distance(a / np.abs(a).max(), b / np.abs(b).max())
    assert geometry.cosine == pytest.approx(expected, abs=1e-9)
    assert geometry.angle_degrees == pytest.approx(
        math.degrees(math.acos(max(-1, min(1, expected)))), abs=1e-4
    )


def test_seed_example():
    result = dot(np.array([5.9, 160, 32]), np.array([0.3, 0.01, 0.05]))
    assert float(result.result) == pytest.approx(4.97)
    assert result.steps[0].pairs == ((5.9, 0.3), (160.0, 0.01), (32.0, 0.05))


@pytest.mark.parametrize(
    ("activation", "oracle"),
    [
        ("relu", lambda z: np.maximum(z, 0)),
        ("sigmoid", expit),
        ("tanh", np.tanh),
        ("softmax", lambda z: scipy_softmax(z, axis=-1)),
    ],
)
@pytest.mark.parametrize("b_shape", [(3,), (3, 2)])
def test_dense_layer_matches_numpy(activation, oracle, b_shape):
    rng = np.random.default_rng(1)
    weights = rng.normal(size=(4, 3)) * 300  # large enough that naive exp would overflow
    inputs = rng.normal(size=b_shape)
    bias = rng.normal(size=(2,)) if len(b_shape) == 2 else rng.normal(size=(4,))
    result = dot(weights, inputs, bias, activation)
    pre_activation = weights @ inputs + bias
    np.testing.assert_allclose(result.pre_activation, pre_activation)
    np.testing.assert_allclose(result.result, oracle(pre_activation), rtol=1e-12, atol=1e-300)
    assert np.all(np.isfinite(result.result))


def test_bias_broadcasts_like_numpy():
    a, b = np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(3, 2)
    column = np.array([[10.0], [20.0]])
    np.testing.assert_array_equal(dot(a, b, column).result, a @ b + column)
    np.testing.assert_array_equal(dot(a, b, np.array([5.0])).result, a @ b + 5)
    scalar = dot(np.array([1.0, 2.0]), np.array([3.0, 4.0]), np.array([0.5]))
    assert float(scalar.result) == 11.5


def test_large_product_is_sampled():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(40, 30)), rng.normal(size=(30, 20))
    result = dot(a, b, cell=(7, 3))
    assert not result.complete
    assert [cell.index for cell in result.steps] == [(0, 0), (39, 19)]
    assert result.cell is not None and result.cell.value == (a @ b)[7, 3]
    np.testing.assert_array_equal(result.result, a @ b)


@pytest.mark.parametrize(
    ("a", "b", "kwargs", "message"),
    [
        (
            [1, 2],
            [1, 2, 3],
            {},
            "shapes do not align: A (2) · B (3): a dot product needs vectors "
            "of equal length, and 2 ≠ 3",
        ),
        (
            [[1, 2, 3]],
            [[1], [2]],
            {},
            "shapes do not align: A (1×3) · B (2×1): the inner "
            "dimensions differ, 3 (columns of A) ≠ 2 (rows of B)",
        ),
        ([[1, 2]], [1, 2, 3], {}, "3 (length of B)"),
        ([1, 2], [[1, 2]], {}, "2 (length of A) ≠ 1 (rows of B)"),
        (
            [1, 2],
            [3, 4],
            {"bias": np.array([1.0, 2.0])},
            "the bias has 2 numbers, but A·B is a single number",
        ),
        (
            [[1, 2], [3, 4]],
            [1, 2],
            {"bias": np.array([1.0, 2.0, 3.0])},
            "the bias has length 3, but A·B has length 2",
        ),
        (
            [[1, 2], [3, 4]],
            [[1, 2, 3], [4, 5, 6]],
            {"bias": np.array([1.0, 2.0])},
            "so it needs 3 numbers (one per column); 2 is the number of rows",
        ),
        (
            [1, 2],
            [3, 4],
            {"activation": "sigmoi"},
            "unknown activation 'sigmoi'; choose one of "
            "relu, sigmoid, tanh, softmax (did you mean 'sigmoid'?)",
        ),
        ([1, 2], [3, 4], {"cell": (0,)}, "--cell needs a vector or matrix result"),
        ([[1, 2]], [[1], [2]], {"cell": (1, 0)}, "--cell row 1 is out of range"),
        ([[1, 2]], [[1], [2]], {"cell": (0,)}, "--cell needs i,j (row,column)"),
    ],
)
def test_core_errors(a, b, kwargs, message):
    with pytest.raises(InputError) as error:
        dot(np.array(a, dtype=float), np.array(b, dtype=float), **kwargs)
    assert message in str(error.value)


# --- CLI ----------------------------------------------------------------------


def _json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_vector_text(run):
    result = run("dot", "5.9,160,32", "0.3,0.01,0.05")
    assert result.exit_code == 0
    out = result.stdout
    assert "a·b = 5.9·0.3 + 160·0.01 + 32·0.05 = 1.77 + 1.6 + 1.6 = 4.97" in out
    a, b = np.array([5.9, 160, 32]), np.array([0.3, 0.01, 0.05])
    assert f"‖a‖ = √(Σ a_k²) = {np.linalg.norm(a):.6g}" in out
    cosine = 1 - cosine_distance(a, b)
    assert f"{cosine:.6g}  (cosine similarity)" in out
    assert f"{math.degrees(math.acos(cosine)):.6g}°" in out


def test_matrix_text_shape_rule_and_cells(run):
    result = run("dot", "[[1,2,3],[4,5,6]]", "[[1,0],[0,1],[-1,2]]")
    assert result.exit_code == 0
    out = result.stdout
    assert "Shape rule: (2×3) · (3×2) → (2×2)" in out
    assert "inner dimensions must match (3 = 3)" in out
    assert "C[0,0] = 1·1 + 2·0 + 3·(-1) = 1 + 0 + (-3) = -2" in out
    assert "C[1,1] = 4·0 + 5·1 + 6·2 = 0 + 5 + 12 = 17" in out


def test_dense_layer_text(run):
    result = run("dot", "[[1,-2],[3,4]]", "[5,6]", "--bias", "0.5,-1", "--activation", "relu")
    assert result.exit_code == 0
    out = result.stdout
    assert "Dense layer y = f(A·B + b)" in out
    assert "z = A·B + b =" in out
    assert "relu(z) = max(0, z)" in out
    expected = np.maximum(np.array([[1, -2], [3, 4]]) @ [5, 6] + [0.5, -1], 0)
    data = _json(run("dot", "[[1,-2],[3,4]]", "[5,6]", "-b", "0.5,-1", "-a", "relu", "-f", "json"))
    assert data["result"] == expected.tolist()
    assert data["pre_activation"] == (np.array([[1, -2], [3, 4]]) @ [5, 6] + [0.5, -1]).tolist()


def test_json_keys(run):
    data = _json(run("dot", "[[1,2],[3,4]]", "[[5,6],[7,8]]", "-f", "json"))
    for key in ("result", "shape", "a_shape", "b_shape", "steps"):
        assert key in data
    assert data["result"] == (np.array([[1, 2], [3, 4]]) @ np.array([[5, 6], [7, 8]])).tolist()
    assert data["shape"] == [2, 2] and data["a_shape"] == [2, 2] and data["b_shape"] == [2, 2]
    assert data["steps"][1] == {
        "cell": [0, 1],
        "terms": [[1, 6], [2, 8]],
        "products": [6, 16],
        "sum": 22,
    }


def test_negative_vectors_as_arguments(run):
    data = _json(run("dot", "-1,2", "-3.5e-1,-4", "-f", "json"))
    assert data["result"] == pytest.approx(np.dot([-1, 2], [-0.35, -4]))


def test_files_and_stdin(run, tmp_path):
    rng = np.random.default_rng(3)
    weights, inputs = rng.normal(size=(30, 20)), rng.normal(size=(20, 12))
    np.savetxt(tmp_path / "w.csv", weights, delimiter=",")
    text = "\n".join(",".join(repr(v) for v in row) for row in inputs.tolist())
    data = _json(run("dot", f"@{tmp_path / 'w.csv'}", "-", "-f", "json", input=text))
    np.testing.assert_allclose(data["result"], weights @ inputs, rtol=1e-12)
    assert "steps" not in data  # a large product: no steps in JSON, the full result is there


def test_large_output_is_truncated_with_a_marker(run, tmp_path):
    rng = np.random.default_rng(4)
    np.savetxt(tmp_path / "a.csv", rng.normal(size=(50, 40)), delimiter=",")
    np.savetxt(tmp_path / "b.csv", rng.normal(size=(40, 30)), delimiter=",")
    result = run("dot", f"@{tmp_path / 'a.csv'}", f"@{tmp_path / 'b.csv'}", "--cell", "3,4")
    assert result.exit_code == 0
    assert (
        "[showing 8 of 50 rows and 8 of 30 columns; --format json has every value]" in result.stdout
    )
    assert "showing 2 of 1,500 cells (the first and the last)" in result.stdout
    assert "Cell [3,4] (asked for):" in result.stdout
    assert "(40 products)" in result.stdout


@pytest.mark.parametrize("output_format", ["latex", "markdown"])
def test_other_formats(run, output_format):
    args = ["[[0.1,0.2],[0.3,0.4]]", "[1,1]", "-b", "0.5", "-a", "sigmoid"]
    result = run("dot", *args, "-f", output_format)
    assert result.exit_code == 0
    assert "C_{0}" in result.stdout and "0.1 \\cdot 1 + 0.2 \\cdot 1" in result.stdout
    assert f"{expit(0.8):.6g} & {expit(1.2):.6g}" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["[[1,2],[3]]", "1,2"], "Error: A has ragged rows: row 2 has 1 number, row 1 has 2"),
        (["1,2", "[[1,2],[3,4],[5]]"], "Error: B has ragged rows: row 3 has 1 number, row 1 has 2"),
        (["1,x", "1,2"], "Error: 'x' is not a number (A, position 2)"),
        (["1,2", "[1,nan]"], "Error: 'nan' is not a number: nan is not allowed (B, column 4)"),
        (
            ["[[1,2,3],[4,5,6]]", "[[1,2],[3,4]]"],
            "Error: shapes do not align: A (2×3) · B (2×2): "
            "the inner dimensions differ, 3 (columns of A) ≠ 2 (rows of B)",
        ),
        (["1,2", "1,2,3"], "Error: shapes do not align: A (2) · B (3)"),
        (
            ["[[1,2],[3,4]]", "1,2", "--bias", "1,2,3"],
            "Error: the bias has length 3, but A·B has length 2",
        ),
        (["1,2", "1,2", "--bias", "x"], "Error: 'x' is not a number (--bias, position 1)"),
        (["1,2", "1,2", "-a", "gelu"], "Error: unknown activation 'gelu'"),
        (["[[1,2]]", "[[1],[2]]", "--cell", "a,b"], "Error: --cell must be row,column"),
        (["-", "-"], "Error: only one of A and B can be read from stdin (-)"),
        (["@nowhere.csv", "1"], "Error: file not found: 'nowhere.csv'"),
        (["", "1"], "Error: A is empty"),
    ],
)
def test_bad_input_is_one_line_exit_2(run, args, message):
    result = run("dot", *args)
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_no_sympy_or_plotext():
    code = (
        "import sys\nfrom mathml_cli.cli import main\n"
        "sys.argv = ['mathml', 'dot', '[[1,2],[3,4]]', '-1,2', '-a', 'softmax', '-b', '1']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('sympy', 'plotext') if m in sys.modules], file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "C[1] = 3·(-1) + 4·2" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_overflow_is_an_error_that_says_where(run):
    result = run("dot", "[[1,2],[3,1e308]]", "[[1,0],[0,1e308]]")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: A·B overflows float64 at cell 0,1 (beyond about 1.8e308): scale the inputs down\n"
    )
    vector = run("dot", "[1e308,1e308]", "[1e308,1e308]")
    assert vector.exit_code == 2
    assert "A·B overflows float64 (beyond about 1.8e308)" in vector.stderr


def test_the_vector_of_a_dense_layer_is_not_named_like_its_bias(run):
    result = run("dot", "[[1,2],[3,4]]", "[5,6]", "--bias", "0.5,-1", "--activation", "relu")
    assert "C[i] = Σ_k A[i,k]·x[k]  (row i of A times the vector x = B)" in result.stdout
    assert "b[k]" not in result.stdout


def test_cell_out_of_range_says_indices(run):
    result = run("dot", "[[1,2],[3,4]]", "[5,6]", "--cell", "5")
    assert result.exit_code == 2
    assert "so indices run from 0 to 1" in result.stderr
    assert "indexs" not in result.stderr
