"""Options shared by every command."""

from __future__ import annotations

from typing import Annotated

import typer

from mathml_cli.render.output import OutputFormat

FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="Output: text (for people), json (for scripts), latex (an align* fragment), "
        "markdown (for notebooks and READMEs).",
        case_sensitive=False,
    ),
]
