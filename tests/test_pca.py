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
