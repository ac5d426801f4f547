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
from mathml_cli.render.view import (
    Block,
    Column,
    Formula,
    Gap,
    Heading,
    Line,
    Math,
    Note,
    Paragraph,
    Plot,
    Section,
    Series,
    Span,
    Table,
    View,
    name_latex,
    number,
    number_latex,
)

HEAD = 5  # rows of a long deviations table shown before and after the gap
TERMS = 8  # a sum written out in full up to this many terms


class _Unkept(Gap):
    """Rows left out that the JSON does not hold either: past ROWS_LIMIT only the first
    and last few rows are kept."""

    def words(self) -> str:
        return f"… {self.count:,} rows not shown (kept only up to {ROWS_LIMIT:,} values) …"


def _heading(text: str) -> Heading:
    return Heading((text,), level=3)


def _math(text: str, latex: str, role: Any = None) -> Math:
    return Math(text, latex, role)


def _sum_written(values: Sequence[float], n: int) -> tuple[str, str]:
    """`85 + 92 + 78 = ` in text and LaTeX, to put before the total; longer sums as the
    first few terms and a count; nothing for a single term."""
    if n == 1:
        return "", ""
    shown = list(values[: min(n, TERMS if n <= TERMS else 4)])
    text = " + ".join(number(v) for v in shown).replace("+ -", "− ")
    latex = " + ".join(number_latex(v) for v in shown).replace("+ -", "- ")
    if n > len(shown):
        text += f" + … ({n:,} terms)"
        latex += rf" + \dots\ \text{{({n:,} terms)}}"
    return f"{text} = ", f"{latex} = "


def view(result: Description, *, plot: bool = False) -> View:
    """One column: every step. Several: a table of summaries, then covariance and correlation."""
    blocks: list[Block]
    if len(result.columns) == 1:
        blocks = _one(result.columns[0], result.source)
    else:
        blocks = _several(result)
    if plot:
        blocks.extend(_histogram(column) for column in result.columns)
    return View("mathml stats", tuple(blocks), "mathml stats")


# --- one column ---------------------------------------------------------------


def _one(column: ColumnSummary, source: str) -> list[Block]:
    n = column.n
    name = column.name
    where = "" if source == "arguments" else f" from {source}"
    blocks: list[Block] = [
        Paragraph((Span(f"Summary of {name}: {n:,} number{'s' if n != 1 else ''}{where}"),)),
    ]
    values = [row.x for row in column.rows]
    terms, terms_latex = _sum_written(values, n)
    blocks.append(
        Section(
            _heading("Mean: the average, the centre of the data"),
            (
                Paragraph((_math(f"n = {n:,}", f"n = {n:,}".replace(",", "{,}")),)),
                Paragraph(
                    (
                        _math(
                            f"Σx = {terms}{number(column.sum)}",
                            rf"\sum x = {terms_latex}{number_latex(column.sum)}",
                        ),
                    )
                ),
                Paragraph(
                    (
                        _math(
                            f"μ = Σx / n = {number(column.sum)} / {n:,} = {number(column.mean)}",
                            rf"\mu = \frac{{\sum x}}{{n}} = \frac{{{number_latex(column.sum)}}}"
                            rf"{{{n}}} = {number_latex(column.mean)}",
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
            return [*rows[:HEAD], Gap(len(rows) - 2 * HEAD), *rows[-HEAD:]]
        return rows
    half = len(rows) // 2
    return [*rows[:half], _Unkept(column.n - len(rows)), *rows[half:]]


def _deviations(column: ColumnSummary) -> Section:
    table = Table(
        (
            Column("i", format="integer"),
            Column(Math("x", "x")),
            Column(Math("x − μ", r"x - \mu")),
            Column(Math("(x − μ)²", r"(x - \mu)^2")),
            Column(Math("z = (x − μ)/σ", r"z = (x - \mu)/\sigma"), short="z", droppable=True),
        ),
        tuple(_row_cells(column)),
    )
    squares = [row.squared for row in column.rows]
    terms, terms_latex = _sum_written(squares, column.n)
    total = _math(
        f"Σ(x − μ)² = {terms}{number(column.sum_of_squares)}",
        rf"\sum (x - \mu)^2 = {terms_latex}{number_latex(column.sum_of_squares)}",
    )
    blocks: list[Block] = [
        table,
        Paragraph((total, Span("  the sum of squares", "muted"))),
    ]
    return Section(_heading("Deviations from the mean"), tuple(blocks))


def _variances(column: ColumnSummary) -> Section:
    n = column.n
    ss, ss_latex = number(column.sum_of_squares), number_latex(column.sum_of_squares)
    blocks: list[Block] = [
        Paragraph(
            (
                Span("population", "rule"),
                "  ",
                _math(
                    f"σ² = Σ(x − μ)²/n = {ss} / {n:,} = {number(column.population_variance)}",
                    rf"\sigma^2 = \frac{{\sum (x - \mu)^2}}{{n}} = \frac{{{ss_latex}}}{{{n}}}"
                    rf" = {number_latex(column.population_variance)}",
                    "result",
                ),
            )
        ),
        Note(
            ("NumPy's np.var(x) and statistics.pvariance(x) return this one (divide by n).",),
            indent=1,
        ),
    ]
    if column.sample_variance is not None:
        blocks += [
            Paragraph(
                (
                    Span("sample", "rule"),
                    "      ",
                    _math(
                        f"s² = Σ(x − μ)²/(n − 1) = {ss} / {n - 1:,} = "
                        f"{number(column.sample_variance)}",
                        rf"s^2 = \frac{{\sum (x - \mu)^2}}{{n - 1}} = \frac{{{ss_latex}}}"
                        rf"{{{n - 1}}} = {number_latex(column.sample_variance)}",
                        "result",
                    ),
                )
            ),
            Note(
                (
                    "pandas' Series.var(), statistics.variance(x) and np.var(x, ddof=1) return "
                    "this one (divide by n − 1).",
                ),
                indent=1,
            ),
            Note(
                (
                    "Use s² when the numbers are a sample of something larger: the mean was "
                    "estimated from the same numbers, which sit closer to it than to the true "
                    "mean, and n − 1 corrects for that (Bessel's correction). Use σ² when they "
                    "are the whole population.",
                ),
            ),
        ]
    else:
        blocks.append(Note(("The sample variance divides by n − 1 = 0: undefined for one value.",)))
    blocks.append(
        Paragraph(
            (
                Span("standard deviation", "rule"),
                "  ",
                _math(
                    f"σ = √σ² = {number(column.population_std)}",
                    rf"\sigma = \sqrt{{\sigma^2}} = {number_latex(column.population_std)}",
                ),
                *(
                    (
                        ",  ",
                        _math(
                            f"s = √s² = {number(column.sample_std)}",
                            rf"s = \sqrt{{s^2}} = {number_latex(column.sample_std)}",
                        ),
                    )
                    if column.sample_std is not None
                    else ()
                ),
            )
        )
    )
    blocks.append(
        Note(("The standard deviation is in the data's own units: the typical distance from μ.",))
    )
    return Section(_heading("Variance: how scattered the data is"), tuple(blocks))


def _quartile_section(column: ColumnSummary) -> Section:
    quartiles = column.quartiles
    count = quartiles.sample_size
    blocks: list[Block] = [
        Paragraph(
            (
                "Method: NumPy's default (linear). Sort the ",
                "values" if quartiles.exact else "sample",
                "; the quantile p sits at position ",
                _math("h = (m − 1)·p", r"h = (m - 1)\,p"),
                f" (m = {count:,}, counting from 0), between the values at ",
                _math("⌊h⌋", r"\lfloor h \rfloor"),
                " and ",
                _math("⌊h⌋ + 1", r"\lfloor h \rfloor + 1"),
                ":",
            )
        ),
        Formula(
            "Q(p) = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋])",
            r"Q(p) = x_{\lfloor h \rfloor} + (h - \lfloor h \rfloor)"
            r"\,(x_{\lfloor h \rfloor + 1} - x_{\lfloor h \rfloor})",
        ),
    ]
    if quartiles.exact and column.all_rows and column.n <= 2 * HEAD + 2:
        ordered = ", ".join(number(v) for v in sorted(row.x for row in column.rows))
        blocks.append(Paragraph((f"sorted: {ordered}",), indent=1))
    names = ("Q1", "median", "Q3")
    values = (quartiles.q1, quartiles.median, quartiles.q3)
    for label, value, (p, h, low, high) in zip(names, values, quartiles.positions, strict=True):
        blocks.append(Paragraph((Span(f"{label}: ", "rule"), _position(p, h, low, high, value)), 1))
    blocks.append(
        Paragraph(
            (
                _math(
                    f"IQR = Q3 − Q1 = {number(quartiles.q3)} − {number(quartiles.q1)} = "
                    f"{number(quartiles.iqr)}",
                    rf"\mathrm{{IQR}} = Q_3 - Q_1 = {number_latex(quartiles.iqr)}",
                ),
                Span("  the middle half of the data", "muted"),
            ),
            indent=1,
        )
    )
    if not quartiles.exact:
        blocks.append(
            Note(
                (
                    f"Estimated: {column.n:,} values are more than the {EXACT_LIMIT:,} kept for "
                    f"exact quartiles, so these come from a uniform random sample of {count:,} "
                    "(fixed seed); a quartile's rank is within about ±0.15% of the true one.",
                ),
                "warning",
            )
        )
    blocks.append(
        Paragraph(
            (
                _math(
                    f"min = {number(column.minimum)}, max = {number(column.maximum)}, "
                    f"range = max − min = {number(column.range)}",
                    rf"\min = {number_latex(column.minimum)},\ \max = "
                    rf"{number_latex(column.maximum)},\ \text{{range}} = "
                    rf"{number_latex(column.range)}",
                ),
            )
        )
    )
    return Section(_heading("Median and quartiles"), tuple(blocks))


def _position(p: float, h: float, low: float, high: float, value: float) -> Math:
    below = math.floor(h)
    start = f"h = (m − 1)·{p:g} = {h:g}"
    start_latex = rf"h = {h:g}"
    if h == below:
        return _math(
            f"{start} → x[{below}] = {number(value)}",
            rf"{start_latex} \Rightarrow x_{{{below}}} = {number_latex(value)}",
            "result",
        )
    fraction = h - below
    return _math(
        f"{start} → {number(low)} + {fraction:g}·({number(high)} − {number(low)}) = "
        f"{number(value)}",
        rf"{start_latex} \Rightarrow {number_latex(low)} + {fraction:g}\,({number_latex(high)}"
        rf" - {number_latex(low)}) = {number_latex(value)}",
        "result",
    )


def _z_note(column: ColumnSummary) -> Section:
    if column.population_variance == 0 and column.minimum == column.maximum:
        line: Line = ("Every value is the same: σ = 0, so z-scores are undefined.",)
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
    return Section(_heading("z-scores: standardisation"), (Note(line),))


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


def _several(result: Description) -> list[Block]:
    columns = result.columns
    n = columns[0].n
    names = ", ".join(column.name for column in columns)
    blocks: list[Block] = [
        Paragraph(
            (Span(f"Summary of {len(columns)} columns ({names}): {n:,} rows from {result.source}"),)
        ),  # fmt: skip
        Note(
            (
                "μ = Σx/n; σ² = Σ(x − μ)²/n is np.var's default, s² = Σ(x − μ)²/(n − 1) is "
                "pandas' and statistics.variance's; quartiles by NumPy's default (linear) "
                "method. Run with one --column for every step.",
            ),
        ),
    ]
    table_columns = [Column("", align="left")]
    table_columns += [Column(Math(c.name, name_latex(c.name))) for c in columns]
    rows = []
    for label, latex, get in _SUMMARY_ROWS:
        rows.append((Math(label, latex), *(get(c) for c in columns)))
    blocks.append(Table(tuple(table_columns), tuple(rows)))
    if any(not c.quartiles.exact for c in columns):
        blocks.append(
            Note(
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


def _pair(pair: Pair, x: ColumnSummary, y: ColumnSummary) -> Section:
    n = x.n
    rows: list[Any] = [(r.index, r.x, r.y, r.dx, r.dy, r.product) for r in pair.rows]
    if len(rows) == n and n > 2 * HEAD + 2:
        rows = [*rows[:HEAD], Gap(n - 2 * HEAD), *rows[-HEAD:]]
    elif len(rows) < n:
        half = len(rows) // 2
        rows = [*rows[:half], _Unkept(n - len(rows)), *rows[half:]]
    a, b = pair.x, pair.y
    table = Table(
        (
            Column("i", format="integer"),
            Column(Math(a, name_latex(a))),
            Column(Math(b, name_latex(b))),
            Column(Math(f"{a} − x̄", rf"{name_latex(a)} - \bar x"), droppable=True),
            Column(Math(f"{b} − ȳ", rf"{name_latex(b)} - \bar y"), droppable=True),
            Column(Math("product", r"\text{product}")),
        ),
        tuple(rows),
    )
    sp = number(pair.sum_of_products)
    sp_latex = number_latex(pair.sum_of_products)
    blocks: list[Block] = [
        Paragraph(
            (
                f"Does {b} (y) move with {a} (x)? Multiply each row's deviations from the "
                "means and add:",
            )
        ),
        table,
        Paragraph(
            (_math(f"Σ(x − x̄)(y − ȳ) = {sp}", rf"\sum (x - \bar x)(y - \bar y) = {sp_latex}"),)
        ),
    ]
    if pair.covariance is not None:
        blocks.append(Paragraph((Span("covariance", "rule"),)))
        blocks.append(
            Paragraph(
                (
                    _math(
                        f"cov = Σ(x − x̄)(y − ȳ)/(n − 1) = {sp} / {n - 1:,} = "
                        f"{number(pair.covariance)}",
                        rf"\operatorname{{cov}} = \frac{{{sp_latex}}}{{{n - 1}}} = "
                        rf"{number_latex(pair.covariance)}",
                        "result",
                    ),
                ),
                indent=1,
            )
        )
        blocks.append(
            Note(
                (
                    "np.cov and pandas' DataFrame.cov divide by n − 1 by default; dividing by n "
                    f"gives {number(pair.population_covariance)}. Its sign says the direction; "
                    "its size depends on the units.",
                ),
                indent=1,
            )
        )
    if pair.correlation is not None:
        sx, sy = math.sqrt(x.sum_of_squares), math.sqrt(y.sum_of_squares)
        blocks.append(Paragraph((Span("correlation", "rule"),)))
        blocks.append(
            Paragraph(
                (
                    _math(
                        f"r = Σ(x − x̄)(y − ȳ) / √(Σ(x − x̄)²·Σ(y − ȳ)²) = {sp} / "
                        f"({number(sx)}·{number(sy)}) = {number(pair.correlation)}",
                        rf"r = \frac{{\sum (x - \bar x)(y - \bar y)}}{{\sqrt{{\sum (x - \bar x)^2"
                        rf"\sum (y - \bar y)^2}}}} = \frac{{{sp_latex}}}{{{number_latex(sx)}"
                        rf"\cdot {number_latex(sy)}}} = {number_latex(pair.correlation)}",
                        "result",
                    ),
                ),
                indent=1,
            )
        )
        blocks.append(
            Note(
                (
                    "Pearson's r is the covariance of the z-scores: no units, between −1 and 1; "
                    f"±1 means the points lie on a line, 0 no linear relation. r² = "
                    f"{number(pair.correlation**2)} is the share of the variance of {b} a "
                    f"straight line in {a} explains.",
                ),
                indent=1,
            )
        )
    else:
        blocks.append(Note(("A column is constant: the correlation is undefined (0/0).",)))
    return Section(_heading(f"Covariance and correlation of {a} and {b}"), tuple(blocks))


def _matrix(
    title: str, columns: Sequence[ColumnSummary], matrix: Sequence[Sequence[float | None]]
) -> Section:
    header = [Column("", align="left")]
    header += [Column(Math(c.name, name_latex(c.name))) for c in columns]
    rows = [
        (Math(c.name, name_latex(c.name)), *values)
        for c, values in zip(columns, matrix, strict=True)
    ]
    return Section(_heading(title), (Table(tuple(header), tuple(rows)),))


# --- plot -----------------------------------------------------------------------------


def histogram_steps(label: str, edges: Sequence[float], heights: Sequence[float]) -> Series:
    """A histogram's bars as one line: up, across and down each bar (plots have no bars)."""
    xs: list[float] = [edges[0]]
    ys: list[float] = [0.0]
    for left, right, height in zip(edges, edges[1:], heights, strict=False):
        xs += [left, right]
        ys += [height, height]
    xs.append(edges[-1])
    ys.append(0.0)
    return Series(label, tuple(xs), tuple(ys))


def _histogram(column: ColumnSummary) -> Plot:
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
            Series(
                f"normal curve N(μ = {number(column.mean)}, σ = {number(sigma)})",
                tuple(grid),
                tuple(curve),
            )
        )
    return Plot(f"{column.name}: histogram and normal curve", tuple(series), column.name, "count")


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
