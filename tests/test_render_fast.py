"""The cheaper render paths give the bytes Jinja's own would (compiler.render.shell, the helpers of pages.py).

The references are Jinja itself: ``Template.render`` for the shell, and the macros
the Python helpers replaced, kept here as template text."""
from __future__ import annotations

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


def test_neighbours_and_edges_read_from_the_adjacency_match_networkx_views() -> None:
    import networkx as nx
    from hypothesis import given, settings, strategies as st

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
    @given(st.lists(edge, max_size=12), st.booleans())
    def check(edges: list[tuple[str, str, str, bool]], multi: bool) -> None:
        graph = nx.MultiDiGraph() if multi else nx.DiGraph()
        graph.add_node("a")
        for u, v, rel, declared in edges:
            graph.add_edge(u, v, **({"relation": rel} if rel else {}), declared=declared)
        for ident in graph.nodes:
            assert neighbours(graph, ident) == reference(graph, ident)
            out = [(d.get("relation", ""), v, d.get("declared", True)) for _, v, d in graph.out_edges(ident, data=True) if v != ident]
            inn = [(d.get("relation", ""), u, d.get("declared", True)) for u, _, d in graph.in_edges(ident, data=True) if u != ident]
            assert P.edges_of(graph, ident) == (P._groups(out), P._groups(inn, P.BACKLINK_LABELS))
        assert neighbours(graph, "zzz") == [] and P.edges_of(graph, "zzz") == ([], [])

    check()
