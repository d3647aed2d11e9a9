"""Exports: node-link JSON and GraphML load back in networkx; SKOS JSON-LD parses in rdflib."""
from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from rdflib.namespace import RDF, SKOS

from compiler.codes import make
from compiler.config import default_config
from compiler.export.writers import iri, node_link_data, skos_json, summary_text, write_graphml
from compiler.link import link
from compiler.load.modules import load_modules
from compiler.load.terms import load_terms
from compiler.model import GraphData

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's own JSON-LD parser

TERMS = {
    "WAVE.md": "term: Wave\ncanonical_id: WAVE\naliases: [Ripple]\ndefinition: A travelling disturbance.\n"
               "parents: [PHENOMENON, M-1]\nchildren: [STANDING_WAVE]\n"
               "crosslinks:\n  near_synonyms: [OSCILLATION]\n  antonyms: [STILLNESS]\n"
               "poetic_connections:\n  association_matrix:\n    - [OSCILLATION, 0.8]",
    "OSCILLATION.md": "term: Oscillation\ncanonical_id: OSCILLATION\ncrosslinks:\n  near_synonyms: [WAVE]",
    "STANDING_WAVE.md": "term: Standing wave\ncanonical_id: STANDING_WAVE\nparents: [WAVE]\nstatus: draft",
}


@pytest.fixture
def small(tmp_path: Path):
    terms = tmp_path / "terms"
    terms.mkdir()
    for name, header in TERMS.items():
        (terms / name).write_text(f"---\n{header}\n---\nBody.\n", encoding="utf-8")
    (tmp_path / "mods").mkdir()
    (tmp_path / "mods" / "m1.md").write_text("---\nid: M-1\ntitle: Module one\n---\n", encoding="utf-8")
    modules, _ = load_modules([tmp_path / "mods"])
    loaded = load_terms(terms)
    return loaded.terms, link(loaded.terms, modules, replace(default_config(terms), title="Waves"))


def counts(graph: nx.MultiDiGraph, relation: str) -> int:
    return sum(1 for *_, k in graph.edges(keys=True) if k == relation)


def test_node_link_json_round_trips(small) -> None:
    _, result = small
    data = json.loads(json.dumps(node_link_data(result.data)))
    assert set(data) == {"directed", "multigraph", "graph", "nodes", "edges"} and data["graph"]["title"] == "Waves"
    wave = next(n for n in data["nodes"] if n["id"] == "WAVE")
    assert {"id", "kind", "label", "url", "status", "file"} <= set(wave) and wave["aliases"] == ["Ripple"]
    edge = next(e for e in data["edges"] if (e["source"], e["target"], e["relation"]) == ("WAVE", "OSCILLATION", "associated"))
    assert (edge["declared"], edge["inferred"], edge["weight"], edge["file"]) == (True, False, 0.8, "WAVE.md")
    back = nx.node_link_graph(data, edges="edges")
    assert isinstance(back, nx.MultiDiGraph)
    assert sorted(back.nodes(data="kind")) == sorted(result.graph.nodes(data="kind"))
    assert sorted(back.edges(keys=True)) == sorted(result.graph.edges(keys=True))


def test_graphml_loads_back(small, tmp_path: Path) -> None:
    _, result = small
    target = tmp_path / "g.graphml"
    write_graphml(result.graph, target)
    back = nx.read_graphml(target, force_multigraph=True)
    assert set(back.nodes) == set(result.graph.nodes)
    assert back.number_of_edges() == result.graph.number_of_edges()
    assert back.nodes["WAVE"]["kind"] == "term" and back.nodes["WAVE"]["aliases"] == "Ripple"
    assert back.nodes["M-1"]["label"] == "Module one" and "status" not in back.nodes["PHENOMENON"]
    relations = sorted(d["relation"] for *_, d in back.edges(data=True))
    assert relations == sorted(d["relation"] for *_, d in result.graph.edges(data=True))
    assert {d["declared"] for *_, d in back.edges(data=True)} == {True, False}


def parse_skos(graph: nx.MultiDiGraph, terms) -> rdflib.Graph:
    return rdflib.Graph().parse(data=skos_json(graph, terms), format="json-ld")


def test_skos_parses_and_round_trips_broader_and_narrower(small) -> None:
    terms, result = small
    rdf = parse_skos(result.graph, terms)
    assert len(list(rdf.triples((None, SKOS.broader, None)))) == counts(result.graph, "broader") == 3
    assert len(list(rdf.triples((None, SKOS.narrower, None)))) == counts(result.graph, "narrower") == 2
    wave = rdflib.URIRef(iri("urn:glossary:", "WAVE"))
    assert (wave, RDF.type, SKOS.Concept) in rdf
    assert str(rdf.value(wave, SKOS.prefLabel)) == "Wave"
    assert str(rdf.value(wave, SKOS.altLabel)) == "Ripple"
    assert str(rdf.value(wave, SKOS.definition)) == "A travelling disturbance."
    related = {str(o) for o in rdf.objects(wave, SKOS.related)}
    assert related == {iri("urn:glossary:", "OSCILLATION"), iri("urn:glossary:", "STILLNESS")}
    schemes = list(rdf.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(schemes) == 1 and str(rdf.value(schemes[0], SKOS.prefLabel)) == "Waves"


def test_skos_on_the_corpus_round_trips(tmp_path: Path) -> None:
    if not (CORPUS / "dictionary").is_dir():
        pytest.skip("the shared corpus is not available")
    loaded = load_terms(CORPUS / "dictionary")
    modules, _ = load_modules([CORPUS / "modules"])
    result = link(loaded.terms, modules, default_config(CORPUS / "dictionary"))
    rdf = parse_skos(result.graph, loaded.terms)
    gl = rdflib.Namespace("https://compile-glossary.dev/vocab#")
    for relation, prop in (("broader", SKOS.broader), ("narrower", SKOS.narrower)):
        # a link that closes a hierarchy cycle goes out under gl: only (tests/test_skos.py)
        exported = len(list(rdf.triples((None, prop, None)))) + len(list(rdf.triples((None, gl[relation], None))))
        assert exported == counts(result.graph, relation) > 100
    assert len(set(rdf.subjects(RDF.type, SKOS.Concept))) == result.graph.number_of_nodes()
    buffer = io.BytesIO()
    write_graphml(result.graph, buffer)
    buffer.seek(0)
    back = nx.read_graphml(buffer, force_multigraph=True)
    assert (back.number_of_nodes(), back.number_of_edges()) == (result.graph.number_of_nodes(),
                                                                 result.graph.number_of_edges())


def test_summary_lists_kinds_relations_components_and_findings(small) -> None:
    _, result = small
    extra = make("term-orphan", "X.md", 1, 1, "m")
    text = summary_text(result.graph, [*result.diagnostics, extra, replace(extra, waived="ok")])
    assert "nodes: 6 (2 missing, 1 module, 3 term)" in text
    lines = text.splitlines()
    broader = next(line for line in lines if line.strip().startswith("broader"))
    # WAVE→PHENOMENON, WAVE→M-1, STANDING_WAVE→WAVE: all declared (WAVE's `children` is the same fact)
    assert broader.split() == ["broader", "3", "0"]
    narrower = next(line for line in lines if line.strip().startswith("narrower"))
    assert narrower.split() == ["narrower", "1", "1"]  # M-1→WAVE inferred; none from PHENOMENON (missing)
    assert "components (terms and modules): 1, largest 4 nodes" in text
    assert any(line.split()[:3] == ["term-orphan", "warning", "1"] for line in lines)
    assert any(line.split() == ["term-orphan", "waived", "1"] for line in lines)


def _reference_node_link(graph) -> dict:
    """What node_link_data gave through networkx's views, before it read the dicts itself."""
    from compiler.export.writers import _edge, _plain

    nodes = [{"id": n, **{k: _plain(v) for k, v in a.items()}} for n, a in graph.nodes(data=True)]
    edges = [{"source": u, "target": v, "key": key, **{k: _plain(a) for k, a in _edge(attrs).items()}}
             for u, v, key, attrs in graph.edges(keys=True, data=True)]
    return {"directed": True, "multigraph": True, "graph": _plain(dict(graph.graph)), "nodes": nodes, "edges": edges}


def test_node_link_data_keeps_networkx_order_and_values(small) -> None:
    """Parallel edges, a loop, inferred edges and attribute values that are not plain JSON."""
    graph = small[1].graph.copy()
    first = next(iter(graph.nodes))
    graph.add_edge(first, first, key="related", relation="related", declared=True, weight=(1, 2))
    graph.add_edge(first, "Z_NEW", key="broader", relation="broader", declared=False, file=Path("a/b.md"))
    graph.add_edge(first, "Z_NEW", key="synonym", relation="synonym", declared=True, tags={"b", "a"})
    graph.nodes["Z_NEW"].update(kind="missing", aliases=("x", "y"), extra={"k": (1,)})
    expected = _reference_node_link(graph)
    assert node_link_data(GraphData.of(graph)) == expected
    assert json.dumps(node_link_data(GraphData.of(graph)), ensure_ascii=False, indent=1) == json.dumps(
        expected, ensure_ascii=False, indent=1)


def test_node_link_data_of_the_link_result_is_networkx_s(small) -> None:
    """The site's graph.json comes from the graph's data; networkx's graph made from it gives the same export."""
    result = small[1]
    assert json.dumps(node_link_data(result.data)) == json.dumps(_reference_node_link(result.graph))


# --- characters XML 1.0 forbids, and the budget of bytes per export (issue 21) ----------------

HOSTILE_TEXT = {  # each label holds characters XML 1.0 cannot hold, written as YAML escapes
    "CTL.md": 'term: "Ctl\\x01 \\x1b[2J \\x7f"\ncanonical_id: CTL\ndefinition: "bell \\a and \\x0b"\nparents: [SUR]',
    "SUR.md": 'term: "Sur \\ud800 \\uFFFE \\uFFFF"\ncanonical_id: SUR\ncrosslinks:\n  near_synonyms: [CTL]',
}


@pytest.fixture
def hostile_text(tmp_path: Path) -> Path:
    terms = tmp_path / "terms"
    terms.mkdir()
    for name, header in HOSTILE_TEXT.items():
        (terms / name).write_text(f"---\n{header}\n---\nBody.\n", encoding="utf-8")
    return terms


def _well_formed(data: bytes) -> None:
    """Expat, a conforming XML 1.0 parser, refuses every forbidden character (lxml is not a dependency)."""
    import xml.sax

    xml.sax.parseString(data, xml.sax.ContentHandler())


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_xml_exports_are_well_formed_and_say_what_they_replaced(hostile_text: Path, tmp_path: Path, fmt: str,
                                                                 capsys) -> None:
    from compiler.cli.main import main

    target = tmp_path / f"g.{fmt}"
    assert main(["graph", str(hostile_text), "--export", fmt, "-o", str(target)]) == 0
    data = target.read_bytes()
    _well_formed(data)
    err = capsys.readouterr().err
    assert "warning[export-xml-char]" in err and "character(s) XML 1.0 cannot hold" in err
    assert "Ctl\ufffd \ufffd[2J" in data.decode("utf-8")  # \x01 and ESC replaced, DEL (allowed) kept
    if fmt == "graphml":
        labels = nx.read_graphml(io.BytesIO(data)).nodes(data="label")
        assert dict(labels)["SUR"] == "Sur \ufffd \ufffd \ufffd"  # replaced at load (text-invalid-char)


def test_the_gexf_stream_replaces_forbidden_bytes_without_splitting_characters() -> None:
    from compiler.export.limits import Sink

    got: list[bytes] = []
    sink = Sink(got.append, xml=True)
    sink.write("a\x01b\x1fc\ufffe\uffffΓ\ud800\t\n\r".encode("utf-8", "surrogatepass"))
    assert b"".join(got).decode("utf-8") == "a\ufffdb\ufffdc\ufffd\ufffdΓ\ufffd\t\n\r" and sink.replaced == 5


@pytest.mark.parametrize("fmt", ["json", "skos", "graphml", "gexf"])
def test_an_export_past_its_budget_is_a_located_error(hostile_text: Path, tmp_path: Path, fmt: str, monkeypatch,
                                                     capsys) -> None:
    from compiler.cli.main import main
    from compiler.export import limits

    monkeypatch.setattr(limits, "MAX_EXPORT_BYTES", 600)
    target = tmp_path / f"out.{fmt}"
    assert main(["graph", str(hostile_text), "--export", fmt, "-o", str(target)]) == 1
    assert f"{target}: error[export-too-large]" in capsys.readouterr().err
    assert not target.exists()
