"""Shared fixtures: run the CLI in-process as a user would."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner


@pytest.fixture(autouse=True)
def _plain_output(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests read what a user reads: no colour, a fixed width.
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("MATHML_DEBUG", raising=False)


@pytest.fixture
def run():
    """run("derive", "x**2") -> click Result with .exit_code, .stdout, .stderr."""
    from mathml_cli.cli import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input)

    return invoke
