"""Time `mathml dot` on a 1000×1000 by 1000×1000 product, parsing excluded.

    python benchmarks/dot.py [size]

Prints the time to compute (core) and to render the text and JSON outputs.
The issue's target: compute and text output in well under a second.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from mathml_cli.core.linalg import dot  # noqa: E402
from mathml_cli.render import dot as render  # noqa: E402
from mathml_cli.render.output import OutputFormat, to_json, write_view  # noqa: E402


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    os.environ.setdefault("NO_COLOR", "1")
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(size, size)), rng.normal(size=(size, size))

    start = time.perf_counter()
    result = dot(a, b, np.ones(size), "relu", cell=(size // 2, size // 3))
    computed = time.perf_counter()
    text = write_view(OutputFormat.text, render.view(result))
    rendered = time.perf_counter()
    json_text = to_json(render.data(result))
    finished = time.perf_counter()

    assert np.array_equal(result.product, a @ b)
    print(f"{size}×{size} · {size}×{size}, with --bias, --activation relu and --cell")
    print(f"  compute:          {computed - start:.3f} s")
    print(f"  text output:      {rendered - computed:.3f} s ({len(text):,} characters)")
    print(f"  compute + text:   {rendered - start:.3f} s")
    print(f"  JSON output:      {finished - rendered:.3f} s ({len(json_text):,} characters)")


if __name__ == "__main__":
    main()
