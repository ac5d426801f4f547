"""The Markdown writer: any View for GitHub and Jupyter.

Math is `$…$` in a line and `$$…$$` on its own lines (both parse with KaTeX
and MathJax), tables are pipe tables, trees are nested lists. Plain words are
escaped so a `*` or `_` in a name never turns into emphasis.
"""

from __future__ import annotations

import re

from mathml_cli.render import view as v

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|$#~])")
_TRAILING_SPACES = re.compile(r"[ \t]+$", re.MULTILINE)


# Characters a \\text{...} cannot hold as they are in KaTeX and MathJax alike (which
# take no text-mode escapes such as $<$), written as math beside it; "$" would
# also end a Markdown math span, and "<" start an HTML tag.
_MATH_FOR = {
    "\\": r"\backslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"\hat{}",
    "~": r"\sim{}",
    "<": r"\lt{}",
    ">": r"\gt{}",
    "|": r"\vert{}",
}
_TEXT_RUNS = re.compile("([" + re.escape("".join(_MATH_FOR)) + "])")


def escape(words: str) -> str:
    # (A no-break space only keeps a label with its value in the terminal.)
    return _SPECIAL.sub(r"\\\1", words.replace("\xa0", " "))


def math(latex: str) -> str:
    """LaTeX for KaTeX and MathJax: the words of each \\text{...} as they read, no
    space at either end (a `$` after a space does not close the math) and no bare
    `|`, which would end a table cell."""
    return v.map_text_groups(latex, _text).replace("|", r"\vert{}").strip()


def _text(words: str) -> str:
    pieces = _TEXT_RUNS.split(words)
    return "".join(
        _MATH_FOR[piece] if piece in _MATH_FOR else r"\text{" + piece + "}"
        for piece in pieces
        if piece
    )


def write(view: v.View) -> str:
    lines: list[str] = []
    for block in v.flatten(view.blocks):
        lines.extend(_block(block))
    # A line never ends in spaces: "**Result:** " would otherwise end one, and two
    # trailing spaces are a hard line break in Markdown.
    return _TRAILING_SPACES.sub("", "\n".join(lines)).strip("\n") + "\n"


def inline(line: v.Line) -> str:
    return v.write_line(line, escape, lambda m: f"${math(m.latex)}$", _span)


def _span(span: v.Span) -> str:
    if span.role in ("strong", "result", "rule", "bad"):
        return _emphasis(span.text, "**")
    if span.role in ("muted", "note"):
        return _emphasis(span.text, "*")
    return escape(span.text)


def _emphasis(text: str, mark: str) -> str:
    # Emphasis must hug its words: "**Result:** x", not "**Result: **x".
    words = text.strip()
    if not words:
        return text
    before = text[: len(text) - len(text.lstrip())]
    after = text[len(text.rstrip()) :]
    return f"{before}{mark}{escape(words)}{mark}{after}"


def _block(block: v.Block) -> list[str]:
    if isinstance(block, v.Heading):
        return ["#" * min(block.level + 1, 6) + " " + inline(block.content), ""]
    if isinstance(block, v.Paragraph):
        return [inline(block.content), ""]
    if isinstance(block, v.Note):
        text = inline(block.content)
        if block.kind == "info":
            return [f"*{text}*", ""]
        if block.kind in ("warning", "failure"):
            return [f"> {text}", ""]
        return [text, ""]
    if isinstance(block, v.Formula):
        return ["$$", math(block.latex), "$$", ""]
    if isinstance(block, v.Table):
        return [*_table(block), ""]
    if isinstance(block, v.Matrix):
        return ["$$", math(v.matrix_latex(block)), "$$", ""]
    if isinstance(block, v.Tree):
        lines = [inline(block.root), ""]
        for child in block.children:
            lines.extend(_node(child, 0))
        return [*lines, ""]
    if isinstance(block, v.Plot):
        return [f"<!-- plot omitted: {block.title} (see --format text or html) -->", ""]
    raise TypeError(f"not a block: {block!r}")


def _node(node: v.TreeNode, depth: int) -> list[str]:
    indent = "  " * depth
    first, *rest = node.lines
    lines = [f"{indent}- {inline(first)}"]
    lines.extend(f"{indent}  - {inline(line)}" for line in rest)
    for child in node.children:
        lines.extend(_node(child, depth + 1))
    return lines


def _table(table: v.Table) -> list[str]:
    headers = [
        "$" + math(column.header.latex) + "$"
        if isinstance(column.header, v.Math)
        else escape(column.header)
        for column in table.columns
    ]
    rules = ["---:" if column.align == "right" else ":---" for column in table.columns]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(rules) + " |"]
    for row in table.rows:
        if isinstance(row, v.Gap):
            cells = [f"*{escape(row.words())}*"] + [""] * (len(table.columns) - 1)
        else:
            cells = [_cell(cell, column) for cell, column in zip(row, table.columns, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _cell(cell: v.Cell, column: v.Column) -> str:
    if isinstance(cell, str):
        return escape(cell)
    if cell is None:
        return ""
    # A bare | would end the cell, even inside math.
    return "$" + math(v.cell_latex(cell, column)) + "$"
