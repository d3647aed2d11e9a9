"""Which pages an incremental render renders again (compiler.incremental.pages), rule by rule.

Each test renders the shipped glossary into a site, changes one input (a body, an
edge, a node's status, a check result, a label), renders again with the same page
cache, and compares the files' inodes: a page linked from the previous site keeps its
inode, a page rendered again gets a new file. Every second site must also equal a
clean render of the same glossary, byte for byte.
"""
from __future__ import annotations

import dataclasses
import datetime
import pickle
import shutil
from pathlib import Path

import pytest

from compiler.incremental import pages as reuse
from compiler.incremental.plan import remembered_plan
from compiler.incremental.render import render_site_fast
from compiler.incremental.stages import fast_analyze as analyze
from compiler.model import GraphData
from compiler.render import site as site_module
from compiler.render.plan import plan_site
from compiler.render.site import SITE_FILES, render_site
from compiler.stages import Options

from .conftest import FIXTURES
from .render_support import tree_bytes as tree

REPO = FIXTURES.parents[1]
NODE_FOLDERS = ("terms/", "modules/", "missing/")


@pytest.fixture(scope="module")
def glossary(tmp_path_factory):
    terms = tmp_path_factory.mktemp("reuse") / "terms"
    # without the idea map: text similarity is a global measure, it would blur the rules under test
    shutil.copytree(REPO / "terms", terms, ignore=shutil.ignore_patterns("glossary.toml"))
    return analyze(terms, Options())


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def rerendered(first, second, tmp_path: Path) -> tuple[set[str], set[str]]:
    """(node pages, site-wide files) of ``second``'s site that were rendered again after ``first``'s."""
    out, cache = tmp_path / "site", {}
    render_site_fast(first, out, page_cache=cache)
    before = inodes(out)
    render_site_fast(second, out, page_cache=cache)
    after = inodes(out)
    render_site(second, tmp_path / "clean")
    assert tree(out) == tree(tmp_path / "clean")
    changed = {path for path, ino in after.items() if before.get(path) != ino}
    return ({p for p in changed if p.startswith(NODE_FOLDERS) and p not in redirects(second)},
            {p for p in changed if p in SITE_FILES})


def redirects(glossary) -> set[str]:
    return {r.path for r in plan_site(glossary.terms, glossary.modules, glossary.graph_data).redirects}


def page_of(glossary, ident: str) -> str:
    return plan_site(glossary.terms, glossary.modules, glossary.graph_data).by_id[ident].path


def pages_of(glossary, idents) -> set[str]:
    return {page_of(glossary, i) for i in idents}


def graph_copy(glossary):
    """A networkx copy with the same order everywhere (``Graph.copy`` re-adds edges, which reorders
    predecessors); the glossary's own graph is never changed."""
    return pickle.loads(pickle.dumps(glossary.graph))


def with_term(glossary, ident: str, **changes):
    terms = tuple(dataclasses.replace(t, **changes) if t.id == ident else t for t in glossary.terms)
    return dataclasses.replace(glossary, terms=terms)


def test_an_unchanged_glossary_renders_nothing_again(glossary, tmp_path):
    assert rerendered(glossary, glossary, tmp_path) == (set(), set())


def test_a_body_edit_renders_its_page_alone(glossary, tmp_path):
    muon = next(t for t in glossary.terms if t.id == "MUON")
    edited = with_term(glossary, "MUON", body=muon.body + "\nA sentence added for the test.\n")
    nodes, site_wide = rerendered(glossary, edited, tmp_path)
    assert nodes == {page_of(glossary, "MUON")}
    assert site_wide == set()  # no search entry, count or link changed
    assert "A sentence added for the test." in (tmp_path / "site" / page_of(glossary, "MUON")).read_text("utf-8")


def test_a_removed_edge_renders_both_ends_again(glossary, tmp_path):
    graph = graph_copy(glossary)
    u, v = next((u, v) for u, v, d in graph.edges(data=True)
                if d.get("declared") and graph.nodes[u].get("kind") == graph.nodes[v].get("kind") == "term")
    graph.remove_edges_from([(a, b, k) for a, b, k in graph.edges(keys=True) if {a, b} == {u, v}])
    nodes, site_wide = rerendered(glossary, dataclasses.replace(glossary, graph_data=GraphData.of(graph)), tmp_path)
    assert nodes == pages_of(glossary, [u, v])
    # The graph's data and export, the wanted page (who links a missing name) and the index change;
    # the pages made from checks, findings or the plan alone are kept.
    assert {"graph-data.js", "graph.json", "wanted.html", "index.html"} <= site_wide
    assert not site_wide & {"checks.html", "problems.html", "graph.html", "404.html", "sitemap.xml",
                            "search-index.json", "search-index.js"}


def test_a_shown_fact_of_a_node_renders_its_neighbours_again(glossary, tmp_path):
    graph = graph_copy(glossary)
    node = "MUON"
    neighbours = set(graph.successors(node)) | set(graph.predecessors(node))
    assert len(neighbours) >= 3
    graph.nodes[node]["status"] = "deprecated"
    nodes, site_wide = rerendered(glossary, dataclasses.replace(glossary, graph_data=GraphData.of(graph)), tmp_path)
    assert nodes == pages_of(glossary, neighbours | {node})
    # The graph's data shows statuses; the pages made from checks, findings or the plan alone are kept.
    assert {"graph-data.js", "graph.json", "index.html"} <= site_wide
    assert not site_wide & {"checks.html", "problems.html", "graph.html", "404.html", "sitemap.xml"}


def test_a_changed_check_result_renders_its_term_and_the_checks_page_again(glossary, tmp_path):
    index, check = next((i, c) for i, c in enumerate(glossary.checks) if c.status == "pass")
    checks = list(glossary.checks)
    checks[index] = dataclasses.replace(check, status="fail", message="changed for the test")
    nodes, site_wide = rerendered(glossary, dataclasses.replace(glossary, checks=tuple(checks)), tmp_path)
    assert nodes == {page_of(glossary, check.term)}
    assert {"checks.html", "index.html"} <= site_wide
    assert not site_wide & {"problems.html", "wanted.html", "graph-data.js", "graph.json", "search-index.json"}


def test_a_changed_label_renders_its_page_its_neighbours_and_the_pages_naming_it(glossary, tmp_path):
    """A label is shown by the node's neighbours and may resolve body links: those pages, not the whole site."""
    muon = next(t for t in glossary.terms if t.id == "MUON")
    edited = with_term(glossary, "MUON", data={**muon.data, "term": "Heavy electron of the test"})
    nodes, site_wide = rerendered(glossary, edited, tmp_path)  # and the site equals a clean render
    graph = edited.graph
    neighbours = set(graph.successors("MUON")) | set(graph.predecessors("MUON"))
    everything = {p.path for p in plan_site(edited.terms, edited.modules, edited.graph_data).pages}
    assert pages_of(edited, {"MUON", *neighbours}) <= nodes < everything
    by_path = {p.path: p for p in plan_site(edited.terms, edited.modules, edited.graph_data).pages}
    for path in nodes - pages_of(edited, {"MUON", *neighbours}):  # the others name it in their text
        term = by_path[path].term
        assert term is not None and "muon" in (term.body + repr(term.data)).lower(), path
    # labels are in the plan: every file but the 404 page and the symbols JSON (term ids, no labels)
    assert site_wide == set(SITE_FILES) - {"404.html", "symbols.json"}


def test_a_page_replaced_in_out_is_rendered_again(glossary, tmp_path):
    out, cache = tmp_path / "site", {}
    render_site_fast(glossary, out, page_cache=cache)
    page = out / page_of(glossary, "MUON")
    clean = page.read_bytes()
    replacement = tmp_path / "replacement.html"
    replacement.write_bytes(b"<p>someone else's page</p>\n")
    replacement.replace(page)  # as another build or an editor would: a new file at the same path
    render_site_fast(glossary, out, page_cache=cache)
    assert page.read_bytes() == clean


def test_a_failed_render_teaches_the_cache_nothing(glossary, tmp_path, monkeypatch):
    """The cache must describe the site in OUT: after a failed build, the next one still sees the change."""
    out, cache = tmp_path / "site", {}
    render_site_fast(glossary, out, page_cache=cache)
    muon = next(t for t in glossary.terms if t.id == "MUON")
    edited = with_term(glossary, "MUON", body=muon.body + "\nAfter a failure.\n")

    def broken(*args, **kwargs):
        raise OSError("disk full (test)")

    with monkeypatch.context() as patch:
        patch.setattr(site_module.SiteWriter, "copy_assets", broken)
        _, diags = render_site_fast(edited, out, page_cache=cache)
    assert "output-failed" in {d.code for d in diags}
    assert "After a failure." not in (out / page_of(glossary, "MUON")).read_text("utf-8")
    render_site_fast(edited, out, page_cache=cache)
    assert "After a failure." in (out / page_of(glossary, "MUON")).read_text("utf-8")


def test_a_remembered_plan_is_the_plan(glossary):
    memo: dict = {}
    fresh = remembered_plan(glossary.terms, glossary.modules, glossary.graph, memo)
    replayed = remembered_plan(glossary.terms, glossary.modules, glossary.graph, memo)
    plain = plan_site(glossary.terms, glossary.modules, glossary.graph_data)
    for plan in (fresh, replayed):
        assert plan.pages == plain.pages and plan.redirects == plain.redirects
        assert plan.by_id == plain.by_id and plan.names == plain.names and plan.files == plain.files
        assert plan.diagnostics == plain.diagnostics
    assert replayed.key == fresh.key != b""
    muon = next(t for t in glossary.terms if t.id == "MUON")
    edited = with_term(glossary, "MUON", data={**muon.data, "aliases": ["a name for the test"]})
    changed = remembered_plan(edited.terms, edited.modules, edited.graph, memo)
    assert changed.key != fresh.key and changed.find("a name for the test").ident == "MUON"


@pytest.mark.parametrize("a, b", [
    (1, "1"), (1, True), (1, 1.0), (0.0, -0.0), ((1, 2), [1, 2]), ({"a": 1}, {"a": "1"}),
    (None, "None"), (datetime.date(2025, 1, 2), "2025-01-02"), ([datetime.date(2025, 1, 2)], [datetime.date(2025, 1, 3)]),
    ("x", b"x"),
])
def test_digests_tell_apart_what_a_page_shows_differently(a, b):
    assert reuse.digest(a) != reuse.digest(b)


@pytest.mark.parametrize("make", [
    lambda: {"relation": "parents", "weight": 0.5, "line": 12, "declared": True},
    lambda: [("MUON", "Muon", None), ("ΔE", "Δ energy", "ratified")],
    lambda: {"when": datetime.date(2025, 1, 2)},  # not marshal's: through repr
])
def test_equal_values_have_equal_digests(make):
    assert reuse.digest(make()) == reuse.digest(make())


def test_a_files_new_diagnostic_renders_its_page_and_the_problems_page_again(glossary, tmp_path):
    muon = next(t for t in glossary.terms if t.id == "MUON")
    extra = dataclasses.replace(glossary.diagnostics[0], file=muon.file, message="a finding made for the test")
    edited = dataclasses.replace(glossary, diagnostics=glossary.diagnostics + (extra,))
    nodes, site_wide = rerendered(glossary, edited, tmp_path)
    assert nodes == {page_of(glossary, "MUON")}
    assert "problems.html" in site_wide and not site_wide & {"checks.html", "graph-data.js", "graph.json"}


def test_a_diagnostic_of_no_file_renders_no_node_page_again(glossary, tmp_path):
    extra = dataclasses.replace(glossary.diagnostics[0], file="", message="about the whole glossary (test)")
    nodes, site_wide = rerendered(glossary, dataclasses.replace(glossary, diagnostics=glossary.diagnostics + (extra,)),
                                  tmp_path)
    assert nodes == set() and "problems.html" in site_wide


def test_a_status_edit_keeps_the_link_result_and_the_files_that_show_no_status(tmp_path):
    """Through the build cache: the graph export and the index show statuses and are written
    again; the graph data and the wanted page show none and are kept (the same file)."""
    from compiler.incremental.stages import fast_build as build

    terms = tmp_path / "terms"
    shutil.copytree(REPO / "terms", terms, ignore=shutil.ignore_patterns("glossary.toml"))  # no idea map
    options = Options(cache_dir=tmp_path / ".glossary-cache", jobs=1)
    out = tmp_path / "site"
    build(terms, out, options)
    inodes = {name: (out / name).stat().st_ino for name in SITE_FILES}
    muon = terms / "MUON.md"
    muon.write_text(muon.read_text("utf-8").replace("status: ratified", "status: draft", 1), "utf-8")
    glossary, _ = build(terms, out, options)
    kept = {name for name in SITE_FILES if (out / name).stat().st_ino == inodes[name]}
    assert {"graph-data.js", "wanted.html", "checks.html", "404.html", "sitemap.xml"} <= kept
    assert not kept & {"graph.json", "index.html", "search-index.json"}
    assert glossary.graph.nodes["MUON"]["status"] == "draft"
    build(terms, tmp_path / "clean", Options(jobs=1))
    assert tree(out) == tree(tmp_path / "clean")
