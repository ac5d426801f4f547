"""`mathml bayes`: Bayes' theorem step by step, as probabilities and as natural frequencies."""

from __future__ import annotations

from typing import Annotated

import typer

from mathml_cli.cli.options import FormatOption
from mathml_cli.render.output import OutputFormat


def bayes_command(
    prior: Annotated[
        str,
        typer.Option("--prior", "-a", metavar="P(A)", help="P(A): how common A is beforehand."),
    ],
    likelihood: Annotated[
        str,
        typer.Option(
            "--likelihood", "-l", metavar="P(B|A)", help="P(B|A): how often B comes with A."
        ),
    ],
    false_alarm: Annotated[
        str | None,
        typer.Option(
            "--false-alarm",
            metavar="P(B|¬A)",
            help="P(B|¬A): how often B comes without A (e.g. a test's false-positive rate).",
        ),
    ] = None,
    evidence: Annotated[
        str | None,
        typer.Option("--evidence", "-e", metavar="P(B)", help="P(B), in place of --false-alarm."),
    ] = None,
    times: Annotated[
        int,
        typer.Option(
            "--times", "-n", metavar="N", help="See B N times: update the posterior step by step."
        ),
    ] = 1,
    labels: Annotated[
        str | None,
        typer.Option(
            "--labels", metavar="A,B", help="Names for A and B in the text, e.g. disease,positive."
        ),
    ] = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Bayes' theorem: the posterior P(A|B) from the prior, the likelihood and the evidence.

    Writes out P(B) by total probability, the posterior, the same numbers as
    natural frequencies out of 10,000, and a 2×2 table. Probabilities are exact
    fractions (0.01 or 1/100). With --times N, the same evidence seen N times.

    Examples:

      mathml bayes --prior 0.01 --likelihood 0.9 --false-alarm 0.05

      mathml bayes --prior 0.01 --likelihood 0.9 --false-alarm 0.05 --labels disease,positive

      mathml bayes --prior 1/1000 --likelihood 0.99 --evidence 0.02

      mathml bayes --prior 0.01 --likelihood 0.9 --false-alarm 0.05 --times 3 --format json
    """
    from mathml_cli.core.bayes import bayes_input
    from mathml_cli.render import bayes as render
    from mathml_cli.render.output import emit_view

    result = bayes_input(
        prior,
        likelihood,
        false_alarm=false_alarm,
        evidence=evidence,
        times=times,
        labels=labels,
    )
    emit_view(output_format, view=lambda: render.view(result), data=lambda: render.data(result))
