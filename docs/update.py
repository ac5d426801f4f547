"""Regenerate the examples in README.md and docs/*.md by running them.

A page marks each example with an HTML comment; everything up to the matching
`<!-- end -->` is replaced by the command and what it printed:

    <!-- run: mathml derive "x**2" -->          runs the command
    <!-- run: mathml regress - < docs/data/houses.csv -->   with a file on stdin
    <!-- help: derive -->                        the output of `mathml derive --help`
    <!-- help: mathml -->                        the output of `mathml --help`

    python docs/update.py           rewrite stale pages
    python docs/update.py --check   exit 1 if any page is stale (tests/test_docs.py)
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Examples run this checkout's code, not whatever copy of mathml is installed.
sys.path.insert(0, str(ROOT))
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
WIDTH = "100"
MARKER = re.compile(
    r"(?P<open><!-- (?P<kind>run|help): (?P<command>[^\n]+?) -->\n)"
    r"(?P<body>.*?)(?P<close><!-- end -->)",
    re.DOTALL,
)


def run(args: list[str], stdin: str | None) -> tuple[str, int]:
    """Run `mathml args` in-process as a user would see it (no colour, fixed width)."""
    from typer.testing import CliRunner

    from mathml_cli.cli import app

    environment = {"NO_COLOR": "1", "COLUMNS": WIDTH, "TERMINAL_WIDTH": WIDTH}
    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    try:
        result = CliRunner().invoke(app, args, input=stdin, env=environment)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    # What a person at the terminal sees: stdout and stderr as they came.
    lines = [line.rstrip() for line in result.output.rstrip().splitlines()]
    return "\n".join(lines) + "\n", result.exit_code


def render_block(kind: str, command: str) -> str:
    if kind == "help":
        words = [] if command.strip() == "mathml" else shlex.split(command)
        output, _ = run([*words, "--help"], None)
        shown = " ".join(["mathml", *words, "--help"])
        return f"```console\n$ {shown}\n{output}```\n"
    stdin = None
    if " < " in command:
        command, path = command.rsplit(" < ", 1)
        stdin = (ROOT / path.strip()).read_text()
    words = shlex.split(command)
    if words[:1] != ["mathml"]:
        raise SystemExit(f"docs/update.py: an example must start with 'mathml': {command}")
    output, code = run(words[1:], stdin)
    shown = command + (f" < {path.strip()}" if stdin is not None else "")
    status = f"(exit code {code})\n" if code else ""
    return f"```console\n$ {shown}\n{output}{status}```\n"


def update(page: Path) -> str:
    text = page.read_text()

    def replace(match: re.Match[str]) -> str:
        block = render_block(match["kind"], match["command"])
        return match["open"] + block + match["close"]

    return MARKER.sub(replace, text)


# Rounding residuals (1e-13 and smaller: "‖Av - λv‖ = 2.22e-16") differ between
# processors and BLAS builds; a page whose examples differ only in those is not stale.
_ROUNDING = re.compile(r"(?<![\d.])-?\d(?:\.\d+)?e-(?:1[3-9]|[2-9]\d|\d{3})\b")


def _without_rounding(text: str) -> str:
    return _ROUNDING.sub("0", text)


def stale_pages() -> list[Path]:
    return [
        page
        for page in PAGES
        if page.exists() and _without_rounding(update(page)) != _without_rounding(page.read_text())
    ]


def main() -> int:
    check = "--check" in sys.argv[1:]
    stale = stale_pages()
    if check:
        for page in stale:
            print(f"stale: {page.relative_to(ROOT)} (run: python docs/update.py)")
        return 1 if stale else 0
    for page in stale:
        page.write_text(update(page))
        print(f"updated {page.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
