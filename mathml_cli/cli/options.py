"""Options shared by every command."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from mathml_cli.render.output import OutputFormat

FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="Output: text (for people), json (for scripts), latex (an align* fragment), "
        "markdown (for notebooks and READMEs).",
        case_sensitive=False,
    ),
]


# A token that starts with '-' but is not an option ("-x**2", "-(a+b)", "-2.5")
# travels through click with this prefix, so click takes it for an argument,
# and loses it again before the command runs.
_DASH_MARK = "\x00mathml-dash:"
_MATH_CHARS = set("*/()^+ .")


class DashFriendlyCommand(TyperCommand):
    """A command whose arguments may start with '-', as expressions and numbers do.

    `mathml derive "-x**2"` and `mathml softmax 1 -2 3` should just work; plain
    click would read "-x**2" as an unknown option. A token is an option only if
    it is one of this command's option names (or `--name=value`, or a short
    option with a plain value attached such as `-n2`); anything else that starts
    with '-' is an argument. After `--`, everything is an argument, as usual.
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        names: set[str] = set()
        takes_value: set[str] = set()
        for param in self.get_params(ctx):
            opts = [*param.opts, *getattr(param, "secondary_opts", [])]
            if param.param_type_name == "option":
                names.update(opts)
                if not getattr(param, "is_flag", False) and not getattr(param, "count", False):
                    takes_value.update(param.opts)
        marked: list[str] = []
        previous = ""
        for index, token in enumerate(args):
            if token == "--":
                marked.extend(args[index:])
                break
            is_value = previous in takes_value
            if not is_value and _is_dash_argument(token, names):
                marked.append(_DASH_MARK + token)
            else:
                marked.append(token)
            previous = token if not is_value else ""
        return list(super().parse_args(ctx, marked))

    def invoke(self, ctx: Any) -> Any:
        ctx.params = {name: _unmark(value) for name, value in ctx.params.items()}
        return super().invoke(ctx)


def _is_dash_argument(token: str, names: set[str]) -> bool:
    if not token.startswith("-") or token in ("-", "--") or token in names:
        return False
    if token.startswith("--") and token[2:3].isalpha():
        return False  # a long option, known or not: click names the unknown ones
    short, rest = token[:2], token[2:]
    if short in names and rest and not (set(rest) & _MATH_CHARS) and not _is_number(token):
        return False  # "-n2", "-wx": a short option with its value attached
    return True


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _unmark(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_DASH_MARK):
        return value[len(_DASH_MARK) :]
    if isinstance(value, (list, tuple)):
        return type(value)(_unmark(item) for item in value)
    return value
