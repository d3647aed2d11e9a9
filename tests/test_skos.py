"""The SKOS export meets SKOS's integrity conditions, read back with rdflib.

Checked on the export as a SKOS reader sees it (triples, not our JSON): no cycle in the
``skos:broader`` hierarchy (``skos:narrower`` read as its inverse), no ``skos:related``
between concepts a ``broader`` chain joins (S27), one ``skos:prefLabel`` per concept and
language (S14), never also an ``altLabel`` (S13). On a fixture with a cycle and on the corpus.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from rdflib.namespace import SKOS

from compiler.cli.main import main
from compiler.export.skos import iri

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's own JSON-LD parser

TERMS = {  # id -> (parents, near synonyms, antonyms)
    "A": (["B"], [], []),
    "B": (["C"], [], []),
    "C": (["A"], [], []),          # A -> B -> C -> A: a cycle
    "D": (["A"], ["A"], []),       # a synonym of its own parent (S27, directly)
    "E": (["D"], [], ["C"]),       # an antonym of a concept two levels up (S27, through the chain)
    "F": ([], ["A"], ["G"]),       # related and nothing else: skos:related stays
    "G": ([], [], ["F"]),
    "H": (["H"], [], []),          # its own parent: a `link-self` finding, no edge at all
}


def _write(folder: Path) -> Path:
    folder.mkdir()
    for ident, (parents, synonyms, antonyms) in TERMS.items():
        lines = ["---", f"canonical_id: {ident}", f"term: Term {ident}", "status: draft",
                 f"aliases: [Term {ident}, Alias {ident}]"]  # the label among the aliases: never an altLabel
        if parents:
            lines.append(f"parents: [{', '.join(parents)}]")
        if synonyms or antonyms:
            lines += ["crosslinks:", f"  near_synonyms: [{', '.join(synonyms)}]", f"  antonyms: [{', '.join(antonyms)}]"]
        (folder / f"{ident}.md").write_text("\n".join(lines + ["---", "Text.", ""]), encoding="utf-8")
    return folder


def _export(capsys, tmp_path: Path, *args: str) -> tuple[rdflib.Graph, str]:
    target = tmp_path / "skos.jsonld"
    assert main(["graph", *args, "--export", "skos", "-o", str(target)]) == 0
    err = capsys.readouterr().err
    return rdflib.Graph().parse(data=target.read_text(encoding="utf-8"), format="json-ld"), err


def _hierarchy(rdf: rdflib.Graph) -> nx.DiGraph:
    """child -> parent, as SKOS reads broader and narrower."""
    tree = nx.DiGraph()
    for child, _, parent in rdf.triples((None, SKOS.broader, None)):
        tree.add_edge(child, parent)
    for parent, _, child in rdf.triples((None, SKOS.narrower, None)):
        tree.add_edge(child, parent)
    return tree


def assert_skos_integrity(rdf: rdflib.Graph) -> tuple[nx.DiGraph, int]:
    tree = _hierarchy(rdf)
    assert nx.is_directed_acyclic_graph(tree), nx.find_cycle(tree)
    related = 0
    for a, _, b in rdf.triples((None, SKOS.related, None)):
        related += 1
        joined = a == b or (a in tree and b in nx.descendants(tree, a)) or (b in tree and a in nx.descendants(tree, b))
        assert not joined, (a, b)  # S27: related is disjoint with broaderTransitive
    labels = Counter((s, o.language) for s, _, o in rdf.triples((None, SKOS.prefLabel, None)))
    assert labels and max(labels.values()) == 1  # S14
    for s, _, o in rdf.triples((None, SKOS.altLabel, None)):
        assert (s, SKOS.prefLabel, o) not in rdf  # S13
    return tree, related


def test_a_cycle_is_broken_and_named_and_related_never_crosses_a_hierarchy(tmp_path, capsys):
    rdf, err = _export(capsys, tmp_path, str(_write(tmp_path / "terms")))
    tree, related = assert_skos_integrity(rdf)
    node = {k: rdflib.URIRef(iri("urn:glossary:", k)) for k in TERMS}
    assert {(a, b) for a, b in tree.edges} == {(node["A"], node["B"]), (node["B"], node["C"]), (node["D"], node["A"]),
                                               (node["E"], node["D"])}  # C -> A left out
    gl = rdflib.Namespace("https://compile-glossary.dev/vocab#")
    assert (node["C"], gl.broader, node["A"]) in rdf and (node["A"], gl.narrower, node["C"]) in rdf  # kept, in gl:
    assert (node["D"], gl.synonym, node["A"]) in rdf and (node["E"], gl.antonym, node["C"]) in rdf
    assert {(a, b) for a, _, b in rdf.triples((None, SKOS.related, None))} == {
        (node["F"], node["A"]), (node["A"], node["F"]), (node["F"], node["G"]), (node["G"], node["F"])}
    assert related == 4
    cycles = [line for line in err.splitlines() if "[export-skos-cycle]" in line]
    assert len(cycles) == 1 and "A -> B -> C -> A" in cycles[0] and cycles[0].startswith("C.md:")
    # D-A, A-D, E-C and C-E: out of skos:related, each still under its gl: property
    assert any("[export-skos-related]" in line and line.split("] ")[1].startswith("4 ") for line in err.splitlines())


def test_the_corpus_export_meets_the_skos_conditions(corpus_dir, modules_dir, tmp_path, capsys):
    rdf, err = _export(capsys, tmp_path, str(corpus_dir), "--modules", str(modules_dir))
    tree, related = assert_skos_integrity(rdf)
    assert tree.number_of_edges() > 100 and related > 100
    broken = [line for line in err.splitlines() if "[export-skos-cycle]" in line]
    assert broken  # the corpus has a hierarchy cycle (`hierarchy-cycle`): named as broken
    main(["validate", str(corpus_dir), "--modules", str(modules_dir), "--format", "json"])
    cycles = [d for d in json.loads(capsys.readouterr().out)["diagnostics"] if d["code"] == "hierarchy-cycle"]
    assert len(broken) >= len(cycles) > 0
