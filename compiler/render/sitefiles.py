"""The site-wide files: the index, checks, problems, wanted, graph and 404 pages, the search index, the graph data, the sitemap.

Each is made only when asked for (``site_files``): a rebuild writes again only those
whose inputs changed (``compiler.incremental.pages.site_file_keys`` lists what each one
is made from; keep the two in step).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

from compiler.model import GraphData
from compiler.render import graphview
from compiler.render import pages as P
from compiler.render import reports as R
from compiler.render.links import Linker
from compiler.render.markdown import safe_link
from compiler.render.nodes import NodePages, _config_get
from compiler.render.search import build_index, index_json

SITE_PAGES = ("index.html", "graph.html", "checks.html", "symbols.html", "problems.html", "wanted.html")
# Every site-wide file: the pages above, the 404 page, then the data files (site_files). problems-data.js
# holds every finding: problems.html shows each group's first ones and loads it when a reader asks.
SITE_FILES = (*SITE_PAGES, "404.html", "search-index.json", "search-index.js", "graph-data.js", "graph.json",
              "symbols.json", "sitemap.xml", "problems-data.js")


def site_files(pages: NodePages, names: Iterable[str] | None = None) -> dict[str, str]:
    """The site-wide pages and data files named in ``names`` (all of ``SITE_FILES`` by default), by name."""
    @cache  # shared by several files, made for the first that asks
    def idx() -> dict[str, Any]:
        return P.index_context(pages.plan, pages.checks, pages.diagnostics)

    @cache
    def entries() -> list[dict[str, Any]]:
        return build_index(pages.plan.pages)

    @cache
    def problems() -> dict[str, Any]:
        return R.problems_context(pages.diagnostics, pages.file_pages, (t.file for t in pages.g.terms),
                                  (str(getattr(m, "file", "")) for m in pages.g.modules), pages.g.files)

    def graph_data() -> str:
        link = Linker(pages.plan, pages.graph, "")
        return graphview.as_script("GLOSSARY_GRAPH", graphview.graph_data(pages.graph, link.url, link.label,
                                                                         link.kind, pages.memo))

    from compiler.checks.symbols import json_text  # the checks' own format, loaded when a site is made

    makers: dict[str, Callable[[], str]] = {
        "index.html": lambda: pages.render("index.html", "index.html", idx=idx(),
                                          key_terms=P.key_terms(pages.plan, pages.graph)),
        "checks.html": lambda: pages.render("checks.html", "checks.html", checks=pages.checks,
                                           counts=idx()["check_counts"], report=R.checks_context(pages.checks)),
        "problems.html": lambda: pages.render("problems.html", "problems.html", report=problems()),
        "problems-data.js": lambda: graphview.as_script(
            "GLOSSARY_PROBLEMS", R.problems_data(problems(), pages.diagnostics, pages.file_pages)),
        "wanted.html": lambda: pages.render("wanted.html", "wanted.html",
                                           report=R.wanted_context(pages.plan, pages.graph, pages.typos)),
        "symbols.html": lambda: pages.render("symbols.html", "symbols.html", rows=pages.g.symbols,
                                            conflicts=sum(1 for r in pages.g.symbols if r.conflicting)),
        "symbols.json": lambda: json_text(pages.g.symbols),  # the list of symbols as data, beside its page
        "graph.html": lambda: pages.render(
            "graph.html", "graph.html", counts=idx()["counts"],
            communities=(pages.graph.attrs.get("communities") if pages.graph is not None else None)),
        # A server shows 404.html at any depth: links from the site's absolute path when known.
        "404.html": lambda: pages.render("404.html", "404.html", root=pages._absolute_root()),
        "search-index.json": lambda: index_json(entries()),
        "search-index.js": lambda: graphview.as_script("GLOSSARY_SEARCH", entries()),
        "graph-data.js": graph_data,
        "graph.json": lambda: _graph_json(pages.graph, {p.ident: p.path for p in pages.plan.pages}),
        "sitemap.xml": lambda: _sitemap(pages),
    }
    return {name: makers[name]() for name in (SITE_FILES if names is None else names)}


def _sitemap(pages: NodePages) -> str:
    base = _config_get(pages.g.config, "site.base_url", "") or ""
    base = base if isinstance(base, str) and safe_link(base) else ""
    urls = [*SITE_PAGES, *(p.url for p in pages.plan.pages)]
    return pages.env.get_template("sitemap.xml").render(base=base.rstrip("/") + "/" if base else "", urls=urls)


def _graph_json(graph: GraphData, urls: Mapping[str, str]) -> str:
    """The node-link export of the graph (compiler.export.writers), each node's url relative to OUT.

    The urls go into the exported node entries (made in graph order), not into the
    graph: rendering leaves the glossary's graph as it is."""
    from compiler.export.writers import node_link_data

    data = node_link_data(graph)
    for entry, node in zip(data["nodes"], graph.nodes):
        entry["url"] = urls.get(node)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str) + "\n"


__all__ = ["SITE_FILES", "SITE_PAGES", "site_files"]
