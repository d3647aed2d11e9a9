"""compiler.incremental.adjacency.RowIndex gives each node's adjacency exactly as the filled graph has it.

Compared with networkx's ``succ[n]`` and ``pred[n]`` of the graph ``GraphParts.graph()``
fills from the same parts: equal dicts and the same order at every level (neighbours,
relation keys, attribute keys), for random edge rows with repeated pairs, repeated
relations (a later row replaces the attributes in place), self-loops and isolated nodes.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.incremental.adjacency import RowIndex
from compiler.link.graph import RELATION_NAMES, GraphParts


def _ordered(value):
    """A dict as nested (key, value) lists, so that comparing also compares order."""
    if isinstance(value, dict):
        return [(k, _ordered(v)) for k, v in value.items()]
    return value


def _parts(n_nodes: int, rows: list[tuple[int, int, int, bool]], weights: list) -> GraphParts:
    nodes = {f"N{i}": {"kind": "term", "label": f"Node {i}"} for i in range(n_nodes)}
    return GraphParts("Glossary", nodes, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                      [r[3] for r in rows], list(range(len(rows))), [f"f{i}.md" for i in range(len(rows))],
                      [i + 1 for i in range(len(rows))], weights)


def _index(parts: GraphParts) -> RowIndex:
    return RowIndex(list(parts.nodes), parts.source, parts.target, parts.relation, parts.declared, parts.ref,
                    parts.files, parts.lines, parts.weights, RELATION_NAMES)


def _same_as_filled(parts: GraphParts) -> None:
    graph = parts.graph()
    index = _index(parts)
    for node in graph:
        assert node in index
        assert _ordered(index.succ_of(node)) == _ordered(graph._succ[node]), node
        assert _ordered(index.pred_of(node)) == _ordered(graph._pred[node]), node


@st.composite
def edge_tables(draw):
    n = draw(st.integers(1, 7))
    node = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(node, node, st.integers(0, min(5, len(RELATION_NAMES) - 1)), st.booleans()),
                         max_size=40))
    weights = draw(st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=len(rows), max_size=len(rows)))
    return n, rows, weights


@settings(max_examples=150, deadline=None)
@given(edge_tables())
def test_each_node_reads_as_the_filled_graph(table):
    _same_as_filled(_parts(*table))


TABLE = [  # (what, node count, rows (source, target, relation code, declared))
    ("no edges", 3, []),
    ("a pair written twice with one relation: the later row's attributes, the first place",
     2, [(0, 1, 0, True), (0, 1, 1, True), (0, 1, 0, False)]),
    ("neighbours in the order of their first edge", 4, [(0, 3, 0, True), (0, 1, 0, True), (0, 3, 1, True),
                                                        (0, 2, 0, True)]),
    ("sources of a target in the order of their first edge", 4, [(3, 0, 0, True), (1, 0, 0, True),
                                                                 (3, 0, 1, True), (2, 0, 0, False)]),
    ("a self-loop", 1, [(0, 0, 0, True), (0, 0, 1, False)]),
]


@pytest.mark.parametrize("what,n,rows", TABLE, ids=[t[0] for t in TABLE])
def test_table(what, n, rows):
    _same_as_filled(_parts(n, rows, [0.5] * len(rows)))


def test_a_later_row_replaces_the_attributes_and_an_unknown_node_is_a_key_error():
    index = _index(_parts(2, [(0, 1, 0, True), (0, 1, 0, False)], [0.25, 0.75]))
    relation = RELATION_NAMES[0]
    assert index.succ_of("N0") == {"N1": {relation: {"relation": relation, "declared": False, "weight": 0.75,
                                                     "file": "f1.md", "line": 2}}}
    assert index.pred_of("N0") == {} and index.succ_of("N1") == {}
    assert "N9" not in index
    with pytest.raises(KeyError):
        index.succ_of("N9")
