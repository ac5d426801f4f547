"""mathml stats: the summary against NumPy, pandas and Python's statistics module."""

from __future__ import annotations

import io
import math
import statistics

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mathml_cli.core import describe as describe_module
from mathml_cli.core.describe import describe, describe_values, number_blocks
from mathml_cli.errors import InputError

ISSUE = [85, 92, 78, 95, 88]

values_lists = st.lists(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_subnormal=False),
    min_size=1,
    max_size=120,
)


def in_blocks(values, size: int, width: int = 1):
    array = np.asarray(values, dtype=float).reshape(-1, width)
    return [array[start : start + size] for start in range(0, len(array), size)]


# --- one column ---------------------------------------------------------------


def test_the_issue_example_population_and_sample_variance():
    column = describe_values(ISSUE).columns[0]
    series = pd.Series(ISSUE, dtype=float)
    assert column.sum == math.fsum(ISSUE) == 438
    assert column.mean == statistics.fmean(ISSUE)
    assert math.isclose(column.sum_of_squares, 173.2, rel_tol=1e-14)
    # NumPy's var divides by n; pandas' var and statistics.variance by n − 1.
    assert math.isclose(column.population_variance, np.var(ISSUE), rel_tol=1e-14)
    assert math.isclose(column.population_variance, statistics.pvariance(ISSUE), rel_tol=1e-14)
    assert math.isclose(column.sample_variance, series.var(), rel_tol=1e-14)
    assert math.isclose(column.sample_variance, statistics.variance(ISSUE), rel_tol=1e-14)
    assert math.isclose(column.population_std, np.std(ISSUE), rel_tol=1e-14)
    assert math.isclose(column.sample_std, statistics.stdev(ISSUE), rel_tol=1e-14)
    assert (column.quartiles.q1, column.quartiles.median, column.quartiles.q3) == tuple(
        np.quantile(ISSUE, [0.25, 0.5, 0.75])
    )
    assert column.range == np.ptp(ISSUE)


@settings(max_examples=100, deadline=None)
@given(values_lists, st.integers(1, 50))
def test_one_column_against_statistics_and_numpy(values, block_size):
    column = describe(in_blocks(values, block_size), ["x"]).columns[0]
    n = len(values)
    assert column.n == n
    assert math.isclose(column.sum, math.fsum(values), rel_tol=1e-12, abs_tol=1e-6)
    assert math.isclose(column.mean, statistics.fmean(values), rel_tol=1e-12, abs_tol=1e-9)
    # statistics computes variances with exact fractions: a strict oracle.
    scale = max(1.0, max(abs(v) for v in values)) ** 2
    tolerance = {"rel_tol": 1e-9, "abs_tol": 1e-12 * scale}
    assert math.isclose(column.population_variance, statistics.pvariance(values), **tolerance)
    if n > 1:
        assert math.isclose(column.sample_variance, statistics.variance(values), **tolerance)
    else:
        assert column.sample_variance is None
    assert column.minimum == min(values) and column.maximum == max(values)
    expected = np.quantile(values, [0.25, 0.5, 0.75])  # NumPy's default: linear
    got = [column.quartiles.q1, column.quartiles.median, column.quartiles.q3]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)
    if n > 1:
        # statistics' "inclusive" method is the same linear interpolation.
        np.testing.assert_allclose(
            [got[0], got[2]],
            [statistics.quantiles(values, n=4, method="inclusive")[i] for i in (0, 2)],
            rtol=1e-12,
            atol=1e-9,
        )
        assert math.isclose(got[1], statistics.median(values), rel_tol=1e-12, abs_tol=1e-9)
    assert column.all_rows and [row.x for row in column.rows] == values
    sigma = np.std(values)
    for row in column.rows:
        assert math.isclose(row.deviation, row.x - statistics.fmean(values), abs_tol=1e-6)
        if sigma > 1e-9 * max(1.0, abs(statistics.fmean(values))):
            assert row.z is not None
            assert math.isclose(
                row.z, (row.x - np.mean(values)) / sigma, rel_tol=1e-6, abs_tol=1e-6
            )


def test_data_near_1e9_with_spread_1_keeps_nine_digits():
    rng = np.random.default_rng(7)
    values = 1e9 + rng.standard_normal(200_000)
    column = describe(in_blocks(values, 4096), ["x"]).columns[0]
    exact = statistics.variance(values.tolist())  # exact rational arithmetic
    assert abs(column.sample_variance - exact) / exact < 1e-9
    # The textbook one-pass formula really fails here (so the test above means something).
    naive = (math.fsum(v * v for v in values) - len(values) * np.mean(values) ** 2) / (
        len(values) - 1
    )
    assert abs(naive - exact) / exact > 1e-3


def test_welford_style_merging_is_order_independent():
    rng = np.random.default_rng(3)
    values = 1e9 + rng.standard_normal(5000)
    small = describe(in_blocks(values, 1), ["x"]).columns[0]
    large = describe(in_blocks(values, 5000), ["x"]).columns[0]
    exact = statistics.variance(values.tolist())
    for column in (small, large):
        assert abs(column.sample_variance - exact) / exact < 1e-9


def test_one_value_and_a_constant_column():
    one = describe_values([4.0]).columns[0]
    assert one.sample_variance is None and one.population_variance == 0
    assert one.quartiles.median == 4.0
    constant = describe_values([2.0, 2.0, 2.0]).columns[0]
    assert constant.population_variance == 0
    assert all(row.z is None for row in constant.rows)


def test_overflowing_sums_are_errors_naming_the_column():
    with pytest.raises(InputError, match="column 'b': the numbers are too large"):
        describe([np.array([[1.0, 1e308], [2.0, 1e308]])], ["a", "b"])


def test_no_numbers_and_bad_values_are_errors():
    with pytest.raises(InputError, match="no numbers"):
        describe([], ["x"], "stdin")
    with pytest.raises(InputError, match="finite"):
        describe_values([1.0, float("nan")])


def test_long_data_keeps_head_and_tail_rows():
    values = np.arange(1.0, 20_001.0)
    column = describe(in_blocks(values, 999), ["x"]).columns[0]
    assert [row.index for row in column.rows] == [1, 2, 3, 4, 5, *range(19_996, 20_001)]
    assert [row.x for row in column.rows] == [1, 2, 3, 4, 5, *range(19_996, 20_001)]
    assert sum(column.histogram.counts) == 20_000


def test_quartiles_beyond_the_exact_limit_come_from_a_uniform_sample(monkeypatch):
    monkeypatch.setattr(describe_module, "EXACT_LIMIT", 2_000)
    monkeypatch.setattr(describe_module, "SAMPLE_SIZE", 4_000)
    values = np.random.default_rng(11).random(100_000)
    column = describe(in_blocks(values, 3_000), ["x"]).columns[0]
    quartiles = column.quartiles
    assert not quartiles.exact and quartiles.sample_size == 4_000
    expected = np.quantile(values, [0.25, 0.5, 0.75])
    # A 4,000-row sample puts a quartile within ±0.02 of its rank (3 standard errors).
    np.testing.assert_allclose([quartiles.q1, quartiles.median, quartiles.q3], expected, atol=0.02)
    # The moments stay exact whatever the sample.
    assert math.isclose(column.sample_variance, np.var(values, ddof=1), rel_tol=1e-12)
    assert sum(column.histogram.counts) == pytest.approx(100_000, rel=0.01)


# --- several columns ------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 4),
    st.lists(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False), min_size=8, max_size=160),
    st.integers(1, 30),
)
def test_covariance_and_correlation_against_numpy_and_pandas(width, flat, block_size):
    rows = len(flat) // width
    data = np.array(flat[: rows * width]).reshape(rows, width)
    names = [f"c{i}" for i in range(width)]
    result = describe(in_blocks(data, block_size, width), names)
    frame = pd.DataFrame(data, columns=names)
    assert result.covariance is not None and result.correlation is not None
    scale = max(1.0, float(np.abs(data).max())) ** 2
    np.testing.assert_allclose(
        np.array(result.covariance, dtype=float), np.cov(data, rowvar=False), atol=1e-9 * scale
    )
    np.testing.assert_allclose(
        np.array(result.covariance, dtype=float), frame.cov().to_numpy(), atol=1e-9 * scale
    )
    spread = data.std(axis=0)
    if (spread > 1e-6 * max(1.0, float(np.abs(data).max()))).all():
        np.testing.assert_allclose(
            np.array(result.correlation, dtype=float), np.corrcoef(data, rowvar=False), atol=1e-9
        )
        np.testing.assert_allclose(
            np.array(result.correlation, dtype=float), frame.corr().to_numpy(), atol=1e-9
        )
        pair = result.pair
        assert pair is not None and pair.correlation is not None
        assert math.isclose(pair.correlation, frame["c0"].corr(frame["c1"]), abs_tol=1e-9)
        assert math.isclose(pair.covariance, frame["c0"].cov(frame["c1"]), abs_tol=1e-9 * scale)
        assert math.isclose(
            pair.population_covariance, np.cov(data[:, 0], data[:, 1], ddof=0)[0, 1],
            abs_tol=1e-9 * scale,
        )  # fmt: skip
        for row in pair.rows:
            assert math.isclose(row.product, row.dx * row.dy, rel_tol=1e-15)


def test_a_constant_column_has_no_correlation():
    result = describe([np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])], ["a", "b"])
    assert result.correlation is not None
    assert result.correlation[0][1] is None and result.correlation[0][0] == 1.0
    assert result.pair is not None and result.pair.correlation is None


# --- reading numbers ----------------------------------------------------------------


def read(data: bytes) -> list[float]:
    blocks = list(number_blocks(io.BytesIO(data), "stdin"))
    return np.concatenate(blocks).ravel().tolist() if blocks else []


def test_numbers_separated_by_spaces_commas_and_newlines():
    assert read(b"85 92,78\n95;88\r\n-1.5\t2e3\n\n") == [85, 92, 78, 95, 88, -1.5, 2000]
    assert read(b"\xef\xbb\xbf1\n2") == [1, 2]
    assert read(b"") == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=50))
def test_every_float_is_read_back_exactly(values):
    assert read("\n".join(repr(v) for v in values).encode()) == values


def test_many_blocks_read_exactly():
    values = np.random.default_rng(5).normal(100, 20, 500_000).round(3)
    text = "\n".join(f"{v:.3f}" for v in values).encode()
    assert len(text) > 3 * describe_module._BLOCK_BYTES
    np.testing.assert_array_equal(read(text), values)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"1\n2\nabc\n", r"'abc' is not a number \(stdin, line 3, value 1\)"),
        (b"1 2\n3 nan\n", r"nan is not allowed \(stdin, line 2, value 2\)"),
        (b"1\n1e999\n", r"'1e999' is too large"),
        (b"1_000\n", r"'1_000' is not a number"),
    ],
)
def test_bad_tokens_name_their_line(data, message):
    with pytest.raises(InputError, match=message):
        read(data)


# --- inputs: arguments, files, stdin, CSV columns -------------------------------------


def test_numbers_as_arguments_and_comma_lists():
    from mathml_cli.core.describe import describe_input

    column = describe_input(["85", "92,78", "-95", "88"]).columns[0]
    assert column.n == 5 and column.sum == 85 + 92 + 78 - 95 + 88


def test_a_csv_file_with_a_header_summarises_each_column(tmp_path):
    from mathml_cli.core.describe import describe_input

    path = tmp_path / "scores.csv"
    path.write_text("hours;score\n1;52\n2;55\n3;61\n4;64\n")
    result = describe_input([str(path)])
    assert [c.name for c in result.columns] == ["hours", "score"]
    frame = pd.read_csv(path, sep=";")
    assert result.pair is not None
    assert math.isclose(result.pair.correlation, frame["hours"].corr(frame["score"]), rel_tol=1e-12)
    only = describe_input([str(path)], ["score"])
    assert [c.name for c in only.columns] == ["score"]
    assert math.isclose(only.columns[0].sample_variance, frame["score"].var(), rel_tol=1e-12)


def test_a_headerless_file_is_a_list_of_numbers(tmp_path):
    from mathml_cli.core.describe import describe_input

    path = tmp_path / "numbers.txt"
    path.write_text("1,2\n3,4\n")
    assert describe_input([str(path)]).columns[0].n == 4
    # With --column the same file is a CSV table with columns named column1, column2.
    result = describe_input([str(path)], ["column2"])
    assert [row.x for row in result.columns[0].rows] == [2, 4]


@pytest.mark.parametrize(
    ("arguments", "columns", "message"),
    [
        (["1", "2"], ["a"], "--column picks columns of a CSV file"),
        ([], None, "no numbers given"),
        (["missing.csv"], None, "file not found"),
        (["1", "abc"], None, r"'abc' is not a number \(number 2\)"),
    ],
)
def test_input_errors(arguments, columns, message):
    from mathml_cli.core.describe import describe_input

    with pytest.raises(InputError, match=message):
        describe_input(arguments, columns)


def test_csv_errors_name_row_and_column(tmp_path):
    from mathml_cli.core.describe import describe_input

    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n3,x\n")
    with pytest.raises(InputError, match=r"row 2 \(line 3\), column 'b': 'x' is not a number"):
        describe_input([str(path)])
    with pytest.raises(InputError, match="no column named 'c'"):
        describe_input([str(path)], ["c"])
    with pytest.raises(InputError, match="names a twice"):
        describe_input([str(path)], ["a", "a"])
    path.write_text("a,b\n1,2\n3,\n5,6\n")
    assert describe_input([str(path)], drop_missing=True).columns[0].n == 2


@pytest.mark.parametrize(
    "values",
    [[0.0, 0.0, 0.0, 0.0, 5e-324], [1.0, 1.0 + 2.2e-16, 1.0 + 4.4e-16, 1.0]],
)
def test_a_range_a_few_floats_wide_still_gets_a_histogram(values):
    # NumPy refuses more bins than there are distinct floats in the range.
    histogram = describe_values(values).columns[0].histogram
    assert sum(histogram.counts) == len(values)
    assert all(b > a for a, b in zip(histogram.edges, histogram.edges[1:], strict=False))
    counts, _ = np.histogram(values, bins=len(histogram.counts), range=(min(values), max(values)))
    assert list(histogram.counts) == counts.tolist()


@pytest.mark.parametrize("value", [1e16, -3e200, 1e300, 5.0])
def test_constant_data_of_any_size_gets_one_bar_holding_every_value(value):
    # ±0.5 around 1e16 rounds back to 1e16, and NumPy then refuses the range.
    histogram = describe_values([value] * 3).columns[0].histogram
    assert sum(histogram.counts) == 3
    assert histogram.edges[0] < value < histogram.edges[-1]
    full = [count for count in histogram.counts if count]
    assert full == [3]


@pytest.mark.parametrize("offset", [0.0, 10_000_000.0, 43.25])
def test_quartile_steps_show_numbers_that_redo_the_arithmetic(offset):
    """h in full, and neighbours with digits enough to see their gap: the printed
    low + f·(high − low) gives the printed quartile, which is NumPy's."""
    import re

    from mathml_cli import stats
    from mathml_cli.render.view import number

    values = offset + np.arange(200_002) * (1e-6 if offset == 43.25 else 1.0)
    text = stats(values.reshape(-1, 1)).to_text()
    n = r"(-?[\d.]+(?:e[+-]\d+)?)"
    step = re.compile(rf"h = \(m − 1\)·{n} = {n} → {n} \+ {n}·\({n} − {n}\) = {n}")
    found = step.findall(text)
    assert len(found) == 3
    ordered = np.sort(values)
    for p, h, low, weight, high, low_again, quartile in found:
        p, h = float(p), float(h)
        assert h == (len(values) - 1) * p  # in full: 50000.25, not 50000.2
        below = math.floor(h)
        assert low == low_again
        assert float(weight) == h - below
        gap = ordered[below + 1] - ordered[below]
        assert float(high) - float(low) == pytest.approx(gap, rel=0.01)
        expected = np.percentile(values, 100 * p)
        assert quartile in {number(expected, digits) for digits in range(6, 16)}
        redone = float(low) + float(weight) * (float(high) - float(low))
        assert redone == pytest.approx(expected, abs=0.02 * gap + 2 * _unit(low))


def _unit(text: str) -> float:
    """The place value of a printed number's last digit: 1 for 2499428, 1e-6 for 43.250562."""
    mantissa, _, exponent = text.partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def test_rows_dropped_for_missing_values_are_counted_and_said(tmp_path):
    from typer.testing import CliRunner

    from mathml_cli import stats
    from mathml_cli.cli import app

    path = tmp_path / "gaps.csv"
    path.write_text("a,b\n1,2\n3,\n5,7\nNA,1\n9,8\n")
    both = stats(str(path), drop_missing=True)
    assert both.to_dict()["dropped_rows"] == 2
    assert [c["n"] for c in both.to_dict()["columns"]] == [3, 3]
    assert "2 rows with missing values left out" in both.to_text()
    one = stats(str(path), column="a", drop_missing=True)  # only a's gaps count
    assert one.to_dict()["dropped_rows"] == 1
    assert "1 row with missing values left out" in one.to_text()
    assert stats(str(path), column="a", drop_missing=True).to_dict()["columns"][0]["mean"] == (
        pytest.approx(statistics.mean([1, 3, 5, 9]))
    )
    full = CliRunner().invoke(app, ["stats", "1", "2", "3", "--format", "json"])
    assert '"dropped_rows": 0' in full.output
