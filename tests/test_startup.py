"""Start-up is part of the product: `mathml --help` loads no heavy library."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
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


INTERRUPT_DURING_IMPORT = """
import sys

class Interrupt:
    # Ctrl-C arriving while the CLI imports typer: the first tenth of a second.
    def find_spec(self, name, path=None, target=None):
        if name == "typer":
            raise KeyboardInterrupt

sys.meta_path.insert(0, Interrupt())
sys.argv = ["mathml", "derive", "x**2"]
from mathml_cli.__main__ import main
main()
"""


def test_ctrl_c_while_importing_exits_130_without_a_traceback():
    completed = subprocess.run(
        [sys.executable, "-c", INTERRUPT_DURING_IMPORT],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=60,
    )
    assert completed.returncode == 130
    assert completed.stderr == ""


RUN_AFTER_SAYING_SO = """
import sys

import mathml_cli.cli  # Python itself is started: from here on, Ctrl-C is mathml's to handle
from mathml_cli.__main__ import main

sys.argv = ["mathml", *sys.argv[1:]]
print("started", flush=True)
main()
"""


@pytest.mark.parametrize("delay", [0.0, 0.3])
def test_ctrl_c_while_running_exits_130_without_a_traceback(delay):
    import signal

    # A fixed delay from the start would, on a loaded machine, interrupt Python's
    # own start-up, which runs before any of mathml's code.
    process = subprocess.Popen(
        # Thousands of seconds of tiny steps: still running when the interrupt comes.
        [sys.executable, "-c", RUN_AFTER_SAYING_SO, "descend", "x**2", "--start", "x=1"]
        + ["--lr", "1e-12", "--tol", "0", "--steps", "9000000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "started\n"
    time.sleep(delay)  # 0: while the command loads and parses; 0.3: while it descends
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr == ""


def _complete(words: str, index: int) -> list[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "_MATHML_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(index),
    }
    completed = subprocess.run(
        [sys.executable, "-c", "from mathml_cli.__main__ import main; main()"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.split()


def test_shell_completion_of_commands_options_and_choices():
    assert _complete("mathml de", 1) == ["derive", "descend"]
    assert _complete("mathml derive --fo", 2) == ["--format"]
    formats = ["text", "json", "latex", "markdown", "html"]
    assert _complete("mathml derive x --format ", 4) == formats


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_completion_can_be_shown_for_bash():
    # typer finds the shell among the process's ancestors, so bash must be one
    # (`; exit` keeps bash from replacing itself with the command).
    completed = subprocess.run(
        ["bash", "-c", '"$0" -m mathml_cli --show-completion; exit $?', sys.executable],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "SHELL": "/bin/bash"},
        cwd=ROOT,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert "complete -o default -F _mathml_completion mathml" in completed.stdout
