"""The LaTeX writer: any View as a body fragment for a document with amsmath and longtable.

The first line is a comment naming the command and the packages the fragment
needs; the rest compiles inside `\\begin{document}...\\end{document}` of an
article. Long formulas are set as breakable in-line math, so they wrap at a
relation or an operator instead of running off the page; tables are
longtables (they break across pages), set smaller when they have many columns.
Plots are for the terminal and HTML: here a comment says so.
"""

from __future__ import annotations

import re

from mathml_cli.render import view as v

PACKAGES = r"\usepackage{amsmath,amssymb,longtable}"
# A formula longer than this (in characters of its text form) may not fit on
# one line of an A4 page, so it is set as in-line math that TeX can break.
DISPLAY_LIMIT = 60
ROLE_COMMANDS = {"strong": r"\textbf", "result": r"\textbf", "rule": r"\textbf", "bad": r"\textbf"}


def write(view: v.View) -> str:
    lines = [f"% {view.source or view.title}  (needs {PACKAGES})"]
    for block in v.flatten(view.blocks):
        lines.extend(_block(block))
    return "\n".join(lines).rstrip("\n") + "\n"


def inline(line: v.Line) -> str:
    return v.write_line(line, v.latex_escape, lambda m: f"${_breakable(m.latex)}$", _span)


def _span(span: v.Span) -> str:
    command = ROLE_COMMANDS.get(span.role, r"\emph" if span.role == "note" else "")
    escaped = v.latex_escape(span.text)
    return f"{command}{{{escaped}}}" if command else escaped


_FENCE = re.compile(r"\\(left|right)(\\[{}]|[()\[\]|.])")


def _breakable(latex: str) -> str:
    """Math TeX may break at its operators: \\left...\\right groups cannot break."""
    return _FENCE.sub(lambda m: "" if m[2] == "." else m[2], latex)


def _block(block: v.Block) -> list[str]:
    if isinstance(block, v.Heading):
        command = {1: "section", 2: "subsection"}.get(block.level, "subsubsection")
        return [rf"\{command}*{{{inline(block.content)}}}", ""]
    if isinstance(block, v.Paragraph):
        return [_indented(inline(block.content), block.indent), ""]
    if isinstance(block, v.Note):
        text = inline(block.content)
        if block.kind == "info":
            text = rf"\emph{{{text}}}"
        elif block.kind in ("warning", "failure"):
            text = rf"\textbf{{{text}}}"
        return [_indented(text, block.indent), ""]
    if isinstance(block, v.Formula):
        if len(block.text) <= DISPLAY_LIMIT:
            return [r"\[", block.latex, r"\]", ""]
        return [_indented(rf"$\displaystyle {_breakable(block.latex)}$", 1), ""]
    if isinstance(block, v.Table):
        return [*_table(block), ""]
    if isinstance(block, v.Matrix):
        return [r"\[", v.matrix_latex(block), r"\]", ""]
    if isinstance(block, v.Tree):
        lines = [_indented(inline(block.root), 0), ""]
        for child in block.children:
            lines.extend(_node(child, 1))
        return lines
    if isinstance(block, v.Plot):
        return [f"% plot omitted: {v.latex_escape(block.title)} (see --format text or html)", ""]
    raise TypeError(f"not a block: {block!r}")


def _indented(text: str, depth: int) -> str:
    """A paragraph whose every line starts `depth` steps in, ragged right."""
    skip = f"{1.5 * depth:g}em"
    return rf"{{\raggedright\leftskip={skip}\noindent {text}\par}}"


def _node(node: v.TreeNode, depth: int) -> list[str]:
    first, *rest = node.lines
    lines = [_indented(r"$\bullet$ " + inline(first), depth)]
    lines.extend(_indented(r"\hspace*{1em}" + inline(line), depth) for line in rest)
    lines.append("")
    for child in node.children:
        lines.extend(_node(child, depth + 1))
    return lines


# About this many characters of small type fit across an article's text block.
SMALL_LINE = 80


def _widths(table: v.Table, kept: list[int]) -> list[int]:
    """Each kept column's width in characters of its text form: a fair guess at print."""
    widths = []
    for index in kept:
        column = table.columns[index]
        header = column.header.text if isinstance(column.header, v.Math) else column.header
        cells = [
            len(v.cell_text(row[index], column)) for row in table.rows if not isinstance(row, v.Gap)
        ]
        widths.append(max([len(header), *cells]) + 2)
    return widths


def _wrappable(table: v.Table, kept: list[int], widths: list[int]) -> list[int]:
    """Positions (in `kept`) of the long text columns, which may wrap inside their cells."""
    return [
        n
        for n, (index, width) in enumerate(zip(kept, widths, strict=True))
        if table.columns[index].align == "left" and width > 14
    ]


def _least_width(table: v.Table, kept: list[int]) -> int:
    """How narrow the table can be with its long text columns wrapped."""
    widths = _widths(table, kept)
    wrappable = _wrappable(table, kept, widths)
    return sum(14 if n in wrappable else w for n, w in enumerate(widths))


def _spec(table: v.Table, kept: list[int]) -> str:
    """Column types: r and l, and for a table still too wide, its long text columns as
    paragraphs (p{...}) sharing what the narrow columns leave of the line."""
    widths = _widths(table, kept)
    columns = [table.columns[i] for i in kept]
    wide = [
        n
        for n, (w, c) in enumerate(zip(widths, columns, strict=True))
        if c.align == "left" and w > 14
    ]
    if sum(widths) <= SMALL_LINE or not wide:
        return "".join("l" if c.align == "left" else "r" for c in columns)
    room = max(SMALL_LINE - sum(w for n, w in enumerate(widths) if n not in wide), 14 * len(wide))
    share = sum(widths[n] for n in wide)
    spec = []
    for n, column in enumerate(columns):
        if n in wide:
            fraction = min(widths[n], room * widths[n] / share) / SMALL_LINE
            spec.append(rf"p{{{fraction:.2f}\linewidth}}")
        else:
            spec.append("l" if column.align == "left" else "r")
    return "".join(spec)


def _cell(cell: v.Cell, column: v.Column) -> str:
    # Words stay text (they wrap in a p column); numbers and math are math.
    if isinstance(cell, str) and cell not in ("…", "⋮", "⋱"):
        return v.latex_escape(cell)
    if isinstance(cell, v.Math):
        return f"${_breakable(cell.latex)}$"
    return f"${v.cell_latex(cell, column)}$"


def _table(table: v.Table) -> list[str]:
    """A longtable in small type: long text columns wrap in their cells, and only if it is
    still too wide do the columns marked droppable go (with a note)."""
    kept = list(range(len(table.columns)))
    dropped: list[str] = []
    while _least_width(table, kept) > SMALL_LINE and any(table.columns[i].droppable for i in kept):
        index = max(i for i in kept if table.columns[i].droppable)
        header = table.columns[index].header
        dropped.insert(0, header.text if isinstance(header, v.Math) else header)
        kept.remove(index)
    columns = [table.columns[i] for i in kept]
    spec = _spec(table, kept)
    headers = " & ".join(
        f"${column.header.latex}$"
        if isinstance(column.header, v.Math)
        else r"\textbf{" + v.latex_escape(column.header) + "}"
        for column in columns
    )
    lines = [r"{\footnotesize\setlength{\tabcolsep}{3pt}"]
    lines += [rf"\begin{{longtable}}{{{spec}}}", headers + r" \\", r"\hline", r"\endhead"]
    for row in table.rows:
        if isinstance(row, v.Gap):
            words = v.latex_escape(row.words())
            lines.append(rf"\multicolumn{{{len(columns)}}}{{l}}{{\emph{{{words}}}}} \\")
            continue
        cells = [_cell(row[i], table.columns[i]) for i in kept]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\end{longtable}", "}"]
    if dropped:
        words = f"(left out for width: {', '.join(dropped)}; --format json has them all)"
        lines.append(_indented(rf"\emph{{{v.latex_escape(words)}}}", 0))
    return lines
