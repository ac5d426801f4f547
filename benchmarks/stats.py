"""Benchmark: `mathml stats -` on 10,000,000 numbers from stdin.

Measured side by side in one run, each in its own process reading the same
file (a header line `x`, then one number per line) on stdin:

- mathml:   python -m mathml_cli stats - --format json
            (moments in one pass; quartiles from a 1,000,000-row random sample)
- baseline: pandas.read_csv(sys.stdin).describe()   (exact quartiles, all in memory)

Wall time and peak memory (the child's max RSS, from wait4) are printed, and
count, mean and standard deviation are checked to agree. The data file is
generated once into /tmp and never committed.

    python benchmarks/stats.py [--numbers 10000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

import numpy as np
from child import measure

ROOT = Path(__file__).resolve().parent.parent
LIMIT_MB = 150

BASELINE = """
import sys, pandas as pd
summary = pd.read_csv(sys.stdin).describe()["x"]
print(",".join(repr(float(summary[key])) for key in ("count", "mean", "std", "50%")))
"""


def make_data(numbers: int) -> Path:
    path = Path(f"/tmp/mathml-stats-bench-{numbers}.csv")
    if path.exists():
        return path
    rng = np.random.default_rng(2026)
    partial = path.with_suffix(".partial")
    with partial.open("w") as file:
        file.write("x\n")
        for start in range(0, numbers, 1_000_000):
            count = min(1_000_000, numbers - start)
            np.savetxt(file, rng.normal(50, 10, size=count), fmt="%.6f")
    partial.rename(path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, interleaved")
    args = parser.parse_args()
    data = make_data(args.numbers)
    print(f"data: {data} ({data.stat().st_size / 1e6:.0f} MB, {args.numbers:,} numbers)")
    mathml = [sys.executable, "-m", "mathml_cli", "stats", "-", "--format", "json"]
    ours_runs, base_runs = [], []
    for _ in range(args.repeat):
        ours_runs.append(measure(mathml, data))
        base_runs.append(measure([sys.executable, "-c", BASELINE], data))
    for name, runs in (("mathml stats -", ours_runs), ("pandas read_csv+describe", base_runs)):
        times = ", ".join(f"{run[0]:.2f}" for run in runs)
        peak = max(run[1] for run in runs)
        cpu = min(r[3] for r in runs)
        print(
            f"{name:<26}{min(r[0] for r in runs):6.2f} s  {cpu:6.2f} s CPU  {peak:6.0f} MB peak"
            f"   (runs: {times})"
        )
    column = json.loads(ours_runs[0][2])["columns"][0]
    count, mean, std, median = (float(v) for v in base_runs[0][2].strip().split(","))
    agree = (
        column["n"] == count
        and abs(column["mean"] - mean) <= 1e-12 * abs(mean)
        and abs(column["sample_std"] - std) <= 1e-9 * std
    )
    print(
        f"n, mean, std agree with pandas: {agree}; median {column['median']:.6f} "
        f"(sampled) against {median:.6f} (exact)"
    )
    pairs = [ours[0] / base[0] for ours, base in zip(ours_runs, base_runs, strict=True)]
    ratio = statistics.median(pairs)
    peak = max(run[1] for run in ours_runs)
    ok = agree and ratio <= 1.0 and peak < LIMIT_MB
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores here)")
    print(
        f"time ratio mathml/pandas: median {ratio:.2f} of pairs "
        f"{', '.join(f'{r:.2f}' for r in pairs)} (must be <= 1); peak {peak:.0f} MB "
        f"(must be < {LIMIT_MB}): {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
