"""The writers, on Views made up here: what each promises for any View."""

from __future__ import annotations

import math
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from mathml_cli.render import html, latex, markdown, text
from mathml_cli.render.output import make_console
from mathml_cli.render.view import (
    Column,
    Formula,
    Gap,
    Heading,
    Math,
    Note,
    Paragraph,
    Plot,
    Section,
    Series,
    Span,
    Table,
    Tree,
    TreeNode,
    View,
    name_latex,
    number,
)

numbers = st.floats(allow_nan=True, allow_infinity=True, width=64) | st.integers(-(10**9), 10**9)


@st.composite
def tables(draw: st.DrawFn) -> Table:
    count = draw(st.integers(1, 12))
    columns = tuple(
        Column(
            draw(st.text("abcxyz∂/ ", min_size=1, max_size=14)),
            align=draw(st.sampled_from(["left", "right"])),
            droppable=draw(st.booleans()),
            short=draw(st.sampled_from(["", "s"])),
        )
        for _ in range(count)
    )
    rows = draw(st.lists(st.tuples(*[numbers for _ in range(count)]), min_size=1, max_size=6))
    body: list = list(rows)
    if draw(st.booleans()):
        body.insert(len(body) // 2, Gap(draw(st.integers(1, 10**6))))
    return Table(columns, tuple(body))


def _text_lines(table: Table, width: int) -> list[str]:
    import io

    from rich.console import Console

    console = Console(file=io.StringIO(), width=width, no_color=True, highlight=False)
    with console.capture() as capture:
        for line in text.table_lines(table, width):
            console.print(line)
    return capture.get().splitlines()


@settings(max_examples=150, deadline=None)
@given(tables(), st.integers(60, 140))
def test_a_table_row_is_one_line_that_fits(table, width):
    lines = _text_lines(table, width)
    assert all(len(line) <= width for line in lines)
    assert not any(re.search(r"\d…", line) for line in lines)  # no number cut short
    rows = [row for row in table.rows if not isinstance(row, Gap)]
    if lines[1].startswith("─"):  # the grid layout: header, rule, then one line per row
        body = []
        for line in lines[2:]:
            if line.startswith("(left out"):
                break  # the note saying which columns were left out
            if not line.startswith("…"):
                body.append(line)
        assert len(body) == len(rows)
    else:  # records: one `name = value` line per cell
        assert sum(" = " in line for line in lines) == len(rows) * len(table.columns)


def test_narrow_tables_shorten_numbers_then_drop_columns_then_use_records():
    pi = math.pi
    columns = (Column("a"), Column("b", droppable=True), Column("c", droppable=True))
    table = Table(columns, ((pi * 1e5, -pi, pi / 7),))
    assert "314159" in " ".join(_text_lines(table, 100))
    wide = Table(tuple(Column(f"c{i}", droppable=i > 2) for i in range(10)), ((-pi,) * 10,))
    lines = _text_lines(wide, 80)
    assert "-3.142" in lines[2] and "-3.14159" not in lines[2]  # 4 significant digits
    lines = _text_lines(wide, 60)
    assert lines[-1] == "(left out for width: c7, c8, c9; --format json has them all)"
    crowded = Table(tuple(Column(f"column {i}") for i in range(12)), ((-pi,) * 12,))
    lines = _text_lines(crowded, 60)
    assert lines[0] == "column 0 = -3.142"  # nothing droppable: a record


def _view() -> View:
    return View(
        "a test",
        (
            Heading(("Title with y_pred",), 1),
            Paragraph((Span("Result: "), Math("y_pred = 2", rf"{name_latex('y_pred')} = 2"))),
            Note(("✓ checked: 5 % of {braces} & $dollars$ #hash ~ ^ \\ |x| --tol",), "check"),
            Formula("f(x) = x**2", "f(x) = x^{2}"),
            Section(
                Heading(("Part",)),
                (
                    Table(
                        (Column("name", align="left"), Column(Math("∂f/∂x", r"\partial f"))),
                        (("a_b|c", -1.5e-7), Gap(3), ("d", 2)),
                    ),
                    Tree((Math("d/dx", r"\frac{d}{dx}"),), (TreeNode((("leaf *x*",),)),)),
                ),
            ),
        ),
        "mathml test",
    )


def test_latex_escapes_text_and_names_identifiers():
    out = latex.write(_view())
    assert out.startswith("% mathml test")
    assert r"\mathit{y\_pred}" in out and r"Title with y\_pred" in out
    assert r"5 \% of \{braces\} \& \$dollars\$ \#hash" in out
    assert r"-{}-tol" in out and r"a\_b$|$c" in out
    assert r"-1.5 \times 10^{-7}" in out


def test_markdown_escapes_text_and_keeps_math_whole():
    out = markdown.write(_view())
    assert r"a\_b\|c" in out and r"leaf \*x\*" in out
    assert r"$\mathit{y\_pred} = 2$" in out
    assert "$$\nf(x) = x^{2}\n$$" in out
    assert "*… 3 rows not shown (--format json has them all) …*" in out


def test_html_is_escaped_and_has_mathml():
    out = html.write(_view())
    assert "&lt;" not in out.split("<body>")[0]
    assert "{braces} &amp; $dollars$" in out
    assert out.count("<math") == out.count("</math>") >= 4
    assert "<script" not in out


def test_text_has_no_trailing_spaces_and_no_markup():
    console = make_console()
    out = text.write(_view(), console)
    assert all(line == line.rstrip() for line in out.splitlines())
    assert "y_pred = 2" in out and "{braces} & $dollars$" in out  # as typed, nothing eaten


def test_plots_without_colour_give_each_series_its_own_marker(monkeypatch):
    from mathml_cli.render.plot import PLAIN_MARKERS, draw

    monkeypatch.setenv("NO_COLOR", "1")
    xs = tuple(float(x) for x in range(20))
    plot = Plot(
        "three curves",
        tuple(Series(name, xs, tuple(k * x for x in xs)) for k, name in enumerate("abc", 1)),
    )
    out = draw(plot, 78)
    # plotext's legend: a marker drawn twice, then the label ("•• a", "xx b", "++ c").
    legend = dict(re.findall(r" (\S)\1 ([abc])\b", out))
    assert sorted(legend.values()) == ["a", "b", "c"]
    assert len(set(legend)) == 3 and set(legend) <= set(PLAIN_MARKERS)
    assert "⢕" not in out


def test_derive_plots_log_where_it_is_finite(run):
    from mathml_cli.core.derive import derive
    from mathml_cli.render.derive import plot_view

    plot = plot_view(derive("log(x)", [], 1, None), None)
    f = plot.series[0]
    assert min(f.x) > 0  # log is plotted on (0, 5], not across its pole
    shown = [y for y in f.y if math.isfinite(y)]
    # The bulk of the curve is visible: log(x) spans about log(0.0125) to log(5) there.
    assert len(shown) > 0.9 * len(f.y) and max(shown) == math.log(max(f.x))
    out = run("derive", "log(x)", "--plot").stdout
    labels = [float(label) for label in re.findall(r"^ *(\S+)┤", out, re.MULTILINE)]
    assert 0 in labels and min(labels) > -5


def test_number_is_written_once_for_every_format():
    assert number(-0.0) == "0" and number(float("nan")) == "undefined"
    assert number(1234567.0) == "1.23457e+06" and number(3) == "3"


def _never_called() -> str:
    raise AssertionError("the text writer asked for LaTeX")


def test_text_never_makes_the_latex_it_does_not_print():
    import io

    from rich.console import Console

    lazy = Math("x**2", _never_called)
    view = View("t", (Paragraph(("f = ", lazy)), Tree((lazy,), (TreeNode(((lazy,),)),))))
    console = Console(file=io.StringIO(), width=80, no_color=True, highlight=False)
    assert "f = x**2" in text.write(view, console)


def test_latex_made_on_demand_is_the_latex_given_and_made_once():
    calls = []

    def make() -> str:
        calls.append(1)
        return "x^{2}"

    lazy, eager = Math("x**2", make), Math("x**2", "x^{2}")
    view = View("t", (Paragraph(("f = ", lazy, Math(" + 1", "+ 1"))),))
    assert latex.write(view) == latex.write(
        View("t", (Paragraph(("f = ", eager, Math(" + 1", "+ 1"))),))
    )
    assert lazy == eager and hash(lazy) == hash(eager)
    assert lazy.latex == "x^{2}" and len(calls) == 1


def test_a_curve_with_nothing_finite_to_draw_is_named_in_the_legend(run):
    # log(x) is not real on [-5, -1]; only its derivative 1/x is drawn, and the plot says so.
    out = run("derive", "log(x)", "--plot", "--range=-5:-1").stdout
    legend = [line for line in out.splitlines() if line.strip()][-1]
    assert "(no finite value of f = log(x) here)" in legend and "f' = 1/x" in legend
    labels = [float(label) for label in re.findall(r"^ *(\S+)┤", out, re.MULTILINE)]
    assert labels and min(labels) >= -1.0 - 1e-9 and max(labels) <= -0.2 + 1e-9
