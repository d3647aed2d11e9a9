"""The streamed GEXF writer gives exactly the bytes of networkx's GEXFWriter on the whole
graph (minus its date stamp), whatever the chunk size, on graphs with odd shapes; attributes
GEXF reads as something else (ids, spells, viz) are refused rather than written wrongly."""
from __future__ import annotations

import io

import networkx as nx
import pytest

from compiler.export import gexf


def whole(graph: nx.MultiDiGraph) -> bytes:
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True, version=gexf.VERSION)
    writer.add_graph(gexf.gexf_graph(graph))
    writer.xml.find("meta").attrib.pop("lastmodifieddate")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def streamed(graph: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    gexf.write_gexf(graph, buffer)
    return buffer.getvalue()


def mixed() -> nx.MultiDiGraph:
    """Edges whose targets come before their sources, parallel edges, mixed attribute types."""
    g = nx.MultiDiGraph(title="t")
    g.add_node("Z", kind="term", label="Zed <&>", status=None, aliases=("z1", "z2"), community=1, centrality=0.5)
    g.add_node("A", kind="missing", label="A", file=None)
    g.add_node("Γ-001", kind="module", label="Γ “one”", extra={"b": 1, "a": [1, 2]})
    for u, v, key, attrs in [("A", "Z", "broader", {"declared": True, "weight": None, "line": 3}),
                             ("Z", "A", "narrower", {"declared": False}),
                             ("Z", "A", "similar", {"score": 0.5, "weight": 0.5}),
                             ("Z", "Γ-001", "source", {"line": 7, "file": "z.md"}),
                             ("Γ-001", "Z", "context", {"flag": True}),
                             ("A", "Γ-001", "claim", {})]:
        g.add_edge(u, v, key=key, relation=key, **attrs)
    return g


def special() -> nx.MultiDiGraph:
    """Values that need escapes, odd floats, an attribute named ``key``, nodes without attributes."""
    g = nx.MultiDiGraph()
    g.add_node("a&b", label='x "y"\n\tz\r', score=float("inf"), low=float("-inf"), bad=float("nan"), key="k", flag=False)
    g.add_node("plain")  # no attributes: a self-closing element
    g.add_node("v", kind="term")
    g.add_node("p", kind="term")
    g.add_edge("a&b", "plain", key="one", relation="r")
    g.add_edge("plain", "v", key="two", relation="r")
    g.add_edge("v", "p", key="three", relation="r<>", weight=2)
    g.add_edge("p", "a&b", key="four")
    g.add_edge("p", "v", key="five", relation="last")
    g.add_edges_from([("v", "plain", "six", {"key": "own", "relation": "r", "weight": 1.5})])  # an own `key`
    return g


@pytest.mark.parametrize("node, edge", [({"pid": "x"}, {}), ({"viz": "x"}, {}), ({"start": 1}, {}),
                                        ({}, {"id": "e1"}), ({}, {"label": "l"}), ({}, {"type": "undirected"}),
                                        ({"odd": object()}, {})])
def test_attributes_gexf_reads_otherwise_are_refused_not_written_wrongly(node, edge):
    g = nx.MultiDiGraph()
    g.add_node("a", **node)
    g.add_edge("a", "b", key="k", **edge)
    with pytest.raises(ValueError, match="GEXF"):
        gexf.write_items(lambda: list(g.nodes(data=True)), lambda: list(g.edges(keys=True, data=True)),
                         io.BytesIO().write)


GRAPHS = {
    "special": special(),
    "empty": nx.MultiDiGraph(),
    "nodes only": nx.MultiDiGraph(nx.empty_graph(3)),
    "mixed": mixed(),
    "path": nx.MultiDiGraph(nx.path_graph(40, create_using=nx.DiGraph)),
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
@pytest.mark.parametrize("chunk", [1, 2, 7, gexf.CHUNK])
def test_stream_equals_networkx_whole_document(name, chunk, monkeypatch):
    monkeypatch.setattr(gexf, "CHUNK", chunk)
    graph = GRAPHS[name]
    assert streamed(graph) == whole(graph)


def test_reads_back(tmp_path):
    graph = mixed()
    gexf.write_gexf(graph, tmp_path / "g.gexf")
    back = nx.read_gexf(tmp_path / "g.gexf")
    assert set(back.edges(keys=True)) == set(graph.edges(keys=True))
    assert back.nodes["Z"]["aliases"] == "z1; z2" and "status" not in back.nodes["Z"]
    assert back.nodes["Γ-001"]["extra"] == '{"a": [1, 2], "b": 1}'
