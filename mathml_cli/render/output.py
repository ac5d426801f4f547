"""The one output pipeline every command goes through.

A command computes its result first, then hands it here with two ways to
present it: its View (render/view.py), which the writer of the chosen format
prints, and its JSON-ready data. Output is produced whole and written in one
go, so a failure never leaves half an answer on the screen. The writers are
imported only when asked for, so a command loads Rich only to print text.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable
from enum import Enum
from typing import IO, Any


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    latex = "latex"
    markdown = "markdown"
    html = "html"


def make_console(file: IO[str] | None = None, *, stderr: bool = False) -> Any:
    """A Rich console: colour only on a terminal and never with NO_COLOR."""
    from rich.console import Console

    target = file if file is not None else (sys.stderr if stderr else sys.stdout)
    no_color = bool(os.environ.get("NO_COLOR"))
    return Console(
        file=target,
        no_color=no_color,
        highlight=False,
        soft_wrap=False,
        emoji=False,
        markup=False,
        width=_width(target),
    )


def _width(target: IO[str]) -> int | None:
    # Rich uses 80 columns when not on a terminal; honour COLUMNS there too.
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 20:
        return int(columns)
    isatty = getattr(target, "isatty", None)
    return None if isatty and isatty() else 100


# Past this size JSON is written on one line: indenting makes Python's json use
# its slow pure-Python encoder (seconds for a 1000×1000 matrix), and nobody
# reads a megabyte of JSON by eye.
INDENT_LIMIT = 1_000_000


def to_json(data: Any) -> str:
    """JSON text; NaN and infinities (which JSON lacks) become null."""
    try:
        compact = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError:  # a NaN or an infinity somewhere
        data = _finite(data)
        compact = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    if len(compact) > INDENT_LIMIT:
        return compact
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def write_view(output_format: OutputFormat, view: Any, file: IO[str] | None = None) -> str:
    """The View written in `output_format` (any format but json)."""
    if output_format is OutputFormat.latex:
        from mathml_cli.render import latex

        return latex.write(view)
    if output_format is OutputFormat.markdown:
        from mathml_cli.render import markdown

        return markdown.write(view)
    if output_format is OutputFormat.html:
        from mathml_cli.render import html

        return html.write(view)
    from mathml_cli.render import text

    return text.write(view, make_console(file))


def emit_view(
    output_format: OutputFormat,
    *,
    view: Callable[[], Any],
    data: Callable[[], dict[str, Any]],
) -> None:
    """Write a result to stdout in one piece: its data as JSON, or its View in a writer."""
    if output_format is OutputFormat.json:
        text = to_json(data()) + "\n"
    else:
        text = write_view(output_format, view(), sys.stdout)
    sys.stdout.write(text)
    sys.stdout.flush()
