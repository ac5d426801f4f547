"""regress on singular designs, ridge and gradient descent alike, against NumPy's own
solves and the textbook loop; and what descent says when it does not converge."""

from __future__ import annotations

import io
import json
from functools import partial

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mathml_cli.core.regress import regress
from mathml_cli.core.table import CsvTable
from mathml_cli.render.regress import _ordinal

FORMATS = ("text", "markdown", "latex", "html", "json")


def to_csv(names: list[str], columns: np.ndarray) -> str:
    lines = [",".join(names)]
    lines += [",".join(repr(float(v)) for v in row) for row in columns]
    return "\n".join(lines) + "\n"


def fit(text: str, **options):
    return regress(CsvTable(io.BytesIO(text.encode()), "test"), **options)


def words(text: str) -> str:
    """The text with its line wrapping undone."""
    return " ".join(text.split())


def duplicated(seed: int = 1, n: int = 30):
    """Columns a, b = a, z and a target: XᵀX is singular."""
    rng = np.random.default_rng(seed)
    a, z = rng.normal(size=n), rng.normal(size=n)
    y = 1.5 * a + 0.6 * z + rng.normal(0, 0.3, n)
    x = np.column_stack([a, a, z])
    return x, y, to_csv(["a", "b", "z", "y"], np.column_stack([x, y]))


def textbook_loop(x: np.ndarray, y: np.ndarray, rate: float, steps: int) -> list[np.ndarray]:
    """w -= lr*dw; b -= lr*db on J = (1/n)Σ(ŷ − y)², from zeros: [b, *w] at every step."""
    n = len(y)
    w, b = np.zeros(x.shape[1]), 0.0
    path = [np.array([b, *w])]
    for _ in range(steps):
        residual = x @ w + b - y
        w = w - rate * (2 / n) * x.T @ residual
        b = b - rate * (2 / n) * residual.sum()
        path.append(np.array([b, *w]))
    return path


def stable_rate(x: np.ndarray) -> float:
    """2/L, L the largest eigenvalue of the Hessian (2/n)XᵀX with X's column of ones."""
    design = np.column_stack([np.ones(len(x)), x])
    return float(2 / np.linalg.eigvalsh(2 / len(x) * design.T @ design).max())


# --- ridge ------------------------------------------------------------------------------


@pytest.mark.parametrize("lam", [0.5, 2.0, 100.0])
def test_ridge_fits_a_duplicated_column(run, lam):
    x, y, csv = duplicated()
    data = json.loads(run("regress", "-", "--ridge", str(lam), "-f", "json", input=csv).stdout)
    centred, target = x - x.mean(axis=0), y - y.mean()
    slopes = np.linalg.solve(centred.T @ centred + lam * np.eye(3), centred.T @ target)
    intercept = y.mean() - x.mean(axis=0) @ slopes
    np.testing.assert_allclose(list(data["coefficients"].values()), [intercept, *slopes], rtol=1e-9)
    assert data["coefficients"]["a"] == pytest.approx(data["coefficients"]["b"], rel=1e-12)
    assert data["closed_form"] == data["coefficients"]
    (warning,) = data["warnings"]
    assert "'b' is collinear with a (b = 1·a)" in warning and "ridge fits every column" in warning


def test_ridge_on_a_duplicated_column_matches_scikit_learn(run):
    linear_model = pytest.importorskip("sklearn.linear_model")
    x, y, csv = duplicated(4)
    model = linear_model.Ridge(alpha=2.0, solver="svd").fit(x, y)
    data = json.loads(run("regress", "-", "--ridge", "2", "-f", "json", input=csv).stdout)
    estimates = list(data["coefficients"].values())
    assert estimates[0] == pytest.approx(model.intercept_, rel=1e-9)
    np.testing.assert_allclose(estimates[1:], model.coef_, rtol=1e-9)


def test_ridge_gives_a_constant_column_zero(run):
    rng = np.random.default_rng(2)
    a = rng.normal(size=20)
    y = 2 * a + rng.normal(0, 0.1, 20)
    csv = to_csv(["a", "k", "y"], np.column_stack([a, np.full(20, 3.0), y]))
    data = json.loads(run("regress", "-", "--ridge", "1", "-f", "json", input=csv).stdout)
    ac, yc = a - a.mean(), y - y.mean()
    slope = (ac @ yc) / (ac @ ac + 1)
    assert data["coefficients"]["a"] == pytest.approx(slope, rel=1e-10)
    assert data["coefficients"]["k"] == 0
    assert data["coefficients"]["intercept"] == pytest.approx(y.mean() - slope * a.mean())
    assert "'k' is constant (3 in every row)" in data["warnings"][0]


# --- the condition number is X's as read -------------------------------------------------


def test_condition_number_is_that_of_the_design_as_read(run):
    x, y, csv = duplicated()
    data = json.loads(run("regress", "-", "-f", "json", input=csv).stdout)
    design = np.column_stack([np.ones(len(y)), x])
    # Singular: NumPy's is rounding error's reciprocal; mathml's is infinite (null in
    # JSON), as the unit-length columns' inverse does not exist.
    assert np.linalg.cond(design) > 1e14 and np.linalg.matrix_rank(design) == 3
    assert data["condition_number"] is None and data["scaled_condition_number"] is None
    assert not any("condition number" in w for w in data["warnings"])  # the collinearity is named
    full = json.loads(run("regress", "-", "-x", "a,z", "-f", "json", input=csv).stdout)[
        "condition_number"
    ]
    assert full == pytest.approx(np.linalg.cond(design[:, [0, 1, 3]]), rel=1e-9)


# --- gradient descent on the columns as given --------------------------------------------


def test_descent_on_a_duplicated_column_is_the_textbook_loop(run):
    x, y, csv = duplicated()
    data = json.loads(
        run(
            "regress", "-", "-m", "gd", "--lr", "0.3", "--steps", "40", "-f", "json", input=csv
        ).stdout
    )
    path = textbook_loop(x, y, 0.3, 40)
    assert len(data["iterations"]) == 41
    for row, expected in zip(data["iterations"], path, strict=True):
        np.testing.assert_allclose(row["coefficients"], expected, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(list(data["coefficients"].values()), path[-1], rtol=1e-10)
    assert data["descent"]["stable_below"] == pytest.approx(stable_rate(x), rel=1e-9)


def test_descent_on_a_duplicated_column_heads_for_the_least_norm_solution(run):
    x, y, csv = duplicated()
    data = json.loads(
        run("regress", "-", "-m", "gd", "--lr", "0.3", "-f", "json", input=csv).stdout
    )
    design = np.column_stack([np.ones(len(y)), x])
    least_norm = np.linalg.pinv(design) @ y
    descent = data["descent"]
    assert descent["status"] == "converged"
    np.testing.assert_allclose(list(data["coefficients"].values()), least_norm, rtol=1e-9)
    np.testing.assert_allclose(descent["closed_form"], least_norm, rtol=1e-9)
    np.testing.assert_allclose(list(data["closed_form"].values()), least_norm, rtol=1e-9)
    assert list(descent["relative_differences"]) == ["intercept", "a", "b", "z"]
    assert all(v is None for v in data["std_errors"].values())  # XᵀX is singular
    # R² is the least-squares fit's, which every solution shares.
    model = sm.OLS(y, design[:, [0, 1, 3]]).fit()
    assert data["r_squared"] == pytest.approx(model.rsquared, rel=1e-10)
    text = run("regress", "-", "-m", "gd", "--lr", "0.3", input=csv).stdout
    assert "against the least-squares solution of least norm" in text
    assert "heads for the one of least norm" in text


def test_a_rate_above_two_over_l_of_the_columns_as_given_diverges(run):
    x, y, csv = duplicated()
    limit = stable_rate(x)  # 0.69 here: the duplicated column doubles a's curvature
    assert limit < 0.8
    data = json.loads(
        run("regress", "-", "-m", "gd", "--lr", "0.8", "-f", "json", input=csv).stdout
    )
    assert data["descent"]["status"] == "diverged"
    assert data["descent"]["stable_below"] == pytest.approx(limit, rel=1e-9)


def test_standardised_descent_with_a_duplicated_and_a_constant_column(run):
    rng = np.random.default_rng(8)
    a, z = rng.normal(5, 2, 40), rng.normal(-3, 1, 40)
    y = a - 2 * z + rng.normal(0, 0.2, 40)
    x = np.column_stack([a, a, z, np.full(40, 7.0)])
    csv = to_csv(["a", "b", "z", "k", "y"], np.column_stack([x, y]))
    data = json.loads(
        run(
            "regress",
            "-",
            "-m",
            "gd",
            "--standardize",
            "--lr",
            "0.2",
            "--steps",
            "30",
            "-f",
            "json",
            input=csv,
        ).stdout
    )
    spread = x.std(axis=0)
    spread[spread == 0] = 1.0  # a constant column is only centred
    features = (x - x.mean(axis=0)) / spread
    path = textbook_loop(features, y, 0.2, 30)
    for row, theta in zip(data["iterations"], path, strict=True):
        slopes = theta[1:] / spread
        expected = [theta[0] - x.mean(axis=0) @ slopes, *slopes]
        np.testing.assert_allclose(row["coefficients"], expected, rtol=1e-9, atol=1e-12)
    assert data["coefficients"]["k"] == 0


def test_a_rate_just_above_two_over_l_is_called_diverging(run):
    rng = np.random.default_rng(0)
    x = np.linspace(0, 1, 50)
    y = 2 * x + 1 + rng.normal(0, 0.1, 50)
    csv = to_csv(["x", "y"], np.column_stack([x, y]))
    limit = stable_rate(x[:, None])
    rate = limit * 1.015  # the error grows by 3% a step: still small after 50 steps
    args = ("regress", "-", "-m", "gd", "--lr", repr(rate), "--steps", "50")
    data = json.loads(run(*args, "-f", "json", input=csv).stdout)
    assert data["descent"]["status"] == "diverged" and data["descent"]["steps"] == 50
    path = textbook_loop(x[:, None], y, rate, 50)
    np.testing.assert_allclose(list(data["coefficients"].values()), path[-1], rtol=1e-9)
    text = words(run(*args, input=csv).stdout)
    assert "Diverging: the learning rate" in text and f"below {limit:.3g}" in text
    assert "raise --steps" not in text


def test_stopped_early_says_which_setting_helps(run):
    x, y, csv = duplicated()
    limit = stable_rate(x)
    slow = words(
        run("regress", "-", "-m", "gd", "--lr", "0.001", "--steps", "20", input=csv).stdout
    )
    assert "Stopped after --steps 20 without converging: raise --lr" in slow
    near = words(
        run(
            "regress", "-", "-m", "gd", "--lr", repr(limit * 0.9), "--steps", "20", input=csv
        ).stdout
    )
    assert "Stopped after --steps 20 without converging: raise --steps, or standardise" in near


def test_standardised_divergence_names_the_standardised_hessian(run):
    x, y, csv = duplicated()
    text = words(run("regress", "-", "-m", "gd", "--standardize", "--lr", "5", input=csv).stdout)
    assert "Diverged at step" in text and "(2/n)ZᵀZ of the standardised design" in text


# --- prediction after descent -------------------------------------------------------------


def test_prediction_after_descent_has_intervals_only_where_it_reached_least_squares(run):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(40, 2))
    y = 1 + x @ [2.0, -1.0] + rng.normal(0, 0.5, 40)
    csv = to_csv(["a", "b", "y"], np.column_stack([x, y]))
    point = "a=0.5,b=-1"
    model = sm.OLS(y, sm.add_constant(x)).fit()
    frame = model.get_prediction(np.array([[1.0, 0.5, -1.0]])).summary_frame(alpha=0.05)
    converged = json.loads(
        run(
            "regress", "-", "-m", "gd", "--lr", "0.3", "--predict", point, "-f", "json", input=csv
        ).stdout
    )["prediction"]
    assert converged["value"] == pytest.approx(float(frame["mean"].iloc[0]), rel=1e-9)
    assert converged["conf_int"][0] == pytest.approx(float(frame["mean_ci_lower"].iloc[0]))
    assert converged["pred_int"][1] == pytest.approx(float(frame["obs_ci_upper"].iloc[0]))
    args = ("regress", "-", "-m", "gd", "--lr", "0.01", "--steps", "5", "--predict", point)
    short = json.loads(run(*args, "-f", "json", input=csv).stdout)
    coefficients = short["coefficients"]
    assert short["prediction"]["value"] == pytest.approx(
        coefficients["intercept"] + 0.5 * coefficients["a"] - coefficients["b"]
    )
    assert short["prediction"]["conf_int"] == [None, None]
    assert "No intervals: they are about the least-squares estimate" in run(*args, input=csv).stdout


# --- every format, on every kind of run above ------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    options=st.sampled_from(
        [
            ("--ridge", "2"),
            ("--ridge", "0"),
            ("-m", "gd", "--lr", "0.3"),
            ("-m", "gd", "--lr", "0.8"),
            ("-m", "gd", "--lr", "0.001", "--steps", "30", "--predict", "a=1,b=1,z=0"),
            ("-m", "gd", "--standardize", "--lr", "0.1", "--steps", "100"),
        ]
    ),
    output=st.sampled_from(FORMATS),
    seed=st.integers(0, 50),
)
def test_every_format_of_singular_designs(options, output, seed):
    from mathml_cli.cli import app

    run = partial(CliRunner().invoke, app)
    _, _, csv = duplicated(seed)
    result = run(
        [
            "regress",
            "-",
            *options,
            "--plot" if output in ("text", "html") else "--brief",
            "-f",
            output,
        ],
        input=csv,
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip()
    if output == "json":
        json.loads(result.stdout)


def test_ordinals():
    assert [_ordinal(k) for k in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 112)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
        "112th",
    ]


def test_the_python_api_takes_the_same_settings(tmp_path):
    from mathml_cli import api
    from mathml_cli.errors import InputError

    _, _, csv = duplicated()
    path = tmp_path / "dup.csv"
    path.write_text(csv)
    with pytest.raises(InputError, match="--lr is gradient descent's"):
        api.regress(str(path), lr=0.2)
    ridge = api.regress(str(path), ridge=2).to_dict()
    assert ridge["coefficients"]["b"] == pytest.approx(ridge["coefficients"]["a"], rel=1e-12)


@pytest.mark.parametrize(("above", "slowly"), [(1.015, True), (1.5, False)])
def test_a_diverging_rate_says_how_fast_the_error_grows(run, above, slowly):
    rng = np.random.default_rng(0)
    x = np.linspace(0, 1, 50)
    y = 2 * x + 1 + rng.normal(0, 0.1, 50)
    csv = to_csv(["x", "y"], np.column_stack([x, y]))
    limit = stable_rate(x[:, None])
    args = ("regress", "-", "-m", "gd", "--lr", repr(limit * above), "--steps", "20")
    text = words(run(*args, input=csv).stdout)
    growth = abs(1 - limit * above * 2 / limit)  # L = 2/limit
    assert f"|1 − αL| = {growth:.4g}" in text
    assert ("slowly, but it never converges" in text) is slowly
