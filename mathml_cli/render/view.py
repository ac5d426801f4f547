"""An explanation as data: the View every command builds once and every writer prints.

A command's renderer module has two functions and nothing else:

    view(result, **options) -> View      what a person reads, in any format
    data(result) -> dict                  what a script reads (--format json, docs/json.md)

and the writers (render/text.py, latex.py, markdown.py, html.py) each print any
View; `render.output.emit_view` picks the one asked for. No Rich in here: these
are frozen records (mathml_cli/records.py), cheap to import.

The model (a View is a tuple of blocks; a block's text is a Line of inline pieces):

    Inline pieces
      str                      words, printed as they are (each writer escapes them)
      Math(text, latex, role)  mathematics: `text` for the terminal, `latex` (math mode,
                               no $) for LaTeX, Markdown ($…$) and HTML (MathML)
      Span(text, role)         words with a role (see Role), e.g. a bold label
    Line = tuple of inline pieces

    Blocks
      Heading(line, level=2)           a title; level 1 for the page, 2 for a part, 3 below
      Paragraph(line, indent=0)        prose; indent is a nesting depth (0, 1, 2)
      Note(line, kind="info", indent=0) a remark: kind info | warning | check | failure
      Formula(text, latex)             one displayed formula
      Table(columns, rows)             Column(header, align, format, digits, role,
                                       droppable, short); rows are tuples of cells
                                       (float, int, str, Math, None) or a Gap(count)
                                       where rows were left out (see `thin`)
      Matrix(rows, name, role)         a vector or matrix: a grid in text, a pmatrix elsewhere
      Tree(root, children)             TreeNode(lines, children): derivation steps, graphs
      Plot(title, series, kind, ...)   Series(label, x, y, style): numbers, not pixels;
                                       kind lines | bars | heat (a grid of f with paths)
      Section(heading, blocks)         a group of blocks under an optional heading

    View(title, blocks, source="")     title names the page (HTML <title>); source is
                                       the command that made it (the LaTeX comment line)

Helpers: `number(value)` formats a float for people (the one place that does),
`name_latex(identifier)` typesets a variable's name, `column_latex(name)` a
column's (words in \\text{...} unless an ASCII identifier), `text_latex(words)`
words in math (`latex_unescape` reads them back, for HTML), `thin(rows, head, tail)`
keeps the first and last rows of a long table with a Gap between.

Numbers stay numbers in Table cells: the writers format them by the column's
format, so the text writer can shorten them when the terminal is narrow.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Literal, Protocol, TypeVar

from mathml_cli.records import FrozenRecordError, Record

# What a piece of text is, so each writer can show it its own way
# (Rich styles, \textbf, **bold**, CSS classes).
Role = Literal["strong", "result", "rule", "formula", "muted", "good", "bad", "note"]
NoteKind = Literal["info", "warning", "check", "failure"]
Align = Literal["left", "right"]
# How a column's numbers are written: general (significant digits), integer,
# scientific (one digit before the point, e.g. 1.2e-05), text (as given).
NumberFormat = Literal["general", "integer", "scientific", "text"]


class Math:
    """A piece of mathematics in its two written forms.

    The LaTeX may be given as a function that writes it, called the first time a
    writer asks: a SymPy expression's LaTeX costs several times its text form
    (seconds for a derivation of deeply nested functions), and text and JSON
    output never read it. Frozen, compared and hashed by value, as the records are.
    """

    __slots__ = ("text", "_latex", "role")
    text: str
    _latex: str | Callable[[], str]
    role: Role | None

    def __init__(self, text: str, latex: str | Callable[[], str], role: Role | None = None):
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "_latex", latex)
        object.__setattr__(self, "role", role)

    @property
    def latex(self) -> str:
        latex = self._latex
        if not isinstance(latex, str):
            latex = latex()
            object.__setattr__(self, "_latex", latex)
        return latex

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenRecordError(f"cannot assign to field {name!r} of a Math")

    def __delattr__(self, name: str) -> None:
        raise FrozenRecordError(f"cannot delete field {name!r} of a Math")

    def __eq__(self, other: object) -> bool:
        if type(other) is not Math:
            return NotImplemented
        return (self.text, self.latex, self.role) == (other.text, other.latex, other.role)

    def __hash__(self) -> int:
        return hash((Math, self.text, self.latex, self.role))

    def __repr__(self) -> str:
        return f"Math(text={self.text!r}, latex={self.latex!r}, role={self.role!r})"


class Span(Record):
    """Words with a role, e.g. Span("Result:", "strong")."""

    text: str
    role: Role = "strong"


Inline = str | Math | Span
Line = tuple[Inline, ...]


class Heading(Record):
    content: Line
    level: int = 2


class Paragraph(Record):
    content: Line
    indent: int = 0


class Note(Record):
    content: Line
    kind: NoteKind = "info"
    indent: int = 0


class Formula(Record):
    text: str
    latex: str


class Column(Record):
    """One table column: how its header reads and how its cells are written.

    `droppable` columns may be left out when the terminal is too narrow (the
    text writer says which), the columns of one `group` together; `short` is a
    narrower header to use first.
    """

    header: str | Math
    align: Align = "right"
    format: NumberFormat = "general"
    digits: int = 6
    role: Role | None = None
    droppable: bool = False
    short: str = ""
    group: str = ""


Cell = float | int | str | Math | None


class Gap(Record):
    """Where `count` rows of a table were left out (JSON keeps them all)."""

    count: int
    what: str = "rows"

    def words(self) -> str:
        return f"… {self.count:,} {self.what} not shown (--format json has them all) …"


Row = tuple[Cell, ...] | Gap


class Table(Record):
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


class Matrix(Record):
    """A vector or matrix of numbers, `name = (...)`; cells "…", "⋮", "⋱" mark a cut.

    Text prints an aligned grid (numbers shortened rather than wrapped), the
    other writers a pmatrix.
    """

    rows: tuple[tuple[Cell, ...], ...]
    name: Math | None = None
    role: Role | None = None
    indent: int = 1


class TreeNode(Record):
    """A node: its first line is its label, further lines explain it."""

    lines: tuple[Line, ...]
    children: tuple[TreeNode, ...] = ()


class Tree(Record):
    root: Line
    children: tuple[TreeNode, ...]


class Series(Record):
    label: str
    x: tuple[float, ...]
    y: tuple[float, ...]
    style: Literal["line", "scatter"] = "line"


class _Styled(Protocol):
    @property
    def style(self) -> str: ...


StyledT = TypeVar("StyledT", bound=_Styled)


def drawing_order(series: Sequence[StyledT]) -> list[tuple[int, StyledT]]:
    """(index, series) with lines before points, so a fitted line never hides the data
    it runs through; the index keeps each series' marker and colour."""
    return sorted(enumerate(series), key=lambda pair: pair[1].style == "scatter")


class Plot(Record):
    """A chart as numbers.

    kind "lines": curves and point sets on one pair of axes; "bars": one
    horizontal bar per label in `bar_labels` (the values are the one series' y);
    "heat": f on a grid (`heat`, rows from the top of `y_range` down, columns
    across `x_range`), light for low values, with the series drawn as paths on it.
    """

    title: str
    series: tuple[Series, ...]
    xlabel: str = ""
    ylabel: str = ""
    log_y: bool = False
    kind: Literal["lines", "bars", "heat"] = "lines"
    bar_labels: tuple[str, ...] = ()
    heat: tuple[tuple[float, ...], ...] = ()
    x_range: tuple[float, float] = (0.0, 1.0)
    y_range: tuple[float, float] = (0.0, 1.0)


class Section(Record):
    heading: Heading | None
    blocks: tuple[Block, ...]


Block = Heading | Paragraph | Note | Formula | Table | Matrix | Tree | Plot | Section


class View(Record):
    title: str
    blocks: tuple[Block, ...]
    source: str = ""


# --- helpers every view uses ------------------------------------------------


def count(n: int, noun: str) -> str:
    """`1 row`, `2 rows`, `1,000 rows`."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def number(value: float | int | None, digits: int = 6) -> str:
    """A number for people: `digits` significant digits, no '-0', 'undefined' for nan."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "undefined"
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "0"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return f"{value:.{digits}g}"


def number_latex(value: float | int | None, digits: int = 6) -> str:
    """The same number in LaTeX math: 1e-05 becomes 1 \\times 10^{-5}."""
    text = number(value, digits)
    if text == "undefined":
        return r"\text{undefined}"
    if text in ("∞", "-∞"):
        return text.replace("∞", r"\infty")
    mantissa, e, exponent = text.partition("e")
    if not e:
        return text
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else rf"{mantissa} \times {power}"


def num(value: float | int | None, digits: int = 6, role: Role | None = None) -> Math:
    """A number as an inline piece, typeset as math outside the terminal."""
    return Math(number(value, digits), number_latex(value, digits), role)


_GREEK = {
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "pi",
    "rho",
    "sigma",
    "tau",
    "upsilon",
    "phi",
    "chi",
    "psi",
    "omega",
}
# One letter (or a Greek name) with an optional index: x, x1, x_1, w_2, beta_1, x_i.
_INDEXED = re.compile(r"^(?P<base>[A-Za-z]|" + "|".join(_GREEK) + r")_?(?P<index>[0-9]+|[a-z])?$")


def name_latex(identifier: str) -> str:
    """A variable's name in LaTeX, the same choice everywhere.

    One letter with an index is subscripted (w_{1}); any other name is set
    upright-italic as one word with its underscores (\\mathit{y\\_pred}), so
    `y_pred` never reads as y with subscript "pred" nor as y·p·r·e·d. A name
    that is not an identifier (a column "price ($)") is words: `text_latex`.
    """
    if not identifier.isidentifier():
        return text_latex(identifier)
    match = _INDEXED.match(identifier)
    if match:
        base = match["base"]
        base = "\\" + base if base in _GREEK else base
        index = match["index"]
        return f"{base}_{{{index}}}" if index else base
    return r"\mathit{" + identifier.replace("_", r"\_") + "}"


def column_latex(name: str) -> str:
    """A table column's name in LaTeX math: `name_latex` for an ASCII identifier
    (x1, sqft, y_pred), else words in \\text{...} ("a&b", "x y", "α_1", "<y>"),
    whose letters plain pdflatex may not have in math and which HTML shows as given."""
    return name_latex(name) if name.isascii() and name.isidentifier() else text_latex(name)


def text_latex(words: str) -> str:
    """Words inside LaTeX math, as \\text{...} with the specials escaped
    (`latex_unescape` reads them back)."""
    return r"\text{" + latex_escape(words) + "}"


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "_": r"\_",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "&": r"\&",
    "^": r"\^{}",
    "~": r"\~{}",
    "…": r"\ldots{}",
    "\xa0": "~",  # a no-break space (a label kept with its value)
    "−": r"$-$",  # a minus, not the hyphen "-" (which latex_unescape must tell apart)
    # Symbols of the terminal text that plain pdflatex does not know.
    "✓": r"\checkmark{}",
    "✗": r"$\boldsymbol{\times}$",  # bold: "×" is $\times$
    "∂": r"$\partial$",
    "∇": r"$\nabla$",
    "Σ": r"$\Sigma$",
    "∑": r"$\sum$",
    "≤": r"$\le$",
    "≥": r"$\ge$",
    "≈": r"$\approx$",
    "→": r"$\to$",
    "←": r"$\leftarrow$",
    "∞": r"$\infty$",
    "·": r"$\cdot$",
    "×": r"$\times$",
    "⋮": r"$\vdots$",
    "²": r"\textsuperscript{2}",
    "√": r"$\surd$",
    "‖": r"$\|$",
    "⌊": r"$\lfloor$",
    "⌋": r"$\rfloor$",
    "∈": r"$\in$",
    "°": r"$^\circ$",
    "ᵀ": r"\textsuperscript{T}",
    "—": "---",
    "–": "--",
    "|": r"$|$",
    "<": r"$<$",
    ">": r"$>$",
    # explain's prose: ŷ for a prediction, eˣ, x³, ±1, ½e², σ′.
    "ŷ": r"$\hat{y}$",
    "ˣ": r"\textsuperscript{x}",
    "³": r"\textsuperscript{3}",
    "±": r"$\pm$",
    "½": r"$\frac{1}{2}$",
    # Primes: σ′ in explain's prose; a re-assigned c is c′, c″, c‴ in backprop's programs.
    "′": r"$'$",
    "″": r"$''$",
    "‴": r"$'''$",
    # backprop's layers.
    "⊙": r"$\odot$",
    "▸": r"$\triangleright$",
}


# Greek letters, which plain pdflatex has only in math.
_LATEX_SPECIALS.update(
    {
        chr(code): f"$\\{name}$"
        for code, name in zip(
            range(0x3B1, 0x3CA),
            (
                "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi o pi rho "
                "varsigma sigma tau upsilon phi chi psi omega"
            ).split(),
            strict=True,
        )
        if name != "o"
    }
)
_LATEX_SPECIALS.update(
    {
        letter: f"$\\{name}$"
        for letter, name in zip(
            "ΓΔΘΛΞΠΣΥΦΨΩ",
            ("Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split(),
            strict=True,
        )
    }
)


_LATEX_SPECIALS.update({chr(0x2080 + d): rf"\textsubscript{{{d}}}" for d in range(10)})
_LATEX_SPECIALS.update({"¹": r"\textsuperscript{1}", "³": r"\textsuperscript{3}"})
# Combining accents, written as the accent command on the letter before them (x̄, m̂).
_LATEX_ACCENTS = {"\u0302": "\\^", "\u0303": "\\~", "\u0304": "\\=", "\u0307": "\\."}


def latex_escape(text: str) -> str:
    """Words safe in LaTeX text mode (and inside \\text{...}); `--tol` keeps two hyphens.

    Each character is written on its own (a combining accent wraps the one before it,
    \\^{x}), and no two characters' writings run together (`-{}-`, not the en dash
    `--`), so `latex_unescape` gives the text back exactly.
    """
    pieces: list[str] = []
    for char in text:
        if char in _LATEX_ACCENTS:
            # An accent on nothing is on an empty group: \\^{{}}, not \\^{} (a "^").
            base = pieces.pop() if pieces else "{}"
            pieces.append(f"{_LATEX_ACCENTS[char]}{{{base}}}")
        else:
            pieces.append(_LATEX_SPECIALS.get(char, char))
    out: list[str] = []
    for piece in pieces:
        if out and out[-1].endswith("-") and piece.startswith("-"):
            out.append("{}")  # "-" then "–" is not "---", an em dash
        out.append(piece)
    return "".join(out)


# latex_escape's writings read back; the dashes (runs of "-") are read apart.
_LATEX_UNESCAPES = {
    written: char for char, written in _LATEX_SPECIALS.items() if not written.startswith("-")
}
_DASHES = {"-": "-", "--": "–", "---": "—"}
_ACCENT_CHARS = {command[1]: char for char, command in _LATEX_ACCENTS.items()}
_LATEX_COMMAND = re.compile(r"\\([A-Za-z]+|.)", re.DOTALL)


def latex_group_end(latex: str, start: int) -> int:
    """Where the brace group opening at latex[start] ("{") closes, + 1; escaped
    braces (\\{, \\}) do not count. len(latex) + 1 if it never closes."""
    depth = 0
    index = start
    while index < len(latex):
        char = latex[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return len(latex) + 1


def map_text_groups(latex: str, rewrite: Callable[[str], str]) -> str:
    """The LaTeX with each \\text{...} group replaced by `rewrite(words)`, the words
    as `latex_unescape` reads them back (for writers whose math cannot hold
    latex_escape's text-mode escapes: MathML, Markdown's KaTeX and MathJax)."""
    if "\\text{" not in latex:
        return latex
    out: list[str] = []
    index = 0
    while (match := _LATEX_COMMAND.search(latex, index)) is not None:
        end = match.end()
        if match[1] != "text" or not latex.startswith("{", end):
            out.append(latex[index:end])
            index = end
            continue
        close = latex_group_end(latex, end)
        out.append(
            latex[index : match.start()] + rewrite(latex_unescape(latex[end + 1 : close - 1]))
        )
        index = close
    out.append(latex[index:])
    return "".join(out)


def latex_unescape(latex: str) -> str:
    """The words `latex_escape` wrote: latex_unescape(latex_escape(s)) == s for any s.

    For the text of a \\text{...} group, e.g. to show it in HTML; anything
    latex_escape does not write is kept as it is.
    """
    out: list[str] = []
    index = 0
    while index < len(latex):
        char = latex[index]
        if char == "-":
            end = index
            while end < len(latex) and latex[end] == "-":
                end += 1
            run = latex[index:end]
            out.append(_DASHES.get(run, run))
            index = end
        elif char == "$":
            end = latex.find("$", index + 1)
            written = latex[index : end + 1] if end >= 0 else latex[index:]
            out.append(_LATEX_UNESCAPES.get(written, written))
            index += len(written)
        elif char == "~":
            out.append("\xa0")
            index += 1
        elif char == "{":
            end = latex_group_end(latex, index)
            out.append(latex_unescape(latex[index + 1 : end - 1]))
            index = end
        elif char == "\\":
            index = _unescape_command(latex, index, out)
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _unescape_command(latex: str, index: int, out: list[str]) -> int:
    """Read the command at latex[index] ("\\") into `out`; where the text goes on."""
    match = _LATEX_COMMAND.match(latex, index)
    if match is None:  # a "\\" at the very end
        out.append("\\")
        return index + 1
    end = match.end()
    has_group = latex.startswith("{", end)
    group_end = latex_group_end(latex, end) if has_group else end
    name = match[1]
    if name in _ACCENT_CHARS and has_group:
        inner = latex[end + 1 : group_end - 1]
        if not inner and name in "^~":
            out.append(name)  # \\^{}: the character ^ itself
        else:
            out.append(latex_unescape(inner) + _ACCENT_CHARS[name])
        return group_end
    if has_group and latex[index:group_end] in _LATEX_UNESCAPES:
        out.append(_LATEX_UNESCAPES[latex[index:group_end]])
        return group_end
    written = latex[index:end]
    out.append(_LATEX_UNESCAPES.get(written, written))
    return end


T = TypeVar("T")


def head_and_tail(items: Sequence[T], head: int, tail: int) -> tuple[list[T], list[T], int]:
    """The first `head` and last `tail` items, and how many are left out between them."""
    if len(items) <= head + tail:
        return list(items), [], 0
    return list(items[:head]), list(items[len(items) - tail :]), len(items) - head - tail


def thin(
    rows: Sequence[tuple[Cell, ...]], head: int, tail: int, what: str = "rows"
) -> tuple[Row, ...]:
    """A long table's first `head` and last `tail` rows with a Gap between them."""
    first, last, omitted = head_and_tail(rows, head, tail)
    if not omitted:
        return tuple(first)
    return (*first, Gap(omitted, what), *last)


def plain(line: Line) -> str:
    """A line as plain text (the terminal form of its math)."""
    return "".join(piece if isinstance(piece, str) else piece.text for piece in line)


def cell_text(cell: Cell, column: Column, digits: int | None = None) -> str:
    """A table cell as text, numbers written by the column's format."""
    if cell is None:
        return ""
    if isinstance(cell, Math):
        return cell.text
    if isinstance(cell, str):
        return cell
    if column.format == "integer" or isinstance(cell, bool):
        return str(cell)
    shown = column.digits if digits is None else min(digits, column.digits)
    if column.format == "scientific" and isinstance(cell, float) and math.isfinite(cell) and cell:
        return f"{cell:.{max(shown - 1, 0)}e}"
    return number(cell, shown)


_CUT_LATEX = {"…": r"\cdots", "⋮": r"\vdots", "⋱": r"\ddots"}


def matrix_latex(matrix: Matrix) -> str:
    """`name = (the pmatrix)`."""
    column = Column("")
    rows = [" & ".join(cell_latex(cell, column) for cell in row) for row in matrix.rows]
    body = r"\begin{pmatrix}" + r" \\ ".join(rows) + r"\end{pmatrix}"
    return f"{matrix.name.latex} = {body}" if matrix.name else body


def cell_latex(cell: Cell, column: Column) -> str:
    """A table cell in LaTeX math (without the $)."""
    if isinstance(cell, Math):
        return cell.latex
    if isinstance(cell, str) and cell in _CUT_LATEX:
        return _CUT_LATEX[cell]
    if isinstance(cell, str) or cell is None:
        return text_latex(cell or "")
    text = cell_text(cell, column)
    mantissa, e, exponent = text.partition("e")
    if e:
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return number_latex(cell) if text in ("undefined", "∞", "-∞") else text


def flatten(blocks: Sequence[Block]) -> Iterator[Block]:
    """The blocks with every Section opened: its heading, then its blocks, in order.

    For writers whose format has no grouping of its own (LaTeX, Markdown)."""
    for block in blocks:
        if isinstance(block, Section):
            if block.heading is not None:
                yield block.heading
            yield from flatten(block.blocks)
        else:
            yield block


def write_line(
    line: Line,
    words: Callable[[str], str],
    math: Callable[[Math], str],
    span: Callable[[Span], str],
) -> str:
    """A line as one writer writes it: each piece by the writer's function for its kind,
    adjacent math first joined into one formula (see `merged`)."""
    return "".join(
        words(piece)
        if isinstance(piece, str)
        else math(piece)
        if isinstance(piece, Math)
        else span(piece)
        for piece in merged(line)
    )


def _joined_latex(first: Math, second: Math) -> Callable[[], str]:
    return lambda: f"{first.latex} {second.latex}"


def merged(line: Line) -> Line:
    """The line with each run of adjacent Math pieces joined into one.

    Writers that open and close math ($…$, <math>) print `a = b` as one
    formula rather than three touching ones (`$a$$=$$b$` would even read as
    display math in Markdown).
    """
    out: list[Inline] = []
    for piece in line:
        previous = out[-1] if out else None
        if isinstance(piece, Math) and isinstance(previous, Math):
            role = previous.role if previous.role == piece.role else None
            out[-1] = Math(previous.text + piece.text, _joined_latex(previous, piece), role)
        else:
            out.append(piece)
    return tuple(out)
