"""The Markdown writer: any View for GitHub and Jupyter.

Math is `$…$` in a line and `$$…$$` on its own lines (both parse with KaTeX
and MathJax), tables are pipe tables, trees are nested lists. Plain words are
escaped so a `*` or `_` in a name never turns into emphasis.
"""

from __future__ import annotations

import re

from mathml_cli.render.view import (
    Block,
    Cell,
    Column,
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
    matrix_latex,
    merged,
)

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|$#~])")


def escape(words: str) -> str:
    return _SPECIAL.sub(r"\\\1", words)


def write(view: View) -> str:
    lines: list[str] = []
    for block in view.blocks:
        lines.extend(_block(block))
    return "\n".join(lines).strip("\n") + "\n"


def inline(line: Line) -> str:
    out: list[str] = []
    for piece in merged(line):
        if isinstance(piece, str):
            out.append(escape(piece))
        elif isinstance(piece, Math):
            out.append(f"${piece.latex.strip()}$")
        elif piece.role in ("strong", "result", "rule", "bad"):
            out.append(_emphasis(piece.text, "**"))
        elif piece.role in ("muted", "note"):
            out.append(_emphasis(piece.text, "*"))
        else:
            out.append(escape(piece.text))
    return "".join(out)


def _emphasis(text: str, mark: str) -> str:
    # Emphasis must hug its words: "**Result:** x", not "**Result: **x".
    words = text.strip()
    if not words:
        return text
    before = text[: len(text) - len(text.lstrip())]
    after = text[len(text.rstrip()) :]
    return f"{before}{mark}{escape(words)}{mark}{after}"


def _block(block: Block) -> list[str]:
    if isinstance(block, Section):
        lines = _block(block.heading) if block.heading else []
        for inner in block.blocks:
            lines.extend(_block(inner))
        return lines
    if isinstance(block, Heading):
        return ["#" * min(block.level + 1, 6) + " " + inline(block.content), ""]
    if isinstance(block, Paragraph):
        return [inline(block.content), ""]
    if isinstance(block, Note):
        text = inline(block.content)
        if block.kind == "info":
            return [f"*{text}*", ""]
        if block.kind in ("warning", "failure"):
            return [f"> {text}", ""]
        return [text, ""]
    if isinstance(block, Formula):
        return ["$$", block.latex, "$$", ""]
    if isinstance(block, Table):
        return [*_table(block), ""]
    if isinstance(block, Matrix):
        return ["$$", matrix_latex(block), "$$", ""]
    if isinstance(block, Tree):
        lines = [inline(block.root), ""]
        for child in block.children:
            lines.extend(_node(child, 0))
        return [*lines, ""]
    if isinstance(block, Plot):
        return [f"<!-- plot omitted: {block.title} (see --format text or html) -->", ""]
    raise TypeError(f"not a block: {block!r}")


def _node(node: TreeNode, depth: int) -> list[str]:
    indent = "  " * depth
    first, *rest = node.lines
    lines = [f"{indent}- {inline(first)}"]
    lines.extend(f"{indent}  - {inline(line)}" for line in rest)
    for child in node.children:
        lines.extend(_node(child, depth + 1))
    return lines


def _table(table: Table) -> list[str]:
    headers = [
        "$" + column.header.latex.replace("|", r"\vert ") + "$"
        if isinstance(column.header, Math)
        else escape(column.header)
        for column in table.columns
    ]
    rules = ["---:" if column.align == "right" else ":---" for column in table.columns]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(rules) + " |"]
    for row in table.rows:
        if isinstance(row, Gap):
            cells = [f"*{escape(row.words())}*"] + [""] * (len(table.columns) - 1)
        else:
            cells = [_cell(cell, column) for cell, column in zip(row, table.columns, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _cell(cell: Cell, column: Column) -> str:
    if isinstance(cell, str):
        return escape(cell)
    if cell is None:
        return ""
    # A bare | would end the cell, even inside math.
    return "$" + cell_latex(cell, column).replace("|", r"\vert ") + "$"
