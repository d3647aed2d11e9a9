"""GEXF (Gephi's format), written here and streamed in chunks, in networkx's layout.

Why not ``networkx.write_gexf``: it builds the whole document as an ElementTree before
writing a byte (kilobytes per edge: gigabytes for the largest glossaries' millions of
edges), and the streaming idea map (compiler.analyze.ideamap) writes from arrays,
without a graph. This writer declares the attributes in a first pass and then writes
the nodes and edges a chunk at a time, each chunk written and dropped. Its bytes are
those of networkx's own GEXF writer on the same graph, a test compares them,
except that the date stamp networkx puts in ``<meta>`` is left out, so that two builds
of one glossary give identical files.

Values GEXF cannot hold are adapted first: None is left out, lists and tuples are
joined with "; " (GEXF would read a list as time spells), mappings become JSON.
Only the attribute types a glossary's graph has are written (text, booleans, integers,
floats); another type, or an attribute GEXF gives a meaning of its own (``id``,
``viz``, ``start``...), is refused with a ValueError rather than written wrongly.
Characters XML 1.0 forbids are replaced as the bytes go out, and the budget of bytes
per export is kept there too (compiler.export.limits).
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Iterable, Iterator

from compiler.collector import gc_paused
from compiler.export.limits import Sink

if TYPE_CHECKING:
    import networkx as nx

CHUNK = 20_000  # nodes or edges formatted at a time
VERSION = "1.2draft"
NAMESPACE = "http://www.gexf.net/1.2draft"
_SCALARS = (str, int, float, bool)
_TYPES = {str: "string", bool: "boolean", int: "long", float: "double"}  # as networkx declares them
# attributes GEXF turns into XML attributes or sub-elements rather than <attvalue>s
_SPECIAL_NODE = frozenset(("id", "pid", "start", "end", "parents", "spells", "slices", "viz"))
_SPECIAL_EDGE = frozenset(("id", "label", "type", "start", "end", "spells", "slices", "viz"))
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;",
                         "\t": "&#09;"})  # ElementTree's attribute escapes
_NEEDS_ESCAPE = re.compile('[&<>"\r\n\t]').search
_FLOATS = {"inf": "INF", "nan": "NaN", "-inf": "-INF"}

Nodes = Callable[[], Iterable[tuple[Any, dict[str, Any]]]]  # (node, plain attributes), callable twice
Edges = Callable[[], Iterable[tuple[Any, Any, Any, dict[str, Any]]]]  # (source, target, key, plain attributes)


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
    import networkx as nx

    out = nx.MultiDiGraph()
    for node, attrs in graph.nodes(data=True):
        out.add_node(node, **_plain(attrs))
    out.add_edges_from((u, v, key, _plain(attrs)) for u, v, key, attrs in graph.edges(keys=True, data=True))
    return out


def _escaped(text: str) -> str:
    return text.translate(_ESCAPE) if _NEEDS_ESCAPE(text) else text


def _text(value: Any) -> str:
    """An <attvalue>'s value as networkx writes it, escaped."""
    kind = type(value)
    if kind is str:
        return _escaped(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        text = repr(value)
        return _FLOATS.get(text, text)
    raise ValueError(f"GEXF: an attribute value of type {kind.__name__} cannot be written")


def _node_values(attrs: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """A node's <attvalue>s: all but ``label`` (an XML attribute), ``key`` named ``networkx_key`` as networkx does."""
    return [("networkx_key" if k == "key" else k, v) for k, v in attrs.items() if k != "label"]


def _edge_values(key: Any, attrs: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """An edge's <attvalue>s in networkx's order: ``weight`` is an XML attribute, and the key
    is the attribute ``networkx_key``, added after the others (or in place of a ``key``)."""
    values = [("networkx_key" if k == "key" else k, key if k == "key" else v)
              for k, v in attrs.items() if k != "weight"]
    if "key" not in attrs:
        values.append(("networkx_key", key))
    return values


class _Declarations:
    """Attribute ids by class, numbered in order of first use across nodes, then edges."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
        self.order: list[str] = []  # classes in order of first declaration
        self.rows: dict[str, list[str]] = {"node": [], "edge": []}

    def declare(self, kind: str, values: Iterable[tuple[str, Any]], special: frozenset[str]) -> None:
        table = self.ids[kind]
        for name, value in values:
            if name in special:
                raise ValueError(f"GEXF: the {kind} attribute {name!r} has a meaning of its own and is not written")
            if name in table:
                continue
            gexf_type = _TYPES.get(type(value))
            if gexf_type is None:
                raise ValueError(f"GEXF: an attribute value of type {type(value).__name__} cannot be written")
            if not table and kind not in self.order:
                self.order.append(kind)
            table[name] = str(sum(len(t) for t in self.ids.values()))
            self.rows[kind].append(f'      <attribute id="{table[name]}" title="{_escaped(name)}" type="{gexf_type}" />')

    def xml(self) -> str:
        # networkx inserts each class's <attributes> first in <graph>: the class declared last comes first
        return "".join(f'    <attributes mode="static" class="{kind}">\n' + "\n".join(self.rows[kind]) +
                       "\n    </attributes>\n" for kind in reversed(self.order))


def _node_xml(node: Any, attrs: Mapping[str, Any], ids: Mapping[str, str]) -> str:
    head = f'<node id="{_escaped(str(node))}" label="{_escaped(str(attrs.get("label", node)))}"'
    values = "".join(f'\n          <attvalue for="{ids[k]}" value="{_text(v)}" />' for k, v in _node_values(attrs))
    return head + " />" if not values else f"{head}>\n        <attvalues>{values}\n        </attvalues>\n      </node>"


def _edge_xml(u: Any, v: Any, key: Any, attrs: Mapping[str, Any], edge_id: int, ids: Mapping[str, str]) -> str:
    head = f'<edge source="{_escaped(str(u))}" target="{_escaped(str(v))}" id="{edge_id}"'
    if "weight" in attrs:
        head += f' weight="{_escaped(str(attrs["weight"]))}"'
    values = "".join(f'\n          <attvalue for="{ids[k]}" value="{_text(x)}" />' for k, x in _edge_values(key, attrs))
    return f"{head}>\n        <attvalues>{values}\n        </attvalues>\n      </edge>"


def _chunks(texts: Iterator[str], out: Callable[[bytes], Any]) -> None:
    """Elements, each on its own line at level 3, written ``CHUNK`` at a time."""
    batch: list[str] = []
    for text in texts:
        batch.append(f"      {text}\n")
        if len(batch) >= CHUNK:
            out("".join(batch).encode("utf-8", "surrogatepass"))
            batch = []
    if batch:
        out("".join(batch).encode("utf-8", "surrogatepass"))


def _creator() -> str:
    """networkx's own creator line, so that the file is the one networkx writes."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"NetworkX {version('networkx')}"
    except PackageNotFoundError:  # pragma: no cover - networkx is a dependency
        return "NetworkX"


def write_items(nodes: Nodes, edges: Edges, out: Callable[[bytes], Any]) -> int:
    """Write GEXF for the given nodes and edges, as networkx writes a graph holding them.

    ``nodes`` and ``edges`` are called twice: once to declare every attribute (in order
    of first use, as networkx numbers them), then to write the elements. Returns how many
    characters XML 1.0 cannot hold were replaced; ExportTooLarge past the budget of bytes
    per export."""
    sink = Sink(out, xml=True)
    out = sink.write
    declared = _Declarations()
    has_nodes = has_edges = False
    for _node, attrs in nodes():
        has_nodes = True
        declared.declare("node", _node_values(attrs), _SPECIAL_NODE)
    for _u, _v, key, attrs in edges():
        has_edges = True
        declared.declare("edge", _edge_values(key, attrs), _SPECIAL_EDGE)
    head = ("<?xml version='1.0' encoding='utf-8'?>\n"
            f'<gexf xmlns="{NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="{NAMESPACE} {NAMESPACE}/gexf.xsd" version="1.2">\n'
            f"  <meta>\n    <creator>{_escaped(_creator())}</creator>\n  </meta>\n"
            '  <graph defaultedgetype="directed" mode="static" name="">\n' + declared.xml())
    out(head.encode("utf-8", "surrogatepass"))
    node_ids, edge_ids = declared.ids["node"], declared.ids["edge"]
    if has_nodes:
        out(b"    <nodes>\n")
        _chunks((_node_xml(node, attrs, node_ids) for node, attrs in nodes()), out)
        out(b"    </nodes>\n")
    else:
        out(b"    <nodes />\n")
    if has_edges:
        out(b"    <edges>\n")
        _chunks((_edge_xml(u, v, key, attrs, i, edge_ids) for i, (u, v, key, attrs) in enumerate(edges())), out)
        out(b"    </edges>\n")
    else:
        out(b"    <edges />\n")
    out(b"  </graph>\n</gexf>\n")
    return sink.replaced


def _write(graph: nx.MultiDiGraph, out: Callable[[bytes], Any]) -> int:
    return write_items(lambda: ((n, _plain(a)) for n, a in graph.nodes(data=True)),
                lambda: ((u, v, k, _plain(a)) for u, v, k, a in graph.edges(keys=True, data=True)), out)


def write_gexf(graph: nx.MultiDiGraph, path: str | Path | IO[bytes]) -> int:
    """Write ``graph`` as GEXF 1.2 to a path or a binary file object; how many characters XML 1.0
    cannot hold were replaced."""
    with gc_paused():  # many small strings, no cycles
        if isinstance(path, (str, Path)):
            with open(path, "wb") as handle:
                return _write(graph, handle.write)
        return _write(graph, path.write)


__all__ = ["write_gexf", "write_items", "gexf_graph", "gexf_value", "CHUNK", "VERSION"]
