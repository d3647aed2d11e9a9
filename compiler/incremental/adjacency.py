"""One node's adjacency, read from a graph's parts without filling the whole graph.

Why: a rebuild after a prose edit reuses the last link result (compiler.incremental.linkreuse) and
renders one page, which reads the edges of one node. Filling the whole adjacency from
the stored parts (:func:`compiler.link.graph.fill_graph`) was ~0.3 s at 10,000 terms
(124,000 edges, a dict per edge); indexing the edge rows by node is one pass over two
columns (~0.03 s), and a node's edges are then a handful of rows.

:class:`RowIndex` answers ``succ_of(node)`` and ``pred_of(node)`` with dicts equal to
``succ[node]`` and ``pred[node]`` of the filled graph, in the same order: the same
neighbours in the order of their first edge, the same relation keys in the order
first written, the same attributes (a later row of the same node pair and relation
replaces the attributes but keeps the key's place, as in ``fill_graph``). Only the
sharing of a key dict between ``succ[u][v]`` and ``pred[v][u]`` is not kept: these
are read, never written. Tested against ``fill_graph`` in tests/test_adjacency.py.
"""
from __future__ import annotations

from typing import Any, Sequence

Adjacency = dict[str, dict[str, dict[str, Any]]]  # neighbour -> relation -> edge attributes


class RowIndex:
    """The edge rows of each node, out and in, in row order; node adjacency made on request."""

    __slots__ = ("_names", "_position", "_source", "_target", "_relation", "_declared", "_ref", "_files",
                 "_lines", "_weights", "_relation_names", "_out", "_in")

    def __init__(self, names: Sequence[str], source: Sequence[int], target: Sequence[int], relation: Sequence[int],
                 declared: Sequence[bool], ref: Sequence[int], files: Sequence[str], lines: Sequence[int],
                 weights: Sequence[Any], relation_names: Sequence[str]) -> None:
        """Columns as :class:`compiler.link.graph.GraphParts` holds them; ``names`` the nodes in graph order."""
        self._names = names
        self._position = {name: i for i, name in enumerate(names)}
        self._source, self._target, self._relation = source, target, relation
        self._declared, self._ref = declared, ref
        self._files, self._lines, self._weights = files, lines, weights
        self._relation_names = relation_names
        out: list[list[int]] = [[] for _ in names]
        inn: list[list[int]] = [[] for _ in names]
        for row, (u, v) in enumerate(zip(source, target)):
            out[u].append(row)
            inn[v].append(row)
        self._out, self._in = out, inn

    def __contains__(self, node: object) -> bool:
        return node in self._position

    def _attributes(self, row: int, relation: str) -> dict[str, Any]:
        ref = self._ref[row]
        return {"relation": relation, "declared": self._declared[row], "weight": self._weights[ref],
                "file": self._files[ref], "line": self._lines[ref]}

    def _side(self, rows: list[int], ends: Sequence[int]) -> Adjacency:
        names, relation_names, relation = self._names, self._relation_names, self._relation
        found: Adjacency = {}
        for row in rows:
            other = names[ends[row]]
            keys = found.get(other)
            if keys is None:
                keys = found[other] = {}
            name = relation_names[relation[row]]
            keys[name] = self._attributes(row, name)
        return found

    def succ_of(self, node: str) -> Adjacency:
        """``succ[node]`` of the filled graph: target -> relation -> attributes. KeyError for an unknown node."""
        return self._side(self._out[self._position[node]], self._target)

    def pred_of(self, node: str) -> Adjacency:
        """``pred[node]`` of the filled graph: source -> relation -> attributes. KeyError for an unknown node."""
        return self._side(self._in[self._position[node]], self._source)


def node_adjacency(graph: Any, node: str) -> tuple[Adjacency, Adjacency]:
    """``(succ[node], pred[node])`` of a networkx graph, or of a graph that answers for one node
    without filling all of its adjacency (``adjacency_of``, see compiler.incremental.lightgraph.PartsGraph)."""
    one = getattr(graph, "adjacency_of", None)
    return one(node) if one is not None else (graph._succ[node], graph._pred[node])


__all__ = ["RowIndex", "Adjacency", "node_adjacency"]
