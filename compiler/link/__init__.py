"""Link: the terms, the module documents and the names they leave undefined, as one typed graph.

``link(terms, modules, config)`` is the stage; :mod:`compiler.link.graph` builds the graph,
:mod:`compiler.link.references` reads and resolves the names, :mod:`compiler.link.relations`
says what each field means, and :mod:`compiler.link.integrity` checks the result.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Sequence

from compiler.link import graph, integrity
from compiler.link.graph import GraphResult
from compiler.link.references import Row, node_owners, resolved_references
from compiler.model import Module, Term

if TYPE_CHECKING:
    from compiler.config import Config


def link(terms: Sequence[Term], modules: Sequence[Module], config: Config, memo: dict | None = None,
         rows: Mapping[str, Sequence[Row]] | None = None) -> GraphResult:
    """Build the graph of ``terms`` and ``modules`` and run the integrity checks on it.

    The first term (in file order) with a given id owns the node; later ones are
    reported as duplicates and their links are not read. ``memo`` (a dict the caller
    keeps between runs) lets the integrity checks reuse earlier "did you mean" answers;
    ``rows`` (file -> the term's ``term_references``) spares reading the references of
    terms the caller has read already. Neither changes the result.
    """
    ordered, owners, module_map = node_owners(terms, modules)
    owned_rows = [rows.get(t.file) for t in owners.values()] if rows is not None else None
    references = resolved_references(owners, module_map, owned_rows)
    data = graph.graph_data(owners, module_map, references, title=config.title)
    result = GraphResult(data, (), tuple(references), owners, module_map)
    return GraphResult(data, tuple(integrity.run_checks(result, ordered, config, memo)), result.references, owners, module_map)


__all__ = ["link", "GraphResult"]
