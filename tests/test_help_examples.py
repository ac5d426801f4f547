"""Every example in every command's --help runs, as a user would type it."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from typer.main import get_command

from mathml_cli.cli import app

DATA = Path(__file__).resolve().parent.parent / "docs" / "data"


def _examples() -> list[tuple[str, str]]:
    examples = []
    for name, command in sorted(get_command(app).commands.items()):  # type: ignore[attr-defined]
        docstring = command.help or ""
        section = docstring.split("Examples:", 1)[1] if "Examples:" in docstring else ""
        lines = [line.strip() for line in section.splitlines() if line.strip()]
        assert lines, f"mathml {name} --help shows no example"
        examples += [(name, line) for line in lines if line.startswith("mathml ")]
    return examples


def _located(arg: str) -> str:
    prefix, name = ("@", arg[1:]) if arg.startswith("@") else ("", arg)
    if name.endswith((".csv", ".txt")) and "/" not in name and (DATA / name).exists():
        return prefix + str(DATA / name)
    return arg


@pytest.mark.parametrize(("command", "line"), _examples(), ids=[line for _, line in _examples()])
def test_help_example_runs(run, monkeypatch, command, line):
    # Examples name docs/data/iris.csv from the repository's root, or houses.csv as if
    # in docs/data: both are found.
    monkeypatch.chdir(DATA.parent.parent)
    piped_in = None
    if line.startswith("cat "):  # cat FILE | mathml ...
        source, line = (part.strip() for part in line.split("|", 1))
        piped_in = (DATA / source.split()[1]).read_text()
    line = line.split(" | ", 1)[0]  # ... | dot -Tpng: only mathml's part
    args = [_located(arg) for arg in shlex.split(line)[1:]]
    result = run(*args, input=piped_in)
    assert result.exit_code == 0, f"{line}: {result.stderr}"
    assert result.stdout.strip()
