"""The weighted graph of the idea map as arrays, and its PageRank: no networkx here.

Why apart from compiler.analyze.analytics: the graph page (compiler.render.graphview)
sizes its nodes by PageRank on every glossary, and a rebuild that reuses the link
result must not import networkx for it (that module imports networkx at its top).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Weighted:
    """The undirected weighted graph the map is read from, as arrays (fast to walk, small).

    One edge per linked pair, weight 1 whatever the relations, plus the similarity score;
    nodes and edges in sorted order so that Louvain's seeded shuffle sees the same graph
    on every run.
    """

    nodes: tuple[str, ...]
    source: Any  # numpy int arrays of node positions, source < target
    target: Any
    weight: Any

    def degrees(self) -> Any:
        n = len(self.nodes)
        return np.bincount(self.source, minlength=n) + np.bincount(self.target, minlength=n)


def pagerank(web: Weighted, alpha: float = 0.85, tol: float = 1e-6, max_iter: int = 100) -> dict[str, float]:
    """networkx's weighted PageRank (uniform teleport, dangling mass spread evenly), in numpy.

    The same iteration and stopping rule as ``nx.pagerank`` (a test compares them); done
    here on the edge arrays so no second networkx graph of the whole map is built.
    """
    n = len(web.nodes)
    if n == 0:
        return {}
    src = np.concatenate([web.source, web.target])
    dst = np.concatenate([web.target, web.source])
    w = np.concatenate([web.weight, web.weight])
    out_weight = np.bincount(src, weights=w, minlength=n)
    dangling = out_weight == 0
    share = w / np.where(dangling, 1.0, out_weight)[src]
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        last = x
        x = alpha * (np.bincount(dst, weights=last[src] * share, minlength=n) + last[dangling].sum() / n) + (1 - alpha) / n
        if np.abs(x - last).sum() < n * tol:
            break
    return dict(zip(web.nodes, x.tolist()))
