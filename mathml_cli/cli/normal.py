"""`mathml normal`: the normal distribution's density, CDF, intervals, quantiles and MLE fit."""

from __future__ import annotations

from typing import Annotated

import typer

from mathml_cli.cli.options import FormatOption, check_plot_format
from mathml_cli.render.output import OutputFormat


def normal_command(
    mean: Annotated[
        str | None, typer.Option("--mean", "-m", metavar="μ", help="The mean μ; 0 if not given.")
    ] = None,
    std: Annotated[
        str | None,
        typer.Option(
            "--std", "-s", metavar="σ", help="The standard deviation σ > 0; 1 if not given."
        ),
    ] = None,
    x: Annotated[
        str | None,
        typer.Option("--x", "-x", metavar="X", help="Density, z-score and P(X ≤ x) at x."),
    ] = None,
    between: Annotated[
        str | None,
        typer.Option("--between", "-b", metavar="A,B", help="P(a < X < b), e.g. -1,1."),
    ] = None,
    p: Annotated[
        str | None,
        typer.Option("--p", "-p", metavar="P", help="The quantile: the x with P(X ≤ x) = p."),
    ] = None,
    fit: Annotated[
        str | None,
        typer.Option(
            "--fit",
            metavar="FILE",
            help="Fit μ and σ to data by maximum likelihood: a file of numbers, a CSV file "
            "(with --column), or - for stdin.",
        ),
    ] = None,
    column: Annotated[
        str | None,
        typer.Option("--column", "-c", metavar="NAME", help="The CSV column to fit."),
    ] = None,
    plot: Annotated[
        bool,
        typer.Option(
            "--plot",
            help="The bell curve with the asked area shaded (with --fit: the data's histogram "
            "against the fitted curve).",
        ),
    ] = False,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """The normal distribution N(μ, σ²): density, probabilities, quantiles, the MLE fit.

    Shows the density and the CDF through the error function, z-scores, areas as
    differences of CDF values, and the 68–95–99.7 rule. With --fit, the
    maximum-likelihood μ and σ of data, with the log-likelihood written out.

    Examples:

      mathml normal --x 1.96

      mathml normal --mean 100 --std 15 --between 85,115 --plot

      mathml normal --p 0.975

      mathml normal --x 8 --format json

      mathml normal --fit docs/data/study.csv --column score --x 70
    """
    from mathml_cli.core.normal import normal_input
    from mathml_cli.render import normal as render
    from mathml_cli.render.output import emit_view

    check_plot_format(plot, output_format)
    result = normal_input(mean, std, x=x, between=between, p=p, fit=fit, column=column)
    emit_view(
        output_format,
        view=lambda: render.view(result, plot=plot),
        data=lambda: render.data(result),
    )
