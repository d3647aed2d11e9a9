"""The site built by the real pipeline (compiler.build.build): seed, shipped terms, corpus."""
from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from compiler.build import Options, build
from tests.render_support import broken_links, parse_html, tree_bytes

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
REPO = Path(__file__).resolve().parents[1]

HOSTILE = """---
term: "Evil <script>document.documentElement.dataset.pwned=1</script>"
canonical_id: EVIL_TERM
symbol: '\\text{<script>alert(1)</script>}'
aliases: ["<img src=x onerror=alert(1)>", "javascript:alert(1)"]
status: "<b>draft</b>"
version: 0.10
last_updated: "<script>alert(1)</script>"
parents: ["<script>alert(1)</script>", "javascript:alert(1)"]
pirouette_definition: "[x](javascript:alert(1)) <iframe src=//evil></iframe> $\\\\href{javascript:alert(1)}{x}$"
formal_mappings:
  candidates:
    - target: "<svg onload=alert(1)>"
      equation_hint: '\\text{<script>alert(1)</script>} = 1'
crosslinks:
  near_synonyms: ["<script>alert(1)</script>"]
---
# <script>alert(1)</script>

<div onclick="alert(1)">raw html</div> [y](data:text/html,<script>alert(1)</script>)
"""


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object, object]:
    seed = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "002_bb7a689cd30fbec5.txt"
    if not seed.is_file():
        pytest.skip("../shared/seeds is not present")
    base = tmp_path_factory.mktemp("pipeline")
    terms = base / "terms"
    terms.mkdir()
    (terms / "LEPTONIC_ANOMALY.md").write_bytes(seed.read_bytes())
    (terms / "EVIL_TERM.md").write_text(HOSTILE, encoding="utf-8")
    glossary, stats = build(terms, base / "site")
    return base / "site", glossary, stats


def test_seed_builds_with_its_check(seed_build: tuple[Path, object, object]) -> None:
    site, glossary, stats = seed_build
    assert not [d for d in glossary.diagnostics if d.code in ("page-failed", "output-refused", "output-failed")]
    html = (site / "terms" / "LEPTONIC_ANOMALY.html").read_text(encoding="utf-8")
    assert html.count("<math") >= 3  # symbol, symbol table, equation hint
    card = html[html.index('<div class="check'):]
    assert 'class="badge status-' in card and "Computed" in card and "Dataset edition" in card
    assert "DYNA-%CE%93-001.html" in html
    data = json.loads((site / "graph.json").read_text(encoding="utf-8"))
    assert all((site / n["url"]).is_file() for n in data["nodes"])
    assert broken_links(site) == []


def test_hostile_file_through_the_loader_is_escaped(seed_build: tuple[Path, object, object]) -> None:
    site, glossary, _ = seed_build
    page = site / "terms" / "EVIL_TERM.html"
    text = page.read_text(encoding="utf-8")
    assert '<dd class="version">0.10</dd>' in text
    for p in site.rglob("*.html"):
        c = parse_html(p)
        for tag, attrs in c.tags:
            assert tag not in ("iframe", "img", "svg") or (tag == "svg" and attrs.get("class") == "local-graph"), p
            assert tag != "script" or (attrs.get("src") or "").endswith(".js"), p
            assert not any(k.startswith("on") for k in attrs), (p, tag, attrs)
            for k in ("href", "src"):
                assert not (attrs.get(k) or "").lower().startswith(("javascript:", "data:")), (p, attrs)


def test_shipped_terms_build_without_broken_links(tmp_path: Path) -> None:
    terms = REPO / "terms"
    if not any(terms.glob("*.md")):
        pytest.skip("no shipped terms")
    glossary, stats = build(terms, tmp_path / "site")
    assert stats.terms == len(glossary.terms) > 0
    assert broken_links(tmp_path / "site") == []


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object, object]:
    if not (CORPUS / "dictionary").is_dir():
        pytest.skip("../shared/corpus is not present")
    out = tmp_path_factory.mktemp("corpus") / "site"
    glossary, stats = build(CORPUS / "dictionary", out, Options(module_dirs=(CORPUS / "modules",)))
    return out, glossary, stats


def test_corpus_builds_a_page_for_every_term_module_and_missing_node(corpus_build: tuple[Path, object, object]) -> None:
    site, glossary, stats = corpus_build
    assert not [d for d in glossary.diagnostics if d.code in ("page-failed", "output-refused", "output-failed")]
    kinds = {"term": 0, "module": 0, "missing": 0}
    for _, attrs in glossary.graph.nodes(data=True):
        kinds[attrs["kind"]] += 1
    assert stats.terms == len(glossary.terms) and stats.modules == kinds["module"] and stats.missing == kinds["missing"]
    assert len(list((site / "terms").glob("*.html"))) == stats.terms + stats.redirects
    assert len(list((site / "modules").glob("*.html"))) == stats.modules
    assert len(list((site / "missing").glob("*.html"))) == stats.missing
    files = {t.file for t in glossary.terms}
    shown = set()
    for page in (site / "terms").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        if "Source: <code>" in text:
            shown.add(html.unescape(text.split("Source: <code>", 1)[1].split("</code>", 1)[0]))
    assert shown == files


def test_corpus_site_has_no_broken_link(corpus_build: tuple[Path, object, object]) -> None:
    assert broken_links(corpus_build[0]) == []


def test_corpus_rebuild_is_byte_identical(corpus_build: tuple[Path, object, object], tmp_path: Path) -> None:
    build(CORPUS / "dictionary", tmp_path / "again", Options(module_dirs=(CORPUS / "modules",)))
    assert tree_bytes(tmp_path / "again") == tree_bytes(corpus_build[0])
