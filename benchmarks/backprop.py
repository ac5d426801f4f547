"""How long `mathml backprop` takes on big graphs, stage by stage.

    /tmp/venv/bin/python benchmarks/backprop.py [terms]

A sum of `terms` products w_i*x_i (default 2,000: 6,001 nodes) and the same
inside a sigmoid. Build, forward and backward are the backprop itself; the
checks are reported apart, with SymPy's share for a graph small enough for it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mathml_cli.core import backprop as core  # noqa: E402
from mathml_cli.core.graph import backward, build_graph, forward  # noqa: E402


def timed(label: str, function, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = function(*args)
    print(f"  {label:<34} {time.perf_counter() - start:8.3f} s")
    return value


def main() -> None:
    terms = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    for template in ("{}", "sigmoid({} + b)"):
        text = template.format(" + ".join(f"w{i}*x{i}" for i in range(terms)))
        point = {f"w{i}": 0.001 * i for i in range(terms)}
        point |= {f"x{i}": 1.0 for i in range(terms)} | {"b": 0.1}
        graph = timed("build the graph", build_graph, text)
        print(f"{template.format('sum')}: {len(graph.nodes):,} nodes, {len(text):,} characters")
        used = {name: point[name] for name in graph.variables}
        values = timed("forward pass", forward, graph, used)
        timed("backward pass", backward, graph, values)
        result = timed("whole command core (with checks)", core.backprop, text, used)
        for check in result.checks:
            print(f"    {check.method}: {check.verified} ({check.detail[:70]})")
    small = max(10, core.SYMBOLIC_MAX_NODES // 3 - 1)
    text = "sigmoid(" + " + ".join(f"w{i}*x{i}" for i in range(small)) + " + b)"
    point = {f"w{i}": 0.01 for i in range(small)} | {f"x{i}": 1.0 for i in range(small)}
    print(f"largest graph SymPy checks ({small} terms):")
    timed("whole command core (with SymPy)", core.backprop, text, point | {"b": 0.1})


if __name__ == "__main__":
    main()
