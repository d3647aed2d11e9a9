"""A graph that holds networkx's dicts without importing networkx: the graph a build links.

Why: a rebuild after a prose edit reuses the last link result (compiler.incremental.linkreuse) and
only *reads* the graph (so do the integrity checks and the site after a fresh link),
yet ``import networkx`` alone was ~0.1 s of a ~0.3 s rebuild of the corpus (it imports
all its algorithms and scans every installed package's entry points). What the
renderer, the exports and the reuse tables read of a graph is networkx's documented
adjacency (``_node``, ``_succ``, ``_pred``: node -> attributes,
``succ[u][v][key] = attributes`` with the key dict shared by ``pred[v][u]``), the
``graph`` attribute dict and a small part of the ``MultiDiGraph`` API. :class:`PartsGraph`
is exactly those dicts, filled by :func:`compiler.link.graph.fill_graph` as it fills a
``MultiDiGraph``, plus that part of the API, answering as networkx answers (same values,
same order; tested against networkx in ``tests/test_light_graph.py``).

What is here: ``graph``; ``nodes`` (``nodes[n]``, ``n in nodes``, iteration,
``nodes(data=True | "attr")``, ``items``/``values``); ``edges`` (iteration gives
``(u, v, key)`` like networkx's view, ``edges()``, ``edges(data=...)``,
``edges(keys=True, data=...)``); ``succ``/``pred``/``adj`` and ``graph[u]`` as the
plain dicts; ``in``, ``len``, iteration; the counts; ``has_node``/``has_edge``;
``get_edge_data``; ``copy`` and ``add_node`` (the site adds nodes for terms that lack
one, on a copy).
Anything else (algorithms, writers, ``add_edge``, subgraphs) needs a real graph:
:meth:`PartsGraph.to_networkx`, reached through :func:`compiler.link.graph.as_networkx`.

The reused graph (:meth:`PartsGraph.of_parts`) fills its adjacency only when something
reads it whole; until then :meth:`PartsGraph.adjacency_of` answers for one node from the
parts' edge rows (compiler.incremental.adjacency), which is all a page needs. A prose edit renders
one page, and filling 124,000 edges at 10,000 terms was ~0.3 s of it.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

if TYPE_CHECKING:  # typing only: importing networkx is what this module avoids
    import networkx as nx

    from compiler.incremental.adjacency import Adjacency, RowIndex
    from compiler.link.graph import GraphParts

_Adj = dict[Any, dict[Any, dict[Any, dict[str, Any]]]]  # node -> neighbour -> key -> edge attributes


class _Rows:
    """A re-iterable, sized sequence of rows made on each iteration (like networkx's data views)."""

    __slots__ = ("_make", "_size")

    def __init__(self, make: Callable[[], Iterator[Any]], size: Callable[[], int]) -> None:
        self._make, self._size = make, size

    def __iter__(self) -> Iterator[Any]:
        return self._make()

    def __len__(self) -> int:
        return self._size()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"


class NodeView:
    """``graph.nodes``: the node -> attributes mapping, callable as networkx's ``NodeView``."""

    __slots__ = ("_nodes",)

    def __init__(self, nodes: dict[Any, dict[str, Any]]) -> None:
        self._nodes = nodes

    def __getitem__(self, node: Any) -> dict[str, Any]:
        return self._nodes[node]

    def __contains__(self, node: Any) -> bool:
        return node in self._nodes

    def __iter__(self) -> Iterator[Any]:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def __call__(self, data: bool | str = False, default: Any = None) -> Any:
        return self if data is False else self.data(data, default)

    def data(self, data: bool | str = True, default: Any = None) -> Any:
        """Rows ``node`` (data False), ``(node, attributes)`` (True) or ``(node, attributes.get(data, default))``."""
        nodes = self._nodes
        if data is False:
            return _Rows(lambda: iter(nodes), nodes.__len__)
        if data is True:
            return _Rows(lambda: iter(nodes.items()), nodes.__len__)
        return _Rows(lambda: ((n, d[data] if data in d else default) for n, d in nodes.items()), nodes.__len__)

    def keys(self) -> Any:
        return self._nodes.keys()

    def items(self) -> Any:
        return self._nodes.items()

    def values(self) -> Any:
        return self._nodes.values()

    def get(self, node: Any, default: Any = None) -> Any:
        return self._nodes.get(node, default)

    def __repr__(self) -> str:
        return f"NodeView({tuple(self._nodes)!r})"


class EdgeView:
    """``graph.edges``: iterates ``(u, v, key)`` and is callable, as networkx's ``OutMultiEdgeView``."""

    __slots__ = ("_graph",)

    def __init__(self, graph: PartsGraph) -> None:
        self._graph = graph

    def __iter__(self) -> Iterator[tuple[Any, Any, Any]]:
        return ((u, v, k) for u, nbrs in self._graph._succ.items() for v, keys in nbrs.items() for k in keys)

    def __len__(self) -> int:
        return self._graph.number_of_edges()

    def __contains__(self, edge: Any) -> bool:
        """``(u, v, key)`` is an edge; as in networkx, ``(u, v)`` asks for the key ``0``."""
        u, v, key = edge if len(edge) == 3 else (*edge, 0)
        return self._graph.has_edge(u, v, key)

    def __getitem__(self, edge: tuple[Any, Any, Any]) -> dict[str, Any]:
        u, v, k = edge
        return self._graph._succ[u][v][k]

    def __call__(self, nbunch: Any = None, data: bool | str = False, *, default: Any = None,
                 keys: bool = False) -> Any:
        return self.data(data, default, nbunch, keys)

    def data(self, data: bool | str = True, default: Any = None, nbunch: Any = None, keys: bool = False) -> Any:
        """Rows ``(u, v[, key][, data])`` in networkx's order: by source node, then target, then key."""
        graph = self._graph

        def sources() -> Iterable[tuple[Any, dict[Any, dict[Any, dict[str, Any]]]]]:
            if nbunch is None:
                return graph._succ.items()
            return ((n, graph._succ[n]) for n in graph.nbunch_iter(nbunch))

        def rows() -> Iterator[tuple[Any, ...]]:
            for u, nbrs in sources():
                for v, keyed in nbrs.items():
                    for k, d in keyed.items():
                        value = d if data is True else d[data] if data in d else default
                        if keys:
                            yield (u, v, k) if data is False else (u, v, k, value)
                        else:
                            yield (u, v) if data is False else (u, v, value)

        def size() -> int:
            return sum(len(keyed) for _, nbrs in sources() for keyed in nbrs.values())

        return _Rows(rows, size)

    def __repr__(self) -> str:
        return f"EdgeView({list(self)!r})"


class PartsGraph:
    """A directed multigraph's dicts, as ``networkx.MultiDiGraph`` holds them, with the API a build reads.

    Made by :meth:`compiler.link.graph.GraphParts.light`, for a fresh link and a reused one alike
    (``compiler.link.graph.link`` and ``load_glossary`` give networkx's graph over the same dicts).
    Read-only by convention once made: the build's only changes are the statuses a reused
    graph is given as it is made (compiler.incremental.linkreuse) and ``add_node`` on a :meth:`copy`.
    """

    def __init__(self, **attr: Any) -> None:
        self.graph: dict[str, Any] = dict(attr)
        self._node: dict[Any, dict[str, Any]] = {}
        self._adjacency: tuple[_Adj, _Adj] | None = ({}, {})  # (succ, pred); None: not filled yet
        self._parts: GraphParts | None = None  # what fills the adjacency, until it is filled
        self._rows: RowIndex | None = None  # the parts' edge rows by node, for one node's adjacency

    @classmethod
    def of_parts(cls, parts: GraphParts) -> PartsGraph:
        """The graph of ``parts``, its adjacency filled (by ``fill_graph``) only when first read whole.

        Why: a rebuild after a prose edit renders one page, which reads one node's edges
        (:meth:`adjacency_of`); filling all of them was ~0.3 s at 10,000 terms."""
        graph = cls(title=parts.title)
        graph._node.update(parts.nodes)
        graph._adjacency, graph._parts = None, parts
        return graph

    def _filled(self) -> tuple[_Adj, _Adj]:
        adjacency = self._adjacency
        if adjacency is None:
            assert self._parts is not None
            holder = SimpleNamespace(_node={}, _succ={}, _pred={})  # fill_graph's graph: its dicts are ours
            self._parts.fill(holder)
            adjacency = self._adjacency = (holder._succ, holder._pred)
            self._parts = self._rows = None
        return adjacency

    @property
    def _succ(self) -> _Adj:
        return self._filled()[0]

    @property
    def _pred(self) -> _Adj:
        return self._filled()[1]

    def adjacency_of(self, node: Any) -> tuple[Adjacency, Adjacency]:
        """``(succ[node], pred[node])``, equal and in the same order, without filling the others' edges.

        Once the adjacency is filled, its own dicts; before, dicts made from the node's edge
        rows (compiler.incremental.adjacency.RowIndex), which are not shared with the graph's. KeyError
        for a node not in the graph."""
        if self._adjacency is not None:
            return self._adjacency[0][node], self._adjacency[1][node]
        rows = self._rows
        if rows is None:
            assert self._parts is not None
            rows = self._rows = self._parts.row_index()
        return rows.succ_of(node), rows.pred_of(node)

    # -- networkx's adjacency, read as it names it -----------------------------------------------
    @property
    def succ(self) -> dict[Any, dict[Any, dict[Any, dict[str, Any]]]]:
        return self._succ

    adj = _adj = succ  # one dict under networkx's three names

    @property
    def pred(self) -> dict[Any, dict[Any, dict[Any, dict[str, Any]]]]:
        return self._pred

    @property
    def nodes(self) -> NodeView:
        return NodeView(self._node)

    @property
    def edges(self) -> EdgeView:
        return EdgeView(self)

    @property
    def name(self) -> str:
        return self.graph.get("name", "")

    def __getitem__(self, node: Any) -> dict[Any, dict[Any, dict[str, Any]]]:
        return self._succ[node]

    def __contains__(self, node: Any) -> bool:
        try:
            return node in self._node
        except TypeError:  # an unhashable value is no node (as networkx answers)
            return False

    def __iter__(self) -> Iterator[Any]:
        return iter(self._node)

    def __len__(self) -> int:
        return len(self._node)

    def is_multigraph(self) -> bool:
        return True

    def is_directed(self) -> bool:
        return True

    def has_node(self, node: Any) -> bool:
        return node in self

    def has_edge(self, u: Any, v: Any, key: Any = None) -> bool:
        try:
            return v in self._succ[u] if key is None else key in self._succ[u][v]
        except KeyError:
            return False

    def get_edge_data(self, u: Any, v: Any, key: Any = None, default: Any = None) -> Any:
        """The attributes of edge ``key`` from ``u`` to ``v`` (all keys' when None), or ``default``."""
        try:
            return self._succ[u][v] if key is None else self._succ[u][v][key]
        except KeyError:
            return default

    def number_of_nodes(self) -> int:
        return len(self._node)

    order = number_of_nodes

    def number_of_edges(self, u: Any = None, v: Any = None) -> int:
        if u is None:
            return sum(len(keyed) for nbrs in self._succ.values() for keyed in nbrs.values())
        try:
            return len(self._succ[u][v])
        except KeyError:
            return 0

    def nbunch_iter(self, nbunch: Any = None) -> Iterator[Any]:
        """The nodes of ``nbunch`` in the graph: all of them (None), one node, or those of an iterable."""
        if nbunch is None:
            return iter(self._node)
        if nbunch in self:
            return iter([nbunch])
        return (n for n in nbunch if n in self._node)

    # -- the two changes a build makes ------------------------------------------------------------
    def copy(self) -> PartsGraph:
        """An independent copy, built in the order ``MultiDiGraph.copy`` builds its own.

        networkx adds the nodes, then the edges by source node; so each ``pred[v]`` of the
        copy lists its sources in that order, which need not be the original's (there, in
        the order the edges were declared). Attribute dicts are copied, values shared."""
        out = PartsGraph(**self.graph)
        succ, pred = out._succ, out._pred
        for node, attrs in self._node.items():
            succ[node] = {}
            pred[node] = {}
            out._node[node] = attrs.copy()
        for u, nbrs in self._succ.items():
            out_u = succ[u]
            for v, keyed in nbrs.items():
                out_u[v] = pred[v][u] = {k: d.copy() for k, d in keyed.items()}
        return out

    def add_node(self, node: Any, **attr: Any) -> None:
        """Add ``node`` with ``attr`` (or update its attributes), as networkx does."""
        if node not in self._succ:
            if node is None:
                raise ValueError("None cannot be a node")
            self._succ[node] = {}
            self._pred[node] = {}
            self._node[node] = dict(attr)
        else:
            self._node[node].update(attr)

    # -- a real graph, for algorithms and writers -------------------------------------------------
    def to_networkx(self) -> nx.MultiDiGraph:
        """A ``networkx.MultiDiGraph`` over these very dicts: equal, in order, at no copying cost.

        The two share their dicts: a change made through the networkx graph shows here too
        (the analytics and the exporters copy before they add anything)."""
        import networkx as nx

        graph = nx.MultiDiGraph()
        graph.graph = self.graph
        graph._node = self._node
        graph._succ = self._succ  # also its _adj (networkx keeps the two names one object)
        graph._pred = self._pred
        return graph

    def __repr__(self) -> str:
        return f"PartsGraph with {self.number_of_nodes()} nodes and {self.number_of_edges()} edges"


__all__ = ["PartsGraph", "NodeView", "EdgeView"]
