"""Link: terms, module documents and undefined names joined into one typed networkx graph.

Model (networkx ``MultiDiGraph``, nodes keyed by id, one edge per (source, target, relation),
the relation name as the edge key):

- node ``kind`` is ``term`` (a term file), ``module`` (a module document) or ``missing``
  (named by some link, defined nowhere); attributes ``label``, ``status``, ``file``,
  ``url`` (None: the site knows it), ``aliases``;
- an edge runs from the term that declares it to what it names, with ``relation``,
  ``declared`` (False: inferred), ``weight`` (association matrix, else None), and the
  ``file`` and ``line`` of the declaration;
- inverse relations are one fact (see :mod:`compiler.link.relations`): the inverse of a
  declared edge is added as *inferred* unless the other side declares it too. No edge
  leaves a ``missing`` node: it declares nothing.

:func:`link` is the stage: terms and modules in, a :class:`GraphResult` and the integrity
findings out. The graph is built through networkx's public API from its rows
(:class:`compiler.model.GraphData`), which the site and the build cache read.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from compiler.diagnostics import Diagnostic
from compiler.link.references import _UNSET, Reference
from compiler.link.relations import INVERSE_CODE, RELATION_CODE, RELATION_NAMES
from compiler.model import Attrs, Edge, GraphData, Module, Term

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np



@dataclass(frozen=True, eq=False)
class GraphResult:
    """What linking gives: the graph's data, the integrity findings, the references and the node owners."""

    data: GraphData
    diagnostics: tuple[Diagnostic, ...] = ()
    references: Sequence[Reference] = ()  # every resolved reference of the node owners, in file order
    terms: Mapping[str, Term] = field(default_factory=dict)  # id -> term that owns the node
    modules: Mapping[str, Module] = field(default_factory=dict)

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The networkx graph (made from ``data`` on first use)."""
        return self.data.graph


# --- edges: the one place where the link semantics live ---------------------------------------


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
    Arrays, because the streaming idea map (compiler.analyze.ideamap) links the largest
    glossaries with the same rules.
    """
    import numpy as np

    inverse_code = np.array(INVERSE_CODE, dtype=np.int64)
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


def edge_weight(raw: Any) -> float | None:
    """An association weight as a finite float (exports must stay valid JSON), else None."""
    if isinstance(raw, bool) or raw is _UNSET or raw is None:
        return None
    try:
        value = float(raw) if isinstance(raw, (int, float)) else float(str(raw))
    except (ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def _node(kind: str, label: str, status: Any, file: str | None, aliases: Sequence[str]) -> Attrs:
    return {"kind": kind, "label": label, "status": status if isinstance(status, str) else None,
            "file": file, "url": None, "aliases": tuple(aliases)}


def graph_data(terms: Mapping[str, Term], modules: Mapping[str, Module], references: Sequence[Reference],
               title: str = "Glossary") -> GraphData:
    """Nodes for every term, module and missing name; declared edges, then inferred inverses."""
    import numpy as np

    nodes: dict[str, Attrs] = {ident: _node("term", term.label, term.data.get("status"), term.file, term.aliases)
                               for ident, term in terms.items()}
    for ident, module in modules.items():
        if ident not in nodes:
            nodes[ident] = _node("module", module.title, module.status, module.file, module.aliases)
    for ref in references:
        if ref.target not in nodes:
            nodes[ref.target] = _node("missing", ref.target, None, None, ())
    names = list(nodes)
    position = {node: i for i, node in enumerate(names)}
    missing = np.fromiter((attrs["kind"] == "missing" for attrs in nodes.values()), dtype=bool, count=len(names))
    count = len(references)
    edges = link_edges(np.fromiter((position[r.source] for r in references), dtype=np.int64, count=count),
                       np.fromiter((position[r.target] for r in references), dtype=np.int64, count=count),
                       np.fromiter((RELATION_CODE[r.relation] for r in references), dtype=np.int64, count=count),
                       missing)
    rows: list[Edge] = []
    for u, v, code, declared, i in zip(edges.source.tolist(), edges.target.tolist(), edges.relation.tolist(),
                                       edges.declared.tolist(), edges.ref.tolist()):
        ref, relation = references[i], RELATION_NAMES[code]
        weight = edge_weight(ref.weight) if ref.relation == "associated" else None
        rows.append((names[u], names[v], relation, {"relation": relation, "declared": declared, "weight": weight,
                                                    "file": ref.file, "line": ref.line}))
    return GraphData({"title": title}, nodes, rows)


def build_graph(terms: Mapping[str, Term], modules: Mapping[str, Module],
                references: Sequence[Reference], title: str = "Glossary") -> nx.MultiDiGraph:
    """The networkx graph of :func:`graph_data`."""
    return graph_data(terms, modules, references, title).graph


__all__ = ["GraphResult", "graph_data", "build_graph", "link_edges", "EdgeRecords", "edge_weight"]
