"""Errors written for the person at the terminal.

Every failure a user can cause is a `MathmlError` whose message says what was
wrong and where. The CLI prints it as one line, `Error: <message>`, on stderr
and exits with `ExitCode.INPUT_ERROR`; it never shows a traceback for these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the `mathml` command (documented in docs/index.md)."""

    OK = 0
    INTERNAL_ERROR = 1
    INPUT_ERROR = 2
    INTERRUPTED = 130


class MathmlError(Exception):
    """A problem with what the user asked for; the message is shown as is."""

    exit_code = ExitCode.INPUT_ERROR


class InputError(MathmlError):
    """Input that cannot be read: a bad expression, number, option value or file."""


class ExpressionError(InputError):
    """An expression that is not in mathml's expression language, with its position."""

    def __init__(self, problem: str, text: str, column: int | None = None) -> None:
        self.problem = problem
        self.text = text
        self.column = column
        shown = _excerpt(text, column)
        where = f" at column {column}" if column is not None else ""
        super().__init__(f'{problem}{where} in "{shown}"')


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.7) -> str:
    """' (did you mean 'sigmoid'?)' for a near miss, else ''.

    Short names such as x1 and x2 need a lower `cutoff` to count as near.
    """
    import difflib  # here, not at start-up

    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def listed(names: Sequence[str], limit: int = 12) -> str:
    """The names joined by commas; of a longer list the first and last few, and the count."""
    if len(names) <= limit:
        return ", ".join(names)
    head, tail = names[: limit - 2], names[-2:]
    return f"{', '.join(head)}, ..., {', '.join(tail)} ({len(names)} in all)"


def _excerpt(text: str, column: int | None, width: int = 60) -> str:
    """The text, or for a long one the part around `column`."""
    if len(text) <= width:
        return text
    centre = (column or 1) - 1
    start = max(0, min(centre - width // 2, len(text) - width))
    end = start + width
    return ("..." if start > 0 else "") + text[start:end] + ("..." if end < len(text) else "")
