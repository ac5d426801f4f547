"""Small pieces every renderer shares: number formatting and styles."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

# Rich style names, in one place so every command looks alike.
TITLE = "bold"
RULE = "bold cyan"
FORMULA = "magenta"
RESULT = "bold green"
NOTE = "yellow"
DIM = "dim"
GOOD = "green"
BAD = "bold red"


T = TypeVar("T")


def head_and_tail(items: Sequence[T], head: int, tail: int) -> tuple[list[T], list[T], int]:
    """The first `head` and last `tail` items, and how many are left out between them.

    Every long table or tree in the text views is thinned this way, with a marker
    where the gap is; JSON always keeps everything.
    """
    if len(items) <= head + tail:
        return list(items), [], 0
    return list(items[:head]), list(items[len(items) - tail :]), len(items) - head - tail


def format_number(value: float | None, digits: int = 6) -> str:
    """A float for people: 6 significant digits, no '-0', 'undefined' for nan."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "undefined"
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "0"
    return f"{value:.{digits}g}"


def latex_escape(text: str) -> str:
    """Text safe inside \\text{...}."""
    replacements = {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "_": r"\_",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "&": r"\&",
        "^": r"\^{}",
        "~": r"\~{}",
        "…": r"\ldots{}",
    }
    return "".join(replacements.get(char, char) for char in text)
