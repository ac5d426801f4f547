"""regress and pca at extreme magnitudes: right answers inside the range they compute
with, a one-line error naming the cell outside it, and never a NumPy warning."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FORMATS = ["text", "json", "latex", "markdown", "html"]


def unit_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    x = np.arange(1.0, 13.0)
    z = rng.uniform(0.5, 1.5, 12)
    y = 1 + 2 * x - 0.5 * z + rng.normal(0, 0.3, 12)
    return x, z, y


def write(path: Path, columns: dict[str, np.ndarray]) -> Path:
    rows = "\n".join(
        ",".join(repr(float(v)) for v in row) for row in zip(*columns.values(), strict=True)
    )
    path.write_text(",".join(columns) + "\n" + rows + "\n")
    return path


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(x_power=st.integers(-45, 45), y_power=st.integers(-45, 45))
def test_a_fit_at_any_scale_is_the_unit_fit_rescaled(run, tmp_path, x_power, y_power):
    # Oracle: statsmodels on unit-scale data, then the exact scaling law of least
    # squares: with x and z times a and y times b, slopes scale by b/a, β₀ by b.
    x, z, y = unit_table()
    a, b = 10.0**x_power, 10.0**y_power
    path = write(tmp_path / "scaled.csv", {"x": x * a, "z": z * a, "y": y * b})
    unit = sm.OLS(y, sm.add_constant(np.column_stack([x, z]))).fit()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run("regress", str(path), "-f", "json", "--predict", f"x={3 * a!r},z={a!r}")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    scale = np.array([b, b / a, b / a])
    np.testing.assert_allclose(list(data["coefficients"].values()), unit.params * scale, rtol=1e-8)
    np.testing.assert_allclose(list(data["std_errors"].values()), unit.bse * scale, rtol=1e-8)
    assert data["r_squared"] == pytest.approx(unit.rsquared, rel=1e-9)
    expected = float(unit.predict(np.array([[1.0, 3.0, 1.0]]))[0]) * b
    assert data["prediction"]["value"] == pytest.approx(expected, rel=1e-8)


@pytest.mark.parametrize("power", [-45, 45])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "options", [[], ["--ridge", "1"], ["--method", "gd", "--standardize"], ["--no-intercept"]]
)
def test_every_method_and_format_at_the_edges_of_the_range(run, tmp_path, power, fmt, options):
    x, z, y = unit_table()
    path = write(tmp_path / "edge.csv", {"x": x * 10.0**power, "z": z, "y": y})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run("regress", str(path), "-f", fmt, *options)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("cell", "size"), [("1e154", "too large"), ("-2e60", "too large"), ("1e-160", "too small")]
)
@pytest.mark.parametrize("command", ["regress", "pca"])
def test_a_value_outside_the_range_names_its_cell(run, tmp_path, cell, size, command):
    path = tmp_path / "big.csv"
    path.write_text(f"x,y\n1,2\n2,4.1\n{cell},6\n4,8.2\n")
    result = run(command, str(path))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"Error: row 3 (line 4), column 'x': {cell} is {size}")
    assert "rescale the column" in result.stderr and len(result.stderr.splitlines()) == 1
    assert ("write it as 0 if it stands for zero" in result.stderr) is (size == "too small")


def test_a_value_outside_the_range_deep_in_a_long_file(run, tmp_path):
    # Past the first megabyte the fast parsers (in a second process) read the
    # block; the bound sends it to the cell-by-cell reader, which names the cell.
    rows = 150_000
    x = np.arange(rows, dtype=float)
    y = 3 * x + 1
    y[123_456] = 5e51
    path = tmp_path / "long.csv"
    np.savetxt(path, np.column_stack([x, y]), delimiter=",", header="x,y", comments="", fmt="%.17g")
    result = run("regress", str(path))
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith(
        "Error: row 123457 (line 123458), column 'y': 5e+51 is too large"
    )


def test_stats_has_no_such_bound(run):
    # stats sums in its own exact way and reads huge values; only the fits are bounded.
    result = run("stats", "-", "-f", "json", input="1e60\n2e60\n3e60\n")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["columns"][0]["mean"] == pytest.approx(2e60)


def test_a_feature_expression_outside_the_range_names_its_row(run, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("x,y\n1,2\n2,4.1\n1e30,6\n4,8.2\n")
    result = run("regress", str(path), "-x", "x, x**2")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --features: 'x**2' is too large: mathml computes")
    assert "in row 3 (x = 1e+30)" in result.stderr


@pytest.mark.parametrize("value", ["1e308", "1e-300", "-1e51"])
def test_a_prediction_outside_the_range_is_an_error(run, value):
    result = run("regress", "docs/data/houses.csv", "--predict", f"sqft={value},rooms=3,age=10")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("Error: --predict: sqft = ")
    assert "mathml computes with magnitudes from 1e-50 to 1e+50" in result.stderr


@pytest.mark.parametrize("rate", ["1e308", "1e10"])
def test_a_wildly_diverging_descent_is_diagnosed_without_warnings(run, rate):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run("regress", "docs/data/houses.csv", "-m", "gd", "--lr", rate)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert f"Diverged at step 1: the learning rate {float(rate):g} is too large" in result.stdout


@pytest.mark.parametrize("power", [-45, 45])
def test_pca_at_the_edges_of_the_range_matches_the_svd(run, tmp_path, power):
    # Oracle: NumPy's SVD of the centred data; variances scale by the square.
    rng = np.random.default_rng(8)
    data = rng.normal(size=(20, 3)) @ np.array([[2.0, 0.3, 0], [0, 1.0, 0.5], [0, 0, 0.2]])
    scale = 10.0**power
    path = write(tmp_path / "p.csv", {name: data[:, j] * scale for j, name in enumerate("abc")})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run("pca", str(path), "-f", "json")
    assert result.exit_code == 0, result.stderr
    centred = data - data.mean(axis=0)
    singular = np.linalg.svd(centred, compute_uv=False)
    variances = singular**2 / (len(data) - 1) * scale**2
    reported = [component["variance"] for component in json.loads(result.stdout)["components"]]
    np.testing.assert_allclose(reported, variances, rtol=1e-9)


@pytest.mark.parametrize("power", [-40, 0, 12, 40])
def test_units_alone_raise_no_condition_warning(run, tmp_path, power):
    # Oracle: the SVD in 60-digit arithmetic (mpmath) for X as read, whose smallest
    # singular value double precision cannot resolve at 1e-40; NumPy's cond for X
    # with unit-length columns.
    import mpmath

    x, z, y = unit_table()
    scaled = x * 10.0**power
    path = write(tmp_path / "units.csv", {"x": scaled, "z": z, "y": y})
    data = json.loads(run("regress", str(path), "-f", "json").stdout)
    design = np.column_stack([np.ones(len(x)), scaled, z])
    with mpmath.workdps(60):
        singular = mpmath.svd_r(mpmath.matrix(design.tolist()), compute_uv=False)
        exact = float(max(singular) / min(singular))
    assert data["condition_number"] == pytest.approx(exact, rel=1e-6)
    unit = design / np.linalg.norm(design, axis=0)
    assert data["scaled_condition_number"] == pytest.approx(np.linalg.cond(unit), rel=1e-6)
    assert not any("condition number" in warning for warning in data["warnings"])
