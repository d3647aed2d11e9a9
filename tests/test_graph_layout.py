"""The graph page's layout and data (compiler.render.forcelayout, compiler.render.graphview.graph_data):
deterministic, faithful to ForceAtlas2's forces, and unlinked nodes never ring the picture."""
from __future__ import annotations

import itertools
import random

import networkx as nx
import numpy as np
import pytest

from compiler.model import GraphData
from compiler.render import forcelayout, graphview


def _graph(seed: int = 3, hubs: int = 6, per_hub: int = 14, pairs: int = 5, alone: int = 30) -> nx.MultiDiGraph:
    """Clusters around hubs (linked to each other), leaves on the hubs, a few linked pairs apart
    and unlinked nodes: the shapes a glossary's graph has."""
    rng = random.Random(seed)
    g = nx.MultiDiGraph()
    for h in range(hubs):
        hub = f"HUB_{h}"
        g.add_node(hub, kind="term", label=f"Hub {h}")
        members = [f"T_{h}_{i}" for i in range(per_hub)]
        for m in members:
            g.add_node(m, kind="term", label=m.title())
            g.add_edge(m, hub, relation="broader")
        for _ in range(per_hub):  # links inside the cluster
            a, b = rng.sample(members, 2)
            g.add_edge(a, b, relation="associated")
        g.add_edge(hub, f"WANTED_{h}", relation="associated")  # a leaf: one link only
        g.nodes[f"WANTED_{h}"].update(kind="missing", label=f"WANTED_{h}")
        if h:
            g.add_edge(hub, f"HUB_{h - 1}", relation="associated")
    for p in range(pairs):
        g.add_node(f"PAIR_{p}_A", kind="term", label=f"Pair {p} A")
        g.add_edge(f"PAIR_{p}_A", f"PAIR_{p}_B", relation="synonym")
        g.nodes[f"PAIR_{p}_B"].update(kind="missing", label=f"PAIR_{p}_B")
    for a in range(alone):
        g.add_node(f"MOD-{a:03d}", kind="module", label=f"Module {a}")
    return g


def _data(g: nx.MultiDiGraph, memo: dict | None = None) -> dict:
    return graphview.graph_data(GraphData.of(g), lambda n: f"x/{n}.html", lambda n: g.nodes[n].get("label", n),
                                lambda n: g.nodes[n].get("kind", "missing"), memo)


@pytest.mark.parametrize("n, clumped", [(60, False), (3000, True), (3000, False)])
def test_the_cell_field_is_close_to_the_sum_over_all_pairs(n, clumped):
    """The repulsion summed by cells (first-order expansions) against the exact sum of every pair."""
    rng = np.random.default_rng(n)
    z = rng.normal(size=n) + 1j * rng.normal(size=n)
    if clumped:
        z[: n // 3] *= 0.03  # a dense clump: deep cells, many exact pairs
    mass = rng.integers(1, 12, n).astype(float)
    diff = z[:, None] - z[None, :]
    np.fill_diagonal(diff, np.inf)
    exact = (mass[None, :] / diff).sum(axis=1)
    re, im = forcelayout._field(z.real.copy(), z.imag.copy(), mass)
    error = np.abs(re + 1j * im - exact)
    assert np.median(error / np.abs(exact)) < 0.01  # one node in two within 1 %
    assert np.quantile(error / np.abs(exact), 0.99) < 0.1
    assert error.max() < 0.1 * np.sqrt(np.mean(np.abs(exact) ** 2))  # where pushes cancel out, small against the rest


def test_same_graph_same_bytes_whatever_the_order_it_was_built_in():
    g = _graph()
    first = graphview.as_script("GLOSSARY_GRAPH", _data(g))
    assert graphview.as_script("GLOSSARY_GRAPH", _data(g)) == first
    shuffled = nx.MultiDiGraph()
    nodes = list(g.nodes(data=True))
    random.Random(9).shuffle(nodes)
    shuffled.add_nodes_from(nodes)
    edges = list(g.edges(data=True))
    random.Random(9).shuffle(edges)
    shuffled.add_edges_from(edges)
    assert graphview.as_script("GLOSSARY_GRAPH", _data(shuffled)) == first
    moved = _graph(hubs=7)  # another graph: another picture
    assert graphview.as_script("GLOSSARY_GRAPH", _data(moved)) != first


@pytest.mark.parametrize("pairs", [5, 400])
def test_unlinked_nodes_and_small_components_stand_in_a_column_beside_the_drawing(pairs):
    g = _graph(pairs=pairs)
    data = _data(g)
    left, bottom, unit = data["column"]
    at = {row[0]: (row[4], row[5]) for row in data["nodes"]}
    main = [n for n in g if n.startswith(("HUB", "T_", "WANTED"))]
    apart = [n for n in g if n.startswith(("PAIR", "MOD"))]
    assert max(at[n][0] for n in main) < left <= min(at[n][0] for n in apart)
    assert max(at[n][1] for n in main) == pytest.approx(bottom, abs=0.1)
    assert max(at[n][0] for n in main) == pytest.approx(1000, abs=0.1) or max(at[n][1] for n in main) == \
        pytest.approx(1000, abs=0.1)  # the drawing fills its box
    # the unlinked modules in a grid below the drawing's bottom, one spacing apart
    grid = sorted(at[n] for n in apart if n.startswith("MOD"))
    assert min(y for _, y in grid) > bottom
    assert min(abs(a[0] - b[0]) + abs(a[1] - b[1]) for a, b in itertools.pairwise(grid)) >= unit * 0.99
    # the small components within the drawing's height (however many there are), each pair side by side
    assert all(0 <= at[n][1] <= bottom for n in apart if n.startswith("PAIR"))
    for p in range(pairs):
        a, b = at[f"PAIR_{p}_A"], at[f"PAIR_{p}_B"]
        assert 0 < np.hypot(a[0] - b[0], a[1] - b[1]) <= 2 * unit


def test_a_leaf_sits_by_its_one_neighbour():
    data = _data(_graph())
    at = {row[0]: np.array(row[4:6]) for row in data["nodes"]}
    hubs = [at[f"HUB_{h}"] for h in range(6)]
    spread = np.median([np.linalg.norm(a - b) for a in hubs for b in hubs if a is not b])
    for h in range(6):
        assert np.linalg.norm(at[f"WANTED_{h}"] - at[f"HUB_{h}"]) < spread / 2


def test_sizes_follow_pagerank_and_communities_come_from_the_idea_map():
    g = _graph()
    rows = {row[0]: row for row in _data(g)["nodes"]}
    assert max(rows.values(), key=lambda r: r[6])[0].startswith("HUB_")
    assert all(2.5 <= r[6] <= 12 for r in rows.values())
    assert {r[7] for r in rows.values()} == {-1} and _data(g)["communities"] == []
    for node in g:  # the idea map's attributes: one community of 16 per hub, the pairs (10), modules (3 x 10)
        if node.startswith(("HUB", "T_", "WANTED")):
            group = int(node.split("_")[1])
        else:
            group = 20 if node.startswith("PAIR") else 30 + int(node[4:]) % 3
        g.nodes[node].update(community=group, centrality=2.0 if node == "HUB_3" else 1.0)
    data = _data(g)
    assert len(data["communities"]) == graphview.TOP_GROUPS
    assert data["communities"][0] == ["Hub 0", 16]  # the biggest (ties by index), named after its most central
    assert ["Hub 3", 16] in data["communities"]
    rows = {row[0]: row for row in data["nodes"]}
    assert rows["HUB_3"][6] == 12.0 and rows["HUB_2"][6] < 12
    assert rows["T_0_1"][7] == 0 and rows["PAIR_0_A"][7] == 6 and rows["MOD-000"][7] == 7
    assert rows["MOD-001"][7] == rows["MOD-002"][7] == -1  # outside the biggest eight: grey


def test_the_memo_keeps_the_layout_while_the_links_stay(monkeypatch):
    calls = []
    real = forcelayout.layout_positions
    monkeypatch.setattr(forcelayout, "layout_positions", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    g, memo = _graph(), {}
    first = _data(g, memo)
    g.nodes["HUB_1"]["label"] = "Renamed hub"  # a label: same shape
    g.add_edge("T_0_1", "HUB_0", relation="related")  # a second edge between linked nodes: same pairs
    second = _data(g, memo)
    assert len(calls) == 1 and second["edges"] == first["edges"]
    assert [r[4:6] for r in second["nodes"]] == [r[4:6] for r in first["nodes"]]
    g.add_edge("T_0_1", "T_5_2", relation="associated")  # a new link: laid out again
    _data(g, memo)
    assert len(calls) == 2


@pytest.mark.parametrize("n, expected", [(0, 150), (500, 150), (4000, 100), (19000, 45), (10 ** 6, 40)])
def test_rounds_shrink_with_the_nodes_moved(n, expected):
    assert forcelayout.rounds_for(n) == expected


def test_empty_and_tiny_graphs():
    assert _data(nx.MultiDiGraph())["nodes"] == []
    one = nx.MultiDiGraph()
    one.add_node("A", kind="term", label="A")
    assert [r[:4] for r in _data(one)["nodes"]] == [["A", "A", "term", "x/A.html"]]
    two = nx.MultiDiGraph()
    two.add_edge("A", "B")
    xy = [r[4:6] for r in _data(two)["nodes"]]
    assert xy[0] != xy[1]


@pytest.mark.parametrize("n, m, seed", [(1, 0, 0), (12, 6, 1), (2000, 900, 2), (2000, 2500, 3)])
def test_components_are_networkx_components(n, m, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, n, m), rng.integers(0, n, m)
    label = forcelayout._components(n, np.r_[a, b], np.r_[b, a])
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(zip(a.tolist(), b.tolist()))
    assert sorted(map(sorted, nx.connected_components(g))) == sorted(
        sorted(np.flatnonzero(label == c).tolist()) for c in np.unique(label))
    path = np.arange(n - 1)  # a long chain is one component
    assert set(forcelayout._components(n, np.r_[path, path + 1], np.r_[path + 1, path]).tolist()) == {0}
