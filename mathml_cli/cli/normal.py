"""`mathml normal`: the normal distribution's density, CDF, intervals, quantiles and MLE fit."""

from __future__ import annotations

from typing import Annotated

import typer

from mathml_cli.cli.options import FormatOption, check_plot_format
from mathml_cli.render.output import OutputFormat


def normal_command(
    mean: Annotated[str, typer.Option("--mean", "-m", metavar="μ", help="The mean μ.")] = "0",
    std: Annotated[
        str, typer.Option("--std", "-s", metavar="σ", help="The standard deviation σ > 0.")
    ] = "1",
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
    from mathml_cli.core.data import read_number
    from mathml_cli.core.normal import fit_input, normal, read_between
    from mathml_cli.errors import InputError
    from mathml_cli.render import normal as render
    from mathml_cli.render.output import emit_view

    check_plot_format(plot, output_format)
    if column is not None and fit is None:
        raise InputError("--column picks the column to --fit: give --fit FILE too")
    fitted = fit_input(fit, column) if fit is not None else None
    if fitted is not None and (mean != "0" or std != "1"):
        raise InputError("--fit finds μ and σ from the data: leave out --mean and --std")
    result = normal(
        read_number(mean, "--mean"),
        read_number(std, "--std"),
        x=read_number(x, "--x") if x is not None else None,
        between=read_between(between) if between is not None else None,
        p=read_number(p, "--p") if p is not None else None,
        fit_data=fitted,
    )
    emit_view(
        output_format,
        view=lambda: render.view(result, plot=plot),
        data=lambda: render.data(result),
    )
