"""The pages of the graph's nodes (terms, modules, wanted terms) and of aliases: what each is rendered from.

``NodePages`` holds what every page of a build shares (the environment, the Markdown
parser, the checks and findings by term and file, one Linker per folder depth) and
makes each page's context: the templates lay it out. ``compiler.render.sitefiles``
makes the site-wide pages from the same state.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup

from compiler.codes import make
from compiler.diagnostics import Diagnostic, sorted_diagnostics
from compiler.model import Glossary
from compiler.render import graphview
from compiler.render import pages as P
from compiler.render import reports as R
from compiler.render.environment import make_environment
from compiler.render.links import Linker
from compiler.render.markdown import (
    make_markdown,
    render_block,
    render_field,
    safe_link,
)
from compiler.render.plan import Page, SitePlan


def _config_get(config: Any, dotted: str, default: Any = None) -> Any:
    """Read ``a.b`` from an object or a mapping, tolerating either at each level."""
    cur = config
    for part in dotted.split("."):
        if cur is None:
            return default
        cur = cur.get(part) if isinstance(cur, Mapping) else getattr(cur, part, None)
    return default if cur is None else cur


class NodePages:
    """Holds the per-build state (environment, plan, checks) and renders each node page and alias page."""

    def __init__(self, glossary: Glossary, plan: SitePlan, memo: dict | None = None,
                 template_cache: Path | None = None):
        self.g = glossary
        self.memo = memo  # kept between incremental builds (graph layout); None: compute everything
        self.plan = plan
        self.graph = glossary.graph_data
        self.env = make_environment(template_cache)
        self.md = make_markdown()
        # md: the Markdown body; field: a header value (``_`` literal, inline when one line);
        # value: any header value, its text links resolving nowhere (as in a macro imported without context).
        self.env.filters.update(md=self._md_filter, field=self._field_filter,
                                value=lambda v: P.value_html(v, self._plain_field))
        self.checks = sorted((P.check_json(c) for c in glossary.checks),
                             key=lambda c: (str(c.get("term")), str(c.get("pointer")), str(c.get("file"))))
        self.checks_by_term: dict[str, list[dict[str, Any]]] = {}
        for c in self.checks:
            self.checks_by_term.setdefault(str(c.get("term")), []).append(c)
        self.title = str(_config_get(glossary.config, "title", "Glossary") or "Glossary")
        self.edit_url = _config_get(glossary.config, "site.edit_url", "")
        self.diagnostics = sorted_diagnostics(glossary.diagnostics)
        self.file_pages = {p.term.file: p for p in plan.pages if p.term is not None and p.key == p.ident}
        for p in plan.pages:
            if p.term is not None:
                self.file_pages.setdefault(p.term.file, p)
        self._linkers: dict[str, Linker] = {}
        self.diags_by_file: dict[str, list[Diagnostic]] = {}
        for d in self.diagnostics:
            self.diags_by_file.setdefault(d.file, []).append(d)
        # Wanted ids the link stage found close to an existing one: the pages they probably meant.
        self.typos = R.typos(self.diagnostics, plan)

    def linker(self, root: str) -> Linker:
        """The Linker of pages ``root`` away from OUT (one per depth, made once)."""
        made = self._linkers.get(root)
        if made is None:
            made = self._linkers[root] = Linker(self.plan, self.graph, root)
        return made

    @staticmethod
    def _link_env(ctx: Any) -> dict[str, Any]:
        link, term = ctx.get("link"), ctx.get("term")
        base = term.file if term is not None and hasattr(term, "file") else ""
        return {"resolve": (lambda href, wiki=False: link.resolve(href, base, wiki))} if link else {}

    @jinja2.pass_context
    def _md_filter(self, ctx: Any, text: Any) -> Markup:
        return render_block(text, self.md, self._link_env(ctx)) if isinstance(text, str) else Markup("")

    def _plain_field(self, text: str) -> Markup:
        return render_field(text, self.md, {})

    @jinja2.pass_context
    def _field_filter(self, ctx: Any, text: Any) -> Any:
        return render_field(text, self.md, self._link_env(ctx)) if isinstance(text, str) else P.show(text)

    def _absolute_root(self) -> str:
        base = _config_get(self.g.config, "site.base_url", "")
        if not isinstance(base, str) or not base or not safe_link(base):
            return ""
        path = urlsplit(base).path or "/"
        return path if path.endswith("/") else path + "/"

    def _edit_link(self, file: str) -> str | None:
        base = self.edit_url
        if not isinstance(base, str) or not base or not safe_link(base):
            return None
        quoted = quote(file, safe="/")
        url = base.replace("{file}", quoted) if "{file}" in base else base.rstrip("/") + "/" + quoted
        return url if safe_link(url) else None

    def render(self, template: str, rel: str, root: str | None = None, **ctx: Any) -> str:
        if root is None:
            root = "../" * rel.count("/")
        return self.env.get_template(template).render(root=root, link=self.linker(root), site_title=self.title,
                                                      page_path=rel, **ctx)

    # -- node pages ----------------------------------------------------------------
    def answer(self, dep: Any) -> Any:
        """What a look-up recorded by ``deps_of`` answers under this plan: an id's (url, label, kind), a link's URL."""
        if type(dep) is str:
            page = self.plan.by_id.get(dep)
            return None if page is None else (page.url, page.label, page.kind)
        root, href, base, wiki = dep
        return self.linker(root).resolve(href, base, wiki)

    def deps_of(self, page: Page) -> tuple:
        """The look-ups of ``page``'s last ``node_page`` that its graph neighbours do not already account for.

        A neighbour's URL, label and kind are in its shown facts (``reuse.changes``), so a
        change of them renders this page again anyway; what is left are ids named in the
        header that are no edge and every link the text resolves by name or file."""
        link = self.linker("../")
        ids, resolved = link.ids or set(), link.resolved or set()
        link.ids = link.resolved = None
        if ids and self.graph is not None and page.ident in self.graph:
            ids = ids - self.graph.succ(page.ident).keys() - self.graph.pred(page.ident).keys()
        if self.plan.by_id.get(page.ident) is page:
            ids.discard(page.ident)
        return (*sorted(ids), *sorted(resolved, key=repr))

    def node_page(self, page: Page) -> str:
        link = self.linker("../")
        link.ids, link.resolved = set(), set()
        links_out, backlinks = P.edges_of(self.graph, page.ident, link.named)
        svg = graphview.local_svg(self.graph, page.ident, link.label, link.url, link.kind, link.svg_facts)
        common: dict[str, Any] = {"page": page, "links_out": links_out, "backlinks": backlinks, "local_graph": svg}
        term = page.term
        if page.kind == "term" and term is not None:
            by_candidate, other_checks = P.term_checks(term, self.checks_by_term.get(term.id, []))
            return self.render("term.html", page.path, term=term, data=term.data,
                               extra=P.extra_fields(term.data), candidate_checks=by_candidate,
                               other_checks=other_checks, edit_url=self._edit_link(term.file),
                               file_diagnostics=self.diags_by_file.get(term.file, []), **common)
        if page.kind == "module":
            m = page.module
            data = getattr(m, "data", None) or {}
            data = data if isinstance(data, Mapping) else {}
            # Shown in the header: id and title always, summary and status when they are text.
            skip = {"id", "title"} | {k for k in ("summary", "status") if isinstance(data.get(k), str)}
            return self.render("module.html", page.path, module=m, data=data,
                               fields=sorted(((k, v) for k, v in data.items() if k not in skip), key=lambda kv: str(kv[0])),
                               body=getattr(m, "body", "") or "", file=getattr(m, "file", "") or "", **common)
        return self.render("missing.html", page.path, meant=self.typos.get(page.ident, ()), **common)

    def safe_node_page(self, page: Page) -> tuple[str | None, Diagnostic | None]:
        """The page, or a stand-in page plus a ``page-failed`` diagnostic when rendering fails."""
        try:
            return self.node_page(page), None
        except Exception as exc:  # noqa: BLE001 - one page must not stop the site
            file = page.term.file if page.term else str(getattr(page.module, "file", "") or "")
            diag = make("page-failed", file, 0, 0, f"page of '{page.ident}' failed: "
                        f"{type(exc).__name__}: {exc}", term=page.ident)
            try:  # a plain stand-in page keeps every link to it whole
                return self.render("failed.html", page.path, page=page, file=file), diag
            except Exception:  # noqa: BLE001
                return None, diag

    def safe_redirect_page(self, r: Any) -> tuple[str | None, Diagnostic | None]:
        """The redirect page, or None and a ``page-failed`` diagnostic: one alias must not stop the site."""
        try:
            return self.redirect_page(r), None
        except Exception as exc:  # noqa: BLE001
            term = r.target.term
            return None, make("page-failed", term.file if term is not None else "", 0, 0,
                              f"the redirect page of the alias {r.alias!r} failed: {type(exc).__name__}: {exc}",
                              term=r.target.ident)

    def redirect_page(self, r: Any) -> str:
        return self.render("redirect.html", r.path, redirect=r)



__all__ = ["NodePages"]
