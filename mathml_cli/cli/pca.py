"""`mathml pca`: principal component analysis of a CSV table, streamed in one pass."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mathml_cli.cli.options import FormatOption, check_plot_format
from mathml_cli.errors import InputError
from mathml_cli.render.output import OutputFormat


def pca_command(
    path: Annotated[
        str | None,
        typer.Argument(
            help="The CSV file; '-' or nothing to read it from stdin.", show_default=False
        ),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option("--columns", "-c", help="Columns to use, e.g. a,b,c. Default: all."),
    ] = None,
    standardize: Annotated[
        bool,
        typer.Option(
            "--standardize",
            "-s",
            help="Divide each column by its standard deviation first: PCA on the correlation "
            "matrix (for columns in different units).",
        ),
    ] = False,
    components: Annotated[
        int | None,
        typer.Option("--components", "-k", help="How many components to project onto. Default: 2."),
    ] = None,
    scores: Annotated[
        str | None,
        typer.Option(
            "--scores",
            metavar="FILE",
            help="Write every row's scores as CSV (PC1,...,PCk); keeps the rows in memory.",
        ),
    ] = None,
    no_header: Annotated[
        bool,
        typer.Option("--no-header", help="The first row is data; columns are named x1, x2, ..."),
    ] = False,
    plot: Annotated[
        bool,
        typer.Option(
            "--plot", help="A scree plot, and the scores in the plane of PC1 and PC2 (k ≥ 2)."
        ),
    ] = False,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Principal component analysis: covariance, eigenvectors, variance explained, scores.

    Centres the columns, forms the covariance matrix in one streaming pass
    (memory O(p²), any number of rows), finds its eigenvectors (the principal
    components, largest variance first), and projects the rows onto the first
    k. Checked against the SVD of the centred data, as libraries compute it.

    Examples:

      mathml pca docs/data/iris.csv

      mathml pca docs/data/houses.csv --standardize --columns sqft,rooms,age

      cat docs/data/iris.csv | mathml pca --components 3 --format json

      mathml pca docs/data/iris.csv --plot
    """
    from mathml_cli.core.pca import pca_input
    from mathml_cli.render import pca as render
    from mathml_cli.render.output import emit_view

    check_plot_format(plot, output_format)
    if path is None:
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError("no input: give a CSV file, or pipe one in (mathml pca - < data.csv)")
        path = "-"
    result = pca_input(
        path,
        columns=columns,
        standardize=standardize,
        components=components,
        scores=scores,
        no_header=no_header,
        plot=plot,
    )
    emit_view(
        output_format,
        view=lambda: render.view(result, plot=plot, scores_file=scores),
        data=lambda: render.data(result, scores_file=scores),
    )
