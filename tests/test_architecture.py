"""The rules the codebase keeps: no eval, layers that point one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mathml_cli"
SOURCES = sorted(PACKAGE.rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_eval_exec_or_sympy_parser(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in {"eval", "exec", "compile", "sympify", "parse_expr"}
        if isinstance(node, ast.Attribute):
            assert node.attr not in {"sympify", "parse_expr"}, f"{path}: {node.attr}"
    assert not any(m.startswith("sympy.parsing") for m in imported_modules(path))


@pytest.mark.parametrize("path", [p for p in SOURCES if "core" in p.parts], ids=lambda p: p.name)
def test_core_never_imports_the_cli_or_the_renderers(path):
    for module in imported_modules(path):
        top = module.split(".")[0]
        assert top not in {"rich", "typer", "plotext", "click"}, f"{path} imports {module}"
        assert not module.startswith(("mathml_cli.cli", "mathml_cli.render")), module


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_rich_only_in_render_and_plotext_only_in_plot(path):
    modules = {m.split(".")[0] for m in imported_modules(path)}
    if "rich" in modules:
        assert "render" in path.parts, path
    if "plotext" in modules:
        assert path.name == "plot.py" and "render" in path.parts, path
