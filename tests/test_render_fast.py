"""The cheaper render paths give the bytes Jinja's own would (compiler.render.shell, the helpers of pages.py).

The references are Jinja itself: ``Template.render`` for the shell, and the macros
the Python helpers replaced, kept here as template text."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import pytest
from markupsafe import Markup

from compiler.render import pages as P
from compiler.render.shell import FastContext, PageRenderer, layout_of
from compiler.render.site import make_environment

HOSTILE = ["Glossary", "<script>alert(1)</script>", 'a "quoted" & \'odd\' title', "\x00jinja-block:main\x00",
           "\x00", "{{ root }}", "Ünïcode · ∞", ""]


def _env(templates: dict[str, str]) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.DictLoader(templates), autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.context_class = FastContext
    return env


BASE = ("<html data-root=\"{{ root }}\"><title>{% block title %}{{ site_title }}{% endblock %}</title>\n"
        "<a href=\"{{ root }}index.html\">{{ site_title }}</a>\n<main class=\"{% block main_class %}{% endblock %}\">"
        "{% block main %}{% endblock %}</main>{% block footer %}<p>{{ site_title }}</p>{% endblock %}\n")
CHILD = ("{% extends \"base.html\" %}\n{% block title %}{{ label }} · {{ super() }}{% endblock %}\n"
         "{% block main %}<h1>{{ label }}</h1>{% block inner %}[{{ root }}]{% endblock %}{{ helper(label) }}{% endblock %}\n")


@pytest.mark.parametrize("title", HOSTILE)
@pytest.mark.parametrize("root", ["", "../", "../../", "<x>/\""])
def test_the_shell_gives_jinjas_bytes_for_any_title_and_root(title: str, root: str) -> None:
    env = _env({"base.html": BASE, "child.html": CHILD})
    env.globals["helper"] = lambda s: Markup("<b>") + s + Markup("</b>")
    pages = PageRenderer(env)
    for label in HOSTILE:
        context = {"root": root, "site_title": title, "label": label}
        expected = env.get_template("child.html").render(context)
        assert pages.render("child.html", dict(context)) == expected
        assert "<script>" not in pages.render("child.html", dict(context))


@pytest.mark.parametrize("name", ["term.html", "module.html", "missing.html", "index.html", "checks.html",
                                  "problems.html", "wanted.html", "graph.html", "404.html", "failed.html"])
def test_every_site_page_template_takes_the_shell_path(name: str) -> None:
    env = make_environment()
    layout = layout_of(env, name)
    assert layout is not None and layout.shell_vars == {"root", "site_title"}
    assert layout_of(env, "redirect.html") is None  # no parent: rendered as a whole


@pytest.mark.parametrize("source", [
    '{% extends "base.html" %}{% set label = "x" %}{% block main %}{{ label }}{% endblock %}',
    '{% extends "base.html" %}{% from "m.html" import f %}{% block main %}{{ f() }}{% endblock %}',
    'before{% extends "base.html" %}{% block main %}{% endblock %}',
    '{% block main %}no parent{% endblock %}',
])
def test_templates_that_name_things_outside_blocks_render_the_usual_way(source: str) -> None:
    env = _env({"base.html": BASE, "child.html": source, "m.html": "{% macro f() %}m{% endmacro %}"})
    assert layout_of(env, "child.html") is None
    context = {"root": "../", "site_title": "T", "label": "L"}
    assert PageRenderer(env).render("child.html", dict(context)) == env.get_template("child.html").render(context)


def test_a_parent_that_sets_names_is_rendered_the_usual_way() -> None:
    base = '{% set greeting = "hi" %}' + BASE
    env = _env({"base.html": base, "child.html": '{% extends "base.html" %}{% block main %}{{ greeting }}{% endblock %}'})
    assert layout_of(env, "child.html") is None
    context = {"root": "", "site_title": "T"}
    assert PageRenderer(env).render("child.html", dict(context)) == env.get_template("child.html").render(context)


def test_fast_calls_still_pass_the_context_to_functions_that_ask_for_it() -> None:
    @jinja2.pass_context
    def who(ctx: Any) -> str:
        return ctx["name"]

    class Box:
        def stop(self) -> None:
            raise StopIteration

        @jinja2.pass_context
        def marked(self, ctx: Any) -> str:
            return "m:" + ctx["name"]

    env = _env({"t.html": "{{ who() }} {{ d.get('k') }} {{ box.marked() }} {{ box.stop() is undefined }} {{ f(1) }}"})
    out = env.get_template("t.html").render(who=who, d={"k": "<v>"}, box=Box(), name="N", f=lambda x: x + 1)
    assert out == "N &lt;v&gt; m:N True 2"


# The macros the Python helpers replaced, as they were (the reference for their bytes).
MACROS = """
{% macro value(v) -%}{{ value_html(v) }}{%- endmacro %}
{% macro ids(items, link) -%}
{%- set items = items|as_list -%}
{%- if items %}<ul class="inline-list">{% for i in items %}<li>{{ link.a(i) if i is string else value(i) }}</li>{% endfor %}</ul>
{%- else %}<span class="empty">(none)</span>{% endif -%}
{%- endmacro %}
{% macro badge(status) -%}
<span class="badge status-{{ status|show|lower }}">{{ status|show }}</span>
{%- endmacro %}
{% macro check_card(c, link) -%}
<div class="check status-{{ c.get('status')|show|lower }}">
<p>{{ badge(c.get('status')) }}{% if c.get('relation') %} <span class="relation-kind">{{ c.get('relation')|formula }}</span>{% endif %}{% if c.get('hook') %} <span class="hook">hook <code>{{ c.get('hook')|show }}</code></span>{% endif %}</p>
<dl class="evidence">
{% if c.get('claimed') is not none %}<dt>Claimed</dt><dd>{{ c.get('claimed')|show }}</dd>{% endif %}
{% if c.get('computed') is not none %}<dt>Computed</dt><dd>{{ c.get('computed')|measured(c.get('uncertainty')) }}</dd>{% endif %}
{% set dev = c.get('deviation')|as_map %}
{% if dev %}<dt>Deviation</dt><dd>{% if dev.get('sigma') is not none %}{{ dev.get('sigma')|num }} σ{% endif %}{% if dev.get('sigma') is not none and dev.get('relative') is not none %}, {% endif %}{% if dev.get('relative') is not none %}relative {{ dev.get('relative')|num }}{% endif %}</dd>{% endif %}
{% if c.get('edition') %}<dt>Dataset edition</dt><dd>{{ c.get('edition')|show }}</dd>{% endif %}
{% if c.get('message') %}<dt>Message</dt><dd>{{ c.get('message')|show }}</dd>{% endif %}
{% if c.get('line') %}<dt>Where</dt><dd><code>{{ c.get('file')|show }}:{{ c.get('line')|show }}</code>{% if c.get('pointer') %} <code>{{ c.get('pointer')|show }}</code>{% endif %}</dd>{% endif %}
</dl>
{% if c.get('evidence') %}<details class="evidence-details"><summary>Evidence</summary>{{ value(c.get('evidence')) }}</details>{% endif %}
</div>
{%- endmacro %}
"""


class _Link:
    def a(self, ident: str) -> Markup:
        return Markup('<a href="{}">{}</a>').format(ident, ident)


def _field(text: str) -> Markup:
    return Markup("<em>{}</em>").format(text)


def _macros() -> Any:
    env = make_environment()
    env.globals["value_html"] = lambda v: P.value_html(v, _field)
    return env.from_string(MACROS).module


def test_the_python_helpers_give_the_macros_bytes() -> None:
    from hypothesis import given, settings, strategies as st

    macros, link = _macros(), _Link()
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12),
                        st.sampled_from(["<script>x</script>", "A&B", '"q"', "İSTANBUL", "ǅ"]))
    values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                           st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                          max_leaves=8)

    @settings(max_examples=150, deadline=None)
    @given(values)
    def check(v: Any) -> None:
        assert P.ids_html(v, link, _field) == str(macros.ids(v, link))
        if not isinstance(v, (list, dict)):
            assert P.badge_html(v) == str(macros.badge(v))

    check()


def test_the_check_card_gives_the_macros_bytes() -> None:
    from hypothesis import given, settings, strategies as st

    macros = _macros()
    anything = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10),
                         st.sampled_from(["pass", "FAIL", "<b>", "$x^2$", "\\alpha", "m_e", "a & b"]))
    numbers = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.sampled_from([1e-8, 0.0, "x"]))
    keys = ["status", "relation", "hook", "claimed", "edition", "message", "line", "file", "pointer", "evidence"]
    card = st.fixed_dictionaries({}, optional={
        **{k: anything for k in keys}, "computed": numbers, "uncertainty": numbers,
        "deviation": st.one_of(anything, st.fixed_dictionaries({}, optional={"sigma": numbers, "relative": numbers})),
        "evidence": st.one_of(anything, st.dictionaries(st.text(max_size=4), anything, max_size=3))})

    @settings(max_examples=200, deadline=None)
    @given(card)
    def check(c: dict) -> None:
        assert P.check_card_html(c, _field) == str(macros.check_card(c, None))

    check()


def test_neighbours_and_edges_read_from_the_adjacency_match_networkx_views() -> None:
    import networkx as nx
    from hypothesis import given, settings, strategies as st

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
            out = [(d.get("relation", ""), v, d.get("declared", True)) for _, v, d in graph.out_edges(ident, data=True) if v != ident]
            inn = [(d.get("relation", ""), u, d.get("declared", True)) for u, _, d in graph.in_edges(ident, data=True) if u != ident]
            assert P.edges_of(data, ident) == (P._groups(out), P._groups(inn, P.BACKLINK_LABELS))
        assert neighbours(data, "zzz") == [] and P.edges_of(data, "zzz") == ([], [])

    check()


def test_plain_header_values_skip_the_parser_with_its_bytes() -> None:
    from hypothesis import given, settings, strategies as st

    from compiler.render.markdown import _plain, escape_underscores, make_markdown, render_field, render_inline

    md = make_markdown()
    pieces = st.sampled_from(["a", "Γ", " ", "_", "\\_", "\\", ":", "/", "http://x.org/a_b", '"', "'", "*", "`", "$",
                              "[", "]", "<", "&amp;", "\r", "\x00", "\n", "\t", "~", "|", "#", "1.", "-", "»"])

    @settings(max_examples=400, deadline=None)
    @given(st.lists(pieces, max_size=12).map("".join))
    def check(text: str) -> None:
        assert render_inline(text, md) == Markup(md.renderInline(text, {})) if text else True
        if text.strip() and "\n" not in text.strip():  # a one-line header value, as the parser alone renders it
            assert render_field(text, md) == Markup(md.renderInline(escape_underscores(text).strip(), {}))

    check()
    assert _plain("model:epochal\\_manifold") and not _plain("a\\\\_b") and not _plain("a_b")


PROBLEM_ROWS = """{% for p in items %}<li class="sev-row-{{ p.severity.value }}" data-status="{{ p.severity.value }}"><span class="sev sev-{{ p.severity.value }}">{{ p.severity.value }}</span> <span class="loc">line {{ p.line }}{% if p.column %}, column {{ p.column }}{% endif %}</span> <code>{{ p.code }}</code> {{ p.message }}{% if p.pointer %} <code class="pointer">{{ p.pointer }}</code>{% endif %}{% if p.hint %}<br><span class="hint">Hint: {{ p.hint }}</span>{% endif %}{% if p.waived %}<br><span class="waived">Waived: {{ p.waived }}</span>{% endif %}</li>
{% endfor %}
"""  # the problems page's rows as the template wrote them


def test_problem_rows_give_the_templates_bytes() -> None:
    from compiler.diagnostics import Diagnostic, Severity

    hostile = ["<script>x</script>", 'a "b" & c', "", None, "ünï"]
    items = [Diagnostic(file="f.md", line=line, column=column, severity=sev, code="yaml-<bad>", message=str(text),
                        pointer=text, hint=text, waived=text)
             for line, column in ((0, 0), (3, 7)) for sev in Severity for text in hostile]
    expected = make_environment().from_string(PROBLEM_ROWS).render(items=items)
    assert P.problem_rows_html(items) == expected
    term_rows = ('{% for p in items %}<li><span class="sev sev-{{ p.severity.value }}">{{ p.severity.value }}</span> '
                 'line {{ p.line }}: <code>{{ p.code }}</code> {{ p.message }}</li>{% endfor %}')  # term.html's, as it was
    assert P.file_problems_html(items) == make_environment().from_string(term_rows).render(items=items)
    assert P.problem_rows_html([]) == ""
    assert "<script>" not in P.problem_rows_html(items)


def test_named_links_join_the_anchors() -> None:
    class Link:
        def a(self, ident: str, text: str) -> Markup:
            return Markup('<a href="{}">{}</a>').format(ident, text)

        def label(self, ident: str) -> str:
            return ident.upper() + "<"

    template = make_environment().from_string(
        "{% for i in ids %}{{ link.a(i, link.label(i)) }}{% if not loop.last %}, {% endif %}{% endfor %}")
    for ids in ([], ["a"], ["a", "b&", "c"]):
        assert P.named_links_html(ids, Link()) == template.render(ids=ids, link=Link())


def test_templates_compiled_before_a_renderer_existed_still_render_its_pages(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A bare environment (a tool, a test) compiles and caches term.html first; a build then loads that code."""
    from compiler.render.site import render_site
    from tests.render_support import make_glossary, term

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("COMPILE_GLOSSARY_NO_TEMPLATE_CACHE", raising=False)
    make_environment().get_template("term.html")  # compiled without the renderer's md/field filters
    assert any((tmp_path / "cache").rglob("*.cache"))
    g = make_glossary([term("A", body="Some *text*", triad={"art": "a_b\nc"}, operational_definition={"units": "m"})])
    stats, diags = render_site(g, tmp_path / "site")
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


CHECK_ROWS = """{% for c in checks %}{% set dev = c.get('deviation')|as_map %}
<tr data-status="{{ c.get('status')|show|lower }}"><th scope="row">{% set turl = link.url(c.get('term')) %}{% if turl %}<a href="{{ turl }}#formal">{{ link.label(c.get('term')) }}</a>{% else %}{{ c.get('term')|show }}{% endif %}</th>
<td>{{ badge_html(c.get('status')) }}</td>
<td class="hint-cell">{{ c.get('relation')|formula if c.get('relation') else (c.get('hint')|formula if c.get('hint') is string else '') }}{% if c.get('message') %}<details class="message"><summary>Message</summary>{{ c.get('message')|show }}</details>{% endif %}</td>
<td>{{ c.get('claimed')|show if c.get('claimed') is not none else '' }}</td>
<td>{{ c.get('computed')|measured(c.get('uncertainty')) if c.get('computed') is not none else '' }}</td>
<td>{% if dev.get('sigma') is not none %}{{ dev.get('sigma')|num }} σ{% endif %}{% if dev.get('relative') is not none %} (rel. {{ dev.get('relative')|num }}){% endif %}</td>
<td>{{ c.get('edition')|show if c.get('edition') is not none else '' }}</td>
</tr>
{% endfor %}
"""  # the checks page's rows as the template wrote them


def test_check_rows_give_the_templates_bytes() -> None:
    from hypothesis import given, settings, strategies as st

    class Link:
        def url(self, ident: Any) -> str | None:
            return f"terms/{ident}.html" if isinstance(ident, str) and ident.startswith("T") else None

        def label(self, ident: str) -> str:
            return ident + " <label>"

    template = make_environment().from_string(CHECK_ROWS)
    anything = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8),
                         st.sampled_from(["T1", "Tx&y", "pass", "FAIL", "$x^2$", "\\alpha", "m_e", "<b>"]))
    numbers = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.sampled_from([1e-8, "x"]))
    row = st.fixed_dictionaries({}, optional={
        **{k: anything for k in ("term", "status", "relation", "hint", "message", "claimed", "edition")},
        "computed": numbers, "uncertainty": numbers,
        "deviation": st.one_of(anything, st.fixed_dictionaries({}, optional={"sigma": numbers, "relative": numbers}))})

    @settings(max_examples=200, deadline=None)
    @given(st.lists(row, max_size=3))
    def check(rows: list) -> None:
        assert P.check_rows_html(rows, Link()) == template.render(checks=rows, link=Link())

    check()


def test_text_escaping_is_markupsafes() -> None:
    from hypothesis import given, settings, strategies as st
    from markupsafe import escape

    class Html:
        def __html__(self) -> str:
            return "<i>trusted</i>"

    class Named(str):
        def __str__(self) -> str:
            return "<named>"

    @settings(max_examples=300, deadline=None)
    @given(st.one_of(st.text(alphabet=st.sampled_from("a<>&'\"é\x00 ;#"), max_size=12), st.integers(), st.floats(),
                     st.none(), st.booleans(), st.builds(Markup, st.text(max_size=6)), st.just(Html()),
                     st.builds(Named, st.text(max_size=4))))
    def check(value: Any) -> None:
        assert P._text(value) == str(escape(value))

    check()
