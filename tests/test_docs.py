"""The docs tell the truth: examples are current, every command and rule is documented."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def load_updater():
    spec = importlib.util.spec_from_file_location("docs_update", DOCS / "update.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_page_is_stale():
    stale = load_updater().stale_pages()
    assert stale == [], f"run: python docs/update.py (stale: {[p.name for p in stale]})"


def test_every_command_is_in_the_cli_reference_and_has_a_page():
    from typer.main import get_command

    from mathml_cli.cli import app

    reference = (DOCS / "cli.md").read_text()
    for name in get_command(app).commands:  # type: ignore[attr-defined]
        assert f"<!-- help: {name} -->" in reference, f"docs/cli.md lacks {name}"
        assert (DOCS / f"{name}.md").exists(), f"docs/{name}.md missing"
        assert f"## mathml {name}" in (DOCS / "json.md").read_text(), f"json.md lacks {name}"


def test_every_rule_is_documented():
    from mathml_cli.core.rules import RULES

    page = (DOCS / "derive.md").read_text()
    for rule in RULES:
        assert f"`{rule}`" in page, f"docs/derive.md does not document rule {rule}"


def test_every_function_and_limit_is_documented():
    from mathml_cli.core import expr

    page = (DOCS / "expressions.md").read_text()
    for name in expr.FUNCTIONS:
        assert f"`{name}" in page, f"docs/expressions.md lacks {name}"
    for limit in [expr.MAX_LENGTH, expr.MAX_NESTING, expr.MAX_INTEGER_DIGITS, expr.MAX_EXPONENT]:
        assert f"{limit:,}" in page or str(limit) in page


def test_readme_quick_start_is_two_commands():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```shell\n", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert "mathml " in commands[0] and "pip install" in commands[0]
    assert "pytest" in commands[1] and ".[test]" in commands[1]
