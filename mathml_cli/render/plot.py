"""Every plotext call in mathml lives here (plotext 5.x, its classic API).

Each function takes plain numbers and returns the plot as a string, which the
output pipeline appends to the text output. Colour follows the same rule as
Rich: only on a terminal, never with NO_COLOR.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from mathml_cli.render.view import Plot, drawing_order


@dataclass(frozen=True)
class Series:
    label: str
    x: Sequence[float]
    y: Sequence[float]
    style: str = "line"  # "line" or "scatter"


# Without colour each series needs its own marker, and the legend shows it.
PLAIN_MARKERS = "•x+o*#"
# With colour, each series its own colour (plotext's names).
SERIES_COLOURS = ("blue+", "red+", "green", "magenta", "cyan", "orange")


def draw(plot: Plot, width: int = 78) -> str:
    """A View's Plot for the terminal, at most `width` columns wide."""
    if plot.kind == "heat":
        return heat_map(plot, width)
    if plot.kind == "bars":
        (bars,) = plot.series
        # plotext draws horizontal bars bottom-up; reversed, the first is on top.
        labels, values = plot.bar_labels[::-1], bars.y[::-1]
        return bar_chart(labels, values, title=plot.title, width=min(width, 78))
    series = [Series(s.label, s.x, s.y, s.style) for s in plot.series]
    return line_plot(
        series,
        title=plot.title,
        xlabel=plot.xlabel,
        ylabel=plot.ylabel,
        width=min(width, 78),
        log_y=plot.log_y,
    )


def _colour_allowed() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def line_plot(
    series: Sequence[Series],
    *,
    title: str,
    xlabel: str = "",
    ylabel: str = "",
    width: int = 78,
    height: int = 22,
    log_y: bool = False,
) -> str:
    """Curves and point sets on one pair of axes, as a string."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    plt.title(title)
    if xlabel:
        plt.xlabel(xlabel)
    if ylabel:
        plt.ylabel(ylabel)
    colour = _colour_allowed()
    # Each series' finite points; on a log scale drawn at log10(y), ticks labelled in y.
    points: list[tuple[list[float], list[float]]] = []
    for item in series:
        finite = [
            (a, b)
            for a, b in zip(item.x, item.y, strict=True)
            if _finite(a) and _finite(b) and (b > 0 or not log_y)
        ]
        xs, ys = [a for a, _ in finite], [b for _, b in finite]
        points.append((xs, [math.log10(b) for b in ys] if log_y else ys))
    all_x = [a for xs, _ in points for a in xs]
    all_y = [b for _, ys in points for b in ys]
    if not all_x:
        plt.clear_figure()
        return f"{title}: nothing finite to plot"
    whole = all(float(a).is_integer() for a in all_x)  # steps: no tick at 0.25
    plt.xticks(*_ticks(min(all_x), max(all_x), whole=whole))
    plt.yticks(*_ticks(min(all_y), max(all_y), log=log_y))
    for index, item in drawing_order(series):
        xs, ys = points[index]
        if not xs:
            continue
        marker = PLAIN_MARKERS[index % len(PLAIN_MARKERS)]
        hue = SERIES_COLOURS[index % len(SERIES_COLOURS)] if colour else None
        if item.style == "scatter":
            plt.scatter(xs, ys, marker=marker, color=hue)
        else:
            plt.plot(xs, ys, marker="braille" if colour else marker, color=hue)
    if not colour:
        plt.theme("clear")
    text = str(plt.build())
    plt.clear_figure()
    # The legend below the axes, where plotext's box would hide the data in a corner.
    keys = []
    for index, item in enumerate(series):
        if not points[index][0]:
            keys.append(f"(no finite value of {item.label} here)")
            continue
        sample = PLAIN_MARKERS[index % len(PLAIN_MARKERS)] * 2
        if colour:
            shown = sample if item.style == "scatter" else "──"
            sample = plt.colorize(shown, SERIES_COLOURS[index % len(SERIES_COLOURS)])
        keys.append(f"{sample} {item.label}")
    text = text.rstrip("\n") + "\n" + " " * 4 + "   ".join(keys) + "\n"
    return _strip_colour(text) if not _colour_allowed() else text


def _ticks(
    low: float, high: float, *, whole: bool = False, log: bool = False, count: int = 5
) -> tuple[list[float], list[str]]:
    """About `count` round tick positions from low to high and short labels for them:
    1e+40 rather than forty digits; whole numbers only when `whole`; on a log axis
    (positions are log10 of the values) powers of ten where the range spans them."""
    if log and high - low >= 1:
        # Powers of ten; over fewer than three decades also 2× and 5× them.
        decades = max(1, math.ceil(_round_step((high - low) / (count - 1))))
        mantissas = (1, 2, 5) if high - low < 3 else (1,)
        ticks = [
            (power + math.log10(m), m, power)
            for power in range(math.floor(low / decades) * decades, math.ceil(high) + 1, decades)
            for m in mantissas
        ]
        ticks = [t for t in ticks if low - 1e-9 <= t[0] <= high + 1e-9]
        labels = [
            f"{m}e{power:+03d}" if abs(power) >= 4 else f"{m * 10.0**power:g}"
            for _, m, power in ticks
        ]
        return [t[0] for t in ticks], labels
    if high <= low:
        positions = [low]
    else:
        step = _round_step((high - low) / (count - 1))
        if whole:
            step = max(1.0, float(math.ceil(step)))
        start = math.ceil(low / step - 1e-9) * step
        positions = [start + i * step for i in range(int((high - start) / step + 1e-9) + 1)]
    values = [10.0**p for p in positions] if log else positions
    return positions, _labels(values)


def _round_step(raw: float) -> float:
    """The one of 1, 2, 2.5 and 5 times a power of ten nearest to `raw` (by ratio)."""
    power = 10.0 ** math.floor(math.log10(raw))
    return min((m * power for m in (1, 2, 2.5, 5, 10)), key=lambda s: abs(math.log(s / raw)))


def _labels(values: list[float]) -> list[str]:
    """Tick labels as short as tells them apart: 405000 and 0.25, but 8.4e+10 and 3e-40."""
    largest = max(abs(v) for v in values)
    fixed = 1e-3 <= largest < 1e9 or largest == 0
    for digits in range(0 if fixed else 1, 10):
        labels = [f"{v:.{digits}f}" if fixed else f"{v:.{digits}g}" for v in values]
        if all(
            abs(float(label) - v) <= 1e-9 * max(largest, 1e-300)
            for label, v in zip(labels, values, strict=True)
        ):
            break
    return [label.removeprefix("-") if not label.strip("-0.") else label for label in labels]


def _finite(value: float) -> bool:
    return value == value and abs(value) != float("inf")


def _strip_colour(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    width: int = 78,
) -> str:
    """Horizontal bars, one per label, as a string (e.g. softmax probabilities)."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, min(4 + 2 * len(labels), 40))
    plt.title(title)
    plt.bar(list(labels), list(values), orientation="horizontal", width=0.3)
    plt.xlim(0, 1)
    if not _colour_allowed():
        plt.theme("clear")
    text = str(plt.build())
    plt.clear_figure()
    return _strip_colour(text) if not _colour_allowed() else text


SHADES = " .:-=+*#%@"


def heat_map(plot: Plot, columns: int = 78) -> str:
    """f as shades (light = low) with the paths on it: one path as •, several as 1, 2, 3, ...;
    S marks the start, E an end. A grid wider than `columns` is sampled down to fit."""
    from bisect import bisect_left

    height, width = len(plot.heat), min(len(plot.heat[0]), columns - 2)
    keep = [round(i * (len(plot.heat[0]) - 1) / max(width - 1, 1)) for i in range(width)]
    heat = [[row[i] for i in keep] for row in plot.heat]
    (x_low, x_high), (y_low, y_high) = plot.x_range, plot.y_range
    flat = sorted(v for row in heat for v in row if _finite(v))
    cells = [[" "] * width for _ in range(height)]
    # Shades by rank (quantiles), so a huge range still shows its contours.
    for j, row in enumerate(heat):
        for i, v in enumerate(row):
            if _finite(v):
                rank = bisect_left(flat, v) / len(flat)
                cells[j][i] = SHADES[min(len(SHADES) - 1, int(rank * len(SHADES)))]

    def place(x: float, y: float, mark: str) -> None:
        i = int((x - x_low) / (x_high - x_low) * width)
        j = int((y_high - y) / (y_high - y_low) * height)
        if 0 <= i < width and 0 <= j < height:
            cells[j][i] = mark

    paths = [
        [(x, y) for x, y in zip(s.x, s.y, strict=True) if _finite(x) and _finite(y)]
        for s in plot.series
    ]
    marks = ["•"] if len(paths) == 1 else [str(n % 10) for n in range(1, len(paths) + 1)]
    for path, mark in zip(paths, marks, strict=True):
        for x, y in path:
            place(x, y, mark)
    for path in paths:
        if path:
            place(*path[-1], "E")
    if paths and paths[0]:
        place(*paths[0][0], "S")
    legend = ", ".join(f"{mark} {s.label}" for mark, s in zip(marks, plot.series, strict=True))
    lines = [
        f"{plot.title}: {plot.xlabel} ∈ [{x_low:.3g}, {x_high:.3g}] (left to right), "
        f"{plot.ylabel} ∈ [{y_low:.3g}, {y_high:.3g}] (bottom to top)",
        "shades: light = low f, dark = high f",
        f"{legend}; S start, E end",
    ]
    border = "+" + "-" * width + "+"
    lines.append(border)
    lines += ["|" + "".join(row) + "|" for row in cells]
    lines.append(border)
    return "\n".join(lines) + "\n"
