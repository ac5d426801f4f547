"""mathml normal: every number against SciPy's norm."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from mathml_cli.core.normal import fit, interval, normal, point, quantile
from mathml_cli.errors import InputError

means = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)
stds = st.floats(min_value=1e-3, max_value=1e3)
zs = st.floats(min_value=-37, max_value=37, allow_nan=False)


def close(a: float, b: float, rel: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=0.0)


@settings(max_examples=200, deadline=None)
@given(means, stds, zs)
def test_point_against_scipy(mean, std, z):
    x = mean + z * std
    result = point(mean, std, x)
    oracle = norm(loc=mean, scale=std)
    assert close(result.density, oracle.pdf(x), 1e-12) or result.density < 1e-290
    assert close(result.cdf, oracle.cdf(x))
    assert close(result.upper, oracle.sf(x))  # tails to the last digits, not 1 − cdf


def test_far_tails_are_not_zero():
    assert close(point(0, 1, 8).upper, norm.sf(8))
    assert point(0, 1, 8).upper > 6e-16
    assert close(point(0, 1, -8).cdf, norm.cdf(-8))
    assert close(point(0, 1, 30).upper, norm.sf(30))


def test_the_issue_examples():
    at = point(0, 1, 1.96)
    assert close(at.cdf, norm.cdf(1.96)) and close(at.density, norm.pdf(1.96))
    assert close(interval(0, 1, -1, 1).probability, norm.cdf(1) - norm.cdf(-1))
    assert close(quantile(0, 1, 0.975).x, norm.ppf(0.975))
    rule = normal(0, 1).rule
    expected = [math.erf(k / math.sqrt(2)) for k in (1, 2, 3)]
    assert [round(i.probability, 4) for i in rule] == [0.6827, 0.9545, 0.9973]
    for got, want in zip(rule, expected, strict=True):
        assert close(got.probability, want)


@settings(max_examples=150, deadline=None)
@given(means, stds, zs, st.floats(min_value=0.01, max_value=10))
def test_intervals_against_scipy(mean, std, z, width):
    low, high = mean + z * std, mean + (z + width) * std
    result = interval(mean, std, low, high)
    oracle = norm(loc=mean, scale=std)
    # SciPy's own difference loses digits in the upper tail; its survival function does not.
    if result.low.z > 0:
        expected = oracle.sf(low) - oracle.sf(high)
    else:
        expected = oracle.cdf(high) - oracle.cdf(low)
    assert close(result.probability, expected, 1e-9)


@settings(max_examples=200, deadline=None)
@given(means, stds, st.floats(min_value=1e-300, max_value=1 - 1e-16, exclude_max=True))
def test_quantiles_against_scipy(mean, std, p):
    if not 0 < p < 1:
        return
    z = quantile(0, 1, p).z
    assert close(z, norm.ppf(p), 1e-12) or abs(z - norm.ppf(p)) < 1e-15
    assert math.isclose(
        quantile(mean, std, p).x, norm.ppf(p, loc=mean, scale=std), rel_tol=1e-12, abs_tol=1e-9
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False), min_size=2, max_size=200)
)
def test_fit_against_scipy(values):
    data = np.array(values)
    if data.std() < 1e-6 * max(1.0, float(np.abs(data).max())):
        return
    result = fit([data.reshape(-1, 1)], "test")
    mean, std = norm.fit(data)  # SciPy's MLE: σ̂ divides by n
    assert math.isclose(result.mean, mean, rel_tol=1e-12, abs_tol=1e-9)
    assert math.isclose(result.std, std, rel_tol=1e-9)
    assert math.isclose(result.std, np.std(data), rel_tol=1e-9)
    assert math.isclose(result.sample_std, np.std(data, ddof=1), rel_tol=1e-9)
    assert math.isclose(
        result.log_likelihood, norm.logpdf(data, mean, std).sum(), rel_tol=1e-9, abs_tol=1e-9
    )


def test_fit_errors():
    with pytest.raises(InputError, match="at least 2"):
        fit([np.array([[1.0]])], "stdin")
    with pytest.raises(InputError, match="all 3 numbers in stdin are equal"):
        fit([np.array([[2.0], [2.0], [2.0]])], "stdin")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"std": 0}, "--std must be a positive number"),
        ({"std": -1}, "--std must be a positive number"),
        ({"p": 0}, "--p must be strictly between 0 and 1"),
        ({"p": 1}, "--p must be strictly between 0 and 1"),
        ({"between": (1, -1)}, "--between needs a < b"),
    ],
)
def test_bad_parameters(arguments, message):
    with pytest.raises(InputError, match=message):
        normal(**arguments)


def test_fit_from_a_file_and_a_column(tmp_path):
    from mathml_cli.core.normal import fit_input

    path = tmp_path / "h.csv"
    path.write_text("height,weight\n170,65\n182,80\n165,58\n175,72\n")
    result = fit_input(str(path), "weight")
    mean, std = norm.fit([65, 80, 58, 72])
    assert math.isclose(result.mean, mean) and math.isclose(result.std, std)
    with pytest.raises(InputError, match="has 2 columns .height, weight.: choose one"):
        fit_input(str(path))


@pytest.mark.parametrize(
    ("text", "message"),
    [("1", "two numbers"), ("1,2,3", "two numbers"), ("2,1", "a < b"), ("a,1", "not a number")],
)
def test_bad_between(text, message):
    from mathml_cli.core.normal import read_between

    with pytest.raises(InputError, match=message):
        read_between(text)
