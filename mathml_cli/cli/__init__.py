"""The `mathml` command: a Typer app with one small module per subcommand.

Subcommand modules import the core and the renderers inside their functions,
so `mathml --help` loads neither SymPy, NumPy nor plotext.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from mathml_cli import __version__
from mathml_cli.cli.backprop import backprop_command
from mathml_cli.cli.bayes import bayes_command
from mathml_cli.cli.derive import derive_command
from mathml_cli.cli.descend import descend_command
from mathml_cli.cli.dot import dot_command
from mathml_cli.cli.eigen import eigen_command
from mathml_cli.cli.explain import explain_command
from mathml_cli.cli.normal import normal_command
from mathml_cli.cli.options import MathmlCommand, install_fast_coercion
from mathml_cli.cli.pca import pca_command
from mathml_cli.cli.regress import regress_command
from mathml_cli.cli.softmax import softmax_command
from mathml_cli.cli.stats import stats_command
from mathml_cli.errors import ExitCode, MathmlError


class _MathmlGroup(TyperGroup):
    """Runs the app so that every failure ends as one line and a documented exit code."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        for param in self.get_params(ctx):  # with the --help option typer adds
            install_fast_coercion(param)
        return list(super().parse_args(ctx, args))

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except MathmlError as error:
            _fail(str(error), error.exit_code)
        except typer._click.exceptions.ClickException as error:  # bad options or arguments
            if type(error).__name__ == "NoArgsIsHelpError":
                sys.exit(ExitCode.OK)  # `mathml` alone: the help was shown, as asked
            _fail(_usage_message(error), ExitCode.INPUT_ERROR)
        except typer.exceptions.Abort:
            _fail("interrupted", ExitCode.INTERRUPTED)
        except KeyboardInterrupt:
            _fail("interrupted", ExitCode.INTERRUPTED)
        except BrokenPipeError:
            # The reader (head, less) went away: not an error of ours.
            sys.stderr.close()
            sys.exit(ExitCode.OK)
        except Exception as error:
            if os.environ.get("MATHML_DEBUG"):
                raise
            _fail(
                f"internal error ({type(error).__name__}: {error}); this is a bug in mathml. "
                "Run again with MATHML_DEBUG=1 for the traceback.",
                ExitCode.INTERNAL_ERROR,
            )
        sys.exit(code if isinstance(code, int) else ExitCode.OK)


def _usage_message(error: Any) -> str:
    message = error.format_message()
    context = getattr(error, "ctx", None)
    if context is not None:
        message += f" (see '{context.command_path} --help')"
    return message


def _fail(message: str, code: int) -> None:
    # One line, whatever the message held.
    line = " ".join(message.split())
    print(f"Error: {line}", file=sys.stderr)
    sys.exit(code)


def _version(value: bool) -> None:
    if value:
        print(f"mathml {__version__}")
        raise typer.Exit()


app = typer.Typer(
    cls=_MathmlGroup,
    name="mathml",
    help="The math behind machine learning, step by step. "
    "Each command shows its working and checks its answer.",
    epilog="Exit codes: 0 success, 2 bad input or usage, 130 interrupted, 1 a bug in mathml. "
    "Docs: docs/index.md",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: typer's Rich help costs ~60 ms of imports on every `--help`.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", help="Show the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """The math behind machine learning, step by step."""


# In the order a learner meets them: derivatives, descent, backprop, then the
# building blocks of a classifier, then regression.
app.command(
    "derive",
    cls=MathmlCommand,
    short_help="Derivatives and gradients, every rule named and checked.",
)(derive_command)
app.command(
    "descend",
    cls=MathmlCommand,
    short_help="Gradient descent and torch's optimizers, step by step.",
)(descend_command)
app.command(
    "backprop",
    cls=MathmlCommand,
    short_help="Forward and backward pass through a computational graph.",
)(backprop_command)
app.command(
    "softmax", cls=MathmlCommand, short_help="Softmax, cross-entropy loss and its gradient."
)(softmax_command)
app.command(
    "dot", cls=MathmlCommand, short_help="Dot and matrix products and dense layers, cell by cell."
)(dot_command)
app.command(
    "eigen", cls=MathmlCommand, short_help="Eigenvalues and eigenvectors, det(A - λI) step by step."
)(eigen_command)
app.command(
    "pca", cls=MathmlCommand, short_help="Principal component analysis of a CSV, step by step."
)(pca_command)
app.command(
    "regress", cls=MathmlCommand, short_help="Linear regression from CSV, with OLS statistics."
)(regress_command)
app.command(
    "explain",
    cls=MathmlCommand,
    short_help="Activations, losses and regularizers: formula, derivative, behaviour.",
)(explain_command)
# Probability and statistics: describe data, the normal distribution, Bayes' theorem.
app.command(
    "stats", cls=MathmlCommand, short_help="Mean, variance, quartiles, z-scores, correlation."
)(stats_command)
app.command(
    "normal", cls=MathmlCommand, short_help="The normal distribution: density, CDF, quantiles, fit."
)(normal_command)
app.command(
    "bayes", cls=MathmlCommand, short_help="Bayes' theorem: prior, evidence, posterior, counted."
)(bayes_command)


def main() -> None:
    """Entry point of the `mathml` console script."""
    app()
