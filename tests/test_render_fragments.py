"""The HTML pieces made in Python escape every value, and the templates render through Jinja's own API.

Pages are laid out by the templates (``site/templates``); the few pieces made in
Python for speed (relation lists, header values, badges, links) build their markup with
``markupsafe`` (``Markup.format`` or ``escape`` on every value), so hostile text from a
term file can never reach a page unescaped."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2
import pytest
from markupsafe import Markup

from compiler.render import pages as P
from compiler.render.environment import make_environment

REPO = Path(__file__).resolve().parents[1]
HOSTILE = ["<script>alert(1)</script>", 'a "quoted" & \'odd\' title', "{{ root }}", "Ünïcode · ∞", "", "\x00"]


def _field(text: str) -> Markup:
    return Markup("<em>{}</em>").format(text)


class _Link:
    """A stand-in Linker: ids starting with T have pages."""

    def a(self, ident: Any, text: Any = None) -> Markup:
        shown = P.show(ident if text is None else text)
        if isinstance(ident, str) and ident.startswith("T"):
            return Markup('<a href="{}">{}</a>').format(f"terms/{ident}.html", shown)
        return Markup('<span class="nolink">{}</span>').format(shown)

    def label(self, ident: str) -> str:
        return ident + " <label>"

    def named(self, ident: str) -> Markup:
        return self.a(ident, self.label(ident))

    def url(self, ident: Any) -> str | None:
        return f"terms/{ident}.html" if isinstance(ident, str) and ident.startswith("T") else None


def _no_raw_tags(html: str) -> bool:
    """True when the only tags in ``html`` are the ones the fragments make themselves."""
    return not re.search(r"<(?!/?(?:a|span|em|ul|li|dl|dt|dd|div|section|h\d|p|code|details|summary|br)\b)", html)


@pytest.mark.parametrize("text", HOSTILE)
def test_relation_groups_escape_labels_and_the_empty_text(text: str) -> None:
    link = _Link()
    groups = P._groups([("broader", "T1", True), ("broader", text, False), (text, "T2", True)], P.RELATION_LABELS,
                       link.named)
    html = str(P.relation_groups(groups, text))
    assert _no_raw_tags(html) and "<script>" not in html
    assert html.count('<section class="relation">') == 2 and html.count("<li>") == 3
    assert "inferred" in html  # the undeclared edge is marked
    assert str(P.relation_groups([], text)) == str(Markup('<p class="empty">{}</p>').format(text))
    assert P.relation_groups(groups, text, 3).count("<h3 ") == 2


def test_header_values_escape_keys_and_scalars_at_any_depth() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12),
                        st.sampled_from(HOSTILE))
    values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                           st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                          max_leaves=10)

    @settings(max_examples=200, deadline=None)
    @given(values)
    def check(v: Any) -> None:
        html = str(P.value_html(v, _field))
        assert _no_raw_tags(html), html

    check()
    assert P.value_html({"<k>": ["a", 1, None]}, _field) == (
        '<dl class="fields"><dt>&lt;k&gt;</dt><dd><ul class="values"><li><em>a</em></li><li>1</li>'
        "<li>null</li></ul></dd></dl>")


@pytest.mark.parametrize("status", [*HOSTILE, None, True, 3, "Pass"])
def test_a_badge_escapes_its_status_in_the_class_and_the_text(status: Any) -> None:
    html = str(P.badge(status))
    shown = P.show(status)
    assert html == str(Markup('<span class="badge status-{}">{}</span>').format(shown.lower(), shown))
    assert _no_raw_tags(html)


def test_linker_anchors_escape_urls_and_text_and_show_the_id_on_hover() -> None:
    from compiler.render.links import Linker
    from compiler.render.plan import plan_site
    from tests.render_support import make_glossary, term

    g = make_glossary([term("A", label='<b>"A"</b> **bold**', parents=["GHOST<x>"])])
    plan = plan_site(g.terms, g.modules, g.graph)
    link = Linker(plan, g.graph, '"><script>')
    a = str(link.named("A"))
    assert a.startswith('<a class="kind-term" href="&#34;&gt;&lt;script&gt;') and 'title="A"' in a
    assert "&lt;b&gt;" in a and "<b>" not in a and "<strong>bold</strong>" in a  # the label's Markdown, escaped
    ghost = str(link.a("GHOST<x>"))
    assert 'title="GHOST&lt;x&gt;: not in the glossary yet"' in ghost and ">GHOST&lt;x&gt;</a>" in ghost
    assert str(link.a("NOWHERE", "<i>")) == '<span class="nolink">&lt;i&gt;</span>'


def test_the_check_card_macro_renders_any_shape_escaped() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    env = make_environment()
    env.filters["value"] = lambda v: P.value_html(v, _field)
    card = env.get_template("macros.html").module.check_card
    anything = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10),
                         st.sampled_from(["pass", "FAIL", "<b>", "$x^2$", "\\alpha", "m_e", "a & b"]))
    numbers = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.sampled_from([1e-8, 0.0, "x"]))
    keys = ["status", "relation", "hook", "claimed", "edition", "message", "line", "file", "pointer", "evidence"]
    shape = st.fixed_dictionaries({}, optional={
        **{k: anything for k in keys}, "computed": numbers, "uncertainty": numbers,
        "deviation": st.one_of(anything, st.fixed_dictionaries({}, optional={"sigma": numbers, "relative": numbers}))})

    @settings(max_examples=150, deadline=None)
    @given(shape)
    def check(c: dict) -> None:
        html = str(card(c))
        assert html.startswith('<div class="check status-') and html.endswith("</div>")
        assert "<b>" not in html

    check()


def test_pages_render_through_jinjas_own_context_and_template_api() -> None:
    """No subclass of Jinja's runtime and no private render functions (issue 20: rendering through the templates)."""
    env = make_environment()
    assert env.context_class is jinja2.runtime.Context
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "compiler" / "render").glob("*.py"))
    for private in ("root_render_func", "context_class", "jinja2.runtime", "new_context", ".blocks"):
        assert private not in sources, private


def test_neighbours_and_edges_read_from_the_adjacency_match_networkx_views() -> None:
    import networkx as nx
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from compiler.model import GraphData
    from compiler.render.graphview import neighbours

    names = st.sampled_from(["a", "b", "c", "d"])
    edge = st.tuples(names, names, st.sampled_from(["broader", "narrower", "similar", ""]), st.booleans())

    def reference(graph: Any, ident: str) -> list[tuple[str, str, str]]:  # the definition: least pair per neighbour
        seen: dict[str, tuple[str, str, str]] = {}
        edges = [(v, d.get("relation", ""), "out") for _, v, d in graph.out_edges(ident, data=True)]
        edges += [(u, d.get("relation", ""), "in") for u, _, d in graph.in_edges(ident, data=True)]
        for other, rel, direction in sorted(edges):
            if other != ident:
                seen.setdefault(other, (other, rel, direction))
        return sorted(seen.values())

    @settings(max_examples=100, deadline=None)
    @given(st.lists(edge, max_size=12))
    def check(edges: list[tuple[str, str, str, bool]]) -> None:
        graph = nx.MultiDiGraph()
        graph.add_node("a")
        for u, v, rel, declared in edges:
            graph.add_edge(u, v, **({"relation": rel} if rel else {}), declared=declared)
        data = GraphData.of(graph)
        for ident in graph.nodes:
            assert neighbours(data, ident) == reference(graph, ident)
            out = [(d.get("relation", ""), v, d.get("declared", True))
                   for _, v, d in graph.out_edges(ident, data=True) if v != ident]
            inn = [
                (d.get("relation", ""), u, d.get("declared", True))
                for u, _, d in graph.in_edges(ident, data=True)
                if u != ident
            ]
            assert P.edges_of(data, ident) == (P._groups(out), P._groups(inn, P.BACKLINK_LABELS))
        assert neighbours(data, "zzz") == [] and P.edges_of(data, "zzz") == ([], [])

    check()


def test_plain_header_values_skip_the_parser_with_its_bytes() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from compiler.render.markdown import _plain, escape_underscores, make_markdown, render_field, render_inline

    md = make_markdown()
    pieces = st.sampled_from(
        [
            "a",
            "Γ",
            " ",
            "_",
            "\\_",
            "\\",
            ":",
            "/",
            "http://x.org/a_b",
            '"',
            "'",
            "*",
            "`",
            "$",
            "[",
            "]",
            "<",
            "&amp;",
            "\r",
            "\x00",
            "\n",
            "\t",
            "~",
            "|",
            "#",
            "1.",
            "-",
            "»",
        ]
    )

    @settings(max_examples=400, deadline=None)
    @given(st.lists(pieces, max_size=12).map("".join))
    def check(text: str) -> None:
        assert render_inline(text, md) == Markup(md.renderInline(text, {})) if text else True
        if text.strip() and "\n" not in text.strip():  # a one-line header value, as the parser alone renders it
            assert render_field(text, md) == Markup(md.renderInline(escape_underscores(text).strip(), {}))

    check()
    assert _plain("model:epochal\\_manifold") and not _plain("a\\\\_b") and not _plain("a_b")


def test_templates_compiled_before_a_renderer_existed_still_render_its_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bare environment (a tool, a test) compiles and caches term.html first; a build then loads that code."""
    from compiler.incremental.render import render_site_fast
    from tests.render_support import make_glossary, term

    cache = tmp_path / "cache"
    monkeypatch.delenv("COMPILE_GLOSSARY_NO_TEMPLATE_CACHE", raising=False)
    make_environment(cache).get_template("term.html")  # compiled without the renderer's md/field filters
    assert any(cache.rglob("*.cache"))
    g = make_glossary([term("A", body="Some *text*", triad={"art": "a_b\nc"}, operational_definition={"units": "m"})])
    stats, diags = render_site_fast(g, tmp_path / "site", template_cache=cache)
    assert diags == [] and "<em>text</em>" in (tmp_path / "site" / "terms" / "A.html").read_text(encoding="utf-8")


def test_graph_json_gives_each_node_its_url_without_touching_the_graph(tmp_path: Path) -> None:
    import json

    from compiler.render.site import render_site
    from tests.render_support import make_glossary, term

    g = make_glossary([term("A", parents=["B"]), term("B"), term("C", crosslinks={"see_also": ["GHOST"]})])
    before = {n: dict(a) for n, a in g.graph.nodes(data=True)}
    render_site(g, tmp_path / "site")
    assert {n: dict(a) for n, a in g.graph.nodes(data=True)} == before
    data = json.loads((tmp_path / "site" / "graph.json").read_text(encoding="utf-8"))
    urls = {node["id"]: node["url"] for node in data["nodes"]}
    assert urls["A"] == "terms/A.html" and set(urls) == set(before)
