"""mathml pca: the core against NumPy's SVD and scikit-learn's PCA (where installed)."""

from __future__ import annotations

import io
import math
from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mathml_cli.core.pca import pca, scores, write_scores
from mathml_cli.core.table import CsvTable
from mathml_cli.errors import InputError

try:
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler
except ImportError:  # the tests that need it skip
    PCA = None


def csv_text(data: np.ndarray, names: list[str] | None = None) -> str:
    names = names or [f"c{j}" for j in range(data.shape[1])]
    rows = "\n".join(",".join(repr(v) for v in row) for row in data.tolist())
    return ",".join(names) + "\n" + rows + "\n"


def table(data: np.ndarray, names: list[str] | None = None) -> CsvTable:
    return CsvTable(io.BytesIO(csv_text(data, names).encode()), "test.csv", needs="PCA")


def oracle(data: np.ndarray, standardize: bool):
    """Components and variances from NumPy's SVD of the centred (scaled) data."""
    centred = data - data.mean(axis=0)
    if standardize:
        centred = centred / data.std(axis=0, ddof=1)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    variances = np.zeros(data.shape[1])
    variances[: len(singular)] = singular**2 / (len(data) - 1)
    return variances, vt


def separated(variances: np.ndarray) -> np.ndarray:
    """Components whose variance stands apart (so the direction is unique up to sign)."""
    gap = 1e-3 * max(variances[0], 1e-300)
    apart = np.ones(len(variances), dtype=bool)
    close = np.abs(np.diff(variances)) <= gap
    apart[:-1] &= ~close
    apart[1:] &= ~close
    return apart & (variances > gap)


def assert_same_up_to_sign(ours: np.ndarray, expected: np.ndarray, atol: float) -> None:
    assert min(np.abs(ours - expected).max(), np.abs(ours + expected).max()) < atol


data_sets = st.integers(2, 5).flatmap(
    lambda p: st.integers(max(2, p - 1), 40).flatmap(
        lambda n: arrays(
            np.float64,
            (n, p),
            elements=st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: round(v, 3)),
        )
    )
)


@settings(max_examples=60, deadline=None)
@given(data_sets, st.booleans())
def test_against_numpy_svd(data, standardize):
    std = data.std(axis=0, ddof=1)
    assume(std.min() > 1e-6 * max(1.0, np.abs(data).max()) or not standardize)
    assume(data.std(axis=0).max() > 0)
    result = pca(table(data), standardize=standardize, components=1)
    variances, vt = oracle(data, standardize)
    ours = np.array([c.variance for c in result.components])
    scale = max(variances[0], 1e-12)
    np.testing.assert_allclose(ours, variances, atol=1e-9 * scale)
    np.testing.assert_allclose(
        [c.ratio for c in result.components], variances / variances.sum(), atol=1e-10
    )
    np.testing.assert_allclose(
        [c.cumulative for c in result.components],
        np.cumsum(variances) / variances.sum(),
        atol=1e-10,
    )
    np.testing.assert_allclose(result.means, data.mean(axis=0), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(
        result.covariance, np.cov(data, rowvar=False).reshape(data.shape[1], -1), atol=1e-8 * scale
    )
    for i in np.flatnonzero(separated(variances)):
        if i < len(vt):
            assert_same_up_to_sign(np.array(result.components[i].loadings), vt[i], 1e-6)
    # The sign rule: each loading's largest entry is positive.
    for component in result.components:
        loadings = np.array(component.loadings)
        assert loadings[np.argmax(np.abs(loadings))] > 0 or np.isclose(
            np.abs(loadings).max(), np.sort(np.abs(loadings))[-2]
        )
    assert result.svd.max_variance_difference < 1e-9


@pytest.mark.skipif(PCA is None, reason="scikit-learn is not installed")
@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_against_scikit_learn(standardize, seed):
    rng = np.random.default_rng(seed)
    p = 3 + seed
    data = rng.normal(size=(300, p)) @ rng.normal(size=(p, p)) + rng.normal(size=p) * 1e6
    result = pca(table(data), standardize=standardize, components=p, keep_rows=True)
    inputs = StandardScaler().fit_transform(data) if standardize else data
    # "full": the SVD of the centred data. sklearn's default for tall data is the
    # covariance route in float64 without care for the offset, and it loses 6 digits
    # here (the columns are 1e6 give or take a few).
    reference = PCA(svd_solver="full").fit(inputs)
    np.testing.assert_allclose(
        [c.ratio for c in result.components], reference.explained_variance_ratio_, atol=1e-10
    )
    correction = len(data) / (len(data) - 1) if standardize else 1.0  # ddof 0 vs 1
    np.testing.assert_allclose(
        [c.variance * correction for c in result.components],
        reference.explained_variance_,
        rtol=1e-8,
    )
    for ours, theirs in zip(result.components, reference.components_, strict=True):
        assert_same_up_to_sign(np.array(ours.loadings), theirs, 1e-8)
    expected_scores = reference.transform(inputs)
    ratio = math.sqrt(len(data) / (len(data) - 1)) if standardize else 1.0
    computed = scores(result, result.rows)
    for j in range(p):
        assert_same_up_to_sign(computed[:, j] * ratio, expected_scores[:, j], 1e-6)


def test_streaming_keeps_digits_of_large_offsets():
    """Columns 1e8 give or take 1, across many blocks: the spread survives."""
    rng = np.random.default_rng(5)
    data = rng.normal(size=(200_000, 3)) @ np.array([[1, 0.5, 0], [0, 1, 0.2], [0, 0, 0.1]])
    data = np.round(data + 1e8, 6)
    result = pca(table(data))
    variances, vt = oracle(data, False)
    np.testing.assert_allclose([c.variance for c in result.components], variances, rtol=1e-7)
    for i in range(3):
        assert_same_up_to_sign(np.array(result.components[i].loadings), vt[i], 1e-6)
    assert result.n == 200_000
    assert result.svd.max_variance_difference < 1e-7


def test_first_rows_scores_and_svd_check():
    data = np.array([[2.5, 2.4], [0.5, 0.7], [2.2, 2.9], [1.9, 2.2], [3.1, 3.0], [2.3, 2.7]])
    result = pca(table(data), components=2, keep_rows=True)
    assert result.first_rows == tuple(map(tuple, data[:5]))
    _, vt = oracle(data, False)
    centred = data - data.mean(axis=0)
    np.testing.assert_allclose(np.abs(result.first_scores), np.abs(centred[:5] @ vt.T), atol=1e-12)
    np.testing.assert_allclose(scores(result, result.rows)[:5], result.first_scores, atol=1e-12)
    assert result.svd.max_loading_difference < 1e-10
    singular = np.linalg.svd(centred, compute_uv=False)
    np.testing.assert_allclose(result.svd.singular_values, singular, rtol=1e-10)


def test_write_scores(tmp_path):
    data = np.random.default_rng(6).normal(size=(50, 3))
    result = pca(table(data), components=2, keep_rows=True)
    target = tmp_path / "scores.csv"
    assert write_scores(result, str(target)) == 50
    lines = target.read_text().splitlines()
    assert lines[0] == "PC1,PC2"
    written = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    np.testing.assert_array_equal(written, scores(result, result.rows))
    assert list(tmp_path.iterdir()) == [target]


def test_write_scores_leaves_no_half_written_file(tmp_path):
    data = np.random.default_rng(7).normal(size=(200_000, 2))
    result = pca(table(data), components=1, keep_rows=True)
    target = tmp_path / "scores.csv"
    target.write_text("old\n")

    def failing_scores(result, rows):
        if failing_scores.calls:
            raise OSError(28, "No space left on device")
        failing_scores.calls += 1
        return scores(result, rows)

    failing_scores.calls = 0
    with mock.patch("mathml_cli.core.pca.scores", failing_scores):
        with pytest.raises(InputError, match="cannot write .*No space left on device"):
            write_scores(result, str(target))
    assert target.read_text() == "old\n"  # untouched, and no temporary file left behind
    assert list(tmp_path.iterdir()) == [target]
    with pytest.raises(InputError, match="cannot write"):
        write_scores(result, str(tmp_path / "missing" / "scores.csv"))


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("a,b\n1,2\n", {}, "test.csv has one data row: PCA needs at least 2 rows"),
        ("a,b\n", {}, "test.csv has no data rows"),
        (
            "a,b\n1,2\n1,3\n1,5\n",
            {"standardize": True},
            "column 'a' is constant (1 in every row): its standard deviation is 0, so it "
            "cannot be standardised",
        ),
        ("a,b\n1,2\n3,x\n", {}, "row 2 (line 3), column 'b': 'x' is not a number"),
        ("a,b\n1,2\n3,4\n", {"columns": ["a", "c"]}, "--columns: no column named 'c'"),
        ("a,b\n1,2\n3,4\n", {"components": 3}, "--components must be between 1 and 2"),
        ("a,b\n1,2\n1,2\n", {}, "every chosen column of test.csv is constant"),
    ],
)
def test_errors(text, kwargs, message):
    with pytest.raises(InputError) as error:
        pca(CsvTable(io.BytesIO(text.encode()), "test.csv", needs="PCA"), **kwargs)
    assert message in str(error.value)


def test_warnings_say_when_to_standardize():
    rng = np.random.default_rng(8)
    data = np.column_stack([rng.normal(size=100) * 1000, rng.normal(size=100)])
    (warning,) = pca(table(data, ["income", "age"])).warnings
    assert "use --standardize" in warning and "'income'" in warning
    assert pca(table(data, ["income", "age"]), standardize=True).warnings == ()


def test_no_header_names_columns_x1_to_xp():
    text = "1,2,3\n4,5,7\n7,8,8\n"
    result = pca(CsvTable(io.BytesIO(text.encode()), "test.csv", header=False, needs="PCA"))
    assert result.columns == ("x1", "x2", "x3")


# --- CLI ---------------------------------------------------------------------------

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
IRIS = ROOT / "docs" / "data" / "iris.csv"


def iris() -> np.ndarray:
    return np.loadtxt(IRIS, delimiter=",", skiprows=1)


def test_help_examples_run(run, monkeypatch):
    import shlex

    monkeypatch.chdir(ROOT)
    text = run("pca", "--help").stdout
    examples = [
        line.strip()
        for line in text.splitlines()
        if line.strip().startswith(("mathml pca ", "cat ")) and "mathml pca" in line
    ]
    assert len(examples) >= 3
    for line in examples:
        stdin = None
        if line.startswith("cat "):
            path, _, line = line[4:].partition(" | ")
            stdin = (ROOT / path).read_text()
        result = run(*shlex.split(line)[1:], input=stdin)
        assert result.exit_code == 0, (line, result.stderr)
        assert result.stdout.strip()


def test_text_output_against_numpy(run):
    result = run("pca", str(IRIS))
    assert result.exit_code == 0, result.stderr
    variances, vt = oracle(iris(), False)
    out = result.stdout
    for variance, ratio in zip(variances, variances / variances.sum(), strict=True):
        assert f"{variance:.6g}" in out and f"{ratio:.6g}" in out
    assert f"keep {100 * (variances[:2].sum() / variances.sum()):.4g}% of the variance" in out
    assert "both routes give the same components" in out


def test_json_and_scores(run, tmp_path):
    target = tmp_path / "scores.csv"
    result = run("pca", str(IRIS), "-k", "3", "--scores", str(target), "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = __import__("json").loads(result.stdout)
    for key in ("n", "columns", "means", "covariance", "components", "kept", "svd", "scores_file"):
        assert key in data
    variances, vt = oracle(iris(), False)
    np.testing.assert_allclose([c["variance"] for c in data["components"]], variances, rtol=1e-10)
    for component, expected in zip(data["components"], vt, strict=True):
        assert_same_up_to_sign(np.array(component["loadings"]), expected, 1e-10)
    written = np.loadtxt(target, delimiter=",", skiprows=1)
    centred = iris() - iris().mean(axis=0)
    for j in range(3):
        assert_same_up_to_sign(written[:, j], centred @ vt[j], 1e-10)
    assert data["scores_file"] == str(target)


@settings(max_examples=15, deadline=None)
@given(
    arrays(np.float64, (6, 3), elements=st.integers(-20, 20).map(float)),
    st.sampled_from(["text", "json", "latex", "markdown", "html"]),
    st.booleans(),
)
def test_every_format(data, output_format, standardize):
    from typer.testing import CliRunner

    from mathml_cli.cli import app

    assume(data.std(axis=0).min() > 0)
    args = ["pca", "-", "-f", output_format] + (["-s"] if standardize else [])
    result = CliRunner().invoke(app, args, input=csv_text(data))
    assert result.exit_code == 0, result.stderr
    if output_format == "json":
        variances, _ = oracle(data, standardize)
        got = [c["variance"] for c in __import__("json").loads(result.stdout)["components"]]
        np.testing.assert_allclose(got, variances, atol=1e-9 * variances[0])
    else:
        assert "PC1" in result.stdout


@pytest.mark.parametrize("args", [[str(IRIS)], [str(IRIS), "-s", "-k", "3"]])
def test_latex_compiles(run, pdflatex, args):
    result = run("pca", *args, "-f", "latex")
    assert result.exit_code == 0
    pdflatex(result.stdout)


def test_plot(run):
    result = run("pca", str(IRIS), "--plot")
    assert result.exit_code == 0
    assert "scree plot: share of the variance per component" in result.stdout
    assert "scores in the plane of PC1 and PC2" in result.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["-"], "a,b\n1,2\n", "Error: stdin has one data row: PCA needs at least 2 rows"),
        (["-"], "a\n1\n2\n", "Error: stdin has one column: PCA needs at least two columns"),
        (["-", "-s"], "a,b\n1,2\n1,3\n", "Error: column 'a' is constant (1 in every row)"),
        (["-"], "a,b\n1,2\n1,x\n", "Error: row 2 (line 3), column 'b': 'x' is not a number"),
        (["-"], "a,b\n1,2\n1\n", "Error: row 2 (line 3) has 1 field, but the table has 2 columns"),
        (["-", "-k", "3"], "a,b\n1,2\n2,3\n", "Error: --components must be between 1 and 2"),
        (["-", "-c", "a,z"], "a,b\n1,2\n2,3\n", "Error: --columns: no column named 'z'"),
        (["-", "--plot", "-f", "json"], "a,b\n1,2\n2,3\n", "Error: --plot draws in the terminal"),
        (["nowhere.csv"], None, "Error: file not found: 'nowhere.csv'"),
    ],
)
def test_bad_input_is_one_line_exit_2(run, args, stdin, message):
    result = run("pca", *args, input=stdin)
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_scores_error_leaves_nothing(run, tmp_path):
    result = run("pca", str(IRIS), "--scores", str(tmp_path / "no" / "s.csv"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --scores: cannot write")
    assert result.stdout == "" and list(tmp_path.iterdir()) == []


def test_pca_loads_no_sympy():
    import os
    import subprocess
    import sys

    code = (
        "import sys\nfrom mathml_cli.cli import main\n"
        f"sys.argv = ['mathml', 'pca', {str(IRIS)!r}, '-f', 'json']\n"
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
    assert '"n": 150' in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_one_column_is_not_enough(run):
    result = run("pca", "docs/data/iris.csv", "-c", "sepal_length")
    assert result.exit_code == 2 and result.stdout == ""
    assert "PCA needs at least two" in result.stderr and "mathml stats" in result.stderr


def test_standardize_shows_the_standardised_rows_it_decomposes(run):
    import numpy as np

    data = np.genfromtxt("docs/data/houses.csv", delimiter=",", names=True)
    x = np.column_stack([data[name] for name in ("sqft", "rooms", "age")])
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)  # oracle: NumPy
    result = run("pca", "docs/data/houses.csv", "--standardize", "--columns", "sqft,rooms,age")
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())  # one space wherever the output wraps or aligns
    assert "the first 5 standardised rows" in text
    assert "eigenvectors of the correlation matrix" in text
    for row in z[:5]:
        assert " ".join(f"{value:.6g}" for value in row) in text
