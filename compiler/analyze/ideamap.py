"""The idea map of a whole glossary without holding the glossary: `graph --analyze` and
`graph --export gexf` of the largest glossaries in a fraction of the memory (bench/bench_ideamap.py).

Why a second path: the normal pipeline keeps every ``Term`` (header, body, raw text,
the location of every value) and a networkx graph of everything, which is what the
site needs and what checks read, but on the largest glossaries that alone is several
times the raw text on disk. The idea map needs far less of each term, so here each
file is loaded and validated exactly as the pipeline does (``load_bytes`` and
``validate_term``, in worker processes for ``jobs``), reduced at once to a compact
record, and the term is dropped:

- id, file, label, status, aliases (the node);
- its references as (relation, name, weight, line) (``graph.term_references``);
- its text for similarity as distinct words and their counts.

Linking then runs on arrays through the same functions as the pipeline
(``graph.Resolver``, ``graph.is_link``, ``graph.link_edges``), the analysis is the
same ``analytics.analyze_map``, and the GEXF is written from the arrays through
``gexf.write_items``: the file is byte for byte the one the full path writes for the
same glossary (a test compares them on the fixtures and the corpus sample).
"""
from __future__ import annotations

import os
from array import array
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterator, Sequence

import numpy as np

from compiler.analyze import similarity
from compiler.analyze.analytics import SIMILAR, Analysis, MapGraph, Similar, analyze_map
from compiler.collector import gc_paused
from compiler.export.gexf import CHUNK, gexf_value, write_items
from compiler.link.graph import EdgeRecords, edge_weight, link_edges
from compiler.link.references import Resolver, term_references
from compiler.link.relations import RELATION_CODE, RELATION_NAMES, is_link
from compiler.load.terms import load_bytes, read_file
from compiler.load.walk import discover
from compiler.load.walk import display_of as _display
from compiler.validate.schema import validate_term

BATCH = 200  # at most this many files per task handed to a worker process
MIN_FILES_PER_PROCESS = 150  # below this, starting a process costs more than it saves (as in compiler.incremental.files)


@dataclass(frozen=True, slots=True)
class Named:
    """What the resolver reads of a term or a module: its label (title) and aliases."""

    label: str
    aliases: tuple[str, ...]

    @property
    def title(self) -> str:
        return self.label


# one term reduced to what the map needs: (id, file, label, status, aliases,
# references as (relation code, name, weight or None, line), words, word counts)
Record = tuple[str, str, str, "str | None", tuple[str, ...], list[tuple[int, str, "float | None", int]], list[str], list[int]]


def extract(batch: Sequence[tuple[Path, str]], fields: Sequence[str]) -> list[Record | None]:
    """Load and validate each file as the pipeline does, and keep only its record (None: no term)."""
    out: list[Record | None] = []
    with gc_paused():
        for path, display in batch:
            _st, data, _diags = read_file(path, display)
            term = load_bytes(data, path, display)[0] if data is not None else None
            if term is None:
                out.append(None)
                continue
            term = validate_term(term)[0]
            status = term.data.get("status")
            refs = [(RELATION_CODE[relation], name, edge_weight(weight), line)
                    for relation, name, weight, line, _column, _pointer in term_references(term)]
            words, times = similarity.counts(similarity.tokenize(similarity.term_text(term.data, term.body, fields)))
            out.append((term.id, term.file, term.label, status if isinstance(status, str) else None, term.aliases,
                        refs, words, times))
    return out


def _records(paths: Sequence[tuple[Path, str]], fields: Sequence[str], jobs: int) -> Iterator[Record | None]:
    """Records in file order, from ``jobs`` processes when there are enough files."""
    # at least eight tasks per worker, so that no worker idles long at the end
    size = max(20, min(BATCH, len(paths) // (8 * max(1, jobs))))
    batches = [paths[i:i + size] for i in range(0, len(paths), size)]
    if jobs > 1 and len(paths) >= 2 * MIN_FILES_PER_PROCESS:
        with ProcessPoolExecutor(max_workers=min(jobs, len(batches))) as pool:
            for result in pool.map(extract, batches, [fields] * len(batches)):
                yield from result
    else:
        for batch in batches:
            yield from extract(batch, fields)


@dataclass
class _Terms:
    """The owning terms (first file per id) as columns, their references and word counts as arrays."""

    ids: list[str]
    files: list[str]
    labels: list[str]
    statuses: list[str | None]
    aliases: list[tuple[str, ...]]
    ref_owner: array
    ref_relation: array
    ref_name: array  # index into names
    ref_line: array
    ref_weight: list[float | None]
    names: dict[str, int]
    words: array  # provisional word numbers, in arrival order
    times: array
    offsets: array
    vocabulary: dict[str, int]


def _collect(records: Iterator[Record | None]) -> _Terms:
    t = _Terms([], [], [], [], [], array("i"), array("b"), array("i"), array("i"), [], {}, array("i"), array("f"),
               array("q", [0]), {})
    seen: set[str] = set()
    for record in records:
        if record is None or record[0] in seen:
            continue  # no term, or a later file with an id already taken (the checks report it)
        ident, file, label, status, aliases, refs, words, times = record
        seen.add(ident)
        owner = len(t.ids)
        t.ids.append(ident)
        t.files.append(file)
        t.labels.append(label)
        t.statuses.append(status)
        t.aliases.append(aliases)
        for relation, name, weight, line in refs:
            t.ref_owner.append(owner)
            t.ref_relation.append(relation)
            t.ref_name.append(t.names.setdefault(name, len(t.names)))
            t.ref_line.append(line)
            t.ref_weight.append(weight)
        t.words.extend(t.vocabulary.setdefault(w, len(t.vocabulary)) for w in words)
        t.times.extend(times)
        t.offsets.append(len(t.words))
    return t


@dataclass(frozen=True)
class IdeaMap:
    """The typed graph as columns and arrays, and its analysis: what `graph --analyze` and the GEXF need."""

    nodes: list[str]
    kinds: list[str]
    labels: list[str]
    statuses: list[str | None]
    files: list[str | None]
    aliases: list[tuple[str, ...]]
    edges: EdgeRecords
    edge_files: list[str]  # per reference (edges.ref)
    edge_lines: Any  # numpy int array per reference
    edge_weights: list[float | None]  # per reference
    analysis: Analysis


def _nodes(t: _Terms, modules: Sequence[Any]) -> tuple[list[str], list[str], list[str], list[str | None],
                                                      list[str | None], list[tuple[str, ...]], dict[str, Named]]:
    """Node columns for the terms then the modules (as ``graph.build_graph`` orders them), and the module names."""
    nodes, kinds, labels = list(t.ids), ["term"] * len(t.ids), list(t.labels)
    statuses: list[str | None] = list(t.statuses)
    files: list[str | None] = list(t.files)
    aliases = list(t.aliases)
    taken = set(t.ids)
    named: dict[str, Named] = {}
    for module in modules:
        if module.id in named or module.id in taken:
            continue
        named[module.id] = Named(module.title, module.aliases)
        nodes.append(module.id)
        kinds.append("module")
        labels.append(module.title)
        statuses.append(module.status)
        files.append(module.file)
        aliases.append(module.aliases)
    return nodes, kinds, labels, statuses, files, aliases, named


def _pairs(t: _Terms, k: int, threshold: float) -> tuple[Similar, ...]:
    """The similar pairs, exactly as ``analytics`` computes them from the terms (rows in id order)."""
    n = len(t.ids)
    if not similarity.available() or n < 2:
        return ()
    order = sorted(range(n), key=t.ids.__getitem__)
    offsets, words, times = t.offsets, t.words, t.times
    # the provisional word numbers stand for the words: tfidf_counts renumbers them in order of
    # first use over the rows in id order, so the matrix is the one the full path makes
    matrix = similarity.tfidf_counts((words[offsets[i]:offsets[i + 1]], times[offsets[i]:offsets[i + 1]])
                                     for i in order)
    ids = [t.ids[i] for i in order]
    first_rows, second_rows, scores = similarity.pair_arrays(matrix, k, threshold)
    return tuple(Similar(ids[i], ids[j], s) for i, j, s in zip(first_rows.tolist(), second_rows.tolist(), scores))


def build_map(terms_dir: Path, options: Any) -> IdeaMap:
    """Load, link and analyze the glossary under ``terms_dir``.

    ``options`` is a ``build.Options``: its configuration file, module folders, excluded
    folders, ``jobs`` (worker processes for loading) and progress callback are used.
    """
    from compiler.config import load_config, with_command_line
    from compiler.load.modules import load_modules

    config, _ = load_config(terms_dir, options.config_file)
    config = with_command_line(config, options.module_dirs, getattr(options, "modules_exclude", ()))
    analytics = config.analytics
    note = options.progress or (lambda _stage: None)
    note("load")
    paths, _ = discover(terms_dir, exclude=options.exclude)
    t = _collect(_records([(p, _display(p, terms_dir)) for p in paths], tuple(analytics.fields), options.jobs))
    note("link")
    modules, _ = load_modules(config.module_dirs, exclude=terms_dir, ignore=config.modules_exclude)
    with gc_paused():
        nodes, kinds, labels, statuses, files, aliases, named = _nodes(t, modules)
        del modules
        resolver = Resolver({i: Named(label, alias) for i, label, alias in zip(t.ids, t.labels, t.aliases)}, named)
        edges, ref_files, lines, weights = _link(t, resolver, nodes, kinds, labels, statuses, files, aliases)
        del resolver
        note("analyze")
        pairs = _pairs(t, analytics.k, analytics.threshold)
        del t
        mg = MapGraph(nodes, kinds, labels, edges.source, edges.target, edges.relation, RELATION_NAMES)
        analysis = analyze_map(mg, pairs, config)
    return IdeaMap(nodes, kinds, labels, statuses, files, aliases, edges, ref_files, lines, weights, analysis)


def _link(t: _Terms, resolver: Resolver, nodes: list[str], kinds: list[str], labels: list[str],
          statuses: list[str | None], files: list[str | None], aliases: list[tuple[str, ...]]
          ) -> tuple[EdgeRecords, list[str], Any, list[float | None]]:
    """Resolve every reference, add the missing nodes (in reference order), and make the edges."""
    names = list(t.names)
    resolved = [resolver.resolve(name) for name in names]
    position = {node: i for i, node in enumerate(nodes)}
    kept, targets = array("i"), array("i")
    for index, (owner, relation, name) in enumerate(zip(t.ref_owner, t.ref_relation, t.ref_name)):
        target, how = resolved[name]
        if not is_link(RELATION_NAMES[relation], how, target, t.ids[owner]):
            continue
        where = position.get(target)
        if where is None:  # a name defined nowhere: a missing node
            where = position[target] = len(nodes)
            nodes.append(target)
            kinds.append("missing")
            labels.append(target)
            statuses.append(None)
            files.append(None)
            aliases.append(())
        kept.append(index)
        targets.append(where)
    keep = np.frombuffer(kept, dtype=np.int32).astype(np.int64)
    missing = np.fromiter((kind == "missing" for kind in kinds), dtype=bool, count=len(kinds))
    owners = np.frombuffer(t.ref_owner, dtype=np.int32)[keep]
    edges = link_edges(owners, np.frombuffer(targets, dtype=np.int32),
                       np.frombuffer(t.ref_relation, dtype=np.int8)[keep], missing)
    ref_files = [t.files[o] for o in owners.tolist()]
    return (edges, ref_files, np.frombuffer(t.ref_line, dtype=np.int32)[keep],
            [t.ref_weight[i] for i in kept.tolist()])


# --- GEXF ------------------------------------------------------------------------------------


def _edge_order(idea: IdeaMap, similar_source: np.ndarray, similar_target: np.ndarray) -> np.ndarray:
    """Rows (typed edges first, then similar ones) in the order networkx walks the annotated graph.

    networkx lists edges by source node (graph order), then by the first time that
    (source, target) pair was added, then by key in the order added.
    """
    source = np.concatenate([idea.edges.source.astype(np.int64), similar_source])
    target = np.concatenate([idea.edges.target.astype(np.int64), similar_target])
    pair = source * max(1, len(idea.nodes)) + target
    _, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
    return np.lexsort((np.arange(len(pair)), first[inverse], source))


def _node_items(idea: IdeaMap) -> Iterator[tuple[str, dict[str, Any]]]:
    community, centrality = idea.analysis.community, idea.analysis.centrality
    for node, kind, label, status, file, alias in zip(idea.nodes, idea.kinds, idea.labels, idea.statuses,
                                                     idea.files, idea.aliases):
        attrs: dict[str, Any] = {"kind": kind, "label": label}
        if status is not None:
            attrs["status"] = status
        if file is not None:
            attrs["file"] = file
        attrs["aliases"] = gexf_value(alias)
        attrs["community"] = community.get(node, -1)
        attrs["centrality"] = centrality.get(node, 0.0)
        yield node, attrs


def _edge_items(idea: IdeaMap) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    position = {node: i for i, node in enumerate(idea.nodes)}
    similar = idea.analysis.similar
    src = np.fromiter((position[p.source] for p in similar), dtype=np.int64, count=len(similar))
    dst = np.fromiter((position[p.target] for p in similar), dtype=np.int64, count=len(similar))
    del position
    order = _edge_order(idea, src, dst)
    del src, dst
    typed = len(idea.edges)
    associated = RELATION_CODE["associated"]
    nodes, files, weights, edges = idea.nodes, idea.edge_files, idea.edge_weights, idea.edges
    for start in range(0, len(order), CHUNK):  # column slices as Python lists: fast to walk, a chunk at a time
        rows = order[start:start + CHUNK]
        typed_rows = np.minimum(rows, max(typed - 1, 0))
        refs = edges.ref[typed_rows] if typed else typed_rows
        for row, u, v, code, declared, ref, line in zip(
                rows.tolist(), edges.source[typed_rows].tolist() if typed else rows.tolist(),
                edges.target[typed_rows].tolist() if typed else rows.tolist(),
                edges.relation[typed_rows].tolist() if typed else rows.tolist(),
                edges.declared[typed_rows].tolist() if typed else rows.tolist(),
                refs.tolist(), idea.edge_lines[refs].tolist() if typed else rows.tolist()):
            if row >= typed:
                pair = similar[row - typed]
                yield pair.source, pair.target, SIMILAR, {"relation": SIMILAR, "declared": False, "inferred": True,
                                                          "weight": pair.score, "score": pair.score}
                continue
            relation = RELATION_NAMES[code]
            weight = weights[ref] if code == associated else None
            if weight is None:
                yield nodes[u], nodes[v], relation, {"relation": relation, "declared": declared, "file": files[ref],
                                                     "line": line}
            else:
                yield nodes[u], nodes[v], relation, {"relation": relation, "declared": declared, "weight": weight,
                                                     "file": files[ref], "line": line}


def write_map_gexf(idea: IdeaMap, path: str | Path | IO[bytes]) -> int:
    """The GEXF of the annotated map, streamed: the bytes ``write_gexf(annotate(graph, analysis))`` writes.
    Returns how many characters XML 1.0 cannot hold were replaced (see ``gexf.write_items``)."""
    with gc_paused():
        if isinstance(path, (str, Path)):
            with open(path, "wb") as handle:
                return write_items(lambda: _node_items(idea), lambda: _edge_items(idea), handle.write)
        return write_items(lambda: _node_items(idea), lambda: _edge_items(idea), path.write)


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


__all__ = ["build_map", "write_map_gexf", "IdeaMap", "extract", "default_jobs"]
