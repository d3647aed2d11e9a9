"""The idea map of the real corpus sample (../shared/corpus): the acceptance checks of the
GEXF export (loads back unchanged, module edges and similarity edges both there, the
same bytes twice) and sanity of what the analysis reports on messy input."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from compiler.analyze.analytics import SIMILAR, SUGGEST_PER_TERM, analyze_graph, annotate, gexf_graph, suggested_links, write_gexf
from compiler.config import default_config
from compiler.link import link
from compiler.link.relations import MODULE_ID
from compiler.load.modules import load_modules
from compiler.load.terms import load_terms
from compiler.model import GraphData
from compiler.validate.schema import validate_terms

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.fixture(scope="module")
def corpus():
    if not (CORPUS / "dictionary").is_dir() or not (CORPUS / "modules").is_dir():
        pytest.skip("the shared corpus is not available")
    root = CORPUS / "dictionary"
    terms, _ = validate_terms(load_terms(root).terms)
    modules, _ = load_modules([CORPUS / "modules"], exclude=root)
    config = default_config(root)
    graph = link(terms, modules, config).graph
    return config, terms, graph


def export(corpus, path: Path) -> nx.MultiDiGraph:
    config, terms, graph = corpus
    annotated = annotate(GraphData.of(graph), analyze_graph(graph, terms, config)).graph
    write_gexf(annotated, path)
    return annotated


def test_gexf_loads_back_unchanged(corpus, tmp_path):
    annotated = export(corpus, tmp_path / "corpus.gexf")
    back = nx.read_gexf(tmp_path / "corpus.gexf")
    want = gexf_graph(annotated)
    assert set(back.nodes) == set(want.nodes)
    assert {n: dict(a) for n, a in back.nodes(data=True)} == {n: dict(a) for n, a in want.nodes(data=True)}
    got_edges = {(u, v, k): {a: x for a, x in d.items() if a != "id"} for u, v, k, d in back.edges(keys=True, data=True)}
    want_edges = {(u, v, k): dict(d) for u, v, k, d in want.edges(keys=True, data=True)}
    assert got_edges == want_edges
    for _, attrs in back.nodes(data=True):
        assert {"kind", "label", "community", "centrality"} <= set(attrs)


def test_module_edges_and_similarity_edges_are_both_there(corpus, tmp_path):
    annotated = export(corpus, tmp_path / "corpus.gexf")
    kinds = dict(annotated.nodes(data="kind"))
    relations = Counter(d["relation"] for u, v, d in annotated.edges(data=True)
                        if kinds[u] == "term" and kinds[v] == "module")
    assert relations["broader"] > 50  # parents are mostly module documents
    similar = [d for *_, d in annotated.edges(data=True) if d["relation"] == SIMILAR]
    assert len(similar) > 50
    assert all(d["declared"] is False and 0 < d["score"] <= 1 for d in similar)


def test_two_runs_give_identical_files(corpus, tmp_path):
    export(corpus, tmp_path / "one.gexf")
    export(corpus, tmp_path / "two.gexf")
    assert (tmp_path / "one.gexf").read_bytes() == (tmp_path / "two.gexf").read_bytes()


def test_reports_are_sane_on_real_input(corpus):
    config, terms, graph = corpus
    analysis = analyze_graph(graph, terms, config)
    assert 1 < len(analysis.communities) < graph.number_of_nodes()
    assert all(not MODULE_ID.match(w.id) for w in analysis.wanted)
    assert analysis.wanted and analysis.wanted[0].inbound >= 10
    named = Counter(n for s in analysis.suggestions for n in (s.source, s.target))
    assert max(named.values(), default=0) <= SUGGEST_PER_TERM
    diagnostics = suggested_links(analysis, terms)
    assert len(diagnostics) == len(analysis.suggestions)
    assert all(d.line > 0 and d.file.endswith(".md") for d in diagnostics)
