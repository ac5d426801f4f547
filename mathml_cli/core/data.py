"""Numbers, vectors and matrices from command-line text, small CSV files and stdin.

Numbers are read with `float()` and checked here, never evaluated: text that is
not a finite decimal number (`abc`, `nan`, `inf`, `1e999`) is an `InputError`
that names the token and where it was. This module is for small numeric inputs
(logits, a weight matrix); large tables have their own streaming reader.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mathml_cli.errors import InputError

if TYPE_CHECKING:
    import numpy as np

# Commas, semicolons and any whitespace separate numbers in a list.
_SEPARATORS = re.compile(r"[,;\s]+")


def read_number(text: str, where: str) -> float:
    """`text` as a finite float, or an InputError naming it and `where` it was."""
    token = text.strip()
    try:
        value = float(token)
    except ValueError:
        raise InputError(f"{token!r} is not a number ({where})") from None
    if math.isnan(value):
        raise InputError(f"{token!r} is not a number: nan is not allowed ({where})")
    if math.isinf(value):
        reason = "is too large" if "inf" not in token.lower() else "is infinite"
        raise InputError(f"{token!r} {reason}: only finite numbers are allowed ({where})")
    return value


def split_numbers(text: str) -> list[str]:
    """The number tokens of `2, 1 0.1` (separated by commas, semicolons or whitespace)."""
    return [token for token in _SEPARATORS.split(text.strip()) if token]


def read_number_list(arguments: list[str], what: str = "number") -> list[float]:
    """Numbers from command-line arguments, each one number or a comma-separated list."""
    values: list[float] = []
    for argument_index, argument in enumerate(arguments, start=1):
        tokens = split_numbers(argument)
        for token in tokens:
            where = f"{what} {len(values) + 1}"
            if len(tokens) > 1:
                where += f", in argument {argument_index} {argument!r}"
            values.append(read_number(token, where))
    return values


def read_rows(text: str, source: str) -> list[list[float]]:
    """The non-blank lines of `text` as rows of numbers; errors say line and position."""
    rows: list[list[float]] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        tokens = split_numbers(line)
        if not tokens:
            continue
        try:
            # The fast path for large, clean inputs; the checks below say what went wrong.
            row = [float(token) for token in tokens]
            if not all(math.isfinite(value) for value in row):
                raise ValueError
        except ValueError:
            row = [
                read_number(token, f"{source}, line {line_number}, value {position}")
                for position, token in enumerate(tokens, start=1)
            ]
        rows.append(row)
    return rows


def read_text(spec: str) -> tuple[str, str]:
    """(text, a name for messages) of `-` (stdin), `@path` or `path`."""
    if spec == "-":
        return sys.stdin.read(), "stdin"
    path = Path(spec[1:] if spec.startswith("@") else spec)
    try:
        return path.read_text(encoding="utf-8-sig"), str(path)
    except FileNotFoundError:
        raise InputError(f"file not found: {str(path)!r}") from None
    except IsADirectoryError:
        raise InputError(f"{str(path)!r} is a directory, not a file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read {str(path)!r}: {error}") from None


def check_rectangular(rows: list[list[float]], what: str) -> None:
    """An InputError naming the first row whose length differs from row 1's."""
    for index, row in enumerate(rows[1:], start=2):
        if len(row) != len(rows[0]):
            raise InputError(
                f"{what} has ragged rows: row {index} has {len(row)} "
                f"number{'s' if len(row) != 1 else ''}, row 1 has {len(rows[0])}"
            )


def parse_array(text: str, what: str) -> np.ndarray:
    """A vector or matrix from `[1,2,3]`, `1,2,3`, `[[1,2],[3,4]]` or `1,2;3,4`.

    `@path` and `-` read a CSV file or stdin: one line is a vector, several
    lines (one row each) a matrix.
    """
    import numpy as np

    stripped = text.strip()
    if stripped == "-" or stripped.startswith("@"):
        content, source = read_text(stripped)
        rows = read_rows(content, f"{what} ({source})")
        if not rows:
            raise InputError(f"{what} ({source}) holds no numbers")
        check_rectangular(rows, f"{what} ({source})")
        return np.array(rows[0] if len(rows) == 1 else rows, dtype=float)
    if not stripped:
        raise InputError(f"{what} is empty")
    if stripped.startswith("["):
        nested = _parse_brackets(stripped, what)
    elif ";" in stripped:
        nested = [
            _plain_row(part, what, index) for index, part in enumerate(stripped.split(";"), 1)
        ]
    else:
        nested = _plain_row(stripped, what, None)
    if nested and isinstance(nested[0], list):
        check_rectangular(nested, what)  # type: ignore[arg-type]
    return np.array(nested, dtype=float)


def _plain_row(text: str, what: str, row: int | None) -> list[float]:
    tokens = [token.strip() for token in text.split(",")]
    if tokens == [""]:
        raise InputError(f"{what}: row {row} is empty" if row else f"{what} is empty")
    place = f"row {row}, " if row else ""
    values = []
    for position, token in enumerate(tokens, start=1):
        if not token:
            raise InputError(f"{what}: missing number at {place}position {position} in {text!r}")
        values.append(read_number(token, f"{what}, {place}position {position}"))
    return values


_BRACKET_TOKEN = re.compile(r"\s*(\[|\]|,|[^\[\],\s]+)")


def _parse_brackets(text: str, what: str) -> list[float] | list[list[float]]:
    """`[1,2]` or `[[1,2],[3,4]]`: a small hand-written parser, so nothing is evaluated."""
    tokens: list[tuple[str, int]] = []
    position = 0
    while position < len(text):
        match = _BRACKET_TOKEN.match(text, position)
        if match is None:  # only trailing whitespace is left
            break
        tokens.append((match.group(1), match.start(1) + 1))
        position = match.end()

    cursor = 0

    def fail(problem: str) -> InputError:
        column = tokens[cursor][1] if cursor < len(tokens) else len(text) + 1
        return InputError(f"{what}: {problem} at column {column} in {text!r}")

    def expect(symbol: str) -> None:
        nonlocal cursor
        if cursor >= len(tokens) or tokens[cursor][0] != symbol:
            found = repr(tokens[cursor][0]) if cursor < len(tokens) else "the end"
            raise fail(f"expected '{symbol}', found {found}")
        cursor += 1

    def parse_list(depth: int) -> list[float] | list[list[float]]:
        nonlocal cursor
        expect("[")
        items: list = []
        while True:
            if cursor >= len(tokens):
                raise fail("missing ']'")
            token, column = tokens[cursor]
            if token == "]" and not items:
                raise fail("empty list")
            if token == "[":
                if depth == 2:
                    raise fail("only vectors and matrices (two levels of brackets) are allowed")
                items.append(parse_list(depth + 1))
            elif token in ",]":
                raise fail("missing number")
            else:
                items.append(read_number(token, f"{what}, column {column}"))
                cursor += 1
            if cursor < len(tokens) and tokens[cursor][0] == ",":
                cursor += 1
                continue
            expect("]")
            break
        kinds = {isinstance(item, list) for item in items}
        if len(kinds) > 1:
            raise InputError(f"{what}: mixes numbers and lists in {text!r}")
        return items

    result = parse_list(1)
    if cursor < len(tokens):
        raise fail(f"unexpected {tokens[cursor][0]!r}")
    return result
