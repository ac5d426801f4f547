"""`mathml dot`: dot products and dense layers, every sum of products written out."""

from __future__ import annotations

from typing import Annotated

import typer

from mathml_cli.cli.options import FormatOption
from mathml_cli.render.output import OutputFormat


def dot_command(
    a: Annotated[
        str,
        typer.Argument(
            help="A: a vector [1,2,3] or 1,2,3; a matrix [[1,2],[3,4]] or 1,2;3,4; "
            "@file.csv; or - for stdin.",
            show_default=False,
            metavar="A",
        ),
    ],
    b: Annotated[
        str, typer.Argument(help="B, in the same forms as A.", show_default=False, metavar="B")
    ],
    bias: Annotated[
        str | None,
        typer.Option(
            "--bias",
            "-b",
            metavar="B",
            help="Add a bias: one number, or one per output (a vector bias is added to every "
            "row, NumPy's broadcasting).",
        ),
    ] = None,
    activation: Annotated[
        str | None,
        typer.Option(
            "--activation",
            "-a",
            metavar="F",
            help="Apply relu, sigmoid, tanh or softmax: a dense layer y = f(A·B + b).",
        ),
    ] = None,
    cell: Annotated[
        str | None,
        typer.Option(
            "--cell", metavar="I,J", help="Explain one output cell, i,j (or i for a vector result)."
        ),
    ] = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Multiply vectors and matrices, writing out every sum of products.

    vector · vector: the products, their sum, both norms, the cosine similarity and
    the angle. With matrices: the shape rule, each output cell as a sum of products
    (a sample for large inputs, or the one --cell names), then the result. With
    --bias and --activation: a whole dense layer, y = f(W·x + b). A file or stdin
    with one line is a vector; with several lines, a matrix (one row per line).

    Examples:

      mathml dot 5.9,160,32 0.3,0.01,0.05

      mathml dot "[[1,2],[3,4]]" "[5,6]" --bias 0.5,-1 --activation relu

      mathml dot @docs/data/weights.csv @docs/data/inputs.csv --cell 2,0

      mathml dot "[1,-2,3]" "[4,5,6]" --format json
    """
    from mathml_cli.core.linalg import dot_input
    from mathml_cli.render import dot as render
    from mathml_cli.render.output import emit_view

    result = dot_input(a, b, bias=bias, activation=activation, cell=cell)
    emit_view(output_format, view=lambda: render.view(result), data=lambda: render.data(result))
