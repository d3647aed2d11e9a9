"""The heavy site-wide files made by forked workers (compiler.incremental.render_workers): same bytes, and the
graph layout a worker computes comes back to the build's memo so the next build reuses it."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from compiler.incremental import render_workers as tasks
from compiler.incremental.stages import fast_analyze as analyze
from compiler.incremental.stages import fast_build as build
from compiler.render import forcelayout
from compiler.render import site as S
from compiler.render.plan import plan_site
from compiler.stages import Options

from .conftest import FIXTURES
from .render_support import tree_bytes as tree

REPO = FIXTURES.parents[1]
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked processes")


@pytest.mark.parametrize("made, pages, jobs, expected", [
    (list(S.SITE_FILES), 5000, 1, []),  # no worker
    (list(S.SITE_FILES), tasks.HEAVY_MIN_PAGES - 1, 2, []),  # too small to pay for a worker
    (list(S.SITE_FILES), 5000, 2, ["graph-data.js", "graph.json"]),  # two per worker, heaviest first
    (list(S.SITE_FILES), 5000, 3, ["graph-data.js", "graph.json", "problems.html", "wanted.html"]),
    (list(S.SITE_FILES), 5000, 8, list(tasks.HEAVY_FILES)),
    (["wanted.html", "index.html", "graph.json"], 5000, 2, ["graph.json", "wanted.html"]),  # only those made
    (["index.html", "sitemap.xml"], 5000, 4, []),
])
def test_heavy_share(made, pages, jobs, expected):
    assert tasks.heavy_share(made, pages, jobs) == expected


def _glossary(tmp_path: Path):
    terms = tmp_path / "terms"
    shutil.copytree(REPO / "terms", terms)
    g = S.ensure_nodes(analyze(terms, Options()))
    return g, plan_site(g.terms, g.modules, g.graph_data)


@needs_fork
def test_a_worker_makes_the_heavy_files_with_the_same_bytes_and_sends_the_layout_back(tmp_path, monkeypatch):
    g, plan = _glossary(tmp_path)
    names = ["graph-data.js", "graph.json"]
    expected = S.SiteRenderer(g, plan, {}).site_files(names)  # made here, in one go
    fresh = {}
    S.SiteRenderer(g, plan, fresh).site_files(["graph-data.js"])
    assert "layout" in fresh

    pids = tmp_path / "pids"
    make = tasks._make_files

    def recorded(*args):
        with open(pids, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()} {' '.join(str(a) for a in args[2:])}\n")
        return make(*args)

    monkeypatch.setattr(tasks, "_make_files", recorded)
    here = os.getpid()

    def wait_for_the_worker() -> None:  # so that the worker, not this process, takes the first task
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if pids.exists() and any(int(line.split()[0]) != here for line in pids.read_text().splitlines()):
                return
            time.sleep(0.01)
        pytest.fail("no worker took a task")

    out = tmp_path / "out"
    out.mkdir()
    memo: dict = {}
    renderer = S.SiteRenderer(g, plan, memo)
    results, sizes = tasks.render_pages(renderer, [], out, 2, wait_for_the_worker, names)
    assert results == []
    lines = [line.split() for line in pids.read_text().splitlines()]
    assert lines[0] == [lines[0][0], "graph-data.js"] and int(lines[0][0]) != here
    for name in names:
        assert (out / name).read_text("utf-8") == expected[name]
        assert sizes[name] == (out / name).stat().st_size
    assert memo["layout-key"] == fresh["layout-key"] and memo["layout"] == fresh["layout"]


def _status_edit(folder: Path) -> None:
    target = next(p for p in sorted(folder.glob("*.md")) if "status: ratified" in p.read_text("utf-8"))
    target.write_text(target.read_text("utf-8").replace("status: ratified", "status: candidate", 1), "utf-8")


def _new_link(folder: Path) -> None:
    target = sorted(folder.glob("*.md"))[3]
    (folder / "SPREAD_TEST.md").write_text(
        f"---\nterm: Spread test\ncanonical_id: SPREAD_TEST\nstatus: draft\ncrosslinks:\n"
        f"  prerequisites: [{target.stem}, NOWHERE_YET]\n---\n\n# Spread test\n\nA new term.\n", "utf-8")


@needs_fork
def test_rebuilds_with_the_heavy_files_in_workers_equal_clean_builds(tmp_path, monkeypatch):
    """With the heavy files spread at any size, builds with 1, 2 and 3 jobs write the same site,
    and each rebuild after an edit equals a clean one-process build; an edit that changes no
    link never computes the layout again, whichever process computed it before."""
    monkeypatch.setattr(tasks, "HEAVY_MIN_PAGES", 0)
    layouts = tmp_path / "layouts"
    force = forcelayout.layout_positions

    def counted(*args, **kwargs):
        with open(layouts, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\n")
        return force(*args, **kwargs)

    monkeypatch.setattr(forcelayout, "layout_positions", counted)
    terms = tmp_path / "terms"
    shutil.copytree(REPO / "terms", terms)
    sites = []
    for jobs in (1, 2, 3):
        _, stats = build(terms, tmp_path / f"site{jobs}", Options(jobs=jobs))
        sites.append((tree(tmp_path / f"site{jobs}"), stats))  # the files and bytes counted too
    assert sites[0] == sites[1] == sites[2]

    cache, inc = tmp_path / ".glossary-cache", tmp_path / "inc"
    build(terms, inc, Options(jobs=2, cache_dir=cache))
    for step, edit in enumerate((_status_edit, _new_link, _status_edit)):
        edit(terms)
        layouts.unlink(missing_ok=True)
        build(terms, inc, Options(jobs=2, cache_dir=cache))
        relaid = layouts.exists()
        build(terms, tmp_path / f"clean{step}", Options(jobs=1))
        assert tree(inc) == tree(tmp_path / f"clean{step}"), edit.__name__
        assert relaid == (edit is _new_link), edit.__name__  # a status edit reuses the layout
