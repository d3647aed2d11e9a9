"""Pictures of the graph: a small static SVG per page, and the data of the graph page.

Why the local graph is drawn at build time: it needs no script, prints, reads
with a screen reader (each node is a link with a title) and is byte-stable. The
whole-graph page gets its positions, sizes and colours computed here too
(compiler.render.forcelayout, rounded), so its script only draws and filters. The SVG
is made here, not in a template, because every node page has one: every label, kind,
relation and URL in it passes through ``markupsafe.escape``; the rest is numbers.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from functools import lru_cache
from typing import Any, Callable, Mapping

from markupsafe import Markup, escape

from compiler.model import GraphData

MAX_NEIGHBOURS = 24
WIDTH, HEIGHT = 600, 380  # wide enough for 22-character labels left and right of the circle


def adjacent(graph: GraphData | None, ident: str) -> tuple[list[tuple[str, Mapping[str, Any]]],
                                                           list[tuple[str, Mapping[str, Any]]]]:
    """(edges out, edges in) of ``ident`` as (other end, edge data), loops left out."""
    if graph is None or ident not in graph:
        return [], []
    return ([(other, d) for other, keyed in graph.succ(ident).items() if other != ident for d in keyed.values()],
            [(other, d) for other, keyed in graph.pred(ident).items() if other != ident for d in keyed.values()])


def neighbours(graph: Any, ident: str) -> list[tuple[str, str, str]]:
    """(other id, relation, direction) for every edge touching ``ident``, sorted, one per pair.

    Each neighbour is shown with its least (relation, direction) pair."""
    out, inn = adjacent(graph, ident)
    best: dict[str, tuple[str, str]] = {}
    for edges, direction in ((out, "out"), (inn, "in")):
        for other, d in edges:
            pair = (d.get("relation", ""), direction)
            held = best.get(other)
            if held is None or pair < held:
                best[other] = pair
    return [(other, rel, direction) for other, (rel, direction) in sorted(best.items())]


def _short(label: str, n: int = 22) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


@lru_cache(maxsize=MAX_NEIGHBOURS + 1)
def _ring(n: int) -> tuple[tuple[float, str, str], ...]:
    """For ``n`` nodes on the circle: each one's x, the end of its edge's ``<line>``, and its
    ``<circle>``/``<text>`` markup between the kind and the label (the same for every page)."""
    cx, cy = WIDTH / 2, HEIGHT / 2
    r = HEIGHT / 2 - 44
    ring = []
    for i in range(n):
        angle = 2 * math.pi * i / n - math.pi / 2
        x, y = round(cx + r * math.cos(angle), 1), round(cy + r * math.sin(angle), 1)
        anchor = "end" if x < cx - 1 else ("start" if x > cx + 1 else "middle")
        dx = -9 if anchor == "end" else (9 if anchor == "start" else 0)
        dy = 4 if anchor != "middle" else (-10 if y < cy else 18)
        ring.append((x, f'" x1="{cx}" y1="{cy}" x2="{x}" y2="{y}"></line>',
                     f'" cx="{x}" cy="{y}" r="6"></circle><text x="{round(x + dx, 1)}" y="{round(y + dy, 1)}" '
                     f'text-anchor="{anchor}">'))
    return tuple(ring)


@lru_cache(maxsize=256)
def _relation_text(rel: str) -> tuple[str, str]:
    """A relation as a CSS class part and as words, escaped."""
    return str(escape(rel)), str(escape(rel.replace("_", " ")))


def local_svg(graph: Any, ident: str, label_of: Callable[[str], str], url_of: Callable[[str], str | None],
              kind_of: Callable[[str], str], memo: dict[str, tuple[str, str, str, str | None]] | None = None) -> Markup:
    """An SVG of ``ident`` and its neighbours on a circle; every node links to its page.

    ``memo`` (one per renderer and folder depth) keeps each node's escaped kind, labels
    and URL: a node is drawn on the page of every neighbour, so they are made once.
    The circle's coordinates depend only on the number of nodes (``_ring``)."""
    near = neighbours(graph, ident)
    if not near:
        return Markup("")
    shown = near[:MAX_NEIGHBOURS]
    cx, cy = WIDTH / 2, HEIGHT / 2
    ring = _ring(len(shown))
    parts = [
        f'<svg class="local-graph" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="group" aria-labelledby="lg-title"><title id="lg-title">{escape(label_of(ident))} and '
        f'{len(near)} linked node{"s" if len(near) != 1 else ""}</title>'
    ]
    parts.extend(f'<line class="edge rel-{_relation_text(rel)[0]}{spot[1]}' for (_, rel, _), spot in zip(shown, ring))
    for (other, rel, direction), (_, _, node_at) in zip(shown, ring):
        facts = memo.get(other) if memo is not None else None
        if facts is None:
            url = url_of(other)
            facts = (escape(kind_of(other)), escape(_short(label_of(other))), escape(label_of(other)),
                     escape(url) if url else None)
            if memo is not None:
                memo[other] = facts
        kind, short, label, url = facts
        node = f'<circle class="node kind-{kind}{node_at}{short}</text>'
        title = f"<title>{label} ({_relation_text(rel)[1]}, {direction})</title>"
        parts.append(f'<a href="{url}">{title}{node}</a>' if url else f"<g>{title}{node}</g>")
    parts.append(f'<circle class="node centre kind-{escape(kind_of(ident))}" cx="{cx}" cy="{cy}" r="9"></circle>')
    parts.append(f'<text class="centre-label" x="{cx}" y="{cy + 24}" text-anchor="middle">'
                 f"{escape(_short(label_of(ident), 28))}</text>")
    if len(near) > len(shown):
        parts.append(f'<text class="more" x="{WIDTH - 6}" y="{HEIGHT - 6}" text-anchor="end">'
                     f"+{len(near) - len(shown)} more</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


TOP_GROUPS = 8  # communities the graph page colours (the rest are grey); its palette has as many colours


def _shape(graph: GraphData) -> tuple[list[str], list[tuple[int, int]]]:
    """The graph as the layout sees it: its nodes sorted, and each linked pair once, undirected."""
    nodes = sorted(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    pairs = set()
    for a, b, _, _ in graph.rows:
        i, j = index[a], index[b]
        if i != j:
            pairs.add((i, j) if i < j else (j, i))
    return nodes, sorted(pairs)


def layout(graph: GraphData | None, memo: dict | None = None) -> dict[str, Any]:
    """Positions and PageRank of the graph's nodes: the same graph gives the same bytes.

    Returns ``{"nodes": ids sorted, "pairs": linked pairs (i, j), "xy": [[x, y]], "rank": PageRank
    on the links, "column": see graph_data}``. Positions are compiler.render.forcelayout's
    (ForceAtlas2, y down), rounded to 0.1. ``memo`` (kept between incremental builds) maps
    the graph's shape to the rest of this result (the shape itself is read again each
    time: the cache need not hold it twice), so an edit that changes no link does not
    pay for the layout again."""
    if graph is None or len(graph) == 0:
        return {"nodes": [], "pairs": [], "xy": [], "rank": [], "column": []}
    nodes, pairs = _shape(graph)
    key = None
    if memo is not None:
        import hashlib

        key = hashlib.blake2b(repr((nodes, pairs)).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        if memo.get("layout-key") == key:
            return {"nodes": nodes, "pairs": pairs, **memo["layout"]}
    result = _measure(nodes, pairs)
    if memo is not None:
        memo["layout-key"], memo["layout"] = key, result
    return {"nodes": nodes, "pairs": pairs, **result}


def _measure(nodes: list[str], pairs: list[tuple[int, int]]) -> dict[str, Any]:
    """Positions, PageRank and column of the nodes (see ``layout``), with the idea map's PageRank code
    (compiler.analyze.ranking, which needs no networkx)."""
    import numpy as np

    from compiler.analyze.ranking import Weighted, pagerank
    from compiler.render import forcelayout

    source = np.array([p[0] for p in pairs], dtype=np.int64)
    target = np.array([p[1] for p in pairs], dtype=np.int64)
    xy, column = forcelayout.layout_positions(len(nodes), source, target)
    rank = pagerank(Weighted(tuple(nodes), source, target, np.ones(len(pairs))))
    return {"xy": np.round(xy, 1).tolist(), "rank": [rank[node] for node in nodes],
            "column": [round(v, 1) for v in column] if column else []}


def graph_data(graph: GraphData | None, url_of: Callable[[str], str | None], label_of: Callable[[str], str],
               kind_of: Callable[[str], str], memo: dict | None = None) -> dict[str, Any]:
    """The data drawn by ``graph.js`` (sigma.js): positions, sizes and colours are decided here.

    ``nodes``: [id, label, kind, url, x, y, size, community] with y pointing down, size
    (2.5 to 12) by PageRank (the idea map's centrality when the glossary turns the idea
    map on, else PageRank on the links) and community the colour of the node's idea-map
    community among the ``TOP_GROUPS`` biggest, else -1; ``edges``: the linked pairs flat
    (i, j, i, j, ...); ``communities``: those biggest ones as (label of their most central
    node, node count), empty without the idea map; ``column``: where the small components
    and unlinked nodes start, right of the drawing, as (x, the drawing's bottom, spacing)
    or empty (compiler.render.forcelayout.layout_positions)."""
    shape = layout(graph, memo)
    nodes = shape["nodes"]
    if not nodes:
        return {"nodes": [], "edges": [], "communities": [], "column": []}
    attrs = graph.nodes if graph is not None else {}
    ideas = all("community" in attrs[node] and "centrality" in attrs[node] for node in nodes)
    ranks = [float(attrs[node]["centrality"]) for node in nodes] if ideas else shape["rank"]
    groups = [int(attrs[node]["community"]) for node in nodes] if ideas else [-1] * len(nodes)
    top = max(ranks) or 1.0
    leader: dict[int, int] = {}  # community -> its most central node (the first of equals)
    for i, group in enumerate(groups):
        if group >= 0 and (group not in leader or ranks[i] > ranks[leader[group]]):
            leader[group] = i
    sizes = Counter(groups)
    biggest = sorted(leader, key=lambda g: (-sizes[g], g))[:TOP_GROUPS]
    colour = {g: k for k, g in enumerate(biggest)}
    rows = [[node, label_of(node), kind_of(node), url_of(node) or "", *shape["xy"][i],
             round(2.5 + 9.5 * math.sqrt(max(ranks[i], 0.0) / top), 1), colour.get(groups[i], -1)]
            for i, node in enumerate(nodes)]
    return {"nodes": rows, "edges": [end for pair in shape["pairs"] for end in pair],
            "communities": [[rows[leader[g]][1], sizes[g]] for g in biggest], "column": shape["column"]}


def as_script(global_name: str, data: Any) -> str:
    """A JS file assigning ``data`` to a global, because fetch() of file:// URLs fails.

    ``<``, ``>``, ``&`` and the line separators are escaped so the JSON cannot end
    the script or break the parser, whatever the labels hold.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for ch, rep in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, rep)
    return f"window.{global_name} = {text};\n"

