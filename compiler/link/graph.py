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

import math
import pickle
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

from compiler.incremental.collector import gc_paused
from compiler.diagnostics import Diagnostic
from compiler.model import Term, pointer_join
from compiler.load.modules import Module

if TYPE_CHECKING:  # typing only: neither is imported by a rebuild that reuses the last link result
    import networkx as nx
    import numpy as np

    from compiler.incremental.adjacency import RowIndex
    from compiler.config import Config
    from compiler.incremental.lightgraph import PartsGraph


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


class _Unset:
    """No weight was written (unlike a written ``null``).

    Pickles by name, as this module's one instance, so that term references kept in
    the build cache (see :func:`remembered_references`) still compare ``is _UNSET``."""

    __slots__ = ()

    def __reduce__(self) -> str:
        return "_UNSET"

    def __repr__(self) -> str:
        return "_UNSET"


_UNSET = _Unset()


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
    graph: nx.MultiDiGraph | PartsGraph  # a PartsGraph in a build (link_parts); networkx's from link()
    diagnostics: tuple[Diagnostic, ...] = ()
    references: Sequence[Reference] = ()  # a tuple, or one made on first use (compiler.incremental.linkreuse)
    terms: Mapping[str, Term] = field(default_factory=dict)  # id -> term that owns the node
    modules: Mapping[str, Module] = field(default_factory=dict)
    # 16 bytes that stand for the graph's nodes, attributes and edges, when the build cache knows
    # them (compiler.incremental.linkreuse: the digest of the stored link result); None: hash the graph itself.
    graph_digest: bytes | None = None
    # The same for the graph but its term nodes' statuses (which a reused link result is given anew):
    # the edges, labels and kinds, which most of the site's graph files show.
    links_digest: bytes | None = None


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
        self.known: dict[str, tuple[str, str]] = {}
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
        """(node id, how) where how is exact | alias | loose | prefix | missing.

        Answers are kept per name: a glossary names the same few ids again and again
        (at 10k terms, 97k references name 36k distinct names)."""
        known = self.known.get(name)
        if known is None:
            known = self.known[name] = self._resolve(name)
        return known

    def _resolve(self, name: str) -> tuple[str, str]:
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


Row = tuple[str, str, Any, int, int, str]  # (relation, name, raw weight or _UNSET, line, column, pointer)


def term_references(term: Term) -> list[Row]:
    """(relation, name, raw weight or ``_UNSET``, line, column, pointer) of every reference in ``term``.

    What linking needs from a term besides its id, label and aliases: the streaming idea
    map (compiler.analyze.ideamap) keeps these few values per term and drops the term itself.
    """
    out = []
    for relation, name, pointer, weight in raw_references(term):
        loc = term.location(pointer)
        out.append((relation, name, weight, loc.line, loc.column, pointer))
    return out


SOFT = frozenset(name for name, relation in RELATIONS.items() if relation.soft)  # only these can be no link


def is_link(relation: str, how: str, target: str, source: str) -> bool:
    """Whether a resolved reference is a link: free text naming nothing (or its own term) is not."""
    return not (RELATIONS[relation].soft and (how == "missing" or target == source))


def remembered_references(terms: Sequence[Term], memo: dict | None,
                          digests: Mapping[str, str] | None) -> list[Sequence[Row]]:
    """:func:`term_references` of each term, reusing the last build's rows of every file whose content is unchanged.

    Why: walking the headers for references and looking up where each was written is
    the largest part of linking (0.8 s of a one-term edit at 10,000 terms), yet a term's
    rows depend only on its file (name and content): ``memo`` maps a file to (content
    digest, rows) and ``digests`` gives each file's current digest. Only the files of
    ``terms`` are kept, so the entries of deleted or renamed files go with the build.
    The rows are kept pickled, one bytes object per file, as the cache keeps terms:
    saving the cache then copies the bytes instead of pickling 100k small tuples again
    (measured at 10k terms: 0.07 s per save; unpickling them here costs 0.03 s).
    """
    if memo is None or digests is None:
        return [term_references(term) for term in terms]
    kept: dict[str, tuple[str, bytes]] = {}
    out: list[Sequence[Row]] = []
    for term in terms:
        digest = digests.get(term.file)
        known = memo.get(term.file)
        if digest is None:
            rows: Sequence[Row] = term_references(term)
        elif known is not None and known[0] == digest:
            rows = pickle.loads(known[1])  # noqa: S301 - made by this function, kept in the signed cache
            kept[term.file] = known
        else:
            rows = term_references(term)
            kept[term.file] = (digest, pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
        out.append(rows)
    memo.clear()
    memo.update(kept)
    return out


def collect_references(terms: Sequence[Term], resolver: Resolver,
                       rows: Sequence[Sequence[Row]] | None = None) -> list[Reference]:
    """The resolved links of ``terms``, from ``rows`` (each term's :func:`term_references`) when given."""
    refs: list[Reference] = []
    add, resolve = refs.append, resolver.resolve
    for term, term_rows in zip(terms, rows if rows is not None else map(term_references, terms)):
        ident, file = term.id, term.file
        for relation, name, weight, line, column, pointer in term_rows:
            target, how = resolve(name)
            if relation not in SOFT or is_link(relation, how, target, ident):
                add(Reference(ident, file, relation, name, target, how, pointer,
                              line, column, None if weight is _UNSET else weight))
    return refs


# --- edges as arrays: the one place where the link semantics live ---------------------------

RELATION_NAMES: tuple[str, ...] = tuple(RELATIONS)
RELATION_CODE: dict[str, int] = {name: code for code, name in enumerate(RELATION_NAMES)}
_INVERSE = tuple(RELATION_CODE[r.inverse] if r.inverse else -1 for r in RELATIONS.values())


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
    import numpy as np  # here, not at the top: a rebuild that reuses the last graph never needs it (~40 ms)

    inverse_code = np.array(_INVERSE, dtype=np.int64)
    ref_source, ref_target = np.asarray(ref_source, dtype=np.int64), np.asarray(ref_target, dtype=np.int64)
    ref_relation = np.asarray(ref_relation, dtype=np.int64)
    live = np.flatnonzero(ref_source != ref_target)
    inverse = inverse_code[ref_relation[live]] if len(live) else np.zeros(0, dtype=np.int64)
    back = live[(inverse >= 0) & ~missing[ref_target[live]]] if len(live) else live
    source = np.concatenate([ref_source[live], ref_target[back]])
    target = np.concatenate([ref_target[live], ref_source[back]])
    relation = np.concatenate([ref_relation[live], inverse_code[ref_relation[back]]])
    declared = np.concatenate([np.ones(len(live), dtype=bool), np.zeros(len(back), dtype=bool)])
    ref = np.concatenate([live, back])
    n = int(max(source.max(initial=-1), target.max(initial=-1))) + 1
    key = (source * n + target) * len(RELATION_NAMES) + relation
    _, first = np.unique(key, return_index=True)
    keep = np.sort(first)
    return EdgeRecords(source[keep].astype(np.int32), target[keep].astype(np.int32), relation[keep].astype(np.int8),
                       declared[keep], ref[keep].astype(np.int32))


@dataclass(frozen=True)
class GraphParts:
    """A graph before it is filled: its nodes, its edge rows and each reference's file, line and weight.

    Why: these are what :func:`fill_graph` makes the graph from, and they are far cheaper
    to store than the graph they make (compiler.incremental.linkreuse keeps them between builds:
    at 10k terms 0.06 s to marshal against 0.16 s for the graph's dicts). ``nodes`` maps
    a node id to its attributes (the graph's own dicts once filled); the edge columns are
    those of :class:`EdgeRecords` as lists; ``weights`` holds the weight each reference's
    ``associated`` edge carries (a finite float or None), None for the other relations.
    """

    title: str
    nodes: dict[str, dict[str, Any]]
    source: list[int]
    target: list[int]
    relation: list[int]
    declared: list[bool]
    ref: list[int]
    files: list[str]
    lines: list[int]
    weights: list[float | None]

    def graph(self) -> nx.MultiDiGraph:
        """The graph these parts make (its node attribute dicts are ``nodes``' own)."""
        import networkx as nx

        return self.fill(nx.MultiDiGraph(title=self.title))

    def light(self) -> PartsGraph:
        """The same graph as :meth:`graph`, as a :class:`compiler.incremental.lightgraph.PartsGraph` (no networkx import).

        Why: a rebuild that reuses the link result only reads its graph (compiler.incremental.linkreuse);
        whatever needs networkx's algorithms or writers converts it with :func:`as_networkx`."""
        from compiler.incremental.lightgraph import PartsGraph

        return PartsGraph.of_parts(self)

    def fill(self, graph: Any) -> Any:
        """Fill the empty ``graph`` (a ``MultiDiGraph`` or what holds its dicts) with these parts."""
        fill_graph(graph, self.nodes, zip(self.source, self.target, self.relation, self.declared, self.ref),
                   self.files, self.lines, self.weights)
        return graph

    def row_index(self) -> RowIndex:
        """The edge rows by node: one node's adjacency without filling a graph (compiler.incremental.adjacency)."""
        from compiler.incremental.adjacency import RowIndex

        return RowIndex(list(self.nodes), self.source, self.target, self.relation, self.declared, self.ref,
                        self.files, self.lines, self.weights, RELATION_NAMES)


def as_networkx(graph: Any) -> nx.MultiDiGraph:
    """``graph`` as a networkx graph: itself when it is one, else its ``to_networkx()`` (same dicts, no copy).

    The one door from a :class:`compiler.incremental.lightgraph.PartsGraph` (a reused link result's
    graph) to networkx: whatever runs networkx's algorithms or writers on a build's graph
    (analytics, GEXF, GraphML, the ``graph`` command) calls it where it starts."""
    to_networkx = getattr(graph, "to_networkx", None)
    return to_networkx() if to_networkx is not None else graph


def graph_parts(terms: Mapping[str, Term], modules: Mapping[str, Module],
                references: Sequence[Reference], title: str = "Glossary") -> GraphParts:
    """Nodes for every term, module and missing name; declared edges, then inferred inverses."""
    nodes: dict[str, dict[str, Any]] = {
        ident: _node_attrs("term", term.label, term.data.get("status"), term.file, term.aliases)
        for ident, term in terms.items()}
    for ident, module in modules.items():
        if ident not in nodes:
            nodes[ident] = _node_attrs("module", module.title, module.status, module.file, module.aliases)
    for ref in references:
        if ref.target not in nodes:
            nodes[ref.target] = _node_attrs("missing", ref.target, None, None, ())
    import numpy as np

    names = list(nodes)
    position = {node: i for i, node in enumerate(names)}
    missing = np.fromiter((attrs["kind"] == "missing" for attrs in nodes.values()), dtype=bool, count=len(names))
    count = len(references)
    edges = link_edges(np.fromiter((position[r.source] for r in references), dtype=np.int64, count=count),
                       np.fromiter((position[r.target] for r in references), dtype=np.int64, count=count),
                       np.fromiter((RELATION_CODE[r.relation] for r in references), dtype=np.int64, count=count),
                       missing)
    return GraphParts(title, nodes, edges.source.tolist(), edges.target.tolist(), edges.relation.tolist(),
                      edges.declared.tolist(), edges.ref.tolist(), [r.file for r in references],
                      [r.line for r in references],
                      [_weight(r.weight) if r.relation == "associated" else None for r in references])


def build_graph(terms: Mapping[str, Term], modules: Mapping[str, Module],
                references: Sequence[Reference], title: str = "Glossary") -> nx.MultiDiGraph:
    """The graph of :func:`graph_parts`."""
    return graph_parts(terms, modules, references, title).graph()


def fill_graph(graph: nx.MultiDiGraph | PartsGraph, nodes: Mapping[str, dict[str, Any]],
               rows: Iterator[tuple[int, int, int, bool, int]],
               files: Sequence[str], lines: Sequence[int], weights: Sequence[Any]) -> None:
    """Add ``nodes`` (id -> attributes, in order) and then the edge ``rows`` to an empty ``graph``.

    A row is (source, target, relation code, declared, reference row), positions into
    ``nodes`` as :class:`EdgeRecords` has them. Edge keys are relation names; an edge's
    ``file``, ``line`` and weight are those of the reference that made it (``files``,
    ``lines`` and ``weights``, indexed by the reference row; a weight is already as the
    graph shows it: see :class:`GraphParts`). Five attributes: a dict of up
    to five keys is a third smaller than one of six, and a 100k-term glossary has two
    million edges; ``inferred`` is ``not declared`` (exports add it).

    Why not ``add_nodes_from`` and ``add_edges_from``: per edge they make three dicts,
    look the edge up again through two views and call ``add_edge`` (0.8 s of 1.1 s
    building a 10k-term graph). This fills the adjacency networkx documents
    (``succ[u][v][key] = attributes``, the key dict shared with ``pred[v][u]``) in the
    order those calls would, so the graph, node, edge and key order included, is the
    one they make (tested). The attribute dicts are the graph's own, not copies.
    A :class:`compiler.incremental.lightgraph.PartsGraph` holds the same dicts and is filled alike.
    """
    graph._node.update(nodes)
    succ, pred = graph._succ, graph._pred
    for node in nodes:
        succ[node] = {}
        pred[node] = {}
    names = list(nodes)
    succ_of, pred_of = [succ[n] for n in names], [pred[n] for n in names]
    for u, v, rel, declared, ref in rows:
        relation, out, target = RELATION_NAMES[rel], succ_of[u], names[v]
        keys = out.get(target)
        if keys is None:
            keys = out[target] = pred_of[v][names[u]] = {}
        keys[relation] = {"relation": relation, "declared": declared, "weight": weights[ref],
                          "file": files[ref], "line": lines[ref]}
    cache = getattr(graph, "__networkx_cache__", None)  # networkx >= 3.3 caches converted graphs: what
    if cache:  # its _clear_cache does, without importing networkx
        cache.clear()


def node_owners(terms: Sequence[Term], modules: Sequence[Module]
                ) -> tuple[list[Term], dict[str, Term], dict[str, Module]]:
    """(terms in file order, id -> the term that owns its node, id -> the module that owns its node).

    The first term in file order with a given id owns the node, and the first module
    with a given id; a module whose id is also a term's is kept here (the checks report
    the clash) but linked to nothing."""
    ordered = sorted(terms, key=lambda t: t.file)
    owners: dict[str, Term] = {}
    for term in ordered:
        owners.setdefault(term.id, term)
    module_map: dict[str, Module] = {}
    for module in modules:
        module_map.setdefault(module.id, module)
    return ordered, owners, module_map


def resolved_references(owners: Mapping[str, Term], module_map: Mapping[str, Module], refs: dict | None = None,
                        digests: Mapping[str, str] | None = None) -> list[Reference]:
    """The references of the node owners (see :func:`node_owners`), resolved as :func:`link` resolves them."""
    resolver = Resolver(owners, {k: m for k, m in module_map.items() if k not in owners})
    owned = list(owners.values())
    return collect_references(owned, resolver, remembered_references(owned, refs, digests))


def link(terms: Sequence[Term], modules: Sequence[Module], config: "Config", memo: dict | None = None,
         refs: dict | None = None, digests: Mapping[str, str] | None = None) -> GraphResult:
    """Build the graph of ``terms`` and ``modules`` and run the integrity checks on it.

    The first term (in file order) with a given id owns the node; later ones are
    reported as duplicates and their links are not read. ``memo`` (a dict kept in the
    build cache) lets the integrity checks reuse the last build's "did you mean" answers;
    ``refs`` (another) with ``digests`` (each file's content digest) lets linking reuse
    the references read from the files that did not change (see remembered_references).
    The graph is a networkx ``MultiDiGraph``; a build keeps the light one (``link_parts``).
    """
    result = link_parts(terms, modules, config, memo, refs, digests)[0]
    return replace(result, graph=as_networkx(result.graph))


def link_parts(terms: Sequence[Term], modules: Sequence[Module], config: "Config", memo: dict | None = None,
               refs: dict | None = None, digests: Mapping[str, str] | None = None) -> tuple[GraphResult, GraphParts]:
    """:func:`link`, and the parts its graph was filled from (to store them: compiler.incremental.linkreuse)."""
    with gc_paused():
        return _link(terms, modules, config, memo, refs, digests)


def _link(terms: Sequence[Term], modules: Sequence[Module], config: "Config", memo: dict | None,
          refs: dict | None, digests: Mapping[str, str] | None) -> tuple[GraphResult, GraphParts]:
    from compiler.link.integrity import run_checks  # integrity reads this module's types

    ordered, owners, module_map = node_owners(terms, modules)
    references = resolved_references(owners, module_map, refs, digests)
    parts = graph_parts(owners, module_map, references, title=config.title)
    # The light graph (compiler.incremental.lightgraph): the checks and the site only read it, and networkx is
    # imported by what runs its algorithms or writers (as_networkx), if anything does.
    result = GraphResult(parts.light(), (), tuple(references), owners, module_map)
    return replace(result, diagnostics=tuple(run_checks(result, ordered, config, memo))), parts


MODULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(?:-[^\W_]+)+(?:_\S*)?$")

__all__ = ["link", "link_parts", "GraphParts", "as_networkx", "graph_parts", "gc_paused", "GraphResult", "Reference",
           "Relation", "RELATIONS", "REFERENCE_FIELDS", "CONFLICTS", "Resolver", "build_graph", "collect_references", "raw_references", "term_references",
           "remembered_references", "is_link", "walk", "node_owners",
           "resolved_references",
           "MODULE_ID", "EdgeRecords", "link_edges", "fill_graph", "RELATION_NAMES", "RELATION_CODE"]
