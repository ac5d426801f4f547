"""Options shared by every command."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, get_args, get_origin

import typer
from typer._click.exceptions import BadParameter
from typer.core import TyperArgument, TyperCommand, TyperOption

from mathml_cli.render.output import OutputFormat

FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="Output: text (for people), json (for scripts), latex (a fragment for a document "
        "with amsmath), markdown (for notebooks and READMEs), html (one self-contained page).",
        case_sensitive=False,
    ),
]


_MATH_CHARS = set("*/()^+ .,")


class MathmlCommand(TyperCommand):
    """The click command class of every mathml subcommand.

    1. Arguments may start with '-', as expressions and numbers do:
       `mathml derive "-x**2"` and `mathml softmax 1 -2 3 -t 2` just work, where
       plain click would read "-x**2" and "-2" as unknown options. A token is an
       option only if it is one of this command's option names (or
       `--name=value`, or a short option with a plain value attached such as
       `-n2`), or looks like a long option (`--bogus`, which click then names);
       any other token starting with '-' is an argument. The tokens are sorted
       before click sees them: options (with their values) first, then `--`,
       then the arguments in their order. After a `--` of the user's own,
       everything is an argument, as usual.
    2. Option values are converted without pydantic: typer 0.29 imports it
       (about 0.1 s) to coerce any value, which would double the start-up cost
       of a quick command. Plain str, int, float, bool, Enum and lists of those
       are converted here; anything else is left to typer.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument):
                param.__class__ = _Argument
            elif isinstance(param, TyperOption):
                param.__class__ = _Option

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        for param in self.get_params(ctx):  # with the --help option typer adds
            install_fast_coercion(param)
        return list(super().parse_args(ctx, self._options_first(ctx, args)))

    def _options_first(self, ctx: Any, args: list[str]) -> list[str]:
        names: set[str] = set()
        takes_value: set[str] = set()
        for param in self.get_params(ctx):
            if param.param_type_name != "option":
                continue
            names.update([*param.opts, *param.secondary_opts])
            if not getattr(param, "is_flag", False) and not getattr(param, "count", False):
                takes_value.update(param.opts)
        options: list[str] = []
        arguments: list[str] = []
        index = 0
        while index < len(args):
            token = args[index]
            index += 1
            if token == "--":
                arguments.extend(args[index:])
                break
            if not token.startswith("-") or _is_dash_argument(token, names):
                arguments.append(token)
                continue
            options.append(token)
            attached = "=" in token if token.startswith("--") else len(token) > 2
            if token in takes_value and not attached and index < len(args):
                options.append(args[index])  # the option's value, even "-2"
                index += 1
        return [*options, "--", *arguments] if arguments else options


# Placeholders in --help: what the value is, not its Python type (typer shows
# <str>, <list[str]> and {expression}).
_PLACEHOLDERS = {
    "wrt": "NAMES",
    "at": "POINT",
    "start": "POINT",
    "predict": "POINT",
    "plot_range": "A:B",
    "optimizer": "NAME",
    "schedule": "NAME",
    "method": "NAME",
    "compare": "NAMES",
    "target": "COLUMN",
    "features": "COLUMNS",
}
_TYPE_PLACEHOLDERS = {"int": "N", "float": "NUMBER", "str": "TEXT", "list[str]": "TEXT"}


class _Argument(TyperArgument):
    """An argument shown as EXPRESSION (required) or [PATH] (optional) in --help."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _rich_display_name(self) -> str:
        return self._placeholder()

    def _usage_display_name(self) -> str:
        name = self._placeholder()
        return name if self.required else f"[{name}]"

    def _placeholder(self) -> str:
        name = (self.metavar or self.name or "").upper()
        return name + ("..." if self.nargs != 1 else "")


class _Option(TyperOption):
    """An option's value shown as POINT, N, NUMBER or text|json|..., not <str>."""

    def display_type_rich(self, ctx: Any) -> str | None:
        if self.metavar is not None:
            return str(self.metavar)
        shown = super().display_type_rich(ctx)
        if shown is None:
            return None
        if self.name in _PLACEHOLDERS:
            return _PLACEHOLDERS[self.name]
        bare = shown.strip("<>")
        return _TYPE_PLACEHOLDERS.get(bare, bare)


def _is_dash_argument(token: str, names: set[str]) -> bool:
    """Is this token, which starts with '-', an argument rather than an option?"""
    if token == "-" or _is_number(token):
        return True  # stdin, or a negative number such as -2, -.5e-3, -1,2,3, -inf
    if token in names:
        return False
    if token.startswith("--") and token[2:3].isalpha():
        return False  # a long option, known or not: click names the unknown ones
    short, rest = token[:2], token[2:]
    if short in names and rest and not (set(rest) & _MATH_CHARS):
        return False  # "-n2", "-wx": a short option with its value attached
    return True


def _is_number(text: str) -> bool:
    try:
        float(text.split(",")[0])
    except ValueError:
        return False
    return True


class _FastCoercion:
    """typer's RuntimeParam contract (`coerce`) for simple annotations."""

    def __init__(self, annotation: Any) -> None:
        self.annotation = annotation

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None:
            return () if (param.multiple or param.nargs == -1) else None
        if get_origin(self.annotation) is list:
            (item_type,) = get_args(self.annotation)
            return [_convert(item, item_type, param, ctx) for item in value]
        return _convert(value, self.annotation, param, ctx)


_SIMPLE = (str, int, float, bool)


def _is_simple(annotation: Any) -> bool:
    if get_origin(annotation) is list:
        args = get_args(annotation)
        return len(args) == 1 and _is_simple(args[0])
    if annotation in _SIMPLE:
        return True
    return isinstance(annotation, type) and issubclass(annotation, Enum)


def install_fast_coercion(param: Any) -> None:
    """Give a typer parameter the pydantic-free conversion, if its type is simple."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or getattr(param, "_runtime_param", "absent") is not None:
        return
    if descriptor.file_annotation is None and _is_simple(descriptor.annotation):
        param._runtime_param = _FastCoercion(descriptor.annotation)


def _convert(value: Any, target: Any, param: Any, ctx: Any) -> Any:
    if isinstance(value, target):
        return value
    text = str(value)
    if target is bool:
        return text.lower() in ("1", "true", "yes", "on")
    if isinstance(target, type) and issubclass(target, Enum):
        for member in target:
            if str(member.value).lower() == text.lower():
                return member
        choices = ", ".join(f"'{member.value}'" for member in target)
        raise BadParameter(f"{text!r} is not one of {choices}.", ctx=ctx, param=param)
    try:
        return target(text)
    except ValueError:
        kind = {int: "an integer", float: "a number"}.get(target, target.__name__)
        raise BadParameter(f"{text!r} is not {kind}.", ctx=ctx, param=param) from None


def check_plot_format(plot: bool, output_format: OutputFormat) -> None:
    """--plot draws in the terminal or the HTML page: elsewhere it would be lost, so say so."""
    if plot and output_format not in (OutputFormat.text, OutputFormat.html):
        from mathml_cli.errors import InputError

        raise InputError(
            f"--plot draws in the terminal or a page and works only with --format text or html, "
            f"not --format {output_format.value}"
        )
