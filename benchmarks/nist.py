"""Accuracy on NIST's StRD linear-regression datasets: mathml beside statsmodels and NumPy.

For each of the 11 datasets in ../shared/nist-strd (read in place, never
copied), the correct significant digits (LRE = −log10 of the relative error,
15 at most; absolute error where the certified value is 0) of the coefficients,
their standard errors (the minimum over each group), the residual standard
deviation and R², for:

- mathml:      `mathml regress <csv> --format json` as a user runs it (small tables: exact)
- mathml (QR): the same with the exact solve switched off: the streamed Householder QR
               that larger tables get
- statsmodels: OLS(y, X).fit() with its defaults
- NumPy:       numpy.linalg.lstsq(X, y); standard errors from diag(pinv(X)·pinv(X)ᵀ)

    python benchmarks/nist.py [--markdown]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
NIST = ROOT.parent / "shared" / "nist-strd"
DATASETS = [
    "Norris",
    "Pontius",
    "NoInt1",
    "NoInt2",
    "Filip",
    "Longley",
    "Wampler1",
    "Wampler2",
    "Wampler3",
    "Wampler4",
    "Wampler5",
]
# Runs mathml in-process with the exact solve off, and prints its JSON.
STREAMED_ONLY = """
import sys
from mathml_cli.core import lstsq
lstsq.EXACT_WORK = 0
from mathml_cli.cli import app
app(sys.argv[1:])
"""


def digits(estimate: float | None, certified: str) -> float:
    truth = float(certified)
    if estimate is None or not math.isfinite(estimate):
        return 0.0
    error = abs(estimate - truth) / abs(truth) if truth else abs(estimate)
    return 15.0 if error == 0 else max(0.0, min(15.0, -math.log10(error)))


def summary(certified: dict, coefficients, std_errors, residual_sd, r_squared) -> list[float]:
    names = list(certified["coefficients"])
    return [
        min(digits(coefficients.get(k), certified["coefficients"][k]) for k in names),
        min(digits(std_errors.get(k), certified["std_errors"][k]) for k in names),
        digits(residual_sd, certified["residual_sd"]),
        digits(r_squared, certified["r_squared"]),
    ]


def mathml(name: str, certified: dict, exact: bool) -> list[float]:
    args = ["regress", str(NIST / f"{name}.csv"), "--target", "y", "--format", "json"]
    if not certified["intercept"]:
        args.append("--no-intercept")
    command = (
        [sys.executable, "-m", "mathml_cli"] if exact else [sys.executable, "-c", STREAMED_ONLY]
    )
    output = subprocess.run(
        [*command, *args], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    data = json.loads(output)
    return summary(
        certified,
        data["coefficients"],
        data["std_errors"],
        data["residual_std_error"],
        data["r_squared"],
    )


def others(name: str, certified: dict) -> tuple[list[float], list[float]]:
    import statsmodels.api as sm

    table = np.loadtxt(NIST / f"{name}.csv", delimiter=",", skiprows=1)
    y, x = table[:, 0], table[:, 1:]
    design = np.column_stack([np.ones(len(y)), x]) if certified["intercept"] else x
    names = list(certified["coefficients"])
    n, p = design.shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sm.OLS(y, design).fit()
    statsmodels = summary(
        certified,
        dict(zip(names, model.params, strict=True)),
        dict(zip(names, model.bse, strict=True)),
        math.sqrt(model.scale),
        model.rsquared,
    )
    beta = np.linalg.lstsq(design, y, rcond=None)[0]
    rss = float(np.sum((y - design @ beta) ** 2))
    sigma2 = rss / (n - p)
    std_errors = np.sqrt(sigma2 * np.sum(np.linalg.pinv(design) ** 2, axis=1))
    tss = float(np.sum((y - y.mean()) ** 2)) if certified["intercept"] else float(y @ y)
    numpy = summary(
        certified,
        dict(zip(names, beta, strict=True)),
        dict(zip(names, std_errors, strict=True)),
        math.sqrt(sigma2),
        1 - rss / tss,
    )
    return statsmodels, numpy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    if not NIST.is_dir():
        print(f"{NIST} is absent: nothing to measure")
        return 1
    tools = ["mathml", "mathml (QR)", "statsmodels", "NumPy lstsq"]
    if args.markdown:
        print("| dataset | " + " | ".join(tools) + " |")
        print("|---|" + "---:|" * len(tools))
    else:
        print("digits: coefficients / std errors / residual sd / R²")
        print(f"{'':9s}" + "".join(f"{tool:>26s}" for tool in tools))
    for name in DATASETS:
        certified = json.loads((NIST / f"{name}.json").read_text())
        results = [mathml(name, certified, True), mathml(name, certified, False)]
        results.extend(others(name, certified))
        cells = [" / ".join(f"{v:.1f}" for v in result) for result in results]
        if args.markdown:
            print(f"| {name} | " + " | ".join(cells) + " |")
        else:
            print(f"{name:9s}" + "".join(f"{cell:>26s}" for cell in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
