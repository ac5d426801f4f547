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

from mathml_cli.render.view import (
    Block,
    Formula,
    Gap,
    Heading,
    Line,
    Math,
    Matrix,
    Note,
    Paragraph,
    Plot,
    Section,
    Table,
    Tree,
    TreeNode,
    View,
    cell_latex,
    latex_escape,
    matrix_latex,
    merged,
)

PACKAGES = r"\usepackage{amsmath,amssymb,longtable}"
# A formula longer than this (in characters of its text form) may not fit on
# one line of an A4 page, so it is set as in-line math that TeX can break.
DISPLAY_LIMIT = 60
ROLE_COMMANDS = {"strong": r"\textbf", "result": r"\textbf", "rule": r"\textbf", "bad": r"\textbf"}


def write(view: View) -> str:
    lines = [f"% {view.source or view.title}  (needs {PACKAGES})"]
    for block in view.blocks:
        lines.extend(_block(block))
    return "\n".join(lines).rstrip("\n") + "\n"


def inline(line: Line) -> str:
    out: list[str] = []
    for piece in merged(line):
        if isinstance(piece, str):
            out.append(latex_escape(piece))
        elif isinstance(piece, Math):
            out.append(f"${_breakable(piece.latex)}$")
        else:
            command = ROLE_COMMANDS.get(piece.role, r"\emph" if piece.role == "note" else "")
            escaped = latex_escape(piece.text)
            out.append(f"{command}{{{escaped}}}" if command else escaped)
    return "".join(out)


_FENCE = re.compile(r"\\(left|right)(\\[{}]|[()\[\]|.])")


def _breakable(latex: str) -> str:
    """Math TeX may break at its operators: \\left...\\right groups cannot break."""
    return _FENCE.sub(lambda m: "" if m[2] == "." else m[2], latex)


def _block(block: Block) -> list[str]:
    if isinstance(block, Section):
        lines = _block(block.heading) if block.heading else []
        for inner in block.blocks:
            lines.extend(_block(inner))
        return lines
    if isinstance(block, Heading):
        command = {1: "section", 2: "subsection"}.get(block.level, "subsubsection")
        return [rf"\{command}*{{{inline(block.content)}}}", ""]
    if isinstance(block, Paragraph):
        return [_indented(inline(block.content), block.indent), ""]
    if isinstance(block, Note):
        text = inline(block.content)
        if block.kind == "info":
            text = rf"\emph{{{text}}}"
        elif block.kind in ("warning", "failure"):
            text = rf"\textbf{{{text}}}"
        return [_indented(text, block.indent), ""]
    if isinstance(block, Formula):
        if len(block.text) <= DISPLAY_LIMIT:
            return [r"\[", block.latex, r"\]", ""]
        return [_indented(rf"$\displaystyle {_breakable(block.latex)}$", 1), ""]
    if isinstance(block, Table):
        return [*_table(block), ""]
    if isinstance(block, Matrix):
        return [r"\[", matrix_latex(block), r"\]", ""]
    if isinstance(block, Tree):
        lines = [_indented(inline(block.root), 0), ""]
        for child in block.children:
            lines.extend(_node(child, 1))
        return lines
    if isinstance(block, Plot):
        return [f"% plot omitted: {latex_escape(block.title)} (see --format text or html)", ""]
    raise TypeError(f"not a block: {block!r}")


def _indented(text: str, depth: int) -> str:
    """A paragraph whose every line starts `depth` steps in, ragged right."""
    skip = f"{1.5 * depth:g}em"
    return rf"{{\raggedright\leftskip={skip}\noindent {text}\par}}"


def _node(node: TreeNode, depth: int) -> list[str]:
    first, *rest = node.lines
    lines = [_indented(r"$\bullet$ " + inline(first), depth)]
    lines.extend(_indented(r"\hspace*{1em}" + inline(line), depth) for line in rest)
    lines.append("")
    for child in node.children:
        lines.extend(_node(child, depth + 1))
    return lines


def _table(table: Table) -> list[str]:
    spec = "".join("l" if column.align == "left" else "r" for column in table.columns)
    headers = " & ".join(
        f"${column.header.latex}$"
        if isinstance(column.header, Math)
        else r"\textbf{" + latex_escape(column.header) + "}"
        for column in table.columns
    )
    many = len(table.columns) > 6
    lines = [r"{\footnotesize\setlength{\tabcolsep}{3pt}" if many else "{"]
    lines += [rf"\begin{{longtable}}{{{spec}}}", headers + r" \\", r"\hline", r"\endhead"]
    for row in table.rows:
        if isinstance(row, Gap):
            words = latex_escape(row.words())
            lines.append(rf"\multicolumn{{{len(table.columns)}}}{{l}}{{\emph{{{words}}}}} \\")
            continue
        cells = [f"${cell_latex(c, column)}$" for c, column in zip(row, table.columns, strict=True)]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\end{longtable}", "}"]
    return lines
