"""The text writer: any View for the terminal, through Rich.

Colour only on a terminal and never with NO_COLOR (render.output.make_console).
A table row is always one line: when a table is wider than the terminal the
writer shortens numbers to 4 significant digits, then uses short headers, then
leaves out the columns a view marked droppable (and says which), and only then
writes each row as a record, one `name = value` line per field (a value longer than
the terminal goes on below, indented past its name).
"""

from __future__ import annotations

import re
from typing import Any

from mathml_cli.render import view as v

# Rich styles, in one place so every command looks alike.
STYLES: dict[str, str] = {
    "strong": "bold",
    "result": "bold green",
    "rule": "bold cyan",
    "formula": "magenta",
    "muted": "dim",
    "good": "green",
    "bad": "bold red",
    "note": "yellow",
}
NOTE_STYLES = {"info": "dim", "warning": "yellow", "check": "green", "failure": "bold red"}
INDENT = 2
SHORT_DIGITS = 4


def write(view: v.View, console: Any) -> str:
    """The View as the terminal shows it (ANSI codes only if the console has colour)."""
    from rich.console import Group

    renderables: list[Any] = []
    for block in view.blocks:
        _block(block, renderables, console.width)
    with console.capture() as capture:
        console.print(Group(*renderables))
    return _strip_trailing_spaces(str(capture.get()).replace(_GLUE, " "))


# Rich wraps at any Unicode space, the no-break space too; so a no-break space
# (a label and its value, "max 0.38") is this non-space stand-in, of the same
# width, until the lines are made.
_GLUE = "\ue000"


_TRAILING = re.compile(r"[ \t]+((?:\x1b\[[0-9;]*m)*)$")


def _strip_trailing_spaces(text: str) -> str:
    # Line by line: one regex over the whole text retries at every run of
    # spaces, which took seconds on a long derivation.
    return "\n".join(
        _TRAILING.sub(r"\1", line) if line.endswith("m") else line.rstrip(" \t")
        for line in text.split("\n")
    )


def rich_line(line: v.Line, style: str = "") -> Any:
    """A Line as a Rich Text (math in its text form)."""
    from rich.text import Text

    text = Text(style=style)
    for piece in line:
        if isinstance(piece, str):
            words, role = piece, None
        else:
            words, role = piece.text, piece.role
        text.append(words.replace("\xa0", _GLUE), style=STYLES[role] if role else "")
    return text


def _block(block: v.Block, out: list[Any], width: int) -> None:  # noqa: C901 - one branch per kind of View block
    from rich.padding import Padding
    from rich.text import Text

    if isinstance(block, v.Section):
        if out:
            out.append(Text(""))
        if block.heading is not None:
            _block(block.heading, out, width)
        for inner in block.blocks:
            _block(inner, out, width)
    elif isinstance(block, v.Heading):
        out.append(rich_line(block.content, "bold"))
    elif isinstance(block, v.Paragraph):
        out.append(Padding(rich_line(block.content), (0, 0, 0, INDENT * block.indent)))
    elif isinstance(block, v.Note):
        note = rich_line(block.content, NOTE_STYLES[block.kind])
        out.append(Padding(note, (0, 0, 0, INDENT * block.indent)))
    elif isinstance(block, v.Formula):
        out.append(Padding(Text(block.text, style=STYLES["formula"]), (0, 0, 0, INDENT)))
    elif isinstance(block, v.Table):
        out.extend(table_lines(block, width))
    elif isinstance(block, v.Matrix):
        out.extend(matrix_lines(block, width))
    elif isinstance(block, v.Tree):
        out.append(_tree(block))
    elif isinstance(block, v.Plot):
        from mathml_cli.render.plot import draw

        out.append(Text(""))
        out.append(Text.from_ansi(draw(block, width)))


def _tree(tree: v.Tree) -> Any:
    from rich.tree import Tree as RichTree

    root = RichTree(rich_line(tree.root), guide_style="dim")
    for child in tree.children:
        _add_node(root, child)
    return root


def _add_node(parent: Any, node: v.TreeNode) -> None:
    from rich.text import Text

    label = Text("\n").join(rich_line(line) for line in node.lines)
    branch = parent.add(label)
    for child in node.children:
        _add_node(branch, child)


# --- tables -----------------------------------------------------------------


def table_lines(table: v.Table, width: int) -> list[Any]:
    """A table as Rich Text lines, each row on one line within `width` (see module doc)."""
    kept = list(range(len(table.columns)))
    for digits, short in ((None, False), (SHORT_DIGITS, False), (SHORT_DIGITS, True)):
        layout = _Layout(table, kept, digits, short)
        if layout.total() <= width:
            return layout.lines()
    dropped: list[str] = []
    while any(table.columns[i].droppable for i in kept):
        last = table.columns[max(i for i in kept if table.columns[i].droppable)]
        going = [
            i
            for i in kept
            if table.columns[i] is last or (last.group and table.columns[i].group == last.group)
        ]
        dropped[:0] = [_header(table.columns[i], False) for i in going]
        kept = [i for i in kept if i not in going]
        layout = _Layout(table, kept, SHORT_DIGITS, True)
        if layout.total() <= width:
            return [*layout.lines(), _dropped_note(dropped)]
    return _records(table)


def _header(column: v.Column, short: bool) -> str:
    if short and column.short:
        return column.short
    return column.header.text if isinstance(column.header, v.Math) else column.header


def matrix_lines(matrix: v.Matrix, width: int) -> list[Any]:
    """A matrix as an aligned grid under its name, shortened (never wrapped) to fit:
    fewer digits, then the columns before the last one left out (with a note)."""
    from rich.padding import Padding
    from rich.text import Text

    indent = INDENT * matrix.indent
    count = max((len(row) for row in matrix.rows), default=0)
    grid = v.Table(tuple(v.Column("", role=matrix.role) for _ in range(count)), matrix.rows)
    lines: list[Any] = (
        [Padding(rich_line((matrix.name, " =")), (0, 0, 0, indent))] if matrix.name else []
    )
    # The grid sits one step further in than its name.
    room = width - indent - INDENT
    left_out = 0
    for digits in (None, SHORT_DIGITS, 2):
        layout = _Layout(grid, list(range(count)), digits, False)
        if layout.total() <= room:
            break
    else:
        layout, left_out = _cut_columns(matrix.rows, grid.columns, room)
    lines.extend(Padding(line, (0, 0, 0, indent + INDENT)) for line in layout.lines()[2:])
    if left_out:
        columns = "1 column" if left_out == 1 else f"{left_out} columns"
        note = f"({columns} left out for width: see --format json)"
        lines.append(Padding(Text(note, style="dim"), (0, 0, 0, indent + INDENT)))
    return lines


_CUTS = ("…", "⋮", "⋱")


def _cut_columns(
    rows: tuple[tuple[v.Cell, ...], ...], columns: tuple[v.Column, ...], room: int
) -> tuple[_Layout, int]:
    """A matrix's grid at 2 digits with as few columns before its last one left out as
    fit `room`, a "…" column in their place; and how many columns of numbers were left
    out (a column the view had already cut to "…" is not counted again)."""

    def cut(index: int) -> bool:
        return all(row[index] in _CUTS for row in rows)

    count = len(columns)
    layout = _Layout(v.Table(columns, rows), list(range(count)), 2, False)
    left_out = 0
    for head in range(count - 2, 0, -1):
        if cut(head - 1):
            continue  # the view's own cut column would stand beside this one
        cut_rows = tuple(
            (*row[:head], "⋱" if all(cell in _CUTS for cell in row) else "…", row[-1])
            for row in rows
        )
        layout = _Layout(v.Table(columns[: head + 2], cut_rows), list(range(head + 2)), 2, False)
        left_out = sum(not cut(index) for index in range(head, count - 1))
        if layout.total() <= room:
            break
    return layout, left_out


class _Layout:
    """The cells of the kept columns as text, and the width each column needs."""

    def __init__(self, table: v.Table, kept: list[int], digits: int | None, short: bool):
        self.columns = [table.columns[i] for i in kept]
        self.headers = [_header(column, short) for column in self.columns]
        self.rows: list[list[str] | v.Gap] = [
            row
            if isinstance(row, v.Gap)
            else [v.cell_text(row[i], table.columns[i], digits) for i in kept]
            for row in table.rows
        ]
        self.widths = [
            max([len(header), 1, *(len(row[n]) for row in self.rows if isinstance(row, list))])
            for n, header in enumerate(self.headers)
        ]

    def total(self) -> int:
        return sum(self.widths) + 2 * (len(self.widths) - 1)

    def lines(self) -> list[Any]:
        from rich.text import Text

        roles = [STYLES[column.role] if column.role else "" for column in self.columns]
        lines = [self._line(self.headers, ["bold"] * len(self.columns))]
        lines.append(Text("─" * self.total(), style="dim"))
        for row in self.rows:
            if isinstance(row, v.Gap):
                lines.append(Text(row.words(), style="yellow"))
            else:
                lines.append(self._line(row, roles))
        return lines

    def _line(self, cells: list[str], styles: list[str]) -> Any:
        from rich.text import Text

        text = Text()
        for index, (cell, column) in enumerate(zip(cells, self.columns, strict=True)):
            if index:
                text.append("  ")
            pad = " " * (self.widths[index] - len(cell))
            text.append(cell + pad if column.align == "left" else pad + cell, style=styles[index])
        return text


def _dropped_note(dropped: list[str]) -> Any:
    from rich.text import Text

    names = ", ".join(dropped)
    return Text(
        f"(left out for width: {names}; --format json has them all)",
        style="dim",
    )


def _records(table: v.Table) -> list[Any]:
    """Each row as `name = value` lines: the layout of last resort for narrow terminals.

    A value too long for the terminal goes on below itself, indented past its name, so
    that no part of it reads as a field of its own; a column with no name (the one
    that labels the rows) heads its record alone."""
    from rich.table import Table
    from rich.text import Text

    lines: list[Any] = []
    headers = [_header(column, False) for column in table.columns]
    for index, row in enumerate(table.rows):
        if index:
            lines.append(Text(""))
        if isinstance(row, v.Gap):
            lines.append(Text(row.words(), style="yellow"))
            continue
        for header, column, cell in zip(headers, table.columns, row, strict=True):
            value = v.cell_text(cell, column.replace(digits=min(column.digits, SHORT_DIGITS)))
            style = STYLES[column.role] if column.role else ""
            if not header:
                lines.append(Text(value, style=style or "bold"))
                continue
            field = Table.grid()
            field.add_column(no_wrap=True)
            field.add_column()
            field.add_row(f"{header} = ", Text(value, style=style))
            lines.append(field)
    return lines
