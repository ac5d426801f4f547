"""Every documented example, in every format, printed right.

The examples are the ones a user meets first: each `<!-- run: mathml ... -->`
in README.md and docs/, and each example in a command's --help. For each:

- text at COLUMNS=60, 80, 100 and 120: no line wider than the terminal (so
  the terminal never wraps a table row), no number cut short ("1.02…"), no
  trailing spaces;
- LaTeX: compiles with pdflatex and the packages its first line names, with no
  overfull box wider than 20pt (skipped without pdflatex);
- Markdown: every $…$ and $$…$$ is checked structurally (balanced braces, no
  bare _ in \\text{}), and parsed by KaTeX when node and the katex package are
  there (set KATEX_NODE_PATH to the node_modules folder holding katex:
  `npm install katex` in a folder outside the repo);
- HTML: one self-contained, well-formed page with MathML, no script, nothing
  fetched.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DATA = ROOT / "docs" / "data"
WIDTHS = (60, 80, 100, 120)
FORMATS = ("text", "json", "latex", "markdown", "html")


def _documented() -> list[tuple[list[str], str | None]]:
    """(arguments after `mathml`, stdin file) of every documented example, once each."""
    found: dict[str, tuple[list[str], str | None]] = {}
    for page in PAGES:
        for command in re.findall(r"<!-- run: (mathml [^\n]+?) -->", page.read_text()):
            path = None
            if " < " in command:
                command, path = (part.strip() for part in command.rsplit(" < ", 1))
            found.setdefault(f"{command} < {path}", (shlex.split(command)[1:], path))
    from typer.main import get_command

    from mathml_cli.cli import app

    for name, command in get_command(app).commands.items():  # type: ignore[attr-defined]
        for line in (command.help or "").splitlines():
            line, path = line.strip(), None
            if line.startswith("cat ") and "| mathml" in line:  # cat FILE | mathml ...
                source, line = (part.strip() for part in line.split("|", 1))
                path = source.split()[1]
                path = path if "/" in path else f"docs/data/{path}"
            if line.startswith(f"mathml {name}"):
                line = line.split(" | ", 1)[0]  # ... | dot -Tpng: only mathml's part
                found.setdefault(f"{line} < {path}", (shlex.split(line)[1:], path))
    return list(found.values())


def _located(arg: str) -> str:
    """A --help example's file (houses.csv, @step.txt) as if run in docs/data."""
    prefix, name = ("@", arg[1:]) if arg.startswith("@") else ("", arg)
    if name.endswith((".csv", ".txt")) and "/" not in name and (DATA / name).exists():
        return prefix + str(DATA / name)
    return arg


EXAMPLES = _documented()
IDS = [" ".join(args) + (f" < {path}" if path else "") for args, path in EXAMPLES]


def _run(args: list[str], path: str | None, columns: int = 100) -> tuple[int, str]:
    from mathml_cli.cli import app

    stdin = (ROOT / path).read_text() if path else None
    environment = {"NO_COLOR": "1", "COLUMNS": str(columns)}
    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    try:
        result = CliRunner().invoke(app, [_located(arg) for arg in args], input=stdin)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return result.exit_code, result.stdout


def _as_format(args: list[str], fmt: str) -> list[str]:
    """The example's arguments asking for `fmt` (without --plot where it cannot draw)."""
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("-f", "--format"):
            skip = True
        elif not arg.startswith("--format=") and not (
            arg == "--plot" and fmt not in ("text", "html")
        ):
            out.append(arg)
    return [*out, "--format", fmt]


@functools.cache
def _view(key: str) -> object | None:
    """The View an example builds (None for an error or --help): computed once, written
    by every writer at every width, as `emit_view` would."""
    import mathml_cli.render.output as output

    args, path = EXAMPLES[IDS.index(key)]
    captured: list[object] = []
    original = output.emit_view

    def capture(output_format: object, *, view: object, data: object) -> None:
        captured.append(view)

    output.emit_view = capture  # type: ignore[assignment]
    try:
        code, _ = _run(_as_format(args, "text"), path)
    finally:
        output.emit_view = original
    if code or not captured:
        return None
    return captured[0]()  # type: ignore[operator]


def _write(key: str, fmt: str, columns: int = 100) -> str | None:
    view = _view(key)
    if view is None:
        return None
    return _write_view(view, fmt, columns)


def _write_view(view: object, fmt: str, columns: int) -> str:
    from mathml_cli.render.output import OutputFormat, write_view

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(columns)
    try:
        return write_view(OutputFormat(fmt), view)  # type: ignore[arg-type]
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved


def test_the_examples_are_found():
    commands = {args[0] for args, _ in EXAMPLES}
    assert {"derive", "softmax", "dot", "backprop", "descend", "regress"} <= commands
    assert len(EXAMPLES) > 40


# --- text at every width ---------------------------------------------------------

CUT_NUMBER = re.compile(r"\d…")


@pytest.mark.parametrize("key", IDS)
def test_text_fits_every_width(key):
    for columns in WIDTHS:
        out = _write(key, "text", columns)
        if out is None:
            continue  # an example of an error (one line on stderr) or of --help
        for number, line in enumerate(out.splitlines(), start=1):
            where = f"COLUMNS={columns}, line {number}: {line!r}"
            assert cell_len(line) <= columns, f"wider than the terminal at {where}"
            assert line == line.rstrip(), f"trailing space at {where}"
            assert not CUT_NUMBER.search(line), f"a number cut short at {where}"


def test_every_command_is_checked():
    from typer.main import get_command

    from mathml_cli.cli import app

    commands = set(get_command(app).commands)  # type: ignore[attr-defined]
    shown = {args[0] for (args, _), key in zip(EXAMPLES, IDS, strict=True) if _view(key)}
    assert shown == commands
    # Only the examples of errors build no View: a help example whose file was not
    # found, or whose pipe was taken for an argument, would be skipped unseen.
    for (args, path), key in zip(EXAMPLES, IDS, strict=True):
        if _view(key) is None:
            code, _ = _run(args, path)
            assert code == 2, key


def _blocks(key: str, *kinds: type) -> list[object]:
    from mathml_cli.render import view as v

    view = _view(key)
    if view is None:
        return []
    return [block for block in v.flatten(view.blocks) if isinstance(block, kinds)]  # type: ignore[attr-defined]


def _alone(block: object, columns: int) -> list[str]:
    """One block of a View written by itself, as the text writer writes it in the page."""
    from mathml_cli.render import view as v

    return _write_view(v.View("", (block,)), "text", columns).rstrip("\n").split("\n")  # type: ignore[arg-type]


@pytest.mark.parametrize("key", IDS)
def test_table_rows_are_never_wrapped(key):
    from mathml_cli.render import view as v

    for block in _blocks(key, v.Table, v.Matrix):
        for columns in WIDTHS:
            lines = _alone(block, columns)
            where = f"COLUMNS={columns}: {lines[:6]}"
            if isinstance(block, v.Matrix):
                _assert_matrix_unwrapped(block, lines, where)
            elif len(lines) > 1 and set(lines[1]) == {"─"}:
                # A header, its rule, one line per row, and maybe the note of what was left out.
                rows, rest = lines[2 : 2 + len(block.rows)], lines[2 + len(block.rows) :]
                assert len(rows) == len(block.rows), where
                assert not rest or rest[0].startswith("(left out for width"), where
            else:
                # Records: every field starts a line `name = value`; a value longer than
                # the terminal goes on indented below it, never as a line of its own.
                starts = [line for line in lines if line and not line.startswith(" ")]
                fields = sum(1 if isinstance(row, v.Gap) else len(row) for row in block.rows)
                assert len(starts) == fields, where


def _assert_matrix_unwrapped(matrix: object, lines: list[str], where: str) -> None:
    """Its name, one line per row, and maybe the note of the columns left out."""
    rows = len(matrix.rows) + bool(matrix.name)  # type: ignore[attr-defined]
    assert len(lines) in (rows, rows + 1), where
    assert len(lines) == rows or "left out for width" in lines[-1], where


@pytest.mark.parametrize("size", [6, 8])
def test_wide_matrices_leave_columns_out_rather_than_wrap(size):
    """Complex eigenvectors (cells like `0.0039 - 0.36i`) are too wide for any terminal."""
    from mathml_cli.core.eigen import eigen
    from mathml_cli.render import eigen as render
    from mathml_cli.render import view as v

    matrix = np.random.default_rng(size).uniform(-1000, 1000, (size, size)).round(1)
    view = render.view(eigen(matrix.tolist()))
    matrices = [block for block in v.flatten(view.blocks) if isinstance(block, v.Matrix)]
    assert matrices
    for columns in WIDTHS:
        for block in matrices:
            lines = _alone(block, columns)
            _assert_matrix_unwrapped(block, lines, f"COLUMNS={columns}: {lines[:4]}")
            assert all(cell_len(line) <= columns for line in lines)


@pytest.mark.parametrize("columns", [60, 80])
def test_a_wide_product_keeps_its_first_and_last_columns(columns):
    rng = np.random.default_rng(0)
    a, b = (rng.uniform(-1000, 1000, (9, 9)).round(1) for _ in range(2))
    product = a @ b
    code, out = _run(["dot", json.dumps(a.tolist()), json.dumps(b.tolist())], None, columns)
    assert code == 0
    lines = out.splitlines()
    grid = lines[lines.index("  A·B =") + 1 :]
    grid = grid[: next(i for i, line in enumerate(grid) if "left out for width" in line)]
    shown = [line.split() for line in grid if "⋮" not in line]
    assert all("…" in cells for cells in shown)
    # The rows the view shows (the first and the last among them), each cut in the
    # middle: its first and last entries are A·B's, to the 2 digits that fit.
    for cells, i in ((shown[0], 0), (shown[-1], 8)):
        assert float(cells[0]) == pytest.approx(product[i, 0], rel=0.05)
        assert float(cells[-1]) == pytest.approx(product[i, -1], rel=0.05)
    assert all(cell_len(line) <= columns for line in lines)


def _words(text: str) -> list[str]:
    # The guides Rich draws beside a tree are not words.
    return [word for word in text.split() if not set(word) <= set("│├└─┬ ")]


@pytest.mark.parametrize("key", IDS)
def test_no_word_is_cut_across_lines(key):
    """Prose may wrap, but between words: a number or a formula is never cut in two."""
    from rich.console import Console, Group

    from mathml_cli.render import text
    from mathml_cli.render import view as v

    for block in _blocks(key, v.Heading, v.Paragraph, v.Note, v.Formula, v.Tree, v.Table):
        if isinstance(block, v.Table):  # its records, as a terminal wide enough writes them
            wide = Console(width=10_000, no_color=True)
            with wide.capture() as capture:
                wide.print(Group(*text._records(block)))
            whole = capture.get()
        else:
            whole = "\n".join(_alone(block, 10_000))
        for columns in WIDTHS:
            lines = _alone(block, columns)
            if isinstance(block, v.Table) and len(lines) > 1 and set(lines[1]) == {"─"}:
                continue  # rows of a table: one line each (test above)
            assert _words("\n".join(lines)) == _words(whole), f"COLUMNS={columns}: {lines}"


@pytest.mark.parametrize("key", IDS)
def test_no_format_has_trailing_spaces(key):
    for fmt in ("latex", "markdown", "html"):
        out = _write(key, fmt)
        if out is None:
            return
        for number, line in enumerate(out.splitlines(), start=1):
            assert line == line.rstrip(), f"{fmt}, line {number}: {line!r}"


# --- LaTeX -------------------------------------------------------------------------


@functools.cache
def _latex_outputs() -> dict[str, list[str]]:
    """Each command's LaTeX outputs of its documented examples."""
    outputs: dict[str, list[str]] = {}
    for (args, _), key in zip(EXAMPLES, IDS, strict=True):
        out = _write(key, "latex")
        if out is not None:
            outputs.setdefault(args[0], []).append(out)
    return outputs


def _preamble(fragment: str) -> str:
    packages = re.search(r"\\usepackage\{[^}]*\}", fragment.splitlines()[0])
    assert packages, "the first line names the packages"
    return packages[0]


@pytest.mark.parametrize(
    "command", ["derive", "softmax", "dot", "backprop", "descend", "regress", "explain"]
)
def test_latex_compiles_and_fits_the_page(command, pdflatex):
    fragments = _latex_outputs().get(command)
    if not fragments:
        pytest.skip(f"{command} has no View yet")
    overfull = pdflatex("\n\\clearpage\n".join(fragments), preamble=_preamble(fragments[0]))
    assert all(width <= 20 for width in overfull), overfull


def test_latex_names_identifiers_and_typesets_math():
    _, out = _run(["derive", "y_pred*log(y_true)", "-f", "latex"], None)
    assert r"\mathit{y\_pred}" in out and r"\mathit{y\_true}" in out
    assert "y_{pred}" not in out and "texttt" not in out
    _, out = _run(["backprop", "w1*x1 + b", "--at", "w1=1,x1=2,b=0", "-f", "latex"], None)
    assert "texttt" not in out and "w_{1} x_{1}" in out


# --- Markdown ------------------------------------------------------------------------

MATH = re.compile(r"\$\$\n(.*?)\n\$\$|(?<![\\$])\$(?!\$)(.+?)(?<!\\)\$", re.DOTALL)


def math_spans(markdown: str) -> list[str]:
    """Every $…$ and $$…$$ of a Markdown page (in table cells as well)."""
    return [display or inline for display, inline in MATH.findall(markdown)]


@functools.cache
def _markdown_math() -> list[tuple[str, str]]:
    spans = []
    for key in IDS:
        out = _write(key, "markdown")
        if out is not None:
            spans += [(key, span) for span in math_spans(out)]
    return spans


def structural_problems(span: str) -> list[str]:
    problems = []
    depth = 0
    for position, char in enumerate(span):
        escaped = position and span[position - 1] == "\\"
        if char == "{" and not escaped:
            depth += 1
        elif char == "}" and not escaped:
            depth -= 1
            if depth < 0:
                problems.append("a } closes nothing")
    if depth:
        problems.append("unbalanced braces")
    for text in re.findall(r"\\text\{((?:[^{}]|\{[^{}]*\})*)\}", span):
        if re.search(r"(?<!\\)_", text):
            problems.append(f"a bare _ inside \\text{{{text}}}")
    if "\n\n" in span:
        problems.append("a blank line inside math")
    return problems


def test_markdown_math_is_well_formed():
    spans = _markdown_math()
    assert len(spans) > 100
    bad = [(where, span, structural_problems(span)) for where, span in spans]
    assert [item for item in bad if item[2]] == []


def test_the_structural_check_bites():
    assert structural_problems(r"\text{exam_score}")
    assert structural_problems(r"\frac{a}{b")
    assert not structural_problems(r"\mathit{exam\_score} = \frac{1}{2}")


def _katex_dir() -> str | None:
    folder = os.environ.get("KATEX_NODE_PATH")
    if not folder or shutil.which("node") is None:
        return None
    return folder if (Path(folder) / "katex").exists() else None


KATEX_CHECK = """
const katex = require('katex');
const spans = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const errors = [];
for (const span of spans) {
  try { katex.renderToString(span, {throwOnError: true, strict: 'ignore'}); }
  catch (error) { errors.push([span, String(error.message)]); }
}
process.stdout.write(JSON.stringify(errors));
"""


@pytest.mark.skipif(
    _katex_dir() is None,
    reason="no KaTeX: set KATEX_NODE_PATH to a node_modules holding katex (npm install katex)",
)
def test_markdown_math_parses_with_katex():
    spans = sorted({span for _, span in _markdown_math()})
    done = subprocess.run(
        ["node", "-e", KATEX_CHECK],
        input=json.dumps(spans),
        capture_output=True,
        text=True,
        env={**os.environ, "NODE_PATH": _katex_dir() or ""},
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout) == []


# --- HTML ------------------------------------------------------------------------------

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}
SVG_LEAVES = {"circle", "rect", "polyline", "polygon", "line", "path", "mspace", "none"}


class _PageChecker(HTMLParser):
    """Tags that close in order, and a count of what the page holds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.counts: dict[str, int] = {}
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.counts[tag] = self.counts.get(tag, 0) + 1
        for name, value in attrs:
            if name in ("src", "href") or (value or "").startswith(("http:", "https:")):
                if not (name == "xmlns" or (value or "").startswith("http://www.w3.org/")):
                    self.problems.append(f"<{tag} {name}={value}> fetches something")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.counts[tag] = self.counts.get(tag, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()


def check_page(page: str) -> _PageChecker:
    checker = _PageChecker()
    checker.feed(page)
    checker.close()
    assert page.startswith("<!DOCTYPE html>")
    assert checker.problems == [] and checker.stack == []
    assert checker.counts.get("script", 0) == 0
    assert checker.counts.get("html") == 1 and checker.counts.get("style") == 1
    return checker


@pytest.mark.parametrize("key", IDS)
def test_html_is_one_self_contained_page(key):
    out = _write(key, "html")
    if out is None:
        return
    checker = check_page(out)
    assert checker.counts.get("math", 0) + checker.counts.get("table", 0) > 0


def test_html_plots_are_svg_with_a_marker_per_series():
    _, out = _run(["derive", "sin(x)", "--plot", "--at", "x=1", "-f", "html"], None)
    checker = check_page(out)
    assert checker.counts.get("svg") == 1 and checker.counts.get("polyline", 0) >= 2
    # Four series (f, f', the tangent, the point): circle, square, triangle, diamond markers.
    assert checker.counts.get("circle", 0) and checker.counts.get("rect", 0) > 1
    assert checker.counts.get("polygon", 0)


# --- one notation for derivatives -----------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "html"])
def test_partials_use_partial_and_ordinary_derivatives_use_d(fmt):
    _, several = _run(["derive", "sin(x*y)", "-f", fmt], None)
    _, one = _run(["derive", "sin(x)", "-f", fmt], None)
    partial = {
        "text": "∂/∂x",
        "latex": r"\partial x",
        "markdown": r"\partial x",
        "html": "&#x02202;",
    }
    assert partial[fmt] in several
    assert partial[fmt] not in one
    # The inner letter of a chain rule is a plain d/du even among partials.
    assert ("d/du" in several) if fmt == "text" else True


PARTIAL = {"text": "∂", "latex": r"\partial", "markdown": r"\partial", "html": "&#x02202;"}


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "html"])
def test_descend_writes_d_for_one_variable_and_partials_for_several(fmt):
    _, one = _run(["descend", "(x-3)**2", "--start", "x=0", "--steps", "3", "-f", fmt], None)
    _, two = _run(["descend", "bowl", "--steps", "3", "-f", fmt], None)
    assert "∂" not in one and PARTIAL[fmt] not in one  # df/dx, in the table's header too
    # ∇f = (∂f/∂x, ∂f/∂y) in every format, not only in the terminal; and ∂f/∂x, ∂f/∂y
    # head the table's columns.
    assert two.count(PARTIAL[fmt]) == 8


@pytest.mark.parametrize("name", ["sigmoid", "mse", "softmax", "l2", "huber"])
def test_explain_derives_in_the_notation_of_its_closed_form(name):
    _, out = _run(["explain", name], None)
    derived = next(line for line in out.splitlines() if line.startswith("Derived: "))
    closed = next(line for line in out.splitlines() if line.startswith("Closed form: "))
    assert ("∂" in derived) == ("∂" in closed)
    assert ("∂" in derived) == (name != "sigmoid")


# --- the cases the issue named -------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "args"),
    [
        (80, ["descend", "bowl", "-o", "adam", "--lr", "0.5", "--steps", "100", "--every", "20"]),
        (100, ["descend", "bowl", "--optimizer", "adam", "--lr", "0.1", "--steps", "300"]),
    ],
)
def test_descend_rows_are_never_split(columns, args):
    from mathml_cli.core.descend import descend, prepare

    code, out = _run(args, None, columns)
    assert code == 0
    lines = out.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("───"))
    rows = lines[rule + 1 : lines.index("", rule)]
    rows = [row for row in rows if not row.startswith("showing")]
    # One line per shown step, each starting with its step number, each a full row.
    steps = [int(row.split()[0]) for row in rows]
    assert steps == sorted(steps) and steps[0] == 0
    assert len({len(row.split()) for row in rows[1:]}) == 1
    # The numbers are the run's own, shortened but not cut: x at the last shown step.
    run = descend(
        prepare("bowl", None),
        "adam",
        {"lr": float(args[args.index("--lr") + 1])},
        steps=int(args[args.index("--steps") + 1]),
    )
    last = rows[-1].split()
    assert float(last[1]) == pytest.approx(run.points[steps[-1]][0], rel=1e-3)


def test_regress_at_60_columns_cuts_no_cell():
    import statsmodels.api as sm

    code, out = _run(["regress", "docs/data/houses.csv"], None, 60)
    assert code == 0 and not CUT_NUMBER.search(out)
    table = [line for line in out.splitlines() if line.startswith(("intercept", "sqft"))]
    data = np.loadtxt(ROOT / "docs/data/houses.csv", delimiter=",", skiprows=1)
    fit = sm.OLS(data[:, 3], sm.add_constant(data[:, :3])).fit()
    for line, estimate in zip(table[-2:], fit.params[:2], strict=True):
        assert float(line.split()[1]) == pytest.approx(estimate, rel=1e-3)


def test_markdown_names_with_underscores_parse():
    csv = "exam_score,hours_studied\n50,1\n55,2\n61,3\n64,4\n"
    from mathml_cli.cli import app

    out = CliRunner().invoke(app, ["regress", "-", "-f", "markdown"], input=csv).stdout
    spans = math_spans(out)
    assert any(r"\mathit{exam\_score}" in span for span in spans)
    assert not [span for span in spans if structural_problems(span)]
    assert "text{exam_score}" not in out
