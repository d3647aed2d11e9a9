"""The idea map: text similarity, communities, key terms, bridges, wanted terms, GEXF.

Why here and not in the author's own scripts: those scripts see only the text (they
hold a dense N x N similarity matrix and cannot see module documents, so their maps
have no structural edges at all). The compiler already has the typed graph; this
module adds what the text says on top of it and reads the shape of the result:

- ``similar`` edges: each term's top k neighbours by TF-IDF cosine (compiler.analyze.similarity),
  marked inferred, with their score;
- communities: Louvain (scikit-network's, nodes in sorted order, so the same input always gives the
  same map) over the typed graph plus the similarity edges;
- key terms: PageRank over the same graph;
- bridges (the "frontier"): terms whose neighbours lie in several communities;
- wanted terms: names that terms link to but no file defines, ranked by who points there;
- suggested links: very similar pairs that are not linked at all (an info diagnostic).

Every result is a frozen record; :func:`annotate` copies them onto a graph so that
every exporter (JSON, GraphML, GEXF) carries them without knowing about this module.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import networkx as nx
import numpy as np

from compiler.analyze import similarity
from compiler.analyze.ranking import Weighted, pagerank  # without networkx: the graph page ranks its nodes too
from compiler.codes import make
from compiler.collector import gc_paused  # the analysis makes many small objects and no cycles
from compiler.diagnostics import Diagnostic
from compiler.export.gexf import gexf_graph, write_gexf  # streamed, in networkx's layout
from compiler.ids import id_problem
from compiler.link.relations import MODULE_ID
from compiler.model import Edge, GraphData, Term

SEED = 42  # Louvain's random order; fixed so that two runs give the same communities
SIMILAR = "similar"  # relation of similarity edges
SUGGEST_MIN = 0.5  # a pair this similar and not linked becomes a suggest-link
SUGGEST_PER_TERM = 3  # at most this many suggestions name one term
KEY_TERMS = 20
WANTED_LIMIT = 50
TOP_PER_COMMUNITY = 5


@dataclass(frozen=True, slots=True)  # slots: several per term, hundreds of thousands on the largest glossaries
class Similar:
    """An undirected similarity edge: ``source`` < ``target`` (ids), cosine ``score``."""

    source: str
    target: str
    score: float


@dataclass(frozen=True, slots=True)
class Community:
    """One Louvain community: ``members`` by centrality (highest first), ``top`` its key terms."""

    index: int
    members: tuple[str, ...]
    top: tuple[str, ...]  # the most central term nodes (not modules or missing names)

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True, slots=True)
class Bridge:
    """A term whose neighbours lie in several communities: where clusters meet."""

    id: str
    label: str
    community: int
    communities: tuple[int, ...]  # communities of its neighbours, most weight first
    participation: float  # 1 - sum of squared weight shares per community: 0 inside one cluster


@dataclass(frozen=True, slots=True)
class Wanted:
    """A name that terms link to and no file defines."""

    id: str
    label: str  # made from the id: `WOUND_CHANNEL` -> `Wound Channel`
    inbound: int  # how many distinct terms link to it
    relations: tuple[tuple[str, int], ...]  # (relation, links) most used first
    sources: tuple[str, ...]  # ids of the terms that link to it, sorted
    variants: tuple[str, ...] = ()  # other undefined names one edit away (likely typos of it)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Two terms whose texts are very close but which are not linked in any way."""

    source: str
    target: str
    score: float


@dataclass(frozen=True)
class Analysis:
    """Everything `graph --analyze` reports; see the module docstring for each part."""

    similar: tuple[Similar, ...]
    communities: tuple[Community, ...]  # largest first; index = position
    community: Mapping[str, int]  # node id -> community index (every node)
    centrality: Mapping[str, float]  # node id -> PageRank (every node)
    key_terms: tuple[str, ...]  # term ids by centrality, highest first
    bridges: tuple[Bridge, ...]  # most communities first
    wanted: tuple[Wanted, ...]
    suggestions: tuple[Suggestion, ...]
    k: int = 8
    threshold: float = 0.2
    fields: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)  # node id -> label, for messages


# --- similarity -----------------------------------------------------------------------------


def _similar(graph: nx.MultiDiGraph, terms: Sequence[Term], k: int, threshold: float,
             fields: Sequence[str]) -> tuple[Similar, ...]:
    """Top-k similarity pairs among the terms that own a node of the graph."""
    owners: dict[str, Term] = {}
    for term in sorted(terms, key=lambda t: t.file):
        if graph.nodes.get(term.id, {}).get("kind") == "term":
            owners.setdefault(term.id, term)
    ids = sorted(owners)
    texts = (similarity.term_text(owners[i].data, owners[i].body, fields) for i in ids)
    return tuple(Similar(a, b, s) for a, b, s in similarity.similar_pairs(ids, texts, k, threshold))


def _suggestions(pairs: Sequence[Similar], linked: np.ndarray, minimum: float, cap: int) -> tuple[Suggestion, ...]:
    """Unlinked pairs at or above ``minimum``, best first, each term named at most ``cap`` times.

    ``linked[i]`` says whether ``pairs[i]`` is joined by a typed edge in either direction.
    """
    used: Counter[str] = Counter()
    out: list[Suggestion] = []
    candidates = [i for i, p in enumerate(pairs) if p.score >= minimum and not linked[i]]
    for i in sorted(candidates, key=lambda i: (-pairs[i].score, pairs[i].source, pairs[i].target)):
        pair = pairs[i]
        if used[pair.source] >= cap or used[pair.target] >= cap:
            continue
        used[pair.source] += 1
        used[pair.target] += 1
        out.append(Suggestion(pair.source, pair.target, pair.score))
    return tuple(out)


# --- communities, centrality, bridges --------------------------------------------------------


@dataclass(frozen=True)
class MapGraph:
    """The typed graph as the analysis reads it: per-node lists and per-edge arrays.

    Both paths make one: :func:`map_graph` from a networkx graph, the streaming idea map
    (compiler.analyze.ideamap) straight from its edge records, so everything after is shared.
    """

    nodes: Sequence[str]  # in graph order
    kinds: Sequence[Any]  # term | module | missing
    labels: Sequence[str]  # the label, else the id
    source: Any  # numpy int arrays of node positions, one row per edge
    target: Any
    relation: Any  # codes into ``relations``
    relations: Sequence[str]


def map_graph(graph: nx.MultiDiGraph) -> MapGraph:
    nodes = list(graph.nodes)
    position = {node: i for i, node in enumerate(nodes)}
    names: dict[str, int] = {}
    count = graph.number_of_edges()
    source = np.fromiter((position[u] for u, _ in graph.edges()), dtype=np.int64, count=count)
    target = np.fromiter((position[v] for _, v in graph.edges()), dtype=np.int64, count=count)
    relation = np.fromiter((names.setdefault(str(r), len(names)) for _, _, r in graph.edges(data="relation")),
                           dtype=np.int64, count=count)
    return MapGraph(nodes, [a.get("kind") for a in graph.nodes.values()],
                    [str(label if label else n) for n, label in graph.nodes(data="label")],
                    source, target, relation, tuple(names))


def _web(mg: MapGraph, pairs: Sequence[Similar]) -> tuple[Weighted, np.ndarray]:
    """(the weighted graph, whether each similar pair is linked by a typed edge)."""
    n = len(mg.nodes)
    ordered = sorted(range(n), key=mg.nodes.__getitem__)
    rank = np.empty(n, dtype=np.int64)
    rank[ordered] = np.arange(n)
    a, b = rank[mg.source], rank[mg.target]
    keep = a != b
    typed = np.unique(np.minimum(a, b)[keep] * n + np.maximum(a, b)[keep])
    nodes = tuple(mg.nodes[i] for i in ordered)
    rank_of = {node: i for i, node in enumerate(nodes)}
    similar = np.fromiter((rank_of[p.source] * n + rank_of[p.target] for p in pairs), dtype=np.int64, count=len(pairs))
    keys, inverse = np.unique(np.concatenate([typed, similar]), return_inverse=True)
    weight = np.bincount(inverse, weights=np.concatenate([np.ones(len(typed)), [p.score for p in pairs]]),
                         minlength=len(keys))
    return Weighted(nodes, keys // max(n, 1), keys % max(n, 1), weight), np.isin(similar, typed)


def weighted_graph(graph: nx.MultiDiGraph, pairs: Iterable[Similar]) -> Weighted:
    return _web(map_graph(graph), tuple(pairs))[0]


def _multilevel(count: int, source: np.ndarray, target: np.ndarray, weight: np.ndarray, seed: int) -> list[int]:
    """Community of each node 0..count-1: scikit-network's Louvain (Cython, on a sparse matrix).

    Why not networkx's ``louvain_communities``: it copies the graph into Python dicts,
    over a minute and a gigabyte on the largest glossaries. scikit-network runs the same
    algorithm (Newman modularity) on the CSR matrix we already have, orders of magnitude
    faster, with the same modularity (bench/bench_louvain.py measures both; docs/ideamap.md
    has the figures). Its licence is BSD, like our other dependencies (igraph, as fast, is GPL).
    Nodes are visited in their given (sorted) order, so the result depends on nothing
    but the graph; the seed is passed for its tie-breaking all the same.
    """
    from scipy import sparse
    from sknetwork.clustering import Louvain

    half = sparse.coo_matrix((weight, (source, target)), shape=(count, count)).tocsr()
    louvain = Louvain(modularity="newman", shuffle_nodes=False, random_state=seed, sort_clusters=True,
                      return_probs=False, return_aggregate=False)
    return louvain.fit_predict(half + half.T).tolist()


def _louvain(web: Weighted, seed: int) -> list[set[str]]:
    """Louvain on the nodes with two or more neighbours; a leaf then joins its one neighbour.

    Why: most undefined names are leaves (one term links to them), and Louvain always
    puts a leaf with its neighbour (the move can only raise modularity), so running it
    without them gives the same map in a fraction of the time. Isolated nodes stay alone.
    """
    degree = web.degrees()
    lone = (degree[web.source] == 1) & (degree[web.target] == 1)  # a pair linked only to each other
    keep = degree >= 2
    keep[web.source[lone]] = True
    keep[web.target[lone]] = True
    inner = keep[web.source] & keep[web.target]
    core = np.flatnonzero(keep)
    local = np.full(len(web.nodes), -1, dtype=np.int64)
    local[core] = np.arange(len(core))
    if inner.any():
        membership = _multilevel(len(core), local[web.source[inner]], local[web.target[inner]], web.weight[inner], seed)
    else:
        membership = list(range(len(core)))
    found: list[set[str]] = [set() for _ in range(max(membership, default=-1) + 1)]
    member: dict[str, int] = {}
    for node, group in zip(core.tolist(), membership):
        found[group].add(web.nodes[node])
        member[web.nodes[node]] = group
    for a, b in zip(web.source[~inner].tolist(), web.target[~inner].tolist()):
        leaf, hub = (web.nodes[a], web.nodes[b]) if not keep[a] else (web.nodes[b], web.nodes[a])
        found[member[hub]].add(leaf)
        member[leaf] = member[hub]
    for node in web.nodes:
        if node not in member:  # no neighbour at all
            member[node] = len(found)
            found.append({node})
    return [group for group in found if group]


def _communities(web: Weighted, centrality: Mapping[str, float], kinds: Mapping[str, Any],
                 seed: int) -> tuple[tuple[Community, ...], dict[str, int]]:
    found = _louvain(web, seed)
    ordered = sorted((sorted(c, key=lambda n: (-centrality.get(n, 0.0), n)) for c in found),
                     key=lambda members: (-len(members), members[0]))
    communities: list[Community] = []
    member_of: dict[str, int] = {}
    for index, members in enumerate(ordered):
        top = tuple(n for n in members if kinds.get(n) == "term")[:TOP_PER_COMMUNITY]
        communities.append(Community(index, tuple(members), top))
        for node in members:
            member_of[node] = index
    return tuple(communities), member_of


def _bridges(web: Weighted, member_of: Mapping[str, int], kinds: Mapping[str, Any],
             labels: Mapping[str, str]) -> tuple[Bridge, ...]:
    """Terms with neighbours in two or more communities, most communities first.

    The weight a term has in each community is summed on arrays (one row per edge end),
    so no per-term dictionaries are made (on the largest glossaries those took hundreds of MB).
    """
    n = len(web.nodes)
    if not len(web.source):
        return ()
    is_term = np.fromiter((kinds.get(v) == "term" for v in web.nodes), dtype=bool, count=n)
    community = np.fromiter((member_of[v] for v in web.nodes), dtype=np.int64, count=n)
    node = np.column_stack([web.source, web.target]).ravel()  # each edge's two ends, in edge order
    other = np.column_stack([web.target, web.source]).ravel()
    weight = np.repeat(web.weight, 2)
    keep = is_term[node]
    groups = int(community.max()) + 1
    keys, inverse = np.unique(node[keep] * groups + community[other[keep]], return_inverse=True)
    totals = np.bincount(inverse, weights=weight[keep], minlength=len(keys)).tolist()
    owners = (keys // groups).tolist()
    spreads = (keys % groups).tolist()
    out: list[Bridge] = []
    start = 0
    while start < len(owners):
        stop = start + 1
        while stop < len(owners) and owners[stop] == owners[start]:
            stop += 1
        if stop - start >= 2:
            spread = list(zip(spreads[start:stop], totals[start:stop]))
            total = sum(w for _, w in spread)
            participation = round(1.0 - sum((w / total) ** 2 for _, w in spread), 4)
            ranked = tuple(c for c, _ in sorted(spread, key=lambda cw: (-cw[1], cw[0])))
            ident = web.nodes[owners[start]]
            out.append(Bridge(ident, labels.get(ident, ident), member_of[ident], ranked, participation))
        start = stop
    out.sort(key=lambda b: (-len(b.communities), -b.participation, b.id))
    return tuple(out)


# --- wanted terms ---------------------------------------------------------------------------


def label_from_id(ident: str) -> str:
    """A readable label for an undefined id: `WOUND_CHANNEL` -> `Wound Channel`."""
    words = [w for w in re.split(r"[_\s]+", ident) if w]
    return " ".join(w.capitalize() if w.isupper() or w.islower() else w for w in words) or ident


_SEPARATORS = re.compile(r"[\s_\-]+")


def _spelling_keys(name: str) -> tuple[str, set[tuple[str, str]]]:
    """(folded name, keys): two names sharing a key are one spelling apart.

    Case and separators never count (`Laminar Flow` = `LAMINAR_FLOW`). One letter added,
    dropped or changed counts only in names of six letters or more without digits, so
    `PIRQUETTE_LAGRANGIAN` matches `PIROUETTE_LAGRANGIAN` but `ITEM_12` is not `ITEM_13`.
    """
    folded = _SEPARATORS.sub("", name.casefold())
    keys = {("=", folded)}
    if len(folded) >= 6 and not any(ch.isdigit() for ch in folded):
        keys.add(("-", folded))
        keys.update(("-", folded[:i] + folded[i + 1:]) for i in range(len(folded)))
    return folded, keys


def _variants(chosen: Sequence[str], others: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """For each chosen name, the other names at most one spelling step away."""
    index: dict[tuple[str, str], set[str]] = defaultdict(set)
    lengths: set[int] = set()
    for name in chosen:
        folded, keys = _spelling_keys(name)
        lengths.update((len(folded) - 1, len(folded), len(folded) + 1))
        for key in keys:
            index[key].add(name)
    found: dict[str, set[str]] = defaultdict(set)
    for other in others:
        folded, keys = _spelling_keys(other)
        if len(folded) not in lengths:
            continue
        for key in keys:
            for name in index.get(key, ()):
                if name != other:
                    found[name].add(other)
    return {name: tuple(sorted(v)) for name, v in found.items()}


def wanted_terms(graph: nx.MultiDiGraph, limit: int = WANTED_LIMIT) -> list[Wanted]:
    """The ``limit`` undefined names most linked to, as candidate new terms (see :func:`_wanted`)."""
    return _wanted(map_graph(graph), limit)


def _wanted(mg: MapGraph, limit: int) -> list[Wanted]:
    """The ``limit`` undefined names most linked to, as candidate new terms.

    Names that look like module ids (``CORE-014``, ``COSMO-Γ-001_slug``) are missing
    module documents, and names that cannot be ids (spaces, slashes) are free text;
    neither becomes a wanted *term*. Ranked by distinct linking terms, then links, then id.
    Counted on arrays; only the names that can rank get their relations and sources listed.
    """
    n = len(mg.nodes)
    is_missing = np.fromiter((kind == "missing" for kind in mg.kinds), dtype=bool, count=n)
    missing = [mg.nodes[i] for i in np.flatnonzero(is_missing).tolist()]
    edges = np.flatnonzero(is_missing[mg.target]) if len(mg.target) else np.zeros(0, dtype=np.int64)
    into, by = mg.target[edges].astype(np.int64), mg.source[edges].astype(np.int64)
    links = np.bincount(into, minlength=n)
    distinct = np.bincount(np.unique(into * n + by) // max(n, 1), minlength=n)
    counted = [(int(distinct[i]), int(links[i]), mg.nodes[i]) for i in np.flatnonzero(distinct).tolist()]
    counted = [(d, k, node) for d, k, node in counted
               if isinstance(node, str) and not MODULE_ID.match(node) and id_problem(node) is None]
    counted.sort(key=lambda r: (-r[0], -r[1], r[2]))
    counted = counted[:2 * max(0, limit) + 10]  # room for the typos dropped below
    chosen = {node: index for index, (_, _, node) in enumerate(counted)}
    relations: list[Counter[str]] = [Counter() for _ in counted]
    sources: list[set[str]] = [set() for _ in counted]
    position = np.fromiter((mg.nodes[i] in chosen for i in range(n)), dtype=bool, count=n) if counted else \
        np.zeros(n, dtype=bool)
    mine = np.flatnonzero(position[into]) if len(into) else np.zeros(0, dtype=np.int64)
    for v, u, r in zip(into[mine].tolist(), by[mine].tolist(), mg.relation[edges][mine].tolist()):
        row = chosen[mg.nodes[v]]
        relations[row][mg.relations[r]] += 1
        sources[row].add(mg.nodes[u])
    rows = [(d, k, node, relations[i], sources[i]) for i, (d, k, node) in enumerate(counted)]
    variants = _variants([r[2] for r in rows], (n for n in missing if isinstance(n, str))) if rows else {}
    out: list[Wanted] = []
    kept: set[str] = set()
    for inbound, _, node, counts, named in rows:
        if len(out) >= limit:
            break
        if kept.intersection(variants.get(node, ())):
            continue  # a misspelling of a name ranked higher: its stub would be a duplicate
        kept.add(node)
        out.append(Wanted(node, label_from_id(node), inbound,
                          tuple(sorted(counts.items(), key=lambda rc: (-rc[1], rc[0]))), tuple(sorted(named)),
                          variants.get(node, ())))
    return out


# --- the whole analysis -----------------------------------------------------------------------


def _settings(config: Any) -> tuple[int, float, tuple[str, ...]]:
    from compiler.config import AnalyticsConfig

    analytics = getattr(config, "analytics", None) or AnalyticsConfig()
    return analytics.k, analytics.threshold, tuple(analytics.fields)


def analyze_graph(graph: nx.MultiDiGraph, terms: Sequence[Term], config: Any, *,
                  suggest_min: float = SUGGEST_MIN, suggest_cap: int = SUGGEST_PER_TERM,
                  seed: int = SEED) -> Analysis:
    """Similarity, communities, centrality, bridges, wanted terms and suggestions for ``graph``.

    Always computes similarity (the caller decides whether to pay for it: a plain
    build without ``[analytics] similarity = true`` does not call this). Without scipy
    the similarity part is empty and the rest still runs on the typed graph.
    """
    with gc_paused():
        return _analyze(graph, terms, config, suggest_min, suggest_cap, seed)


def _analyze(graph: nx.MultiDiGraph, terms: Sequence[Term], config: Any, suggest_min: float, suggest_cap: int,
             seed: int) -> Analysis:
    k, threshold, fields = _settings(config)
    return analyze_map(map_graph(graph), _similar(graph, terms, k, threshold, fields), config,
                       suggest_min=suggest_min, suggest_cap=suggest_cap, seed=seed)


def analyze_map(mg: MapGraph, pairs: tuple[Similar, ...], config: Any, *, suggest_min: float = SUGGEST_MIN,
                suggest_cap: int = SUGGEST_PER_TERM, seed: int = SEED) -> Analysis:
    """Everything but the similarity itself, from the map graph and the similar pairs (both paths)."""
    k, threshold, fields = _settings(config)
    labels = dict(zip(mg.nodes, mg.labels))
    kinds = dict(zip(mg.nodes, mg.kinds))
    web, linked = _web(mg, pairs)
    rank = pagerank(web)
    centrality = {n: round(rank.get(n, 0.0), 8) for n in web.nodes}
    del rank
    communities, member_of = _communities(web, centrality, kinds, seed)
    key_terms = tuple(sorted((n for n in centrality if kinds.get(n) == "term"),
                             key=lambda n: (-centrality[n], n))[:KEY_TERMS])
    return Analysis(
        similar=pairs,
        communities=communities,
        community=member_of,
        centrality=centrality,
        key_terms=key_terms,
        bridges=_bridges(web, member_of, kinds, labels),
        wanted=tuple(_wanted(mg, WANTED_LIMIT)),
        suggestions=_suggestions(pairs, linked, max(suggest_min, threshold), suggest_cap),
        k=k,
        threshold=threshold,
        fields=fields,
        labels=labels,
    )


def annotate(data: GraphData, analysis: Analysis) -> GraphData:
    """The graph's data with node ``community`` and ``centrality`` and the ``similar`` edges added
    (as ``graph.copy()`` and ``add_edge`` would make it).

    Similarity edges run from the smaller id to the larger (the relation is symmetric),
    key ``similar``, ``declared`` False, ``inferred`` True, ``score`` and ``weight`` the cosine.
    """
    node_attrs = {node: {"community": analysis.community.get(node, -1), "centrality": analysis.centrality.get(node, 0.0)}
                  for node in data.nodes}
    added: list[Edge] = []
    seen: set[tuple[str, str]] = set()
    for pair in analysis.similar:
        ends = (pair.source, pair.target)
        if pair.source in data and pair.target in data and ends not in seen:
            seen.add(ends)
            added.append((pair.source, pair.target, SIMILAR,
                          {"relation": SIMILAR, "declared": False, "inferred": True, "weight": pair.score,
                           "score": pair.score, "file": None, "line": None}))
    return data.derived({"communities": len(analysis.communities)}, node_attrs, added)


def related_by_text(analysis: Analysis, limit: int = 5) -> dict[str, tuple[tuple[str, float], ...]]:
    """Each term's most similar terms (id, score), best first: the "related by text" list of a term page."""
    found: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for pair in analysis.similar:
        found[pair.source].append((pair.target, pair.score))
        found[pair.target].append((pair.source, pair.score))
    return {node: tuple(sorted(items, key=lambda item: (-item[1], item[0]))[:limit]) for node, items in sorted(found.items())}


# --- diagnostics ---------------------------------------------------------------------------


def suggested_links(analysis: Analysis, terms: Sequence[Term]) -> list[Diagnostic]:
    """One ``suggest-link`` (info) per suggested pair, on the file of the pair's first id."""
    by_id: dict[str, Term] = {}
    for term in sorted(terms, key=lambda t: t.file):
        by_id.setdefault(term.id, term)
    out: list[Diagnostic] = []
    for s in analysis.suggestions:
        found = by_id.get(s.source)
        if found is None:
            continue
        where = found.location("/crosslinks")
        other = analysis.labels.get(s.target, s.target)
        out.append(make("suggest-link", found.file, where.line, where.column,
                        f"`{s.source}` and `{s.target}` ({other}) read alike (text similarity {s.score:.2f}) "
                        "but are not linked",
                        term=s.source, pointer="/crosslinks",
                        hint=f"if they are related, name `{s.target}` under `crosslinks` (near_synonyms, "
                             "prerequisites...); if they are one idea, merge the files"))
    return out


# --- the text report ----------------------------------------------------------------------


def _name(analysis: Analysis, node: str) -> str:
    label = analysis.labels.get(node, node)
    return node if label == node else f"{node} ({label})"


def analysis_text(analysis: Analysis, limit: int = 10) -> str:
    """What `graph --analyze` prints: communities, key terms, bridges, wanted terms, suggested links."""
    lines = [f"similarity: {len(analysis.similar)} pairs (top {analysis.k} per term, score >= {analysis.threshold})"]
    lines.append(f"communities: {len(analysis.communities)}")
    for c in analysis.communities[:limit]:
        top = ", ".join(analysis.labels.get(t, t) for t in c.top) or "(no terms)"
        lines.append(f"  #{c.index:<3} {c.size:5} nodes  {top}")
    lines.append("key terms (PageRank):")
    for node in analysis.key_terms[:limit]:
        lines.append(f"  {analysis.centrality[node]:.4f}  {_name(analysis, node)}  [community {analysis.community[node]}]")
    lines.append(f"bridges: {len(analysis.bridges)} terms link several communities")
    for b in analysis.bridges[:limit]:
        spread = ", ".join(f"#{c}" for c in b.communities)
        lines.append(f"  {_name(analysis, b.id)}  communities {spread}  participation {b.participation:.2f}")
    lines.append("wanted terms (linked to, defined nowhere):")
    for w in analysis.wanted[:limit]:
        rel = ", ".join(f"{r} {n}" for r, n in w.relations)
        typo = f"  (also written {', '.join(w.variants)})" if w.variants else ""
        lines.append(f"  {w.id}  from {w.inbound} terms: {rel}{typo}")
    lines.append(f"suggested links: {len(analysis.suggestions)}")
    for s in analysis.suggestions[:limit]:
        lines.append(f"  {s.score:.2f}  {_name(analysis, s.source)} ~ {_name(analysis, s.target)}")
    return "\n".join(lines) + "\n"


__all__ = ["analyze_graph", "Analysis", "Similar", "Community", "Bridge", "Wanted", "Suggestion", "annotate",
           "wanted_terms", "suggested_links", "write_gexf", "gexf_graph", "analysis_text", "weighted_graph",
           "pagerank", "Weighted", "label_from_id", "related_by_text", "SIMILAR", "MapGraph", "map_graph",
           "analyze_map"]
