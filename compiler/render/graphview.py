"""Pictures of the graph: a small static SVG per page, and the data of the graph page.

Why the local graph is drawn at build time: it needs no script, prints, reads
with a screen reader (each node is a link with a title) and is byte-stable. The
whole-graph page gets positions computed here too (a seeded spring layout,
rounded), so its script only draws, pans and zooms.
"""
from __future__ import annotations

import json
import math
from typing import Any, Callable

from markupsafe import Markup, escape

MAX_NEIGHBOURS = 24
SIZE = 360


def neighbours(graph: Any, ident: str) -> list[tuple[str, str, str]]:
    """(other id, relation, direction) for every edge touching ``ident``, sorted, one per pair."""
    if graph is None or ident not in graph:
        return []
    seen: dict[str, tuple[str, str, str]] = {}
    edges = [(v, d.get("relation", ""), "out") for _, v, d in graph.out_edges(ident, data=True)]
    edges += [(u, d.get("relation", ""), "in") for u, _, d in graph.in_edges(ident, data=True)]
    for other, rel, direction in sorted(edges):
        if other != ident:
            seen.setdefault(other, (other, rel, direction))
    return sorted(seen.values())


def _short(label: str, n: int = 22) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def local_svg(graph: Any, ident: str, label_of: Callable[[str], str], url_of: Callable[[str], str | None],
              kind_of: Callable[[str], str]) -> Markup:
    """An SVG of ``ident`` and its neighbours on a circle; every node links to its page."""
    near = neighbours(graph, ident)
    if not near:
        return Markup("")
    shown = near[:MAX_NEIGHBOURS]
    c = SIZE / 2
    r = SIZE / 2 - 48
    parts = [
        f'<svg class="local-graph" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" height="{SIZE}" '
        f'role="group" aria-labelledby="lg-title"><title id="lg-title">{escape(label_of(ident))} and '
        f'{len(near)} linked node{"s" if len(near) != 1 else ""}</title>'
    ]
    points = []
    for i, (other, rel, direction) in enumerate(shown):
        angle = 2 * math.pi * i / len(shown) - math.pi / 2
        x, y = round(c + r * math.cos(angle), 1), round(c + r * math.sin(angle), 1)
        points.append((other, rel, direction, x, y))
        parts.append(f'<line class="edge rel-{escape(rel)}" x1="{c}" y1="{c}" x2="{x}" y2="{y}"></line>')
    for other, rel, direction, x, y in points:
        url = url_of(other)
        anchor = "end" if x < c - 1 else ("start" if x > c + 1 else "middle")
        dx = -9 if anchor == "end" else (9 if anchor == "start" else 0)
        dy = 4 if anchor != "middle" else (-10 if y < c else 18)
        node = (f'<circle class="node kind-{escape(kind_of(other))}" cx="{x}" cy="{y}" r="6"></circle>'
                f'<text x="{round(x + dx, 1)}" y="{round(y + dy, 1)}" text-anchor="{anchor}">'
                f'{escape(_short(label_of(other)))}</text>')
        title = f"<title>{escape(label_of(other))} ({escape(rel.replace('_', ' '))}, {direction})</title>"
        if url:
            parts.append(f'<a href="{escape(url)}">{title}{node}</a>')
        else:
            parts.append(f"<g>{title}{node}</g>")
    parts.append(f'<circle class="node centre kind-{escape(kind_of(ident))}" cx="{c}" cy="{c}" r="9"></circle>')
    parts.append(f'<text class="centre-label" x="{c}" y="{c + 24}" text-anchor="middle">'
                 f"{escape(_short(label_of(ident), 28))}</text>")
    if len(near) > len(shown):
        parts.append(f'<text class="more" x="{SIZE - 6}" y="{SIZE - 6}" text-anchor="end">'
                     f"+{len(near) - len(shown)} more</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def layout(graph: Any) -> dict[str, tuple[float, float]]:
    """Seeded spring layout scaled to 0..1000, rounded: the same graph gives the same picture."""
    import networkx as nx

    if graph is None or graph.number_of_nodes() == 0:
        return {}
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph.nodes))
    simple.add_edges_from(sorted((u, v) for u, v in graph.edges() if u != v))
    n = simple.number_of_nodes()
    pos = nx.spring_layout(simple, seed=7, iterations=60 if n < 3000 else 25, k=1.6 / math.sqrt(n))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    return {
        node: (round((p[0] - min(xs)) / span * 1000, 1), round((p[1] - min(ys)) / span * 1000, 1))
        for node, p in pos.items()
    }


def graph_data(graph: Any, url_of: Callable[[str], str | None], label_of: Callable[[str], str],
               kind_of: Callable[[str], str]) -> dict[str, Any]:
    """The compact data drawn by ``graph.js``: nodes [id, label, kind, url, x, y], edges [i, j, relation]."""
    pos = layout(graph)
    ids = sorted(pos)
    index = {node: i for i, node in enumerate(ids)}
    nodes = [[node, label_of(node), kind_of(node), url_of(node) or "", *pos[node]] for node in ids]
    edges = sorted({(index[u], index[v], d.get("relation", "")) for u, v, d in graph.edges(data=True)
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

