"""compiler.model.GraphData reads as the networkx graph it makes.

The site and the build cache read a graph through its data (nodes and edge rows); the
integrity checks, exports and the idea map read the networkx graph made from the same
rows. Both must answer alike: equal dicts in the same order at every level (neighbours,
relation keys, attribute keys), for random rows with repeated pairs, repeated relations
(a later row updates the attributes in place, as ``add_edges_from`` does), self-loops and
isolated nodes; and derived data equals ``graph.copy()`` plus ``add_edge``.
"""
from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.link.relations import RELATION_NAMES
from compiler.model import GraphData


def _ordered(value):
    """A mapping as nested (key, value) lists, so that comparing also compares order."""
    if hasattr(value, "items"):
        return [(k, _ordered(v)) for k, v in value.items()]
    return value


def _data(n_nodes: int, rows: list[tuple[int, int, int, bool]], weights: list) -> GraphData:
    nodes = {f"N{i}": {"kind": "term", "label": f"Node {i}"} for i in range(n_nodes)}
    edges = [(f"N{u}", f"N{v}", RELATION_NAMES[r], {"relation": RELATION_NAMES[r], "declared": d, "weight": w,
                                                     "line": i + 1} | ({"extra": i} if i % 3 == 0 else {}))
             for i, ((u, v, r, d), w) in enumerate(zip(rows, weights))]
    return GraphData({"title": "T"}, nodes, edges)


def _reads_as_its_graph(data: GraphData, graph: nx.MultiDiGraph) -> None:
    assert list(data.nodes) == list(graph.nodes)
    assert data.attrs == graph.graph
    for node in graph:
        assert node in data
        assert _ordered(data.nodes[node]) == _ordered(graph.nodes[node])
        assert _ordered(data.succ(node)) == _ordered(graph.succ[node]), node
        assert _ordered(data.pred(node)) == _ordered(graph.pred[node]), node
    assert _ordered(list(data.edges())) == _ordered(list(graph.edges(keys=True, data=True)))
    assert data.number_of_edges() == len(data.rows)


@st.composite
def edge_tables(draw):
    n = draw(st.integers(1, 7))
    node = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(node, node, st.integers(0, 5), st.booleans()), max_size=40))
    weights = draw(st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=len(rows), max_size=len(rows)))
    return n, rows, weights


@settings(max_examples=150, deadline=None)
@given(edge_tables())
def test_the_data_reads_as_the_graph_it_makes(table):
    data = _data(*table)
    _reads_as_its_graph(data, data.graph)


@settings(max_examples=60, deadline=None)
@given(edge_tables(), st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=6))
def test_derived_data_is_a_copy_with_the_additions(table, extra):
    data = _data(*table)
    n = table[0]
    added = [(f"N{u % n}", f"N{v % n}", "similar", {"relation": "similar", "score": 0.5}) for u, v in extra]
    expected = data.graph.copy()
    expected.graph["communities"] = 2
    for node in expected:
        expected.nodes[node]["community"] = 1
    for u, v, k, d in added:
        expected.add_edge(u, v, key=k, **d)
    derived = data.derived({"communities": 2}, {node: {"community": 1} for node in data.nodes}, added)
    _reads_as_its_graph(derived, expected)
    assert "community" not in next(iter(data.nodes.values()))  # the original data is untouched


def test_the_graph_is_made_once_and_an_unknown_node_is_a_key_error():
    data = _data(2, [(0, 1, 0, True)], [None])
    assert data.graph is data.graph
    assert "N9" not in data
    try:
        data.succ("N9")
    except KeyError:
        pass
    else:  # pragma: no cover
        raise AssertionError("an unknown node must be a KeyError")


@settings(max_examples=100, deadline=None)
@given(edge_tables(), st.randoms(use_true_random=False))
def test_the_data_of_any_graph_reads_as_that_graph(table, rnd):
    """``GraphData.of`` keeps each node's successor and predecessor order, however the graph was built."""
    rows = _data(*table).rows
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    graph = nx.MultiDiGraph(title="T")
    graph.add_nodes_from(f"N{i}" for i in range(table[0]))
    graph.add_edges_from(shuffled)
    graph.remove_edges_from(shuffled[: len(shuffled) // 4])
    data = GraphData.of(graph)
    _reads_as_its_graph(data, graph)
    _reads_as_its_graph(data, data.graph)
