"""GEXF (Gephi's format) through networkx's writer, streamed in chunks.

Why not plain ``networkx.write_gexf``: it builds the whole document as an ElementTree
before writing a byte (measured: about 3.8 KB per edge, 7 GB for a 100,000-term
glossary's two million edges). Here networkx's own ``GEXFWriter`` declares the
attributes and writes the document's skeleton, and the nodes and edges are formatted
in its exact layout a chunk at a time, each chunk written and dropped
(:func:`write_items`; the streaming idea map feeds it from arrays, without a graph).
The bytes are exactly those of ``GEXFWriter`` on the whole graph (a test compares
them), except that the date stamp networkx puts in ``<meta>`` is left out, so that two
builds of one glossary give identical files.

Values GEXF cannot hold are adapted first: None is left out, lists and tuples are
joined with "; " (GEXF would read a list as time spells), mappings become JSON.
Characters XML 1.0 forbids are replaced as the bytes go out, and the budget of bytes
per export is kept there too (compiler.export.limits).
"""
from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from collections.abc import Mapping
from typing import IO, Any, Callable, Iterable, Iterator
from xml.etree.ElementTree import Element, SubElement, tostring

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from compiler.export.limits import Sink
from compiler.link.graph import as_networkx, gc_paused

CHUNK = 20_000  # nodes or edges made into elements at a time
VERSION = "1.2draft"
_MARK = "@@gexf-stream@@"


_SCALARS = (str, int, float, bool)


def gexf_value(value: Any) -> Any:
    """An attribute value GEXF can hold (see the module docstring)."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return "; ".join(str(v) for v in items)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, _SCALARS):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def _plain(attrs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: gexf_value(v) for k, v in attrs.items() if v is not None}


def gexf_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy GEXF can hold, in the same order (what the GEXF file holds, for comparisons)."""
    graph = as_networkx(graph)
    out = nx.MultiDiGraph()
    for node, attrs in graph.nodes(data=True):
        out.add_node(node, **_plain(attrs))
    out.add_edges_from((u, v, key, _plain(attrs)) for u, v, key, attrs in graph.edges(keys=True, data=True))
    return out


Nodes = Callable[[], Iterable[tuple[Any, dict[str, Any]]]]  # (node, plain attributes), callable twice
Edges = Callable[[], Iterable[tuple[Any, Any, Any, dict[str, Any]]]]  # (source, target, key, plain attributes)

# attributes GEXFWriter turns into XML attributes or sub-elements rather than <attvalue>s:
# an element carrying one is made by GEXFWriter itself (the fast formatter below skips it)
_SPECIAL_NODE = frozenset(("id", "pid", "start", "end", "parents", "spells", "slices", "viz"))
_SPECIAL_EDGE = frozenset(("id", "label", "type", "start", "end", "spells", "slices", "viz"))
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;",
                         "\t": "&#09;"})  # ElementTree's attribute escapes
_NEEDS_ESCAPE = re.compile('[&<>"\r\n\t]').search
_FLOATS = {"inf": "INF", "nan": "NaN", "-inf": "-INF"}


class _Special(Exception):
    """An element the fast formatter leaves to GEXFWriter."""


def _signature(attrs: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[type, ...]]:
    """Names and types of the values: equal signatures give equal GEXF declarations."""
    return tuple(attrs), tuple(map(type, attrs.values()))


def _escaped(text: str) -> str:
    return text.translate(_ESCAPE) if _NEEDS_ESCAPE(text) else text


def _text(value: Any) -> str:
    """An <attvalue>'s value exactly as GEXFWriter writes it, escaped."""
    kind = type(value)
    if kind is str:
        return value.translate(_ESCAPE) if _NEEDS_ESCAPE(value) else value
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        text = repr(value)
        return _FLOATS.get(text, text)
    raise _Special  # GEXFWriter refuses other types; let it say so


def _attvalues(attrs: Iterable[tuple[str, Any]], ids: Mapping[str, str]) -> str:
    return "".join([f'\n          <attvalue for="{ids[k]}" value="{_text(v)}" />' for k, v in attrs])


def _node_xml(node: Any, attrs: dict[str, Any], ids: Mapping[str, str]) -> str | None:
    """The <node> element GEXFWriter makes and indents at level 3, or None when it must make it."""
    if not _SPECIAL_NODE.isdisjoint(attrs):
        return None
    head = f'<node id="{_escaped(str(node))}" label="{_escaped(str(attrs.get("label", node)))}"'
    try:
        values = _attvalues([(k, v) for k, v in attrs.items() if k != "label"], ids)
    except _Special:
        return None
    if not values:
        return head + " />"
    return f"{head}>\n        <attvalues>{values}\n        </attvalues>\n      </node>"


def _edge_xml(u: Any, v: Any, key: Any, attrs: dict[str, Any], edge_id: int, ids: Mapping[str, str]) -> str | None:
    """The <edge> element GEXFWriter makes (the key is the attribute ``networkx_key``), or None.

    As in GEXFWriter, ``weight`` becomes an XML attribute, and the key is added after the
    other attributes (or takes the place of an attribute of the same name).
    """
    if not _SPECIAL_EDGE.isdisjoint(attrs):
        return None
    head = f'<edge source="{_escaped(str(u))}" target="{_escaped(str(v))}" id="{edge_id}"'
    if "weight" in attrs:
        head += f' weight="{_escaped(str(attrs["weight"]))}"'
    try:
        values = _attvalues([(k, key if k == "key" else x) for k, x in attrs.items() if k != "weight"], ids)
        if "key" not in attrs:
            values += _attvalues((("key", key),), ids)
    except _Special:
        return None
    return f"{head}>\n        <attvalues>{values}\n        </attvalues>\n      </edge>"


def _ids(writer: GEXFWriter, kind: str) -> dict[str, str]:
    """Attribute ids by name as the formatter looks them up (``key`` is declared as ``networkx_key``)."""
    ids = dict(writer.attr[kind]["static"])
    if "networkx_key" in ids:
        ids["key"] = ids["networkx_key"]
    return ids


def _firsts(items: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """One item per new set of attribute names and types (the attributes are the last field)."""
    seen: set[Any] = set()
    for item in items:
        signature = _signature(item[-1])
        if signature not in seen:
            seen.add(signature)
            yield item


def _node_graph(nodes: Iterable[tuple[Any, dict[str, Any]]]) -> nx.MultiDiGraph:
    chunk = nx.MultiDiGraph()
    chunk.add_nodes_from(nodes)
    return chunk


def _edge_graph(edges: list[tuple[Any, Any, Any, dict[str, Any]]]) -> nx.MultiDiGraph:
    chunk = nx.MultiDiGraph()
    chunk.add_nodes_from(u for u, *_ in edges)  # sources first, so the chunk walks its edges in the given order
    chunk.add_edges_from(edges)
    return chunk


def _element_text(writer: GEXFWriter, graph: nx.MultiDiGraph, add: Callable[[nx.MultiDiGraph, Element], None]) -> str:
    """The one element GEXFWriter makes for a one-node or one-edge graph, indented at level 3."""
    scratch = Element("graph")
    add(graph, scratch)
    element = scratch[0][0]
    writer.indent(element, 3)
    element.tail = None
    return tostring(element, encoding="unicode")


def _chunks(texts: Iterable[str], out: Callable[[bytes], Any]) -> None:
    """Elements joined by their level-3 tails, written ``CHUNK`` at a time; the skeleton carries the last tail."""
    batch: list[str] = []
    lead = ""
    for text in texts:
        batch.append(text)
        if len(batch) >= CHUNK:
            out((lead + "\n      ".join(batch)).encode("utf-8", "surrogatepass"))
            batch, lead = [], "\n      "
    if batch:
        out((lead + "\n      ".join(batch)).encode("utf-8", "surrogatepass"))


def _node_texts(writer: GEXFWriter, nodes: Nodes, ids: Mapping[str, str]) -> Iterator[str]:
    for node, attrs in nodes():
        text = _node_xml(node, attrs, ids)
        yield text if text is not None else _element_text(writer, _node_graph([(node, attrs)]), writer.add_nodes)


def _edge_texts(writer: GEXFWriter, edges: Edges, ids: Mapping[str, str]) -> Iterator[str]:
    for u, v, key, attrs in edges():
        edge_id = next(writer.edge_id)  # GEXFWriter numbers the edges that carry no `id` from 0
        text = _edge_xml(u, v, key, attrs, edge_id, ids)
        if text is None:
            writer.edge_id = itertools.chain([edge_id], writer.edge_id)
            text = _element_text(writer, _edge_graph([(u, v, key, attrs)]), writer.add_edges)
        yield text


def write_items(nodes: Nodes, edges: Edges, out: Callable[[bytes], Any]) -> int:
    """Write GEXF for the given nodes and edges, exactly as GEXFWriter writes a graph holding them.

    ``nodes`` and ``edges`` are called twice: once to declare every attribute in the order
    GEXFWriter would (first use; one element per distinct set of names and types goes
    through GEXFWriter), then to write the elements. The elements are formatted here in
    GEXFWriter's own layout (a test compares the bytes), since making each one through
    ElementTree costs about 35 microseconds, 70 s for a 100,000-term glossary's two
    million edges; an element with an attribute GEXFWriter treats specially (``id``,
    ``viz``, ``spells``...) is still made by GEXFWriter. Returns how many characters
    XML 1.0 cannot hold were replaced; ExportTooLarge past the budget of bytes per export.
    """
    sink = Sink(out, xml=True)
    out = sink.write
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version=VERSION)
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
    graph_element = Element("graph", defaultedgetype="directed", mode="static", name="")
    writer.graph_element = graph_element
    has_nodes = has_edges = False
    for node in _firsts(nodes()):
        writer.add_nodes(_node_graph([node]), Element("graph"))
        has_nodes = True
    for edge in _firsts(edges()):
        writer.add_edges(_edge_graph([edge]), Element("graph"))
        has_edges = True
    writer.edge_id, writer.all_edge_ids = itertools.count(), set()
    # skeleton with one marker in each list, then the lists streamed in its place
    node_list, edge_list = SubElement(graph_element, "nodes"), SubElement(graph_element, "edges")
    if has_nodes:
        SubElement(node_list, "node", id=_MARK)
    if has_edges:
        SubElement(edge_list, "edge", id=_MARK)
    writer.xml.append(graph_element)
    writer.indent(writer.xml)
    skeleton = tostring(writer.xml, encoding="unicode")
    parts = [p.encode("utf-8", "surrogatepass") for p in skeleton.replace(f'<edge id="{_MARK}" />', f'<node id="{_MARK}" />')
             .split(f'<node id="{_MARK}" />')]
    out(b"<?xml version='1.0' encoding='utf-8'?>\n")
    out(parts[0])
    streams = []
    if has_nodes:
        streams.append(lambda: _chunks(_node_texts(writer, nodes, _ids(writer, "node")), out))
    if has_edges:
        streams.append(lambda: _chunks(_edge_texts(writer, edges, _ids(writer, "edge")), out))
    for stream, tail in zip(streams, parts[1:]):
        stream()
        out(tail)
    return sink.replaced


def _write(graph: nx.MultiDiGraph, out: Callable[[bytes], Any]) -> int:
    return write_items(lambda: ((n, _plain(a)) for n, a in graph.nodes(data=True)),
                lambda: ((u, v, k, _plain(a)) for u, v, k, a in graph.edges(keys=True, data=True)), out)


def write_gexf(graph: nx.MultiDiGraph, path: str | Path | IO[bytes]) -> int:
    """Write ``graph`` as GEXF 1.2 to a path or a binary file object; how many characters XML 1.0
    cannot hold were replaced."""
    graph = as_networkx(graph)
    with gc_paused():  # many small elements, no cycles
        if isinstance(path, (str, Path)):
            with open(path, "wb") as handle:
                return _write(graph, handle.write)
        return _write(graph, path.write)


__all__ = ["write_gexf", "write_items", "gexf_graph", "gexf_value", "CHUNK"]
