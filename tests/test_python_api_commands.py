"""The Python API of stats, normal, bayes, explain, eigen and pca: each against an
independent oracle (NumPy, SciPy, pandas, the statistics module, exact fractions),
against the CLI it mirrors (the same JSON, text and errors), and the numbers of
docs/python.md recomputed by the oracles. Also descend's option checks, shared by
the CLI and the API."""

from __future__ import annotations

import json
import math
import statistics
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.special import expit
from scipy.stats import norm

from mathml_cli import (
    MathmlError,
    backprop,
    bayes,
    derive,
    descend,
    eigen,
    explain,
    normal,
    pca,
    regress,
    stats,
)

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "docs" / "data" / "study.csv"
IRIS = ROOT / "docs" / "data" / "iris.csv"
SCORES = [85, 92, 78, 95, 88]
# The run fixture keeps no state between calls, so hypothesis may reuse it.
STATELESS_RUN = [HealthCheck.function_scoped_fixture]
FINITE = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


# --- each function against an independent oracle -----------------------------


@pytest.mark.parametrize(
    "values", [SCORES, tuple(SCORES), np.array(SCORES), "85 92 78 95 88", ["85", "92,78", "95 88"]]
)
def test_stats_of_numbers_against_the_statistics_module(values):
    column = stats(values).to_dict()["columns"][0]
    assert column["mean"] == pytest.approx(statistics.fmean(SCORES), rel=1e-15)
    assert column["sample_variance"] == pytest.approx(statistics.variance(SCORES), rel=1e-14)
    assert column["population_variance"] == pytest.approx(statistics.pvariance(SCORES), rel=1e-14)
    assert column["median"] == statistics.median(SCORES)
    assert column["q1"] == np.percentile(SCORES, 25) and column["q3"] == np.percentile(SCORES, 75)


def test_stats_of_a_dataframe_an_array_and_a_path_against_pandas():
    frame = pd.read_csv(STUDY)
    from_frame = stats(frame).to_dict()
    assert [c["name"] for c in from_frame["columns"]] == list(frame.columns)
    np.testing.assert_allclose(from_frame["covariance"], frame.cov().to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(from_frame["correlation"], frame.corr().to_numpy(), rtol=1e-12)
    from_path = stats(STUDY).to_dict()
    assert from_path["source"] == str(STUDY) and from_frame["source"] == "the DataFrame"
    assert {**from_path, "source": None} == {**from_frame, "source": None}
    from_array = stats(frame.to_numpy()).to_dict()
    assert [c["name"] for c in from_array["columns"]] == ["column1", "column2"]
    np.testing.assert_allclose(from_array["covariance"], frame.cov().to_numpy(), rtol=1e-12)
    only = stats(frame, column="score").to_dict()["columns"]
    assert [c["name"] for c in only] == ["score"]
    assert only[0]["sample_std"] == pytest.approx(frame["score"].std(), rel=1e-14)


def test_normal_against_scipy():
    result = normal(mean=100, std=15, x=130, between=("85", 115), p=0.9).to_dict()
    assert result["at"]["density"] == pytest.approx(norm.pdf(130, 100, 15), rel=1e-13)
    assert result["at"]["cdf"] == pytest.approx(norm.cdf(130, 100, 15), rel=1e-13)
    assert result["at"]["upper_tail"] == pytest.approx(norm.sf(130, 100, 15), rel=1e-12)
    expected = norm.cdf(115, 100, 15) - norm.cdf(85, 100, 15)
    assert result["between"]["probability"] == pytest.approx(expected, rel=1e-13)
    assert result["quantile"]["x"] == pytest.approx(norm.ppf(0.9, 100, 15), rel=1e-13)


@pytest.mark.parametrize("form", ["list", "array", "path", "frame"])
def test_normal_fit_against_numpy(form):
    frame = pd.read_csv(STUDY)
    scores = frame["score"].to_numpy(dtype=float)
    data = {
        "list": scores.tolist(),
        "array": scores,
        "path": str(STUDY),
        "frame": frame,
    }[form]
    column = "score" if form in ("path", "frame") else None
    fitted = normal(fit=data, column=column, x=70).to_dict()
    assert fitted["fit"]["mean"] == pytest.approx(scores.mean(), rel=1e-14)
    assert fitted["fit"]["std"] == pytest.approx(scores.std(), rel=1e-14)
    expected = norm.logpdf(scores, scores.mean(), scores.std()).sum()
    assert fitted["fit"]["log_likelihood"] == pytest.approx(expected, rel=1e-12)


def _posterior(prior: Fraction, likelihood: Fraction, false_alarm: Fraction) -> Fraction:
    return likelihood * prior / (likelihood * prior + false_alarm * (1 - prior))


@pytest.mark.parametrize(
    "prior", [0.01, "0.01", "1/100", Fraction(1, 100)], ids=["float", "text", "ratio", "fraction"]
)
def test_bayes_against_exact_fractions(prior):
    result = bayes(prior, 0.9, false_alarm=0.05, times=3)
    current = Fraction(1, 100)
    for update in result.updates:
        current = _posterior(current, Fraction(9, 10), Fraction(1, 20))
        assert update.posterior == current
    assert result.posterior == Fraction(2, 13)
    # P(B) given instead: P(B|¬A) follows from total probability.
    with_evidence = bayes("1/1000", 0.99, evidence=0.02)
    assert with_evidence.posterior == Fraction(99, 100) * Fraction(1, 1000) / Fraction(2, 100)


def test_explain_against_scipy_and_finite_differences():
    xs = [-3.0, -0.5, 0.0, 1.25]
    sigmoid = explain("sigmoid", at=xs).to_dict()
    for row, x in zip(sigmoid["values"], xs, strict=True):
        assert row["value"] == pytest.approx(expit(x), rel=1e-14)
        assert row["derivative"] == pytest.approx(expit(x) * (1 - expit(x)), rel=1e-12)
    leaky = explain("leaky_relu", param={"a": 0.2}, at="-2,3").to_dict()["values"]
    assert [row["value"] for row in leaky] == [-0.4, 3.0]
    huber = explain("huber", param="delta=2", at=[{"yhat": 5, "y": 1}, "yhat=1.5,y=1"])

    def loss(yhat, y, delta=2.0):
        r = abs(yhat - y)
        return 0.5 * r * r if r <= delta else delta * (r - 0.5 * delta)

    for row in huber.to_dict()["values"]:
        yhat, y, h = row["point"]["yhat"], row["point"]["y"], 1e-6
        assert row["value"] == pytest.approx(loss(yhat, y), rel=1e-14)
        slope = (loss(yhat + h, y) - loss(yhat - h, y)) / (2 * h)
        assert row["derivative"] == pytest.approx(slope, rel=1e-7)


def test_explain_compare_and_list():
    points = [-1.0, 0.5, 2.0]
    for names in ("relu,gelu", ["relu", "gelu"]):
        comparison = explain(names, compare=True, at=points).to_dict()
        gelu = next(entry for entry in comparison["entries"] if entry["name"] == "gelu")
        assert comparison["points"] == points
        for value, slope, x in zip(gelu["values"], gelu["derivatives"], points, strict=True):
            assert value == pytest.approx(x * norm.cdf(x), rel=1e-13)
            assert slope == pytest.approx(norm.cdf(x) + x * norm.pdf(x), rel=1e-12)
    listed = explain(list=True, category="loss")
    assert {entry["category"] for entry in listed.to_dict()["entries"]} == {"loss"}
    assert "catalogue of" in repr(listed)


def test_eigen_against_numpy():
    rng = np.random.default_rng(7)
    a = rng.normal(size=(5, 5))
    symmetric = a + a.T
    values = [v["real"] for v in eigen(symmetric).to_dict()["eigenvalues"]]
    np.testing.assert_allclose(sorted(values), np.linalg.eigvalsh(symmetric), rtol=1e-10)
    rotation = eigen([[0, -1], [1, 0]]).to_dict()["eigenvalues"]
    found = sorted((v["real"], v["imag"]) for v in rotation)
    oracle = np.linalg.eigvals(np.array([[0.0, -1.0], [1.0, 0.0]]))
    assert found == sorted((z.real, z.imag) for z in oracle.tolist())
    m = np.array([[4.0, 1.0, 2.0], [1.0, 3.0, 0.0], [2.0, 0.0, 5.0]])
    power = eigen(m, power=200, start=[1, 0, 0]).to_dict()["power"]
    assert power["dominant"] == pytest.approx(np.linalg.eigvalsh(m).max(), rel=1e-10)


@pytest.mark.parametrize("form", ["path", "frame", "array"])
def test_pca_against_the_svd(form, tmp_path):
    frame = pd.read_csv(IRIS)
    values = frame.to_numpy(dtype=float)
    data = {"path": IRIS, "frame": frame, "array": values}[form]
    target = tmp_path / "scores.csv"
    result = pca(data, components=3, scores=str(target)).to_dict()
    centred = values - values.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    variances = singular**2 / (len(values) - 1)
    np.testing.assert_allclose([c["variance"] for c in result["components"]], variances, rtol=1e-9)
    loadings = np.array([c["loadings"] for c in result["components"]])
    np.testing.assert_allclose(np.abs(loadings), np.abs(vt), atol=1e-9)  # up to sign
    written = np.loadtxt(target, delimiter=",", skiprows=1)
    np.testing.assert_allclose(written, centred @ loadings[:3].T, atol=1e-9)
    assert result["scores_file"] == str(target)
    names = list(frame.columns) if form != "array" else ["x1", "x2", "x3", "x4"]
    assert result["columns"] == names


def test_pca_standardized_columns_against_the_correlation_matrix():
    frame = pd.read_csv(IRIS)
    result = pca(frame, columns="sepal_length,petal_length", standardize=True).to_dict()
    correlation = frame[["sepal_length", "petal_length"]].corr().to_numpy()
    np.testing.assert_allclose(
        [c["variance"] for c in result["components"]],
        np.linalg.eigvalsh(correlation)[::-1],
        rtol=1e-10,
    )


# --- the numbers of docs/python.md, recomputed by the oracles -------------------


def test_python_md_numbers_come_from_oracles():
    """The doctests show that the API prints these numbers; here each is recomputed
    without mathml, so the page cannot drift from the mathematics."""
    page = (ROOT / "docs" / "python.md").read_text()
    study = pd.read_csv(STUDY)
    iris = pd.read_csv(IRIS).to_numpy(dtype=float)
    singular = np.linalg.svd(iris - iris.mean(axis=0), compute_uv=False)
    fit_data = [2.1, 2.5, 1.9, 2.8, 2.2]
    updates, current = [], Fraction(1, 100)
    for _ in range(3):
        current = _posterior(current, Fraction(9, 10), Fraction(1, 20))
        updates.append(str(current))
    posterior = _posterior(Fraction(1, 100), Fraction(9, 10), Fraction(1, 20))
    h = 1e-6
    mse_slope = ((5 + h - 3) ** 2 - (5 - h - 3) ** 2) / (2 * h)
    m = np.array([[4, 1, 2], [1, 3, 0], [2, 0, 5]], dtype=float)
    w, x, b = np.array([[1.0, -2.0], [3.0, 0.5]]), np.array([1.0, 2.0]), np.array([0.5, -1.0])
    mask = (w @ x + b > 0).astype(float)
    expected = [
        # stats
        repr(
            (
                statistics.fmean(SCORES),
                round(statistics.variance(SCORES), 2),
                float(statistics.median(SCORES)),
            )
        ),
        repr(round(float(study.corr().iloc[0, 1]), 4)),
        # normal
        repr(round(float(norm.cdf(115, 100, 15) - norm.cdf(85, 100, 15)), 4)),
        repr(round(float(norm.ppf(0.975)), 4)),
        repr((round(statistics.fmean(fit_data), 4), round(statistics.pstdev(fit_data), 4))),
        # bayes
        f"(Fraction({posterior.numerator}, {posterior.denominator}), {round(float(posterior), 4)})",
        repr(updates),
        # explain
        repr([round(float(expit(x) * (1 - expit(x))), 4) for x in (-2, 0, 2)]),
        repr(round(mse_slope, 6)),
        # eigen
        repr(sorted(np.linalg.eigvalsh(np.array([[2.0, 1.0], [1.0, 2.0]])).tolist(), reverse=True)),
        repr(round(float(np.linalg.eigvalsh(m).max()), 6)),
        # pca
        repr([round(float(s), 4) for s in singular**2 / (singular**2).sum()]),
        # backprop: y = x**2 + 3, dy/dx = 2x at x = 2; and a relu layer by hand
        repr({"x": 2 * 2.0}),
        repr((np.outer(mask, x).tolist(), (w.T @ mask).tolist())),
    ]
    for text in expected:
        assert text in page, text


# --- the API mirrors the CLI: same JSON, same text, same errors ---------------


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (lambda: stats(SCORES), ["stats", *map(str, SCORES)]),
        (lambda: stats(STUDY, column="score"), ["stats", str(STUDY), "--column", "score"]),
        (lambda: normal(x=1.96, p=0.975), ["normal", "--x", "1.96", "--p", "0.975"]),
        (
            lambda: normal(mean=100, std=15, between=(85, 115)),
            ["normal", "--mean", "100", "--std", "15", "--between", "85,115"],
        ),
        (
            lambda: normal(fit=STUDY, column="score", x=70),
            ["normal", "--fit", str(STUDY), "--column", "score", "--x", "70"],
        ),
        (
            lambda: bayes(0.01, 0.9, false_alarm=0.05, times=3, labels=["disease", "positive"]),
            [
                "bayes",
                "--prior",
                "0.01",
                "--likelihood",
                "0.9",
                "--false-alarm",
                "0.05",
                "--times",
                "3",
                "--labels",
                "disease,positive",
            ],
        ),
        (lambda: explain("sigmoid", steps=True), ["explain", "sigmoid", "--steps"]),
        (
            lambda: explain("mse", at={"yhat": 5, "y": 3}),
            ["explain", "mse", "--at", "yhat=5,y=3"],
        ),
        (
            lambda: explain(["relu", "gelu"], compare=True),
            ["explain", "relu,gelu", "--compare"],
        ),
        (
            lambda: explain(list=True, category="activation"),
            ["explain", "--list", "--category", "activation"],
        ),
        (lambda: eigen([[2, 1], [1, 2]]), ["eigen", "[[2,1],[1,2]]"]),
        (
            lambda: eigen(np.array([[4, 1, 2], [1, 3, 0], [2, 0, 5]]), power=20, start=(1, 0, 0)),
            ["eigen", "[[4,1,2],[1,3,0],[2,0,5]]", "--power", "20", "--start", "1,0,0"],
        ),
        (
            lambda: pca(str(IRIS), standardize=True, components=3),
            ["pca", str(IRIS), "--standardize", "--components", "3"],
        ),
    ],
    ids=[
        "stats",
        "stats-csv",
        "normal",
        "normal-between",
        "normal-fit",
        "bayes",
        "explain",
        "explain-loss",
        "explain-compare",
        "explain-list",
        "eigen",
        "eigen-power",
        "pca",
    ],
)
def test_every_rendering_matches_the_cli(run, call, args):
    result = call()
    assert result.to_dict() == json.loads(run(*args, "-f", "json").stdout)
    assert result.to_latex() == run(*args, "-f", "latex").stdout
    assert result.to_markdown() == run(*args, "-f", "markdown").stdout
    assert result.to_text() == run(*args).stdout
    page = run(*args, "-f", "html").stdout
    assert result.to_html() == page
    assert result._repr_html_() in page and "<html" not in result._repr_html_()


def test_pca_scores_file_matches_the_cli(run, tmp_path):
    from_api, from_cli = tmp_path / "api.csv", tmp_path / "cli.csv"
    data = pca(IRIS, scores=str(from_api)).to_dict()
    cli = json.loads(run("pca", str(IRIS), "--scores", str(from_cli), "-f", "json").stdout)
    assert {**data, "scores_file": None} == {**cli, "scores_file": None}
    assert from_api.read_text() == from_cli.read_text()


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (lambda: stats(["1", "abc"]), ["stats", "1", "abc"]),
        (lambda: stats([1, math.nan]), ["stats", "1", "nan"]),
        (lambda: stats(SCORES, column="x"), ["stats", *map(str, SCORES), "--column", "x"]),
        (lambda: stats(STUDY, column="scor"), ["stats", str(STUDY), "--column", "scor"]),
        (lambda: normal(std=-1), ["normal", "--std", "-1"]),
        (lambda: normal(x=math.inf), ["normal", "--x", "inf"]),
        (lambda: normal(column="score"), ["normal", "--column", "score"]),
        (
            lambda: normal(fit=STUDY, column="score", mean=0),
            ["normal", "--fit", str(STUDY), "--column", "score", "--mean", "0"],
        ),
        (lambda: normal(fit=STUDY), ["normal", "--fit", str(STUDY)]),
        (lambda: normal(between=(1, -1)), ["normal", "--between", "1,-1"]),
        (lambda: normal(between="1"), ["normal", "--between", "1"]),
        (lambda: bayes(0.01, 0.9), ["bayes", "--prior", "0.01", "--likelihood", "0.9"]),
        (
            lambda: bayes(1.5, 0.9, false_alarm=0.05),
            ["bayes", "--prior", "1.5", "--likelihood", "0.9", "--false-alarm", "0.05"],
        ),
        (
            lambda: bayes(0.01, 0.9, false_alarm=0.05, labels="a"),
            ["bayes", "-a", "0.01", "-l", "0.9", "--false-alarm", "0.05", "--labels", "a"],
        ),
        (lambda: explain("sigmoidd"), ["explain", "sigmoidd"]),
        (lambda: explain("relu,gelu"), ["explain", "relu,gelu"]),
        (
            lambda: explain("relu,gelu", compare=True, steps=True),
            ["explain", "relu,gelu", "--compare", "--steps"],
        ),
        (lambda: explain(), ["explain"]),
        (lambda: explain("relu", list=True), ["explain", "relu", "--list"]),
        (lambda: explain(category="loss"), ["explain", "--category", "loss"]),
        (lambda: explain(list=True, category="losses"), ["explain", "--list", "-c", "losses"]),
        (lambda: explain("huber", param={"delat": 2}), ["explain", "huber", "--param", "delat=2"]),
        (lambda: eigen([1, 2]), ["eigen", "1,2"]),
        (lambda: eigen([[2, 1], [1, 2]], start=[1, 0]), ["eigen", "2,1;1,2", "--start", "1,0"]),
        (lambda: eigen(np.eye(3), plot=True), ["eigen", "1,0,0;0,1,0;0,0,1", "--plot"]),
        (lambda: pca(IRIS, columns="nope"), ["pca", str(IRIS), "--columns", "nope"]),
        (lambda: pca(IRIS, components=9), ["pca", str(IRIS), "--components", "9"]),
        (lambda: pca(ROOT / "no.csv"), ["pca", str(ROOT / "no.csv")]),
    ],
)
def test_errors_carry_the_cli_message(run, call, args):
    with pytest.raises(MathmlError) as error:
        call()
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {error.value}\n"


def test_python_values_that_are_not_tables_or_numbers():
    with pytest.raises(MathmlError, match="pca takes a CSV path"):
        pca({"a": 1})
    with pytest.raises(MathmlError, match="pca needs a table"):
        pca([1.0, 2.0, 3.0])
    with pytest.raises(MathmlError, match="stats takes numbers"):
        stats([[1, 2], [3]])
    with pytest.raises(MathmlError, match="--column picks a column of a CSV file or a DataFrame"):
        normal(fit=[1.0, 2.0, 3.0], column="x")
    with pytest.raises(MathmlError, match="--param takes name=value"):
        explain("huber", param=[2])
    with pytest.raises(
        MathmlError, match="--at value of W must be a vector or a matrix of numbers"
    ):
        backprop("sum(W @ x)", at={"W": [[1, "a"]], "x": [1, 2]})
    with pytest.raises(MathmlError, match="--at must be a dict"):
        backprop("x*y", at=[1, 2])  # type: ignore[arg-type]


# --- descend: one check of option combinations for the CLI and the API ----------


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (
            lambda: descend("bowl", optimizer="adam", compare="sgd,adam"),
            ["descend", "bowl", "--optimizer", "adam", "--compare", "sgd,adam"],
        ),
        (
            lambda: descend("bowl", optimizer="sgd", compare=["sgd", "adam"]),
            ["descend", "bowl", "-o", "sgd", "--compare", "sgd,adam"],
        ),
        (
            lambda: descend("bowl", compare="sgd,adam", every=5),
            ["descend", "bowl", "--compare", "sgd,adam", "--every", "5"],
        ),
        (
            lambda: descend("bowl", compare="sgd,adam", verbose=True),
            ["descend", "bowl", "--compare", "sgd,adam", "--verbose"],
        ),
        (lambda: descend("bowl", every=0), ["descend", "bowl", "--every", "0"]),
    ],
    ids=[
        "compare-optimizer",
        "compare-default-optimizer-named",
        "compare-every",
        "compare-verbose",
        "every-0",
    ],
)
def test_descend_combinations_give_the_cli_message(run, call, args):
    with pytest.raises(MathmlError) as error:
        call()
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {error.value}\n"


def test_descend_json_only_checks_stay_with_the_format(run):
    # JSON always has every iteration and the state: --every and --verbose would do nothing.
    assert (
        "--format json always has every"
        in run("descend", "bowl", "--every", "5", "-f", "json").stderr
    )
    # From Python every format is at hand, so the same options are fine.
    run_ = descend("bowl", every=5, verbose=True, steps=20, lr=0.1)
    assert len(run_.to_dict()["iterations"]) == 21


def test_descend_optimizer_is_sgd_unless_named():
    assert descend("bowl", steps=5).optimizer == "sgd"
    runs = descend("bowl", compare="sgd,adam", steps=5)
    assert [r.optimizer for r in runs.result] == ["sgd", "adam"]


# --- derive's --range: one check for the CLI and the API ------------------------


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (lambda: derive("x**2", plot_range=(1, 3)), ["derive", "x**2", "--range", "1:3"]),
        (
            lambda: derive("x**2", plot=True, plot_range="3:1"),
            ["derive", "x**2", "--plot", "--range", "3:1"],
        ),
        (
            lambda: derive("x**2", plot=True, plot_range=(3, 1)),
            ["derive", "x**2", "--plot", "--range", "3:1"],
        ),
        (
            lambda: derive("x**2", plot=True, plot_range="-5"),
            ["derive", "x**2", "--plot", "--range", "-5"],
        ),
    ],
)
def test_derive_range_gives_the_cli_message(run, call, args):
    with pytest.raises(MathmlError) as error:
        call()
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {error.value}\n"


def test_derive_range_from_python_matches_the_cli(run):
    args = ["derive", "sin(x)", "--plot", "--at", "x=1", "--range", "-pi:pi"]
    page = run(*args, "-f", "html").stdout
    result = derive("sin(x)", at={"x": 1}, plot=True, plot_range=("-pi", math.pi))
    assert result.to_html() == page


@pytest.mark.parametrize(
    "call",
    [
        lambda: stats(SCORES, plot=True),
        lambda: normal(mean=100, std=15, between=(85, 115), plot=True),
        lambda: explain("sigmoid", plot=True),
        lambda: explain("relu,gelu,silu", compare=True),
        lambda: eigen([[3, 1], [0, 2]], plot=True),
        lambda: pca(IRIS, plot=True),
    ],
    ids=["stats", "normal", "explain", "explain-compare", "eigen", "pca"],
)
def test_a_notebook_shows_the_plots_as_svg(call):
    assert "<svg" in call()._repr_html_()


def test_eigen_reads_a_csv_file_as_the_cli_does(run, tmp_path):
    path = tmp_path / "matrix.csv"
    path.write_text("4,1\n2,3\n")
    cli = json.loads(run("eigen", f"@{path}", "-f", "json").stdout)
    assert eigen(path).to_dict() == cli == eigen(f"@{path}").to_dict()
    assert sorted(v["real"] for v in cli["eigenvalues"]) == pytest.approx(
        sorted(np.linalg.eigvals(np.array([[4.0, 1.0], [2.0, 3.0]])).real.tolist()), rel=1e-12
    )


# --- generated inputs: the oracle, the CLI and every format agree ---------------


def _every_format(result) -> None:
    for text in (result.to_text(), result.to_latex(), result.to_markdown(), result.to_html()):
        assert text.strip()
    assert result._repr_html_() in result.to_html()


@settings(max_examples=20, deadline=None, suppress_health_check=STATELESS_RUN)
@given(values=st.lists(FINITE, min_size=2, max_size=30))
def test_generated_stats_agree_with_statistics_and_the_cli(run, values):
    result = stats(values)
    column = result.to_dict()["columns"][0]
    assert column["mean"] == pytest.approx(statistics.fmean(values), rel=1e-9, abs=1e-9)
    assert column["sample_variance"] == pytest.approx(
        statistics.variance(values), rel=1e-8, abs=1e-9
    )
    assert column["median"] == pytest.approx(statistics.median(values), rel=1e-12, abs=1e-12)
    assert result.to_dict() == json.loads(run("stats", *map(repr, values), "-f", "json").stdout)
    _every_format(result)


@settings(max_examples=20, deadline=None, suppress_health_check=STATELESS_RUN)
@given(
    mean=st.floats(min_value=-1e3, max_value=1e3),
    std=st.floats(min_value=1e-2, max_value=1e3),
    z=st.floats(min_value=-6, max_value=6),
    p=st.floats(min_value=1e-6, max_value=1 - 1e-6),
)
def test_generated_normal_agrees_with_scipy_and_the_cli(run, mean, std, z, p):
    x = mean + z * std
    result = normal(mean, std, x=x, p=p)
    data = result.to_dict()
    assert data["at"]["cdf"] == pytest.approx(norm.cdf(x, mean, std), rel=1e-9, abs=1e-15)
    assert data["at"]["density"] == pytest.approx(norm.pdf(x, mean, std), rel=1e-9)
    assert data["quantile"]["x"] == pytest.approx(norm.ppf(p, mean, std), rel=1e-9, abs=1e-9)
    args = ["normal", "--mean", repr(mean), "--std", repr(std), "--x", repr(x), "--p", repr(p)]
    assert data == json.loads(run(*args, "-f", "json").stdout)
    _every_format(result)


PROBABILITY = st.fractions(min_value=0, max_value=1, max_denominator=1000)


@settings(max_examples=25, deadline=None)
@given(prior=PROBABILITY, likelihood=PROBABILITY, false_alarm=PROBABILITY, times=st.integers(1, 4))
def test_generated_bayes_agrees_with_exact_arithmetic(prior, likelihood, false_alarm, times):
    if likelihood * prior + false_alarm * (1 - prior) == 0:
        with pytest.raises(MathmlError, match="the evidence is impossible"):
            bayes(prior, likelihood, false_alarm=false_alarm)
        return
    result = bayes(prior, likelihood, false_alarm=false_alarm, times=times)
    assert result.posterior == _posterior(prior, likelihood, false_alarm)
    current = prior
    for update in result.updates:
        current = _posterior(current, likelihood, false_alarm)
        assert update.posterior == current
    _every_format(result)


# --- backprop: programs and layers read once, in core, for the CLI and the API ---


def test_backprop_layers_against_numpy():
    w = np.array([[0.5, -0.3, 0.8], [0.2, 0.4, -1.0]])
    x = np.array([1.0, 2.0, -0.5])
    b = np.array([0.3, -0.1])
    result = backprop("sum(relu(W @ x + b))", at={"W": w, "x": x.tolist(), "b": b})
    mask = (w @ x + b > 0).astype(float)
    gradients = result.to_dict()["gradients"]
    np.testing.assert_allclose(gradients["W"], np.outer(mask, x), rtol=1e-12)
    np.testing.assert_allclose(gradients["b"], mask, rtol=1e-12)
    np.testing.assert_allclose(gradients["x"], w.T @ mask, rtol=1e-12)


def test_backprop_program_output_against_the_chain_rule():
    # y = h + 3 with h = x**2: dy/dx = 2x, whatever z does afterwards.
    result = backprop("h = x**2; y = h + 3; z = y*2", at={"x": 1.5}, output="y")
    assert result.to_dict()["gradients"]["x"] == pytest.approx(3.0, rel=1e-15)


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (
            lambda: backprop("sum(relu(W @ x + b))", at="W=[[1,-2],[3,0.5]],x=[1,2],b=[0.5,-1]"),
            ["backprop", "sum(relu(W @ x + b))", "--at", "W=[[1,-2],[3,0.5]],x=[1,2],b=[0.5,-1]"],
        ),
        (
            lambda: backprop(
                "mean((W @ x - y)**2)",
                at={"W": [[1, -2], [3, 0.5]], "x": [1, 2], "y": [0.5, 1]},
                wrt="W",
                lr=0.1,
            ),
            [
                "backprop",
                "mean((W @ x - y)**2)",
                "--at",
                "W=[[1,-2],[3,0.5]],x=[1,2],y=[0.5,1]",
                "--wrt",
                "W",
                "--lr",
                "0.1",
            ],
        ),
        (
            lambda: backprop("h = x**2; y = h + 3; z = y*2", at="x=2", output="y"),
            ["backprop", "h = x**2; y = h + 3; z = y*2", "--at", "x=2", "--output", "y"],
        ),
        (
            lambda: backprop(f"@{ROOT / 'docs' / 'data' / 'step.txt'}", at="x1=2,w1=-3"),
            ["backprop", f"@{ROOT / 'docs' / 'data' / 'step.txt'}", "--at", "x1=2,w1=-3"],
        ),
    ],
    ids=["layers-text", "layers-python", "program-output", "program-file"],
)
def test_backprop_renderings_match_the_cli(run, call, args):
    result = call()
    assert result.to_dict() == json.loads(run(*args, "-f", "json").stdout)
    assert result.to_latex() == run(*args, "-f", "latex").stdout
    assert result.to_markdown() == run(*args, "-f", "markdown").stdout
    assert result.to_text() == run(*args).stdout
    assert result.to_html() == run(*args, "-f", "html").stdout
    assert result.to_dot() == run(*args, "-f", "dot").stdout


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (
            lambda: backprop("x*y", at="x=1,y=2", output="y"),
            ["backprop", "x*y", "--at", "x=1,y=2", "-o", "y"],
        ),
        (
            lambda: backprop("sum(W @ x)", at={"W": [[1, 2]], "x": [1, 2, 3]}),
            ["backprop", "sum(W @ x)", "--at", "W=[[1,2]],x=[1,2,3]"],
        ),
    ],
    ids=["output-of-an-expression", "shapes"],
)
def test_backprop_errors_carry_the_cli_message(run, call, args):
    with pytest.raises(MathmlError) as error:
        call()
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {error.value}\n"


# --- every option of every command is a keyword of its function ------------------

# Options the API spells differently or leaves out, each for a reason.
RENAMED = {("derive", "range"): "plot_range"}  # range is Python's builtin
CLI_ONLY = {
    ("descend", "list"),  # lists the presets: mathml_cli.core.descend.PRESETS from Python
}


def test_every_cli_option_is_a_keyword_of_the_api():
    import inspect

    from mathml_cli import api
    from mathml_cli.cli import SUBCOMMANDS, build_subcommand
    from mathml_cli.core.descend import settings_from_options

    for name in SUBCOMMANDS:
        keywords = set(inspect.signature(getattr(api, name)).parameters)
        for param in build_subcommand(name).params:
            long = next((o for o in param.opts if o.startswith("--")), None)
            if param.param_type_name != "option" or long in (None, "--format", "--help"):
                continue
            keyword = long[2:].replace("-", "_")
            if (name, keyword) in CLI_ONLY:
                continue
            keyword = RENAMED.get((name, keyword), keyword)
            if name == "descend" and keyword not in keywords:
                settings_from_options({keyword: 1})  # an optimizer's or a schedule's setting
                continue
            assert keyword in keywords, f"mathml {name} {long} has no keyword {keyword}"


def test_regress_every_and_plot_match_the_cli(run):
    args = ["regress", str(ROOT / "docs" / "data" / "study.csv"), "--method", "gd", "--every", "50"]
    result = regress(STUDY, method="gd", every=50)
    assert result.to_text() == run(*args).stdout
    assert "<svg" in regress(STUDY, plot=True)._repr_html_()
    with pytest.raises(MathmlError) as error:
        regress(STUDY, every=0)
    assert run("regress", str(STUDY), "--every", "0").stderr == f"Error: {error.value}\n"


@settings(max_examples=15, deadline=None, suppress_health_check=STATELESS_RUN)
@given(
    entries=st.lists(st.integers(-9, 9), min_size=4, max_size=4),
    symmetric=st.booleans(),
)
def test_generated_eigen_agrees_with_numpy_and_the_cli(run, entries, symmetric):
    a = np.array(entries, dtype=float).reshape(2, 2)
    if symmetric:
        a[1, 0] = a[0, 1]
    result = eigen(a)
    data = result.to_dict()

    def order(z: complex) -> tuple[float, float]:
        return (round(z.real, 4), round(z.imag, 4))

    found = sorted((complex(v["real"], v["imag"]) for v in data["eigenvalues"]), key=order)
    oracle = sorted(np.linalg.eigvals(a).tolist(), key=order)
    # A defective matrix's repeated eigenvalue is found by NumPy to about √ε only.
    np.testing.assert_allclose(found, oracle, atol=1e-6)
    text = "[" + ",".join("[" + ",".join(f"{x:g}" for x in row) + "]" for row in a) + "]"
    assert data == json.loads(run("eigen", text, "-f", "json").stdout)
    _every_format(result)


@pytest.mark.parametrize("columns", [["a"], ["a", "b"]])
def test_missing_values_in_a_dataframe_are_errors_unless_dropped(columns):
    frame = pd.DataFrame({"a": [1.0, np.nan, 3.0, 6.0], "b": [2.0, 4.0, 5.0, 1.0]})[columns]
    with pytest.raises(MathmlError, match="missing value in row 2 .* column 'a'; use --drop-m"):
        stats(frame)
    kept = frame.dropna()
    summary = stats(frame, drop_missing=True).to_dict()["columns"]
    assert [c["n"] for c in summary] == [len(kept)] * len(columns)
    assert summary[0]["mean"] == pytest.approx(kept["a"].mean(), rel=1e-15)
