"""Every plotext call in mathml lives here (plotext 5.x, its classic API).

Each function takes plain numbers and returns the plot as a string, which the
output pipeline appends to the text output. Colour follows the same rule as
Rich: only on a terminal, never with NO_COLOR.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from mathml_cli.render.view import Plot


@dataclass(frozen=True)
class Series:
    label: str
    x: Sequence[float]
    y: Sequence[float]
    style: str = "line"  # "line" or "scatter"


# Without colour each series needs its own marker, and the legend shows it.
PLAIN_MARKERS = "•x+o*#"


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
    if log_y:
        plt.yscale("log")
    colour = _colour_allowed()
    # Points after lines, so a fitted line never hides the data it runs through.
    drawing_order = sorted(enumerate(series), key=lambda pair: pair[1].style == "scatter")
    for index, item in drawing_order:
        finite = [(a, b) for a, b in zip(item.x, item.y, strict=True) if _finite(a) and _finite(b)]
        if not finite:
            continue
        xs, ys = zip(*finite, strict=True)
        marker = PLAIN_MARKERS[index % len(PLAIN_MARKERS)]
        if item.style == "scatter":
            plt.scatter(list(xs), list(ys), label=item.label, marker=marker)
        else:
            plt.plot(list(xs), list(ys), label=item.label, marker="braille" if colour else marker)
    if not _colour_allowed():
        plt.theme("clear")
    text = str(plt.build())
    plt.clear_figure()
    return _strip_colour(text) if not _colour_allowed() else text


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
