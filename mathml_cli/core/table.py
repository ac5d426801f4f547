"""A streaming reader for numeric CSV tables of any size.

The input is read in blocks of a megabyte; each block becomes a NumPy
array of the columns asked for, so memory does not grow with the file. A block
is parsed by the fastest route that accepts it:

1. plain decimals without quotes or spaces (what programs write): parsed with
   vectorised NumPy integer arithmetic on the bytes, eight digits at a time,
   exact to the last bit (see `_parse_plain`);
2. anything NumPy's own reader accepts (exponents, spaces, quotes, text in
   unused columns): `numpy.loadtxt`;
3. everything else, in Python one cell at a time (in this process, in
   order, so line numbers are known), which finds the exact row,
   column and text of a bad cell for the error message, and drops rows with
   missing values when asked.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import math
import re
import sys
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import BinaryIO, cast

import numpy as np

from mathml_cli.core.inputs import WHITESPACE, sniff_delimiter
from mathml_cli.core.parallel import parse_in_order
from mathml_cli.errors import InputError, did_you_mean, listed

BLOCK_BYTES = 1 << 20
DROP_HINT = "use --drop-missing to leave such rows out"
MISSING = frozenset({"", "na", "n/a", "#n/a", "nan", "null", "none", "-", "?"})
_BOM = b"\xef\xbb\xbf"
# A comment line, skipped as numpy.loadtxt skips it: '#' first, then a space, a tab,
# another '#' or '!', or nothing (so Excel's "#N/A" in a first column is a cell).
# NumPy's savetxt writes its header this way: "# x z y".
_COMMENT = rb"^[ \t]*#(?:[ \t#!\r][^\n]*)?$"
_COMMENT_LINES = re.compile(_COMMENT, re.MULTILINE)
_COMMENT_LINE = re.compile(_COMMENT.decode())
# A carriage return that does not start a CRLF pair: lines ending the classic Mac way.
_LONE_CR = re.compile(rb"\r(?!\n)")
# The layout's delimiter for columns separated by runs of spaces or tabs (NumPy's
# savetxt default); such a block is rewritten with commas before it is parsed.
_BLANK_RUN = re.compile(rb"[ \t]+")
_EDGE_COMMAS = re.compile(rb"^,|,$", re.MULTILINE)
_SNIFF_LINES = 50
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:([,.])\d{3})(?:\1\d{3})*(?:(?!\1)[.,]\d+)?")
# The magnitudes regress and pca compute with: sums of squares and products of
# values in [1e-50, 1e50] stay inside float64 (1e-308 to 1e308), and so do those of
# a coefficient as large as the largest value over the smallest (1e100).
MAGNITUDE_BOUNDS = (1e-50, 1e50)


@dataclass(frozen=True)
class TableLayout:
    """What the start of the input says about the whole table."""

    names: tuple[str, ...]
    delimiter: str
    has_header: bool
    # Lines before the first row of data: comments, blank lines and the header
    # (row 1 is on line data_line + 1).
    data_line: int = 0
    # Lines the reader drops before parsing: through the header, if it is not a comment.
    skip_lines: int = 0
    # Every line ends in this many empty fields (a spreadsheet's "1,2,," has 2): they
    # are no columns, so not in `names`, and never a default target or feature.
    trailing_empty: int = 0

    @property
    def width(self) -> int:
        """Fields on each line, the trailing empty ones included."""
        return len(self.names) + self.trailing_empty


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
        raise InputError(f"file not found: {path!r}") from None
    except IsADirectoryError:
        raise InputError(f"{path!r} is a directory, not a file") from None
    except OSError as error:
        raise InputError(f"cannot read {path!r}: {error.strerror}") from None


class CsvTable:
    """A numeric CSV table read once, block by block, from a byte stream."""

    def __init__(
        self,
        stream: BinaryIO,
        source: str,
        *,
        header: bool | None = None,
        for_regression: bool = True,
        needs: str = "regression needs a target and at least one feature",
    ) -> None:
        """Read the start of `stream` to learn the delimiter and the column names.

        header: True or False to say whether the first row names the columns;
        None to detect it (a first row with any non-numeric cell is a header).
        for_regression: at least two columns, named x1, x2, ..., y without a
        header; otherwise (stats) one column is enough, named column1, ....
        needs: why one column is not enough, for the message when there is one.
        """
        self._stream, first = read_start(stream)
        self.source = source
        if first.startswith(_BOM):
            first = first[len(_BOM) :]
        while _first_table_line(first) < 0:  # comment lines longer than a block
            more = _read_block(self._stream)
            if not more:
                break
            first += more
        if not first.strip():
            raise InputError(f"{source} is empty: expected a CSV table with a header row")
        self.layout = _sniff_layout(first, source, header, for_regression, needs)
        self._pending = first
        for _ in range(self.layout.skip_lines):
            _, _, self._pending = self._pending.partition(b"\n")
        self._line = self.layout.skip_lines
        self.counts = ReadCounts()
        # What a "not a number" error adds, e.g. how to leave a text column out
        # when the columns were chosen by default.
        self.text_hint = ""

    @property
    def names(self) -> tuple[str, ...]:
        return self.layout.names

    def column_index(self, name: str, option: str) -> int:
        """The position of column `name`, or an error naming the columns there are."""
        if name in self.names:
            return self.names.index(name)
        raise InputError(
            f"{option}: no column named '{name}'{did_you_mean(name, self.names)}; "
            f"the columns are: {listed(self.names)}"
        )

    def blocks(
        self,
        columns: list[int],
        *,
        drop_missing: bool = False,
        missing_hint: str = DROP_HINT,
        bounded: bool = False,
    ) -> Generator[np.ndarray, None, None]:
        """Arrays (rows x len(columns)) of the table's rows, a block at a time, in order.

        missing_hint: what the message about a missing value suggests.
        bounded: a nonzero value outside MAGNITUDE_BOUNDS is an error naming its
        cell (for computations whose squares would overflow or underflow).

        A long input is parsed in two processes (see core/parallel.py). A block
        the fast routes refuse is read cell by cell here, in order, so that the
        line numbers are known.
        """

        def parse(block: bytes) -> tuple[np.ndarray | None, int]:
            values, lines = self._parse_fast(self._prepared(block), columns)
            if values is not None and bounded and not _within_bounds(values):
                return None, lines  # the cell-by-cell reader names the cell
            # In one layout whichever process parsed the block: NumPy's sums and
            # products round differently on a strided view of chosen columns.
            return (None if values is None else np.ascontiguousarray(values)), lines

        line = self._line
        parsed = parse_in_order(
            self._raw_blocks(), parse, columns=len(columns), slot_bytes=2 * BLOCK_BYTES
        )
        # Closed as soon as reading stops, not when the generator is collected: an
        # error's traceback keeps this frame, and the helper process with it, alive.
        with contextlib.closing(parsed):
            for block, (values, lines) in parsed:
                dropped = 0
                if values is None:
                    values, dropped = self._parse_cells(
                        self._prepared(block), line, columns, drop_missing, missing_hint, bounded
                    )
                line += lines
                self.counts.dropped += dropped
                if len(values):
                    self.counts.rows += len(values)
                    yield values

    def _raw_blocks(self) -> Iterator[bytes]:
        block, self._pending = self._pending, b""
        if block:
            yield block
        # (The first block may have held only the header and comment lines.)
        while block := _read_block(self._stream):
            yield block

    @property
    def _delimiter(self) -> str:
        """The delimiter of the blocks as parsed (whitespace is rewritten as commas)."""
        return "," if self.layout.delimiter == WHITESPACE else self.layout.delimiter

    def _prepared(self, block: bytes) -> bytes:
        """The block with comment lines emptied (so line numbers hold) and, if the
        columns are separated by whitespace, one comma between fields."""
        if b"#" in block:
            block = _COMMENT_LINES.sub(b"", block)
        if self.layout.delimiter != WHITESPACE or not block:
            return block
        return _EDGE_COMMAS.sub(b"", _BLANK_RUN.sub(b",", block.replace(b"\r\n", b"\n")))

    def _parse_fast(self, block: bytes, columns: list[int]) -> tuple[np.ndarray | None, int]:
        """The block's used columns, or None if only the cell-by-cell reader can tell; and
        the number of lines in the block."""
        if not block.endswith(b"\n"):
            block += b"\n"
        width = self.layout.width
        if b"\r" not in block and b'"' not in block and b" " not in block:
            parsed = _parse_plain(block, width, ord(self._delimiter))
            if parsed is not None:
                used = parsed if columns == list(range(width)) else parsed[:, columns]
                return used, len(parsed)  # one line per row
        lines = block.count(b"\n")
        if b"\r" in block:
            block = block.replace(b"\r\n", b"\n")
        return _parse_with_numpy(block, self._delimiter, width, columns), lines

    def _parse_cells(
        self,
        block: bytes,
        first_line: int,
        columns: list[int],
        drop_missing: bool,
        missing_hint: str = DROP_HINT,
        bounded: bool = False,
    ) -> tuple[np.ndarray, int]:
        """Cell by cell, for the exact place of a bad value; drops rows with gaps if asked."""
        text = block.decode("utf-8", errors="replace")  # csv reads \r\n and a last line without \n
        for offset, text_line in enumerate(text.split("\n"), start=1):
            if text_line.count('"') % 2:
                raise InputError(
                    f"line {first_line + offset} of {self.source} has an unclosed quote: "
                    "a quoted field may not span lines"
                )
            if "\r" in text_line.removesuffix("\r"):  # csv would fail with no line number
                raise InputError(
                    f"line {first_line + offset} of {self.source} has a carriage return "
                    "(\\r) inside it: the file mixes line endings"
                )
        width = self.layout.width
        rows: list[list[float]] = []
        dropped = 0
        reader = csv.reader(io.StringIO(text), delimiter=self._delimiter)
        for offset, fields in enumerate(reader, start=1):
            line = first_line + offset
            row = line - self.layout.data_line
            if all(not field.strip() for field in fields):
                continue  # a blank line, or one of only delimiters (a spreadsheet's ",,")
            if len(fields) > width and not any(field.strip() for field in fields[width:]):
                fields = fields[:width]  # "1,2," under "x,y": empty fields after the last column
            if len(fields) != width:
                raise InputError(
                    f"row {row} (line {line}) has {len(fields)} "
                    f"field{'s' if len(fields) != 1 else ''}, "
                    f"but the table has {width} columns ({listed(self.names)}"
                    + _empty_columns(self.layout.trailing_empty)
                    + ")"
                )
            values: list[float] = []
            for column in columns:
                cell = fields[column].strip()
                number = _cell_number(cell)
                if number is None or (bounded and not within_bounds(number)):
                    if number is None and drop_missing and cell.lower() in MISSING:
                        break
                    where = f"row {row} (line {line}), column '{self.names[column]}'"
                    # A text column fails on its first row; a stray word later is a typo.
                    text_hint = self.text_hint if row == 1 else ""
                    raise _cell_error(number, cell, where, missing_hint, text_hint)
                values.append(number)
            if len(values) < len(columns):
                dropped += 1
                continue
            rows.append(values)
        return np.array(rows, dtype=np.float64).reshape(len(rows), len(columns)), dropped


def _cell_error(
    number: float | None, cell: str, where: str, missing_hint: str, text_hint: str = ""
) -> InputError:
    """What is wrong with a cell: missing, not a number, or outside MAGNITUDE_BOUNDS."""
    if number is not None:
        fix = "rescale the column"
        if abs(number) < MAGNITUDE_BOUNDS[0]:  # often a zero that rounding left behind
            fix = "write it as 0 if it stands for zero, or rescale the column"
        return InputError(f"{where}: {_shorten(cell)} is {out_of_bounds(number)}; {fix}")
    if cell.lower() in MISSING:
        return InputError(f"missing value in {where}; {missing_hint}")
    hint = ""
    if _THOUSANDS.fullmatch(cell):  # 1,000 or 1.000,5: either reading is possible
        hint = " (thousands separators and decimal commas are not supported)"
    elif _decimal_comma(cell):
        hint = " (decimal commas are not supported)"
    if not hint and text_hint and _cell_number(cell.replace(",", ".")) is None:
        hint = f"; {text_hint}"
    return InputError(f"{where}: '{_shorten(cell)}' is not a number{hint}")


def _read_block(stream: BinaryIO) -> bytes:
    """About BLOCK_BYTES of whole lines."""
    block = stream.read(BLOCK_BYTES)
    if block and not block.endswith(b"\n"):
        block += stream.readline()
    return block


def read_start(stream: BinaryIO) -> tuple[BinaryIO, bytes]:
    """The stream to read on, and its first block of whole lines.

    A file whose lines end in a bare carriage return (as classic Mac OS and
    some spreadsheets write them) is read through _CarriageReturns, so that every
    later step sees lines ending in a newline.
    """
    head = stream.read(BLOCK_BYTES)
    # (A last byte '\r' may be the first half of a CRLF split between reads.)
    while b"\n" not in head and not _LONE_CR.search(head, 0, max(len(head) - 1, 0)):
        more = stream.read(BLOCK_BYTES)  # no line has ended yet: which way will it?
        if not more:
            break
        head += more
    if _LONE_CR.search(head, 0, max(len(head) - 1, 0)):
        translated = cast(BinaryIO, _CarriageReturns(stream, head))
        return translated, _read_block(translated)
    if head and not head.endswith(b"\n"):
        head += stream.readline()
    return stream, head


class _CarriageReturns:
    """A byte stream read from another with every line ending (CR, CRLF) made LF."""

    def __init__(self, stream: BinaryIO, head: bytes) -> None:
        self._stream = stream
        self._raw = head  # read from the stream, not yet translated
        self._buffer = b""  # translated, not yet returned

    def _more(self, size: int) -> bool:
        raw, self._raw = self._raw or self._stream.read(size), b""
        if not raw:
            return False
        while raw.endswith(b"\r"):  # its LF, if any, is in the next read
            following = self._stream.read(1)
            raw += following
            if not following:
                break
        self._buffer += raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        return True

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self._buffer) < size) and self._more(BLOCK_BYTES):
            pass
        cut = len(self._buffer) if size < 0 else size
        block, self._buffer = self._buffer[:cut], self._buffer[cut:]
        return block

    def readline(self) -> bytes:
        while b"\n" not in self._buffer and self._more(1 << 16):
            pass
        end = self._buffer.find(b"\n") + 1 or len(self._buffer)
        line, self._buffer = self._buffer[:end], self._buffer[end:]
        return line


def _cell_number(cell: str) -> float | None:
    """The cell's finite number, or None if it is not one."""
    if "_" in cell:  # float() accepts 1_000; a CSV cell should not
        return None
    try:
        number = float(cell)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def within_bounds(number: float) -> bool:
    low, high = MAGNITUDE_BOUNDS
    return number == 0 or low <= abs(number) <= high


def out_of_bounds(number: float) -> str:
    """Why a number outside MAGNITUDE_BOUNDS cannot be used."""
    low, high = MAGNITUDE_BOUNDS
    size = "too large" if abs(number) > high else "too small"
    return f"{size}: mathml computes with magnitudes from {low:g} to {high:g} (or 0)"


def outside_bounds(values: np.ndarray) -> np.ndarray:
    """Where a value is nonzero and outside MAGNITUDE_BOUNDS (a mask like `values`)."""
    low, high = MAGNITUDE_BOUNDS
    magnitudes = np.abs(values)
    return (magnitudes > high) | ((magnitudes < low) & (magnitudes > 0))


def _within_bounds(values: np.ndarray) -> bool:
    """Whether every nonzero value of the block lies inside MAGNITUDE_BOUNDS."""
    if not values.size:
        return True
    low, high = MAGNITUDE_BOUNDS
    magnitudes = np.abs(values)
    if magnitudes.max() <= high and magnitudes.min() >= low:
        return True  # the usual case, decided by two reductions: no zeros, nothing tiny
    return not outside_bounds(values).any()


def _decimal_comma(cell: str) -> bool:
    return _cell_number(cell.replace(",", ".")) is not None and "," in cell


def _shorten(text: str, limit: int = 40) -> str:
    """The cell for a message: at most `limit` characters, control characters escaped."""
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in shown)


def _sniff_layout(
    block: bytes,
    source: str,
    header: bool | None,
    for_regression: bool = True,
    needs: str = "regression needs a target and at least one feature",
) -> TableLayout:
    # The first lines, whole: at least 64 KB, and all of the first line however long
    # (a header of thousands of names).
    first_end = block.find(b"\n", max(_first_table_line(block), 0)) + 1 or len(block)
    sniffed = block[: max(1 << 16, first_end)]
    if len(sniffed) < len(block):
        sniffed = sniffed[: sniffed.rfind(b"\n") + 1]  # no line cut short
    text = sniffed.decode("utf-8", errors="replace").replace("\r\n", "\n")
    comments, table = _comments_and_table(text)
    if not table:
        raise InputError(f"{source} holds only comment lines: expected a table after them")
    lines = [line for _, line in table]
    delimiter = sniff_delimiter(lines)
    cells = _fields(lines[0], delimiter)
    if len(cells) < 2 and for_regression:
        raise InputError(
            f"{source} has one column: {needs} "
            "(columns separated by commas, semicolons, tabs or spaces)"
        )
    trailing_empty = _empty_trailing_fields(lines, delimiter, 2 if for_regression else 1)
    cells = cells[: len(cells) - trailing_empty]
    first_numeric = all(_cell_number(cell) is not None for cell in cells)
    named_by_comment = None
    if comments and header is not False and first_numeric:
        named_by_comment = _names_in_comment(comments[-1], delimiter, len(cells))
    header_at = table[0][0]  # the line's index in the file
    if named_by_comment is not None:
        cells, header = named_by_comment, True
        skip, data_line = 0, header_at  # the comment is skipped with the others
    else:
        if header is None:
            header = not first_numeric
        skip = header_at + 1 if header else 0
        data_line = (table[1][0] if len(table) > 1 else header_at + 1) if header else header_at
    if not header:
        if not for_regression:
            names = tuple(f"column{i}" for i in range(1, len(cells) + 1))
        else:
            names = tuple(f"x{i}" for i in range(1, len(cells))) + ("y",)
        return TableLayout(names, delimiter, False, data_line, skip, trailing_empty)
    names = tuple(cell or f"column{i}" for i, cell in enumerate(cells, start=1))
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name in seen:
            raise InputError(
                f"the header names column '{name}' twice (columns {seen[name]} and {position})"
            )
        seen[name] = position
    return TableLayout(names, delimiter, True, data_line, skip, trailing_empty)


def _comments_and_table(text: str) -> tuple[list[str], list[tuple[int, str]]]:
    """The comment lines before the table (the last may name its columns, as savetxt's
    header does), and the table's first lines with their indices in the file."""
    numbered = list(enumerate(text.split("\n")))
    leading = 0
    while leading < len(numbered) and (
        not numbered[leading][1].strip() or _COMMENT_LINE.match(numbered[leading][1])
    ):
        leading += 1
    # (a bare "#" or "##" names nothing)
    comments = [line for _, line in numbered[:leading] if line.strip().strip("#").strip()]
    table = [(n, line) for n, line in numbered[leading:] if line.strip()]
    return comments, [(n, line) for n, line in table if not _COMMENT_LINE.match(line)][
        :_SNIFF_LINES
    ]


def _empty_trailing_fields(lines: list[str], delimiter: str, keep: int) -> int:
    """How many fields at the end of every line are empty (spreadsheets write "1,2,,"
    for a sheet with empty columns), leaving at least `keep` fields."""
    rows = [_fields(line, delimiter) for line in lines]
    rows = [row for row in rows if any(field.strip() for field in row)]  # ",," rows are skipped
    count = 0
    while all(len(row) - count > keep and not row[-1 - count].strip() for row in rows):
        count += 1
    return count


def _empty_columns(count: int) -> str:
    if not count:
        return ""
    return " and an empty last one" if count == 1 else f" and {count} empty last ones"


def _names_in_comment(comment: str, delimiter: str, width: int) -> list[str] | None:
    """The column names a comment gives as savetxt writes a header ('# x z y', or
    '# x,z,y' with the table's delimiter): one per column, not all numbers; else None."""
    words = comment.lstrip().lstrip("#")
    for named in (_fields(words, delimiter), words.split()):
        if len(named) == width and any(_cell_number(name) is None for name in named):
            return named
    return None


def _first_table_line(block: bytes) -> int:
    """Where the first line that is neither blank nor a comment starts, or -1."""
    start = 0
    while start < len(block):
        end = block.find(b"\n", start) + 1 or len(block)
        line = block[start:end]
        if line.strip() and not _COMMENT_LINES.match(line):
            return start
        start = end
    return -1


def _fields(line: str, delimiter: str) -> list[str]:
    """The stripped cells of one line."""
    if delimiter == WHITESPACE:
        return line.split()
    return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter))]


def _parse_with_numpy(
    block: bytes, delimiter: str, width: int, columns: list[int]
) -> np.ndarray | None:
    """The used columns by numpy.loadtxt, or None if it refuses, finds gaps, or a line
    has more fields than the table (which loadtxt, reading only `columns`, lets pass)."""
    if not block.strip():  # only blank and comment lines (loadtxt would warn)
        return np.empty((0, len(columns)))
    raw = np.frombuffer(block, dtype=np.uint8)
    inside = None
    if b'"' in block:
        # After an odd number of quotes a byte is inside a quoted field; a newline
        # there would make one field of two lines, which a CSV row here may not.
        inside = np.cumsum(raw == ord('"'), dtype=np.uint8) & np.uint8(1)
        if inside[raw == 10].any():
            return None
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
    separators = raw == ord(delimiter)
    if inside is not None:
        separators &= inside == 0  # a delimiter inside quotes ("Smith, J") separates nothing
    if int(np.count_nonzero(separators)) != (width - 1) * len(values):
        return None  # a ragged line (loadtxt skips blank ones, so this counts the others)
    return values


# The characters of a cell's integer part, and of its decimals, are read as
# numbers eight at a time: eight bytes loaded as one little-endian integer hold
# the first character in the lowest byte, so three multiply-and-shift steps
# combine them (the "SWAR" trick of simdjson and fast_float).
_WORD = np.dtype("<u8")
_PAD = 16  # zero bytes before a piece, so the words before its first cell exist
_MAX_DIGITS = 19  # a mantissa of 19 digits cannot overflow a uint64
_EXACT_MANTISSA = np.uint64(1 << 53)  # every integer up to here is exact in a float64
_POWERS_OF_TEN = 10.0 ** np.arange(17)
_INTEGER_POWERS_OF_TEN = np.array([10**k for k in range(17)], dtype=np.uint64)
# _LAST_DIGITS[k] keeps the digit values (the low four bits) of a word's last k
# characters, its k highest bytes, and clears the rest (all eight for k > 8).
_LAST_DIGITS = np.array(
    [0x0F0F0F0F0F0F0F0F & ~((1 << (64 - 8 * min(k, 8))) - 1) for k in range(17)], dtype=np.uint64
)
# A block is parsed in pieces of about this size. Smaller pieces keep NumPy's
# temporaries in the processor's cache but make more calls, each with its own
# overhead: for a million rows x 10, 64 KB pieces took 0.84 s, 256 KB 0.70 s,
# 512 KB 0.70 s, and whole 2 MB blocks 0.93 s.
_PIECE_BYTES = 1 << 18


def _eight_digits(words: np.ndarray) -> np.ndarray:
    """The integers written by eight digit values per word (as _LAST_DIGITS leaves them)."""
    words *= np.uint64(10 << 8 | 1)
    words >>= np.uint64(8)
    words &= np.uint64(0x00FF00FF00FF00FF)
    words *= np.uint64(100 << 16 | 1)
    words >>= np.uint64(16)
    words &= np.uint64(0x0000FFFF0000FFFF)
    words *= np.uint64(10000 << 32 | 1)
    words >>= np.uint64(32)
    return words


def _digits_before(
    last8: np.ndarray,
    first8: np.ndarray,
    stops: np.ndarray,
    counts: np.ndarray,
    longest: int,
    masks: np.ndarray | None = None,
) -> np.ndarray:
    """The integers written by the `counts` (0 to 16, at most `longest`) digits just before
    byte `stops` (all three shaped alike); `masks`, if given, is _LAST_DIGITS[counts].

    last8[i] is the word of the eight bytes before byte i, first8[i] that of the
    eight before those.
    """
    low = last8[stops]
    low &= _LAST_DIGITS[counts] if masks is None else masks
    if longest <= 8:
        return _eight_digits(low)
    high = first8[stops]
    high &= _LAST_DIGITS[np.clip(counts - 8, 0, 8)]
    _eight_digits(high)
    high *= np.uint64(100_000_000)
    low = _eight_digits(low)
    low += high
    return low


@functools.lru_cache(maxsize=4)
def _column_decimals(decimals: tuple[int, ...], rows: int) -> tuple[np.ndarray, ...]:
    """For `rows` rows of columns with these numbers of decimals k: k, the mask
    _LAST_DIGITS[k], 10^k exact and 10^k as a float, each shaped (rows, columns).
    (NumPy applies a row repeated down the rows several times slower than an array
    as large as the other; these are made once for all the blocks.)"""
    count = np.tile(np.array(decimals, dtype=np.intp), (rows, 1))
    arrays = (count, _LAST_DIGITS[count], _INTEGER_POWERS_OF_TEN[count], _POWERS_OF_TEN[count])
    for array in arrays:
        array.flags.writeable = False
    return arrays


def _decimals_of(count: np.ndarray) -> tuple[np.ndarray, ...]:
    """As _column_decimals gives, for each cell's own number of decimals (each <= 16)."""
    return count, _LAST_DIGITS[count], _INTEGER_POWERS_OF_TEN[count], _POWERS_OF_TEN[count]


def _points(
    raw: np.ndarray, ends: np.ndarray, width: int, dots: int
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...] | None] | None:
    """Where each cell's integer digits stop (its dot, or its end) and its number of
    decimals, both shaped (rows, width), and when each column has a fixed number
    of decimals, _column_decimals for them; None for a cell with two dots."""
    rows_ends = ends.reshape(-1, width)
    rows = len(rows_ends)
    if dots == 0:
        tiles = _column_decimals((0,) * width, 1 << (rows - 1).bit_length())
        return rows_ends, tiles[0][:rows], tuple(array[:rows] for array in tiles)
    if dots == len(ends):
        # Programs write each column with a fixed number of decimals: guess them
        # from the first row, and check that every cell has its dot there. With
        # as many dots as cells, that is every dot, one in each cell (the caller
        # checks that each guess lies inside its own cell).
        first_ends = ends[:width]
        first_dots = np.flatnonzero(raw[: int(first_ends[-1])] == 46)
        if len(first_dots) == width and (first_dots[1:] > first_ends[:-1]).all():
            decimals = first_ends - first_dots - 1  # each dot in its own cell if all >= 0
            if 0 <= decimals.min() and decimals.max() <= 16:
                # Pieces of a block hold about the same number of rows: one size serves them.
                tiles = _column_decimals(tuple(decimals.tolist()), 1 << (rows - 1).bit_length())
                count = tiles[0][:rows]
                guess = rows_ends - count
                guess -= 1
                if (raw[guess] == 46).all():
                    return guess, count, tuple(array[:rows] for array in tiles)
    point = ends.copy()
    dot_places = np.flatnonzero(raw == 46)
    cell_of_dot = np.searchsorted(ends, dot_places)
    if dots > 1 and not (np.diff(cell_of_dot) > 0).all():
        return None
    point[cell_of_dot] = dot_places
    return point.reshape(-1, width), (ends - point - 1).clip(0).reshape(-1, width), None


def _parse_plain(block: bytes, width: int, delimiter: int) -> np.ndarray | None:
    """A block of plain decimals as a (rows x width) array, or None if it is anything else.

    Every cell must be an optional '-' or '+', then digits with at most one
    '.', and every line (each ending in a newline) must hold `width` cells. A
    cell's digits make an integer m, read exactly, and the cell is m / 10^k for
    its k decimals: one correctly rounded division of exact numbers (m <= 2^53),
    so the result is the float nearest the text, as float() gives.
    """
    if not block.endswith(b"\n"):
        return None
    # Room for the most rows the block can hold (a digit and a separator per cell):
    # pages never written to are never given memory, and counting first costs time.
    values = np.empty((len(block) // (2 * width), width))
    view = memoryview(block)
    row = start = 0
    while start < len(block):
        stop = block.find(b"\n", start + _PIECE_BYTES) + 1 or len(block)
        rows = _parse_piece(bytearray(_PAD) + view[start:stop], width, delimiter, values[row:])
        if rows is None:
            return None
        row += rows
        start = stop
    return values[:row]


def _parse_piece(padded: bytearray, width: int, delimiter: int, out: np.ndarray) -> int | None:
    """Whole lines of plain decimals (after _PAD zero bytes) into `out`; the rows, or None."""
    raw = np.frombuffer(padded, dtype=np.uint8, offset=_PAD)
    newlines = raw == 10
    separators = raw == delimiter
    separators |= newlines
    ends = np.flatnonzero(separators)
    # (NumPy's counts here: bytes.count reads one byte at a time, many times slower.)
    rows = int(np.count_nonzero(newlines))
    if len(ends) != rows * width or not (raw[ends[width - 1 :: width]] == 10).all():
        return None  # ragged: each line must be `width` cells, the last ending in the newline
    starts = np.empty_like(ends)
    starts[0] = 0
    np.add(ends[:-1], 1, out=starts[1:])
    dots = int(np.count_nonzero(raw == 46))
    # Every byte that is not a digit must be a separator, a dot, or a sign that
    # starts its cell (that each dot is its cell's only one is checked below).
    signs = int(np.count_nonzero((raw - np.uint8(48)) >= 10)) - len(ends) - dots
    digits_start, negative = starts, None
    if signs:
        first = raw[starts]
        negative = first == 45
        signed = negative | (first == 43)
        if int(np.count_nonzero(signed)) != signs:
            return None  # some other byte, or a sign inside a cell
        digits_start = starts + signed
    located = _points(raw, ends, width, dots)
    if located is None:
        return None  # two dots in a cell
    point, decimals, tiles = located
    whole = point - digits_start.reshape(-1, width)
    longest_whole, longest_decimals = int(whole.max()), int(decimals.max())
    if int(whole.min()) < 0 or longest_whole > 16 or longest_decimals > 16:
        return None  # a dot outside its cell, or more digits than the words hold
    if int(decimals.min()) == 0 or longest_whole + longest_decimals > _MAX_DIGITS:
        digits = whole + decimals
        if int(digits.min()) == 0 or int(digits.max()) > _MAX_DIGITS:
            return None  # a cell without digits ('-', '.'), or too many for a uint64
    decimals, masks, scale, divisor = tiles or _decimals_of(decimals)
    last8 = np.ndarray((len(raw),), _WORD, buffer=padded, offset=_PAD - 8, strides=(1,))
    first8 = np.ndarray((len(raw),), _WORD, buffer=padded, offset=_PAD - 16, strides=(1,))
    mantissa = _digits_before(last8, first8, point, whole, longest_whole)
    if longest_decimals:
        mantissa *= scale
        mantissa += _digits_before(
            last8, first8, ends.reshape(-1, width), decimals, longest_decimals, masks
        )
    if mantissa.max() > _EXACT_MANTISSA:
        return None
    values = out[:rows]
    np.divide(mantissa, divisor, out=values)
    if negative is not None:
        np.negative(values, out=values, where=negative.reshape(-1, width))
    return rows
