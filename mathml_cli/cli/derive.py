"""`mathml derive`: a derivative with every rule named, shown and checked."""

from __future__ import annotations

from typing import Annotated

import typer

from mathml_cli.cli.options import FormatOption, check_plot_format
from mathml_cli.errors import InputError
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
    from mathml_cli.core.derive import derive
    from mathml_cli.render import derive as render
    from mathml_cli.render.output import emit

    check_plot_format(plot, output_format)
    result = derive(expression, wrt, order, at)
    extra = ""
    if plot and output_format is OutputFormat.text:
        extra = _plot(result, plot_range)
    elif plot_range is not None and not plot:
        raise InputError("--range only applies with --plot")
    emit(
        output_format,
        rich=lambda: render.rich(result, show_steps=steps),
        data=lambda: render.data(result),
        latex=lambda: render.latex(result, show_steps=steps),
        markdown=lambda: render.markdown(result, show_steps=steps),
        extra=extra,
    )


def _plot(result: object, plot_range: str | None) -> str:
    from mathml_cli.core.derive import Derivation
    from mathml_cli.core.expr import sample, to_text
    from mathml_cli.render.plot import Series, line_plot

    assert isinstance(result, Derivation)
    if len(result.variables) > 1 or len(result.partials) != 1:
        raise InputError(
            "--plot needs a function of one variable (use --wrt and fix the others "
            "with a plain number in the expression)"
        )
    partial = result.partials[0]
    variable = partial.variable
    centre = result.point[variable] if result.point else 0.0
    low, high = _parse_range(plot_range) if plot_range else (centre - 5.0, centre + 5.0)
    xs, fs = sample(result.expression, variable, low, high)
    _, dfs = sample(partial.result, variable, low, high)
    name = "f'" if result.order == 1 else f"f^({result.order})"
    series = [
        Series(f"f = {to_text(result.expression)}", xs, fs),
        Series(f"{name} = {to_text(partial.result)}", xs, dfs),
    ]
    if result.point is not None and result.order == 1 and result.value is not None:
        x0, y0 = result.point[variable], result.value
        slope = result.derivative_values[variable]
        shown = [y for y in fs + dfs if y == y and abs(y) != float("inf")]
        bottom, top = (min(shown), max(shown)) if shown else (y0 - 1, y0 + 1)
        # Only the part of the tangent inside the curves' own range, so it does not
        # squash them.
        tangent = [y0 + slope * (x - x0) for x in xs]
        tangent = [y if bottom <= y <= top else float("nan") for y in tangent]
        series.append(Series(f"tangent at {variable} = {x0:g}", xs, tangent))
        series.append(Series("point", [x0], [y0], style="scatter"))
    return "\n" + line_plot(series, title=f"f and {name}", xlabel=variable)


def _parse_range(text: str) -> tuple[float, float]:
    from mathml_cli.core.inputs import read_value

    low_text, sep, high_text = text.partition(":")
    if not sep:
        raise InputError(f"--range must look like a:b, e.g. -5:5, got {text!r}")
    low = read_value(low_text, "--range start")
    high = read_value(high_text, "--range end")
    if not low < high:
        raise InputError(f"--range start must be below its end, got {text!r}")
    return low, high
