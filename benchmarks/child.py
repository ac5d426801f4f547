"""One benchmark child process fed a file on stdin: its wall time, peak memory and CPU.

Shared by benchmarks/regress.py and benchmarks/stats.py (run as scripts, so this
folder is on sys.path).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(command: list[str], data: Path) -> tuple[float, float, str, float]:
    """Wall seconds, peak RSS in MB, stdout and CPU seconds of `command` reading `data`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    with data.open("rb") as stdin:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdin=stdin, stdout=subprocess.PIPE, env=env, cwd=ROOT)
        assert process.stdout is not None
        output = process.stdout.read().decode()
        _, status, usage = os.wait4(process.pid, 0)  # wait4: the child's own rusage
        elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code:
        raise SystemExit(f"{command[:4]} failed with exit code {code}")
    return elapsed, usage.ru_maxrss / 1024, output, usage.ru_utime + usage.ru_stime
