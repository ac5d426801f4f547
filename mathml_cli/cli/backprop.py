"""`mathml backprop`: a forward and a backward pass through an expression's graph."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from mathml_cli.render.output import OutputFormat

# The shared output formats (one list, in render/output.py), plus Graphviz DOT for a
# picture of the graph.
BackpropFormat = Enum(  # type: ignore[misc]
    "BackpropFormat", {**{f.name: f.value for f in OutputFormat}, "dot": "dot"}, type=str
)


def backprop_command(
    expression: Annotated[
        str,
        typer.Argument(
            help='The function, e.g. "sigmoid(w1*x1 + w2*x2 + b)" (docs/expressions.md), or a '
            'program of named steps, "h = x**2; y = h + 3; z = y*2" (docs/programs.md); '
            "@file or - (stdin) to read it.",
        ),
    ],
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help='A value for every variable, e.g. "x1=1,x2=2,w1=0.5,w2=-0.3,b=0.1".'
        ),
    ] = None,
    wrt: Annotated[
        list[str] | None,
        typer.Option(
            "--wrt",
            "-w",
            help="Report the gradients of these variables only (e.g. w1,w2,b). Default: all.",
        ),
    ] = None,
    learning_rate: Annotated[
        float | None,
        typer.Option(
            "--lr", help="Take one gradient-descent step of this size on the --wrt variables."
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="NAME",
            help="A program's output: the name to differentiate (default: the last one assigned).",
        ),
    ] = None,
    output_format: Annotated[
        BackpropFormat,  # type: ignore[valid-type]
        typer.Option(
            "--format",
            "-f",
            help="Output: text (for people), json (for scripts), latex (a fragment for a "
            "document with amsmath), markdown (for notebooks and READMEs), html (one "
            "self-contained page), dot (Graphviz: mathml backprop ... -f dot | dot -Tpng).",
            case_sensitive=False,
        ),
    ] = BackpropFormat.text,  # type: ignore[attr-defined]
) -> None:
    """Run an expression's computational graph forward and backward, every chain-rule step shown.

    The forward pass computes each node's value in topological order; the
    backward pass sends the gradient from the output to every input, one
    product upstream × local derivative at a time, summing where a node feeds
    several others. The gradients are checked against SymPy's derivative and
    finite differences. A program of named steps (statements separated by ;
    or new lines, with = += -= *= /=) is one graph whose nodes keep the
    program's names, and the chain rule is written out in those names.

    Examples:

      mathml backprop "sigmoid(w1*x1 + w2*x2 + b)" --at "x1=1,x2=2,w1=0.5,w2=-0.3,b=0.1"

      mathml backprop "(a*b + c)*f" --at "a=2,b=-3,c=10,f=-2" --lr 0.01

      mathml backprop "h = x**2; y = h + 3; z = y*2" --at x=2

      mathml backprop @docs/data/step.txt --at "x1=2,w1=-3" --output L

      mathml backprop "x*y + sin(x*y)" --at "x=1,y=2" --format dot | dot -Tpng -o graph.png

      mathml backprop "tanh(x1*w1 + x2*w2 + b)" --at "x1=2,x2=0,w1=-3,w2=1,b=6.88" -f json
    """
    import sys

    from mathml_cli.core.backprop import Backprop, backprop_input
    from mathml_cli.render.output import emit_view

    result = backprop_input(expression, at, wrt, learning_rate, output)
    if isinstance(result, Backprop):
        from mathml_cli.render import backprop as render
    else:  # vectors and matrices: the layer engine's result
        from mathml_cli.render import layers as render  # type: ignore[no-redef]
    if output_format.value == "dot":
        sys.stdout.write(render.dot(result))
        return
    emit_view(
        OutputFormat(output_format.value),
        view=lambda: render.view(result),
        data=lambda: render.data(result),
    )
