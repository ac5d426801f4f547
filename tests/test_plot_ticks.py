"""Plot axes: round tick positions with short labels at any magnitude."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mathml_cli.render.plot import _ticks


@settings(max_examples=200, deadline=None)
@given(
    low=st.floats(-1e45, 1e45, allow_nan=False),
    span=st.floats(1e-40, 1e45, allow_nan=False),
)
def test_ticks_are_short_round_labels_of_their_positions(low, span):
    high = low + span
    if not (math.isfinite(high) and high > low) or span < 1e-9 * max(abs(low), abs(high)):
        return  # a span below the values' own resolution has nothing to tick
    positions, labels = _ticks(low, high)
    assert 2 <= len(positions) <= 11
    assert all(low - 1e-9 * span <= p <= high + 1e-9 * span for p in positions)
    # Short unless the span is a sliver of the values (then the digits must show it).
    wide = span >= 1e-3 * max(abs(low), abs(high))
    assert len(set(labels)) == len(labels) and max(map(len, labels)) <= (11 if wide else 16), labels
    for position, label in zip(positions, labels, strict=True):
        # Each label is its position, to the digits that tell the ticks apart.
        assert float(label) == pytest.approx(position, rel=1e-6, abs=1e-6 * span)


def test_whole_ticks_and_log_ticks():
    positions, labels = _ticks(0, 969, whole=True)
    assert labels == ["0", "250", "500", "750"] and positions[1] == 250
    assert _ticks(0, 1)[1] == ["0.00", "0.25", "0.50", "0.75", "1.00"]  # one format for all
    assert _ticks(-64, 1.3, log=True)[1] == ["1e-60", "1e-40", "1e-20", "1"]
    positions, labels = _ticks(0, 3, whole=True)
    assert labels == ["0", "1", "2", "3"]
    positions, labels = _ticks(math.log10(4.27e8), math.log10(8.43e10), log=True)
    assert labels == ["5e+08", "1e+09", "2e+09", "5e+09", "1e+10", "2e+10", "5e+10"]
    assert positions[1] == pytest.approx(9)


@pytest.mark.parametrize("power", [-40, 40])
def test_a_plot_of_extreme_values_has_short_labels(run, tmp_path, power):
    path = tmp_path / "scaled.csv"
    path.write_text("x,y\n" + "".join(f"{i * 10.0**power!r},{2 * i + 1}\n" for i in range(1, 9)))
    result = run("regress", str(path), "--plot")
    assert result.exit_code == 0, result.stderr
    plot = result.stdout[result.stdout.index("y against x") :]
    lines = plot.splitlines()
    x_labels = lines[next(i for i, line in enumerate(lines) if "└" in line) + 1].split()
    assert len(x_labels) >= 3 and all(len(label) <= 6 for label in x_labels), x_labels
    assert all(f"e{power:+03d}" in label for label in x_labels)
    y_labels = re.findall(r"^ *(\S+)┤", plot, re.MULTILINE)
    assert len(y_labels) >= 3 and all(len(label) <= 5 for label in y_labels), y_labels
