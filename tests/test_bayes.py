"""mathml bayes: exact arithmetic, checked by counting and by the odds form."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mathml_cli.core.bayes import bayes, read_labels, read_probability
from mathml_cli.errors import InputError

probabilities = st.fractions(min_value=0, max_value=1, max_denominator=10_000)


def test_the_issue_example():
    result = bayes(Fraction("0.01"), Fraction("0.9"), false_alarm=Fraction("0.05"))
    assert result.evidence == Fraction("0.0585")
    assert result.posterior == Fraction(90, 585) == Fraction(2, 13)
    counts = result.frequencies
    assert counts.population == 10_000
    assert (counts.with_a, counts.b_and_a, counts.without_a, counts.b_and_not_a) == (
        100,
        90,
        9_900,
        495,
    )
    assert counts.with_b == 585
    assert round(float(result.posterior) * 100, 1) == 15.4


@settings(max_examples=200, deadline=None)
@given(probabilities, probabilities, probabilities)
def test_posterior_by_counting_a_population(prior, likelihood, false_alarm):
    if likelihood * prior + false_alarm * (1 - prior) == 0:
        with pytest.raises(InputError, match="impossible"):
            bayes(prior, likelihood, false_alarm=false_alarm)
        return
    result = bayes(prior, likelihood, false_alarm=false_alarm)
    # Oracle: count. In a population of the common denominator's size every
    # group is a whole number of people, and P(A|B) is a ratio of counts.
    size = prior.denominator * likelihood.denominator * false_alarm.denominator
    with_a = size * prior
    true_positives = with_a * likelihood
    false_positives = (size - with_a) * false_alarm
    assert true_positives.denominator == 1 and false_positives.denominator == 1
    assert result.posterior == true_positives / (true_positives + false_positives)
    assert result.evidence == (true_positives + false_positives) / size
    counts = result.frequencies
    assert counts.with_a + counts.without_a == counts.population
    assert (
        counts.b_and_a + counts.b_and_not_a + counts.not_b_and_a + counts.not_b_and_not_a
        == counts.population
    )
    if counts.whole:
        assert counts.b_and_a / counts.with_b == result.posterior


@settings(max_examples=100, deadline=None)
@given(probabilities, probabilities, probabilities, st.integers(1, 12))
def test_updating_n_times_is_the_odds_form(prior, likelihood, false_alarm, times):
    if likelihood * prior + false_alarm * (1 - prior) == 0 or (
        likelihood == 0 and false_alarm == 0
    ):
        return
    try:
        result = bayes(prior, likelihood, false_alarm=false_alarm, times=times)
    except InputError:
        return  # a later step's evidence can become impossible (P(B) = 0)
    # Oracle: N independent sightings multiply the odds by the likelihood ratio N times,
    # P(A | B×N) = p·L^N / (p·L^N + (1 − p)·F^N).
    top = prior * likelihood**times
    expected = top / (top + (1 - prior) * false_alarm**times)
    assert result.updates[-1].posterior == expected
    assert len(result.updates) == times and result.updates[0].posterior == result.posterior
    for before, after in zip(result.updates, result.updates[1:], strict=False):
        assert after.prior == before.posterior


@settings(max_examples=100, deadline=None)
@given(probabilities, probabilities, probabilities)
def test_evidence_form_agrees_with_false_alarm_form(prior, likelihood, false_alarm):
    evidence = likelihood * prior + false_alarm * (1 - prior)
    if evidence == 0 or prior == 1:
        return
    given_evidence = bayes(prior, likelihood, evidence=evidence)
    assert given_evidence.false_alarm == false_alarm
    assert given_evidence.posterior == bayes(prior, likelihood, false_alarm=false_alarm).posterior


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.01", Fraction(1, 100)), ("1e-3", Fraction(1, 1000)), ("1/3", Fraction(1, 3)), ("1", 1)],
)
def test_probabilities_are_read_exactly(text, value):
    assert read_probability(text, "--prior") == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1.5", r"--prior 1.5 is outside \[0, 1\]"),
        ("-0.1", r"--prior -0.1 is outside \[0, 1\]"),
        ("abc", "--prior 'abc' is not a probability"),
        ("nan", "--prior 'nan' is not a probability"),
        ("1/0", "division by zero"),
        ("2/1", "outside"),
    ],
)
def test_bad_probabilities(text, message):
    with pytest.raises(InputError, match=message):
        read_probability(text, "--prior")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"evidence": Fraction("0.001")}, "impossible: P.B. ≥"),
        ({"evidence": Fraction("0.999")}, "impossible: P.B. ≤"),
        ({"false_alarm": Fraction(0), "prior_zero": True}, "the evidence is impossible"),
        ({}, "one of them is needed"),
        ({"false_alarm": Fraction("0.1"), "evidence": Fraction("0.1")}, "either --false-alarm"),
        ({"false_alarm": Fraction("0.1"), "times": 0}, "--times must be between"),
    ],
)
def test_impossible_evidence_and_bad_options(options, message):
    prior = Fraction(0) if options.pop("prior_zero", False) else Fraction("0.5")
    with pytest.raises(InputError, match=message):
        bayes(prior, Fraction("0.9"), **options)


def test_labels():
    assert read_labels("disease,positive") == ("disease", "positive")
    assert read_labels(None) == ("A", "B")
    for bad in ("one", "a,b,c", "a,", "x,x"):
        with pytest.raises(InputError, match="--labels"):
            read_labels(bad)
