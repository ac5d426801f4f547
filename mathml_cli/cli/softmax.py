"""`mathml softmax`: logits to probabilities, every step shown, with loss and gradient."""

from __future__ import annotations

from typing import Annotated

import typer

from mathml_cli.cli.options import FormatOption, check_plot_format
from mathml_cli.render.output import OutputFormat


def softmax_command(
    logits: Annotated[
        list[str] | None,
        typer.Argument(
            help="The logits: numbers (negative ones too), or one list (2,1,0.1 or [2, 1, 0.1]), "
            "@file.csv, or - to read them from stdin.",
            show_default=False,
            metavar="LOGITS",
        ),
    ] = None,
    temperature: Annotated[
        str,
        typer.Option(
            "--temperature",
            "-t",
            metavar="T",
            help="Divide the logits by T first: T > 1 flattens, T < 1 sharpens.",
        ),
    ] = "1",
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            "-y",
            metavar="K",
            help="The true class (index, or label with --labels): adds the cross-entropy loss "
            "and its gradient. For several rows, one for all or one per row (0,2,1).",
        ),
    ] = None,
    labels: Annotated[
        str | None,
        typer.Option(
            "--labels", metavar="NAMES", help="Class names, comma-separated, e.g. cat,dog,bird."
        ),
    ] = None,
    log: Annotated[
        bool, typer.Option("--log", help="Also show log-softmax (via log-sum-exp).")
    ] = False,
    plot: Annotated[
        bool, typer.Option("--plot", help="Bar chart of the probabilities (one row).")
    ] = False,
    rows: Annotated[
        str | None,
        typer.Option(
            "--rows",
            metavar="FILE",
            help="A CSV file (or - for stdin) with one row of logits per line: "
            "softmax of each row (a batch).",
        ),
    ] = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Turn logits into probabilities with softmax, showing every step.

    Divides by the temperature, subtracts the maximum (and says why), exponentiates,
    sums, divides, checks that the probabilities sum to 1, and names the prediction.
    With --target: the cross-entropy loss −log p_target and its gradient p − onehot.
    From stdin, one number per line is one list; lines of several numbers are a batch.

    Examples:

      mathml softmax 2 1 0.1

      mathml softmax 1 -2 3 -t 2

      mathml softmax 2,1,0.1 --labels cat,dog,bird --target dog

      mathml softmax 1000 1001 1002 --log

      mathml softmax --rows docs/data/logits.csv --target 0 --format json
    """
    from mathml_cli.core.softmax import softmax_input
    from mathml_cli.render import softmax as render
    from mathml_cli.render.output import emit_view

    check_plot_format(plot, output_format)
    result = softmax_input(logits, temperature=temperature, target=target, labels=labels, rows=rows)
    emit_view(
        output_format,
        view=lambda: render.view(result, show_log=log, plot=plot),
        data=lambda: render.data(result, show_log=log),
    )
