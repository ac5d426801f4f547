"""`mathml descend`: gradient descent you can watch, with torch.optim's exact update rules."""

from __future__ import annotations

from typing import Annotated

import typer

from mathml_cli.cli.options import FormatOption, check_plot_format
from mathml_cli.errors import InputError
from mathml_cli.render.output import OutputFormat

_HYPER = "Hyperparameters (each is an error with an optimizer that lacks it)"
_SCHEDULE = "Learning-rate schedule"


def descend_command(
    ctx: typer.Context,
    expression: Annotated[
        str | None,
        typer.Argument(
            help='The function to minimise, e.g. "(x-1)**2 + y**2", or a preset name '
            "(bowl, rosenbrock, himmelblau, rastrigin, beale; see --list).",
            show_default=False,
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start", "-s", help='Start point, e.g. "x=5,y=-1" (presets have their own).'
        ),
    ] = None,
    optimizer: Annotated[
        str,
        typer.Option(
            "--optimizer",
            "-o",
            help="sgd, momentum, nesterov, rmsprop, adagrad, adam or adamw (torch.optim rules).",
        ),
    ] = "sgd",
    lr: Annotated[
        float | None,
        typer.Option("--lr", help="Learning rate γ. Default: the optimizer's torch default."),
    ] = None,
    steps: Annotated[int, typer.Option("--steps", "-n", help="Maximum number of updates.")] = 1000,
    tol: Annotated[
        float,
        typer.Option("--tol", help="Stop when |∇f| or the step's length is at most this."),
    ] = 1e-8,
    momentum: Annotated[
        float | None,
        typer.Option(
            "--momentum", help="μ (sgd, momentum, nesterov, rmsprop).", rich_help_panel=_HYPER
        ),
    ] = None,
    dampening: Annotated[
        float | None,
        typer.Option("--dampening", help="τ (sgd, momentum).", rich_help_panel=_HYPER),
    ] = None,
    beta1: Annotated[
        float | None, typer.Option("--beta1", help="β1 (adam, adamw).", rich_help_panel=_HYPER)
    ] = None,
    beta2: Annotated[
        float | None, typer.Option("--beta2", help="β2 (adam, adamw).", rich_help_panel=_HYPER)
    ] = None,
    eps: Annotated[
        float | None,
        typer.Option("--eps", help="ε (rmsprop, adagrad, adam, adamw).", rich_help_panel=_HYPER),
    ] = None,
    alpha: Annotated[
        float | None,
        typer.Option("--alpha", help="α, smoothing constant (rmsprop).", rich_help_panel=_HYPER),
    ] = None,
    weight_decay: Annotated[
        float | None,
        typer.Option("--weight-decay", help="λ (all; adamw decouples it).", rich_help_panel=_HYPER),
    ] = None,
    centered: Annotated[
        bool | None,
        typer.Option("--centered", help="Centered RMSprop.", rich_help_panel=_HYPER),
    ] = None,
    amsgrad: Annotated[
        bool | None,
        typer.Option("--amsgrad", help="AMSGrad (adam, adamw).", rich_help_panel=_HYPER),
    ] = None,
    lr_decay: Annotated[
        float | None,
        typer.Option("--lr-decay", help="η (adagrad).", rich_help_panel=_HYPER),
    ] = None,
    initial_accumulator: Annotated[
        float | None,
        typer.Option(
            "--initial-accumulator",
            help="s₀, initial accumulator (adagrad).",
            rich_help_panel=_HYPER,
        ),
    ] = None,
    schedule: Annotated[
        str,
        typer.Option(
            "--schedule",
            help="constant, step, exponential or cosine (torch.optim.lr_scheduler).",
            rich_help_panel=_SCHEDULE,
        ),
    ] = "constant",
    step_size: Annotated[
        int | None,
        typer.Option(
            "--step-size", help="step: decay every k updates [100].", rich_help_panel=_SCHEDULE
        ),
    ] = None,
    gamma: Annotated[
        float | None,
        typer.Option(
            "--gamma",
            help="step: factor Γ [0.1]; exponential: factor per update [0.99].",
            rich_help_panel=_SCHEDULE,
        ),
    ] = None,
    t_max: Annotated[
        int | None,
        typer.Option("--t-max", help="cosine: period T_max [--steps].", rich_help_panel=_SCHEDULE),
    ] = None,
    eta_min: Annotated[
        float | None,
        typer.Option("--eta-min", help="cosine: smallest rate [0].", rich_help_panel=_SCHEDULE),
    ] = None,
    every: Annotated[
        int | None,
        typer.Option("--every", "-k", help="Show every K-th row of the table (JSON has all)."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show the optimizer's state (m, v, ...).")
    ] = False,
    plot: Annotated[
        bool,
        typer.Option("--plot", help="Plot the loss per step and the path (1 or 2 variables)."),
    ] = False,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            help="Several optimizers from the same start, e.g. sgd,momentum,adam: "
            "one summary table (and with --plot, overlaid loss curves).",
        ),
    ] = None,
    list_presets: Annotated[
        bool, typer.Option("--list", help="List the preset functions and exit.")
    ] = False,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Minimise a function by gradient descent and show every step.

    Shows f, its symbolic gradient, the optimizer's update rule with the values
    in use (exactly torch.optim's, PyTorch 2.13), a table of the iterations and
    how the run ended: converged, max_steps, diverged (with the 2/L learning-rate
    bound from the Hessian) or undefined.

    Examples:

      mathml descend "(x-3)**2" --start x=0 --lr 0.1

      mathml descend bowl --optimizer adam --lr 0.1 --steps 300

      mathml descend rosenbrock --compare sgd,momentum,adam --lr 0.001 --plot

      mathml descend --list
    """
    from mathml_cli.render import descend as render
    from mathml_cli.render.output import emit_view

    given_options = _given_options(ctx)
    if list_presets:
        if expression is not None:
            raise InputError("--list takes no expression")
        others = [name for name in given_options if name not in ("--list", "--format")]
        if others:
            raise InputError(f"--list takes no other options (got {', '.join(others)})")
        emit_view(output_format, view=render.presets_view, data=render.presets_data)
        return
    if expression is None:
        raise InputError(
            "give a function to minimise, or a preset name (see mathml descend --list)"
        )
    from mathml_cli.core.descend import check_options, minimise

    check_options(
        compare=compare is not None,
        optimizer_given="--optimizer" in given_options,
        every=every,
        verbose=verbose,
        json_output=output_format is OutputFormat.json,
    )
    check_plot_format(plot, output_format)

    outcome = minimise(
        expression,
        start,
        optimizer=optimizer,
        compare=compare,
        steps=steps,
        tol=tol,
        schedule=schedule,
        lr=lr,
        momentum=momentum,
        dampening=dampening,
        beta1=beta1,
        beta2=beta2,
        eps=eps,
        alpha=alpha,
        weight_decay=weight_decay,
        centered=centered,
        amsgrad=amsgrad,
        lr_decay=lr_decay,
        initial_accumulator=initial_accumulator,
        step_size=step_size,
        gamma=gamma,
        t_max=t_max,
        eta_min=eta_min,
    )
    view, data = render.presentation(outcome, every=every, verbose=verbose, plot=plot)
    emit_view(output_format, view=view, data=data)


def _given_options(ctx: typer.Context) -> list[str]:
    """The options the user typed (as their long names), not those left at their defaults."""
    given = []
    for param in ctx.command.params:
        if param.name is None or not param.opts or not param.opts[0].startswith("--"):
            continue
        source = ctx.get_parameter_source(param.name)
        if source is not None and source.name != "DEFAULT":
            given.append(param.opts[0])
    return given
