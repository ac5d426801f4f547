"""Names with LaTeX's and HTML's special characters, shown as they were given.

A column named "a&b", "<y>", "price ($)" or "α_1" goes into LaTeX math as
\\text{...} with its specials escaped (`latex_escape`); the HTML writer reads
those words back (`latex_unescape`) for MathML's <mtext>, so a page shows the
name, never `a\\&b` or `$<$y$>$`, and never a tag made of it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mathml_cli.render import html
from mathml_cli.render.markdown import math as markdown_math
from mathml_cli.render.view import (
    _LATEX_ACCENTS,
    _LATEX_SPECIALS,
    latex_escape,
    latex_unescape,
    text_latex,
)

MATHML = "{http://www.w3.org/1998/Math/MathML}"
# The characters that need care, biased towards: LaTeX's, HTML's, the dashes that
# run together in LaTeX (- – —), the combining accents latex_escape writes as
# commands, and every other character latex_escape rewrites.
SPECIALS = "&%$#_{}~^\\<>|\"' -–—−" + "".join(_LATEX_ACCENTS) + "".join(_LATEX_SPECIALS)
# Characters an XML document can hold (MathML is XML), not line or paragraph breaks.
XML_TEXT = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"))
WORDS = st.text(st.one_of(st.sampled_from(SPECIALS), XML_TEXT), max_size=12)


@given(st.one_of(st.text(), WORDS))
@settings(max_examples=500, deadline=None)
def test_latex_unescape_inverts_latex_escape(words):
    assert latex_unescape(latex_escape(words)) == words


@pytest.mark.parametrize(
    ("words", "written"),
    [
        ("a&b", r"a\&b"),
        ("<y>", "$<$y$>$"),
        ("--tol", "-{}-tol"),
        ("-—", "-{}---"),
        ("a−b", "a$-$b"),
        ("x̂", r"\^{x}"),
        ("\u0302", r"\^{{}}"),  # an accent on nothing is not "^"
        ("^", r"\^{}"),
        ("✗ ×", r"$\boldsymbol{\times}$ $\times$"),
    ],
)
def test_latex_escape_writes_each_character_apart(words, written):
    assert latex_escape(words) == written
    assert latex_unescape(written) == words


def _mtexts(mathml: str) -> list[str]:
    root = ET.fromstring(mathml)  # well-formed XML, or this raises
    return [(node.text or "").replace("\xa0", " ") for node in root.iter(f"{MATHML}mtext")]


@given(WORDS)
@settings(max_examples=300, deadline=None)
def test_mathml_text_shows_the_words(words):
    latex = (
        rf"\beta_{{{text_latex(words)}}} = \frac{{{text_latex(words)}}}{{2}} + {text_latex(words)}"
    )
    assert _mtexts(html.mathml(latex)) == [words.replace("\xa0", " ")] * 3  # &#xA0; read as " "


def test_mathml_text_keeps_edge_spaces_and_other_groups():
    out = html.mathml(r"\text{if } x \geq 0,\ \textstyle \text{ a  b } \\ \text{\{\}}")
    assert "<mtext>if&#x000A0;</mtext>" in out
    assert "<mtext>&#x000A0;a&#x000A0;&#x000A0;b&#x000A0;</mtext>" in out
    assert _mtexts(out) == ["if ", " ", " a  b ", "{}"]  # "\\ " is latex2mathml's own


# --- through the commands, in every format -------------------------------------

FORMATS = ("text", "json", "latex", "markdown", "html")
ROWS = [(1, 2.5, 3.0), (2, 4.1, 2.0), (3, 5.9, 6.5), (4, 8.2, 4.0), (5, 9.0, 8.5), (6, 11.7, 7.0)]
ROWS += [(7, 12.1, 11.0), (8, 16.3, 9.5)]
# A name: at least one special character (an ASCII identifier is typeset as a variable,
# \mathit{...}, not as words), none at either end that a CSV reader strips.
NAMES = WORDS.filter(lambda s: s == s.strip() and s and not (s.isascii() and s.isidentifier()))


def _csv(names: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(names)
    out.write("".join(",".join(str(x) for x in row) + "\n" for row in ROWS))
    return out.getvalue()


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.headers: list[str] = []
        self._header: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "th":
            self._header = []

    def handle_endtag(self, tag):
        if tag == "th" and self._header is not None:
            self.headers.append("".join(self._header).replace("\xa0", " "))
            self._header = None

    def handle_data(self, data):
        if self._header is not None:
            self._header.append(data)


def _page(out: str) -> _Page:
    page = _Page()
    page.feed(out)
    page.close()
    return page


def _check_html(command: str, out: str, names: list[str], baseline: set[str]) -> None:
    page = _page(out)
    # Only the writer's own tags: none made of a name ("<script>", "<b>x").
    assert page.tags <= baseline, page.tags - baseline
    mtexts = [text for math in re.findall(r"<math.*?</math>", out, re.S) for text in _mtexts(math)]
    names = [name.replace("\xa0", " ") for name in names]  # as _Page and _mtexts read them
    for name in names:
        assert name in page.headers or (command == "regress" and name == names[-1]), name
    for name in names:
        assert name in mtexts or command == "pca", name  # pca: names only in <th>
    for text in mtexts:  # no LaTeX's escapes ($<$, \&, \textbackslash{}) but a name's own
        if text not in names:
            assert "$" not in text and "\\" not in text, text


def _check_json(command: str, out: str, names: list[str]) -> None:
    data = json.loads(out)
    if command == "regress":
        assert [*data["features"], data["target"]] == names
        assert list(data["coefficients"]) == ["intercept", *names[:-1]]
    elif command == "stats":
        assert [column["name"] for column in data["columns"]] == names
    else:
        assert data["columns"] == names


def _check_latex(out: str, names: list[str]) -> None:
    for name in names:
        assert latex_escape(name) in out, name
    for inside in re.findall(r"\\mathit\{((?:[^{}\\]|\\_)*)\}", out):
        assert inside.replace(r"\_", "_").isidentifier(), inside


def _check_markdown(command: str, out: str, names: list[str]) -> None:
    # KaTeX and MathJax take no text-mode escapes, and a "$" ends the math span:
    # each \text{...} holds only plain characters, the specials are math beside it.
    for inside in re.findall(r"\\text\{([^{}]*)\}", out):
        assert not set(inside) & set("$\\<>&%#_^~|"), inside
    for name in names:
        assert markdown_math(text_latex(name)) in out or command == "pca", name


COMMANDS = ("regress", "stats", "pca")


@pytest.fixture(scope="module")
def baselines():
    """The HTML tags each command writes for plain (non-identifier) names."""
    from typer.testing import CliRunner

    from mathml_cli.cli import app

    tags = {}
    for command in COMMANDS:
        result = CliRunner().invoke(
            app, [command, "-", "--format", "html"], input=_csv(["a a", "b b", "c c"])
        )
        assert result.exit_code == 0, result.output
        tags[command] = _page(result.stdout).tags
    return tags


@given(st.lists(NAMES, min_size=3, max_size=3, unique=True))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_column_names_in_every_format(run, baselines, names):
    from mathml_cli.core.describe import _is_table
    from mathml_cli.core.table import _cell_number

    table = _csv(names)
    # A header, not a row of numbers: no name is one ("1", "nan"), nor (for stats, which
    # splits the first line at every comma, quoted or not) a piece of one ("0," in "0,").
    assume(all(_cell_number(name) is None for name in names) and _is_table(table.encode()))
    for command in COMMANDS:
        for format_ in FORMATS:
            result = run(command, "-", "--format", format_, input=table)
            assert result.exit_code == 0, (command, format_, names, result.output)
            out = result.stdout
            if format_ == "json":
                _check_json(command, out, names)
            elif format_ == "html":
                _check_html(command, out, names, baselines[command])
            elif format_ == "latex":
                _check_latex(out, names)
            elif format_ == "markdown":
                _check_markdown(command, out, names)


@pytest.mark.parametrize("command", COMMANDS)
def test_named_examples(run, command):
    names = ["a&b", "<script>", "price ($)"]
    result = run(command, "-", "--format", "html", input=_csv(names))
    assert result.exit_code == 0, result.output
    page = _page(result.stdout)
    assert "script" not in page.tags
    assert {"a&b", "<script>"} <= set(page.headers)  # (regress: the target's is "y = …")
    assert r"\&" not in result.stdout and "$<$" not in result.stdout


def test_regress_column_named_like_an_expression_is_a_name(run):
    """A column "a-b" is one name, not a minus b; --features "x**2" is an expression."""
    table = "x,a-b,y\n" + "".join(f"{x},{b},{y}\n" for x, b, y in ROWS)
    result = run("regress", "-", "--features", "x,a-b,x**2", "--format", "latex", input=table)
    assert result.exit_code == 0, result.output
    assert r"\beta_{2} \text{a-b}" in result.stdout and r"\beta_{3} x^{2}" in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_control_characters_in_names_are_shown_as_symbols_in_html(run, command):
    # XML forbids them, so a raw one would make each MathML fragment unreadable.
    names = ["a\x01b", "c\x7fd", "y\x1b"]
    result = run(command, "-", "--format", "html", input=_csv(names))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", out)
    assert "a\u2401b" in out and "c\u2421d" in out
    for math in re.findall(r"<math.*?</math>", out, re.S):
        ET.fromstring(math)
