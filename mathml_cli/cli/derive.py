"""`mathml derive`: a derivative with every rule named, shown and checked."""

from __future__ import annotations

from typing import Annotated

import typer

from mathml_cli.cli.options import FormatOption, check_plot_format
from mathml_cli.render.output import OutputFormat


def derive_command(
    expression: Annotated[
        str, typer.Argument(help='The function, e.g. "x**2*sin(x)" (see docs/expressions.md).')
    ],
    wrt: Annotated[
        list[str] | None,
        typer.Option(
            "--wrt",
            "-w",
            help="Variable to differentiate by; repeat it (or give x,y) for several. "
            "Default: the only variable, or all of them (the gradient).",
        ),
    ] = None,
    order: Annotated[
        int, typer.Option("--order", "-n", help="Which derivative: 2 for the second, up to 10.")
    ] = 1,
    at: Annotated[
        str | None,
        typer.Option("--at", help='A point, e.g. "x=3,y=2": show f and its derivatives there.'),
    ] = None,
    steps: Annotated[
        bool, typer.Option("--steps/--no-steps", help="Show (or hide) the step-by-step rules.")
    ] = True,
    plot: Annotated[
        bool,
        typer.Option(
            "--plot",
            help="Plot f and its derivative (one variable); with --at, the tangent line there too.",
        ),
    ] = False,
    plot_range: Annotated[
        str | None,
        typer.Option("--range", help="The plot's x range as a:b. Default -5:5, or around --at."),
    ] = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Derivatives, with every rule named and checked.

    Each step names its rule (product, chain, quotient, ...), states the rule's
    formula, fills it in, and gives the result; the answer is checked against
    finite differences.

    Examples:

      mathml derive "x**2*sin(x)"

      mathml derive "sigmoid(w*x + b)" --wrt w --at "w=0.5,x=2,b=0.1"

      mathml derive "x**3" --order 2 --plot --at x=1

      mathml derive "x**2*y + exp(y)" --format json
    """
    from mathml_cli.core.derive import derive, read_plot_range
    from mathml_cli.render import derive as render
    from mathml_cli.render.output import emit_view

    check_plot_format(plot, output_format)
    window = read_plot_range(plot_range, plot)
    result = derive(expression, wrt, order, at)
    emit_view(
        output_format,
        view=lambda: render.view(result, steps=steps, plot=plot, plot_range=window),
        data=lambda: render.data(result),
    )
