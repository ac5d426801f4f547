"""The HTML writer: any View as one self-contained page.

Inline CSS, no JavaScript, nothing fetched: math is MathML (converted from each
formula's LaTeX by latex2mathml; every current browser renders MathML Core
natively), tables are <table>, trees are nested lists, plots are inline SVG
with a distinct marker per series, so they read in print and without colour.
`fragment(view)` gives the body alone, for notebooks.
"""

from __future__ import annotations

import math
import re
from html import escape as html_escape

from mathml_cli.render import view as v

# Control characters, which XML (and so MathML) forbids: shown as their symbols, ␁.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape(text: str) -> str:
    """Text for HTML: & < > " ' escaped, and a control character as its symbol."""
    return html_escape(_CONTROL.sub(_control_symbol, text))


def _control_symbol(match: re.Match[str]) -> str:
    code = ord(match[0])
    return "\u2421" if code == 0x7F else chr(0x2400 + code)  # ␡ for DEL, ␀..␟ for the rest


CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; color: #1b1b1b; }
math { font-size: 1.05em; }
.formula { margin: .5rem 0 .5rem 1.5rem; }
.note-info { color: #555; font-style: italic; }
.note-warning { color: #8a5300; }
.note-check { color: #1a6b1a; }
.note-failure { color: #b00020; font-weight: bold; }
.result { color: #1a6b1a; font-weight: bold; }
.rule { color: #005a8c; font-weight: bold; }
.muted { color: #666; }
.indent-1 { margin-left: 1.5rem; } .indent-2 { margin-left: 3rem; }
table { border-collapse: collapse; margin: .5rem 0; font-variant-numeric: tabular-nums; }
th, td { padding: .15rem .6rem; border-bottom: 1px solid #ddd; }
th { border-bottom: 2px solid #999; }
td.right, th.right { text-align: right; } td.left, th.left { text-align: left; }
ul.tree { list-style: square; } ul.tree li > div + div { margin-left: 1rem; }
svg { max-width: 100%; height: auto; }
"""
ROLE_CLASSES = {"result": "result", "rule": "rule", "muted": "muted", "note": "muted"}


def write(view: v.View) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(view.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{fragment(view)}</body>\n</html>\n"
    )


def fragment(view: v.View) -> str:
    """The page's body: the View's blocks as HTML."""
    return "".join(_block(block) for block in view.blocks)


def mathml(latex: str, display: bool = False) -> str:
    """The LaTeX as MathML; each \\text{...} an <mtext> of exactly its words.

    latex2mathml copies a \\text group as it is written, escapes and all (`a\\&b`,
    `$<$y$>$`, even a bare `<`), so each group is first swapped for a placeholder
    word, and the words (`v.latex_unescape`, HTML-escaped) put in its place after.
    """
    from latex2mathml.converter import convert

    latex, words = _take_text(latex)
    out = str(convert(latex, display="block" if display else "inline"))
    for placeholder, text in words.items():
        out = out.replace(placeholder, _mtext(text))
    return out


def _take_text(latex: str) -> tuple[str, dict[str, str]]:
    """The LaTeX with each \\text{...} group's words replaced by a placeholder word,
    and the words by placeholder."""
    stem = "mathmlcliQtext"
    while stem in latex:
        stem += "Q"
    words: dict[str, str] = {}

    def hold(text: str) -> str:
        placeholder = f"{stem}{len(words)}Q"
        words[placeholder] = text
        return f"\\text{{{placeholder}}}"

    return v.map_text_groups(latex, hold), words


# Spaces a browser would drop from an <mtext>: at either end and past the first in a run.
_EDGE_SPACES = re.compile(r"^ +| +$| {2,}")


def _mtext(words: str) -> str:
    return _EDGE_SPACES.sub(lambda m: "&#x000A0;" * len(m[0]), escape(words))


def inline(line: v.Line) -> str:
    return v.write_line(line, escape, lambda m: mathml(m.latex), _role_span)


def _role_span(span: v.Span) -> str:
    if span.role in ("strong", "bad"):
        return f"<strong>{escape(span.text)}</strong>"
    return f'<span class="{ROLE_CLASSES.get(span.role, "")}">{escape(span.text)}</span>'


def _block(block: v.Block) -> str:
    if isinstance(block, v.Section):
        inner = _block(block.heading) if block.heading else ""
        return f"<section>\n{inner}{''.join(_block(b) for b in block.blocks)}</section>\n"
    if isinstance(block, v.Heading):
        level = min(block.level, 6)
        return f"<h{level}>{inline(block.content)}</h{level}>\n"
    if isinstance(block, v.Paragraph):
        return f'<p class="indent-{block.indent}">{inline(block.content)}</p>\n'
    if isinstance(block, v.Note):
        return f'<p class="note-{block.kind} indent-{block.indent}">{inline(block.content)}</p>\n'
    if isinstance(block, v.Formula):
        return f'<div class="formula">{mathml(block.latex, display=True)}</div>\n'
    if isinstance(block, v.Table):
        return _table(block)
    if isinstance(block, v.Matrix):
        return f'<div class="formula">{mathml(v.matrix_latex(block), display=True)}</div>\n'
    if isinstance(block, v.Tree):
        children = "".join(_node(child) for child in block.children)
        return (
            f'<div class="tree"><p>{inline(block.root)}</p><ul class="tree">{children}</ul></div>\n'
        )
    if isinstance(block, v.Plot):
        return f"<figure>{svg(block)}</figure>\n"
    raise TypeError(f"not a block: {block!r}")


def _node(node: v.TreeNode) -> str:
    lines = "".join(f"<div>{inline(line)}</div>" for line in node.lines)
    children = "".join(_node(child) for child in node.children)
    nested = f'<ul class="tree">{children}</ul>' if children else ""
    return f"<li>{lines}{nested}</li>\n"


def _table(table: v.Table) -> str:
    head = "".join(
        f'<th class="{column.align}">'
        + (
            mathml(column.header.latex)
            if isinstance(column.header, v.Math)
            else escape(column.header)
        )
        + "</th>"
        for column in table.columns
    )
    rows: list[str] = []
    for row in table.rows:
        if isinstance(row, v.Gap):
            span = len(table.columns)
            rows.append(
                f'<tr><td class="left muted" colspan="{span}">{escape(row.words())}</td></tr>'
            )
            continue
        cells = "".join(
            f'<td class="{column.align}">{_cell(cell, column)}</td>'
            for cell, column in zip(row, table.columns, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    body = "\n".join(rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n"


def _cell(cell: v.Cell, column: v.Column) -> str:
    if isinstance(cell, v.Math):
        return mathml(cell.latex)
    if isinstance(cell, (float, int)) and not isinstance(cell, bool):
        text = v.cell_text(cell, column)
        if "e" in text:  # 1.2e-05 reads better as 1.2 × 10⁻⁵
            return mathml(v.cell_latex(cell, column))
        return escape(text.replace("-", "−"))
    return escape(v.cell_text(cell, column))


# --- plots as SVG -------------------------------------------------------------

WIDTH, HEIGHT, MARGIN = 640, 360, 48
# A marker shape per series, so the legend tells them apart without colour.
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "plus")
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf")


def svg(plot: v.Plot) -> str:
    if plot.kind == "bars":
        return _bars(plot)
    points = [
        (x, y)
        for series in plot.series
        for x, y in zip(series.x, series.y, strict=True)
        if _usable(x) and _usable(y) and (y > 0 or not plot.log_y)
    ]
    if not points:
        return f"<p>{escape(plot.title)}: nothing finite to plot</p>"
    scale_y = (lambda v: math.log10(v)) if plot.log_y else (lambda v: v)
    xs = [x for x, _ in points]
    ys = [scale_y(y) for _, y in points]
    x0, x1 = _span(min(xs), max(xs))
    y0, y1 = _span(min(ys), max(ys))

    def px(x: float) -> float:
        return MARGIN + (x - x0) / (x1 - x0) * (WIDTH - 2 * MARGIN)

    def py(y: float) -> float:
        return HEIGHT - MARGIN - (scale_y(y) - y0) / (y1 - y0) * (HEIGHT - 2 * MARGIN)

    parts = [_frame(plot, x0, x1, y0, y1)]
    for index, series in v.drawing_order(plot.series):
        colour, marker = COLOURS[index % len(COLOURS)], MARKERS[index % len(MARKERS)]
        usable = [
            (px(x), py(y))
            for x, y in zip(series.x, series.y, strict=True)
            if _usable(x) and _usable(y) and (y > 0 or not plot.log_y)
        ]
        if series.style == "line":
            for run in _runs(series, plot.log_y, px, py):
                path = " ".join(f"{a:.1f},{b:.1f}" for a, b in run)
                parts.append(
                    f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
                )
            step = max(1, len(usable) // 12)
            usable = usable[::step]
        parts.extend(_marker(marker, a, b, colour) for a, b in usable)
        legend_y = MARGIN + 16 * index
        parts.append(_marker(marker, WIDTH - MARGIN - 150, legend_y - 4, colour))
        parts.append(
            f'<text x="{WIDTH - MARGIN - 140}" y="{legend_y}" font-size="11">'
            f"{escape(series.label)}</text>"
        )
    return _svg(plot.title, parts)


def _usable(value: float) -> bool:
    return math.isfinite(value)


def _runs(series: object, log_y: bool, px: object, py: object) -> list[list[tuple[float, float]]]:
    """The line's unbroken stretches: a gap where a value is undefined."""
    from mathml_cli.render.view import Series

    assert isinstance(series, Series) and callable(px) and callable(py)
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in zip(series.x, series.y, strict=True):
        if _usable(x) and _usable(y) and (y > 0 or not log_y):
            runs[-1].append((px(x), py(y)))
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if len(run) > 1]


def _span(low: float, high: float) -> tuple[float, float]:
    if high - low < 1e-12:
        return low - 1, high + 1
    pad = (high - low) * 0.05
    return low - pad, high + pad


def _frame(plot: v.Plot, x0: float, x1: float, y0: float, y1: float) -> str:
    from mathml_cli.render.view import number

    left, right, top, bottom = MARGIN, WIDTH - MARGIN, MARGIN, HEIGHT - MARGIN
    y_low = number(10**y0 if plot.log_y else y0, 3)
    y_high = number(10**y1 if plot.log_y else y1, 3)
    return (
        f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" '
        'fill="none" stroke="#999"/>'
        f'<text x="{WIDTH / 2}" y="{top - 16}" text-anchor="middle" font-size="14">'
        f"{escape(plot.title)}</text>"
        f'<text x="{left}" y="{bottom + 16}" font-size="11">{number(x0, 3)}</text>'
        f'<text x="{right}" y="{bottom + 16}" text-anchor="end" font-size="11">'
        f"{number(x1, 3)}</text>"
        f'<text x="{WIDTH / 2}" y="{bottom + 32}" text-anchor="middle" font-size="12">'
        f"{escape(plot.xlabel)}</text>"
        f'<text x="{left - 4}" y="{bottom}" text-anchor="end" font-size="11">{y_low}</text>'
        f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" font-size="11">{y_high}</text>'
        f'<text x="12" y="{HEIGHT / 2}" font-size="12" transform="rotate(-90 12 {HEIGHT / 2})" '
        f'text-anchor="middle">{escape(plot.ylabel)}</text>'
    )


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    r = 3.5
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}"/>'
    if shape == "square":
        return (
            f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" '
            f'fill="{colour}"/>'
        )
    if shape == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - r:.1f} {x - r:.1f},{y + r:.1f} '
            f'{x + r:.1f},{y + r:.1f}" fill="{colour}"/>'
        )
    if shape == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} '
            f'{x - r:.1f},{y:.1f}" fill="{colour}"/>'
        )
    arms = [(-r, -r, r, r), (-r, r, r, -r)] if shape == "cross" else [(-r, 0, r, 0), (0, -r, 0, r)]
    return "".join(
        f'<line x1="{x + a:.1f}" y1="{y + b:.1f}" x2="{x + c:.1f}" y2="{y + d:.1f}" '
        f'stroke="{colour}" stroke-width="1.5"/>'
        for a, b, c, d in arms
    )


def _bars(plot: v.Plot) -> str:
    (series,) = plot.series
    top = max([*series.y, 1e-300])
    row = 22
    height = MARGIN + row * len(series.y) + 16
    parts = [
        f'<text x="{WIDTH / 2}" y="{MARGIN / 2}" text-anchor="middle" font-size="14">'
        f"{escape(plot.title)}</text>"
    ]
    for index, (label, value) in enumerate(zip(plot.bar_labels, series.y, strict=True)):
        y = MARGIN + row * index
        length = (WIDTH - 2 * MARGIN - 120) * (value / top if _usable(value) else 0)
        parts.append(
            f'<text x="{MARGIN + 110}" y="{y + 14}" text-anchor="end" font-size="12">'
            f"{escape(label)}</text>"
            f'<rect x="{MARGIN + 116}" y="{y + 3}" width="{max(length, 0):.1f}" height="14" '
            f'fill="{COLOURS[0]}"/>'
            f'<text x="{MARGIN + 120 + max(length, 0):.1f}" y="{y + 14}" font-size="11">'
            f"{escape(v.cell_text(value, v.Column('')))}</text>"
        )
    return _svg(plot.title, parts, height)


def _svg(title: str, parts: list[str], height: int = HEIGHT) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title)}">'
        + "".join(parts)
        + "</svg>"
    )
