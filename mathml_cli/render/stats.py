"""`mathml stats` as a View (every format but JSON) and as JSON data."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from mathml_cli.core.describe import (
    EXACT_LIMIT,
    ROWS_LIMIT,
    ColumnSummary,
    Description,
    Pair,
    Quartiles,
)
from mathml_cli.render import view as v
from mathml_cli.render.common import part_heading

HEAD = 5  # rows of a long deviations table shown before and after the gap
TERMS = 8  # a sum written out in full up to this many terms


class _Unkept(v.Gap):
    """Rows left out that the JSON does not hold either: past ROWS_LIMIT only the first
    and last few rows are kept."""

    def words(self) -> str:
        return f"… {self.count:,} rows not shown (kept only up to {ROWS_LIMIT:,} values) …"


def _sum_written(values: Sequence[float], n: int) -> tuple[str, str]:
    """`85 + 92 + 78 = ` in text and LaTeX, to put before the total; longer sums as the
    first few terms and a count; nothing for a single term."""
    if n == 1:
        return "", ""
    shown = list(values[: min(n, TERMS if n <= TERMS else 4)])
    text = " + ".join(v.number(value) for value in shown).replace("+ -", "− ")
    latex = " + ".join(v.number_latex(value) for value in shown).replace("+ -", "- ")
    if n > len(shown):
        text += f" + … ({n:,} terms)"
        latex += rf" + \dots\ \text{{({n:,} terms)}}"
    return f"{text} = ", f"{latex} = "


def view(result: Description, *, plot: bool = False) -> v.View:
    """One column: every step. Several: a table of summaries, then covariance and correlation."""
    blocks: list[v.Block]
    if len(result.columns) == 1:
        blocks = _one(result.columns[0], result.source)
    else:
        blocks = _several(result)
    if result.dropped_rows:
        count = result.dropped_rows
        left_out = f"{count:,} row{'s' if count != 1 else ''} with missing values left out"
        blocks.insert(1, v.Note((f"{left_out} (--drop-missing)",), indent=1))
    if plot:
        blocks.extend(_histogram(column) for column in result.columns)
    return v.View("mathml stats", tuple(blocks), "mathml stats")


# --- one column ---------------------------------------------------------------


def _one(column: ColumnSummary, source: str) -> list[v.Block]:
    n = column.n
    name = column.name
    where = "" if source == "arguments" else f" from {source}"
    blocks: list[v.Block] = [
        v.Paragraph((v.Span(f"Summary of {name}: {n:,} number{'s' if n != 1 else ''}{where}"),)),
    ]
    values = [row.x for row in column.rows]
    terms, terms_latex = _sum_written(values, n)
    blocks.append(
        v.Section(
            part_heading("Mean: the average, the centre of the data"),
            (
                v.Paragraph((v.Math(f"n = {n:,}", f"n = {n:,}".replace(",", "{,}")),)),
                v.Paragraph(
                    (
                        v.Math(
                            f"Σx = {terms}{v.number(column.sum)}",
                            rf"\sum x = {terms_latex}{v.number_latex(column.sum)}",
                        ),
                    )
                ),
                v.Paragraph(
                    (
                        v.Math(
                            f"μ = Σx / n = {v.number(column.sum)} / {n:,} "
                            f"= {v.number(column.mean)}",
                            rf"\mu = \frac{{\sum x}}{{n}} = \frac{{{v.number_latex(column.sum)}}}"
                            rf"{{{n}}} = {v.number_latex(column.mean)}",
                            "result",
                        ),
                    )
                ),
            ),
        )
    )
    blocks.append(_deviations(column))
    blocks.append(_variances(column))
    blocks.append(_quartile_section(column))
    blocks.append(_z_note(column))
    return blocks


def _row_cells(column: ColumnSummary) -> list[Any]:
    rows: list[Any] = [(r.index, r.x, r.deviation, r.squared, r.z) for r in column.rows]
    if column.all_rows:
        if len(rows) > 2 * HEAD + 2:
            return [*rows[:HEAD], v.Gap(len(rows) - 2 * HEAD), *rows[-HEAD:]]
        return rows
    half = len(rows) // 2
    return [*rows[:half], _Unkept(column.n - len(rows)), *rows[half:]]


def _deviations(column: ColumnSummary) -> v.Section:
    table = v.Table(
        (
            v.Column("i", format="integer"),
            v.Column(v.Math("x", "x")),
            v.Column(v.Math("x − μ", r"x - \mu")),
            v.Column(v.Math("(x − μ)²", r"(x - \mu)^2")),
            v.Column(v.Math("z = (x − μ)/σ", r"z = (x - \mu)/\sigma"), short="z", droppable=True),
        ),
        tuple(_row_cells(column)),
    )
    squares = [row.squared for row in column.rows]
    terms, terms_latex = _sum_written(squares, column.n)
    total = v.Math(
        f"Σ(x − μ)² = {terms}{v.number(column.sum_of_squares)}",
        rf"\sum (x - \mu)^2 = {terms_latex}{v.number_latex(column.sum_of_squares)}",
    )
    blocks: list[v.Block] = [
        table,
        v.Paragraph((total, v.Span("  the sum of squares", "muted"))),
    ]
    return v.Section(part_heading("Deviations from the mean"), tuple(blocks))


def _variances(column: ColumnSummary) -> v.Section:
    n = column.n
    ss, ss_latex = v.number(column.sum_of_squares), v.number_latex(column.sum_of_squares)
    blocks: list[v.Block] = [
        v.Paragraph(
            (
                v.Span("population", "rule"),
                "  ",
                v.Math(
                    f"σ² = Σ(x − μ)²/n = {ss} / {n:,} = {v.number(column.population_variance)}",
                    rf"\sigma^2 = \frac{{\sum (x - \mu)^2}}{{n}} = \frac{{{ss_latex}}}{{{n}}}"
                    rf" = {v.number_latex(column.population_variance)}",
                    "result",
                ),
            )
        ),
        v.Note(
            ("NumPy's np.var(x) and statistics.pvariance(x) return this one (divide by n).",),
            indent=1,
        ),
    ]
    if column.sample_variance is not None:
        blocks += [
            v.Paragraph(
                (
                    v.Span("sample", "rule"),
                    "      ",
                    v.Math(
                        f"s² = Σ(x − μ)²/(n − 1) = {ss} / {n - 1:,} = "
                        f"{v.number(column.sample_variance)}",
                        rf"s^2 = \frac{{\sum (x - \mu)^2}}{{n - 1}} = \frac{{{ss_latex}}}"
                        rf"{{{n - 1}}} = {v.number_latex(column.sample_variance)}",
                        "result",
                    ),
                )
            ),
            v.Note(
                (
                    "pandas' Series.var(), statistics.variance(x) and np.var(x, ddof=1) return "
                    "this one (divide by n − 1).",
                ),
                indent=1,
            ),
            v.Note(
                (
                    "Use s² when the numbers are a sample of something larger: the mean was "
                    "estimated from the same numbers, which sit closer to it than to the true "
                    "mean, and n − 1 corrects for that (Bessel's correction). Use σ² when they "
                    "are the whole population.",
                ),
            ),
        ]
    else:
        blocks.append(
            v.Note(("The sample variance divides by n − 1 = 0: undefined for one value.",))
        )
    blocks.append(
        v.Paragraph(
            (
                v.Span("standard deviation", "rule"),
                "  ",
                v.Math(
                    f"σ = √σ² = {v.number(column.population_std)}",
                    rf"\sigma = \sqrt{{\sigma^2}} = {v.number_latex(column.population_std)}",
                ),
                *(
                    (
                        ",  ",
                        v.Math(
                            f"s = √s² = {v.number(column.sample_std)}",
                            rf"s = \sqrt{{s^2}} = {v.number_latex(column.sample_std)}",
                        ),
                    )
                    if column.sample_std is not None
                    else ()
                ),
            )
        )
    )
    blocks.append(
        v.Note(("The standard deviation is in the data's own units: the typical distance from μ.",))
    )
    return v.Section(part_heading("Variance: how scattered the data is"), tuple(blocks))


def _quartile_section(column: ColumnSummary) -> v.Section:
    quartiles = column.quartiles
    count = quartiles.sample_size
    blocks: list[v.Block] = [
        v.Paragraph(
            (
                "Method: NumPy's default (linear). Sort the ",
                "values" if quartiles.exact else "sample",
                "; the quantile p sits at position ",
                v.Math("h = (m − 1)·p", r"h = (m - 1)\,p"),
                f" (m = {count:,}, counting from 0), between the values at ",
                v.Math("⌊h⌋", r"\lfloor h \rfloor"),
                " and ",
                v.Math("⌊h⌋ + 1", r"\lfloor h \rfloor + 1"),
                ":",
            )
        ),
        v.Formula(
            "Q(p) = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋])",
            r"Q(p) = x_{\lfloor h \rfloor} + (h - \lfloor h \rfloor)"
            r"\,(x_{\lfloor h \rfloor + 1} - x_{\lfloor h \rfloor})",
        ),
    ]
    if quartiles.exact and column.all_rows and column.n <= 2 * HEAD + 2:
        ordered = ", ".join(v.number(value) for value in sorted(row.x for row in column.rows))
        blocks.append(v.Paragraph((f"sorted: {ordered}",), indent=1))
    names = ("Q1", "median", "Q3")
    values = (quartiles.q1, quartiles.median, quartiles.q3)
    shown_digits = []
    for label, value, (p, h, low, high) in zip(names, values, quartiles.positions, strict=True):
        digits = _digits_for_gap(low, high)
        shown_digits.append(digits)
        blocks.append(
            v.Paragraph(
                (v.Span(f"{label}: ", "rule"), _position(p, h, low, high, value, digits)), 1
            )
        )
    digits = max(shown_digits[0], shown_digits[2])  # Q1 and Q3 as their lines show them
    q1, q3, iqr = (v.number(x, digits) for x in (quartiles.q1, quartiles.q3, quartiles.iqr))
    blocks.append(
        v.Paragraph(
            (
                v.Math(
                    f"IQR = Q3 − Q1 = {q3} − {q1} = {iqr}",
                    rf"\mathrm{{IQR}} = Q_3 - Q_1 = {v.number_latex(quartiles.iqr, digits)}",
                ),
                v.Span("  the middle half of the data", "muted"),
            ),
            indent=1,
        )
    )
    if not quartiles.exact:
        blocks.append(
            v.Note(
                (
                    f"Estimated: {column.n:,} values are more than the {EXACT_LIMIT:,} kept for "
                    f"exact quartiles, so these come from a uniform random sample of {count:,} "
                    "(fixed seed); a quartile's rank is within about ±0.15% of the true one.",
                ),
                "warning",
            )
        )
    blocks.append(
        v.Paragraph(
            (
                v.Math(
                    f"min = {v.number(column.minimum)}, max = {v.number(column.maximum)}, "
                    f"range = max − min = {v.number(column.range)}",
                    rf"\min = {v.number_latex(column.minimum)},\ \max = "
                    rf"{v.number_latex(column.maximum)},\ \text{{range}} = "
                    rf"{v.number_latex(column.range)}",
                ),
            )
        )
    )
    return v.Section(part_heading("Median and quartiles"), tuple(blocks))


def _digits_for_gap(low: float, high: float) -> int:
    """Significant digits that show the gap between two neighbours to 1% (2499428 and
    2499430, not 2.49943e+06 twice), so that a quartile's arithmetic can be followed;
    6 at least, as everywhere else."""
    digits = 6
    while digits < 15:
        shown = float(v.number(high, digits)) - float(v.number(low, digits))
        if abs(shown - (high - low)) <= 0.01 * (high - low):
            break
        digits += 1
    return digits


def _position(p: float, h: float, low: float, high: float, value: float, digits: int) -> v.Math:
    below = math.floor(h)
    # h in full (499999.5, not 500000): its fraction is the weight that follows.
    start = f"h = (m − 1)·{p:g} = {h:.15g}"
    start_latex = rf"h = {h:.15g}"
    if h == below:
        return v.Math(
            f"{start} → x[{below}] = {v.number(value, digits)}",
            rf"{start_latex} \Rightarrow x_{{{below}}} = {v.number_latex(value, digits)}",
            "result",
        )
    fraction = h - below
    low_text, high_text, value_text = (v.number(x, digits) for x in (low, high, value))
    low_latex, high_latex, value_latex = (v.number_latex(x, digits) for x in (low, high, value))
    return v.Math(
        f"{start} → {low_text} + {fraction:g}·({high_text} − {low_text}) = {value_text}",
        rf"{start_latex} \Rightarrow {low_latex} + {fraction:g}\,({high_latex}"
        rf" - {low_latex}) = {value_latex}",
        "result",
    )


def _z_note(column: ColumnSummary) -> v.Section:
    if column.population_variance == 0 and column.minimum == column.maximum:
        line: v.Line = ("Every value is the same: σ = 0, so z-scores are undefined.",)
    elif column.population_variance == 0:
        line = (
            "The values differ by less than the variance can hold in floating point "
            "(it underflows to 0), so z-scores are undefined.",
        )
    else:
        line = (
            "z = (x − μ)/σ (the table's last column) says how many standard deviations a value "
            'lies from the mean. Standardising a feature this way is what "normalising '
            "features\" means in ML (scikit-learn's StandardScaler uses σ, dividing by n): "
            "afterwards its mean is 0 and its standard deviation 1, so features in different "
            "units weigh alike in gradient descent.",
        )
    return v.Section(part_heading("z-scores: standardisation"), (v.Note(line),))


# --- several columns ---------------------------------------------------------------


_SUMMARY_ROWS = (
    ("n", "n", lambda c: c.n),
    ("sum", r"\sum x", lambda c: c.sum),
    ("mean μ", r"\mu", lambda c: c.mean),
    ("Σ(x − μ)²", r"\sum (x - \mu)^2", lambda c: c.sum_of_squares),
    ("variance σ² (÷n)", r"\sigma^2", lambda c: c.population_variance),
    ("variance s² (÷(n−1))", r"s^2", lambda c: c.sample_variance),
    ("std σ", r"\sigma", lambda c: c.population_std),
    ("std s", r"s", lambda c: c.sample_std),
    ("min", r"\min", lambda c: c.minimum),
    ("Q1", r"Q_1", lambda c: c.quartiles.q1),
    ("median", r"\text{median}", lambda c: c.quartiles.median),
    ("Q3", r"Q_3", lambda c: c.quartiles.q3),
    ("max", r"\max", lambda c: c.maximum),
    ("range", r"\text{range}", lambda c: c.range),
)


def _several(result: Description) -> list[v.Block]:
    columns = result.columns
    n = columns[0].n
    names = ", ".join(column.name for column in columns)
    blocks: list[v.Block] = [
        v.Paragraph(
            (
                v.Span(
                    f"Summary of {len(columns)} columns ({names}): {v.count(n, 'row')} from "
                    f"{result.source}"
                ),
            )
        ),  # fmt: skip
        v.Note(
            (
                "μ = Σx/n; σ² = Σ(x − μ)²/n is np.var's default, s² = Σ(x − μ)²/(n − 1) is "
                "pandas' and statistics.variance's; quartiles by NumPy's default (linear) "
                "method. Run with one --column for every step.",
            ),
        ),
    ]
    table_columns = [v.Column("", align="left")]
    table_columns += [v.Column(v.Math(c.name, v.column_latex(c.name))) for c in columns]
    rows = []
    for label, latex, get in _SUMMARY_ROWS:
        rows.append((v.Math(label, latex), *(get(c) for c in columns)))
    blocks.append(v.Table(tuple(table_columns), tuple(rows)))
    if any(not c.quartiles.exact for c in columns):
        blocks.append(
            v.Note(
                (
                    f"Quartiles estimated from a uniform random sample of "
                    f"{columns[0].quartiles.sample_size:,} rows (more than {EXACT_LIMIT:,}).",
                ),
                "warning",
            )
        )
    assert result.pair is not None
    blocks.append(_pair(result.pair, columns[0], columns[1]))
    if len(columns) > 2 and result.covariance and result.correlation:
        blocks.append(_matrix("Covariance matrix (sample, ÷(n − 1))", columns, result.covariance))
        blocks.append(_matrix("Correlation matrix (Pearson r)", columns, result.correlation))
    return blocks


def _pair(pair: Pair, x: ColumnSummary, y: ColumnSummary) -> v.Section:
    n = x.n
    rows: list[Any] = [(r.index, r.x, r.y, r.dx, r.dy, r.product) for r in pair.rows]
    if len(rows) == n and n > 2 * HEAD + 2:
        rows = [*rows[:HEAD], v.Gap(n - 2 * HEAD), *rows[-HEAD:]]
    elif len(rows) < n:
        half = len(rows) // 2
        rows = [*rows[:half], _Unkept(n - len(rows)), *rows[half:]]
    a, b = pair.x, pair.y
    table = v.Table(
        (
            v.Column("i", format="integer"),
            v.Column(v.Math(a, v.column_latex(a))),
            v.Column(v.Math(b, v.column_latex(b))),
            v.Column(v.Math(f"{a} − x̄", rf"{v.column_latex(a)} - \bar x"), droppable=True),
            v.Column(v.Math(f"{b} − ȳ", rf"{v.column_latex(b)} - \bar y"), droppable=True),
            v.Column(v.Math("product", r"\text{product}")),
        ),
        tuple(rows),
    )
    sp = v.number(pair.sum_of_products)
    sp_latex = v.number_latex(pair.sum_of_products)
    blocks: list[v.Block] = [
        v.Paragraph(
            (
                f"Does {_as_role(b, 'y')} move with {_as_role(a, 'x')}? Multiply each row's "
                "deviations from the "
                "means and add:",
            )
        ),
        table,
        v.Paragraph(
            (v.Math(f"Σ(x − x̄)(y − ȳ) = {sp}", rf"\sum (x - \bar x)(y - \bar y) = {sp_latex}"),)
        ),
    ]
    if pair.covariance is not None:
        blocks.append(v.Paragraph((v.Span("covariance", "rule"),)))
        blocks.append(
            v.Paragraph(
                (
                    v.Math(
                        f"cov = Σ(x − x̄)(y − ȳ)/(n − 1) = {sp} / {n - 1:,} = "
                        f"{v.number(pair.covariance)}",
                        rf"\operatorname{{cov}} = \frac{{{sp_latex}}}{{{n - 1}}} = "
                        rf"{v.number_latex(pair.covariance)}",
                        "result",
                    ),
                ),
                indent=1,
            )
        )
        blocks.append(
            v.Note(
                (
                    "np.cov and pandas' DataFrame.cov divide by n − 1 by default; dividing by n "
                    f"gives {v.number(pair.population_covariance)}. Its sign says the direction; "
                    "its size depends on the units.",
                ),
                indent=1,
            )
        )
    if pair.correlation is not None:
        sx, sy = math.sqrt(x.sum_of_squares), math.sqrt(y.sum_of_squares)
        blocks.append(v.Paragraph((v.Span("correlation", "rule"),)))
        blocks.append(
            v.Paragraph(
                (
                    v.Math(
                        f"r = Σ(x − x̄)(y − ȳ) / √(Σ(x − x̄)²·Σ(y − ȳ)²) = {sp} / "
                        f"({v.number(sx)}·{v.number(sy)}) = {v.number(pair.correlation)}",
                        rf"r = \frac{{\sum (x - \bar x)(y - \bar y)}}{{\sqrt{{\sum (x - \bar x)^2"
                        rf"\sum (y - \bar y)^2}}}} = \frac{{{sp_latex}}}{{{v.number_latex(sx)}"
                        rf"\cdot {v.number_latex(sy)}}} = {v.number_latex(pair.correlation)}",
                        "result",
                    ),
                ),
                indent=1,
            )
        )
        blocks.append(
            v.Note(
                (
                    "Pearson's r is the covariance of the z-scores: no units, between −1 and 1; "
                    f"±1 means the points lie on a line, 0 no linear relation. r² = "
                    f"{v.number(pair.correlation**2)} is the share of the variance of {b} a "
                    f"straight line in {a} explains.",
                ),
                indent=1,
            )
        )
    else:
        blocks.append(v.Note(("A column is constant: the correlation is undefined (0/0).",)))
    return v.Section(part_heading(f"Covariance and correlation of {a} and {b}"), tuple(blocks))


def _matrix(
    title: str, columns: Sequence[ColumnSummary], matrix: Sequence[Sequence[float | None]]
) -> v.Section:
    header = [v.Column("", align="left")]
    header += [v.Column(v.Math(c.name, v.column_latex(c.name))) for c in columns]
    rows = [
        (v.Math(c.name, v.column_latex(c.name)), *values)
        for c, values in zip(columns, matrix, strict=True)
    ]
    return v.Section(part_heading(title), (v.Table(tuple(header), tuple(rows)),))


# --- plot -----------------------------------------------------------------------------


def histogram_steps(label: str, edges: Sequence[float], heights: Sequence[float]) -> v.Series:
    """A histogram's bars as one line: up, across and down each bar (plots have no bars)."""
    xs: list[float] = [edges[0]]
    ys: list[float] = [0.0]
    for left, right, height in zip(edges, edges[1:], heights, strict=False):
        xs += [left, right]
        ys += [height, height]
    xs.append(edges[-1])
    ys.append(0.0)
    return v.Series(label, tuple(xs), tuple(ys))


def _histogram(column: ColumnSummary) -> v.Plot:
    """Bars as a step line, and the normal curve with the same μ and σ scaled to counts."""
    edges, counts = column.histogram.edges, column.histogram.counts
    series = [histogram_steps("histogram", edges, [float(count) for count in counts])]
    sigma = column.population_std
    if sigma > 0:
        width = edges[1] - edges[0]
        low, high = min(edges[0], column.mean - 3 * sigma), max(edges[-1], column.mean + 3 * sigma)
        steps = 120
        grid = [low + (high - low) * i / steps for i in range(steps + 1)]
        scale = column.n * width / (sigma * math.sqrt(2 * math.pi))
        curve = [scale * math.exp(-0.5 * ((x - column.mean) / sigma) ** 2) for x in grid]
        series.append(
            v.Series(
                f"normal curve N(μ = {v.number(column.mean)}, σ = {v.number(sigma)})",
                tuple(grid),
                tuple(curve),
            )
        )
    return v.Plot(f"{column.name}: histogram and normal curve", tuple(series), column.name, "count")


# --- JSON ---------------------------------------------------------------------------


def _quartile_data(quartiles: Quartiles) -> dict[str, Any]:
    return {
        "q1": quartiles.q1,
        "median": quartiles.median,
        "q3": quartiles.q3,
        "iqr": quartiles.iqr,
        "quartile_method": "linear",
        "quartiles_exact": quartiles.exact,
        "quartile_sample_size": quartiles.sample_size,
    }


def _column_data(column: ColumnSummary) -> dict[str, Any]:
    return {
        "name": column.name,
        "n": column.n,
        "sum": column.sum,
        "mean": column.mean,
        "sum_of_squares": column.sum_of_squares,
        "population_variance": column.population_variance,
        "sample_variance": column.sample_variance,
        "population_std": column.population_std,
        "sample_std": column.sample_std,
        "min": column.minimum,
        "max": column.maximum,
        "range": column.range,
        **_quartile_data(column.quartiles),
        "rows_complete": column.all_rows,
        "rows": [
            {
                "index": row.index,
                "x": row.x,
                "deviation": row.deviation,
                "squared_deviation": row.squared,
                "z": row.z,
            }
            for row in column.rows
        ],
        "histogram": {
            "edges": list(column.histogram.edges),
            "counts": list(column.histogram.counts),
        },
    }


def data(result: Description) -> dict[str, Any]:
    out: dict[str, Any] = {
        "source": result.source,
        "columns": [_column_data(column) for column in result.columns],
        "dropped_rows": result.dropped_rows,
    }
    if result.pair is not None:
        pair = result.pair
        out["covariance"] = [list(row) for row in result.covariance or ()]
        out["correlation"] = [list(row) for row in result.correlation or ()]
        out["pair"] = {
            "x": pair.x,
            "y": pair.y,
            "sum_of_products": pair.sum_of_products,
            "covariance": pair.covariance,
            "population_covariance": pair.population_covariance,
            "correlation": pair.correlation,
            "rows": [
                {"index": r.index, "x": r.x, "y": r.y, "dx": r.dx, "dy": r.dy, "product": r.product}
                for r in pair.rows
            ],
        }
    return out


def _as_role(name: str, role: str) -> str:
    """`hours (x)`, or just `x` for a column named x."""
    return name if name == role else f"{name} ({role})"
