"""`mathml regress` on NIST's reference datasets, and the models beside OLS.

The NIST StRD linear-regression files live in ../shared/nist-strd (never copied
here); those tests skip when the folder is absent. The certified values are
NIST's; accuracy is counted as NIST does, in correct significant digits
(LRE = −log10 of the relative error, 15 for an exact match).
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from mathml_cli.core import lstsq
from mathml_cli.core import table as table_module
from mathml_cli.core.regress import regress
from mathml_cli.core.table import CsvTable
from mathml_cli.render import regress as render_module
from mathml_cli.render.output import OutputFormat, write_view

ROOT = Path(__file__).resolve().parent.parent
NIST = ROOT.parent / "shared" / "nist-strd"
DATASETS = [
    "Norris",
    "Pontius",
    "NoInt1",
    "NoInt2",
    "Filip",
    "Longley",
    "Wampler1",
    "Wampler2",
    "Wampler3",
    "Wampler4",
    "Wampler5",
]
needs_nist = pytest.mark.skipif(not NIST.is_dir(), reason="../shared/nist-strd is absent")


def digits(estimate: float | None, certified: str) -> float:
    """Correct significant digits of `estimate` (absolute ones when the truth is 0)."""
    truth = float(certified)
    if estimate is None or not math.isfinite(estimate):
        return 0.0
    error = abs(estimate - truth) / abs(truth) if truth else abs(estimate)
    return 15.0 if error == 0 else max(0.0, min(15.0, -math.log10(error)))


def nist_digits(run, name: str) -> tuple[dict[str, float], dict]:
    certified = json.loads((NIST / f"{name}.json").read_text())
    args = ["regress", str(NIST / f"{name}.csv"), "--target", "y", "--format", "json"]
    if not certified["intercept"]:
        args.append("--no-intercept")
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    names = list(certified["coefficients"])
    found = {
        "coefficients": min(
            digits(data["coefficients"][k], certified["coefficients"][k]) for k in names
        ),
        "std_errors": min(digits(data["std_errors"][k], certified["std_errors"][k]) for k in names),
        "residual_sd": digits(data["residual_std_error"], certified["residual_sd"]),
        "r_squared": digits(data["r_squared"], certified["r_squared"]),
    }
    return found, data


@needs_nist
@pytest.mark.parametrize("name", DATASETS)
def test_nist_certified_values_to_eight_digits(run, name):
    found, data = nist_digits(run, name)
    # Filip's CSV holds x²…x¹⁰ rounded to doubles, which moves the exact least-squares
    # coefficients in their 8th digit (README of nist-strd: 7.66 attainable).
    wanted = {"coefficients": 7.0 if name == "Filip" else 8.0}
    for quantity, value in found.items():
        assert value >= wanted.get(quantity, 8.0), (name, quantity, value)
    # And what an exact solver reaches on the CSV's doubles, as make_nist.py measured it
    # with its own rational arithmetic: within rounding of the last digit.
    attainable = json.loads((NIST / f"{name}.json").read_text())["attainable"]
    keys = {"coefficients": "coef", "std_errors": "se", "residual_sd": "rsd", "r_squared": "r2"}
    for quantity, key in keys.items():
        assert found[quantity] >= attainable[key] - 0.3, (name, quantity, found, attainable)
    assert data["exact"] is True
    assert "exact rational arithmetic" in data["algorithm"]
    assert data["r_squared_kind"] == ("uncentred" if name.startswith("NoInt") else "centred")
    if name == "Filip":
        # Nearly singular, yet every feature is fitted, with the condition-number warning.
        assert all(v is not None for v in data["coefficients"].values())
        assert any("condition number of X is 1.77e+15" in w for w in data["warnings"])


@needs_nist
@pytest.mark.parametrize("name", DATASETS)
def test_nist_with_the_streamed_qr_alone(run, name, monkeypatch):
    # What a table too large for the exact solve gets: the streamed Householder QR.
    monkeypatch.setattr(lstsq, "EXACT_WORK", 0)
    found, data = nist_digits(run, name)
    assert data["exact"] is False and "Householder QR" in data["algorithm"]
    # Measured: coefficients 5.9 (Wampler5, as statsmodels), 7.5 (Filip), 7.9 (Wampler4),
    # 9 and more for the others; the rest at least 7.6 (Filip).
    assert found["coefficients"] >= (5.5 if name == "Wampler5" else 7.0), found
    assert min(found["std_errors"], found["residual_sd"], found["r_squared"]) >= 7.5, found


def test_a_duplicated_column_is_still_named_as_collinear(run):
    rng = np.random.default_rng(3)
    x = rng.normal(size=30)
    y = 1 + 2 * x + rng.normal(size=30)
    lines = [
        "a,copy,y",
        *(f"{float(a)!r},{float(a)!r},{float(b)!r}" for a, b in zip(x, y, strict=True)),
    ]
    data = json.loads(run("regress", "-", "-f", "json", input="\n".join(lines)).stdout)
    assert data["coefficients"]["copy"] is None
    assert any(
        "'copy' is collinear with a (copy = 1·a)" in w and "(drop it or a with --features)" in w
        for w in data["warnings"]
    )


def to_csv(names: list[str], columns: np.ndarray) -> str:
    lines = [",".join(names)] + [",".join(repr(float(v)) for v in row) for row in columns]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("exact", [True, False])
def test_no_intercept_matches_statsmodels_without_a_constant(run, exact, monkeypatch):
    if not exact:
        monkeypatch.setattr(lstsq, "EXACT_WORK", 0)
    rng = np.random.default_rng(8)
    x = rng.normal(3, 1, size=(50, 2))
    y = x @ [1.5, -0.5] + rng.normal(0, 0.3, 50)
    result = run(
        "regress",
        "-",
        "--no-intercept",
        "-f",
        "json",
        input=to_csv(["a", "b", "y"], np.column_stack([x, y])),
    )
    data = json.loads(result.stdout)
    model = sm.OLS(y, x).fit()
    assert list(data["coefficients"]) == ["a", "b"]
    np.testing.assert_allclose(list(data["coefficients"].values()), model.params, rtol=1e-10)
    np.testing.assert_allclose(list(data["std_errors"].values()), model.bse, rtol=1e-9)
    np.testing.assert_allclose(list(data["p_values"].values()), model.pvalues, rtol=1e-6)
    assert data["r_squared"] == pytest.approx(model.rsquared, rel=1e-12)  # uncentred
    assert data["adj_r_squared"] == pytest.approx(model.rsquared_adj, rel=1e-10)
    assert data["f_statistic"] == pytest.approx(model.fvalue, rel=1e-9)
    assert data["log_likelihood"] == pytest.approx(model.llf, rel=1e-10)
    assert data["aic"] == pytest.approx(model.aic, rel=1e-10)
    assert data["df_model"] == model.df_model and data["df_resid"] == model.df_resid
    assert data["condition_number"] == pytest.approx(model.condition_number, rel=1e-6)
    text = run(
        "regress", "-", "--no-intercept", input=to_csv(["a", "b", "y"], np.column_stack([x, y]))
    ).stdout
    assert "no intercept" in text and "R² (uncentred)" in text and "uncentred one" in text


def ridge_data(seed: int = 5):
    rng = np.random.default_rng(seed)
    x = rng.normal(10, 3, size=(60, 3))
    x[:, 2] = x[:, 0] + rng.normal(0, 0.5, 60)  # nearly collinear: where ridge matters
    y = 4 + x @ [1.0, -2.0, 0.5] + rng.normal(0, 1, 60)
    return x, y


@pytest.mark.parametrize("lam", [0.0, 0.5, 10.0, 1000.0])
def test_ridge_matches_a_direct_solve(run, lam):
    x, y = ridge_data()
    data = json.loads(
        run(
            "regress",
            "-",
            "--ridge",
            str(lam),
            "-f",
            "json",
            input=to_csv(["a", "b", "c", "y"], np.column_stack([x, y])),
        ).stdout
    )
    # (XᵀX + λI')β = Xᵀy with I' = I but 0 for the intercept, solved directly.
    design = np.column_stack([np.ones(len(y)), x])
    penalty = lam * np.diag([0.0, 1.0, 1.0, 1.0])
    beta = np.linalg.solve(design.T @ design + penalty, design.T @ y)
    np.testing.assert_allclose(list(data["coefficients"].values()), beta, rtol=1e-8)
    if lam == 0:  # least squares itself, so its standard errors and F-test are given
        model = sm.OLS(y, design).fit()
        assert data["ridge"] is None
        assert "--ridge 0 is ordinary least squares" in data["warnings"][0]
        np.testing.assert_allclose(list(data["std_errors"].values()), model.bse, rtol=1e-8)
        assert data["f_statistic"] == pytest.approx(model.fvalue, rel=1e-8)
    else:
        assert all(v is None for v in data["std_errors"].values())
        assert data["f_statistic"] is None
    residuals = y - design @ beta
    assert data["r_squared"] == pytest.approx(
        1 - residuals @ residuals / np.sum((y - y.mean()) ** 2), rel=1e-10
    )
    np.testing.assert_allclose(
        np.array(data["normal_equation"]["xtx"]), design.T @ design + penalty, rtol=1e-10
    )


def test_ridge_matches_scikit_learn(run):
    linear_model = pytest.importorskip("sklearn.linear_model")
    x, y = ridge_data(6)
    for lam in (0.1, 3.0, 300.0):
        model = linear_model.Ridge(alpha=lam, fit_intercept=True, solver="cholesky").fit(x, y)
        data = json.loads(
            run(
                "regress",
                "-",
                "--ridge",
                str(lam),
                "-f",
                "json",
                input=to_csv(["a", "b", "c", "y"], np.column_stack([x, y])),
            ).stdout
        )
        coefficients = list(data["coefficients"].values())
        assert coefficients[0] == pytest.approx(model.intercept_, rel=1e-8)
        np.testing.assert_allclose(coefficients[1:], model.coef_, rtol=1e-8)
        assert data["r_squared"] == pytest.approx(model.score(x, y), rel=1e-10)


def test_ridge_text_says_what_lambda_does(run):
    x, y = ridge_data()
    text = run(
        "regress", "-", "--ridge", "10", input=to_csv(["a", "b", "c", "y"], np.column_stack([x, y]))
    ).stdout
    assert "method: ridge, λ = 10" in text
    assert "XᵀX + λI'" in text and "(Sxx + λI)" in text
    assert "pulls every slope towards 0" in text and "no longer apply" in text


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--ridge", "-1"], "--ridge must be a finite number >= 0"),
        (["--ridge", "inf"], "--ridge must be a finite number >= 0, got inf"),
        (["--ridge", "nan"], "--ridge must be a finite number >= 0"),
        (["--ridge", "1", "--method", "gd"], "--ridge works with --method normal"),
        (["--standardize"], "--standardize applies to --method gd only"),
        (["--method", "gd", "--standardize", "--no-intercept"], "needs an intercept"),
        (["--method", "gd", "--every", "0"], "--every must be at least 1"),
    ],
)
def test_bad_model_options(run, args, fragment):
    result = run("regress", str(ROOT / "docs" / "data" / "study.csv"), *args)
    assert result.exit_code == 2 and fragment in result.stderr and result.stdout == ""


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(6, 120),
    p=st.integers(1, 4),
    exact=st.booleans(),
    intercept=st.booleans(),
)
def test_fits_match_statsmodels_by_either_algorithm(seed, n, p, exact, intercept):
    rng = np.random.default_rng(seed)
    x = rng.normal(rng.uniform(-100, 100), rng.uniform(0.1, 10), size=(n, p))
    y = x @ rng.normal(size=p) + rng.normal(0, 1, n) + (3.0 if intercept else 0.0)
    table = CsvTable(io.BytesIO(to_csv([*"abcd"[:p], "y"], np.column_stack([x, y])).encode()), "t")
    with pytest.MonkeyPatch.context() as patch:
        if not exact:
            patch.setattr(lstsq, "EXACT_WORK", 0)
        result = regress(table, intercept=intercept)
    model = sm.OLS(y, sm.add_constant(x, has_constant="add") if intercept else x).fit()
    assert result.exact is exact
    rtol = 1e-9 if exact else 1e-7
    np.testing.assert_allclose([c.estimate for c in result.coefficients], model.params, rtol=rtol)
    np.testing.assert_allclose([c.std_error for c in result.coefficients], model.bse, rtol=rtol)
    assert result.r_squared == pytest.approx(model.rsquared, rel=rtol, abs=1e-12)
    assert result.residual_std_error == pytest.approx(math.sqrt(model.scale), rel=rtol)
    # Every output format renders it.
    for fmt in ("text", "latex", "markdown", "html"):
        assert write_view(OutputFormat(fmt), render_module.view(result))
    json.dumps(render_module.data(result), allow_nan=True)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(5, 80), lam=st.floats(0.0, 1e4))
def test_ridge_matches_the_direct_solve_for_any_lambda(seed, n, lam):
    rng = np.random.default_rng(seed)
    x = rng.normal(5, 2, size=(n, 2))
    y = 1 + x @ [2.0, -1.0] + rng.normal(0, 1, n)
    table = CsvTable(io.BytesIO(to_csv(["a", "b", "y"], np.column_stack([x, y])).encode()), "t")
    result = regress(table, ridge=lam)
    for fmt in ("text", "latex", "markdown", "html"):
        assert write_view(OutputFormat(fmt), render_module.view(result))
    design = np.column_stack([np.ones(n), x])
    beta = np.linalg.solve(design.T @ design + lam * np.diag([0.0, 1, 1]), design.T @ y)
    np.testing.assert_allclose(
        [c.estimate for c in result.coefficients], beta, rtol=1e-8, atol=1e-10
    )


@pytest.mark.parametrize("block_bytes", [997, 1 << 14])
def test_streamed_qr_over_many_blocks_matches_statsmodels(monkeypatch, block_bytes):
    # Small blocks take Householder; blocks of a few hundred rows take CholeskyQR2.
    monkeypatch.setattr(table_module, "BLOCK_BYTES", block_bytes)
    monkeypatch.setattr(lstsq, "EXACT_WORK", 0)
    rng = np.random.default_rng(11)
    x = rng.normal(1e4, 0.5, size=(3000, 3)) + rng.normal(size=(3000, 1)) * 0.2
    y = 2 + x @ [0.5, -1.0, 2.0] + rng.normal(0, 1, 3000)
    text = "a,b,c,y\n" + "\n".join(
        ",".join(f"{v:.6f}" for v in row) for row in np.column_stack([x, y])
    )
    result = regress(CsvTable(io.BytesIO(text.encode()), "t"))
    parsed = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1)
    model = sm.OLS(parsed[:, -1], sm.add_constant(parsed[:, :-1])).fit()
    assert not result.exact
    np.testing.assert_allclose(
        [c.estimate for c in result.coefficients][1:], model.params[1:], rtol=1e-8
    )
    np.testing.assert_allclose([c.std_error for c in result.coefficients], model.bse, rtol=1e-8)
    assert result.r_squared == pytest.approx(model.rsquared, rel=1e-10)


def test_prediction_without_an_intercept_and_with_ridge(run):
    path = ROOT / "docs" / "data" / "study.csv"
    values = np.loadtxt(path, delimiter=",", skiprows=1)
    model = sm.OLS(values[:, 1], values[:, :1]).fit()
    frame = model.get_prediction(np.array([[3.0]])).summary_frame(alpha=0.05)
    data = json.loads(
        run("regress", str(path), "--no-intercept", "--predict", "hours=3", "-f", "json").stdout
    )
    assert data["prediction"]["value"] == pytest.approx(frame["mean"][0], rel=1e-12)
    np.testing.assert_allclose(
        data["prediction"]["pred_int"],
        [frame["obs_ci_lower"][0], frame["obs_ci_upper"][0]],
        rtol=1e-9,
    )
    text = run("regress", str(path), "--no-intercept", "--predict", "hours=3").stdout
    assert "ŷ = β(hours)·hours\n" in text and "β₀" not in text.split("Prediction")[1]
    ridge = json.loads(
        run("regress", str(path), "--ridge", "5", "--predict", "hours=3", "-f", "json").stdout
    )
    coefficients = ridge["coefficients"]
    assert ridge["prediction"]["value"] == pytest.approx(
        coefficients["intercept"] + 3 * coefficients["hours"]
    )
    assert ridge["prediction"]["conf_int"] == [None, None]


@pytest.mark.parametrize("spread", [1.0, 1e-3, 1e-9])
def test_block_factor_agrees_with_householder(spread):
    # Well-conditioned blocks take CholeskyQR2, nearly collinear ones Householder: either
    # way RᵀR = AᵀA for A = block·D⁻¹, and R matches NumPy's QR up to the signs of rows.
    rng = np.random.default_rng(1)
    base = rng.normal(size=(3000, 1))
    block = np.column_stack(
        [base, base + spread * rng.normal(size=(3000, 1)), rng.normal(size=(3000, 2))]
    )
    scale = np.array([1.0, 2.0, 0.5, 4.0])
    factor = lstsq.block_factor(block, scale)
    reference = np.linalg.qr(block / scale, mode="r")
    signs = np.sign(np.diag(factor)) * np.sign(np.diag(reference))
    np.testing.assert_allclose(factor * signs[:, None], reference, rtol=1e-10, atol=1e-12)
    assert np.allclose(np.tril(factor, -1), 0)


@pytest.mark.parametrize("noise", [1.0, 1e-4, 1e-8, 1e-11])
def test_block_factor_of_a_target_the_features_nearly_explain(noise):
    # A good fit makes the block ill-conditioned through its last column alone: the
    # unexplained part (R's last entry) is then measured from the residual, and must
    # agree with Householder's to many digits even when it is 1e-11 of the target.
    rng = np.random.default_rng(3)
    features = rng.normal(size=(3000, 3)) * [1.0, 10.0, 0.1]
    target = features @ [2.0, -0.3, 5.0] + noise * rng.normal(size=3000)
    block = np.column_stack([features, target])
    scale = np.array([1.0, 10.0, 0.1, 3.0])
    factor = lstsq.block_factor(block, scale)
    reference = np.linalg.qr(block / scale, mode="r")
    signs = np.sign(np.diag(factor)) * np.sign(np.diag(reference))
    np.testing.assert_allclose(
        (factor * signs[:, None])[:-1], reference[:-1], rtol=1e-10, atol=1e-12
    )
    assert abs(factor[-1, -1]) == pytest.approx(abs(reference[-1, -1]), rel=1e-6)
    assert np.allclose(np.tril(factor, -1), 0)


def test_the_text_names_the_algorithm(run, monkeypatch):
    path = str(ROOT / "docs" / "data" / "houses.csv")
    assert "Computed by: exact rational arithmetic" in run("regress", path, "--brief").stdout
    monkeypatch.setattr(lstsq, "EXACT_WORK", 0)
    streamed = run("regress", path, "--brief").stdout
    assert "Computed by: Householder QR of the centred and scaled columns" in streamed
    ridge = run("regress", path, "--ridge", "1", "--brief").stdout
    assert "Computed by: Householder QR of the centred columns stacked over √λ·I" in ridge
    descent = run("regress", path, "--method", "gd", "--standardize", "--brief").stdout
    assert "Closed form computed by:" in descent
