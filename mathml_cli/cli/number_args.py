"""A command class that reads negative numbers as arguments, not options.

Click treats every token that starts with '-' as an option, so
`mathml softmax 1 -2 3` would fail with "No such option: -2". This class
sorts the tokens before Click sees them: option names (and the values of
options that take one) stay options; every other token, including `-2`,
`-2.5e-3` and `-1,2,3`, is an argument, kept in its order after a `--`.
"""

from __future__ import annotations

import re
from typing import Any

from typer.core import TyperCommand

# '-' then a digit or '.digit' (-2, -.5, -1,2,3), or a spelled-out non-number
# (-inf, -nan) so that the number checks, not the option parser, report it.
_NEGATIVE_DATA = re.compile(r"^-(\d|\.\d|inf|nan)", re.IGNORECASE)


def looks_like_negative_data(token: str) -> bool:
    """True for tokens such as -2, -2.5e-3, -.5 or -1,2,3 that are data, not options."""
    return bool(_NEGATIVE_DATA.match(token))


class NumberArgsCommand(TyperCommand):
    """A Typer command whose arguments may be negative numbers, options mixed in anywhere."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self._options_first(ctx, args))

    def _options_first(self, ctx: Any, args: list[str]) -> list[str]:
        takes_value: dict[str, bool] = {}
        for param in self.get_params(ctx):
            if getattr(param, "param_type_name", "") != "option":
                continue
            needs_value = not (getattr(param, "is_flag", False) or getattr(param, "count", False))
            for name in [*param.opts, *param.secondary_opts]:
                takes_value[name] = needs_value
        options: list[str] = []
        arguments: list[str] = []
        index = 0
        while index < len(args):
            token = args[index]
            index += 1
            if token == "--":
                arguments.extend(args[index:])
                break
            if not token.startswith("-") or token == "-" or looks_like_negative_data(token):
                arguments.append(token)
                continue
            options.append(token)
            name = token.split("=", 1)[0] if token.startswith("--") else token[:2]
            attached = "=" in token if token.startswith("--") else len(token) > 2
            if takes_value.get(name, False) and not attached and index < len(args):
                options.append(args[index])
                index += 1
        return [*options, "--", *arguments] if arguments else options
