"""Reading numbers, vectors and matrices from text, files and stdin."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathml_cli.core.inputs import (
    parse_array,
    read_number,
    read_number_list,
    read_point,
    read_rows,
    split_numbers,
)
from mathml_cli.errors import InputError


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2", 2.0), ("-2.5e-3", -0.0025), (" .5 ", 0.5), ("1E3", 1000.0), ("+7", 7.0)],
)
def test_read_number(text, expected):
    assert read_number(text, "here") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "'abc' is not a number (logit 3)"),
        ("nan", "'nan' is not a number: nan is not allowed (logit 3)"),
        ("-inf", "'-inf' is infinite: only finite numbers are allowed (logit 3)"),
        ("1e999", "'1e999' is too large: only finite numbers are allowed (logit 3)"),
        ("2*3", "'2*3' is not a number (logit 3)"),
    ],
)
def test_read_number_rejects(text, message):
    with pytest.raises(InputError) as error:
        read_number(text, "logit 3")
    assert str(error.value) == message


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
def test_number_lists_round_trip(values):
    # repr() is the shortest text float() reads back exactly.
    assert read_number_list([",".join(repr(v) for v in values)]) == values
    assert read_number_list([repr(v) for v in values]) == values


def test_number_list_names_the_argument():
    with pytest.raises(InputError, match=r"'x' is not a number \(logit 3, in argument 2 '2,x'\)"):
        read_number_list(["1", "2,x"], "logit")


def test_read_rows_separators_and_blank_lines():
    assert read_rows("1, 2 3\n\n4;5\t6\n", "stdin") == [[1, 2, 3], [4, 5, 6]]


def test_read_rows_names_line_and_value():
    with pytest.raises(InputError, match=r"'oops' is not a number \(stdin, line 2, value 2\)"):
        read_rows("1,2\n3,oops\n", "stdin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[1,2,3]", [1, 2, 3]),
        ("1,2,3", [1, 2, 3]),
        ("[[1,2],[3,4]]", [[1, 2], [3, 4]]),
        ("[ [1, -2] , [3e1, .4] ]", [[1, -2], [30, 0.4]]),
        ("1,2;3,4", [[1, 2], [3, 4]]),
        ("5", [5]),
    ],
)
def test_parse_array_forms(text, expected):
    np.testing.assert_array_equal(parse_array(text, "A"), np.array(expected, dtype=float))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[1,2],[3]]", "A has ragged rows: row 2 has 1 number, row 1 has 2"),
        ("[[1,2],[3,4],[5,6,7]]", "A has ragged rows: row 3 has 3 numbers, row 1 has 2"),
        ("[1,2", "A: expected ']', found the end at column 5 in '[1,2'"),
        ("[1,,2]", "A: missing number at column 4 in '[1,,2]'"),
        ("[]", "A: empty list at column 2 in '[]'"),
        ("[[[1]]]", "A: only vectors and matrices (two levels of brackets) are allowed"),
        ("[1,[2]]", "A: mixes numbers and lists in '[1,[2]]'"),
        ("[1,x]", "'x' is not a number (A, column 4)"),
        ("1,,2", "A: missing number at position 2 in '1,,2'"),
        ("1,2;3", "A has ragged rows: row 2 has 1 number, row 1 has 2"),
        ("[1,nan]", "'nan' is not a number: nan is not allowed (A, column 4)"),
        ("  ", "A is empty"),
    ],
)
def test_parse_array_errors(text, message):
    with pytest.raises(InputError) as error:
        parse_array(text, "A")
    assert message in str(error.value)


def test_parse_array_from_file(tmp_path):
    matrix = tmp_path / "m.csv"
    matrix.write_text("1,2\n3,4\n")
    vector = tmp_path / "v.csv"
    vector.write_text("1,2,3\n")
    np.testing.assert_array_equal(parse_array(f"@{matrix}", "A"), [[1, 2], [3, 4]])
    assert parse_array(f"@{vector}", "B").shape == (3,)


def test_parse_array_file_errors(tmp_path):
    ragged = tmp_path / "r.csv"
    ragged.write_text("1,2\n3\n")
    with pytest.raises(InputError, match="row 2 has 1 number, row 1 has 2"):
        parse_array(f"@{ragged}", "A")
    with pytest.raises(InputError, match="file not found"):
        parse_array(f"@{tmp_path / 'missing.csv'}", "A")
    empty = tmp_path / "e.csv"
    empty.write_text("\n")
    with pytest.raises(InputError, match="holds no numbers"):
        parse_array(f"@{empty}", "A")


def test_assignments():
    assert read_point("x=3, y=-1.5,z=pi/2") == {
        "x": 3.0,
        "y": -1.5,
        "z": pytest.approx(math.pi / 2),
    }
    for bad, message in [
        ("x", "expected name=value"),
        ("x=3,x=4", "given twice"),
        ("x=abc", "must be a number"),
        ("x=", "is empty"),
        ("1x=3", "not a variable name"),
        ("", "is empty"),
        ("x=inf", "not finite"),
        ("x=nan", "not finite"),
    ]:
        with pytest.raises(InputError, match=message):
            read_point(bad)


@pytest.mark.parametrize("text", ["1,,2", ",1", "1;;2", "1 , , 2", "1,2,,"])
def test_an_empty_entry_is_a_missing_value_not_skipped(text):
    # Skipped, `1,,2` was read as [1, 2]: a missing value, and every value after it shifted.
    with pytest.raises(InputError, match="is empty"):
        split_numbers(text)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("1, 2, 3", ["1", "2", "3"]),
        ("1 ,2", ["1", "2"]),
        (" 1  2 ", ["1", "2"]),
        ("", []),
        ("1,2,", ["1", "2"]),  # one at the end, as Python's lists allow
    ],
)
def test_separators_with_spaces_around_them_are_one(text, tokens):
    assert split_numbers(text) == tokens
