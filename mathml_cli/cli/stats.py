"""`mathml stats`: mean, variance, quartiles, z-scores, covariance and correlation, step by step."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mathml_cli.cli.options import FormatOption, check_plot_format
from mathml_cli.render.output import OutputFormat


def stats_command(
    values: Annotated[
        list[str] | None,
        typer.Argument(
            help="The numbers (negative ones too, or comma-separated lists), or one file "
            "(or - for stdin) of numbers separated by spaces, commas or newlines, "
            "or a CSV table.",
            show_default=False,
            metavar="NUMBERS|FILE",
        ),
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            "-c",
            metavar="NAME",
            help="Columns of a CSV file to summarise (repeat it, or a,b). Default: every "
            "column of a file with a header row.",
        ),
    ] = None,
    drop_missing: Annotated[
        bool, typer.Option("--drop-missing", help="Leave out CSV rows with a missing value.")
    ] = False,
    plot: Annotated[
        bool,
        typer.Option("--plot", help="A histogram with the normal curve of the same μ and σ."),
    ] = False,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Summarise numbers: mean, variance (population and sample), quartiles, z-scores.

    Every number comes with its formula and the values put in. Two or more CSV
    columns add covariance and Pearson correlation, with the steps for the first
    pair. Large input is read once in blocks: the moments use constant memory.

    Examples:

      mathml stats 85 92 78 95 88

      mathml stats 85,92,78,95,88 --plot

      seq 1 100 | mathml stats -

      mathml stats docs/data/study.csv

      mathml stats docs/data/study.csv --column score --format json
    """
    from mathml_cli.core.describe import describe_input
    from mathml_cli.errors import InputError
    from mathml_cli.render import stats as render
    from mathml_cli.render.output import emit_view

    check_plot_format(plot, output_format)
    arguments = values or []
    if not arguments:
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError("no numbers given: try 'mathml stats 85 92 78 95 88'")
        arguments = ["-"]
    result = describe_input(arguments, column, drop_missing=drop_missing)
    emit_view(
        output_format,
        view=lambda: render.view(result, plot=plot),
        data=lambda: render.data(result),
    )
