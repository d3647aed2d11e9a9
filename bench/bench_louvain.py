"""Benchmark: Louvain communities of the idea map, scikit-network against networkx (and igraph).

Why this exists: the idea map runs scikit-network's Louvain (compiler.analyze.analytics
``_multilevel``) rather than networkx's ``louvain_communities``, and docs/ideamap.md gives
the reason in figures. This script is where those figures come from.

The graph is the one Louvain sees in a real run: the glossary goes through the streaming
idea map (``compiler.analyze.ideamap.build_map``, the code `graph --analyze` runs), and the
arrays it hands to ``_multilevel`` (the core: nodes with two or more neighbours, typed links
and similarity edges, weighted) are recorded on the way and saved. Each implementation
then runs on those arrays in a fresh process of its own, so one's memory never counts
against another's, and reports:

- communities found and the modularity Q of its partition (Newman's, resolution 1,
  computed here by one function for all three, so they are compared on one measure);
- seconds: the call alone (for networkx and igraph including making their graph from
  the arrays, which is what using them would cost; for scikit-network the CSR matrix);
- import seconds apart (the library's import, paid once by any command that uses it);
- MB: the process's peak resident memory (VmHWM) above what it held before the call.

networkx is the reference implementation; igraph (GPL, so never a dependency of this
MIT project) runs only when it is installed (``pip install igraph``). Seed 42 for all.

    .venv/bin/python bench/bench_louvain.py --sizes 1000 10000 [100000] --corpus ../shared/corpus
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
SEED = 42
IMPLEMENTATIONS = ("scikit-network", "networkx", "igraph")


def _hwm_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def capture(terms: Path, modules: Path | None, out: Path) -> dict[str, int]:
    """Run the idea map on ``terms`` and save the arrays its Louvain call receives to ``out`` (.npz)."""
    from compiler.analyze import analytics
    from compiler.analyze.ideamap import build_map
    from compiler.stages import Options

    seen: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
    real = analytics._multilevel

    def recording(count: int, source: np.ndarray, target: np.ndarray, weight: np.ndarray, seed: int) -> list[int]:
        seen.append((count, source.copy(), target.copy(), weight.copy()))
        return real(count, source, target, weight, seed)

    analytics._multilevel = recording  # type: ignore[assignment]
    try:
        build_map(terms, Options(module_dirs=(modules,) if modules else (), checks=False, jobs=os.cpu_count() or 1))
    finally:
        analytics._multilevel = real  # type: ignore[assignment]
    if len(seen) != 1:
        raise RuntimeError(f"the idea map called Louvain {len(seen)} times, not once: the capture no longer fits it")
    count, source, target, weight = seen[0]
    np.savez(out, count=count, source=source, target=target, weight=weight)
    return {"nodes": int(count), "edges": int(len(source))}


def modularity(membership: np.ndarray, source: np.ndarray, target: np.ndarray, weight: np.ndarray) -> float:
    """Newman's modularity (resolution 1) of a partition of the undirected weighted graph."""
    total = weight.sum()
    degree = np.bincount(source, weight, len(membership)) + np.bincount(target, weight, len(membership))
    inside = membership[source] == membership[target]
    within = np.bincount(membership[source][inside], weight[inside], membership.max() + 1)
    strength = np.bincount(membership, degree, membership.max() + 1)
    return float((within / total - (strength / (2 * total)) ** 2).sum())


def _run(name: str, count: int, source: np.ndarray, target: np.ndarray, weight: np.ndarray) -> np.ndarray:
    if name == "scikit-network":
        from compiler.analyze.analytics import _multilevel

        return np.asarray(_multilevel(count, source, target, weight, SEED))
    if name == "networkx":
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(range(count))
        graph.add_weighted_edges_from(zip(source.tolist(), target.tolist(), weight.tolist()))
        membership = np.empty(count, dtype=np.int64)
        for group, members in enumerate(nx.community.louvain_communities(graph, weight="weight", seed=SEED)):
            membership[list(members)] = group
        return membership
    import igraph

    graph = igraph.Graph(n=count, edges=list(zip(source.tolist(), target.tolist())))
    return np.asarray(graph.community_multilevel(weights=weight.tolist()).membership)


def one(name: str, arrays: Path) -> dict[str, Any]:
    """In a child: one implementation on the saved arrays."""
    if name == "igraph" and importlib.util.find_spec("igraph") is None:
        return {"skipped": "igraph is not installed"}
    data = np.load(arrays)
    count, source, target, weight = int(data["count"]), data["source"], data["target"], data["weight"]
    started = time.perf_counter()
    if name == "networkx":  # imports timed apart: a build pays them once, whatever else it does
        import networkx  # noqa: F401
    elif name == "scikit-network":
        import scipy.sparse  # noqa: F401
        import sknetwork.clustering  # noqa: F401
    elif name == "igraph":
        import igraph  # noqa: F401
    imports = time.perf_counter() - started
    if name == "scikit-network":
        import compiler.analyze.analytics  # noqa: F401  (its caller here, not part of either cost)
    base = _hwm_kb()
    started = time.perf_counter()
    membership = _run(name, count, source, target, weight)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "import_seconds": imports,
        "mb": (_hwm_kb() - base) / 1024,
        "communities": int(len(np.unique(membership))),
        "modularity": modularity(membership, source, target, weight),
    }


def measure(name: str, arrays: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--one", name, str(arrays)], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{name} on {arrays} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared" / "corpus")
    parser.add_argument("--one", nargs=2, metavar=("IMPLEMENTATION", "ARRAYS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], Path(args.one[1]))))
        return
    from generate import generate

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="cg-louvain-") as tmp:
        work = Path(tmp)
        cases: list[tuple[str, Path, Path | None]] = []
        if (args.corpus / "dictionary").is_dir():
            cases.append(("corpus", args.corpus / "dictionary", args.corpus / "modules"))
        for n in args.sizes:
            cases.append((f"generated {n}", generate(work / str(n), n), work / str(n)))
        for label, terms, modules in cases:
            arrays = work / f"{label.replace(' ', '-')}.npz"
            row: dict[str, Any] = capture(terms, modules, arrays)
            for name in IMPLEMENTATIONS:
                row[name] = measure(name, arrays)
            results[label] = row
            print(label, json.dumps(row), flush=True)
    print("\n| graph (core nodes / edges) | " + " | ".join(IMPLEMENTATIONS) + " |")
    print("| --- |" + " --- |" * len(IMPLEMENTATIONS))
    for label, row in results.items():
        cells = []
        for name in IMPLEMENTATIONS:
            r = row[name]
            cells.append(r["skipped"] if "skipped" in r else
                         f"{r['communities']} communities, Q = {r['modularity']:.3f}, {r['seconds']:.3f} s, {r['mb']:.0f} MB "
                         f"(import {r['import_seconds']:.2f} s)")
        print(f"| {label} ({row['nodes']:,} / {row['edges']:,}) | " + " | ".join(cells) + " |")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "louvain.json").write_text(json.dumps(results, indent=1), "utf-8")


if __name__ == "__main__":
    main()
