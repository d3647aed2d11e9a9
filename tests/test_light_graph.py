"""The light graph of a reused link result answers as networkx's graph, and a prose edit imports no networkx.

- every call the renderer, the exports and the page reuse make of a graph gives the same
  values in the same order on a :class:`compiler.incremental.lightgraph.PartsGraph` and on the
  ``networkx.MultiDiGraph`` filled from the same parts (a table of calls);
- ``copy`` then ``add_node`` (the site's ``_ensure_graph``) makes the same graph on both;
- ``to_networkx()`` and ``as_networkx`` give a networkx graph equal to ``GraphParts.graph()``;
- ``linkreuse.networkx_version`` is networkx's version, read without importing it;
- a rebuild with a cache after a prose edit imports neither networkx nor numpy, and its site
  is a clean build's; so is a first build's and a header edit's (which link again);
- the idea map (``[analytics] similarity = true``) still runs on a reused link result;
- without the idea map, random edits build with the cache as a clean build does (the light
  graph renders the site; the property test of test_incremental runs with the idea map on).
"""
from __future__ import annotations

import marshal
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings

import compiler.incremental.linkreuse as linkreuse
from compiler.build import Options, analyze, build
from compiler.config import default_config
from compiler.export.writers import node_link_data, summary_text
from compiler.link.graph import GraphParts, as_networkx, link_parts
from compiler.incremental.lightgraph import PartsGraph
from compiler.load.terms import load_terms
from compiler.load.modules import load_modules
from compiler.render import graphview
from compiler.render import pages as P

from .render_support import tree_bytes as tree
from .test_incremental import REPO, apply, assert_each_step_builds_clean, ops, seeded
from .test_link_reuse import MODULES, TERMS, write


def deep(value: Any) -> Any:
    """``value`` with every mapping as a list of (key, value) pairs: equality then checks order too."""
    if hasattr(value, "items") and hasattr(value, "keys"):  # dicts and networkx's views of them
        return [(k, deep(v)) for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return type(value)(deep(v) for v in value)
    return value


@pytest.fixture(scope="module")
def parts(tmp_path_factory) -> GraphParts:
    """The parts of a graph with every kind of node, inferred inverses, weights, loops dropped and dangling names."""
    root = tmp_path_factory.mktemp("light")
    write(root / "terms", TERMS)
    write(root / "modules", MODULES)
    shutil.copytree(REPO / "terms", root / "more", ignore=shutil.ignore_patterns("*.toml", "checks"))
    terms = [*load_terms(root / "terms").terms, *load_terms(root / "more").terms]
    modules, _ = load_modules((root / "modules",))
    return link_parts(terms, modules, default_config(root / "terms"))[1]


def both(parts: GraphParts) -> tuple[nx.MultiDiGraph, PartsGraph]:
    """(networkx's graph, the light graph) from the same parts, decoded as a reused link result is."""
    stored = linkreuse.encode_result(parts, ())
    light, _ = linkreuse.decode_result(stored)
    real = GraphParts(*marshal.loads(stored)[1:-1]).graph()  # the columns, as decode_result reads them
    assert isinstance(light, PartsGraph) and isinstance(real, nx.MultiDiGraph)
    return real, light


def _some(graph: Any, kind: str) -> list[str]:
    return [n for n, k in graph.nodes(data="kind") if k == kind][:3]


CALLS: list[tuple[str, Callable[[Any], Any]]] = [  # (what, call): every read a build makes of its graph
    ("graph attributes", lambda g: dict(g.graph)),
    ("name", lambda g: g.name),
    ("iteration", lambda g: list(g)),
    ("len", len),
    ("nodes", lambda g: list(g.nodes)),
    ("len(nodes)", lambda g: len(g.nodes)),
    ("nodes(data=True)", lambda g: list(g.nodes(data=True))),
    ("nodes.data()", lambda g: list(g.nodes.data())),
    ("nodes(data=False)", lambda g: list(g.nodes(data=False))),
    ("nodes(data='kind')", lambda g: list(g.nodes(data="kind"))),
    ("nodes(data=absent, default)", lambda g: list(g.nodes(data="nope", default=7))),
    ("len(nodes(data=True))", lambda g: len(g.nodes(data=True))),
    ("nodes[n] of each", lambda g: [g.nodes[n] for n in g]),
    ("nodes.items()", lambda g: list(g.nodes.items())),
    ("nodes.values()", lambda g: list(g.nodes.values())),
    ("n in nodes", lambda g: [n in g.nodes for n in (*list(g)[:5], "NOT-A-NODE")]),
    ("n in graph", lambda g: [n in g for n in (*list(g)[:5], "NOT-A-NODE", None)]),
    ("unhashable in graph", lambda g: [] in g),
    ("has_node", lambda g: [g.has_node(n) for n in (*list(g)[:3], "NOT-A-NODE")]),
    ("edges (u, v, key)", lambda g: list(g.edges)),
    ("len(edges)", lambda g: len(g.edges)),
    ("edges()", lambda g: list(g.edges())),
    ("edges(data=True)", lambda g: list(g.edges(data=True))),
    ("edges(keys=True)", lambda g: list(g.edges(keys=True))),
    ("edges(keys=True, data=True)", lambda g: list(g.edges(keys=True, data=True))),
    ("edges(data='relation')", lambda g: list(g.edges(data="relation"))),
    ("edges(data=absent, default)", lambda g: list(g.edges(data="nope", default=0))),
    ("edges(keys=True, data='line')", lambda g: list(g.edges(keys=True, data="line"))),
    ("edges(one node)", lambda g: list(g.edges(list(g)[0], data=True))),
    ("edges(some nodes)", lambda g: list(g.edges(list(g)[:4], keys=True))),
    ("len(edges(data=True))", lambda g: len(g.edges(data=True))),
    ("edges[u, v, key]", lambda g: [g.edges[e] for e in list(g.edges)[:20]]),
    ("(u, v[, key]) in edges", lambda g: [e in g.edges for e in [*list(g.edges)[:5], ("A", "NOPE"), ("A", "B", "x")]]
     + [e[:2] in g.edges for e in list(g.edges)[:5]]),
    ("number_of_nodes", lambda g: g.number_of_nodes()),
    ("order", lambda g: g.order()),
    ("number_of_edges", lambda g: g.number_of_edges()),
    ("number_of_edges(u, v)", lambda g: [g.number_of_edges(u, v) for u, v in [*list(g.edges())[:5], ("A", "NOPE")]]),
    ("has_edge", lambda g: [g.has_edge(u, v) for u, v in list(g.edges())[:5]] + [g.has_edge("A", "NOPE"),
                                                                               g.has_edge("NOPE", "A")]),
    ("has_edge with key", lambda g: [g.has_edge(u, v, k) for u, v, k in list(g.edges)[:5]] + [g.has_edge("A", "B", "x")]),
    ("get_edge_data", lambda g: [g.get_edge_data(u, v, k) for u, v, k in list(g.edges)[:8]]
     + [g.get_edge_data(u, v) for u, v in list(g.edges())[:5]]
     + [g.get_edge_data("A", "NOPE"), g.get_edge_data("NOPE", "A", "x", 7), g.get_edge_data("A", "B", "x", "none")]),
    ("is_multigraph", lambda g: g.is_multigraph()),
    ("is_directed", lambda g: g.is_directed()),
    ("adjacency _node", lambda g: deep(g._node)),
    ("adjacency _succ", lambda g: deep(g._succ)),
    ("adjacency _pred", lambda g: deep(g._pred)),
    ("adjacency _adj", lambda g: deep(g._adj)),
    ("succ", lambda g: deep({n: g.succ[n] for n in g})),
    ("pred", lambda g: [deep(list(g.pred[n].items())) for n in g]),
    ("adj", lambda g: deep({n: g.adj[n] for n in g})),
    ("graph[u]", lambda g: [deep(g[n]) for n in g]),
    ("one key dict per pair", lambda g: all(g._succ[u][v] is g._pred[v][u] for u, v in g.edges())),
    ("graphview.adjacent", lambda g: [graphview.adjacent(g, n) for n in g] + [graphview.adjacent(g, "NOPE")]),
    ("graphview.neighbours", lambda g: [graphview.neighbours(g, n) for n in g]),
    ("pages.edges_of", lambda g: [P.edges_of(g, n) for n in g]),
    ("graphview.layout", lambda g: graphview.layout(g)),
    ("graphview.graph_data", lambda g: graphview.graph_data(g, lambda n: f"u/{n}", str, lambda n: g.nodes[n]["kind"])),
    ("exports.node_link_data", node_link_data),
    ("copy", lambda g: deep(_copied(g)[0])),
    ("copy + add_node", lambda g: deep(_copied(g)[1])),
    ("copy leaves the original", lambda g: (_copied(g), deep(_state(g)))[1]),
]


def _state(g: Any) -> tuple:
    return (dict(g.graph), g._node, g._succ, g._pred, list(g.edges(keys=True, data=True)))


def _copied(g: Any) -> tuple[tuple, tuple]:
    """(the state of a copy, the state of another copy after ``add_node`` as the site makes it)."""
    first = g.copy()
    assert type(first) is type(g) and first._node is not g._node
    second = g.copy()
    some = list(g)[1]
    second.add_node("NEW TERM", kind="term", label="New", status=None, file="new.md")
    second.add_node(some, url="x/y.html")
    second.add_node("NEW TERM", label="Newer")
    first_state = _state(first)
    assert all(first._succ[u][v] is first._pred[v][u] for u, v in first.edges())
    return first_state, _state(second)


@pytest.mark.parametrize("what,call", CALLS, ids=[c[0] for c in CALLS])
def test_the_light_graph_answers_every_call_as_networkx(parts, what, call):
    real, light = both(parts)
    assert real.number_of_edges() > 100 and _some(real, "missing") and _some(real, "module")
    expected, got = call(real), call(light)
    assert got == expected, what
    assert deep(got) == deep(expected), what  # the order of mappings too


def test_one_node_is_read_without_filling_the_others(parts, monkeypatch):
    """A reused graph fills its adjacency only when read whole; one node's edges come from the
    parts' rows, equal in order to the filled graph's, and after filling from its own dicts."""
    real, light = both(parts)
    fill = GraphParts.fill

    def refuse(self, graph):
        raise AssertionError("the whole adjacency was filled")

    monkeypatch.setattr(GraphParts, "fill", refuse)
    for node in real:
        succ, pred = light.adjacency_of(node)
        assert deep(succ) == deep(real._succ[node]) and deep(pred) == deep(real._pred[node]), node
        assert node in light and light.nodes[node] == real.nodes[node]
    with pytest.raises(KeyError):
        light.adjacency_of("no such node")
    monkeypatch.setattr(GraphParts, "fill", fill)
    node = _some(real, "term")[0]
    succ, pred = light._succ, light._pred  # read whole: filled now
    assert light.adjacency_of(node)[0] is succ[node] and light.adjacency_of(node)[1] is pred[node]
    assert deep(_state(light)) == deep(_state(real))


def test_repeated_iteration_and_views_stay_live(parts):
    real, light = both(parts)
    for g in (real, light):
        rows = g.edges(keys=True, data=True)
        assert list(rows) == list(rows) and len(rows) == g.number_of_edges()
        nodes = g.nodes(data="label")
        assert list(nodes) == list(nodes)
    assert list(light.nodes(data="label")) == list(real.nodes(data="label"))


def test_to_networkx_is_the_graph_the_parts_make(parts):
    real, light = both(parts)
    converted = light.to_networkx()
    assert isinstance(converted, nx.MultiDiGraph) and converted.is_directed() and converted.is_multigraph()
    assert nx.utils.graphs_equal(converted, real)
    assert deep(_state(converted)) == deep(_state(real))
    assert [deep(list(converted.pred[n].items())) for n in converted] == [deep(list(real.pred[n].items())) for n in real]
    assert as_networkx(light)._succ is light._succ and as_networkx(real) is real
    assert summary_text(as_networkx(light)) == summary_text(real)
    assert sorted(map(sorted, nx.weakly_connected_components(converted))) == sorted(
        map(sorted, nx.weakly_connected_components(real)))
    annotated = converted.copy()  # what the analytics do before they add anything
    annotated.add_edge("A", "B", key="similar", relation="similar")
    assert not light.has_edge("A", "B", "similar") and deep(_state(light)) == deep(_state(real))


def test_the_networkx_version_is_read_without_importing_it():
    code = ("import sys; from compiler.incremental.linkreuse import networkx_version; v = networkx_version(); "
            "print('networkx' in sys.modules); import networkx; print(v == networkx.__version__, bool(v))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True", "True"]
    assert linkreuse.networkx_version() == nx.__version__  # the imported module's, once there is one


BUILD = ("import sys; from pathlib import Path; from compiler.build import Options, build; "
         "import compiler.link.graph as G; fills = []; fill = G.GraphParts.fill; "
         "G.GraphParts.fill = lambda self, graph: (fills.append(1), fill(self, graph))[1]; "
         "r = Path({root!r}); "
         "build(r / 'terms', r / 'site', Options(module_dirs=(r / 'modules',), cache_dir=r / '.cache', jobs={jobs})); "
         "print(sorted(m for m in ('networkx', 'numpy') if m in sys.modules), len(fills))")


def _build_apart(root: Path, jobs: int = 1) -> str:
    """Build ``root`` with its cache in a fresh interpreter: which of networkx and numpy it imported,
    and how many times a graph's whole adjacency was filled from its parts."""
    done = subprocess.run([sys.executable, "-c", BUILD.format(root=str(root), jobs=jobs)], capture_output=True,
                          text=True, check=True)
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
    # (edit, what the rebuild imports of networkx and numpy, and how often it fills a whole adjacency:
    # a prose edit renders one page from the reused graph, reading that page's node only)
    # Linking itself needs numpy (the edges) but not networkx: no hierarchy cycle here (check_cycles).
    steps = [
        (lambda: None, "['numpy'] 1"),  # the first build links
        (lambda: _replace(tmp_path / "terms" / "A.md", "Body.", "Body, [[Beta]] edited."), "[] 0"),
        (lambda: _replace(tmp_path / "terms" / "C.md", "Body.", "Other *words*."), "[] 0"),
        (lambda: _replace(tmp_path / "terms" / "B.md", "term: Beta", "term: Betamax"), "['numpy'] 1"),
        (lambda: _replace(tmp_path / "terms" / "B.md", "Body.", "B's body."), "[] 0"),
        (lambda: (tmp_path / "terms" / "D.md").unlink(), "['numpy'] 1"),
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
    assert spy and isinstance(spy[-1][0], PartsGraph)  # the link result was reused
    assert isinstance(cached.graph, nx.MultiDiGraph) and cached.graph.graph.get("communities")
    assert any(k == "similar" for *_, k in cached.graph.edges(keys=True))
    assert deep(_state(cached.graph)) == deep(_state(clean.graph))
    assert [d for d in cached.diagnostics if d.code != "cache-invalid"] == list(clean.diagnostics)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops)
def test_incremental_equals_full_build_on_the_light_graph(tmp_path_factory, steps):
    """test_incremental's property test without the idea map, whose annotated graph is networkx's:
    here every reused link result renders the site through the light graph."""
    root = tmp_path_factory.mktemp("light-inc")
    terms = seeded(root)
    (terms / "glossary.toml").write_text('title = "Light"\n', "utf-8")
    assert_each_step_builds_clean(root, terms, steps, apply)


def test_the_python_api_gives_networkx_graphs(tmp_path):
    """A build keeps the light graph; ``load_glossary`` and ``link`` give networkx's, equal in every dict."""
    import compiler
    from compiler.config import default_config
    from compiler.link.graph import link, link_parts
    from compiler.load.terms import load_terms

    write(tmp_path / "terms", TERMS)
    write(tmp_path / "modules", MODULES)
    glossary = compiler.load_glossary(tmp_path / "terms", modules=[tmp_path / "modules"])
    assert isinstance(glossary.graph, nx.MultiDiGraph) and glossary.graph.has_edge("A", "B")
    terms = load_terms(tmp_path / "terms").terms
    linked = link(terms, [], default_config(tmp_path / "terms"))
    light = link_parts(terms, [], default_config(tmp_path / "terms"))[0].graph
    assert isinstance(linked.graph, nx.MultiDiGraph) and not isinstance(light, nx.MultiDiGraph)
    assert deep(_state(light)) == deep(_state(linked.graph))
