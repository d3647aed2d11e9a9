"""Exports of the knowledge graph: node-link JSON, GraphML, SKOS JSON-LD, and a text summary.

Why three formats: node-link JSON is what the site's graph view and notebooks read
(networkx loads it back with ``node_link_graph(data, edges="edges")``); GraphML opens
in Gephi and yEd; SKOS is the standard vocabulary format, so a glossary can be loaded
by Skosmos, checked by qSKOS or queried with SPARQL. Every exporter copies *all* node
and edge attributes it can represent, so attributes added later (communities,
centrality, similarity scores) flow through without changing this module.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable, Mapping, Sequence
from urllib.parse import quote

from compiler.diagnostics import Diagnostic, count
from compiler.export.limits import Sink, XmlText
from compiler.model import GraphData, Term

if TYPE_CHECKING:  # networkx is imported where a writer or an algorithm needs it: the site's
    import networkx as nx  # graph.json (node_link_data) reads the graph's dicts only

SKOS = "http://www.w3.org/2004/02/skos/core#"
VOCAB = "https://compile-glossary.dev/vocab#"
DEFAULT_BASE = "urn:glossary:"
DEFINITION_KEYS = ("definition", "pirouette_definition")

# graph relation -> SKOS property (other relations go out under the gl: vocabulary only)
SKOS_RELATIONS: Mapping[str, str] = {
    "broader": "broader",
    "narrower": "narrower",
    "synonym": "related",
    "antonym": "related",
    "associated": "related",
}


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


def _definition(term: Term) -> str | None:
    for key in DEFINITION_KEYS:
        value = term.data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def iri(base: str, ident: str) -> str:
    return base + quote(ident, safe="")


def skos_jsonld(graph: nx.MultiDiGraph, terms: Sequence[Term] = (), *, base: str = DEFAULT_BASE) -> dict[str, Any]:
    """SKOS as JSON-LD: one ``skos:Concept`` per node, in one ``skos:ConceptScheme``.

    prefLabel (label), altLabel (aliases), definition (from ``terms``), broader /
    narrower (one per edge), related (synonyms, antonyms, associations); every
    relation also appears under its own ``gl:`` property, and ``gl:kind`` says whether
    a concept is a term, a module document or a name defined nowhere.
    """
    by_id = {t.id: t for t in terms}
    scheme = base + "scheme"
    context = {
        "skos": SKOS,
        "gl": VOCAB,
        "prefLabel": "skos:prefLabel",
        "altLabel": "skos:altLabel",
        "definition": "skos:definition",
        "inScheme": {"@id": "skos:inScheme", "@type": "@id"},
        "broader": {"@id": "skos:broader", "@type": "@id"},
        "narrower": {"@id": "skos:narrower", "@type": "@id"},
        "related": {"@id": "skos:related", "@type": "@id"},
        "kind": "gl:kind",
        "status": "gl:status",
        "file": "gl:file",
    }
    concepts: list[dict[str, Any]] = [{"@id": scheme, "@type": "skos:ConceptScheme",
                                       "prefLabel": str(graph.graph.get("title") or "Glossary")}]
    for node, attrs in graph.nodes(data=True):
        concept: dict[str, Any] = {"@id": iri(base, node), "@type": "skos:Concept", "inScheme": scheme,
                                   "prefLabel": str(attrs.get("label") or node), "kind": attrs.get("kind")}
        aliases = [a for a in attrs.get("aliases", ()) if a != concept["prefLabel"]]
        if aliases:
            concept["altLabel"] = aliases
        for key in ("status", "file"):
            if attrs.get(key):
                concept[key] = attrs[key]
        term = by_id.get(node)
        if term is not None and attrs.get("kind") == "term" and _definition(term):
            concept["definition"] = _definition(term)
        links: dict[str, list[str]] = {}
        for _, target, relation in graph.out_edges(node, keys=True):
            skos = SKOS_RELATIONS.get(relation)
            if skos is not None:
                links.setdefault(skos, []).append(iri(base, target))
            if skos not in ("broader", "narrower"):
                links.setdefault(f"gl:{relation}", []).append(iri(base, target))
        for prop, targets in links.items():
            unique = list(dict.fromkeys(targets))
            concept[prop] = unique if not prop.startswith("gl:") else [{"@id": t} for t in unique]
        concepts.append(concept)
    return {"@context": context, "@graph": concepts}


def skos_json(graph: nx.MultiDiGraph, terms: Sequence[Term] = (), *, base: str = DEFAULT_BASE) -> str:
    return json.dumps(skos_jsonld(graph, terms, base=base), ensure_ascii=False, indent=1) + "\n"


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
