"""Start-up and step-generation speed of `mathml derive`, as ratios measured in one run.

    python benchmarks/startup.py

Run it with mathml installed as a user installs it (`pip install .`): an
editable install (`pip install -e .`) adds an import hook that costs tens of
milliseconds on every start and makes the ratios look worse than they are.

Targets (issue #2): `mathml --help` ≤ 1.6× `python -c "import typer"`;
`mathml derive "x**2*sin(x)"` ≤ 1.4× `python -c "import typer, rich, sympy"`;
(issue #15) `mathml explain --list` ≤ 1.4× `python -c "import typer, rich"` and
`mathml explain sigmoid` ≤ 1.4× `python -c "import typer, rich, sympy"`;
`mathml eigen` (2×2) ≤ 1.4× `python -c "import typer, rich, sympy, numpy"` and `mathml pca`
(150 rows) ≤ 1.4× `python -c "import typer, rich, numpy"` (issue #16);
step generation ≤ 3× bare `sympy.diff` on a 200-term sum. Issue #14 adds
`mathml stats` ≤ 1.4× importing typer, Rich's console and table, and NumPy, and
`mathml bayes` ≤ 1.4× the same without NumPy (neither loads SymPy).
Issue #11: `mathml softmax` and `mathml dot` ≤ 1.4× `python -c "import typer, rich, numpy"`.
"""

from __future__ import annotations

import compileall
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 21
# What any command printing text needs: `import rich` alone loads almost nothing.
PRINTING = "typer, rich.console, rich.table, rich.text"
CPU_RATIOS: list[float] = []  # one per wall_times call, in order


def mathml_command() -> list[str]:
    script = Path(sys.executable).with_name("mathml")
    if script.exists():
        return [str(script)]
    found = shutil.which("mathml")
    return [found] if found else [sys.executable, "-m", "mathml_cli"]


def wall_times(first: list[str], second: list[str]) -> tuple[float, float]:
    """Median wall times of two commands, their runs interleaved.

    Alternating the two keeps a change in the machine's load (other processes,
    CPU frequency) from favouring whichever command happened to run first. The
    medians of their CPU times (user + system), steadier than wall time on a
    busy machine, are kept in CPU_RATIOS for the report.
    """
    env = {**os.environ, "NO_COLOR": "1"}
    times: tuple[list[float], list[float]] = ([], [])
    cpu: tuple[list[float], list[float]] = ([], [])
    for run in range(RUNS + 1):
        for command, bucket, cpu_bucket in ((first, times[0], cpu[0]), (second, times[1], cpu[1])):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(command, capture_output=True, env=env, check=True)
            if run:  # the first round only warms the file cache
                bucket.append(time.perf_counter() - started)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu_bucket.append(
                    after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                )
    CPU_RATIOS.append(statistics.median(cpu[0]) / statistics.median(cpu[1]))
    return statistics.median(times[0]), statistics.median(times[1])


def best_of(function, repeat: int = 3) -> float:
    """Best time of `function`, each run starting from an empty SymPy cache.

    SymPy caches derivatives, so without clearing the cache a repeated
    sympy.diff costs nothing and the comparison means nothing.
    """
    from sympy.core.cache import clear_cache

    times = []
    for _ in range(repeat):
        clear_cache()
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def step_generation_ratio() -> tuple[float, float, float]:
    import sympy

    sys.path.insert(0, str(ROOT))
    from mathml_cli.core.derive import _StepBuilder, differentiate
    from mathml_cli.core.expr import parse_expression

    text = " + ".join(f"{i % 7 + 1}*x**{i % 5 + 1}*sin({i}*x)" for i in range(1, 201))
    expression = parse_expression(text)
    x = sympy.Symbol("x", real=True)
    bare = best_of(lambda: sympy.diff(expression, x))
    steps = best_of(lambda: _StepBuilder({"x"}).step(expression, x, "1"))
    whole = best_of(lambda: differentiate(expression, "x"))
    return bare, steps, whole


def main() -> None:
    # An installed package has its bytecode compiled by pip; a checkout may not
    # (PYTHONDONTWRITEBYTECODE), and compiling on every run is not start-up cost.
    compileall.compile_dir(ROOT / "mathml_cli", quiet=1)
    mathml = mathml_command()
    python = sys.executable
    rows: list[tuple[str, float, str, float, float | None]] = []
    help_time, typer_only = wall_times([*mathml, "--help"], [python, "-c", "import typer"])
    rows.append(("mathml --help", help_time, 'python -c "import typer"', typer_only, 1.6))
    derive_time, baseline = wall_times(
        [*mathml, "derive", "x**2*sin(x)"], [python, "-c", "import typer, rich, sympy"]
    )
    rows.append(
        (
            'mathml derive "x**2*sin(x)"',
            derive_time,
            'python -c "import typer, rich, sympy"',
            baseline,
            1.4,
        )
    )
    numpy_baseline = [python, "-c", "import typer, rich, numpy"]
    for label, args in (
        ("mathml softmax 2 1 0.1", ["softmax", "2", "1", "0.1"]),
        ('mathml dot "[1,2,3]" "[4,5,6]"', ["dot", "[1,2,3]", "[4,5,6]"]),
    ):
        ours, theirs = wall_times([*mathml, *args], numpy_baseline)
        rows.append((label, ours, 'python -c "import typer, rich, numpy"', theirs, 1.4))
    # explain (issue 15): the list reads the catalogue without SymPy; an entry needs SymPy.
    list_time, rich_only = wall_times(
        [*mathml, "explain", "--list"], [python, "-c", "import typer, rich"]
    )
    rows.append(
        ("mathml explain --list", list_time, 'python -c "import typer, rich"', rich_only, 1.4)
    )
    # For reference, not a target: what Rich's console and table cost on their own
    # (`import rich` alone loads almost nothing), the baseline of stats and bayes.
    list_time, printing = wall_times(
        [*mathml, "explain", "--list"], [python, "-c", f"import {PRINTING}"]
    )
    rows.append(("  the same", list_time, "import typer, rich's printing", printing, None))
    entry_time, baseline = wall_times(
        [*mathml, "explain", "sigmoid"], [python, "-c", "import typer, rich, sympy"]
    )
    rows.append(
        (
            "mathml explain sigmoid",
            entry_time,
            'python -c "import typer, rich, sympy"',
            baseline,
            1.4,
        )
    )
    # eigen needs SymPy (exact steps up to 3×3) and NumPy; pca NumPy only, never SymPy.
    eigen_time, baseline = wall_times(
        [*mathml, "eigen", "[[2,1],[1,2]]"], [python, "-c", "import typer, rich, sympy, numpy"]
    )
    rows.append(
        (
            'mathml eigen "[[2,1],[1,2]]"',
            eigen_time,
            'python -c "import typer, rich, sympy, numpy"',
            baseline,
            1.4,
        )
    )
    pca_time, baseline = wall_times(
        [*mathml, "pca", str(ROOT / "docs" / "data" / "iris.csv")],
        [python, "-c", "import typer, rich, numpy"],
    )
    rows.append(
        (
            "mathml pca docs/data/iris.csv",
            pca_time,
            'python -c "import typer, rich, numpy"',
            baseline,
            1.4,
        )
    )
    stats_time, printing_numpy = wall_times(
        [*mathml, "stats", "85", "92", "78", "95", "88"],
        [python, "-c", f"import {PRINTING}, numpy"],
    )
    rows.append(
        (
            "mathml stats 85 92 78 95 88",
            stats_time,
            "import typer, rich's printing, numpy",
            printing_numpy,
            1.4,
        )
    )
    bayes_time, rich_baseline = wall_times(
        [*mathml, "bayes", "--prior", "0.01", "--likelihood", "0.9", "--false-alarm", "0.05"],
        [python, "-c", f"import {PRINTING}"],
    )
    rows.append(
        ("mathml bayes (the issue's example)", bayes_time, "import typer, rich's printing",
         rich_baseline, 1.4)
    )  # fmt: skip
    bare, steps, whole = step_generation_ratio()
    rows.append(("step tree, 200-term sum", steps, "sympy.diff, same sum", bare, 3.0))
    print(
        f"{'measured':<34}{'seconds':>9}   {'against':<38}{'seconds':>9}{'ratio':>8}"
        f"{'(CPU)':>8}{'target':>8}"
    )
    failed = False
    cpu_ratios = [*CPU_RATIOS, None]  # the step tree is timed in-process: no CPU column
    for (name, ours, against, theirs, target), cpu_ratio in zip(rows, cpu_ratios, strict=True):
        ratio = ours / theirs
        cpu_text = f"{cpu_ratio:>7.2f}x" if cpu_ratio is not None else f"{'':>8}"
        if target is None:
            print(f"{name:<34}{ours:>9.3f}   {against:<38}{theirs:>9.3f}{ratio:>7.2f}x{cpu_text}")
            continue
        failed |= ratio > target
        mark = "ok" if ratio <= target else "OVER"
        print(
            f"{name:<34}{ours:>9.3f}   {against:<38}{theirs:>9.3f}{ratio:>7.2f}x{cpu_text}"
            f"{target:>6.1f}x {mark}"
        )
    print(
        f"(whole derivation of the 200-term sum, steps + simplify + finite-difference check: "
        f"{whole:.3f} s, {whole / bare:.1f}x sympy.diff)"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
