"""The `mathml` command: a Typer app with one small module per subcommand.

A subcommand's module is imported, and its click command built, only when
that subcommand runs: typer would otherwise turn all twelve functions into
click commands (reading every signature's type hints) on every start. The
subcommand modules in turn import the core and the renderers inside their
functions, so `mathml --help` loads neither SymPy, NumPy nor plotext.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from mathml_cli import __version__
from mathml_cli.cli.options import MathmlCommand, install_fast_coercion
from mathml_cli.errors import ExitCode, MathmlError

# In the order a learner meets them: derivatives, descent, backprop, then the
# building blocks of a classifier, then regression, then the catalogue, then
# probability and statistics. Each is `mathml_cli.cli.<name>.<name>_command`.
SUBCOMMANDS: dict[str, str] = {
    "derive": "Derivatives and gradients, every rule named and checked.",
    "descend": "Gradient descent and torch's optimizers, step by step.",
    "backprop": "Forward and backward pass through a computational graph.",
    "softmax": "Softmax, cross-entropy loss and its gradient.",
    "dot": "Dot and matrix products and dense layers, cell by cell.",
    "eigen": "Eigenvalues and eigenvectors, det(A - λI) step by step.",
    "pca": "Principal component analysis of a CSV, step by step.",
    "regress": "Linear regression from CSV, with OLS statistics.",
    "explain": "Activations, losses and regularizers: formula, derivative, behaviour.",
    "stats": "Mean, variance, quartiles, z-scores, correlation.",
    "normal": "The normal distribution: density, CDF, quantiles, fit.",
    "bayes": "Bayes' theorem: prior, evidence, posterior, counted.",
}


def build_subcommand(name: str) -> Any:
    """The click command of one subcommand, made the way `app.command` would make it."""
    module = importlib.import_module(f"mathml_cli.cli.{name}")
    single = typer.Typer(
        add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None
    )
    single.command(name, cls=MathmlCommand, short_help=SUBCOMMANDS[name])(
        getattr(module, f"{name}_command")
    )
    command = typer.main.get_command(single)
    command.help = _examples_kept_whole(command.help or "")
    return command


def _examples_kept_whole(help_text: str) -> str:
    # click rewraps every paragraph to the terminal's width, which would break a
    # long example in two and make it wrong to copy; "\b" asks it not to.
    head, marker, examples = help_text.partition("Examples:")
    if not marker:
        return help_text
    paragraphs = [part.strip("\n") for part in examples.split("\n\n") if part.strip()]
    return head + marker + "".join("\n\n\b\n" + part for part in paragraphs)


class _Subcommands(Mapping[str, Any]):
    """The group's commands, each built the first time it is looked up."""

    def __init__(self) -> None:
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in SUBCOMMANDS:
            raise KeyError(name)
        if name not in self._built:
            self._built[name] = build_subcommand(name)
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(SUBCOMMANDS)

    def __len__(self) -> int:
        return len(SUBCOMMANDS)


class _MathmlGroup(TyperGroup):
    """Runs the app so that every failure ends as one line and a documented exit code."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = _Subcommands()  # type: ignore[assignment]

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # The list in `mathml --help` needs only the short helps, not the commands.
        with formatter.section("Commands"):
            formatter.write_dl(list(SUBCOMMANDS.items()))

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
        except (typer.exceptions.Abort, KeyboardInterrupt):
            # Quietly, as typer does for a Ctrl-C while the command runs: the user knows.
            sys.exit(ExitCode.INTERRUPTED)
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
    add_completion=True,
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


def main() -> None:
    """Entry point of the `mathml` console script (and of `python -m mathml_cli`)."""
    # One name however it is started: in usage lines and for shell completion.
    app(prog_name="mathml")
