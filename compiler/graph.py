"""The knowledge graph: terms, module documents and undefined names, joined by typed edges.

Why a typed multigraph and not the untyped links note-taking tools draw: the author's
links live in YAML and say *how* two ideas relate (broader, prerequisite, antonym...).
Keeping the relation on every edge lets the integrity checks reason about it (a cycle
of "broader", a pair that is both synonym and antonym) and lets exports map it to SKOS.

Model (networkx ``MultiDiGraph``, nodes keyed by id, one edge per (source, target, relation)):

- node ``kind`` is ``term`` (a term file), ``module`` (a module document) or ``missing``
  (named by some link, defined nowhere); attributes ``label``, ``status``, ``file``,
  ``url`` (None until the site sets it), ``aliases``;
- an edge runs from the term that declares it to what it names, with ``relation``,
  ``declared`` (False: inferred), ``weight`` (association matrix, else None), and the
  ``file`` and ``line`` of the declaration;
- inverse relations are one fact: ``A parents [B]`` is edge A→B ``broader``, and its
  inverse B→A ``narrower`` is added as *inferred* unless B declares ``children [A]``,
  in which case that edge is the declared one. Citation-like relations (``source``,
  ``context``, ``claim``, ``mapping``) have no inverse: the in-edges already say
  "cited by". No edge leaves a ``missing`` node: it declares nothing.

Reference resolution: exact id (terms before modules), then exact alias (a term's
aliases and former ids, a module's file name), then loose (case-insensitive id,
alias or label, or a module id followed by ``_slug``), which the checks report as info.
"""
from __future__ import annotations

import gc
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

import networkx as nx
import numpy as np

from .diagnostics import Diagnostic
from .model import Term, pointer_join
from .modules import Module

if TYPE_CHECKING:  # typing only
    from .config import Config


@dataclass(frozen=True)
class Relation:
    """One edge type: its inverse, the field it comes from, and how the checks treat it."""

    name: str
    inverse: str | None  # itself for a symmetric relation; None when no inverse is inferred
    field: str  # where the author writes it, for messages
    one_way_check: bool = False  # report when declared on one side only
    soft: bool = False  # free text that only sometimes names a term: no missing node, no dangling finding

    @property
    def symmetric(self) -> bool:
        return self.inverse == self.name


RELATIONS: dict[str, Relation] = {r.name: r for r in (
    Relation("broader", "narrower", "parents"),
    Relation("narrower", "broader", "children"),
    Relation("synonym", "synonym", "crosslinks.near_synonyms", one_way_check=True),
    Relation("antonym", "antonym", "crosslinks.antonyms", one_way_check=True),
    Relation("prerequisite", "downstream", "crosslinks.prerequisites"),
    Relation("downstream", "prerequisite", "crosslinks.downstream_effects"),
    Relation("associated", "associated", "poetic_connections.association_matrix"),
    Relation("source", None, "provenance"),
    Relation("context", None, "context_windows[].module"),
    Relation("claim", None, "constraints_and_falsifiers.claims[].links"),
    Relation("mapping", None, "formal_mappings.*[].target", soft=True),
)}

# Where references are written: (path pattern, relation). ``*`` walks a list (a lone
# string where a list is expected counts as a one-item list).
REFERENCE_FIELDS: tuple[tuple[str, str], ...] = (
    ("parents/*", "broader"),
    ("children/*", "narrower"),
    ("crosslinks/near_synonyms/*", "synonym"),
    ("crosslinks/antonyms/*", "antonym"),
    ("crosslinks/prerequisites/*", "prerequisite"),
    ("crosslinks/downstream_effects/*", "downstream"),
    ("poetic_connections/association_matrix/*", "associated"),
    ("provenance/*", "source"),
    ("provenance/sources/*/module", "source"),
    ("context_windows/*/module", "context"),
    ("constraints_and_falsifiers/claims/*/links/*", "claim"),
    ("formal_mappings/candidates/*/target", "mapping"),
    ("formal_mappings/adopted/*/target", "mapping"),
)

# Pairs of relations that cannot both hold from one node to another.
CONFLICTS: tuple[tuple[str, str], ...] = (
    ("synonym", "antonym"),
    ("broader", "narrower"),
)

_UNSET = object()


@dataclass(frozen=True, slots=True)
class Reference:
    """One name written in a term's header, and what it resolved to."""

    source: str  # id of the declaring term
    file: str
    relation: str
    name: str  # as written (stripped)
    target: str  # node id: a term, a module, or the name itself for a missing node
    match: str  # exact | alias | loose | prefix | missing
    pointer: str
    line: int
    column: int
    weight: Any = None  # the raw association weight, when the relation is `associated`


@dataclass(frozen=True)
class GraphResult:
    graph: nx.MultiDiGraph
    diagnostics: tuple[Diagnostic, ...] = ()
    references: tuple[Reference, ...] = ()
    terms: Mapping[str, Term] = field(default_factory=dict)  # id -> term that owns the node
    modules: Mapping[str, Module] = field(default_factory=dict)


# --- reading references out of a header ------------------------------------------------


def walk(data: Any, parts: Sequence[str], pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Values at a ``/``-separated pattern, with their JSON pointers."""
    if not parts:
        yield pointer, data
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        if isinstance(data, list):
            for index, item in enumerate(data):
                yield from walk(item, rest, f"{pointer}/{index}")
        elif isinstance(data, str) and not rest:
            yield pointer, data
    elif isinstance(data, dict) and head in data:
        yield from walk(data[head], rest, pointer_join(pointer, head))


def _association(value: Any, pointer: str) -> tuple[Any, str, Any]:
    """(name, name pointer, weight) of an association-matrix row: ``[NAME, w]`` or ``{term: NAME, weight: w}``."""
    if isinstance(value, list) and value:
        return value[0], f"{pointer}/0", value[1] if len(value) > 1 else _UNSET
    if isinstance(value, dict):
        for key in ("term", "id", "target", "name"):
            if key in value:
                return value[key], f"{pointer}/{key}", value.get("weight", _UNSET)
    if isinstance(value, str):
        return value, pointer, _UNSET
    return None, pointer, _UNSET


_PATTERNS = tuple((tuple(pattern.split("/")), relation) for pattern, relation in REFERENCE_FIELDS)


def raw_references(term: Term) -> Iterator[tuple[str, str, str, Any]]:
    """(relation, name, pointer, weight) for every reference in the term's header."""
    data = term.data
    for parts, relation in _PATTERNS:
        if parts[0] not in data:
            continue
        for pointer, value in walk(data, parts):
            weight: Any = None
            if relation == "associated":
                value, pointer, weight = _association(value, pointer)
            if isinstance(value, str) and value.strip():
                yield relation, value.strip(), pointer, weight


# --- resolving names ----------------------------------------------------------------------


class Resolver:
    """Maps a written name to a node id: exact id, exact alias, then loose matches."""

    def __init__(self, terms: Mapping[str, Term], modules: Mapping[str, Module]) -> None:
        self.exact: dict[str, str] = {}
        self.alias: dict[str, str] = {}
        self.loose: dict[str, str] = {}
        self.modules = modules
        for ident in (*terms, *modules):
            self.exact.setdefault(ident, ident)
        for ident, term in terms.items():
            for alias in term.aliases:
                self.alias.setdefault(alias.strip(), ident)
        for ident, module in modules.items():
            for alias in module.aliases:
                self.alias.setdefault(alias, ident)
        # loose tier: ids first, then aliases, then labels, so an id always beats a label
        for ident in (*terms, *modules):
            self.loose.setdefault(ident.casefold(), ident)
        for alias, ident in self.alias.items():
            self.loose.setdefault(alias.casefold(), ident)
        for ident, term in terms.items():
            self.loose.setdefault(term.label.strip().casefold(), ident)
        for ident, module in modules.items():
            self.loose.setdefault(module.title.casefold(), ident)

    def resolve(self, name: str) -> tuple[str, str]:
        """(node id, how) where how is exact | alias | loose | prefix | missing."""
        hit = self.exact.get(name)
        if hit is not None:
            return hit, "exact"
        hit = self.alias.get(name)
        if hit is not None:
            return hit, "alias"
        hit = self.loose.get(name.casefold())
        if hit is not None:
            return hit, "loose"
        # `DYNA-Γ-001_the_pressurons_identity`: a module id followed by its file-name slug
        cut = name.rfind("_")
        while cut > 0:
            if name[:cut] in self.modules:
                return name[:cut], "prefix"
            cut = name.rfind("_", 0, cut)
        return name, "missing"


# --- building the graph -------------------------------------------------------------------


def _weight(raw: Any) -> float | None:
    """The weight as a finite float (exports must stay valid JSON), else None."""
    if isinstance(raw, bool) or raw is _UNSET or raw is None:
        return None
    try:
        value = float(raw) if isinstance(raw, (int, float)) else float(str(raw))
    except (ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def _node_attrs(kind: str, label: str, status: Any, file: str | None, aliases: Sequence[str]) -> dict[str, Any]:
    return {"kind": kind, "label": label, "status": status if isinstance(status, str) else None,
            "file": file, "url": None, "aliases": tuple(aliases)}


def term_references(term: Term) -> list[tuple[str, str, Any, int, int, str]]:
    """(relation, name, raw weight or ``_UNSET``, line, column, pointer) of every reference in ``term``.

    What linking needs from a term besides its id, label and aliases: the streaming idea
    map (compiler.ideamap) keeps these few values per term and drops the term itself.
    """
    out = []
    for relation, name, pointer, weight in raw_references(term):
        loc = term.location(pointer)
        out.append((relation, name, weight, loc.line, loc.column, pointer))
    return out


def is_link(relation: str, how: str, target: str, source: str) -> bool:
    """Whether a resolved reference is a link: free text naming nothing (or its own term) is not."""
    return not (RELATIONS[relation].soft and (how == "missing" or target == source))


def collect_references(terms: Sequence[Term], resolver: Resolver) -> list[Reference]:
    refs: list[Reference] = []
    for term in terms:
        for relation, name, weight, line, column, pointer in term_references(term):
            target, how = resolver.resolve(name)
            if is_link(relation, how, target, term.id):
                refs.append(Reference(term.id, term.file, relation, name, target, how, pointer,
                                      line, column, None if weight is _UNSET else weight))
    return refs


# --- edges as arrays: the one place where the link semantics live ---------------------------

RELATION_NAMES: tuple[str, ...] = tuple(RELATIONS)
RELATION_CODE: dict[str, int] = {name: code for code, name in enumerate(RELATION_NAMES)}
_INVERSE_CODE = np.array([RELATION_CODE[r.inverse] if r.inverse else -1 for r in RELATIONS.values()], dtype=np.int64)


@dataclass(frozen=True)
class EdgeRecords:
    """The typed edges in the order they are added: declared edges, then inferred inverses.

    Arrays of one row per edge: node positions ``source`` and ``target``, ``relation``
    (a code into ``RELATION_NAMES``), ``declared``, and ``ref``, the row of the reference
    that made the edge (its file, line and weight are the edge's).
    """

    source: np.ndarray
    target: np.ndarray
    relation: np.ndarray
    declared: np.ndarray
    ref: np.ndarray

    def __len__(self) -> int:
        return len(self.source)


def link_edges(ref_source: np.ndarray, ref_target: np.ndarray, ref_relation: np.ndarray,
               missing: np.ndarray) -> EdgeRecords:
    """Edges from resolved references (node positions and relation codes, in reference order).

    A reference to its own term makes no edge. Each reference makes its declared edge and,
    unless the relation has no inverse or the target is a missing node (a name defined
    nowhere asserts nothing), the inferred inverse. The first edge of a (source, target,
    relation) wins, so a declaration always beats an inverse inferred from the other side.
    """
    ref_source, ref_target = np.asarray(ref_source, dtype=np.int64), np.asarray(ref_target, dtype=np.int64)
    ref_relation = np.asarray(ref_relation, dtype=np.int64)
    live = np.flatnonzero(ref_source != ref_target)
    inverse = _INVERSE_CODE[ref_relation[live]] if len(live) else np.zeros(0, dtype=np.int64)
    back = live[(inverse >= 0) & ~missing[ref_target[live]]] if len(live) else live
    source = np.concatenate([ref_source[live], ref_target[back]])
    target = np.concatenate([ref_target[live], ref_source[back]])
    relation = np.concatenate([ref_relation[live], _INVERSE_CODE[ref_relation[back]]])
    declared = np.concatenate([np.ones(len(live), dtype=bool), np.zeros(len(back), dtype=bool)])
    ref = np.concatenate([live, back])
    n = int(max(source.max(initial=-1), target.max(initial=-1))) + 1
    key = (source * n + target) * len(RELATION_NAMES) + relation
    _, first = np.unique(key, return_index=True)
    keep = np.sort(first)
    return EdgeRecords(source[keep].astype(np.int32), target[keep].astype(np.int32), relation[keep].astype(np.int8),
                       declared[keep], ref[keep].astype(np.int32))


def build_graph(terms: Mapping[str, Term], modules: Mapping[str, Module],
                references: Sequence[Reference], title: str = "Glossary") -> nx.MultiDiGraph:
    """Nodes for every term, module and missing name; declared edges, then inferred inverses."""
    graph = nx.MultiDiGraph(title=title)
    for ident, term in terms.items():
        graph.add_node(ident, **_node_attrs("term", term.label, term.data.get("status"), term.file, term.aliases))
    for ident, module in modules.items():
        if ident not in graph:
            graph.add_node(ident, **_node_attrs("module", module.title, module.status, module.file, module.aliases))
    for ref in references:
        if ref.target not in graph:
            graph.add_node(ref.target, **_node_attrs("missing", ref.target, None, None, ()))
    nodes = list(graph.nodes)
    position = {node: i for i, node in enumerate(nodes)}
    missing = np.fromiter((kind == "missing" for _, kind in graph.nodes(data="kind")), dtype=bool, count=len(nodes))
    count = len(references)
    edges = link_edges(np.fromiter((position[r.source] for r in references), dtype=np.int64, count=count),
                       np.fromiter((position[r.target] for r in references), dtype=np.int64, count=count),
                       np.fromiter((RELATION_CODE[r.relation] for r in references), dtype=np.int64, count=count),
                       missing)
    graph.add_edges_from(edge_rows(edges, nodes, [r.file for r in references], [r.line for r in references],
                                   [r.weight for r in references]))
    return graph


def edge_rows(edges: EdgeRecords, nodes: Sequence[str], files: Sequence[str], lines: Sequence[int],
              weights: Sequence[Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(source, target, key, attributes) of each edge, as the networkx graph holds them.

    Five attributes: a dict of up to five keys is a third smaller than one of six, and a
    100k-term glossary has two million edges; `inferred` is `not declared` (exports add it).
    ``weights`` are the references' raw weights (None or ``_UNSET`` when not given).
    """
    associated = RELATION_CODE["associated"]
    for u, v, rel, declared, ref in zip(edges.source.tolist(), edges.target.tolist(), edges.relation.tolist(),
                                        edges.declared.tolist(), edges.ref.tolist()):
        relation = RELATION_NAMES[rel]
        yield nodes[u], nodes[v], relation, {"relation": relation, "declared": declared,
                                             "weight": _weight(weights[ref]) if rel == associated else None,
                                             "file": files[ref], "line": lines[ref]}


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small dicts are made.

    Building creates no reference cycles, but each full collection walks every object
    made so far, which made a 100k-term build grow faster than linearly (measured: the
    build and reference phases cost 1.5x more per term at 100k than at 10k with it on,
    the same per term with it paused). The previous state is restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def link(terms: Sequence[Term], modules: Sequence[Module], config: "Config", memo: dict | None = None) -> GraphResult:
    """Build the graph of ``terms`` and ``modules`` and run the integrity checks on it.

    The first term (in file order) with a given id owns the node; later ones are
    reported as duplicates and their links are not read. ``memo`` (a dict kept in the
    build cache) lets the integrity checks reuse the last build's "did you mean" answers.
    """
    with gc_paused():
        return _link(terms, modules, config, memo)


def _link(terms: Sequence[Term], modules: Sequence[Module], config: "Config", memo: dict | None = None) -> GraphResult:
    from .integrity import run_checks  # integrity reads this module's types

    ordered = sorted(terms, key=lambda t: t.file)
    owners: dict[str, Term] = {}
    for term in ordered:
        owners.setdefault(term.id, term)
    module_map: dict[str, Module] = {}
    for module in modules:
        module_map.setdefault(module.id, module)
    resolver = Resolver(owners, {k: m for k, m in module_map.items() if k not in owners})
    references = collect_references(list(owners.values()), resolver)
    graph = build_graph(owners, module_map, references, title=config.title)
    result = GraphResult(graph, (), tuple(references), owners, module_map)
    diagnostics = run_checks(result, ordered, config, memo)
    return GraphResult(graph, tuple(diagnostics), tuple(references), owners, module_map)


MODULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(?:-[^\W_]+)+(?:_\S*)?$")

__all__ = ["link", "gc_paused", "GraphResult", "Reference", "Relation", "RELATIONS", "REFERENCE_FIELDS", "CONFLICTS",
           "Resolver", "build_graph", "collect_references", "raw_references", "term_references", "is_link", "walk",
           "MODULE_ID", "EdgeRecords", "link_edges", "edge_rows", "RELATION_NAMES", "RELATION_CODE"]
