"""Exports of the knowledge graph: node-link JSON, GraphML, SKOS JSON-LD, and a text summary.

Why three formats: node-link JSON is what the site's graph view and notebooks read
(networkx loads it back with ``node_link_graph(data, edges="edges")``); GraphML opens
in Gephi and yEd; SKOS is the standard vocabulary format, so a glossary can be loaded
by Skosmos, checked by qSKOS or queried with SPARQL. Every exporter copies *all* node
and edge attributes it can represent, so attributes added later (communities,
centrality, similarity scores) flow through without changing this module. The SKOS
export, which must also meet SKOS's integrity conditions, is in compiler.export.skos.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable, Mapping

from compiler.diagnostics import Diagnostic, count
from compiler.export.limits import Sink, XmlText
from compiler.export.skos import iri, skos_json, skos_jsonld
from compiler.model import GraphData

if TYPE_CHECKING:  # networkx is imported where a writer or an algorithm needs it: the site's
    import networkx as nx  # graph.json (node_link_data) reads the graph's dicts only

def _plain(value: Any) -> Any:
    """A JSON value for an attribute: tuples become lists, paths and other objects text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [_plain(v) for v in items]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


_SCALARS = frozenset({type(None), bool, int, float, str})


def _plain_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """``{k: _plain(v)}``, without a call for the plain values that nearly all attributes are
    (the graph export of a large glossary has hundreds of thousands of them)."""
    return {k: v if type(v) in _SCALARS else _plain(v) for k, v in attrs.items()}


def _edge(attrs: Mapping[str, Any], out: dict[str, Any] | None = None) -> dict[str, Any]:
    """Edge attributes for export (into ``out`` when given, else a copy of ``attrs``): the graph
    stores ``declared``; exports spell out ``inferred`` too."""
    out = dict(attrs) if out is None else out
    if "declared" in attrs:
        out["inferred"] = not attrs["declared"]
    return out


def node_link_data(data: GraphData) -> dict[str, Any]:
    """networkx node-link data with ``edges`` (not ``links``): JSON-ready, in graph order
    (``networkx.node_link_graph(data, edges="edges")`` reads it back).

    Nodes carry id, kind, label, url, status, file and any further attribute; edges
    carry source, target, key, relation, declared, inferred, weight, file, line. An edge
    runs from the term that declares it; an inferred inverse runs the other way. Made from
    the graph's data (compiler.model.GraphData), so the site writes it without networkx.
    """
    nodes = [{"id": node, **_plain_attrs(attrs)} for node, attrs in data.nodes.items()]
    edges = [_edge(attrs, {"source": u, "target": v, "key": key, **_plain_attrs(attrs)})
             for u, v, key, attrs in data.edges()]
    return {"directed": True, "multigraph": True, "graph": _plain(dict(data.attrs)), "nodes": nodes, "edges": edges}


def node_link_json(data: GraphData) -> str:
    return json.dumps(node_link_data(data), ensure_ascii=False, indent=1) + "\n"


def _graphml_value(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(_plain(value), ensure_ascii=False)
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(_plain(value))


def graphml_graph(graph: nx.MultiDiGraph, text: XmlText | None = None) -> nx.MultiDiGraph:
    """A copy GraphML can hold: no None values (absent instead), lists joined with "; ", and
    every text made one XML 1.0 can hold (``text`` counts the characters replaced)."""
    import networkx as nx

    clean = text if text is not None else XmlText()
    out = nx.MultiDiGraph()

    def values(attrs: Mapping[str, Any]) -> dict[str, Any]:
        return {clean(k): clean(_graphml_value(v)) for k, v in attrs.items() if v is not None}

    out.graph.update(values(graph.graph))
    for node, attrs in graph.nodes(data=True):
        out.add_node(clean(node), **values(attrs))
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        out.add_edge(clean(u), clean(v), key=clean(key), **values(_edge(attrs)))
    return out


def write_graphml(graph: nx.MultiDiGraph, target: str | Path | IO[bytes]) -> int:
    """GraphML for Gephi / yEd; ``nx.read_graphml`` loads it back. Returns how many characters
    XML 1.0 cannot hold were replaced; ExportTooLarge past the budget of bytes per export."""
    import networkx as nx

    text = XmlText()
    copy = graphml_graph(graph, text)
    if isinstance(target, (str, Path)):
        with open(target, "wb") as handle:
            nx.write_graphml(copy, Sink(handle.write), encoding="utf-8", prettyprint=True)
    else:
        nx.write_graphml(copy, Sink(target.write), encoding="utf-8", prettyprint=True)
    return text.replaced


def _components(graph: nx.MultiDiGraph) -> tuple[int, int]:
    """(count, largest size) of connected components over defined nodes (terms and modules)."""
    import networkx as nx

    defined = [n for n, kind in graph.nodes(data="kind") if kind != "missing"]
    if not defined:
        return 0, 0
    sizes = [len(c) for c in nx.weakly_connected_components(graph.subgraph(defined))]
    return len(sizes), max(sizes)


def summary_text(graph: nx.MultiDiGraph, diagnostics: Iterable[Diagnostic] = ()) -> str:
    """The `graph` command's summary: nodes by kind, edges by relation, components, findings by code."""
    diagnostics = list(diagnostics)
    kinds = Counter(kind for _, kind in graph.nodes(data="kind"))
    rel: Counter[tuple[str, bool]] = Counter((d["relation"], bool(d.get("declared"))) for *_, d in graph.edges(data=True))
    lines = [f"nodes: {graph.number_of_nodes()} (" + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) + ")",
             f"edges: {graph.number_of_edges()}"]
    width = max([len(r) for r, _ in rel] + [8])
    lines.append(f"  {'relation':{width}}  declared  inferred")
    for name in sorted({r for r, _ in rel}):
        lines.append(f"  {name:{width}}  {rel[(name, True)]:8}  {rel[(name, False)]:8}")
    n, largest = _components(graph)
    lines.append(f"components (terms and modules): {n}, largest {largest} nodes")
    by_code = Counter((d.code, d.severity.value) for d in diagnostics if d.waived is None)
    waived = Counter(d.code for d in diagnostics if d.waived is not None)
    totals = count(diagnostics)
    lines.append(f"findings: {totals.errors} errors, {totals.warnings} warnings, {totals.infos} info, {totals.waived} waived")
    for (code, severity), number in sorted(by_code.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {code:26} {severity:8} {number}")
    for code, number in sorted(waived.items()):
        lines.append(f"  {code:26} {'waived':8} {number}")
    return "\n".join(lines) + "\n"


__all__ = ["node_link_data", "node_link_json", "write_graphml", "graphml_graph", "skos_jsonld", "skos_json",
           "summary_text", "iri"]
