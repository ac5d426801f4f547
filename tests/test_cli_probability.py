"""mathml stats, normal and bayes from the command line: every format, every --help example,
every bad input as one line and exit code 2."""

from __future__ import annotations

import json
import math
import shlex
import statistics
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from mathml_cli.render.view import number, number_latex

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ["text", "latex", "markdown", "html"]
# The run fixture keeps no state between calls, so hypothesis may reuse it.
STATELESS_RUN = [HealthCheck.function_scoped_fixture]


def as_json(run, *args, input=None):
    result = run(*args, "--format", "json", input=input)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def written(value: float, output_format: str, digits: int = 6) -> str:
    """How a number appears in a format: LaTeX writes 1e-06 as 1 \\times 10^{-6}, and
    MathML puts the sign and the power of ten in elements of their own."""
    if output_format == "text":
        return number(value, digits)
    if output_format == "html":
        return number(abs(value), digits).split("e")[0]
    return number_latex(value, digits)


def check_every_format(run, args, expected, input=None, values=()):
    """Each writer prints the answer: the strings `expected` and the numbers `values`."""
    for output_format in FORMATS:
        result = run(*args, "--format", output_format, input=input)
        assert result.exit_code == 0, (output_format, result.output)
        assert result.stderr == ""
        for text in expected:
            assert text in result.stdout, (output_format, text)
        for value in values:
            # Six significant digits, or more where a step needs them (a quartile
            # between close neighbours).
            shown = {written(value, output_format, digits) for digits in range(6, 16)}
            assert any(text in result.stdout for text in shown), (output_format, value)
        if output_format == "html":
            HTMLParser().feed(result.stdout)  # well-formed enough to parse
            assert result.stdout.lstrip().lower().startswith("<!doctype html>")


# --- every --help example runs ----------------------------------------------------------


def examples(command: str) -> list[str]:
    from typer.main import get_command

    from mathml_cli.cli import app

    help_text = get_command(app).commands[command].help  # type: ignore[attr-defined]
    return [line.strip() for line in help_text.splitlines() if "mathml " in line]


@pytest.mark.parametrize(
    "example", [e for c in ("stats", "normal", "bayes") for e in examples(c)], ids=str
)
def test_every_help_example_runs(run, example, monkeypatch):
    monkeypatch.chdir(ROOT)
    stdin = None
    if "|" in example:
        producer, example = (part.strip() for part in example.split("|"))
        assert producer == "seq 1 100"
        stdin = "\n".join(str(i) for i in range(1, 101)) + "\n"
    words = shlex.split(example)
    assert words[0] == "mathml"
    result = run(*words[1:], input=stdin)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip()


# --- stats ---------------------------------------------------------------------------------


def test_stats_issue_example_every_format(run):
    check_every_format(run, ["stats", "85", "92", "78", "95", "88"], ["34.64", "43.3", "173.2"])
    data = as_json(run, "stats", "85", "92", "78", "95", "88")
    (column,) = data["columns"]
    assert column["population_variance"] == pytest.approx(np.var([85, 92, 78, 95, 88]), rel=1e-14)
    assert column["sample_variance"] == pytest.approx(
        pd.Series([85, 92, 78, 95, 88]).var(), rel=1e-14
    )


@settings(max_examples=25, deadline=None, suppress_health_check=STATELESS_RUN)
@given(
    st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_subnormal=False),
        min_size=2,
        max_size=30,
    )
)
def test_stats_through_every_format(run, values):
    args = ["stats", *(repr(v) for v in values)]
    data = as_json(run, *args)
    (column,) = data["columns"]
    scale = max(1.0, max(abs(v) for v in values))
    assert column["mean"] == pytest.approx(statistics.fmean(values), rel=1e-12, abs=1e-9 * scale)
    assert column["sample_variance"] == pytest.approx(
        statistics.variance(values), rel=1e-9, abs=1e-12 * scale**2
    )
    assert column["median"] == pytest.approx(np.median(values), rel=1e-12, abs=1e-9 * scale)
    assert [row["x"] for row in column["rows"]] == values
    check_every_format(run, args, [], values=[column["median"], column["mean"]])


def test_stats_reads_stdin_and_a_csv_column(run, tmp_path):
    data = as_json(run, "stats", "-", input="3, 1\n4 1;5\n")
    assert data["columns"][0]["n"] == 5 and data["source"] == "stdin"
    path = tmp_path / "t.csv"
    path.write_text("a\tb\tc\n1\t2\t9\n2\t4\t7\n3\t7\t8\n4\t8\t1\n")
    frame = pd.read_csv(path, sep="\t")
    data = as_json(run, "stats", str(path))
    np.testing.assert_allclose(data["covariance"], frame.cov().to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(data["correlation"], frame.corr().to_numpy(), rtol=1e-12)
    assert data["pair"]["x"] == "a" and data["pair"]["y"] == "b"
    products = (frame["a"] - frame["a"].mean()) * (frame["b"] - frame["b"].mean())
    np.testing.assert_allclose([r["product"] for r in data["pair"]["rows"]], products, rtol=1e-12)
    check_every_format(run, ["stats", str(path)], ["Correlation matrix"])
    only = as_json(run, "stats", str(path), "--column", "c")
    assert [c["name"] for c in only["columns"]] == ["c"]
    assert as_json(run, "stats", str(path), "-c", "a,c")["pair"]["y"] == "c"


def test_stats_negative_numbers_and_options_anywhere(run):
    data = as_json(run, "stats", "-3", "4", "-1.5")
    assert data["columns"][0]["sum"] == -0.5


def test_stats_plot(run):
    result = run("stats", "85", "92", "78", "95", "88", "--plot")
    assert result.exit_code == 0
    assert "histogram" in result.stdout and "normal curve" in result.stdout


# --- normal ----------------------------------------------------------------------------------


def test_normal_x_every_format(run):
    check_every_format(run, ["normal", "--x", "1.96"], ["0.975002", "0.0249979"])
    data = as_json(run, "normal", "--x", "1.96")
    assert data["at"]["cdf"] == pytest.approx(norm.cdf(1.96), rel=1e-12)
    assert data["at"]["density"] == pytest.approx(norm.pdf(1.96), rel=1e-12)


def test_normal_tail_at_8_is_not_zero(run):
    data = as_json(run, "normal", "--x", "8")
    assert data["at"]["upper_tail"] == pytest.approx(norm.sf(8), rel=1e-12)


def test_normal_between_and_quantile(run):
    data = as_json(run, "normal", "-m", "100", "-s", "15", "--between", "85,115", "--p", "0.9")
    assert data["between"]["probability"] == pytest.approx(
        norm.cdf(115, 100, 15) - norm.cdf(85, 100, 15), rel=1e-12
    )
    assert data["quantile"]["x"] == pytest.approx(norm.ppf(0.9, 100, 15), rel=1e-12)
    check_every_format(
        run, ["normal", "--between", "-1,1", "--p", "0.975"], ["0.682689", "1.95996"]
    )


@settings(max_examples=20, deadline=None, suppress_health_check=STATELESS_RUN)
@given(
    st.floats(min_value=-100, max_value=100),
    st.floats(min_value=0.01, max_value=100),
    st.floats(min_value=-8, max_value=8),
)
def test_normal_through_every_format(run, mean, std, z):
    x = mean + z * std
    args = ["normal", "--mean", repr(mean), "--std", repr(std), "--x", repr(x)]
    data = as_json(run, *args)
    assert data["at"]["cdf"] == pytest.approx(norm.cdf(x, mean, std), rel=1e-12, abs=1e-300)
    assert data["at"]["upper_tail"] == pytest.approx(norm.sf(x, mean, std), rel=1e-12)
    check_every_format(run, args, [], values=[data["at"]["density"], data["at"]["cdf"]])


def test_normal_fit_from_stdin_and_plot(run):
    values = [4.1, 5.0, 5.9, 6.2, 3.8, 5.5]
    data = as_json(run, "normal", "--fit", "-", input="\n".join(map(str, values)))
    mean, std = norm.fit(values)
    assert data["fit"]["mean"] == pytest.approx(mean) and data["fit"]["std"] == pytest.approx(std)
    assert data["fit"]["log_likelihood"] == pytest.approx(norm.logpdf(values, mean, std).sum())
    result = run("normal", "--fit", "-", "--plot", input="\n".join(map(str, values)))
    assert result.exit_code == 0 and "data (histogram)" in result.stdout
    shaded = run("normal", "--between", "-1,2", "--plot")
    assert "P(-1 < X < 2)" in shaded.stdout


# --- bayes ---------------------------------------------------------------------------------


def test_bayes_issue_example_every_format(run):
    args = ["bayes", "--prior", "0.01", "--likelihood", "0.9", "--false-alarm", "0.05"]
    check_every_format(run, args, ["0.0585", "0.153846", "9,405"])
    text = run(*args).stdout
    assert "Of 10,000 cases, 100 have A; 90 of them are B" in text
    assert "of the 9,900 without A, 495 are B too".lower() in text.lower()
    assert "90/585 = 15.4%" in text
    data = as_json(run, *args)
    assert Fraction(data["posterior_exact"]) == Fraction(2, 13)


@settings(max_examples=25, deadline=None, suppress_health_check=STATELESS_RUN)
@given(
    st.fractions(0, 1, max_denominator=1000),
    st.fractions(0, 1, max_denominator=1000),
    st.fractions(0, 1, max_denominator=1000),
    st.integers(1, 4),
)
def test_bayes_through_every_format(run, prior, likelihood, alarm, times):
    args = [
        "bayes",
        "--prior",
        str(prior),
        "--likelihood",
        str(likelihood),
        "--false-alarm",
        str(alarm),
        "--times",
        str(times),
    ]
    if likelihood * prior + alarm * (1 - prior) == 0:
        result = run(*args)
        assert result.exit_code == 2 and result.stderr.startswith("Error: ")
        return
    result = run(*args, "--format", "json")
    if result.exit_code == 2:  # a later update met an impossible P(B)
        assert "impossible" in result.stderr
        return
    data = json.loads(result.stdout)
    # Oracle: count a population where every group is whole.
    size = prior.denominator * likelihood.denominator * alarm.denominator
    hits, alarms = size * prior * likelihood, size * (1 - prior) * alarm
    assert Fraction(data["posterior_exact"]) == hits / (hits + alarms)
    assert math.isclose(data["posterior"], float(hits / (hits + alarms)), rel_tol=1e-15)
    check_every_format(run, args, ["Bayes"])


def test_bayes_posterior_that_rounds_to_one_is_not_written_as_certain(run):
    args = ["bayes", "-a", "999/1000", "-l", "1", "--false-alarm", "1/100000000", "-n", "2"]
    text = run(*args).stdout
    assert "= 0.999 / 0.99900000001 ≈ 1 (≈100%)" in text
    assert "= 1 (" not in text and "≈1" in text  # the --times table marks it too
    data = as_json(run, *args)
    assert Fraction(data["posterior_exact"]) == Fraction(99900000000, 99900000001)
    check_every_format(run, args, ["0.99900000001"])


def test_bayes_labels_and_evidence(run):
    result = run("bayes", "-a", "1/1000", "-l", "0.99", "-e", "0.02", "--labels", "spam,offer")
    assert result.exit_code == 0
    assert "P(spam | offer)" in result.stdout
    data = as_json(run, "bayes", "-a", "1/1000", "-l", "0.99", "-e", "0.02")
    assert data["false_alarm"] == pytest.approx((0.02 - 0.00099) / 0.999, rel=1e-15)
    assert data["frequencies"]["population"] == 100_000  # 10,000 would make 0.99 of 10 a fraction


# --- bad input: one line, exit 2 --------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["stats", "1", "abc"], "'abc' is not a number (number 2)"),
        (["stats", "1", "nan"], "nan is not allowed"),
        (["stats", "missing.csv"], "file not found: 'missing.csv'"),
        (["stats", "docs/data/study.csv", "--column", "scor"], "no column named 'scor'"),
        (["stats", "1", "2", "--column", "a"], "--column picks columns of a CSV file"),
        (["stats", "1", "2", "--plot", "--format", "json"], "--plot draws"),
        (["stats", "1e308", "-1e308"], "too large to summarise"),
        (["stats", "1e200", "-1e200"], "sum of squares overflows float64"),
        (["normal", "--fit", "-", "--x", "1"], "no numbers to summarise in stdin"),
        (["normal", "--mean", "1e308", "--std", "1e308"], "μ ± 3σ overflows float64"),
        (["normal", "--std", "0"], "--std must be a positive number"),
        (["normal", "--std", "abc"], "'abc' is not a number (--std)"),
        (["normal", "--p", "1"], "--p must be strictly between 0 and 1"),
        (["normal", "--between", "1,-1"], "--between needs a < b"),
        (["normal", "--between", "1"], "--between needs two numbers"),
        (["normal", "--column", "x"], "--column picks the column to --fit"),
        (["normal", "--fit", "docs/data/study.csv"], "choose one with --column"),
        (
            ["normal", "--fit", "docs/data/study.csv", "-c", "score", "--mean", "3"],
            "leave out --mean and --std",
        ),
        (["bayes", "--prior", "1.5", "--likelihood", "0.9", "--false-alarm", "0.1"], "outside"),
        (["bayes", "--prior", "x", "--likelihood", "0.9", "--false-alarm", "0.1"], "not a prob"),
        (["bayes", "--prior", "0.5", "--likelihood", "0.9"], "one of them is needed"),
        (
            ["bayes", "--prior", "0.5", "--likelihood", "0.9", "--evidence", "0.1"],
            "--evidence 0.1 is impossible",
        ),
        (
            ["bayes", "--prior", "0", "--likelihood", "0.9", "--false-alarm", "0"],
            "the evidence is impossible",
        ),
        (
            ["bayes", "-a", "0.5", "-l", "0.9", "--false-alarm", "0.1", "--times", "0"],
            "--times must be between 1 and 1000",
        ),
        (["bayes", "--likelihood", "0.9"], "Missing option '--prior'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run, args, message, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr


def test_stats_bad_stdin_names_the_line(run):
    result = run("stats", "-", input="1\n2\n3 x\n")
    assert result.exit_code == 2
    assert result.stderr == "Error: 'x' is not a number (stdin, line 3, value 2)\n"


def test_stats_empty_stdin(run):
    result = run("stats", "-", input="")
    assert result.exit_code == 2
    assert "no numbers to summarise in stdin" in result.stderr


# --- LaTeX compiles and fits the page ----------------------------------------------------------

LATEX_EXAMPLES = [
    "stats 85 92 78 95 88",
    "stats 85 92 78 95 88 -3 1e-7 1200 17 0.5 11 12 13",
    "stats docs/data/study.csv",
    "normal --x 1.96",
    "normal --mean 100 --std 15 --between 85,115 --p 0.9",
    "normal --between 1,2 --x -8",
    "normal --fit docs/data/study.csv --column score --x 70",
    "bayes --prior 0.01 --likelihood 0.9 --false-alarm 0.05 --labels disease,positive --times 14",
    "bayes --prior 1/1000 --likelihood 0.99 --evidence 0.02",
    "bayes --prior 999/1000 --likelihood 1 --false-alarm 1/100000000 --times 3",
]


@pytest.mark.parametrize("example", LATEX_EXAMPLES)
def test_latex_compiles_without_overfull_boxes(run, example, pdflatex, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run(*shlex.split(example), "--format", "latex")
    assert result.exit_code == 0, result.output
    widths = pdflatex(result.stdout)
    assert all(width <= 20 for width in widths), widths


def test_long_data_is_thinned_and_says_what_json_keeps(run):
    numbers = "\n".join(str(i) for i in range(1, 20_001))
    text = run("stats", "-", input=numbers).stdout
    assert "… 19,990 rows not shown (kept only up to 10,000 values) …" in text
    data = as_json(run, "stats", "-", input=numbers)
    (column,) = data["columns"]
    assert not column["rows_complete"] and len(column["rows"]) == 10
    assert column["sample_variance"] == pytest.approx(np.var(np.arange(1, 20_001), ddof=1))
    short = run("stats", "-", input="\n".join(str(i) for i in range(1, 101))).stdout
    assert "… 90 rows not shown (--format json has them all) …" in short
    assert len(as_json(run, "stats", "-", input=numbers[:400])["columns"][0]["rows"]) > 100
