"""`mathml explain`: the catalogue of activations, losses and regularizers."""

from __future__ import annotations

from typing import Annotated

import typer

from mathml_cli.cli.options import FormatOption, check_plot_format
from mathml_cli.render.output import OutputFormat


def explain_command(
    name: Annotated[
        str | None,
        typer.Argument(
            help="An entry (sigmoid, relu, mse, huber, l2, ...), or several separated by "
            "commas with --compare.",
            show_default=False,
            metavar="NAME",
        ),
    ] = None,
    show_list: Annotated[
        bool, typer.Option("--list", "-l", help="List every entry with its formula.")
    ] = False,
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            "-c",
            metavar="KIND",
            help="With --list: only activation, loss or regularizer.",
        ),
    ] = None,
    steps: Annotated[
        bool, typer.Option("--steps", help="Show every rule of the derivation (derive's tree).")
    ] = False,
    at: Annotated[
        list[str] | None,
        typer.Option(
            "--at",
            metavar="POINT",
            help='Your own points for the table: "x=1.5", "yhat=5,y=3" or numbers "-2,0,2"; '
            "repeat for more.",
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            metavar="NAME=VALUE",
            help='Change a parameter, e.g. "a=0.2" for leaky_relu or "delta=2" for huber.',
        ),
    ] = None,
    compare: Annotated[
        bool,
        typer.Option("--compare", help="Several entries (a,b,c) in one table and one plot."),
    ] = False,
    plot: Annotated[
        bool, typer.Option("--plot", help="Plot the function and its derivative.")
    ] = False,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Activations, losses and regularizers: formula, derivative, behaviour, values.

    The derivative comes from derive's engine, is put in the closed form people
    quote (σ′ = σ(1 − σ)) and checked against it; the behaviour that matters for
    training (largest slope, saturation, dead regions, kinks) is computed.

    Examples:

      mathml explain --list

      mathml explain sigmoid

      mathml explain mse --at yhat=5,y=3

      mathml explain leaky_relu --param a=0.2 --at -2,0,2

      mathml explain gelu --steps

      mathml explain relu,gelu,silu --compare

      mathml explain huber --format json
    """
    from mathml_cli.core.explain import explain_input
    from mathml_cli.render import explain as render
    from mathml_cli.render.output import emit_view

    check_plot_format(plot, output_format)
    result = explain_input(
        name,
        show_list=show_list,
        category=category,
        steps=steps,
        at=at,
        param=param,
        compare=compare,
        plot=plot,
    )
    view, data = render.presentation(result, category=category, plot=plot)
    emit_view(output_format, view=view, data=data)
