"""`mathml bayes` as a View (every format but JSON) and as JSON data."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from mathml_cli.core.bayes import Bayes, Frequencies
from mathml_cli.render import view as v
from mathml_cli.render.common import part_heading, step_heading

EXACT_DIGITS = 12  # a probability is written exactly when its decimal has at most this many
UPDATE_ROWS = 12  # --times tables longer than this show the first and last rows


def probability(value: Fraction) -> str:
    """0.01 as `0.01`; 2/13 (no short decimal) as `0.153846`."""
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    places = max(twos, fives)
    if denominator == 1 and places <= EXACT_DIGITS:
        text = f"{value.numerator * 10**places // value.denominator}"
        if places:
            text = text.rjust(places + 1, "0")
            text = f"{text[:-places]}.{text[-places:]}".rstrip("0").rstrip(".")
        return text
    shown = v.number(float(value))
    # A posterior within rounding of 1 (or 0) is not certain: say so.
    return f"≈{shown}" if shown in ("0", "1") else shown


def count(value: Fraction) -> str:
    return f"{int(value):,}" if value.denominator == 1 else f"≈{v.number(float(value))}"


def percent(value: Fraction) -> str:
    shown = f"{float(value) * 100:.3g}%"
    return f"≈{shown}" if shown in ("0%", "100%") and 0 < value < 1 else shown


def _exact(value: Fraction) -> str:
    """`, exactly 2/13` for a small fraction the decimal only approximates."""
    written = probability(value)
    if value.denominator < 10**6 and (written.startswith("≈") or Fraction(written) != value):
        return f", exactly {value.numerator}/{value.denominator}"
    return ""


def _tex(value: Fraction) -> str:
    """`probability` in LaTeX math."""
    return probability(value).replace("≈", r"\approx ")


def _equals(written: str) -> str:
    """`= 0.15` or, for a value shown rounded, `≈1` alone (not `= ≈1`)."""
    if written.startswith("≈"):
        return f"≈ {written[1:]}"
    return written if written.startswith(r"\approx") else f"= {written}"


def _odds(value: Fraction) -> str:
    """Odds as `1:99` when the numbers are small, else as a decimal."""
    if value.denominator < 10**6 and value.numerator < 10**6:
        return f"{value.numerator:,}:{value.denominator:,}"
    return v.number(float(value))


class _Names:
    """How A, B and their negations read in formulas: P(B|A), P(positive | disease)."""

    def __init__(self, labels: tuple[str, str]) -> None:
        self.a, self.b = labels
        long = len(self.a) > 1 or len(self.b) > 1
        self.bar = " | " if long else "|"

    def p(self, event: str, given: str | None = None) -> str:
        return f"P({event}{self.bar}{given})" if given else f"P({event})"

    def p_latex(self, event: str, given: str | None = None) -> str:
        def tex(name: str) -> str:
            negated = name.startswith("¬")
            core = name[1:] if negated else name
            shown = core if len(core) == 1 else r"\text{" + v.latex_escape(core) + "}"
            return (r"\neg " if negated else "") + shown

        inner = tex(event) + (r" \mid " + tex(given) if given else "")
        return f"P({inner})"


def view(result: Bayes) -> v.View:
    names = _Names(result.labels)
    a, b = names.a, names.b
    blocks: list[v.Block] = [
        v.Paragraph((v.Span("Bayes' theorem"),)),
        v.Formula(
            f"{names.p(a, b)} = {names.p(b, a)}·{names.p(a)} / {names.p(b)}",
            rf"{names.p_latex(a, b)} = \frac{{{names.p_latex(b, a)}\,{names.p_latex(a)}}}"
            rf"{{{names.p_latex(b)}}}",
        ),
    ]
    if result.labels != ("A", "B"):
        blocks.append(v.Note((f"A = {a}, B = {b}",), indent=1))
    blocks.append(_given(result, names))
    blocks.append(_steps(result, names))
    blocks.append(_frequencies(result, names))
    blocks.append(_table(result.frequencies, names))
    if len(result.updates) > 1:
        blocks.append(_updates(result, names))
    return v.View("mathml bayes", tuple(blocks), "mathml bayes")


def _given(result: Bayes, names: _Names) -> v.Section:
    a, b = names.a, names.b

    def known(label: str, value: Fraction, event: str, given: str | None, meaning: str) -> v.Block:
        """One probability the user gave: `likelihood  P(B|A) = 0.9  how often …`."""
        statement = v.Math(
            f"{names.p(event, given)} = {probability(value)}",
            f"{names.p_latex(event, given)} = {_tex(value)}",
        )
        gloss = (v.Span(f"  {meaning}", "muted"),) if meaning else ()
        return v.Paragraph((v.Span(f"{label:<12}", "rule"), statement, *gloss), indent=1)

    rows = [
        known("prior", result.prior, a, None, f"how common {a} is before any evidence"),
        known("likelihood", result.likelihood, b, a, f"how often {b} is seen when {a} is true"),
        known("evidence", result.evidence, b, None, "")
        if result.evidence_given
        else known(
            "false alarm",
            result.false_alarm,
            b,
            "¬" + a,
            f"how often {b} is seen when {a} is false",
        ),
    ]
    return v.Section(part_heading("Given"), tuple(rows))


def _steps(result: Bayes, names: _Names) -> v.Section:
    a, b = names.a, names.b
    prior, likelihood, alarm = result.prior, result.likelihood, result.false_alarm
    not_prior = 1 - prior
    blocks: list[v.Block] = []
    if result.evidence_given:
        blocks.append(
            step_heading(
                1,
                "The false-alarm rate the evidence implies: ",
                v.Math(
                    f"{names.p(b, '¬' + a)} = ({names.p(b)} − {names.p(b, a)}·{names.p(a)})"
                    f" / {names.p('¬' + a)} = ({probability(result.evidence)} − "
                    f"{probability(result.joint)}) / {probability(not_prior)} = "
                    f"{probability(alarm)}",
                    rf"{names.p_latex(b, '¬' + a)} = \frac{{{_tex(result.evidence)} - "
                    rf"{_tex(result.joint)}}}{{{_tex(not_prior)}}} = "
                    rf"{_tex(alarm)}",
                ),
            )
        )
        blocks.append(
            v.Note(
                (
                    f"From total probability, below; a P({b}) outside "
                    f"[{names.p(b, a)}·{names.p(a)}, {names.p(b, a)}·{names.p(a)} + "
                    f"{names.p('¬' + a)}] would be impossible.",
                ),
                indent=1,
            )
        )
    else:
        blocks.append(
            step_heading(
                1,
                f"{names.p(b)} by total probability: ",
                f"every way {b} can happen, with {a} or without it",
            )
        )
        blocks.append(
            v.Paragraph(
                (
                    v.Math(
                        f"{names.p(b)} = {names.p(b, a)}·{names.p(a)} + "
                        f"{names.p(b, '¬' + a)}·{names.p('¬' + a)}",
                        rf"{names.p_latex(b)} = {names.p_latex(b, a)}\,{names.p_latex(a)} + "
                        rf"{names.p_latex(b, '¬' + a)}\,{names.p_latex('¬' + a)}",
                    ),
                ),
                indent=1,
            )
        )
        joint_not = alarm * not_prior
        blocks.append(
            v.Paragraph(
                (
                    v.Math(
                        f"= {probability(likelihood)}·{probability(prior)} + "
                        f"{probability(alarm)}·{probability(not_prior)} = "
                        f"{probability(result.joint)} + {probability(joint_not)} = "
                        f"{probability(result.evidence)}",
                        rf"= {_tex(likelihood)} \cdot {_tex(prior)} + "
                        rf"{_tex(alarm)} \cdot {_tex(not_prior)} = "
                        rf"{_tex(result.joint)} + {_tex(joint_not)} = "
                        rf"{_tex(result.evidence)}",
                        "result",
                    ),
                ),
                indent=1,
            )
        )
    posterior = result.posterior
    blocks.append(step_heading(2, "The posterior: ", f"{a} once {b} is seen"))
    blocks.append(
        v.Paragraph(
            (
                v.Math(
                    f"{names.p(a, b)} = {names.p(b, a)}·{names.p(a)} / {names.p(b)} = "
                    f"{probability(result.joint)} / {probability(result.evidence)} "
                    f"{_equals(probability(posterior))}",
                    rf"{names.p_latex(a, b)} = \frac{{{_tex(result.joint)}}}"
                    rf"{{{_tex(result.evidence)}}} {_equals(_tex(posterior))}",
                    "result",
                ),
                f" ({percent(posterior)}{_exact(posterior)})",
            ),
            indent=1,
        )
    )
    ratio = result.likelihood_ratio
    if ratio is not None and 0 < prior < 1 and posterior < 1:
        prior_odds = prior / not_prior
        blocks.append(
            v.Note(
                (
                    f"In odds: {b} is {v.number(float(ratio))} times as likely with {a} as without "
                    f"(the likelihood ratio), so seeing it multiplies the odds of {a} by that: "
                    f"{_odds(prior_odds)} × {v.number(float(ratio))} = {_odds(prior_odds * ratio)}"
                    f", and odds o mean a probability o/(1 + o) = {percent(posterior)}.",
                ),
                indent=1,
            )
        )
    return v.Section(part_heading("Steps"), tuple(blocks))


def _frequencies(result: Bayes, names: _Names) -> v.Section:
    counts = result.frequencies
    a, b = names.a, names.b
    people = f"{counts.population:,}"
    line = (
        f"Of {people} cases, {count(counts.with_a)} have {a}; {count(counts.b_and_a)} of them "
        f"are {b} ({percent(result.likelihood)}). Of the {count(counts.without_a)} without "
        f"{a}, {count(counts.b_and_not_a)} are {b} too ({percent(result.false_alarm)}). So "
        f"{count(counts.b_and_a)} of the {count(counts.with_b)} {b} cases have {a}: "
        f"{count(counts.b_and_a)}/{count(counts.with_b)} = {percent(result.posterior)}."
    )
    blocks: list[v.Block] = [v.Paragraph((line,))]
    if not counts.whole:
        blocks.append(
            v.Note(
                ("Counts with ≈ are not whole: these probabilities need a bigger crowd.",),
                indent=1,
            )
        )
    blocks.append(
        v.Note(
            (
                "The same numbers as counts of people: how doctors and juries get Bayes right "
                "(Gigerenzer's natural frequencies).",
            ),
            indent=1,
        )
    )
    return v.Section(part_heading(f"Natural frequencies: out of {people}"), tuple(blocks))


def _table(counts: Frequencies, names: _Names) -> v.Section:
    a, b = names.a, names.b
    total = Fraction(counts.population)
    rows = (
        (a, counts.b_and_a, counts.not_b_and_a, counts.with_a),
        ("¬" + a, counts.b_and_not_a, counts.not_b_and_not_a, counts.without_a),
        (
            "total",
            counts.with_b,
            counts.not_b_and_a + counts.not_b_and_not_a,
            total,
        ),
    )
    table = v.Table(
        (
            v.Column("", align="left"),
            v.Column(b, format="text"),
            v.Column("¬" + b, format="text"),
            v.Column("total", format="text"),
        ),
        tuple((label, *(count(value) for value in values)) for label, *values in rows),
    )
    return v.Section(part_heading("2×2 table"), (table,))


def _updates(result: Bayes, names: _Names) -> v.Section:
    a, b = names.a, names.b
    rows: list[Any] = [
        (
            update.step,
            probability(update.prior),
            probability(update.evidence),
            probability(update.posterior),
            probability(1 - update.posterior),
        )
        for update in result.updates
    ]
    if len(rows) > UPDATE_ROWS:
        rows = [*rows[:8], v.Gap(len(rows) - 11), *rows[-3:]]
    table = v.Table(
        (
            v.Column("step", format="integer"),
            v.Column("prior", format="text"),
            v.Column(v.Math(names.p(b), names.p_latex(b)), format="text"),
            v.Column("posterior", format="text"),
            v.Column("1 − posterior", format="text"),
        ),
        tuple(rows),
    )
    return v.Section(
        part_heading(f"Seeing {b} {len(result.updates)} times"),
        (
            v.Paragraph(
                (
                    f"Each time {b} is seen again (independently, given {a} or ¬{a}), "
                    f"yesterday's posterior {names.p(a, b)} is today's prior {names.p(a)}:",
                )
            ),
            table,
        ),
    )


# --- JSON ----------------------------------------------------------------------------


def _fraction(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _whole(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def data(result: Bayes) -> dict[str, Any]:
    counts = result.frequencies
    ratio = result.likelihood_ratio
    return {
        "labels": list(result.labels),
        "prior": float(result.prior),
        "likelihood": float(result.likelihood),
        "false_alarm": float(result.false_alarm),
        "evidence": float(result.evidence),
        "evidence_given": result.evidence_given,
        "joint": float(result.joint),
        "posterior": float(result.posterior),
        "posterior_exact": _fraction(result.posterior),
        "likelihood_ratio": float(ratio) if ratio is not None else None,
        "frequencies": {
            "population": counts.population,
            "with_a": _whole(counts.with_a),
            "without_a": _whole(counts.without_a),
            "b_and_a": _whole(counts.b_and_a),
            "b_and_not_a": _whole(counts.b_and_not_a),
            "not_b_and_a": _whole(counts.not_b_and_a),
            "not_b_and_not_a": _whole(counts.not_b_and_not_a),
            "with_b": _whole(counts.with_b),
        },
        "updates": [
            {
                "step": update.step,
                "prior": float(update.prior),
                "evidence": float(update.evidence),
                "posterior": float(update.posterior),
                "posterior_exact": _fraction(update.posterior),
            }
            for update in result.updates
        ],
    }
