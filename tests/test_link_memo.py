"""Linking on an edit: references reused per file content, the graph built in order, one edge scan.

- ``link(rows=...)`` links from the reference rows it is given (the build cache keeps each
  file's), and gives what linking without them gives; the build cache keeps the rows of the
  current files only;
- the rows survive pickling (the build cache), ``_UNSET`` (no weight written) included;
- the graph is the one ``add_nodes_from`` / ``add_edges_from`` make from the edges in the
  order linking makes them: same node, edge, key and predecessor order;
- ``integrity.edge_pairs`` finds what the edge views found;
- ``Resolver.resolve`` answers a name the same way the second time.
"""
from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from compiler.build import analyze
from compiler.config import default_config, load_config
from compiler.incremental.stages import FastStages
from compiler.link import link
from compiler.link.graph import link_edges
from compiler.link.integrity import CONFLICTS, edge_pairs
from compiler.link.references import _UNSET, Resolver, term_references
from compiler.link.relations import RELATION_CODE, RELATION_NAMES
from compiler.load.modules import load_modules
from compiler.load.terms import load_terms
from compiler.stages import Options

GRAPH_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "graph"
CASES = sorted(p.name for p in GRAPH_FIXTURES.iterdir() if (p / "expect.toml").is_file())

TERMS = {
    "A.md": "term: Alpha\ncanonical_id: A\nparents: [B]\ncrosslinks:\n  near_synonyms: [C]\n"
            "poetic_connections:\n  association_matrix:\n    - [B]\n    - [C, 0.5]\n    - {term: NOWHERE}\n",
    "B.md": "term: Beta\ncanonical_id: B\nchildren: [A]\ncrosslinks:\n  antonyms: [C, GONE]\n",
    "C.md": "term: Gamma\ncanonical_id: C\nparents: [A]\ncrosslinks:\n  prerequisites: [Alpha, BETA]\n",
}


def write_terms(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, header in files.items():
        (folder / name).write_text(f"---\n{header}---\n\n# {name}\n\nBody.\n", encoding="utf-8")
    return folder


def snapshot(result) -> tuple:
    """Everything linking produces, in order."""
    graph = result.graph
    return (list(graph.nodes(data=True)), list(graph.edges(keys=True, data=True)),
            [list(graph.pred[n].items()) for n in graph], result.diagnostics, result.references)


@pytest.fixture
def glossary(tmp_path: Path):
    terms_dir = write_terms(tmp_path / "terms", TERMS)
    return load_terms(terms_dir).terms, default_config(terms_dir)


# --- reference rows kept per file ------------------------------------------------------------


def _rows(terms, trip=True) -> dict:
    rows = {t.file: term_references(t) for t in terms}
    return pickle.loads(pickle.dumps(rows)) if trip else rows  # as the build cache keeps them


def test_linking_with_rows_equals_linking_without_them_after_a_trip_through_pickle(glossary):
    terms, config = glossary
    plain = link(terms, [], config)
    assert snapshot(link(terms, [], config, rows=_rows(terms))) == snapshot(plain)
    assert snapshot(link(terms, [], config, rows={})) == snapshot(plain)  # no rows: each term is read


def test_unset_weight_keeps_its_identity_through_pickle(glossary):
    terms, _ = glossary
    assert pickle.loads(pickle.dumps(_UNSET)) is _UNSET
    rows = _rows([t for t in terms if t.id == "A"])["A.md"]
    weights = {name: weight for relation, name, weight, *_ in rows if relation == "associated"}
    assert weights["B"] is _UNSET and weights["NOWHERE"] is _UNSET and weights["C"] == 0.5


def test_no_weight_read_back_from_the_rows_is_reported_or_exported(glossary):
    terms, config = glossary
    result = link(terms, [], config, rows=_rows(terms))
    assert not [d for d in result.diagnostics if d.code == "association-weight"]
    assert result.graph.edges["A", "B", "associated"]["weight"] is None
    assert [r.weight for r in result.references if r.relation == "associated"] == [None, 0.5, None]


def test_given_rows_are_what_linking_reads(glossary):
    terms, config = glossary
    rows = _rows(terms)
    rows["A.md"] = [("broader", "C", None, 3, 5, "/parents/0")]
    reused = link(terms, [], config, rows=rows)
    assert [(r.relation, r.target) for r in reused.references if r.source == "A"] == [("broader", "C")]
    assert reused.graph.edges["A", "C", "broader"]["declared"]
    assert not reused.graph.edges["A", "B", "broader"]["declared"]  # only inferred from B's `children` now


def test_the_build_cache_keeps_rows_of_the_current_files_only(tmp_path: Path):
    terms_dir = write_terms(tmp_path / "terms", TERMS)
    cache, out = tmp_path / ".glossary-cache", tmp_path / "site"
    options = Options(cache_dir=cache, output=out, checks=False)

    def refs_after_build() -> dict:
        stages = FastStages(options)
        analyze(terms_dir, options, stages)
        return stages.state.extra["refs"]

    assert set(refs_after_build()) == {"A.md", "B.md", "C.md"}
    (terms_dir / "B.md").unlink()
    (terms_dir / "C.md").rename(terms_dir / "C2.md")
    assert set(refs_after_build()) == {"A.md", "C2.md"}


# --- the graph, built in order ---------------------------------------------------------------


def fixture_results(tmp_path: Path):
    for name in CASES:
        shutil.copytree(GRAPH_FIXTURES / name, tmp_path / name)
        roots = [p.parent for p in (tmp_path / name).rglob("*.md") if p.parent.name in ("terms", "dictionary")]
        for root in dict.fromkeys(roots):
            config, _ = load_config(root)
            modules, _ = load_modules(config.module_dirs, exclude=config.terms_dir)
            yield name, link(load_terms(root).terms, modules, config)


def networkx_way(result) -> nx.MultiDiGraph:
    """The graph as ``add_nodes_from`` and ``add_edges_from`` make it, edges in the order linking makes them."""
    graph = result.graph
    expected = nx.MultiDiGraph(**graph.graph)
    expected.add_nodes_from(graph.nodes(data=True))
    names = list(graph)
    position = {n: i for i, n in enumerate(names)}
    refs = result.references
    edges = link_edges([position[r.source] for r in refs], [position[r.target] for r in refs],
                       [RELATION_CODE[r.relation] for r in refs],
                       np.array([kind == "missing" for _, kind in graph.nodes(data="kind")], dtype=bool))
    rows = []
    for u, v, rel in zip(edges.source.tolist(), edges.target.tolist(), edges.relation.tolist()):
        key = RELATION_NAMES[rel]
        rows.append((names[u], names[v], key, dict(graph.edges[names[u], names[v], key])))
    expected.add_edges_from(rows)
    return expected


def test_the_graph_is_the_one_add_edges_from_makes(tmp_path: Path):
    seen = 0
    for name, result in fixture_results(tmp_path):
        graph, expected = result.graph, networkx_way(result)
        assert graph.graph == expected.graph, name
        assert list(graph.nodes(data=True)) == list(expected.nodes(data=True)), name
        assert list(graph.edges(keys=True, data=True)) == list(expected.edges(keys=True, data=True)), name
        assert [list(graph.pred[n].items()) for n in graph] == [list(expected.pred[n].items()) for n in expected], name
        assert [list(graph.succ[n]) for n in graph] == [list(expected.succ[n]) for n in expected], name
        seen += graph.number_of_edges()
    assert seen > 20


def test_edge_pairs_are_what_the_edge_views_give(tmp_path: Path):
    found = {"conflicts": 0, "hierarchy": 0}
    for name, result in fixture_results(tmp_path):
        graph = result.graph
        pairs = edge_pairs(graph)
        for first, second in CONFLICTS:
            want = [(u, v) for u, v, data in graph.edges(data=True)
                    if data["relation"] == first and graph.has_edge(u, v, second)]
            assert pairs.conflicts[(first, second)] == want, name
            found["conflicts"] += len(want)
        up = []
        for u, v, rel, declared in graph.edges(keys=True, data="declared"):
            if declared and rel == "broader":
                up.append((u, v))
            elif declared and rel == "narrower":
                up.append((v, u))
        assert pairs.hierarchy == up, name
        found["hierarchy"] += len(up)
    assert found["conflicts"] and found["hierarchy"]


def test_a_name_resolves_the_same_way_every_time(glossary):
    terms, _ = glossary
    resolver = Resolver({t.id: t for t in terms}, {})
    names = ["A", "Alpha", "alpha", "BETA", "GONE", "A", "Alpha", "GONE", "C_with_slug"]
    first = [resolver.resolve(n) for n in names]
    assert first == [resolver.resolve(n) for n in names]
    assert first == [Resolver({t.id: t for t in terms}, {})._resolve(n) for n in names]
    assert first[:5] == [("A", "exact"), ("A", "loose"), ("A", "loose"), ("B", "loose"), ("GONE", "missing")]
