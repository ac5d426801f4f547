"""`mathml regress`: linear regression from a CSV file or stdin, with its working."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from mathml_cli.cli.options import FormatOption, check_plot_format
from mathml_cli.errors import InputError
from mathml_cli.render.output import OutputFormat


def regress_command(
    path: Annotated[
        str | None,
        typer.Argument(
            help="The CSV file; '-' or nothing to read it from stdin.", show_default=False
        ),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", "-y", help="The column to predict. Default: the last column."),
    ] = None,
    features: Annotated[
        str | None,
        typer.Option(
            "--features",
            "-x",
            help="Feature columns or expressions of them, e.g. sqft,rooms or "
            '"x, x**2, log(z), x*z". Default: every other column.',
        ),
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            "--method", "-m", help="normal (the normal equation) or gd (gradient descent)."
        ),
    ] = "normal",
    learning_rate: Annotated[
        float | None,
        typer.Option(
            "--lr", help="Gradient descent's learning rate α (--method gd).  [default: 0.1]"
        ),
    ] = None,
    steps: Annotated[
        int | None,
        typer.Option(
            "--steps",
            help="Gradient descent's most steps; it stops on convergence (--method gd). "
            " [default: 10000]",
        ),
    ] = None,
    no_intercept: Annotated[
        bool,
        typer.Option(
            "--no-intercept",
            help="Fit through the origin (no β₀); R² is then the uncentred one.",
        ),
    ] = False,
    ridge: Annotated[
        float | None,
        typer.Option(
            "--ridge",
            help="Ridge regression: minimise ‖y − Xβ‖² + λ‖β‖² with this λ (β₀ not penalised).",
        ),
    ] = None,
    standardize: Annotated[
        bool,
        typer.Option(
            "--standardize",
            help="Gradient descent on z = (x − x̄)/s; coefficients reported in x's units.",
        ),
    ] = False,
    every: Annotated[
        int | None,
        typer.Option(
            "--every", "-k", help="Show every K-th step of gradient descent (JSON has all)."
        ),
    ] = None,
    predict: Annotated[
        str | None,
        typer.Option(
            "--predict",
            help='Predict at a point, e.g. "sqft=1600,rooms=3"; any column name as it is '
            'written, "price ($)=3".',
        ),
    ] = None,
    no_header: Annotated[
        bool,
        typer.Option(
            "--no-header", help="The first row is data; columns are named x1, x2, ..., y."
        ),
    ] = False,
    drop_missing: Annotated[
        bool, typer.Option("--drop-missing", help="Leave out rows with a missing value.")
    ] = False,
    brief: Annotated[
        bool, typer.Option("--brief", help="Only the results: skip the normal equation's steps.")
    ] = False,
    plot: Annotated[
        bool,
        typer.Option(
            "--plot",
            help="Plot the fit: data and line (one feature) or predicted against actual and "
            "residuals; with gd, the loss curve.",
        ),
    ] = False,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Fit a linear regression to a CSV table, showing the normal equation step by step.

    Reads a file or stdin in blocks, keeping only a small triangular factor (a
    streamed QR, memory O(p²)), so a file larger than memory works; small tables
    are then solved exactly. Reports what statsmodels' OLS summary does:
    coefficients, standard errors, t, p-values, 95% intervals, R², F and more.

    Examples:

      mathml regress docs/data/houses.csv

      cat docs/data/houses.csv | mathml regress --target price --features sqft,rooms

      mathml regress docs/data/houses.csv --method gd --standardize --lr 0.1 --plot

      mathml regress docs/data/houses.csv --ridge 10

      mathml regress docs/data/study.csv --no-intercept

      mathml regress docs/data/houses.csv --predict "sqft=1600,rooms=3,age=10" --format json
    """
    # The streamed QR's products are of blocks a few thousand rows by a few columns:
    # OpenBLAS's threads cost more than they save there (a million rows × 10: 0.76 s
    # with two, 0.71 s with one; 70 ms instead of 1.7 ms for a block's QR on a busy
    # 2-core machine). NumPy reads this on first import.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from mathml_cli.core.regress import check_every, regress, split_features
    from mathml_cli.core.table import CsvTable, open_input
    from mathml_cli.render import regress as render
    from mathml_cli.render.output import emit_view

    check_plot_format(plot, output_format)
    check_every(every, method, json_output=output_format == OutputFormat.json)
    if path is None:
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError(
                "no input: give a CSV file, or pipe one in (mathml regress - < data.csv)"
            )
        path = "-"
    feature_list = split_features(features) if features is not None else None
    if feature_list is not None and not feature_list:
        raise InputError("--features is empty: name at least one column")
    stream, source = open_input(path)
    try:
        table = CsvTable(stream, source, header=False if no_header else None)
        result = regress(
            table,
            target=target,
            features=feature_list,
            drop_missing=drop_missing,
            method=method,
            learning_rate=learning_rate,
            max_steps=steps,
            predict=predict,
            intercept=not no_intercept,
            ridge=ridge,
            standardize=standardize,
        )
    finally:
        if path != "-":
            stream.close()
    emit_view(
        output_format,
        view=lambda: render.view(result, show_steps=not brief, every=every, plot=plot),
        data=lambda: render.data(result),
    )
