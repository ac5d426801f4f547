"""`mathml regress` against statsmodels' OLS, the independent oracle."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mathml_cli.core import table as table_module
from mathml_cli.core.regress import five_numbers, regress
from mathml_cli.core.table import CsvTable

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "regress"


def to_csv(names: list[str], columns: np.ndarray) -> str:
    lines = [",".join(names)]
    lines += [",".join(repr(float(v)) for v in row) for row in columns]
    return "\n".join(lines) + "\n"


def fit_text(text: str, **options):
    return regress(CsvTable(io.BytesIO(text.encode()), "test"), **options)


def generated(seed: int, n: int, p: int, offset: float = 0.0, spread: float = 1.0):
    rng = np.random.default_rng(seed)
    x = rng.normal(offset, spread, size=(n, p)) + rng.normal(size=(n, 1)) * 0.3 * spread
    beta = rng.normal(size=p)
    y = 1.5 + x @ beta + rng.normal(0, 2.0, size=n)
    return x, y


def assert_matches_statsmodels(result, model, *, rtol=1e-8, skip_intercept=False):
    start = 1 if skip_intercept else 0
    estimates = [c.estimate for c in result.coefficients]
    np.testing.assert_allclose(estimates[start:], model.params[start:], rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(
        [c.std_error for c in result.coefficients][start:], model.bse[start:], rtol=rtol
    )
    np.testing.assert_allclose(
        [c.t_value for c in result.coefficients][start:], model.tvalues[start:], rtol=rtol
    )
    np.testing.assert_allclose(
        [c.p_value for c in result.coefficients][start:],
        model.pvalues[start:],
        rtol=max(rtol, 1e-6),
        atol=1e-300,
    )
    intervals = np.array([[c.conf_low, c.conf_high] for c in result.coefficients])
    np.testing.assert_allclose(intervals[start:], model.conf_int()[start:], rtol=rtol)
    assert result.r_squared == pytest.approx(model.rsquared, rel=rtol)
    assert result.adj_r_squared == pytest.approx(model.rsquared_adj, rel=rtol)
    assert result.residual_std_error == pytest.approx(np.sqrt(model.scale), rel=rtol)
    assert result.f_statistic == pytest.approx(model.fvalue, rel=rtol)
    assert result.f_p_value == pytest.approx(model.f_pvalue, rel=max(rtol, 1e-6), abs=1e-300)
    assert result.df_model == model.df_model
    assert result.df_resid == model.df_resid
    assert result.n == model.nobs
    assert result.log_likelihood == pytest.approx(model.llf, rel=rtol)
    assert result.aic == pytest.approx(model.aic, rel=rtol)
    assert result.bic == pytest.approx(model.bic, rel=rtol)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(8, 300),
    p=st.integers(1, 5),
)
def test_statistics_match_statsmodels(seed, n, p):
    x, y = generated(seed, n, p)
    names = [f"f{i}" for i in range(p)]
    result = fit_text(to_csv([*names, "y"], np.column_stack([x, y])))
    model = sm.OLS(y, sm.add_constant(x, has_constant="add")).fit()
    assert_matches_statsmodels(result, model)
    assert result.condition_number == pytest.approx(model.condition_number, rel=1e-6)
    assert result.warnings == ()
    residuals = np.percentile(model.resid, [0, 25, 50, 75, 100])
    r = result.residuals
    assert r.exact
    np.testing.assert_allclose(
        [r.minimum, r.first_quartile, r.median, r.third_quartile, r.maximum],
        residuals,
        rtol=1e-7,
        atol=1e-9,
    )


def test_ill_conditioned_feature_near_a_million():
    # A feature of 1e6 give or take 1: the raw XᵀX has a condition number near
    # 1e24, but the centred sums keep every digit that matters.
    rng = np.random.default_rng(7)
    n = 500
    big = 1e6 + rng.normal(0, 1, n)
    other = rng.normal(0, 1, n)
    y = 3.0 * (big - 1e6) - 2.0 * other + 5 + rng.normal(0, 0.5, n)
    result = fit_text(to_csv(["big", "other", "y"], np.column_stack([big, other, y])))
    # Oracle: statsmodels on the same data shifted by 1e6 (exact in floating
    # point for these values), where its solve is well conditioned.
    shifted = sm.OLS(y, sm.add_constant(np.column_stack([big - 1e6, other]))).fit()
    assert_matches_statsmodels(result, shifted, skip_intercept=True, rtol=1e-7)
    intercept = result.coefficients[0]
    assert intercept.estimate == pytest.approx(
        shifted.params[0] - 1e6 * shifted.params[1], rel=1e-7
    )
    raw = sm.OLS(y, sm.add_constant(np.column_stack([big, other]))).fit()
    assert intercept.std_error == pytest.approx(raw.bse[0], rel=1e-5)
    assert result.condition_number == pytest.approx(raw.condition_number, rel=1e-4)
    assert result.condition_number > 1e9


def test_many_blocks_merge_exactly(monkeypatch):
    # Small blocks force many merges of the centred sums (and the fast parser
    # on each block); the answer must not change.
    monkeypatch.setattr(table_module, "BLOCK_BYTES", 997)
    x, y = generated(3, 2000, 3, offset=1e4, spread=0.5)
    text = "a,b,c,y\n" + "\n".join(
        ",".join(f"{v:.6f}" for v in row) for row in np.column_stack([x, y])
    )
    result = fit_text(text)
    parsed = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1)
    model = sm.OLS(parsed[:, -1], sm.add_constant(parsed[:, :-1])).fit()
    assert_matches_statsmodels(result, model, rtol=1e-6)


def test_target_that_is_not_the_last_column(run):
    x, y = generated(11, 60, 2)
    csv = to_csv(["y", "a", "b"], np.column_stack([y, x]))
    result = run("regress", "-", "--target", "y", "--format", "json", input=csv)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    model = sm.OLS(y, sm.add_constant(x)).fit()
    assert data["target"] == "y"
    assert data["features"] == ["a", "b"]
    np.testing.assert_allclose(list(data["coefficients"].values()), model.params, rtol=1e-9)
    np.testing.assert_allclose(list(data["p_values"].values()), model.pvalues, rtol=1e-6)


def test_features_option_picks_and_orders_columns(run):
    x, y = generated(12, 40, 3)
    csv = to_csv(["a", "b", "c", "y"], np.column_stack([x, y]))
    result = run("regress", "-x", "c,a", "-f", "json", input=csv)
    data = json.loads(result.stdout)
    model = sm.OLS(y, sm.add_constant(x[:, [2, 0]])).fit()
    assert list(data["coefficients"]) == ["intercept", "c", "a"]
    np.testing.assert_allclose(list(data["coefficients"].values()), model.params, rtol=1e-9)


def test_json_has_every_key_the_issue_lists(run):
    result = run("regress", str(ROOT / "docs" / "data" / "houses.csv"), "-f", "json")
    data = json.loads(result.stdout)
    for key in (
        "n target features method coefficients std_errors t_values p_values conf_int "
        "r_squared adj_r_squared residual_std_error f_statistic f_p_value "
        "condition_number warnings"
    ).split():
        assert key in data
    assert data["method"] == "normal"
    assert "iterations" not in data


def test_houses_against_statsmodels_and_prediction(run):
    values = np.loadtxt(ROOT / "docs" / "data" / "houses.csv", delimiter=",", skiprows=1)
    model = sm.OLS(values[:, -1], sm.add_constant(values[:, :-1])).fit()
    result = run(
        "regress",
        str(ROOT / "docs" / "data" / "houses.csv"),
        "--predict",
        "sqft=1600,rooms=3,age=10",
        "-f",
        "json",
    )
    data = json.loads(result.stdout)
    np.testing.assert_allclose(list(data["std_errors"].values()), model.bse, rtol=1e-9)
    frame = model.get_prediction(np.array([[1.0, 1600, 3, 10]])).summary_frame(alpha=0.05)
    prediction = data["prediction"]
    assert prediction["value"] == pytest.approx(frame["mean"][0], rel=1e-10)
    np.testing.assert_allclose(
        prediction["conf_int"], [frame["mean_ci_lower"][0], frame["mean_ci_upper"][0]], rtol=1e-9
    )
    np.testing.assert_allclose(
        prediction["pred_int"], [frame["obs_ci_lower"][0], frame["obs_ci_upper"][0]], rtol=1e-9
    )


def test_prediction_arithmetic_is_written_out(run):
    result = run("regress", str(ROOT / "docs" / "data" / "study.csv"), "--predict", "hours=4.5")
    assert result.exit_code == 0
    data = np.loadtxt(ROOT / "docs" / "data" / "study.csv", delimiter=",", skiprows=1)
    slope, intercept = np.polyfit(data[:, 0], data[:, 1], 1)
    assert f"{intercept:.6g} + {slope:.6g}·4.5" in result.stdout
    assert f"= {intercept + 4.5 * slope:.6g}" in result.stdout


def test_stdin_in_a_subprocess_is_the_same_as_a_file():
    path = ROOT / "docs" / "data" / "houses.csv"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "mathml_cli", "regress", "-f", "json"]
    piped = subprocess.run(
        command, input=path.read_bytes(), capture_output=True, env=env, cwd=ROOT, check=True
    )
    from_file = subprocess.run(
        [*command, str(path)], capture_output=True, env=env, cwd=ROOT, check=True
    )
    assert json.loads(piped.stdout) == json.loads(from_file.stdout)


def test_regress_does_not_import_sympy_and_help_imports_nothing_heavy():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    probe = (
        "import sys, runpy; sys.argv = ['mathml'] + sys.argv[1:]\n"
        "try:\n    runpy.run_module('mathml_cli', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sympy', 'numpy', 'plotext', 'mpmath') if m in sys.modules),"
        " file=sys.stderr)\n"
    )
    helped = subprocess.run(
        [sys.executable, "-c", probe, "regress", "--help"], capture_output=True, text=True, env=env
    )
    assert helped.stderr.strip().endswith("[]")
    ran = subprocess.run(
        [sys.executable, "-c", probe, "regress", str(ROOT / "docs" / "data" / "study.csv")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert "sympy" not in ran.stderr.strip().splitlines()[-1]
    assert "numpy" in ran.stderr.strip().splitlines()[-1]


def test_constant_feature_is_named_and_left_out(run):
    x, y = generated(5, 50, 2)
    csv = to_csv(["a", "flat", "b", "y"], np.column_stack([x[:, 0], np.full(50, 7.0), x[:, 1], y]))
    result = run("regress", "-f", "json", input=csv)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["coefficients"]["flat"] is None
    assert any("'flat' is constant" in w and "--features" in w for w in data["warnings"])
    model = sm.OLS(y, sm.add_constant(x)).fit()
    fitted = [v for v in data["coefficients"].values() if v is not None]
    np.testing.assert_allclose(fitted, model.params, rtol=1e-9)
    assert data["df_model"] == 2


def test_collinear_feature_is_named_with_its_partners(run):
    x, y = generated(6, 80, 2)
    combo = 2 * x[:, 0] - 3 * x[:, 1] + 1
    csv = to_csv(["a", "b", "combo", "y"], np.column_stack([x, combo, y]))
    result = run("regress", "-f", "json", input=csv)
    data = json.loads(result.stdout)
    assert data["coefficients"]["combo"] is None
    (warning,) = data["warnings"]
    assert "'combo' is collinear with a, b" in warning
    assert "combo = 2·a - 3·b + 1)" in warning  # the constant of how combo was made
    assert "'combo' was left out of the fit (drop it or one of a, b with --features)" in warning
    model = sm.OLS(y, sm.add_constant(x)).fit()
    np.testing.assert_allclose(
        [data["coefficients"][k] for k in ("intercept", "a", "b")], model.params, rtol=1e-8
    )
    text = run("regress", input=csv).stdout
    assert "not fitted" in text and "Warning: 'combo' is collinear" in text


def test_strong_but_not_exact_collinearity_warns():
    rng = np.random.default_rng(9)
    a = rng.normal(size=100)
    b = a + rng.normal(0, 1e-3, 100)
    y = a + b + rng.normal(size=100)
    result = fit_text(to_csv(["a", "b", "y"], np.column_stack([a, b, y])))
    (warning,) = result.warnings
    assert "variance inflation factor" in warning and "a (" in warning and "b (" in warning
    model = sm.OLS(y, sm.add_constant(np.column_stack([a, b]))).fit()
    assert_matches_statsmodels(result, model, rtol=1e-6)


def test_gradient_descent_on_standardised_features_ends_at_the_closed_form(run):
    x, y = generated(21, 120, 3, offset=50, spread=10)
    csv = to_csv(["a", "b", "c", "y"], np.column_stack([x, y]))
    result = run("regress", "--method", "gd", "--standardize", "-f", "json", input=csv)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    model = sm.OLS(y, sm.add_constant(x)).fit()
    assert data["method"] == "gd"
    assert data["descent"]["status"] == "converged"
    assert data["descent"]["standardized"] is True
    np.testing.assert_allclose(list(data["coefficients"].values()), model.params, rtol=1e-6)
    np.testing.assert_allclose(list(data["closed_form"].values()), model.params, rtol=1e-9)
    assert data["descent"]["max_difference"] < 1e-6
    assert data["descent"]["relative_distance"] < 1e-8
    iterations = data["iterations"]
    assert [row["step"] for row in iterations] == list(range(data["descent"]["steps"] + 1))
    losses = [row["loss"] for row in iterations]
    assert losses == sorted(losses, reverse=True)
    # J = (1/n) Σ residual², checked at the end against statsmodels' residuals.
    assert losses[-1] == pytest.approx(model.ssr / len(y), rel=1e-8)
    text = run("regress", "--method", "gd", "--standardize", input=csv).stdout
    assert "Converged after" in text and "closed form" in text
    assert "Coefficients where gradient descent ended" in text


def test_gradient_descent_with_too_large_a_rate_diverges_as_a_result(run):
    path = ROOT / "docs" / "data" / "houses.csv"
    result = run("regress", "--method", "gd", "--lr", "1e-6", "-f", "json", str(path))
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["descent"]["status"] == "diverged"
    values = np.loadtxt(path, delimiter=",", skiprows=1)
    design = np.column_stack([np.ones(len(values)), values[:, :-1]])
    largest = np.linalg.eigvalsh(2 / len(values) * design.T @ design)[-1]
    assert data["descent"]["largest_eigenvalue"] == pytest.approx(largest, rel=1e-9)
    assert data["descent"]["stable_below"] == pytest.approx(2 / largest, rel=1e-9)
    text = run("regress", "--method", "gd", "--lr", "1e-6", str(path)).stdout
    assert "Diverged" in text and "too large" in text
    assert f"2/L = {2 / largest:.3g}" in text and "--standardize" in text


def test_gradient_descent_matches_the_textbook_loop_to_the_last_digit(run):
    rng = np.random.default_rng(42)
    x = rng.uniform(0, 2, 40)
    y = 2 * x + 1 + rng.normal(0, 0.2, 40)
    csv = to_csv(["x", "y"], np.column_stack([x, y]))
    # The loop as the textbooks write it, from zeros, on x as given.
    w, b, lr, trajectory = 0.0, 0.0, 0.1, []
    for _ in range(50):
        y_hat = w * x + b
        trajectory.append((float(np.mean((y_hat - y) ** 2)), b, w))
        dw = (2 / len(x)) * np.sum((y_hat - y) * x)
        db = (2 / len(x)) * np.sum(y_hat - y)
        w -= lr * dw
        b -= lr * db
    trajectory.append((float(np.mean((w * x + b - y) ** 2)), b, w))
    args = ("regress", "-", "--method", "gd", "--lr", "0.1", "--steps", "50")
    data = json.loads(run(*args, "-f", "json", input=csv).stdout)
    assert data["descent"]["steps"] == 50
    assert data["coefficients"]["x"] == pytest.approx(w, rel=1e-12)
    assert data["coefficients"]["intercept"] == pytest.approx(b, rel=1e-12)
    for row, (loss, b_t, w_t) in zip(data["iterations"], trajectory, strict=True):
        assert row["loss"] == pytest.approx(loss, rel=1e-11)
        np.testing.assert_allclose(row["coefficients"], [b_t, w_t], rtol=1e-11, atol=1e-15)
    text = run(*args, "--every", "10", input=csv).stdout
    for step in (0, 10, 20, 30, 40, 50):
        loss, b_t, w_t = trajectory[step]
        assert re.search(rf"\n +{step} +{re.escape(f'{loss:.6g}')} +{b_t:.6g} +{w_t:.6g} ", text)
    assert re.search(rf"\n *x +{re.escape(f'{w:.6g}')} ", text)  # the final w, as printed
    closed = np.polyfit(x, y, 1)
    relative = abs(w - closed[0]) / abs(closed[0])
    assert f"{relative:.3g}" in text


def test_plot_one_feature_and_several(run):
    one = run("regress", str(ROOT / "docs" / "data" / "study.csv"), "--plot")
    assert one.exit_code == 0 and "fitted line" in one.stdout
    several = run("regress", str(ROOT / "docs" / "data" / "houses.csv"), "--plot", "-m", "gd")
    assert several.exit_code == 0
    for title in ("actual against predicted", "residuals against predicted", "loss by step"):
        assert title in several.stdout


def test_latex_and_markdown(run):
    path = str(ROOT / "docs" / "data" / "study.csv")
    latex = run("regress", path, "-f", "latex").stdout
    assert latex.startswith("% mathml regress") and "X^\\top X" in latex
    markdown = run("regress", path, "-f", "markdown").stdout
    assert "| $\\mathit{hours}$ |" in markdown and "$R^2 = " in markdown


def test_large_input_estimates_residuals_from_a_sample(monkeypatch):
    from mathml_cli.core import regress as regress_module

    monkeypatch.setattr(regress_module, "EXACT_ROWS", 500)
    monkeypatch.setattr(regress_module, "SAMPLE_ROWS", 200)
    x, y = generated(4, 2000, 2)
    result = fit_text(to_csv(["a", "b", "y"], np.column_stack([x, y])))
    assert not result.residuals.exact
    assert result.residuals.rows_used == 200
    model = sm.OLS(y, sm.add_constant(x)).fit()
    assert_matches_statsmodels(result, model)  # the statistics stay exact
    assert abs(result.residuals.median - np.median(model.resid)) < 0.5


# --- Bad input: one line on stderr, exit 2 --------------------------------------------


def one_line_error(result, *fragments):
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        ("missing.csv", ["missing value in row 3 (line 4), column 'rooms'", "--drop-missing"]),
        ("text_cell.csv", ["row 2 (line 3), column 'sqft': 'about 1500' is not a number"]),
        ("ragged.csv", ["row 4 (line 5) has 2 fields", "3 columns"]),
        ("header_only.csv", ["no data rows, only a header"]),
        ("too_few_rows.csv", ["3 rows for 3 parameters", "more rows than parameters"]),
        ("empty.csv", ["is empty"]),
        ("one_column.csv", ["one column"]),
        ("decimal_comma.csv", ["'1,5' is not a number (decimal commas are not supported)"]),
    ],
)
def test_bad_input_files(run, name, fragments):
    one_line_error(run("regress", str(DATA / name)), *fragments)


def test_bad_input_on_stdin_too(run):
    one_line_error(run("regress", input=""), "stdin is empty")
    one_line_error(run("regress", "-", input="a,b\n1,2\n3,x\n5,6\n"), "row 2 (line 3), column 'b'")


def test_drop_missing_says_how_many_rows_went(run):
    result = run("regress", str(DATA / "missing.csv"), "--drop-missing", "-f", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["n"] == 8 and data["dropped_rows"] == 2
    assert data["warnings"][0].startswith("2 rows with missing values left out")
    values = np.genfromtxt(DATA / "missing.csv", delimiter=",", skip_header=1)
    values = values[~np.isnan(values).any(axis=1)]
    model = sm.OLS(values[:, -1], sm.add_constant(values[:, :-1])).fit()
    np.testing.assert_allclose(list(data["coefficients"].values()), model.params, rtol=1e-9)


def test_missing_value_in_an_unused_column_is_fine(run):
    result = run("regress", str(DATA / "missing.csv"), "-x", "sqft", "-f", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["n"] == 10


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--target", "prise"], ["--target: no column named 'prise' (did you mean 'price'?)"]),
        (["-x", "sqft,room"], ["--features: no column named 'room' (did you mean 'rooms'?)"]),
        (["-x", "sqft,price"], ["--features includes the target 'price'"]),
        (["-x", "sqft,sqft"], ["--features names sqft more than once"]),
        (["-x", ","], ["--features is empty"]),
        (["--method", "sgd"], ["--method must be normal or gd"]),
        (["-m", "gd", "--lr", "0"], ["--lr must be a positive finite number"]),
        (["-m", "gd", "--lr", "inf"], ["--lr must be a positive finite number"]),
        (["-m", "gd", "--steps", "0"], ["--steps must be between 1 and 1000000"]),
        (["--lr", "0.1"], ["--lr is gradient descent's: it applies to --method gd only"]),
        (["--steps", "50"], ["--steps is gradient descent's: it applies to --method gd only"]),
        (["--predict", "sqft=1600"], ["--predict gives no value for rooms, age (every feature"]),
        (["--predict", "sqft=1600,rooms=x,age=1"], ["--predict value of rooms must be a number"]),
        (
            ["--predict", "sqft=1,rooms=2,age=3,size=4"],
            ["--predict names size, which the model does not use; its features: sqft, rooms"],
        ),
        (["--predict", "1600"], ["--predict: expected name=value, got '1600'"]),
    ],
)
def test_bad_options(run, args, fragments):
    one_line_error(run("regress", str(ROOT / "docs" / "data" / "houses.csv"), *args), *fragments)


def test_missing_file(run):
    one_line_error(run("regress", "no/such.csv"), "file not found: 'no/such.csv'")


def test_an_exact_fit_says_its_statistics_mean_nothing(run):
    result = run("regress", "-f", "json", input="x,y\n1,3\n2,5\n3,7\n4,9\n")
    data = json.loads(result.stdout)
    assert data["coefficients"]["x"] == pytest.approx(2.0, rel=1e-12)
    assert any("predict 'y' exactly" in w for w in data["warnings"])


def test_prediction_arithmetic_writes_negative_terms_as_subtractions(run):
    path = ROOT / "docs" / "data" / "houses.csv"
    result = run("regress", str(path), "--predict", "sqft=1600,rooms=3,age=-2")
    assert result.exit_code == 0
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    design = np.column_stack([np.ones(len(data)), data[:, :-1]])
    beta = np.linalg.lstsq(design, data[:, -1], rcond=None)[0]
    assert beta[3] < 0  # age lowers the price
    assert f"− {abs(beta[3]):.6g}·(-2)" in result.stdout
    assert f"+ {abs(beta[3] * -2):.6g}" in result.stdout
    assert "+ -" not in result.stdout


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(3, 60),
    p=st.integers(1, 3),
    rate=st.sampled_from([0.001, 0.01, 0.05]),
    steps=st.integers(1, 40),
    intercept=st.booleans(),
    standardize=st.booleans(),
)
def test_gradient_descent_is_the_textbook_loop(seed, n, p, rate, steps, intercept, standardize):
    standardize = standardize and intercept
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 3, size=(n, p))
    y = x @ rng.normal(size=p) + 0.5 + rng.normal(0, 0.3, n)
    text = to_csv([*"abc"[:p], "y"], np.column_stack([x, y]))
    assume(n > p + intercept)
    result = fit_text(
        text,
        method="gd",
        learning_rate=rate,
        max_steps=steps,
        intercept=intercept,
        standardize=standardize,
    )
    assume(result.df_model == p)  # no column the random draw made collinear
    # The loop as the textbooks write it, on the features descended on.
    mean, spread = x.mean(axis=0), x.std(axis=0)
    features = (x - mean) / spread if standardize else x
    w, b = np.zeros(p), 0.0
    for row in result.descent.table:
        residual = features @ w + b - y
        if standardize:
            slopes = w / spread
            expected = [b - mean @ slopes, *slopes]
        else:
            expected = [b, *w] if intercept else list(w)
        np.testing.assert_allclose(row.coefficients, expected, rtol=1e-9, atol=1e-11)
        assert row.loss == pytest.approx(np.mean(residual**2), rel=1e-9)
        w = w - rate * (2 / n) * features.T @ residual
        if intercept:
            b -= rate * (2 / n) * residual.sum()


def test_a_rate_that_overflows_is_a_diagnosis_without_warnings(run):
    path = str(ROOT / "docs" / "data" / "houses.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy's overflow warnings would fail the run
        result = run("regress", path, "-m", "gd", "--lr", "1e200", "--plot")
    assert result.exit_code == 0 and result.stderr == "", result.stderr
    assert "Diverged at step 1" in result.stdout


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.floats(allow_nan=False, allow_infinity=False, width=64) | st.sampled_from([0.0, -0.0]),
        min_size=1,
        max_size=50,
    )
)
def test_residual_quartiles_are_numpys_to_the_bit(values):
    """The residual summary's five numbers, against np.percentile (default method)."""
    array = np.array(values)
    expected = tuple(float(q) for q in np.percentile(array, [0, 25, 50, 75, 100]))
    np.testing.assert_array_equal(five_numbers(array), expected)  # exact; NaN where NumPy's


def test_gradient_descents_table_shows_no_least_squares_inference_beside_its_estimates(run):
    # Beside diverged weights (-6e13), least squares' standard errors read as this fit's.
    text = run("regress", str(ROOT / "docs" / "data" / "houses.csv"), "--method", "gd").stdout
    table = text.split("Coefficients where gradient descent ended", 1)[1].split("\n\n", 1)[0]
    assert "std error" not in table and "P>|t|" not in table
    assert "those of the closed form (least squares)" in text


def test_ridges_table_has_no_empty_inference_columns(run):
    text = run("regress", str(ROOT / "docs" / "data" / "houses.csv"), "--ridge", "10").stdout
    table = text.split("Coefficients", 1)[1].split("\n\n", 1)[0]
    assert "estimate" in table and "t " not in table.splitlines()[1] and "[0.025" not in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--every", "5"], "--every thins gradient descent's table: it applies to --method gd"),
        (
            ["--method", "gd", "--every", "5", "-f", "json"],
            "--every thins the table; --format json always has every iteration",
        ),
    ],
)
def test_every_where_it_would_do_nothing_is_an_error_as_in_descend(run, args, message):
    one_line_error(run("regress", str(ROOT / "docs" / "data" / "houses.csv"), *args), message)


def test_the_plot_draws_the_data_over_the_fitted_line(run, tmp_path):
    # Every point lies on the line, and every one must still be seen: eight
    # points in eight distinct cells, plus the legend's two-cell sample.
    path = tmp_path / "line.csv"
    path.write_text("x,y\n" + "".join(f"{x},{2 * x + 1}\n" for x in range(1, 9)))
    result = run("regress", str(path), "--plot")
    assert result.exit_code == 0, result.stderr
    plot = result.stdout[result.stdout.index("y against x") :]
    assert plot.count("•") == 8 + 2
    # In the page, the polyline comes first and the circles of the data after it.
    page = run("regress", str(path), "--plot", "-f", "html").stdout
    svg = page[page.index("<svg") :]
    assert svg.index("<polyline") < svg.index("<circle")


def test_the_normal_equation_shows_the_exact_sums_of_a_small_table(run):
    # Oracle: the sums in exact rational arithmetic, rounded once.
    from fractions import Fraction

    data = np.genfromtxt(ROOT / "docs" / "data" / "houses.csv", delimiter=",", names=True)
    design = np.column_stack([np.ones(len(data))] + [data[n] for n in ("sqft", "rooms", "age")])
    target = data["price"]
    result = json.loads(
        run("regress", str(ROOT / "docs" / "data" / "houses.csv"), "-f", "json").stdout
    )

    def exact_sum(a, b):
        return float(
            sum(Fraction(float(u)) * Fraction(float(v)) for u, v in zip(a, b, strict=True))
        )

    columns = design.T
    assert result["normal_equation"]["xtx"] == [[exact_sum(a, b) for b in columns] for a in columns]
    assert result["normal_equation"]["xty"] == [exact_sum(a, target) for a in columns]


def test_json_says_which_fit_the_statistics_describe(run):
    path = str(ROOT / "docs" / "data" / "study.csv")
    normal = json.loads(run("regress", path, "-f", "json").stdout)
    descent = json.loads(run("regress", path, "-f", "json", "-m", "gd", "--steps", "5").stdout)
    assert normal["statistics_of"] == "coefficients"
    assert descent["statistics_of"] == "closed_form"
    # The statistics are the closed form's: its R² is least squares', whatever descent did.
    assert descent["r_squared"] == normal["r_squared"]
    assert descent["coefficients"] != descent["closed_form"]


@pytest.mark.parametrize("columns", ["60", "80", "100"])
def test_a_label_and_its_value_are_never_split_by_wrapping(run, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    for path in ("houses.csv", "study.csv"):
        out = run("regress", str(ROOT / "docs" / "data" / path), "--brief").stdout
        assert "\xa0" not in out and "\ue000" not in out
        for line in out.splitlines():
            assert len(line) <= int(columns)
            for label in ("min", "1Q", "median", "3Q", "max", "p-value (F)", "number", "error"):
                assert not line.rstrip().endswith(label), (label, line)


def test_the_legend_sits_below_the_axes_where_it_hides_no_point(run, tmp_path, monkeypatch):
    # Points in the top-left corner, where plotext puts its legend box.
    monkeypatch.setenv("COLUMNS", "60")
    path = tmp_path / "corner.csv"
    path.write_text("x,y\n1,10\n1.05,9.9\n1.1,9.95\n2,8\n3,6.1\n4,3.9\n5,2\n")
    out = run("regress", str(path), "--plot", "--brief").stdout
    plot = out[out.index("y against x") :].splitlines()
    inside = [line for line in plot if "│" in line or "┤" in line]
    assert not any("data" in line or "fitted" in line for line in inside)
    assert [line for line in plot if line.strip()][-1].split() == [
        "••",
        "data",
        "xx",
        "fitted",
        "line",
    ]
    assert sum(line.count("•") for line in inside) >= 6  # (two points share a cell)
