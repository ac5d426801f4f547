"""What users type, read the same way by every command.

- Points (`--at`, `--start`, `--predict`): `x=3, y=-1.5, z=pi/2`. Plain numbers
  are read with `float()`; anything else (`pi/2`, `sqrt(2)`) goes through the
  safe expression parser, so SymPy is imported only when a value needs it.
- Variable choices (`--wrt`) and the names of a point are checked against the
  names there are, with one message for an unknown name in every command.
- Vectors and matrices (softmax's logits, dot's operands): `[1,2,3]`, `1,2,3`,
  `1 2 3`, `[[1,2],[3,4]]`, `1,2;3,4`, `@file.csv` or `-` (stdin); from Python,
  lists and NumPy arrays.
- The delimiter of a table (commas, semicolons, tabs or runs of spaces), shared
  with regress's streaming CSV reader.

Numbers in vectors are read with `float()` and checked here, never evaluated:
text that is not a finite decimal number (`abc`, `nan`, `inf`, `1e999`) is an
`InputError` that names the token and where it was.
"""

from __future__ import annotations

import csv
import keyword
import math
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mathml_cli.errors import InputError, did_you_mean

if TYPE_CHECKING:
    import numpy as np

# Numbers in a list are separated by a comma or semicolon (with any spaces around
# it) or by a run of spaces.
_SEPARATOR = re.compile(r"\s*[,;]\s*|\s+")
# Within a row of a vector or matrix: a comma (with any spaces around it) or spaces.
_ROW_SEPARATOR = re.compile(r"\s*,\s*|\s+")

WHITESPACE = " "  # sniff_delimiter's answer for columns separated by runs of spaces or tabs
_DELIMITERS = (",", ";", "\t")  # in order of preference when sniffing ties


# --- numbers -----------------------------------------------------------------


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


def read_value(text: str, what: str) -> float:
    """A real number such as "3", "-1.5e-3", "pi/2" or "sqrt(2)": a point's coordinate.

    Plain numbers never load SymPy; constant expressions go through the safe parser.
    """
    token = text.strip()
    if not token:
        raise InputError(f"{what} is empty")
    try:
        value = float(token)
    except ValueError:
        from mathml_cli.core.expr import parse_number

        return parse_number(token, what=what)
    if not math.isfinite(value):
        raise InputError(f"{what} is not finite: {token!r}")
    return value


def split_numbers(text: str, where: str = "") -> list[str]:
    """The number tokens of `2, 1 0.1` (separated by commas, semicolons or whitespace).

    An empty entry (`1,,2`, or a comma first) is an error, not skipped: it is a missing
    value, and skipping it would shift every value after it. One separator at the end
    is allowed, as in Python's lists (and a list that goes on on the next line).
    """
    stripped = text.strip()
    if not stripped:
        return []
    tokens = _SEPARATOR.split(stripped)
    if tokens[-1] == "":
        tokens.pop()
    if "" in tokens:
        position = tokens.index("") + 1
        place = f" ({where})" if where else ""
        raise InputError(
            f"value {position} of {stripped!r} is empty{place}: two commas or semicolons "
            "in a row, or one first"
        )
    return tokens


def read_number_list(arguments: list[str], what: str = "number") -> list[float]:
    """Numbers from command-line arguments, each one number or a list (`2,1`, `[2, 1]`)."""
    values: list[float] = []
    for argument_index, argument in enumerate(arguments, start=1):
        if argument.strip().startswith("["):
            vector = parse_brackets(argument.strip(), f"{what}s in argument {argument_index}")
            if any(isinstance(item, list) for item in vector):
                raise InputError(
                    f"argument {argument_index} {argument!r} is a matrix; give one list of {what}s"
                )
            values.extend(vector)  # type: ignore[arg-type]
            continue
        tokens = split_numbers(argument, f"argument {argument_index}")
        for token in tokens:
            where = f"{what} {len(values) + 1}"
            if len(tokens) > 1:
                where += f", in argument {argument_index} {argument!r}"
            values.append(read_number(token, where))
    return values


# --- tables, files and stdin -------------------------------------------------


def read_rows(text: str, source: str) -> list[list[float]]:
    """The non-blank lines of `text` as rows of numbers; errors say line and position."""
    rows: list[list[float]] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        tokens = split_numbers(line, f"{source}, line {line_number}")
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


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter giving the same number (> 1) of fields on every line, the most fields.

    Commas, semicolons and tabs are tried first; WHITESPACE (runs of spaces or tabs,
    as NumPy's savetxt writes) only when none of them splits the lines. Shared by
    regress's streaming table reader.
    """
    best, best_fields = ",", 1
    for candidate in _DELIMITERS:
        counts = {len(row) for row in csv.reader(lines, delimiter=candidate)}
        if len(counts) == 1:
            fields = counts.pop()
            if fields > best_fields or (fields == best_fields and fields > 1):
                best, best_fields = candidate, fields
    if best_fields == 1 and len(lines[0].split()) > 1:
        counts = {len(line.split()) for line in lines}
        # Same count on every line, or no other delimiter at all (the parser names a ragged row).
        if len(counts) == 1 or not any(d in line for line in lines for d in _DELIMITERS):
            return WHITESPACE
    return best


def check_rectangular(rows: list[list[float]], what: str) -> None:
    """An InputError naming the first row whose length differs from row 1's."""
    for index, row in enumerate(rows[1:], start=2):
        if len(row) != len(rows[0]):
            raise InputError(
                f"{what} has ragged rows: row {index} has {len(row)} "
                f"number{'s' if len(row) != 1 else ''}, row 1 has {len(rows[0])}"
            )


# --- vectors and matrices ----------------------------------------------------


def read_array(value: Any, what: str) -> np.ndarray:
    """A vector or matrix from text (see parse_array) or from Python: a list of numbers,
    a list of rows, or a NumPy array."""
    if isinstance(value, str):
        return parse_array(value, what)
    import numpy as np

    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(
            f"{what} must be a vector or a matrix of numbers (a list, a list of rows or a "
            f"NumPy array), got {_short_repr(value)}"
        ) from None
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim > 2:
        raise InputError(
            f"{what} has {array.ndim} dimensions; only vectors and matrices are allowed"
        )
    if array.size == 0:
        raise InputError(f"{what} is empty")
    if not np.isfinite(array).all():
        position = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise InputError(f"{what} holds {array[position]} at {position}: only finite numbers")
    return array


def parse_array(text: str, what: str) -> np.ndarray:
    """A vector or matrix from `[1,2,3]`, `[1 2 3]`, `1,2,3`, `1 2 3`, `[[1,2],[3,4]]`
    or `1,2;3,4`.

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
    nested: list[Any]
    if stripped.startswith("["):
        nested = parse_brackets(stripped, what)
    elif ";" in stripped:
        nested = [
            _plain_row(part, what, index) for index, part in enumerate(stripped.split(";"), 1)
        ]
    else:
        nested = _plain_row(stripped, what, None)
    if nested and isinstance(nested[0], list):
        check_rectangular(nested, what)
    return np.array(nested, dtype=float)


def _plain_row(text: str, what: str, row: int | None) -> list[float]:
    tokens = _ROW_SEPARATOR.split(text.strip())
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


# Complex by nature (a small recursive-descent parser with its error cases).
def parse_brackets(text: str, what: str) -> list[Any]:  # noqa: C901
    """`[1,2]`, `[1 2]` or `[[1,2],[3,4]]`: a small hand-written parser, so nothing is
    evaluated. Items are separated by commas or by spaces."""
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

    def parse_list(depth: int) -> list[Any]:
        nonlocal cursor
        expect("[")
        items: list[Any] = []
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
            if cursor < len(tokens) and tokens[cursor][0] != "]":
                continue  # separated by spaces: [1 2 3]
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


# --- points and variable choices ---------------------------------------------


def read_point(value: str | Mapping[str, Any], option: str = "--at") -> dict[str, float]:
    """`"x=3, y=-1.5, z=pi/2"` (or a dict of numbers) as {"x": 3.0, ...}, in the user's order.

    Values may be constant expressions such as pi/2; names must be identifiers,
    each given once.
    """
    if not isinstance(value, str):
        if not isinstance(value, Mapping):
            raise InputError(f'{option} must be a dict or text such as "x=3,y=2"')
        point: dict[str, float] = {}
        for name, number in value.items():
            _check_point_name(str(name), option)
            text = number if isinstance(number, str) else repr(number)
            point[str(name)] = read_value(text, f"{option} value of {name}")
        return point
    if not value.strip():
        raise InputError(f'{option} is empty: give values such as "x=3,y=2"')
    point = {}
    for part in _split_top_level(value):
        name, sep, value_text = part.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError(f"{option}: expected name=value, got {part.strip()!r}")
        _check_point_name(name, option)
        if name in point:
            raise InputError(f"{option}: {name} is given twice")
        point[name] = read_value(value_text, f"{option} value of {name}")
    return point


def _check_point_name(name: str, option: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise InputError(f"{option}: {name!r} is not a variable name")


def _split_top_level(text: str) -> list[str]:
    """The parts of `text` between commas or semicolons outside parentheses (max(1,2))."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char in ",;" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


def unknown_name_error(
    option: str, unknown: Sequence[str], names: Sequence[str], owner: str, kind: str
) -> InputError:
    """The one message for names that are not among `names`: a typo, almost always."""
    hint = did_you_mean(unknown[0], names, cutoff=0.5)
    known = ", ".join(names) if names else "none"
    return InputError(
        f"{option} names {', '.join(unknown)}, which {owner} does not use{hint}; "
        f"its {kind}s: {known}"
    )


def check_point(
    point: Mapping[str, float],
    names: Sequence[str],
    option: str = "--at",
    *,
    owner: str = "the expression",
    kind: str = "variable",
) -> dict[str, float]:
    """`point` with a value for each of `names` and nothing else, in the order of `names`."""
    unknown = [name for name in point if name not in names]
    if unknown:
        raise unknown_name_error(option, unknown, names, owner, kind)
    missing = [name for name in names if name not in point]
    if missing:
        raise InputError(
            f"{option} gives no value for {', '.join(missing)} (every {kind} needs one; "
            f"{owner}'s {kind}s: {', '.join(names)})"
        )
    return {name: float(point[name]) for name in names}


def read_names(value: str | Iterable[str] | None) -> list[str]:
    """`"w,b"`, `["w", "b"]` or `["w,b"]` (a repeated option) as ["w", "b"]."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [name.strip() for item in items for name in str(item).split(",") if name.strip()]


def choose_variables(
    wrt: str | Iterable[str] | None,
    variables: Sequence[str],
    option: str = "--wrt",
    *,
    owner: str = "the expression",
) -> tuple[str, ...]:
    """The chosen variables, in the user's order and once each; all of them by default.

    A name that is not one of `variables` is an error naming the ones there are.
    """
    names = read_names(wrt)
    if not names:
        return tuple(variables)
    chosen: list[str] = []
    for name in names:
        if not name.isidentifier() or keyword.iskeyword(name):
            raise InputError(f"{option}: {name!r} is not a variable name")
        if name not in variables:
            raise unknown_name_error(option, [name], variables, owner, "variable")
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def _short_repr(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
