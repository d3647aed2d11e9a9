"""Plain data passed between stages: frozen dataclasses, no behaviour, no hidden state.

The pipeline is load -> validate -> link -> check -> render; each stage takes these
records and returns new ones plus diagnostics (see :mod:`compiler.build`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, NamedTuple, Sequence

from compiler.diagnostics import Diagnostic

if TYPE_CHECKING:
    import networkx as nx

    from compiler.checks.result import CheckResult, SymbolRow
    from compiler.config import Config


def pointer_join(base: str, key: str | int) -> str:
    """JSON pointer of ``key`` under ``base`` (RFC 6901 escapes ``~`` and ``/``): the one helper for pointers."""
    key = str(key)
    if "~" in key or "/" in key:
        key = key.replace("~", "~0").replace("/", "~1")
    return f"{base}/{key}"


class Location(NamedTuple):
    """1-based position of a value in a file; end is exclusive, where known.

    A NamedTuple rather than a dataclass: the loader makes one per YAML node, and
    tuples are several times cheaper to create and to pickle into the cache."""

    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None


@dataclass(frozen=True, eq=False)
class Term:
    """One term file, merged from its front-matter blocks.

    ``data`` holds the merged header as plain JSON-like values (str, int, float,
    bool, None, list, dict). Scalars the schema wants as text keep the author's
    spelling (``version: 0.10`` stays ``"0.10"``). ``locations`` maps a JSON pointer
    (``/crosslinks/antonyms/0``) to where that value was written, in the block
    whose value won the merge.
    """

    id: str  # canonical_id, or a stand-in derived from the file name when that is missing/invalid
    file: str  # path relative to the terms folder, POSIX separators
    path: Path  # absolute path
    data: Mapping[str, Any]
    body: str
    body_line: int  # 1-based line where the Markdown body starts (0 when there is no body)
    locations: Mapping[str, Location]
    former_ids: tuple[str, ...] = ()  # ids of earlier blocks that were replaced by a later one
    has_errors: bool = False  # some error diagnostic belongs to this file
    header_lines: tuple[int, ...] = ()  # first line of each front-matter block
    raw: Mapping[str, str] = field(default_factory=dict)  # pointer -> written text of plain non-text scalars

    @property
    def label(self) -> str:
        term = self.data.get("term")
        return term if isinstance(term, str) and term.strip() else self.id

    @property
    def aliases(self) -> tuple[str, ...]:
        raw = self.data.get("aliases")
        items = [a for a in raw if isinstance(a, str) and a.strip()] if isinstance(raw, list) else []
        return tuple(items) + tuple(i for i in self.former_ids if i not in items)

    def location(self, pointer: str) -> Location:
        """Where the value at ``pointer`` was written; walks up to the nearest known parent."""
        p = pointer
        while p:
            loc = self.locations.get(p)
            if loc is not None:
                return loc
            p = p.rsplit("/", 1)[0]
        return self.locations.get("", Location(self.header_lines[0] if self.header_lines else 1, 1))


@dataclass(frozen=True)
class LoadResult:
    terms: tuple[Term, ...]
    diagnostics: tuple[Diagnostic, ...]
    files: int  # how many *.md files were found
    root: Path = field(default_factory=Path)


@dataclass(frozen=True)
class Module:
    """One module document: its id, title, where it lives, and its front matter."""

    id: str
    title: str
    file: str  # display path: relative to the module folder's parent, POSIX separators
    path: Path
    line: int = 1  # line of the `id:` key
    status: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    body: str = ""  # the document's text after its front matter (Markdown), shown on its page

    @property
    def aliases(self) -> tuple[str, ...]:
        """The file name without extension, when it differs from the id (`CORE-001_the_seed`)."""
        stem = self.path.stem
        return (stem,) if stem != self.id else ()



Attrs = dict[str, Any]
Edge = tuple[str, str, str, Attrs]  # (source, target, key, attributes): one row, as add_edges_from takes it
Adjacency = dict[str, dict[str, Attrs]]  # neighbour -> key -> edge attributes


class GraphData:
    """The graph as plain data: its nodes (id -> attributes, in graph order) and edge rows (in insertion order).

    Why both this and the graph: the knowledge graph is a ``networkx.MultiDiGraph`` (the
    integrity checks, exports, the idea map and notebooks run networkx on it), but the
    site and the build cache only *read* its nodes and each node's edges. The graph is
    made from these rows through networkx's public API (``add_nodes_from``,
    ``add_edges_from``) the first time someone asks for it, so a rebuild that reuses the
    last link result renders its pages from the stored rows without importing networkx.

    The rows are the graph's insertion order, so what is read here is what the graph
    answers: ``succ(n)``/``pred(n)`` equal ``graph.succ[n]``/``graph.pred[n]`` (neighbours
    in the order of their first edge, keys in the order added) and ``edges()`` is
    ``graph.edges(keys=True, data=True)`` (tested in tests/test_graph_data.py). Nothing
    here writes to the graph: a changed graph is new data (:meth:`derived`).
    """

    __slots__ = ("attrs", "nodes", "rows", "__dict__")

    def __init__(self, attrs: Mapping[str, Any], nodes: dict[str, Attrs], rows: list[Edge]) -> None:
        self.attrs: Attrs = dict(attrs)
        self.nodes = nodes
        self.rows = rows

    @classmethod
    def of(cls, graph: nx.MultiDiGraph) -> GraphData:
        """The data of any directed multigraph, its rows in an order that gives back every node's
        successors and predecessors in the graph's own order (read through its public views).

        Each (source, target) pair must come after the pair before it in ``graph.succ[source]``
        and after the one before it in ``graph.pred[target]``; the order the graph was built in
        meets both, so the pairs are sorted topologically by those constraints (ties in edge
        order), and each pair's keys follow in the graph's key order."""
        import heapq

        pairs = [(u, v) for u, nbrs in graph.succ.items() for v in nbrs]
        rank = {pair: i for i, pair in enumerate(pairs)}
        after: dict[tuple[Any, Any], list[tuple[Any, Any]]] = {pair: [] for pair in pairs}
        waiting = dict.fromkeys(pairs, 0)
        for chain in (*([(u, v) for v in graph.succ[u]] for u in graph),
                      *([(u, v) for u in graph.pred[v]] for v in graph)):
            for first, second in zip(chain, chain[1:]):
                after[first].append(second)
                waiting[second] += 1
        ready = [rank[pair] for pair, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        rows: list[Edge] = []
        while ready:
            u, v = pairs[heapq.heappop(ready)]
            rows.extend((u, v, key, attrs) for key, attrs in graph.succ[u][v].items())
            for nxt in after[(u, v)]:
                waiting[nxt] -= 1
                if waiting[nxt] == 0:
                    heapq.heappush(ready, rank[nxt])
        return cls(dict(graph.graph), dict(graph.nodes(data=True)), rows)

    # --- the graph -------------------------------------------------------------------------

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The networkx graph these rows make (made once, on first use)."""
        import networkx as nx

        graph = nx.MultiDiGraph(**self.attrs)
        graph.add_nodes_from(self.nodes.items())
        graph.add_edges_from(self.rows)
        return graph

    # --- reading ---------------------------------------------------------------------------

    def __contains__(self, node: object) -> bool:
        return node in self.nodes

    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[str]:
        return iter(self.nodes)

    @cached_property
    def _index(self) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """The rows of each node, out and in, in row order (one pass, on first use)."""
        out: dict[str, list[int]] = {node: [] for node in self.nodes}
        inn: dict[str, list[int]] = {node: [] for node in self.nodes}
        for i, (u, v, _key, _attrs) in enumerate(self.rows):
            out[u].append(i)
            inn[v].append(i)
        return out, inn

    def _side(self, rows: Sequence[int], end: int) -> Adjacency:
        found: Adjacency = {}
        all_rows = self.rows
        for i in rows:
            row = all_rows[i]
            other = row[1] if end == 1 else row[0]
            keys = found.get(other)
            if keys is None:
                keys = found[other] = {}
            held = keys.get(row[2])
            keys[row[2]] = row[3] if held is None else {**held, **row[3]}  # a repeated edge updates its attributes
        return found

    def succ(self, node: str) -> Adjacency:
        """``graph.succ[node]`` as plain dicts: target -> key -> attributes. KeyError for an unknown node."""
        return self._side(self._index[0][node], 1)

    def pred(self, node: str) -> Adjacency:
        """``graph.pred[node]`` as plain dicts: source -> key -> attributes. KeyError for an unknown node."""
        return self._side(self._index[1][node], 0)

    def edges(self) -> Iterator[Edge]:
        """``graph.edges(keys=True, data=True)``: by source in node order, then as ``succ`` orders them."""
        for node in self.nodes:
            for target, keys in self.succ(node).items():
                for key, attrs in keys.items():
                    yield node, target, key, attrs

    def number_of_edges(self) -> int:
        return len(self.rows)

    # --- new data from old -----------------------------------------------------------------

    def derived(self, attrs: Mapping[str, Any] | None = None, node_attrs: Mapping[str, Attrs] | None = None,
                added: Iterable[Edge] = ()) -> GraphData:
        """The data of ``graph.copy()`` with ``attrs`` added to the graph, ``node_attrs[n]`` to node n and
        the ``added`` edges added after (networkx's copy adds the edges in ``edges()`` order)."""
        nodes = {node: {**values, **(node_attrs.get(node, {}) if node_attrs else {})} for node, values in self.nodes.items()}
        rows = [(u, v, k, dict(d)) for u, v, k, d in self.edges()]
        rows.extend(added)
        return GraphData({**self.attrs, **(attrs or {})}, nodes, rows)


@dataclass(frozen=True, eq=False)
class Glossary:
    """Everything the pipeline knows after load -> validate -> link -> check -> analyze.

    This is what the renderer and the exporters receive. ``graph`` is the networkx
    ``MultiDiGraph`` of the link stage, made from ``graph_data`` (its nodes and edge rows,
    which the site reads) on first use.
    """

    root: Path  # the terms folder
    config: Config
    terms: tuple[Term, ...]
    modules: tuple[Module, ...]
    graph_data: GraphData
    checks: tuple[CheckResult, ...]
    diagnostics: tuple[Diagnostic, ...]
    files: int  # term files found
    # The list of symbols of the terms' symbol tables (compiler.checks.result.SymbolRow), made with the checks.
    symbols: tuple[SymbolRow, ...] = ()

    @property
    def graph(self) -> nx.MultiDiGraph:
        return self.graph_data.graph
