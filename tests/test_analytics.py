"""The idea map on a small hand-made glossary (tests/fixtures/ideamap/): two clusters, one
bridge, one near-duplicate pair, undefined names. What each result must be is written in
the fixture's expect.toml, not here."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from compiler.analyze.analytics import (
    SIMILAR,
    Analysis,
    analysis_text,
    analyze_graph,
    annotate,
    gexf_graph,
    label_from_id,
    pagerank,
    related_by_text,
    suggested_links,
    wanted_terms,
    weighted_graph,
    write_gexf,
)
from compiler.codes import CODES
from compiler.config import default_config, load_config
from compiler.diagnostics import Severity
from compiler.link import link
from compiler.load.modules import load_modules
from compiler.load.terms import load_terms
from compiler.model import GraphData

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "ideamap"
EXPECT = tomllib.loads((FIXTURE / "expect.toml").read_text(encoding="utf-8"))


def build(folder: Path) -> tuple[Any, Any, Any, Analysis]:
    config, problems = load_config(folder / EXPECT["root"])
    assert not problems
    loaded = load_terms(config.terms_dir)
    modules, _ = load_modules(config.module_dirs, exclude=config.terms_dir)
    result = link(loaded.terms, modules, config)
    return config, loaded.terms, result.graph, analyze_graph(result.graph, loaded.terms, config)


@pytest.fixture(scope="module")
def glossary(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Any, Analysis]:
    folder = tmp_path_factory.mktemp("ideamap") / "ideamap"
    shutil.copytree(FIXTURE, folder)  # away from this repository's own configuration
    return build(folder)


def test_each_cluster_is_one_community_and_the_clusters_differ(glossary):
    _, _, _, analysis = glossary
    found = [{analysis.community[node] for node in cluster} for cluster in EXPECT["clusters"]]
    assert all(len(ids) == 1 for ids in found), found
    assert len(set.union(*found)) == len(found)


def test_every_node_has_a_community_and_a_centrality(glossary):
    _, _, graph, analysis = glossary
    assert set(analysis.community) == set(graph.nodes) == set(analysis.centrality)
    assert sum(c.size for c in analysis.communities) == graph.number_of_nodes()
    assert [c.index for c in analysis.communities] == list(range(len(analysis.communities)))
    assert [c.size for c in analysis.communities] == sorted((c.size for c in analysis.communities), reverse=True)
    assert abs(sum(analysis.centrality.values()) - 1.0) < 1e-3


def test_pagerank_equals_networkx(glossary):
    _, _, graph, analysis = glossary
    web = weighted_graph(graph, analysis.similar)
    plain = nx.Graph()
    plain.add_nodes_from(web.nodes)
    plain.add_weighted_edges_from((web.nodes[a], web.nodes[b], w)
                                  for a, b, w in zip(web.source.tolist(), web.target.tolist(), web.weight.tolist()))
    plain.add_node("ALONE")  # a node without edges: dangling mass
    want = nx.pagerank(plain, weight="weight")
    web = type(web)((*web.nodes, "ALONE"), web.source, web.target, web.weight)
    got = pagerank(web)
    assert set(got) == set(want)
    assert all(abs(got[n] - want[n]) < 1e-9 for n in want)


def test_key_terms_are_terms_ranked_by_centrality(glossary):
    _, _, graph, analysis = glossary
    assert analysis.key_terms
    assert all(graph.nodes[n]["kind"] == "term" for n in analysis.key_terms)
    scores = [analysis.centrality[n] for n in analysis.key_terms]
    assert scores == sorted(scores, reverse=True)


def test_the_near_duplicate_pair_is_the_most_similar_and_suggested(glossary):
    _, terms, _, analysis = glossary
    best = max(analysis.similar, key=lambda s: s.score)
    assert [best.source, best.target] == EXPECT["duplicate"]
    assert best.score > 0.9
    assert [(s.source, s.target) for s in analysis.suggestions] == [tuple(EXPECT["duplicate"])]
    diagnostics = suggested_links(analysis, terms)
    assert [(d.code, d.file, d.severity) for d in diagnostics] == [("suggest-link", EXPECT["suggest_file"], Severity.INFO)]
    assert all(name in diagnostics[0].message for name in EXPECT["duplicate"])
    assert f"{best.score:.2f}" in diagnostics[0].message


def test_similar_pairs_are_ordered_unique_and_above_threshold(glossary):
    config, _, graph, analysis = glossary
    pairs = [(s.source, s.target) for s in analysis.similar]
    assert pairs == sorted(set(pairs))
    assert all(a < b for a, b in pairs)
    assert all(s.score >= config.analytics.threshold for s in analysis.similar)
    assert all(graph.nodes[n]["kind"] == "term" for pair in pairs for n in pair)


def test_linked_pairs_are_never_suggested(glossary):
    _, _, graph, analysis = glossary
    for s in analysis.suggestions:
        assert not graph.has_edge(s.source, s.target) and not graph.has_edge(s.target, s.source)


def test_suggestions_are_capped_per_term(glossary):
    _, _, graph, analysis = glossary
    capped = analyze_graph(graph, [], default_config(Path(".")), suggest_min=0.0, suggest_cap=1)
    assert capped.suggestions == ()  # no terms given: no text, no similarity
    config, terms, _, _ = glossary
    loose = analyze_graph(graph, terms, config, suggest_min=0.1, suggest_cap=1)
    named = [n for s in loose.suggestions for n in (s.source, s.target)]
    assert named and len(named) == len(set(named))


def test_bridge_spans_both_clusters(glossary):
    _, _, _, analysis = glossary
    bridges = {b.id: b for b in analysis.bridges}
    bridge = bridges[EXPECT["bridge"]]
    clusters = {analysis.community[c[0]] for c in EXPECT["clusters"]}
    assert clusters <= set(bridge.communities)
    assert 0 < bridge.participation < 1
    assert analysis.bridges[0].id == EXPECT["bridge"]


def test_wanted_terms_ranked_with_their_links(glossary):
    _, _, graph, analysis = glossary
    wanted = wanted_terms(graph, 10)
    assert [w.id for w in wanted] == [w["id"] for w in EXPECT["wanted"]]
    for got, want in zip(wanted, EXPECT["wanted"]):
        assert (got.label, got.inbound, dict(got.relations), list(got.sources), list(got.variants)) == \
            (want["label"], want["inbound"], want["relations"], want["sources"], want["variants"])
    assert not {w.id for w in wanted} & set(EXPECT["not_wanted"])
    assert [w.id for w in wanted_terms(graph, 1)] == [EXPECT["wanted"][0]["id"]]
    assert wanted_terms(graph, 0) == []
    assert tuple(wanted) == analysis.wanted


@pytest.mark.parametrize("ident, label", [
    ("WOUND_CHANNEL", "Wound Channel"),
    ("undertow", "Undertow"),
    ("Tau_Isometry", "Tau Isometry"),
    ("ΔΦ_DRIFT", "Δφ Drift"),
])
def test_label_from_id(ident, label):
    assert label_from_id(ident) == label


def test_annotate_adds_attributes_and_similar_edges_to_a_copy(glossary):
    _, _, graph, analysis = glossary
    before = (graph.number_of_edges(), dict(graph.nodes["TIDE"]))
    annotated = annotate(GraphData.of(graph), analysis).graph
    assert (graph.number_of_edges(), dict(graph.nodes["TIDE"])) == before
    assert annotated.number_of_edges() == graph.number_of_edges() + len(analysis.similar)
    for node, attrs in annotated.nodes(data=True):
        assert attrs["community"] == analysis.community[node]
        assert attrs["centrality"] == analysis.centrality[node]
    similar = [(u, v, d) for u, v, k, d in annotated.edges(keys=True, data=True) if k == SIMILAR]
    assert {(u, v) for u, v, _ in similar} == {(s.source, s.target) for s in analysis.similar}
    assert all(d["relation"] == SIMILAR and d["declared"] is False and d["inferred"] is True
               and d["score"] == d["weight"] for _, _, d in similar)


def comparable(graph: nx.MultiDiGraph) -> tuple[dict, dict]:
    """Nodes and edges with their attributes, leaving out what the GEXF reader adds."""
    nodes = {n: dict(a) for n, a in graph.nodes(data=True)}
    edges = {(u, v, k): {a: x for a, x in d.items() if a != "id"} for u, v, k, d in graph.edges(keys=True, data=True)}
    return nodes, edges


def test_gexf_loads_back_with_the_same_nodes_edges_and_attributes(glossary, tmp_path):
    _, _, graph, analysis = glossary
    annotated = annotate(GraphData.of(graph), analysis).graph
    write_gexf(annotated, tmp_path / "map.gexf")
    back = nx.read_gexf(tmp_path / "map.gexf")
    assert isinstance(back, nx.MultiDiGraph)
    assert comparable(back) == comparable(gexf_graph(annotated))
    relations = {d["relation"] for *_, d in back.edges(data=True)}
    assert {"broader", "narrower", SIMILAR} <= relations
    assert {d["kind"] for _, d in back.nodes(data=True)} == {"term", "module", "missing"}


def test_two_runs_write_identical_gexf(glossary, tmp_path):
    config, terms, graph, analysis = glossary
    write_gexf(annotate(GraphData.of(graph), analysis).graph, tmp_path / "one.gexf")
    again = analyze_graph(graph, list(reversed(terms)), config)
    write_gexf(annotate(GraphData.of(graph), again).graph, tmp_path / "two.gexf")
    assert (tmp_path / "one.gexf").read_bytes() == (tmp_path / "two.gexf").read_bytes()
    assert b"lastmodifieddate" not in (tmp_path / "one.gexf").read_bytes()


EXPORT = """
import sys
from pathlib import Path
from tests.test_analytics import build
from compiler.analyze.analytics import annotate, write_gexf
from compiler.model import GraphData
config, terms, graph, analysis = build(Path(sys.argv[1]))
write_gexf(annotate(GraphData.of(graph), analysis).graph, sys.argv[2])
"""


def test_gexf_does_not_depend_on_the_string_hash_seed(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "glossary")
    repo = Path(__file__).resolve().parents[1]
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(repo)}
        subprocess.run([sys.executable, "-c", EXPORT, str(tmp_path / "glossary"), str(tmp_path / f"{seed}.gexf")],
                       check=True, env=env, cwd=repo)
    assert (tmp_path / "1.gexf").read_bytes() == (tmp_path / "2.gexf").read_bytes()


def test_rebuilding_from_files_gives_the_same_analysis(glossary, tmp_path):
    _, _, _, analysis = glossary
    shutil.copytree(FIXTURE, tmp_path / "again")
    assert build(tmp_path / "again")[3] == analysis


def test_related_by_text_lists_each_terms_best_neighbours(glossary):
    _, _, _, analysis = glossary
    related = related_by_text(analysis, limit=2)
    first, second = EXPECT["duplicate"]
    assert related[first][0][0] == second and related[second][0][0] == first
    assert all(len(items) <= 2 and [s for _, s in items] == sorted((s for _, s in items), reverse=True)
               for items in related.values())


def test_analysis_text_lists_every_section(glossary):
    _, _, _, analysis = glossary
    text = analysis_text(analysis)
    for heading in ("communities: 2", "key terms", "bridges:", "wanted terms", "suggested links: 1"):
        assert heading in text
    assert "UNDERTOW" in text and "OCEAN_FOAM" in text and "Resonance" in text


def test_empty_graph_gives_an_empty_analysis():
    analysis = analyze_graph(nx.MultiDiGraph(), [], default_config(Path(".")))
    assert (analysis.similar, analysis.communities, analysis.key_terms, analysis.wanted) == ((), (), (), ())
    assert "communities: 0" in analysis_text(analysis)


def test_suggest_link_is_a_registered_info_code():
    code = CODES["suggest-link"]
    assert (code.severity, code.stage) == (Severity.INFO, "graph")


def test_louvain_is_repeatable_and_as_good_as_networkx(glossary):
    """Two runs give the same communities, and their modularity is networkx Louvain's or better."""
    from compiler.analyze.analytics import _louvain

    _, _, graph, analysis = glossary
    web = weighted_graph(graph, analysis.similar)
    first = _louvain(web, 42)
    assert first == _louvain(web, 42)
    undirected = nx.Graph()
    undirected.add_nodes_from(web.nodes)
    undirected.add_weighted_edges_from((web.nodes[a], web.nodes[b], w) for a, b, w in
                                       zip(web.source.tolist(), web.target.tolist(), web.weight.tolist()))
    theirs = nx.community.louvain_communities(undirected, weight="weight", seed=42)
    ours_q = nx.community.modularity(undirected, first, weight="weight")
    assert ours_q >= nx.community.modularity(undirected, theirs, weight="weight") - 0.02
    assert sorted(n for group in first for n in group) == sorted(web.nodes)  # a partition of every node
