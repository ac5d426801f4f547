"""How long `mathml backprop` takes on a network of layers, against bare NumPy.

    python benchmarks/layers.py [width] [batch]

A 3-layer network (width 256, batch 64 by default: 150,538 parameters and
inputs), relu, softmax cross-entropy. mathml's time is the whole core of the
command (parse, build, forward, backward, the finite-difference check); NumPy's
is the same forward and backward written by hand, once.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mathml_cli.core.tensor import layer_backprop  # noqa: E402

PROGRAM = (
    "h1 = relu(X @ W1 + b1); h2 = relu(h1 @ W2 + b2); z = h2 @ W3 + b3; L = cross_entropy(z, y)"
)


def point(width: int, batch: int, classes: int = 10) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    scale = 1 / np.sqrt(width)
    return {
        "X": rng.standard_normal((batch, width)),
        "W1": rng.standard_normal((width, width)) * scale,
        "b1": np.zeros(width),
        "W2": rng.standard_normal((width, width)) * scale,
        "b2": np.zeros(width),
        "W3": rng.standard_normal((width, classes)) * scale,
        "b3": np.zeros(classes),
        "y": rng.integers(0, classes, batch).astype(float),
    }


def bare_numpy(p: dict[str, np.ndarray]) -> float:
    """The same forward and backward, by hand."""
    a1 = p["X"] @ p["W1"] + p["b1"]
    h1 = np.maximum(a1, 0)
    a2 = h1 @ p["W2"] + p["b2"]
    h2 = np.maximum(a2, 0)
    z = h2 @ p["W3"] + p["b3"]
    shifted = z - z.max(axis=1, keepdims=True)
    prob = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    onehot = np.eye(z.shape[1])[p["y"].astype(int)]
    loss = -(onehot * np.log(prob)).sum() / len(z)
    dz = (prob - onehot) / len(z)
    d_w3, d_h2 = h2.T @ dz, dz @ p["W3"].T
    d_a2 = d_h2 * (a2 > 0)
    d_w2, d_h1 = h1.T @ d_a2, d_a2 @ p["W2"].T
    d_a1 = d_h1 * (a1 > 0)
    d_w1 = p["X"].T @ d_a1
    assert d_w1.shape == p["W1"].shape and d_w2.shape == p["W2"].shape and d_w3.shape
    return float(loss)


def best(function, *args, repeat: int = 5) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """The best wall and CPU seconds of `repeat` runs (CPU time is steadier on a busy machine)."""
    function(*args)  # warm-up: BLAS starts its threads
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        function(*args)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> None:
    width = int(sys.argv[1]) if len(sys.argv) > 1 else 256
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    p = point(width, batch)
    entries = sum(value.size for name, value in p.items() if name != "y")
    result = layer_backprop(PROGRAM, p)
    assert abs(result.output - bare_numpy(p)) < 1e-9
    print(f"3 layers, width {width}, batch {batch}: {entries:,} entries with gradients")
    print(f"  check: {result.checks[0].detail}")
    numpy_wall, numpy_cpu = best(bare_numpy, p)
    mathml_wall, mathml_cpu = best(layer_backprop, PROGRAM, p)
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("                                       wall s    CPU s")
    print(f"  bare NumPy forward + backward      {numpy_wall:8.4f} {numpy_cpu:8.4f}")
    print(f"  mathml backprop core (with checks) {mathml_wall:8.4f} {mathml_cpu:8.4f}")


if __name__ == "__main__":
    main()
