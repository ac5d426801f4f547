"""100,000 Adam updates on a 2-D function: `mathml descend`'s core against a hand-written
NumPy loop doing the same work (f, ∇f and the update each step, every iterate kept).

    /tmp/venv/bin/python benchmarks/descend.py

Target (the issue): mathml at most 2× the NumPy loop. Prints both times and the ratio;
exits 1 if the target is missed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mathml_cli.core.descend import descend, prepare  # noqa: E402

STEPS = 100_000
LR = 0.01
START = (-2.0, 1.0)  # the bowl preset: f = (x - 3)² + 10(y + 1)²


def numpy_loop() -> list[np.ndarray]:
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    theta = np.array(START)
    m = np.zeros(2)
    v = np.zeros(2)
    points = [theta.copy()]
    values = [(theta[0] - 3) ** 2 + 10 * (theta[1] + 1) ** 2]
    gradients = []
    for t in range(1, STEPS + 1):
        g = np.array([2 * (theta[0] - 3), 20 * (theta[1] + 1)])
        gradients.append(g)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        theta = theta - LR * m_hat / (np.sqrt(v_hat) + eps)
        points.append(theta.copy())
        values.append((theta[0] - 3) ** 2 + 10 * (theta[1] + 1) ** 2)
    return points


def mathml_run() -> tuple[tuple[float, ...], ...]:
    result = descend(prepare("bowl", None), "adam", {"lr": LR}, steps=STEPS, tol=0.0)
    assert result.steps_taken == STEPS, result.reason
    return result.points


def best_of(function, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    ours = np.array(mathml_run())
    reference = np.array(numpy_loop())
    np.testing.assert_allclose(ours, reference, rtol=1e-9, atol=1e-12)
    numpy_time = best_of(numpy_loop)
    mathml_time = best_of(mathml_run)
    ratio = mathml_time / numpy_time
    print(f"{STEPS:,} Adam updates on the bowl (best of 3):")
    print(f"  hand-written NumPy loop: {numpy_time:.3f} s")
    print(f"  mathml descend (parse, differentiate, compile, run): {mathml_time:.3f} s")
    print(f"  ratio: {ratio:.2f} (target ≤ 2)")
    return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
