"""Benchmark: `mathml pca` against `mathml regress` on the same 1,000,000 rows x 10 from stdin.

Each command runs in its own process reading the same file on stdin, the runs
interleaved; wall time and peak memory (the child's max RSS, from wait4) are
printed, and the components are checked against NumPy's SVD of the centred
data (loaded here, in this process, after the timing). The data file is
regress's benchmark file (10 features and y: PCA reads all 11 columns as
regress does), generated once into /tmp and never committed.

    python benchmarks/pca.py [--rows 1000000] [--repeat 3]

Targets (issue #16): pca's time no more than regress's on the same data
(median of the paired ratios), peak under 150 MB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys

import numpy as np
from regress import LIMIT_MB, make_data, measure  # benchmarks/ is on sys.path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = make_data(args.rows)
    print(f"data: {data} ({data.stat().st_size / 1e6:.0f} MB, {args.rows} rows x 11 columns)")
    pca = [sys.executable, "-m", "mathml_cli", "pca", "-", "--format", "json"]
    regress = [sys.executable, "-m", "mathml_cli", "regress", "-", "--format", "json"]
    pca_runs, regress_runs = [], []
    for _ in range(args.repeat):
        pca_runs.append(measure(pca, data))
        regress_runs.append(measure(regress, data))
    for name, runs in (("mathml pca", pca_runs), ("mathml regress", regress_runs)):
        times = ", ".join(f"{run[0]:.2f}" for run in runs)
        best = min(run[0] for run in runs)
        peak = max(run[1] for run in runs)
        print(f"{name:<16}{best:6.2f} s  {peak:6.0f} MB peak   (runs: {times})")

    ours = json.loads(pca_runs[0][2])
    values = np.loadtxt(data, delimiter=",", skiprows=1)
    centred = values - values.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    variances = singular**2 / (len(values) - 1)
    got = np.array([c["variance"] for c in ours["components"]])
    loadings = np.array([c["loadings"] for c in ours["components"]])
    variance_error = float(np.max(np.abs(got - variances)) / variances[0])
    loading_error = max(
        float(min(np.abs(a - b).max(), np.abs(a + b).max()))
        for a, b in zip(loadings, vt, strict=True)
    )
    print(
        f"against NumPy's SVD of all rows: variances {variance_error:.2g} (relative), "
        f"loadings {loading_error:.2g} (up to sign)"
    )
    pairs = [p[0] / r[0] for p, r in zip(pca_runs, regress_runs, strict=True)]
    ratio = statistics.median(pairs)
    peak = max(run[1] for run in pca_runs)
    ok = ratio <= 1.0 and peak < LIMIT_MB and variance_error < 1e-9
    print(
        f"time ratio pca/regress: median {ratio:.2f} of pairs "
        f"{', '.join(f'{r:.2f}' for r in pairs)} (must be <= 1); peak {peak:.0f} MB "
        f"(must be < {LIMIT_MB}): {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
