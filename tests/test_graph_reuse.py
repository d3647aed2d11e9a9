"""A rebuild that reuses the last link result renders from the graph's data, without networkx.

- a rebuild with a cache after a prose edit imports neither networkx nor numpy, and its site
  is a clean build's; so is a first build's and a header edit's (which link again, and so
  build the networkx graph);
- the idea map (``[analytics] similarity = true``) still runs on a reused link result;
- without the idea map, random edits build with the cache as a clean build does;
- the Python API (``load_glossary``, ``link``) gives networkx graphs.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings

import compiler.incremental.linkreuse as linkreuse
from compiler.incremental.stages import fast_analyze as analyze
from compiler.incremental.stages import fast_build as build
from compiler.model import GraphData
from compiler.stages import Options

from .render_support import tree_bytes as tree
from .test_incremental import apply, assert_each_step_builds_clean, ops, seeded
from .test_link_reuse import MODULES, TERMS, write


def deep(value: Any) -> Any:
    """``value`` with every mapping as a list of (key, value) pairs: equality then checks order too."""
    if hasattr(value, "items") and hasattr(value, "keys"):  # dicts and networkx's views of them
        return [(k, deep(v)) for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return type(value)(deep(v) for v in value)
    return value


def _state(g: nx.MultiDiGraph) -> tuple:
    return (dict(g.graph), dict(g.nodes(data=True)), {n: g.succ[n] for n in g}, {n: g.pred[n] for n in g},
            list(g.edges(keys=True, data=True)))


BUILD = (
    "import sys; from pathlib import Path; from compiler.stages import Options; "
    "from compiler.incremental.stages import fast_build as build; "
    "r = Path({root!r}); "
    "build(r / 'terms', r / 'site', Options(module_dirs=(r / 'modules',), cache_dir=r / '.cache', jobs={jobs})); "
    "print(sorted(m for m in ('networkx', 'numpy') if m in sys.modules))"
)


def _build_apart(root: Path, jobs: int = 1) -> str:
    """Build ``root`` with its cache in a fresh interpreter: which of networkx and numpy it imported."""
    done = subprocess.run(
        [sys.executable, "-c", BUILD.format(root=str(root), jobs=jobs)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _clean(root: Path, out: Path) -> None:
    build(root / "terms", out, Options(module_dirs=(root / "modules",)))


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_prose_edit_rebuild_imports_no_networkx_and_builds_clean(tmp_path, jobs):
    write(tmp_path / "terms", TERMS)
    write(tmp_path / "modules", MODULES)
    linked = "['networkx', 'numpy']"  # linking builds the networkx graph the integrity checks read
    steps = [
        (lambda: None, linked),  # the first build links
        (lambda: _replace(tmp_path / "terms" / "A.md", "Body.", "Body, [[Beta]] edited."), "[]"),
        (lambda: _replace(tmp_path / "terms" / "C.md", "Body.", "Other *words*."), "[]"),
        (lambda: _replace(tmp_path / "terms" / "B.md", "term: Beta", "term: Betamax"), linked),
        (lambda: _replace(tmp_path / "terms" / "B.md", "Body.", "B's body."), "[]"),
        (lambda: (tmp_path / "terms" / "D.md").unlink(), linked),
    ]
    for i, (edit, imported) in enumerate(steps):
        edit()
        assert _build_apart(tmp_path, jobs) == imported, i
        _clean(tmp_path, tmp_path / f"clean{i}")
        assert tree(tmp_path / "site") == tree(tmp_path / f"clean{i}"), i


def test_the_idea_map_runs_on_a_reused_link_result(tmp_path):
    write(tmp_path / "terms", TERMS, body="Electrons spin in a magnetic field; the anomaly measures it.")
    write(tmp_path / "modules", MODULES)
    (tmp_path / "terms" / "glossary.toml").write_text("[analytics]\nsimilarity = true\n", "utf-8")
    options = Options(module_dirs=(tmp_path / "modules",), cache_dir=tmp_path / ".cache", checks=False)
    analyze(tmp_path / "terms", options)
    _replace(tmp_path / "terms" / "A.md", "Electrons spin", "Muons spin")
    spy = []
    real = linkreuse.decode_result

    def decode(value):
        spy.append(real(value))
        return spy[-1]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(linkreuse, "decode_result", decode)
        cached = analyze(tmp_path / "terms", options)
    clean = analyze(tmp_path / "terms", Options(module_dirs=(tmp_path / "modules",), checks=False))
    assert spy and isinstance(spy[-1][0], GraphData)  # the link result was reused
    assert isinstance(cached.graph, nx.MultiDiGraph) and cached.graph.graph.get("communities")
    assert any(k == "similar" for *_, k in cached.graph.edges(keys=True))
    assert deep(_state(cached.graph)) == deep(_state(clean.graph))
    assert [d for d in cached.diagnostics if d.code != "cache-invalid"] == list(clean.diagnostics)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops)
def test_incremental_equals_full_build_without_the_idea_map(tmp_path_factory, steps):
    """test_incremental's property test without the idea map: every reused link result renders
    the site from the stored graph data."""
    root = tmp_path_factory.mktemp("reuse-inc")
    terms = seeded(root)
    (terms / "glossary.toml").write_text('title = "Reuse"\n', "utf-8")
    assert_each_step_builds_clean(root, terms, steps, apply)


def test_the_python_api_gives_networkx_graphs(tmp_path):
    """``load_glossary`` and ``link`` give networkx graphs; the graph is the one its data makes."""
    import compiler
    from compiler.config import default_config
    from compiler.link import link
    from compiler.load.terms import load_terms

    write(tmp_path / "terms", TERMS)
    write(tmp_path / "modules", MODULES)
    glossary = compiler.load_glossary(tmp_path / "terms", modules=[tmp_path / "modules"])
    assert isinstance(glossary.graph, nx.MultiDiGraph) and glossary.graph.has_edge("A", "B")
    terms = load_terms(tmp_path / "terms").terms
    linked = link(terms, [], default_config(tmp_path / "terms"))
    assert isinstance(linked.graph, nx.MultiDiGraph)
    assert deep(_state(linked.graph)) == deep(_state(linked.data.graph))
