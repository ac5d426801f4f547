"""Start-up is part of the product: `mathml --help` loads no heavy library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ["sympy", "numpy", "plotext"]

PROBE = """
import json, sys
sys.argv = ["mathml", *json.loads(sys.argv[1])]
from mathml_cli.cli import main
try:
    main()
except SystemExit:
    pass
heavy = [name for name in {heavy!r} if name in sys.modules]
print(json.dumps(heavy), file=sys.stderr)
"""


def loaded_modules(*args: str) -> list[str]:
    """Which heavy libraries a real `mathml ARGS` process imported."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    completed = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), json.dumps(list(args))],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    return json.loads(completed.stderr.strip().splitlines()[-1])


def _commands() -> list[str]:
    from typer.main import get_command

    from mathml_cli.cli import app

    return sorted(get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "args", [["--help"], ["--version"], *[[name, "--help"] for name in _commands()]]
)
def test_help_loads_no_heavy_library(args):
    assert loaded_modules(*args) == []


def test_derive_needs_sympy_but_not_plotext():
    assert loaded_modules("derive", "x**2") == ["sympy"]


def test_explain_list_needs_no_heavy_library():
    assert loaded_modules("explain", "--list") == []


def test_explain_entry_needs_sympy_only():
    assert loaded_modules("explain", "sigmoid") == ["sympy"]


def test_pca_needs_numpy_but_not_sympy_and_eigen_sympy_only_up_to_3x3():
    iris = str(ROOT / "docs" / "data" / "iris.csv")
    assert loaded_modules("pca", iris, "-f", "json") == ["numpy"]
    assert loaded_modules("eigen", "[[2,1],[1,2]]", "-f", "json") == ["sympy", "numpy"]
    large = "[[4,1,0,0],[1,4,1,0],[0,1,4,1],[0,0,1,4]]"
    assert loaded_modules("eigen", large, "-f", "json") == ["numpy"]


def test_stats_and_normal_need_numpy_only_and_bayes_nothing_heavy():
    assert loaded_modules("stats", "85", "92", "78", "95", "88") == ["numpy"]
    assert loaded_modules("normal", "--x", "1.96") == ["numpy"]
    assert loaded_modules("bayes", "--prior", "0.01", "--likelihood", "0.9", "-e", "0.1") == []


def test_python_dash_m_works():
    completed = subprocess.run(
        [sys.executable, "-m", "mathml_cli", "derive", "x**3", "--no-steps"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
        cwd=ROOT,
        timeout=60,
    )
    assert completed.returncode == 0
    assert "3*x**2" in completed.stdout


def test_piped_output_has_no_colour_codes():
    completed = subprocess.run(
        [sys.executable, "-m", "mathml_cli", "derive", "x**2*sin(x)"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=60,
    )
    assert completed.returncode == 0
    assert "\x1b[" not in completed.stdout


def test_errors_in_a_real_process_are_one_line_and_exit_2():
    completed = subprocess.run(
        [sys.executable, "-m", "mathml_cli", "derive", "x +* 3"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=60,
    )
    assert completed.returncode == 2
    assert completed.stderr == "Error: unexpected '*' at column 4 in \"x +* 3\"\n"
