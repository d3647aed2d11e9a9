"""Benchmark: the graph page's layout (issue 22) on generated glossaries, cold.

    .venv/bin/python bench/bench_layout.py               # 1k and 10k terms
    .venv/bin/python bench/bench_layout.py 2000 20000    # other sizes

For each size it generates a glossary (bench/generate.py, its modules in the same
folder, as bench/run.py builds them), links it once (not timed), then times in this
process, as the build's graph-data.js pays it on a cold build (no memo):

- shape: the graph's nodes sorted and its linked pairs (``graphview._shape``);
- layout: ForceAtlas2 and the placing of leaves, small components and unlinked nodes
  (``forcelayout.layout_positions``), with the number of nodes it moved and its rounds;
- rank: PageRank on the links (``graphview._measure`` minus the layout);
- data: ``graph_data`` as a whole (all of the above, labels and URLs) and the size of
  ``graph-data.js``.

CPU seconds (this process) beside wall seconds: the build runs this in a worker while
the other cores render pages. Not a test: the figures go to bench/README.md.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from generate import generate  # noqa: E402

from compiler.build import Options, analyze  # noqa: E402
from compiler.render import forcelayout, graphview  # noqa: E402


def timed(fn):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def row(n: int) -> str:
    """One size's line of the table."""
    import numpy as np

    with tempfile.TemporaryDirectory() as tmp:
        folder = generate(Path(tmp) / "glossary", n)
        glossary = analyze(folder, Options(module_dirs=(folder,), checks=False))
    graph = glossary.graph
    (nodes, pairs), shape_s, _ = timed(lambda: graphview._shape(graph))
    source = np.array([p[0] for p in pairs], dtype=np.int64)
    target = np.array([p[1] for p in pairs], dtype=np.int64)
    core = forcelayout.core_size(len(nodes), source, target)
    _, layout_s, layout_cpu = timed(lambda: forcelayout.layout_positions(len(nodes), source, target))
    _, measure_s, _ = timed(lambda: graphview._measure(nodes, pairs))
    data, data_s, data_cpu = timed(lambda: graphview.graph_data(graph, lambda i: f"terms/{i}.html", str,
                                                                 lambda i: graph.nodes[i].get("kind", "")))
    size = len(graphview.as_script("GLOSSARY_GRAPH", data).encode("utf-8")) / 1e6
    return (f"| {n} | {len(nodes)} | {len(pairs)} | {core} | {forcelayout.rounds_for(core)} | {shape_s:.2f} | "
            f"{layout_s:.2f} ({layout_cpu:.2f}) | {measure_s - layout_s:.2f} | {data_s:.2f} ({data_cpu:.2f}) | {size:.1f} |")


def main(sizes: list[int]) -> None:
    print("| terms | nodes | linked pairs | laid out by ForceAtlas2 | rounds | shape s | layout s (CPU) | rank s | "
          "graph_data s (CPU) | graph-data.js MB |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in sizes:
        print(row(n), flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
