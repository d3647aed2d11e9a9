"""The idea map on the site: only when the glossary turns it on ([analytics] similarity)."""
from __future__ import annotations

import json
import shutil

from compiler.build import Options, build

from .conftest import FIXTURES

REPO = FIXTURES.parents[1]


def test_shipped_glossary_shows_key_terms_related_terms_and_communities(tmp_path):
    out = tmp_path / "site"
    glossary, _ = build(REPO / "terms", out, Options(checks=False))
    index = (out / "index.html").read_text("utf-8")
    assert "Key terms" in index
    assert "Related by text" in (out / "terms" / "MUON.html").read_text("utf-8")
    data = json.loads((out / "graph-data.js").read_text("utf-8").split("=", 1)[1].rstrip().rstrip(";"))
    assert all(len(n) == 8 for n in data["nodes"]) and len({n[7] for n in data["nodes"]}) >= 2  # communities colour it
    assert data["communities"] and all(label and count > 0 for label, count in data["communities"])
    assert "communities of the idea map" in (out / "graph.html").read_text("utf-8")
    assert any(e for _u, _v, e in glossary.graph.edges(data="relation") if e == "similar")


def test_a_glossary_without_the_setting_does_not_pay_for_it(tmp_path):
    terms = tmp_path / "terms"
    shutil.copytree(REPO / "terms", terms, ignore=shutil.ignore_patterns("glossary.toml"))
    out = tmp_path / "site"
    glossary, _ = build(terms, out, Options(checks=False))
    assert "Key terms" not in (out / "index.html").read_text("utf-8")
    data = json.loads((out / "graph-data.js").read_text("utf-8").split("=", 1)[1].rstrip().rstrip(";"))
    assert data["communities"] == [] and {n[7] for n in data["nodes"]} == {-1}  # coloured by kind
    assert 'id="graph-colour"' not in (out / "graph.html").read_text("utf-8")
    assert not any(rel == "similar" for _u, _v, rel in glossary.graph.edges(data="relation"))
