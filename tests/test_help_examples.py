"""Every example in every command's --help runs, as a user would type it."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from typer.main import get_command

from mathml_cli.cli import app

ROOT = Path(__file__).resolve().parent.parent


def _examples() -> list[tuple[str, str]]:
    examples = []
    for name, command in sorted(get_command(app).commands.items()):  # type: ignore[attr-defined]
        docstring = command.help or ""
        section = docstring.split("Examples:", 1)[1] if "Examples:" in docstring else ""
        lines = [line.strip() for line in section.splitlines() if line.strip()]
        assert lines, f"mathml {name} --help shows no example"
        examples += [(name, line) for line in lines if line.startswith("mathml ")]
    return examples


@pytest.mark.parametrize(("command", "line"), _examples(), ids=[line for _, line in _examples()])
def test_help_example_runs(run, monkeypatch, command, line):
    # Examples name their files from the repository's root (docs/data/...), where
    # the README has a new user run them.
    monkeypatch.chdir(ROOT)
    piped_in = None
    if line.startswith("cat "):  # cat FILE | mathml ...
        source, line = (part.strip() for part in line.split("|", 1))
        piped_in = (ROOT / source.split()[1]).read_text()
    line = line.split(" | ", 1)[0]  # ... | dot -Tpng: only mathml's part
    args = shlex.split(line)[1:]
    result = run(*args, input=piped_in)
    assert result.exit_code == 0, f"{line}: {result.stderr}"
    assert result.stdout.strip()


@pytest.mark.parametrize("command", sorted({command for command, _ in _examples()}))
def test_help_shows_each_example_on_one_line_at_60_columns(command, monkeypatch):
    # Rewrapped, a long example breaks in two and is wrong to copy and paste.
    from typer.testing import CliRunner

    monkeypatch.setenv("COLUMNS", "60")
    shown = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "60"}).stdout
    lines = [line.strip() for line in shown.splitlines()]
    for name, example in _examples():
        if name == command:
            assert example in lines, example
