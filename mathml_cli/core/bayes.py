"""Bayes' theorem in exact arithmetic: P(A|B) = P(B|A)·P(A) / P(B).

Probabilities are read as exact fractions (0.01 is 1/100, not the float
nearest it), so the posterior, the natural frequencies and every step of
`--times` updating are exact; floats are made only for display.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction

from mathml_cli.errors import InputError
from mathml_cli.records import Record

POPULATION = 10_000  # natural frequencies are counted out of this many, as in the texts
MAX_POPULATION = 10**12  # grown by powers of ten until every count is whole, up to here
MAX_TIMES = 1_000
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?")
_RATIO = re.compile(r"(\d{1,30})/(\d{1,30})")


class Frequencies(Record):
    """The same numbers as counts of people in a population (exact fractions)."""

    population: int
    with_a: Fraction  # population·P(A)
    without_a: Fraction
    b_and_a: Fraction  # with A and B: true positives
    b_and_not_a: Fraction  # without A, with B: false alarms
    not_b_and_a: Fraction
    not_b_and_not_a: Fraction

    @property
    def with_b(self) -> Fraction:
        return self.b_and_a + self.b_and_not_a

    @property
    def whole(self) -> bool:
        return all(
            value.denominator == 1
            for value in (self.with_a, self.b_and_a, self.b_and_not_a, self.not_b_and_a)
        )


class Update(Record):
    """One step of updating on the same evidence: the posterior becomes the next prior."""

    step: int
    prior: Fraction
    evidence: Fraction  # P(B) under this prior
    posterior: Fraction


class Bayes(Record):
    prior: Fraction  # P(A)
    likelihood: Fraction  # P(B|A)
    false_alarm: Fraction  # P(B|¬A)
    evidence: Fraction  # P(B) = P(B|A)·P(A) + P(B|¬A)·P(¬A)
    posterior: Fraction  # P(A|B)
    evidence_given: bool  # P(B) was given, and P(B|¬A) derived from it
    frequencies: Frequencies
    updates: tuple[Update, ...]  # with --times N: N steps, the first being this one
    labels: tuple[str, str]  # names of A and B

    @property
    def joint(self) -> Fraction:
        """P(A and B) = P(B|A)·P(A)."""
        return self.likelihood * self.prior

    @property
    def likelihood_ratio(self) -> Fraction | None:
        """P(B|A)/P(B|¬A): how much more often B is seen with A than without."""
        return self.likelihood / self.false_alarm if self.false_alarm else None


def read_probability(value: str | float | Fraction, option: str) -> Fraction:
    """A probability from text such as 0.01, 1e-3 or 1/100, exactly, in [0, 1].

    From Python a number or a Fraction is read from its text (the float 0.01 as
    1/100, the decimal it prints as), so it gives what the command line gives.
    """
    token = (value if isinstance(value, str) else str(value)).strip()
    if _DECIMAL.fullmatch(token):
        value = Fraction(token)
    elif match := _RATIO.fullmatch(token):
        if int(match[2]) == 0:
            raise InputError(f"{option} {token}: division by zero")
        value = Fraction(int(match[1]), int(match[2]))
    else:
        raise InputError(
            f"{option} {token!r} is not a probability: give a decimal (0.01, 1e-3) or a "
            "fraction (1/100)"
        )
    if not 0 <= value <= 1:
        raise InputError(f"{option} {token} is outside [0, 1]: a probability is between 0 and 1")
    return value


def bayes(
    prior: Fraction,
    likelihood: Fraction,
    *,
    false_alarm: Fraction | None = None,
    evidence: Fraction | None = None,
    times: int = 1,
    labels: tuple[str, str] = ("A", "B"),
) -> Bayes:
    """The posterior P(A|B) with every step, from P(A), P(B|A) and P(B|¬A) or P(B)."""
    for name, value in (("--prior", prior), ("--likelihood", likelihood)):
        _check(name, value)
    if false_alarm is None and evidence is None:
        raise InputError("give --false-alarm P(B|¬A) or --evidence P(B): one of them is needed")
    if false_alarm is not None and evidence is not None:
        raise InputError("give either --false-alarm P(B|¬A) or --evidence P(B), not both")
    if not 1 <= times <= MAX_TIMES:
        raise InputError(f"--times must be between 1 and {MAX_TIMES}, got {times}")
    joint = likelihood * prior
    if evidence is not None:
        _check("--evidence", evidence)
        false_alarm = _false_alarm_from_evidence(prior, likelihood, evidence, labels)
    assert false_alarm is not None
    _check("--false-alarm", false_alarm)
    total = joint + false_alarm * (1 - prior)
    if total == 0:
        a, b = labels
        raise InputError(
            f"the evidence is impossible: P({b}) = P({b}|{a})·P({a}) + P({b}|¬{a})·P(¬{a}) = 0, "
            f"and P({a}|{b}) = P({b}|{a})·P({a})/P({b}) divides by zero"
        )
    updates = []
    current = prior
    for step in range(1, times + 1):
        seen = likelihood * current + false_alarm * (1 - current)
        posterior = likelihood * current / seen
        updates.append(Update(step, current, seen, posterior))
        current = posterior
    return Bayes(
        prior=prior,
        likelihood=likelihood,
        false_alarm=false_alarm,
        evidence=total,
        posterior=joint / total,
        evidence_given=evidence is not None,
        frequencies=frequencies(prior, likelihood, false_alarm),
        updates=tuple(updates),
        labels=labels,
    )


def _check(option: str, value: Fraction) -> None:
    if not 0 <= value <= 1:
        raise InputError(f"{option} {float(value):g} is outside [0, 1]")


def _false_alarm_from_evidence(
    prior: Fraction, likelihood: Fraction, evidence: Fraction, labels: tuple[str, str]
) -> Fraction:
    """P(B|¬A) = (P(B) − P(B|A)·P(A)) / P(¬A), which must be a probability."""
    a, b = labels
    joint = likelihood * prior
    if evidence < joint:
        raise InputError(
            f"--evidence {float(evidence):g} is impossible: P({b}) ≥ P({b}|{a})·P({a}) = "
            f"{float(joint):g}, or P({a}|{b}) would exceed 1"
        )
    if prior == 1:
        if evidence != likelihood:
            raise InputError(
                f"--evidence {float(evidence):g} is impossible: with P({a}) = 1, "
                f"P({b}) = P({b}|{a}) = {float(likelihood):g}"
            )
        return Fraction(0)  # never used: P(¬A) = 0
    highest = joint + (1 - prior)
    if evidence > highest:
        raise InputError(
            f"--evidence {float(evidence):g} is impossible: P({b}) ≤ P({b}|{a})·P({a}) + "
            f"P(¬{a}) = {float(highest):g}, or P({b}|¬{a}) would exceed 1"
        )
    return (evidence - joint) / (1 - prior)


def frequencies(prior: Fraction, likelihood: Fraction, false_alarm: Fraction) -> Frequencies:
    """Counts out of POPULATION people, or the next power of ten that makes them whole."""
    population = POPULATION
    while True:
        counts = _counts(population, prior, likelihood, false_alarm)
        if counts.whole or population >= MAX_POPULATION:
            return counts if counts.whole else _counts(POPULATION, prior, likelihood, false_alarm)
        population *= 10


def _counts(
    population: int, prior: Fraction, likelihood: Fraction, false_alarm: Fraction
) -> Frequencies:
    with_a = population * prior
    without_a = population - with_a
    return Frequencies(
        population=population,
        with_a=with_a,
        without_a=without_a,
        b_and_a=with_a * likelihood,
        b_and_not_a=without_a * false_alarm,
        not_b_and_a=with_a * (1 - likelihood),
        not_b_and_not_a=without_a * (1 - false_alarm),
    )


def read_labels(value: str | Sequence[str] | None) -> tuple[str, str]:
    """`disease,positive` (or a pair of names) -> ("disease", "positive"); the
    default is ("A", "B")."""
    if value is None:
        return ("A", "B")
    text = value if isinstance(value, str) else ",".join(value)
    names = [name.strip() for name in text.split(",")]
    if len(names) != 2 or not all(names):
        raise InputError(f"--labels needs two names, A and B, as in disease,positive; got {text!r}")
    if names[0] == names[1]:
        raise InputError(f"--labels names A and B the same: {names[0]!r}")
    return names[0], names[1]


def bayes_input(
    prior: str | float | Fraction,
    likelihood: str | float | Fraction,
    *,
    false_alarm: str | float | Fraction | None = None,
    evidence: str | float | Fraction | None = None,
    times: int = 1,
    labels: str | Sequence[str] | None = None,
) -> Bayes:
    """`mathml bayes`'s options read (text as the command line gives it, or Python
    numbers and Fractions) and checked, then `bayes`."""
    return bayes(
        read_probability(prior, "--prior"),
        read_probability(likelihood, "--likelihood"),
        false_alarm=read_probability(false_alarm, "--false-alarm")
        if false_alarm is not None
        else None,
        evidence=read_probability(evidence, "--evidence") if evidence is not None else None,
        times=times,
        labels=read_labels(labels),
    )
