"""The SKOS export (JSON-LD) that SKOS consumers accept: it meets SKOS's integrity conditions.

A glossary may say what SKOS forbids, and a SKOS reader (skosify, Skosmos, qSKOS) rejects
or "cleans" such a file: a hierarchy cycle (A broader B broader A), and ``skos:related``
between two concepts that a chain of ``skos:broader`` also joins (integrity condition
S27: related is disjoint with broaderTransitive). The export keeps the glossary's
meaning without breaking SKOS:

- each hierarchy cycle is broken: the link that closes it (found by a depth-first walk in
  id order, so the same glossary gives the same choice) goes out as ``gl:broader`` /
  ``gl:narrower`` only, and the cycle is named in an ``export-skos-cycle`` finding;
- a synonym, antonym or association between concepts joined by a hierarchical path is not
  ``skos:related``; it stays under its own ``gl:`` property (every non-hierarchical link
  does), and one ``export-skos-related`` finding counts them;
- one ``skos:prefLabel`` per concept (S14), never among its ``altLabel``s (S13).
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import networkx as nx

from compiler.codes import make
from compiler.diagnostics import Diagnostic
from compiler.model import Term

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


def _definition(term: Term) -> str | None:
    for key in DEFINITION_KEYS:
        value = term.data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def iri(base: str, ident: str) -> str:
    return base + quote(ident, safe="")


def _child_parent(source: str, target: str, relation: str) -> tuple[str, str]:
    """The (narrower, broader) concepts of a hierarchical edge."""
    return (source, target) if relation == "broader" else (target, source)


@dataclass
class Hierarchy:
    """The glossary's hierarchy as SKOS may carry it: without the links that close a cycle."""

    kept: nx.DiGraph = field(default_factory=nx.DiGraph)  # child -> parent, the links SKOS carries
    dropped: set[tuple[str, str]] = field(default_factory=set)  # (child, parent) links that closed a cycle
    cycles: list[list[str]] = field(default_factory=list)  # each broken cycle, child to parent, closed
    _above: dict[str, frozenset[str]] = field(default_factory=dict)

    def above(self, node: str) -> frozenset[str]:
        """Every concept a chain of kept ``broader`` links leads to from ``node`` (broaderTransitive)."""
        done = self._above.get(node)
        if done is None:
            done = self._above[node] = frozenset(nx.descendants(self.kept, node)) if node in self.kept else frozenset()
        return done

    def joined(self, a: str, b: str) -> bool:
        """Whether a hierarchical path joins ``a`` and ``b`` (either way up), or they are one concept."""
        return a == b or b in self.above(a) or a in self.above(b)


def hierarchy(graph: nx.MultiDiGraph) -> Hierarchy:
    """The graph's broader/narrower links as child -> parent, each cycle broken at the link that
    closes it in a depth-first walk taken in id order (deterministic): networkx's walk labels
    that link ``nontree`` while its parent is still on the walk's path."""
    pairs = sorted({_child_parent(source, target, relation) for source, target, relation in graph.edges(keys=True)
                    if relation in ("broader", "narrower")})
    result = Hierarchy()
    result.kept.add_nodes_from(sorted({node for pair in pairs for node in pair}))
    result.kept.add_edges_from(pairs)  # in id order, so the walk meets each concept's parents in id order
    path: list[str] = []
    on_path: set[str] = set()
    for child, parent, kind in nx.dfs_labeled_edges(result.kept):
        if kind == "forward":  # (root, root) when a walk starts
            path.append(parent)
            on_path.add(parent)
        elif kind == "reverse":
            on_path.discard(path.pop())
        elif kind == "nontree" and parent in on_path:  # back to a concept on the path: this link closes a cycle
            result.dropped.add((child, parent))
            result.cycles.append(path[path.index(parent):] + [parent])
    result.kept.remove_edges_from(result.dropped)
    return result


@dataclass(frozen=True)
class SkosExport:
    """The JSON-LD document and what the export had to leave out of SKOS to keep its conditions."""

    document: dict[str, Any]
    findings: tuple[Diagnostic, ...]


def skos_export(graph: nx.MultiDiGraph, terms: Sequence[Term] = (), *, base: str = DEFAULT_BASE) -> SkosExport:
    """SKOS as JSON-LD: one ``skos:Concept`` per node, in one ``skos:ConceptScheme``.

    prefLabel (label), altLabel (aliases), definition (from ``terms``), broader /
    narrower (one per edge), related (synonyms, antonyms, associations); every
    non-hierarchical relation also appears under its own ``gl:`` property, and ``gl:kind``
    says whether a concept is a term, a module document or a name defined nowhere. What
    SKOS's integrity conditions forbid goes out under ``gl:`` only (see the module docstring).
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
    tree = hierarchy(graph)
    not_related = 0
    concepts: list[dict[str, Any]] = [{"@id": scheme, "@type": "skos:ConceptScheme",
                                       "prefLabel": str(graph.graph.get("title") or "Glossary")}]
    for node, attrs in graph.nodes(data=True):
        concept: dict[str, Any] = {"@id": iri(base, node), "@type": "skos:Concept", "inScheme": scheme,
                                   "prefLabel": str(attrs.get("label") or node), "kind": attrs.get("kind")}
        aliases = list(dict.fromkeys(str(a) for a in attrs.get("aliases", ()) if str(a) != concept["prefLabel"]))
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
            if skos in ("broader", "narrower") and _child_parent(node, target, relation) in tree.dropped:
                skos = None  # it closes a cycle: the glossary's own property only
            elif skos == "related" and tree.joined(node, target):
                skos = None  # S27: related is disjoint with broaderTransitive
                not_related += 1
            if skos is not None:
                links.setdefault(skos, []).append(iri(base, target))
            if skos not in ("broader", "narrower"):
                links.setdefault(f"gl:{relation}", []).append(iri(base, target))
        for prop, targets in links.items():
            unique = list(dict.fromkeys(targets))
            concept[prop] = unique if not prop.startswith("gl:") else [{"@id": t} for t in unique]
        concepts.append(concept)
    return SkosExport({"@context": context, "@graph": concepts}, _findings(graph, tree, not_related))


def _findings(graph: nx.MultiDiGraph, tree: Hierarchy, not_related: int) -> tuple[Diagnostic, ...]:
    """One finding per broken cycle (named, at the file of the concept whose link was left out)
    and one for the related links left out of SKOS."""
    found = []
    for cycle in tree.cycles:
        child, parent = cycle[-2], cycle[-1]
        file = str(graph.nodes[child].get("file") or "") if child in graph else ""
        found.append(make("export-skos-cycle", file, 0, 0,
                          f"hierarchy cycle {' -> '.join(cycle)}: the SKOS export leaves out `{child} skos:broader"
                          f" {parent}` (kept as gl:broader) so that its hierarchy has no cycle"))
    if not_related:
        found.append(make("export-skos-related", "", 0, 0,
                          f"{not_related} synonym, antonym or association links between concepts that a chain of"
                          " broader links also joins go out as gl: properties, not skos:related (SKOS condition S27)"))
    return tuple(found)


def skos_jsonld(graph: nx.MultiDiGraph, terms: Sequence[Term] = (), *, base: str = DEFAULT_BASE) -> dict[str, Any]:
    return skos_export(graph, terms, base=base).document


def skos_json(graph: nx.MultiDiGraph, terms: Sequence[Term] = (), *, base: str = DEFAULT_BASE) -> str:
    return json.dumps(skos_jsonld(graph, terms, base=base), ensure_ascii=False, indent=1) + "\n"


__all__ = ["SKOS", "VOCAB", "DEFAULT_BASE", "SKOS_RELATIONS", "Hierarchy", "SkosExport", "hierarchy", "iri",
           "skos_export", "skos_json", "skos_jsonld"]
