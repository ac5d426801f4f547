"""`mathml eigen`: eigenvalues and eigenvectors, the characteristic polynomial step by step."""

from __future__ import annotations

from typing import Annotated

import typer

from mathml_cli.cli.options import FormatOption, check_plot_format
from mathml_cli.render.output import OutputFormat


def eigen_command(
    matrix: Annotated[
        str,
        typer.Argument(
            help='A square matrix: [[2,1],[1,2]] or "2,1;1,2" (quoted: the shell reads ; as '
            "the end of a command); @file.csv (one row per line); or - for stdin.",
            show_default=False,
            metavar="A",
        ),
    ],
    power: Annotated[
        int | None,
        typer.Option(
            "--power",
            metavar="N",
            help="Also run N steps of power iteration (at most 1000), as a table.",
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            metavar="X0",
            help="Power iteration's start vector, e.g. 1,0. Default: all ones.",
        ),
    ] = None,
    plot: Annotated[
        bool,
        typer.Option(
            "--plot",
            help="2×2 only: the unit circle, its image under A, and the eigenvector directions.",
        ),
    ] = False,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Eigenvalues and eigenvectors, with det(A - λI) expanded step by step.

    Up to 3×3, exactly: the characteristic polynomial expanded (2×2 formula, or
    cofactors along row 1), its roots, each eigenvector from the null space of
    A - λI, and the check Av = λv. Complex eigenvalues are read as a rotation,
    repeated ones without enough eigenvectors named defective; a symmetric A
    gets A = QΛQᵀ. Larger matrices: NumPy, with the residual ‖Av - λv‖ of each
    pair. Decimals are exact: 0.1 is 1/10.

    Examples:

      mathml eigen "[[2,1],[1,2]]"

      mathml eigen "[[0,-1],[1,0]]"

      mathml eigen "[[4,1,2],[1,3,0],[2,0,5]]" --power 20

      mathml eigen "[[3,1],[0,2]]" --plot

      mathml eigen "2,1;1,2" --format json
    """
    from mathml_cli.core.eigen import eigen_input
    from mathml_cli.render import eigen as render
    from mathml_cli.render.output import emit_view

    check_plot_format(plot, output_format)
    result = eigen_input(matrix, power=power, start=start, plot=plot)
    emit_view(
        output_format,
        view=lambda: render.view(result, plot=plot),
        data=lambda: render.data(result),
    )
