"""A streaming reader for numeric CSV tables of any size.

The input is read in blocks of a few megabytes; each block becomes a NumPy
array of the columns asked for, so memory does not grow with the file. A block
is parsed by the fastest route that accepts it:

1. plain decimals without quotes or spaces (what programs write): parsed with
   vectorised NumPy byte arithmetic, exact to the last bit (see `_parse_plain`);
2. anything NumPy's own reader accepts (exponents, spaces, quotes, text in
   unused columns): `numpy.loadtxt`;
3. everything else, in Python one cell at a time, which finds the exact row,
   column and text of a bad cell for the error message, and drops rows with
   missing values when asked.
"""

from __future__ import annotations

import csv
import io
import math
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from mathml_cli.errors import InputError, did_you_mean

BLOCK_BYTES = 1 << 20
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "?"})
_BOM = b"\xef\xbb\xbf"
_DELIMITERS = (",", ";", "\t")  # in order of preference when sniffing ties
_SNIFF_LINES = 50
_WORKERS = 2


@dataclass(frozen=True)
class TableLayout:
    """What the start of the input says about the whole table."""

    names: tuple[str, ...]
    delimiter: str
    has_header: bool


@dataclass
class ReadCounts:
    """Filled in while the table streams: rows kept and rows dropped."""

    rows: int = 0
    dropped: int = 0


def open_input(path: str) -> tuple[BinaryIO, str]:
    """The byte stream for a file path, or stdin for '-', and a name for messages."""
    if path == "-":
        return sys.stdin.buffer, "stdin"
    try:
        return open(path, "rb"), path
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a CSV file") from None
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None


class CsvTable:
    """A numeric CSV table read once, block by block, from a byte stream."""

    def __init__(self, stream: BinaryIO, source: str, *, header: bool | None = None) -> None:
        """Read the start of `stream` to learn the delimiter and the column names.

        header: True or False to say whether the first row names the columns;
        None to detect it (a first row with any non-numeric cell is a header).
        """
        self._stream = stream
        self.source = source
        first = _read_block(stream)
        if first.startswith(_BOM):
            first = first[len(_BOM) :]
        if not first.strip():
            raise InputError(f"{source} is empty: expected a CSV table with a header row")
        self._pending = first
        self.layout = _sniff_layout(first, source, header)
        if self.layout.has_header:
            _, _, self._pending = first.partition(b"\n")
            self._line = 1
        else:
            self._line = 0
        self.counts = ReadCounts()

    @property
    def names(self) -> tuple[str, ...]:
        return self.layout.names

    def column_index(self, name: str, option: str) -> int:
        """The position of column `name`, or an error naming the columns there are."""
        if name in self.names:
            return self.names.index(name)
        listed = ", ".join(self.names)
        raise InputError(
            f"{option}: no column named '{name}'{did_you_mean(name, self.names)}; "
            f"the columns are: {listed}"
        )

    def blocks(self, columns: list[int], *, drop_missing: bool = False) -> Iterator[np.ndarray]:
        """Arrays (rows x len(columns)) of the table's rows, a block at a time, in order.

        Two blocks are parsed at once: NumPy releases the GIL in its loops, so a
        second core shortens the wall time, while memory stays that of two blocks.
        """
        block, line = self._pending, self._line
        self._pending = b""
        in_flight: deque[Future[tuple[np.ndarray, int]]] = deque()
        with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
            while block or in_flight:
                while block and len(in_flight) < _WORKERS:
                    in_flight.append(pool.submit(self._parse, block, line, columns, drop_missing))
                    line += block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
                    block = _read_block(self._stream)
                values, dropped = in_flight.popleft().result()
                self.counts.dropped += dropped
                if len(values):
                    self.counts.rows += len(values)
                    yield values

    def _parse(
        self, block: bytes, line: int, columns: list[int], drop_missing: bool
    ) -> tuple[np.ndarray, int]:
        """The block's used columns and how many rows were dropped; `line` is before it."""
        if not block.endswith(b"\n"):
            block += b"\n"
        if b"\r" in block:
            block = block.replace(b"\r\n", b"\n")
        width = len(self.names)
        delimiter = ord(self.layout.delimiter)
        if b'"' not in block and b" " not in block and b"\r" not in block:
            parsed = _parse_plain(block, width, delimiter)
            if parsed is not None:
                return parsed[:, columns], 0
        parsed = _parse_with_numpy(block, self.layout.delimiter, columns)
        if parsed is not None:
            return parsed, 0
        return self._parse_cells(block, line, columns, drop_missing)

    def _parse_cells(
        self, block: bytes, first_line: int, columns: list[int], drop_missing: bool
    ) -> tuple[np.ndarray, int]:
        """Cell by cell, for the exact place of a bad value; drops rows with gaps if asked."""
        text = block.decode("utf-8", errors="replace")
        if text.count('"') % 2:
            raise InputError(
                f"an unclosed quote in {self.source} after line {first_line}: "
                "a quoted field may not span lines"
            )
        width = len(self.names)
        rows: list[list[float]] = []
        dropped = 0
        header_lines = 1 if self.layout.has_header else 0
        reader = csv.reader(io.StringIO(text), delimiter=self.layout.delimiter)
        for offset, fields in enumerate(reader, start=1):
            line = first_line + offset
            row = line - header_lines
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # a blank line
            if len(fields) != width:
                raise InputError(
                    f"row {row} (line {line}) has {len(fields)} fields, "
                    f"but the table has {width} columns ({', '.join(self.names)})"
                )
            values: list[float] = []
            for column in columns:
                cell = fields[column].strip()
                number = _cell_number(cell)
                if number is None:
                    if cell.lower() in MISSING:
                        if drop_missing:
                            break
                        raise InputError(
                            f"missing value in row {row} (line {line}), column "
                            f"'{self.names[column]}'; use --drop-missing to leave such rows out"
                        )
                    raise InputError(
                        f"row {row} (line {line}), column '{self.names[column]}': "
                        f"'{_shorten(cell)}' is not a number"
                        + (" (decimal commas are not supported)" if _decimal_comma(cell) else "")
                    )
                values.append(number)
            if len(values) < len(columns):
                dropped += 1
                continue
            rows.append(values)
        return np.array(rows, dtype=np.float64).reshape(len(rows), len(columns)), dropped


def _read_block(stream: BinaryIO) -> bytes:
    """About BLOCK_BYTES of whole lines."""
    block = stream.read(BLOCK_BYTES)
    if block and not block.endswith(b"\n"):
        block += stream.readline()
    return block


def _cell_number(cell: str) -> float | None:
    """The cell's finite number, or None if it is not one."""
    if "_" in cell:  # float() accepts 1_000; a CSV cell should not
        return None
    try:
        number = float(cell)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _decimal_comma(cell: str) -> bool:
    return _cell_number(cell.replace(",", ".")) is not None and "," in cell


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _sniff_layout(block: bytes, source: str, header: bool | None) -> TableLayout:
    text = block[: 1 << 16].decode("utf-8", errors="replace").replace("\r\n", "\n")
    lines = [line for line in text.split("\n")[:_SNIFF_LINES] if line.strip()]
    if len(block) > 1 << 16 and len(lines) == _SNIFF_LINES:
        lines = lines[:-1]  # the last may be cut
    delimiter = _sniff_delimiter(lines)
    first = next(csv.reader([lines[0]], delimiter=delimiter))
    cells = [cell.strip() for cell in first]
    if len(cells) < 2:
        raise InputError(
            f"{source} has one column: regression needs a target and at least one feature "
            "(columns separated by commas, semicolons or tabs)"
        )
    if header is None:
        header = any(_cell_number(cell) is None for cell in cells)
    if not header:
        names = tuple(f"x{i}" for i in range(1, len(cells))) + ("y",)
        return TableLayout(names, delimiter, has_header=False)
    names = tuple(cell or f"column{i}" for i, cell in enumerate(cells, start=1))
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name in seen:
            raise InputError(
                f"the header names column '{name}' twice (columns {seen[name]} and {position})"
            )
        seen[name] = position
    return TableLayout(names, delimiter, has_header=True)


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter giving the same number (> 1) of fields on every line, the most fields."""
    best, best_fields = ",", 1
    for candidate in _DELIMITERS:
        counts = {len(row) for row in csv.reader(lines, delimiter=candidate)}
        if len(counts) == 1:
            fields = counts.pop()
            if fields > best_fields or (fields == best_fields and fields > 1):
                best, best_fields = candidate, fields
    return best


def _parse_with_numpy(block: bytes, delimiter: str, columns: list[int]) -> np.ndarray | None:
    """The used columns by numpy.loadtxt, or None if it refuses or finds gaps."""
    try:
        values = np.loadtxt(
            io.BytesIO(block),
            delimiter=delimiter,
            usecols=columns,
            comments=None,
            quotechar='"',
            ndmin=2,
            dtype=np.float64,
        )
    except ValueError:
        return None
    # loadtxt reads "nan" and "inf" as numbers; here they are gaps or errors.
    if not np.isfinite(values).all():
        return None
    return values


# Digit d at 10^p, looked up by the byte (p << 4) | d; other characters map to 0.
_PLACE_VALUE = np.zeros(256, dtype=np.float64)
for _power in range(16):
    _PLACE_VALUE[(_power << 4) | np.arange(10)] = np.arange(10) * 10.0**_power
_POWERS_OF_TEN = 10.0 ** np.arange(16)
_MAX_DIGITS = 15  # an integer of 15 digits is exact in a float64, as is 10^15


def _parse_plain(block: bytes, width: int, delimiter: int) -> np.ndarray | None:
    """A block of plain decimals as a (rows x width) array, or None if it is anything else.

    Every cell must be an optional '-' or '+', then at most 15 digits with at
    most one '.', and every line must hold `width` cells. Each cell's digits
    make an integer m, exactly, and the cell is m / 10^k for its k decimals: one
    correctly rounded division of exact numbers, so the result is the float
    nearest the text, as float() would give.
    """
    raw = np.frombuffer(block, dtype=np.uint8)
    digit = raw - np.uint8(48)  # wraps for other bytes, leaving them >= 10
    is_digit = digit < 10
    # Digits so far, modulo 256: enough to count the <= 15 digits inside a cell.
    digits_before = np.cumsum(is_digit, dtype=np.uint8)
    ends = np.flatnonzero((raw == delimiter) | (raw == 10))
    if len(ends) % width or not len(ends):
        return None
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    lengths = ends - starts + 1
    digits_at_end = digits_before[ends]
    cell_digits = digits_at_end - np.concatenate(([0], digits_at_end[:-1])).astype(np.uint8)
    if lengths.max() > 255 or cell_digits.min() == 0 or cell_digits.max() > _MAX_DIGITS:
        return None
    line_ends = (raw[ends] == 10).reshape(-1, width)
    if not (line_ends[:, -1].all() and not line_ends[:, :-1].any()):
        return None  # ragged rows
    signs = raw[starts]
    negative = signs == 45
    sign_count = int(np.count_nonzero(negative | (signs == 43)))
    dots = np.flatnonzero(raw == 46)
    # Every byte that is not a digit must be a separator, a dot, or a sign that
    # starts a cell; anything else (a letter, a sign inside a cell) breaks the count.
    if len(block) - int(np.count_nonzero(is_digit)) != len(ends) + len(dots) + sign_count:
        return None
    # Each digit's power of ten: the digits after it in its cell.
    power = np.repeat(digits_at_end, lengths)
    power -= digits_before
    np.minimum(digit, 10, out=digit)
    power <<= 4
    power |= digit
    mantissa = np.add.reduceat(_PLACE_VALUE[power], starts)
    decimals = np.zeros(len(ends), dtype=np.intp)
    if len(dots):
        if len(dots) == len(ends) and (dots > starts).all() and (dots < ends).all():
            cell_of_dot = np.arange(len(ends))  # one dot in every cell: the usual case
        else:
            cell_of_dot = np.searchsorted(ends, dots)
            if len(dots) > 1 and not (np.diff(cell_of_dot) > 0).all():
                return None  # two dots in a cell
        decimals[cell_of_dot] = digits_at_end[cell_of_dot] - digits_before[dots]
    values = mantissa / _POWERS_OF_TEN[decimals]
    np.negative(values, out=values, where=negative)
    return values.reshape(-1, width)
