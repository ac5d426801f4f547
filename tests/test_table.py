"""The streaming CSV reader: layouts, and numbers exactly as float() reads them."""

from __future__ import annotations

import io
import re
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mathml_cli.core import parallel
from mathml_cli.core import table as table_module
from mathml_cli.core.table import CsvTable, _parse_plain
from mathml_cli.errors import InputError


def read(data: bytes | str, columns=None, **options):
    raw = data.encode() if isinstance(data, str) else data
    table = CsvTable(io.BytesIO(raw), "test", **options)
    chosen = list(range(len(table.names))) if columns is None else columns
    blocks = list(table.blocks(chosen))
    values = np.concatenate(blocks) if blocks else np.empty((0, len(chosen)))
    return table, values


@pytest.fixture(params=[True, False], ids=["two processes", "one process"])
def helper(request, monkeypatch):
    """Long inputs read with the parsing helper (core/parallel.py) and without it."""
    if request.param and not sys.platform.startswith("linux"):
        pytest.skip("the helper is used on Linux only")
    monkeypatch.setattr(parallel, "helper_can_run", lambda: request.param)


decimal_text = st.builds(
    lambda sign, whole, frac: f"{sign}{whole}{'.' + frac if frac is not None else ''}",
    st.sampled_from(["", "-", "+"]),
    st.from_regex(r"[0-9]{0,16}", fullmatch=True),
    st.one_of(st.none(), st.from_regex(r"[0-9]{0,16}", fullmatch=True)),
).filter(lambda text: any(c.isdigit() for c in text))


def _exact_mantissa(text: str) -> bool:
    """Whether the cell's digits, read as one integer, are at most 2^53 (the fast path's range)."""
    return int("".join(c for c in text if c.isdigit())) <= 2**53


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(decimal_text, min_size=3, max_size=3), min_size=1, max_size=40))
def test_fast_parser_gives_exactly_what_float_gives(rows):
    block = "".join(",".join(row) + "\n" for row in rows).encode()
    parsed = _parse_plain(block, 3, ord(","))
    expected = np.array([[float(cell) for cell in row] for row in rows])
    if all(_exact_mantissa(cell) for row in rows for cell in row):
        assert parsed is not None
    if parsed is not None:
        assert np.array_equal(parsed, expected)  # bit for bit, not approximately
        assert np.array_equal(np.signbit(parsed), np.signbit(expected))  # -0.0 too


fixed_decimals = st.lists(st.integers(0, 9), min_size=1, max_size=6)


@settings(max_examples=100, deadline=None)
@given(fixed_decimals, st.data())
def test_fast_parser_with_fixed_decimals_per_column(decimals, data):
    """The usual layout (each column printed with its own number of decimals), exactly."""
    numbers = st.floats(-1e6, 1e6, allow_nan=False)
    rows = data.draw(st.lists(st.tuples(*[numbers for _ in decimals]), min_size=1, max_size=30))
    cells = [[f"{v:.{k}f}" for v, k in zip(row, decimals, strict=True)] for row in rows]
    block = "".join(",".join(row) + "\n" for row in cells).encode()
    parsed = _parse_plain(block, len(decimals), ord(","))
    assert parsed is not None
    assert np.array_equal(parsed, np.array([[float(c) for c in row] for row in cells]))


@settings(max_examples=60, deadline=None)
@given(
    fixed_decimals,
    st.data(),
    st.lists(st.lists(decimal_text, min_size=1, max_size=1), max_size=3),
    st.integers(1, 200),
)
def test_fast_parser_in_pieces(decimals, data, odd_cells, piece_bytes):
    """A block is parsed in pieces of about _PIECE_BYTES: some of a fixed number of
    decimals per column, some not (a cell written another way), all exactly."""
    numbers = st.floats(-1e6, 1e6, allow_nan=False)
    rows = data.draw(st.lists(st.tuples(*[numbers for _ in decimals]), min_size=1, max_size=60))
    cells = [[f"{v:.{k}f}" for v, k in zip(row, decimals, strict=True)] for row in rows]
    odd = False
    for (cell,) in odd_cells:  # a cell written another way, somewhere
        if _exact_mantissa(cell) and sum(c.isdigit() for c in cell) <= 19:
            at = data.draw(st.integers(0, len(cells) - 1))
            cells[at][data.draw(st.integers(0, len(decimals) - 1))] = cell
            odd = True
    block = "".join(",".join(row) + "\n" for row in cells).encode()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(table_module, "_PIECE_BYTES", piece_bytes)
        parsed = _parse_plain(block, len(decimals), ord(","))
    expected = np.array([[float(c) for c in row] for row in cells])
    # With odd cells the fast path may decline a piece (the careful path then reads
    # it, e.g. -0.0 among 0.000000000); whatever it returns must be exact.
    if parsed is None:
        assert odd
        return
    assert np.array_equal(parsed, expected)
    assert np.array_equal(np.signbit(parsed), np.signbit(expected))


def test_fast_parser_on_a_block_of_many_pieces():
    """Three megabytes as a program writes it (fixed decimals, signs), against float()."""
    rng = np.random.default_rng(7)
    values = rng.normal(0, 1000, size=(80_000, 4)) * [1, 1e-3, 1e3, 1]
    lines = [f"{a:.6f},{b:+.3f},{c:.0f},{d:.9f}" for a, b, c, d in values]
    block = ("\n".join(lines) + "\n").encode()
    assert len(block) > 8 * table_module._PIECE_BYTES
    parsed = _parse_plain(block, 4, ord(","))
    expected = np.array([[float(c) for c in line.split(",")] for line in lines])
    assert parsed is not None
    assert np.array_equal(parsed, expected)


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (b"1.5,2\n30.25,4.5\n", [[1.5, 2], [30.25, 4.5]]),  # a dot in some cells only
        (b"1.5,2.0\n30,4.5\n", [[1.5, 2], [30, 4.5]]),  # as many dots as cells, not one each
        (b".5,-.5\n5.,+5\n", [[0.5, -0.5], [5, 5]]),
        (b"9007199254740992,0.1\n", [[2.0**53, 0.1]]),  # 16 digits, still exact
        (b"0.1234567890123456,1\n", [[0.1234567890123456, 1]]),
        (b"-0.0,0\n", [[-0.0, 0]]),
    ],
)
def test_fast_parser_reads(block, expected):
    parsed = _parse_plain(block, 2, ord(","))
    assert parsed is not None
    assert np.array_equal(parsed, np.array(expected, dtype=float))
    assert np.array_equal(np.signbit(parsed), np.signbit(np.array(expected, dtype=float)))


@pytest.mark.parametrize(
    "block",
    [
        b"1,2\n3\n",  # ragged
        b"1,2\n3,4,5\n",
        b"1,,2\n",  # empty cell
        b"1e5,2\n",  # exponent: left to numpy
        b"1.2.3,4\n",
        b"1.2,3..4\n",
        b"1.5,2.5\n3.5.1,4\n",  # as many dots as cells, two in one
        b"1-2,3\n",
        b"--1,3\n",
        b"nan,1\n",
        b"1,2\n\n3,4\n",  # blank line
        b"9007199254740993,1\n",  # above 2^53: not exact as an integer
        b"12345678901234567890,1\n",  # 20 digits
        b"-,1\n",
        b".,1\n",
        b"1 ,2\n",
    ],
)
def test_fast_parser_declines_what_it_cannot_read_exactly(block):
    width = 2 if block.count(b",") != 2 * block.count(b"\n") else 3
    assert _parse_plain(block, width, ord(",")) is None


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,y\n1,2,3\n4,5,6\n", ","),
        ("a;b;y\n1;2;3\n4;5;6\n", ";"),
        ("a\tb\ty\n1\t2\t3\n4\t5\t6\n", "\t"),
        ('"a","b","y"\n"1","2","3"\n4,5,6\n', ","),
        ("\ufeffa,b,y\r\n1,2,3\r\n4,5,6\r\n", ","),
        ("a, b, y\n 1, 2, 3\n4 ,5 ,6\n", ","),
        ("a;b;y\n1;2;3\n4;5;6", ";"),  # no final newline
    ],
)
def test_layouts(text, delimiter):
    table, values = read(text)
    assert table.layout.delimiter == delimiter
    assert table.names == ("a", "b", "y")
    np.testing.assert_array_equal(values, [[1, 2, 3], [4, 5, 6]])


def test_header_is_detected_or_refused():
    table, values = read("1,2,3\n4,5,6\n")
    assert not table.layout.has_header
    assert table.names == ("x1", "x2", "y")
    assert values.shape == (2, 3)
    table, values = read("1,2,3\n4,5,6\n", header=False)
    assert table.names == ("x1", "x2", "y") and values.shape == (2, 3)
    with pytest.raises(InputError, match=r"row 1 \(line 1\), column 'x1': 'a' is not a number"):
        read("a,b,y\n4,5,6\n", header=False)


def test_exponents_quotes_and_text_columns_in_unused_places():
    text = 'id,a,y\n"r1",1e3,2.5E-1\n"r2, second",-3e0,4\n'
    table, values = read(text, columns=[1, 2])
    np.testing.assert_array_equal(values, [[1000, 0.25], [-3, 4]])
    with pytest.raises(InputError, match="column 'id': 'r1' is not a number"):
        read(text, columns=[0, 2])


def test_blank_lines_are_skipped_and_rows_counted_across_blocks(monkeypatch, helper):
    monkeypatch.setattr(table_module, "BLOCK_BYTES", 16)
    lines = [f"{i},{2 * i}.5" for i in range(1, 200)]
    text = "a,y\n" + "\n".join(lines[:100]) + "\n\n" + "\n".join(lines[100:]) + "\n"
    table, values = read(text)
    assert len(values) == 199 and table.counts.rows == 199
    np.testing.assert_array_equal(values[:, 0], np.arange(1, 200))
    bad = text.replace("150,300.5", "150,oops")
    # Line numbers stay right across blocks; a row is a line after the header,
    # so the blank line counts.
    with pytest.raises(InputError, match=r"row 151 \(line 152\), column 'y': 'oops'"):
        read(bad)


def test_missing_markers_and_non_finite_text():
    for marker in ("", "NA", "nan", "null", "N/A"):
        with pytest.raises(InputError, match="missing value in row 2"):
            read(f"a,y\n1,2\n{marker},3\n4,5\n")
    with pytest.raises(InputError, match="'inf' is not a number"):
        read("a,y\n1,2\ninf,3\n")
    with pytest.raises(InputError, match="'1_000' is not a number"):
        read("a,y\n1,2\n1_000,3\n")


def test_duplicate_header_names_and_unclosed_quotes():
    with pytest.raises(InputError, match="names column 'a' twice"):
        read("a,a,y\n1,2,3\n")
    with pytest.raises(InputError, match="line 2 of test has an unclosed quote"):
        read('a,y\n"1,2\n3,4\n')
    # A quoted field may not span lines, in a short input as in a long one.
    with pytest.raises(InputError, match="line 3 of test has an unclosed quote"):
        read('a,b,y\n1,2,3\n2,"3\n",4\n')


def test_an_unclosed_quote_is_named_by_its_own_line_deep_in_a_long_input(monkeypatch, helper):
    monkeypatch.setattr(table_module, "BLOCK_BYTES", 4096)
    lines = [f'{i},"{i}.5"' for i in range(1, 5001)]
    lines[3999] = '4000,"4000.5'
    with pytest.raises(InputError, match=r"^line 4001 of test has an unclosed quote"):
        read("a,y\n" + "\n".join(lines) + "\n")


def test_a_header_longer_than_the_sniffed_part_is_read_whole():
    names = [f"feature_{i:05d}" for i in range(8000)]  # 112 KB of header
    rows = "\n".join(",".join(str(i + j) for j in range(8000)) for i in range(3))
    table, values = read(",".join(names) + "\n" + rows + "\n", columns=[0, 7999])
    assert table.names == tuple(names)
    np.testing.assert_array_equal(values, [[0, 7999], [1, 8000], [2, 8001]])
    # Messages list a few of the names, not all 8000.
    with pytest.raises(InputError) as error:
        table.column_index("feature_9", "--target")
    message = str(error.value)
    assert len(message) < 400
    assert "feature_00000, feature_00001," in message and "feature_07999 (8000 in all)" in message


def test_control_characters_in_a_bad_cell_are_escaped():
    with pytest.raises(InputError, match=r"'1\\x002' is not a number"):
        read(b"a,y\n1,2\n3,1\x002\n")


def test_extra_fields_are_an_error_on_every_route(monkeypatch, helper):
    # An exponent sends the block to numpy.loadtxt, which reads only the used
    # columns and would let a line with an extra field pass.
    monkeypatch.setattr(table_module, "BLOCK_BYTES", 64)
    lines = [f"{i}e0,{i}.5" for i in range(1, 60)]
    lines[40] += ",7"
    with pytest.raises(InputError, match=r"row 41 \(line 42\) has 3 fields"):
        read("a,y\n" + "\n".join(lines) + "\n")
    quoted = [f'"{i}",{i}.5' for i in range(1, 60)]
    quoted[50] += ",7"
    with pytest.raises(InputError, match=r"row 51 \(line 52\) has 3 fields"):
        read("a,y\n" + "\n".join(quoted) + "\n")


def test_quoted_delimiters_in_an_unused_text_column():
    text = 'name,a,y\n"Smith, J",1,2\n"Doe, A",2,3.5\nX,3,4\n'
    table, values = read(text, columns=[1, 2])
    np.testing.assert_array_equal(values, [[1, 2], [2, 3.5], [3, 4]])


@pytest.mark.parametrize("route", ["plain", "exponent", "quoted"])
def test_bad_cells_are_found_deep_in_a_long_input(monkeypatch, helper, route):
    """Row and line numbers stay right across many blocks on each parsing route."""
    monkeypatch.setattr(table_module, "BLOCK_BYTES", 4096)
    cell = {"plain": "{}.25", "exponent": "{}e-2", "quoted": '"{}.25"'}[route]
    lines = [f"{i},{cell.format(i)}" for i in range(1, 5001)]
    lines[3999] = "4000,12x"
    with pytest.raises(InputError, match=r"row 4000 \(line 4001\), column 'y': '12x'"):
        read("a,y\n" + "\n".join(lines) + "\n")
    lines[3999] = "4000,"
    with pytest.raises(InputError, match=r"missing value in row 4000 \(line 4001\)"):
        read("a,y\n" + "\n".join(lines) + "\n")
    lines[3999] = "4000"
    with pytest.raises(InputError, match=r"row 4000 \(line 4001\) has 1 field,"):
        read("a,y\n" + "\n".join(lines) + "\n")


def test_rows_in_order_and_bad_cells_named_across_routes_and_blocks(monkeypatch, helper):
    """Blocks of plain decimals and blocks for numpy.loadtxt interleave: the rows
    come in order, and a bad cell is named by its own row and line."""
    monkeypatch.setattr(table_module, "BLOCK_BYTES", 256)
    lines = [f"{i},{i}.5,{-i}e0" if i % 7 == 0 else f"{i},{i}.5,{-i}" for i in range(1, 3001)]
    table, values = read("a,b,y\n" + "\n".join(lines) + "\n")
    expected = [[i, i + 0.5, -i] for i in range(1, 3001)]
    np.testing.assert_array_equal(values, expected)
    assert table.counts.rows == 3000
    lines[2499] = "2500,x,1"
    with pytest.raises(InputError, match=r"row 2500 \(line 2501\), column 'b': 'x'"):
        read("a,b,y\n" + "\n".join(lines) + "\n")


# --- line endings and comment lines (the oracle: the array NumPy wrote) ----------

endings = st.sampled_from(["\n", "\r\n", "\r"])


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    rows=st.integers(1, 60),
    width=st.integers(2, 4),
    ending=endings,
    delimiter=st.sampled_from([" ", ",", "\t"]),
    named=st.booleans(),
    block_bytes=st.sampled_from([16, 64, 1 << 20]),
)
def test_savetxt_files_with_any_line_ending_and_comments_read_back_exactly(
    data, rows, width, ending, delimiter, named, block_bytes
):
    """np.savetxt's output (its '# ' header naming the columns, %.18e numbers),
    with extra comment lines anywhere and any line ending, reads back bit for bit."""
    values = np.array(
        data.draw(
            st.lists(
                st.lists(st.floats(-1e6, 1e6), min_size=width, max_size=width),
                min_size=rows,
                max_size=rows,
            )
        )
    )
    names = [f"c{i}" for i in range(width)]
    out = io.StringIO()
    np.savetxt(out, values, delimiter=delimiter, header=delimiter.join(names) if named else "")
    lines = out.getvalue().splitlines()
    for _ in range(data.draw(st.integers(0, 3))):
        # (not between savetxt's header and the data: the last comment names the columns)
        at = data.draw(st.integers(2 if named else 0, len(lines)))
        lines.insert(
            at,
            data.draw(
                st.sampled_from(["# written by hand on a rainy day", "#", "  ## more", "#!x"])
            ),
        )
    text = ending.join(lines) + ending
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(table_module, "BLOCK_BYTES", block_bytes)
        table, read_back = read(text)
    np.testing.assert_array_equal(read_back, values)
    if named:
        assert table.names == tuple(names)
    else:
        assert table.names == (*(f"x{i}" for i in range(1, width)), "y")


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_bad_cells_are_named_by_their_line_whatever_the_line_ending(monkeypatch, ending):
    monkeypatch.setattr(table_module, "BLOCK_BYTES", 64)
    lines = ["# written by hand", "x,y", *(f"{i},{2 * i}" for i in range(1, 40))]
    lines[30] = "29,oops"  # the 29th row, on line 31
    with pytest.raises(InputError, match=r"row 29 \(line 31\), column 'y': 'oops'"):
        read(ending.join(lines) + ending)
    # A savetxt-style header: the comment names the columns, row 1 is on line 2.
    lines = ["# x y", *(f"{i} {2 * i}" for i in range(1, 40))]
    lines[29] = "29 oops"
    with pytest.raises(InputError, match=r"row 29 \(line 30\), column 'y': 'oops'"):
        read(ending.join(lines) + ending)


def test_a_crlf_pair_split_between_reads_is_one_line_ending(monkeypatch):
    """In a file whose lines end in CR, a CRLF may straddle two reads: one line ending."""
    for block_bytes in range(2, 24):
        monkeypatch.setattr(table_module, "BLOCK_BYTES", block_bytes)
        table, values = read("x,y\r1,2\r\n3,4\r5,6\r\n\r7,8\r")
        np.testing.assert_array_equal(values, [[1, 2], [3, 4], [5, 6], [7, 8]])


def test_line_ending_and_comment_edge_cases():
    # Excel's #N/A in a first column is a missing value, not a comment line.
    with pytest.raises(InputError, match=r"missing value in row 2 \(line 3\), column 'x'"):
        read("x,y\n1,2\n#N/A,3\n3,6\n")
    with pytest.raises(InputError, match="only comment lines"):
        read("# nothing\n# here\n")
    # A comment whose words do not match the columns is only a comment.
    table, values = read("# from the lab, 2024 run\n1 2\n3 4\n")
    assert table.names == ("x1", "y")
    np.testing.assert_array_equal(values, [[1, 2], [3, 4]])
    # A real header after a comment line is the header.
    table, values = read("# notes\nx,y\n1,2\n")
    assert table.names == ("x", "y")


def test_a_carriage_return_inside_a_line_deep_in_the_file_is_named(monkeypatch):
    """The first block decides the line endings; a stray CR later is an error with its line."""
    monkeypatch.setattr(table_module, "BLOCK_BYTES", 64)
    lines = [f"{i},{2 * i}" for i in range(1, 60)]
    lines[49] = "50,1\r0x"
    with pytest.raises(InputError, match=r"line 51 of test has a carriage return"):
        read("x,y\n" + "\n".join(lines) + "\n")


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_delimiter_ending_every_line_is_no_column(monkeypatch, helper, ending, delimiter):
    # Spreadsheets write "1,2," rows; the empty field after the last delimiter must
    # not become the default target. Small blocks exercise every route and process.
    monkeypatch.setattr(table_module, "BLOCK_BYTES", 64)
    rows = [(float(i), 2.5 * i - 1) for i in range(200)]
    text = ending.join(
        [f"x{delimiter}y{delimiter}"] + [f"{a}{delimiter}{b}{delimiter}" for a, b in rows]
    )
    table, values = read(text + ending)
    assert table.names == ("x", "y") and table.layout.trailing_empty
    np.testing.assert_array_equal(values, np.array(rows))
    # Without a header the columns are named as for any two-column table.
    table, values = read(ending.join(f"{a}{delimiter}{b}{delimiter}" for a, b in rows))
    assert table.names == ("x1", "y")
    np.testing.assert_array_equal(values, np.array(rows))


def test_a_line_without_the_trailing_delimiter_is_named():
    text = "x,y,\n1,2,\n" + "".join(f"{i},{i},\n" for i in range(60)) + "5,6\n"
    with pytest.raises(
        InputError,
        match=r"row 62 \(line 63\) has 2 fields, but the table has "
        r"3 columns \(x, y and an empty last one\)",
    ):
        read(text)
    # A named last column that is empty is still a column, and missing.
    with pytest.raises(InputError, match="missing value in row 1 .* column 'z'"):
        read("x,y,z\n1,2,\n3,4,\n")


@pytest.mark.parametrize(
    ("cell", "hint"),
    [
        ("1,5", "(decimal commas are not supported)"),
        ("-0,25", "(decimal commas are not supported)"),
        ("1,000", "(thousands separators and decimal commas are not supported)"),
        ("1.000,5", "(thousands separators and decimal commas are not supported)"),
        ("12,345,678.9", "(thousands separators and decimal commas are not supported)"),
        ("1,0000", "(decimal commas are not supported)"),
    ],
)
def test_a_comma_in_a_number_gets_the_hint_that_fits_it(cell, hint):
    with pytest.raises(InputError, match=re.escape(f"'{cell}' is not a number {hint}")):
        read(f'x;y\n1;2\n"{cell}";3\n')


def test_several_empty_columns_at_the_end_and_rows_of_only_delimiters(monkeypatch, helper):
    monkeypatch.setattr(table_module, "BLOCK_BYTES", 64)
    rows = [(float(i), 0.5 * i + 2) for i in range(150)]
    lines = ["x,y,,,"] + [f"{a},{b},,," for a, b in rows]
    lines[40:40] = [",,,,"]  # an empty spreadsheet row inside the data
    table, values = read("\n".join(lines) + "\n,,,,\n")
    assert table.names == ("x", "y") and table.layout.trailing_empty == 3
    np.testing.assert_array_equal(values, np.array(rows))
    with pytest.raises(
        InputError, match=r"but the table has 5 columns \(x, y and 3 empty last ones\)"
    ):
        read("x,y,,,\n" + "1,2,,,\n" * 60 + "3,4\n")


def test_a_comment_of_words_names_the_columns_of_a_comma_separated_table():
    table, values = read("# x y\n1,2\n2,4.1\n3,6\n")
    assert table.names == ("x", "y")
    np.testing.assert_array_equal(values, [[1, 2], [2, 4.1], [3, 6]])


def test_rows_with_more_or_fewer_empty_fields_at_the_end():
    # A spreadsheet row of fewer commas (",,") among "1,2,,," rows is still empty.
    table, values = read("x,y,,\n1,2,,\n2,4.1,,\n,,\n3,5.9,,\n")
    assert table.names == ("x", "y")
    np.testing.assert_array_equal(values, [[1, 2], [2, 4.1], [3, 5.9]])
    # Data rows ending in a delimiter under a header that does not.
    table, values = read("x,y\n1,2,\n2,4,\n3,7,\n")
    assert table.names == ("x", "y")
    np.testing.assert_array_equal(values, [[1, 2], [2, 4], [3, 7]])
    # An extra field that holds something is still an error.
    with pytest.raises(InputError, match=r"row 2 \(line 3\) has 3 fields"):
        read("x,y\n1,2\n2,4,9\n")
