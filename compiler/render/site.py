"""``render_site``: the whole static site, written through ``compiler.render.output``.

Why one Jinja2 environment and one Markdown parser per build: they are costly to
build and hold no per-page state. Templates come from the package resource
``compiler._site`` (the repository's ``site/`` folder), autoescape on, undefined
names are errors (a template bug must fail the tests, not print nothing).
Pages are written in sorted order with no timestamps, so identical input gives
byte-identical output. A page that fails becomes a ``page-failed`` diagnostic; the
rest of the site is still written.
"""
from __future__ import annotations

import json
import os
import posixpath
from dataclasses import dataclass, replace
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import quote, unquote, urlsplit

import jinja2
from markupsafe import Markup, escape

from compiler.codes import make
from compiler.diagnostics import Diagnostic, sorted_diagnostics
from compiler.load.limits import clean
from compiler.model import Glossary, GraphData
from compiler.render.output import OutputError, atomic_output
from compiler.incremental import pages as reuse, render_workers as tasks
from compiler.render import graphview, pages as P
from compiler.render.markdown import make_markdown, render_block, render_field, safe_link
from compiler.render.mathml import formula_html
from compiler.render.plan import Page, SitePlan, plan_site
from compiler.render.search import build_index, index_json
from compiler.render.shell import FastContext, PageRenderer

SITE_PAGES = ("index.html", "graph.html", "checks.html", "symbols.html", "problems.html", "wanted.html")
# Every site-wide file: the pages above, the 404 page, then the data files (SiteRenderer.site_files).
SITE_FILES = (*SITE_PAGES, "404.html", "search-index.json", "search-index.js", "graph-data.js", "graph.json",
              "symbols.json", "sitemap.xml")


@dataclass(frozen=True)
class RenderStats:
    """What was written: page counts by kind, files and bytes."""

    pages: int
    terms: int
    modules: int
    missing: int
    redirects: int
    checks: int
    files: int
    bytes: int

    def to_json(self) -> dict[str, int]:
        return dict(self.__dict__)


def _config_get(config: Any, dotted: str, default: Any = None) -> Any:
    """Read ``a.b`` from an object or a mapping, tolerating either at each level."""
    cur = config
    for part in dotted.split("."):
        if cur is None:
            return default
        cur = cur.get(part) if isinstance(cur, Mapping) else getattr(cur, part, None)
    return default if cur is None else cur


def _template_source(name: str) -> tuple[str, str, Callable[[], bool]]:
    resource = files("compiler._site").joinpath("templates").joinpath(name)
    try:
        text = resource.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise jinja2.TemplateNotFound(name) from exc
    return text, name, lambda: True


def _bytecode_cache(key: str) -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (about 0.2 s a build), in the user's own cache.

    Never in the project's folders: compiled templates are code, and a cache that a
    stranger could commit must never be loaded (see compiler.incremental.cache). ``key`` names
    what the compiled code depends on besides the template's text (``_compile_key``)."""
    import os

    if os.environ.get("COMPILE_GLOSSARY_NO_TEMPLATE_CACHE"):
        return None
    from compiler.version import __version__
    from compiler.incremental.cache import key_file

    folder = key_file().parent / f"templates-{__version__}-{key}"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def _compile_key(env: jinja2.Environment) -> str:
    """Which filters and tests exist and what each asks to be passed: compiled code depends on it.

    Jinja decides when it compiles a template whether a filter gets the context; code
    compiled where a filter was missing would be loaded from the cache by an
    environment that has it, and call it wrongly."""
    import hashlib

    parts = sorted(f"{kind}:{name}:{getattr(func, 'jinja_pass_arg', None)}"
                   for kind, table in (("filter", env.filters), ("test", env.tests)) for name, func in table.items())
    return hashlib.blake2b("\n".join(parts).encode("utf-8"), digest_size=6).hexdigest()


@jinja2.pass_context
def _renderer_filter(ctx: Any, value: Any) -> Any:
    """Stands for ``md`` and ``field`` until a ``SiteRenderer`` sets its own (with the same context argument)."""
    raise RuntimeError("the md and field filters need a SiteRenderer")


def make_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates ship in the package: never re-check them mid-build
        cache_size=-1,
    )
    env.context_class = FastContext
    env.filters.update(show=P.show, num=P.num, measured=P.measured, sorted_items=P.sorted_items, as_list=P.as_list, as_map=P.as_map, formula=formula_html,
                       relation_label=P.relation_label, md=_renderer_filter, field=_renderer_filter)
    env.globals.update(relations=P.RELATIONS, check_statuses=P.STATUSES, relation_groups_html=P.relation_groups,
                       badge_html=P.badge_html, problem_rows_html=P.problem_rows_html, named_links_html=P.named_links_html,
                       file_problems_html=P.file_problems_html, check_rows_html=P.check_rows_html)
    env.bytecode_cache = _bytecode_cache(_compile_key(env))
    return env


class Linker:
    """Links from the pages of one folder depth: relative to that folder, with labels and kinds from the plan.

    One Linker serves every page with the same ``root`` (``SiteRenderer.linker``), so
    the ``<a>`` of a node, made once, is reused on every page that links to it: each
    term page links to dozens of neighbours, and at 10k terms that was ~9% of rendering.
    """

    def __init__(self, plan: SitePlan, graph: Any, root: str):
        self.plan, self.graph, self.root = plan, graph, root
        self._anchors: dict[tuple[str, str | None], Markup] = {}
        self.svg_facts: dict[str, tuple[str, str, str, str | None]] = {}  # see graphview.local_svg
        # While a node page renders: the ids it looked up and the links it resolved (see reuse.changes).
        self.ids: set[str] | None = None
        self.resolved: set[tuple[str, str, str, bool]] | None = None

    def url(self, ident: Any) -> str | None:
        if self.ids is not None and type(ident) is str:
            self.ids.add(ident)
        page = self.plan.by_id.get(ident) if isinstance(ident, str) else None
        return self.root + page.url if page else None

    def page_url(self, page: Page) -> str:
        return self.root + page.url

    def resolve(self, href: str, base_file: str = "", wiki: bool = False) -> str | None:
        """Where a link written in a term file should point on the site, or None (shown as text).

        External http(s)/mailto links stay; ``term:ID``, ``ID``, ``./other.md`` (a file
        of the terms folder, or a name), ``#ID`` and ``[[Name]]`` become the page of that
        term; placeholders (``#``, ``link``, ``...``) and unknown targets become text.
        """
        if self.resolved is not None:
            self.resolved.add((self.root, href, base_file, wiki))
        href = href.strip()
        if wiki:
            page = self.plan.find(href)
            return self.page_url(page) if page else None
        parts = urlsplit(href)
        if parts.scheme in ("http", "https", "mailto"):
            return href
        if parts.scheme == "term":
            page = self.plan.find(unquote(parts.path))
            return self.page_url(page) if page else None
        if parts.scheme or parts.netloc:
            return None
        path = unquote(parts.path)
        if not path:
            page = self.plan.by_id.get(unquote(parts.fragment))
            return self.page_url(page) if page else None
        if path.endswith(".md"):
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(base_file), path))
            page = self.plan.files.get(joined)
            if page:
                return self.page_url(page)
        stem = posixpath.basename(path.rstrip("/"))
        stem = stem[:-3] if stem.endswith(".md") else stem[:-5] if stem.endswith(".html") else stem
        page = self.plan.find(stem) if stem else None
        return self.page_url(page) if page else None

    def label(self, ident: str) -> str:
        if self.ids is not None and type(ident) is str:
            self.ids.add(ident)
        page = self.plan.by_id.get(ident)
        return page.label if page else ident

    def kind(self, ident: str) -> str:
        if self.ids is not None and type(ident) is str:
            self.ids.add(ident)
        page = self.plan.by_id.get(ident)
        return page.kind if page else "missing"

    def a(self, ident: Any, text: Any = None) -> Markup:
        """An ``<a>`` to the page of ``ident`` or plain escaped text when it has none."""
        key = (ident, text) if type(ident) is str and (text is None or type(text) is str) else None
        if self.ids is not None and type(ident) is str:
            self.ids.add(ident)
        if key is not None:
            made = self._anchors.get(key)
            if made is None:
                made = self._anchors[key] = self._a(ident, text)
            return made
        return self._a(ident, text)

    def _a(self, ident: Any, text: Any) -> Markup:
        shown = P.show(ident if text is None else text)
        url = self.url(ident)
        if url is None:
            return Markup(f'<span class="nolink">{escape(shown)}</span>')
        kind = self.kind(ident)
        extra = ' title="not in the glossary yet"' if kind == "missing" else ""
        return Markup(f'<a class="kind-{kind}" href="{escape(url)}"{extra}>{escape(shown)}</a>')


class SiteWriter:
    """Writes files under the temporary site folder; refuses any path that would leave it.

    Why no ``resolve()`` per file: the folder is fresh and only this class creates
    anything in it, so it holds no symbolic link, and a path that stays inside it
    lexically (no ``..``, not absolute, no empty part) stays inside it for real.
    That check is ~20x cheaper than a ``resolve()``, which stats every component.
    """

    def __init__(self, base: Path):
        self.base = base.resolve()
        self.count = 0
        self.bytes = 0
        self._folders: set[str] = set()

    def write(self, rel: str, text: str) -> int:
        """Write ``text`` (UTF-8) at ``rel``; the number of bytes written.

        A file name that is not UTF-8 reaches the pages as lone surrogates (how Python
        decodes it): those are written as U+FFFD, so the page shows the name with a
        replacement character instead of the build failing. (Term text has no surrogates
        left: compiler.load.limits cleaned it as it was read.)"""
        parts = rel.split("/")
        if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise OutputError(f"page path {rel!r} leaves the output folder")
        folder = "/".join(parts[:-1])
        if folder not in self._folders:
            (self.base / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            data = clean(text).encode("utf-8")
        fd = os.open(f"{self.base}/{rel}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        self.count += 1
        self.bytes += len(data)
        return len(data)

    def copy_assets(self) -> None:
        """The site's scripts and styles, with their subfolders (``assets/vendor/``: the graph page's libraries)."""
        def copy(folder: Any, prefix: str) -> None:
            for item in sorted(folder.iterdir(), key=lambda t: t.name):
                if item.name.startswith("."):
                    continue
                if item.is_dir():
                    copy(item, f"{prefix}{item.name}/")
                elif item.is_file():
                    self.write(f"{prefix}{item.name}", item.read_text(encoding="utf-8"))

        copy(files("compiler._site").joinpath("assets"), "assets/")


class SiteRenderer:
    """Holds the per-build state (environment, plan, checks) and renders each page kind."""

    def __init__(self, glossary: Glossary, plan: SitePlan, memo: dict | None = None):
        self.g = glossary
        self.memo = memo  # kept between incremental builds (graph layout); None: compute everything
        self.plan = plan
        self.graph = glossary.graph_data
        self.env = make_environment()
        self.md = make_markdown()
        # md: the Markdown body; field: a header value (``_`` literal, inline when one line).
        self.env.filters.update(md=self._md_filter, field=self._field_filter)
        # The value macro's markup (imported without context, so its text links resolve nowhere).
        self.env.globals["value_html"] = lambda v: P.value_html(v, self._plain_field)
        self.env.globals["ids_html"] = lambda items, link: P.ids_html(items, link, self._plain_field)
        self.env.globals["check_card_html"] = lambda c: P.check_card_html(c, self._plain_field)
        self.templates = PageRenderer(self.env)  # base.html's shell rendered once per folder depth
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
        return self.templates.render(template, dict(root=root, link=self.linker(root), site_title=self.title,
                                                page_path=rel, **ctx))

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
        links_out, backlinks = P.edges_of(self.graph, page.ident)
        link = self.linker("../")
        link.ids, link.resolved = set(), set()
        svg = graphview.local_svg(self.graph, page.ident, link.label, link.url, link.kind, link.svg_facts)
        common = dict(page=page, links_out=links_out, backlinks=backlinks, local_graph=svg)
        if page.kind == "term":
            term = page.term
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
        return self.render("missing.html", page.path, **common)

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

    def site_files(self, names: Iterable[str] | None = None) -> dict[str, str]:
        """The site-wide pages and data files named in ``names`` (all of ``SITE_FILES`` by default).

        Each is made only when asked for: a rebuild writes again only those whose inputs
        changed (``reuse.site_file_keys`` lists what each one is made from; keep the two in step)."""
        @cache  # shared by several files, made for the first that asks
        def idx() -> dict[str, Any]:
            return P.index_context(self.plan, self.checks, self.diagnostics)

        @cache
        def entries() -> list[dict[str, Any]]:
            return build_index(self.plan.pages)

        def graph_data() -> str:
            link = Linker(self.plan, self.graph, "")
            return graphview.as_script("GLOSSARY_GRAPH", graphview.graph_data(self.graph, link.url, link.label,
                                                                             link.kind, self.memo))

        from compiler.checks.symbols import json_text  # the checks' own format, loaded when a site is made

        makers: dict[str, Callable[[], str]] = {
            "index.html": lambda: self.render("index.html", "index.html", idx=idx(),
                                              key_terms=P.key_terms(self.plan, self.graph)),
            "checks.html": lambda: self.render("checks.html", "checks.html", checks=self.checks,
                                               counts=idx()["check_counts"]),
            "problems.html": lambda: self.render("problems.html", "problems.html",
                                                 groups=P.problems_context(self.diagnostics, self.file_pages),
                                                 counts=idx()["counts"]),
            "wanted.html": lambda: self.render("wanted.html", "wanted.html", rows=P.wanted_context(self.plan, self.graph)),
            "symbols.html": lambda: self.render("symbols.html", "symbols.html", rows=self.g.symbols,
                                                conflicts=sum(1 for r in self.g.symbols if r.conflicting)),
            "symbols.json": lambda: json_text(self.g.symbols),  # the list of symbols as data, beside its page
            "graph.html": lambda: self.render(
                "graph.html", "graph.html", counts=idx()["counts"],
                communities=(self.graph.attrs.get("communities") if self.graph is not None else None)),
            # A server shows 404.html at any depth: links from the site's absolute path when known.
            "404.html": lambda: self.render("404.html", "404.html", root=self._absolute_root()),
            "search-index.json": lambda: index_json(entries()),
            "search-index.js": lambda: graphview.as_script("GLOSSARY_SEARCH", entries()),
            "graph-data.js": graph_data,
            "graph.json": lambda: _graph_json(self.graph, {p.ident: p.path for p in self.plan.pages}),
            "sitemap.xml": self._sitemap,
        }
        return {name: makers[name]() for name in (SITE_FILES if names is None else names)}

    def _sitemap(self) -> str:
        base = _config_get(self.g.config, "site.base_url", "") or ""
        base = base if isinstance(base, str) and safe_link(base) else ""
        urls = [*SITE_PAGES, *(p.url for p in self.plan.pages)]
        return self.env.get_template("sitemap.xml").render(base=base.rstrip("/") + "/" if base else "", urls=urls)

    def redirect_page(self, r: Any) -> str:
        return self.render("redirect.html", r.path, redirect=r)

    def safe_redirect_page(self, r: Any) -> tuple[str | None, Diagnostic | None]:
        """The redirect page, or None and a ``page-failed`` diagnostic: one alias must not stop the site."""
        try:
            return self.redirect_page(r), None
        except Exception as exc:  # noqa: BLE001
            term = r.target.term
            return None, make("page-failed", term.file if term is not None else "", 0, 0,
                              f"the redirect page of the alias {r.alias!r} failed: {type(exc).__name__}: {exc}",
                              term=r.target.ident)


def _graph_json(graph: GraphData, urls: Mapping[str, str]) -> str:
    """The node-link export of the graph (compiler.export.writers), each node's url relative to OUT.

    The urls go into the exported node entries (made in graph order), not into the
    graph: rendering leaves the glossary's graph as it is."""
    from compiler.export.writers import node_link_data

    data = node_link_data(graph)
    for entry, node in zip(data["nodes"], graph.nodes):
        entry["url"] = urls.get(node)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str) + "\n"


def _ensure_graph(glossary: Glossary) -> GraphData:
    """The glossary's graph data, with a node for every term that has none (as ``add_node`` on a copy would)."""
    graph = glossary.graph_data if glossary.graph_data is not None else GraphData({}, {}, [])
    absent = [t for t in glossary.terms if t.id not in graph]
    if not absent:
        return graph
    nodes = dict(graph.nodes)
    for t in absent:
        nodes.setdefault(t.id, {"kind": "term", "label": t.label, "status": t.data.get("status"), "file": t.file})
    return GraphData(graph.attrs, nodes, list(graph.edges()))


def render_site(glossary: Glossary, out: Path, *, jobs: int = 1, page_cache: dict[str, Any] | None = None,
                digests: Mapping[str, str] | None = None, leftovers: list[Path] | None = None,
                link_digests: tuple[bytes, bytes] | None = None) -> tuple[RenderStats, list[Diagnostic]]:
    """Write the whole site for ``glossary`` into ``out``, atomically.

    Returns the counts and the render diagnostics (slug clashes, failed pages,
    a refused or unwritable output folder). The previous site stays in place
    unless the new one was written completely.

    ``page_cache`` (a dict the caller keeps between builds, see compiler.incremental.pages)
    lets unchanged pages be linked from the previous site instead of rendered;
    ``digests`` (term file -> content digest, from the load cache) stand for the terms there.
    The cache learns this build's inputs and files only once the new site is in place:
    it always describes the site in OUT. With ``leftovers`` (a list), the previous site is
    left for the caller to remove (see ``output.atomic_output``).
    """
    graph = _ensure_graph(glossary)
    if graph is not glossary.graph_data:
        glossary = replace(glossary, graph_data=graph)
        link_digests = None
    plan = plan_site(glossary.terms, glossary.modules, graph,
                     memo=page_cache.setdefault("plan", {}) if page_cache is not None else None)
    diags: list[Diagnostic] = list(plan.diagnostics)
    # Render diagnostics appear on the problems page too.
    glossary = replace(glossary, diagnostics=tuple(glossary.diagnostics) + tuple(diags))
    renderer = SiteRenderer(glossary, plan, page_cache.setdefault("memo", {}) if page_cache is not None else None)

    written = 0
    stats_files = stats_bytes = 0
    learnt: dict[str, Any] | None = None
    try:
        with atomic_output(out, forbidden=[glossary.root], leftovers=leftovers) as tmp:
            learnt, written, stats_files, stats_bytes = _write_site(renderer, plan, out, tmp, jobs, page_cache,
                                                                    digests, diags, link_digests)
    except OutputError as exc:
        diags.append(make("output-refused", str(out), 0, 0, str(exc)))
        learnt = None
    except OSError as exc:
        diags.append(make("output-failed", str(out), 0, 0, f"{type(exc).__name__}: {exc}"))
        learnt = None
    if page_cache is not None and learnt is not None:
        for key in [k for k in page_cache if k not in learnt and k not in ("plan", "memo")]:
            del page_cache[key]  # e.g. an older cache's entries
        page_cache.update(learnt)
    kinds = [p.kind for p in plan.pages]
    stats = RenderStats(
        pages=written + len(SITE_PAGES) + 1 + len(plan.redirects) if stats_files else 0,
        terms=kinds.count("term"), modules=kinds.count("module"), missing=kinds.count("missing"),
        redirects=len(plan.redirects), checks=len(renderer.checks), files=stats_files, bytes=stats_bytes,
    )
    return stats, diags


def _write_site(renderer: SiteRenderer, plan: SitePlan, out: Path, tmp: Path, jobs: int,
                page_cache: dict[str, Any] | None, digests: Mapping[str, str] | None,
                diags: list[Diagnostic], link_digests: tuple[bytes, bytes] | None = None
                ) -> tuple[dict[str, Any] | None, int, int, int]:
    """Fill ``tmp``: unchanged pages linked from ``out``, the rest rendered.

    Returns what the cache should learn once ``tmp`` is OUT (None without a cache), the
    node pages written, and the files and bytes written."""
    writer = SiteWriter(tmp)
    writer.copy_assets()
    old_site, new_site = str(out), str(tmp)
    changes = (reuse.changes(renderer, plan, digests, page_cache, page_cache.get("plan"), renderer.answer,
                             link_digests) if page_cache is not None else None)
    previous = reuse.Previous(page_cache, old_site, changes.tables["site"] if changes is not None else None)
    kept: dict[str, reuse.Stamp] = {}  # path -> stamp of the file linked (a hard link shares it)

    def keep(path: str, stamp: reuse.Stamp | None = None) -> bool:
        stamp = stamp or previous.stamp(path)
        if stamp is None:
            return False
        if reuse.link_into(f"{old_site}/{path}", f"{new_site}/{path}"):
            kept[path] = stamp  # else a copy (across file systems): stamped afresh below
        return True

    todo = [p for p in plan.pages if not (changes is not None and changes.keeps(p) and keep(p.path))]
    old_keys = (page_cache or {}).get("site_files") if changes is not None else None
    old_keys = old_keys if isinstance(old_keys, dict) else {}
    names = list(SITE_FILES)

    # Each site-wide file is linked while its key is the previous build's, else made and
    # written; never both (a file linked and then written would be written into the old site).
    keys = changes.site_files if changes is not None else {}
    made = [name for name in names if not (name in keys and old_keys.get(name) == keys[name] and keep(name))]
    heavy = tasks.heavy_share(made, len(plan.pages), jobs)  # made by the workers when there are some

    def site_wide() -> None:
        """Redirects and the site-wide files not in ``heavy``: this process's share."""
        for r in plan.redirects:
            if not (changes is not None and not changes.everything and r.path not in changes.redirects
                    and keep(r.path)):
                html, failed = renderer.safe_redirect_page(r)
                if html is not None:
                    writer.write(r.path, html)
                if failed is not None:
                    diags.append(failed)
        for rel, text in renderer.site_files([name for name in made if name not in heavy]).items():
            writer.write(rel, text)

    rendered, heavy_sizes = tasks.render_pages(renderer, todo, tmp, jobs, site_wide, heavy)
    writer.count += len(heavy_sizes)
    writer.bytes += sum(heavy_sizes.values())
    for _, size, diag, _ in rendered:
        if diag is not None:
            diags.append(diag)
        if size >= 0:
            writer.count += 1
            writer.bytes += size
    written = len(plan.pages) - len(todo) + sum(1 for _, size, _, _ in rendered if size >= 0)
    if changes is None:
        return None, written, writer.count, writer.bytes
    # Kept files keep their stamps; a page that failed to render is not recorded (rendered again next time).
    failed = {todo[i].path for i, size, _, _ in rendered if size < 0}
    values = reuse.stamps(reuse.layout_paths(changes.tables["layout"], names), kept, failed, new_site)
    deps, answers = _look_ups(renderer, plan, todo, rendered, changes, page_cache)
    learnt = dict(changes.tables, stamps=(changes.tables["site"], list(names), values), deps=deps, answers=answers,
                  site_files=dict(changes.site_files), reused=len(plan.pages) - len(todo))
    return learnt, written, writer.count, writer.bytes


def _look_ups(renderer: SiteRenderer, plan: SitePlan, todo: Sequence[Page],
               rendered: Sequence[tuple[int, int, Diagnostic | None, tuple]], changes: reuse.Changes,
               before: Mapping[str, Any]) -> tuple[dict[str, tuple], dict[Any, Any]]:
    """Each page's look-ups beyond its neighbours (kept pages keep theirs) and what each answers now.

    Only pages with such look-ups have an entry: most term pages have none, so the tables
    stay small. An answer known from the previous build is reused while the plan is the same."""
    old = before.get("deps") if not changes.everything and isinstance(before.get("deps"), dict) else {}
    redone = {todo[i].path: found for i, _, _, found in rendered}
    deps: dict[str, tuple] = {}
    for p in plan.pages:
        found = redone.get(p.path) if p.path in redone else old.get(p.path)
        if found:
            deps[p.path] = found
    known = before.get("answers") if changes.same_plan and isinstance(before.get("answers"), dict) else {}
    answers: dict[Any, Any] = {}
    for found in deps.values():
        for dep in found:
            if dep not in answers:
                answers[dep] = known[dep] if dep in known else renderer.answer(dep)
    return deps, answers


__all__ = ["render_site", "RenderStats", "make_environment"]
