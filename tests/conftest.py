"""Shared fixtures: run the CLI in-process as a user would."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

AMSMATH = "\\usepackage{amsmath,amssymb,longtable}"


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


@pytest.fixture
def pdflatex(tmp_path):
    """pdflatex(fragment) compiles a LaTeX fragment in an article (with amsmath, or the
    given preamble) and returns the widths of its overfull boxes; a fragment that does
    not compile fails the test with LaTeX's errors. Skips without pdflatex."""
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")

    def compile_fragment(fragment: str, preamble: str = AMSMATH) -> list[float]:
        document = (
            f"\\documentclass{{article}}\n{preamble}\n\\begin{{document}}\n"
            f"{fragment}\n\\end{{document}}\n"
        )
        (tmp_path / "t.tex").write_text(document)
        completed = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        log = (tmp_path / "t.log").read_text(errors="replace")
        errors = [line for line in log.splitlines() if line.startswith("!")]
        assert completed.returncode == 0, errors or completed.stdout[-2000:]
        return [float(w) for w in re.findall(r"Overfull \\hbox \((\d+\.?\d*)pt too wide", log)]

    return compile_fragment
