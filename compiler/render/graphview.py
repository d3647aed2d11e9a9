"""Pictures of the graph: a small static SVG per page, and the data of the graph page.

Why the local graph is drawn at build time: it needs no script, prints, reads
with a screen reader (each node is a link with a title) and is byte-stable. The
whole-graph page gets positions computed here too (a seeded spring layout,
rounded), so its script only draws, pans and zooms. The SVG is made here, not in a
template, because every node page has one: every label, kind, relation and URL in it
passes through ``markupsafe.escape``; the rest is numbers.
"""
from __future__ import annotations

import json
import math
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


def _force_layout(n: int, edges: list[tuple[int, int]], seed: int = 7) -> Any:
    """Fruchterman–Reingold in numpy; exact repulsion up to 2,000 nodes, sampled beyond.

    Why not ``networkx.spring_layout``: its energy solver took 7 s on the 1,150-node
    corpus graph, and its dense fallback needs n² memory. Here every node is pushed
    by all others (in row blocks of about 2 million pairs) on small graphs, and by a
    fixed random sample of 400 others, scaled up, on large ones: O(n) per round, the
    same picture for the same graph (the sample is seeded).
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    if n < 2:
        return pos
    k2 = np.float32(1.0 / n)
    k = math.sqrt(1.0 / n)
    exact = n <= 2000
    rounds = 40 if exact else 30
    temp, cool = 0.1, 0.1 / (rounds + 1)
    u = np.array([e[0] for e in edges], dtype=int)
    v = np.array([e[1] for e in edges], dtype=int)
    width = n if exact else 400
    rows = min(n, max(1, 2_000_000 // width))
    # The pair arrays live in buffers reused every round and block: the same float32
    # operations in the same order as ``scale * k2 / max(dx*dx + dy*dy, 1e-4)``, so the
    # same positions bit for bit, without allocating five arrays of ~2 million pairs each time.
    dx_buf, dy_buf, d2_buf, t_buf = (np.empty((rows, width), dtype=np.float32) for _ in range(4))
    floor = np.float32(1e-4)
    for _ in range(rounds):
        x, y = pos[:, 0].astype(np.float32), pos[:, 1].astype(np.float32)
        disp = np.zeros((n, 2))
        if exact:
            others, scale = np.arange(n), np.float32(1.0)
        else:
            others, scale = rng.choice(n, size=400, replace=False), np.float32(n / 400)
        ox, oy = x[others], y[others]
        push = scale * k2
        for start in range(0, n, rows):
            stop = min(start + rows, n)
            dx, dy, d2, t = (b[:stop - start] for b in (dx_buf, dy_buf, d2_buf, t_buf))
            np.subtract(x[start:stop, None], ox[None, :], out=dx)
            np.subtract(y[start:stop, None], oy[None, :], out=dy)
            np.multiply(dx, dx, out=d2)
            np.multiply(dy, dy, out=t)
            np.add(d2, t, out=d2)
            np.maximum(d2, floor, out=d2)
            np.divide(push, d2, out=d2)  # the force of each pair
            disp[start:stop, 0] += np.multiply(dx, d2, out=dx).sum(axis=1)
            disp[start:stop, 1] += np.multiply(dy, d2, out=dy).sum(axis=1)
        if len(u):
            delta = pos[u] - pos[v]
            dist = np.sqrt(np.maximum((delta ** 2).sum(axis=1), 1e-8))
            pull = delta * (dist / k)[:, None]
            np.add.at(disp, u, -pull)
            np.add.at(disp, v, pull)
        length = np.maximum(np.sqrt((disp ** 2).sum(axis=1)), 1e-9)
        pos += disp * (np.minimum(length, temp) / length)[:, None]
        temp -= cool
    return pos


def layout(graph: GraphData | None, memo: dict | None = None) -> dict[str, tuple[float, float]]:
    """Seeded force layout scaled to 0..1000, rounded: the same graph gives the same picture.

    ``memo`` (kept between incremental builds) maps the graph's shape to its layout,
    so an edit that changes no link does not pay for the layout again."""
    if graph is None or len(graph) == 0:
        return {}
    nodes = sorted(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    edges = sorted({(index[a], index[b]) for a, b, _, _ in graph.rows if a != b})
    key = None
    if memo is not None:
        import hashlib

        key = hashlib.blake2b(repr((nodes, edges)).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        if memo.get("layout-key") == key:
            return memo["layout"]
    pos = _force_layout(len(nodes), edges)
    lo = pos.min(axis=0)
    span = float((pos.max(axis=0) - lo).max()) or 1.0
    result = {node: (round(float((pos[i][0] - lo[0]) / span * 1000), 1),
                     round(float((pos[i][1] - lo[1]) / span * 1000), 1)) for i, node in enumerate(nodes)}
    if memo is not None:
        memo["layout-key"], memo["layout"] = key, result
    return result


def graph_data(graph: GraphData | None, url_of: Callable[[str], str | None], label_of: Callable[[str], str],
               kind_of: Callable[[str], str], memo: dict | None = None) -> dict[str, Any]:
    """The compact data drawn by ``graph.js``: nodes [id, label, kind, url, x, y(, community)], edges [i, j, relation].

    The community (from the idea map, when the glossary turns it on) lets the page colour clusters."""
    pos = layout(graph, memo)
    ids = sorted(pos)
    index = {node: i for i, node in enumerate(ids)}
    attrs = graph.nodes if graph is not None else {}
    nodes = [[node, label_of(node), kind_of(node), url_of(node) or "", *pos[node]]
             + ([attrs[node]["community"]] if "community" in attrs[node] else []) for node in ids]
    edges = sorted({(index[u], index[v], d.get("relation", "")) for u, v, _, d in graph.rows
                    if u in index and v in index and u != v}) if graph is not None else []
    return {"nodes": nodes, "edges": [list(e) for e in edges]}


def as_script(global_name: str, data: Any) -> str:
    """A JS file assigning ``data`` to a global, because fetch() of file:// URLs fails.

    ``<``, ``>``, ``&`` and the line separators are escaped so the JSON cannot end
    the script or break the parser, whatever the labels hold.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for ch, rep in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, rep)
    return f"window.{global_name} = {text};\n"

