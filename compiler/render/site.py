"""``render_site``: the whole static site, written through ``compiler.render.output``.

The site is the node pages (``compiler.render.nodes``) and the site-wide files
(``compiler.render.sitefiles``), made by one ``SiteRenderer`` per build from templates
in one Jinja2 environment (``compiler.render.environment``).
Pages are written in sorted order with no timestamps, so identical input gives
byte-identical output. A page that fails becomes a ``page-failed`` diagnostic; the
rest of the site is still written.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

from compiler.codes import make
from compiler.diagnostics import Diagnostic
from compiler.load.limits import clean
from compiler.model import Glossary, GraphData
from compiler.render.environment import make_environment
from compiler.render.nodes import NodePages
from compiler.render.output import OutputError, atomic_output
from compiler.render.plan import SitePlan, plan_site
from compiler.render.sitefiles import SITE_FILES, SITE_PAGES, site_files


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
    reused: int = 0  # pages, redirects and site files linked unchanged from the previous site (the fast path)

    def to_json(self) -> dict[str, int]:
        return dict(self.__dict__)


class SiteWriter:
    """Writes files under the temporary site folder; refuses any path that would leave it.

    Why no ``resolve()`` per file: the folder is fresh and only this class creates
    anything in it, so it holds no symbolic link, and a path that stays inside it
    lexically (no ``..``, not absolute, no empty part) stays inside it for real.
    That check costs far less than a ``resolve()``, which stats every component.
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


class SiteRenderer(NodePages):
    """Renders every page kind of one build: the node pages (``NodePages``) and the site-wide files."""

    def site_files(self, names: Iterable[str] | None = None) -> dict[str, str]:
        """The site-wide pages and data files named in ``names`` (all of ``SITE_FILES`` by default).

        Each is made only when asked for: a rebuild writes again only those whose inputs
        changed (``reuse.site_file_keys`` lists what each one is made from; keep the two in step)."""
        return site_files(self, names)


def ensure_nodes(glossary: Glossary) -> Glossary:
    """The glossary, its graph data given a node for every term that has none (as ``add_node`` on a copy would)."""
    graph = _with_every_term(glossary)
    return glossary if graph is glossary.graph_data else replace(glossary, graph_data=graph)


def _with_every_term(glossary: Glossary) -> GraphData:
    graph = glossary.graph_data if glossary.graph_data is not None else GraphData({}, {}, [])
    absent = [t for t in glossary.terms if t.id not in graph]
    if not absent:
        return graph
    nodes = dict(graph.nodes)
    for t in absent:
        nodes.setdefault(t.id, {"kind": "term", "label": t.label, "status": t.data.get("status"), "file": t.file})
    return GraphData(graph.attrs, nodes, list(graph.edges()))


def prepare(glossary: Glossary, plan: SitePlan | None = None, memo: dict | None = None,
            template_cache: Path | None = None) -> tuple[Glossary, SitePlan, SiteRenderer, list[Diagnostic]]:
    """What writing a site starts from: the glossary (every term a node), where every page goes,
    the renderer, and the plan's findings (slug clashes), which the problems page shows too.

    ``plan`` is this glossary's plan when the caller has it; ``memo`` is kept by the caller
    between builds for work the renderer may reuse (the graph layout), ``template_cache`` is
    where compiled templates are kept (the user's own cache folder)."""
    glossary = ensure_nodes(glossary)
    plan = plan if plan is not None else plan_site(glossary.terms, glossary.modules, glossary.graph_data)
    diags: list[Diagnostic] = list(plan.diagnostics)
    glossary = replace(glossary, diagnostics=tuple(glossary.diagnostics) + tuple(diags))
    return glossary, plan, SiteRenderer(glossary, plan, memo, template_cache), diags


def write_all(renderer: SiteRenderer, plan: SitePlan, writer: SiteWriter, diags: list[Diagnostic]) -> int:
    """Render and write every page and file of the site; the node pages written."""
    written = 0
    writer.copy_assets()
    for page in plan.pages:
        html, failed = renderer.safe_node_page(page)
        if html is not None:
            writer.write(page.path, html)
            written += 1
        if failed is not None:
            diags.append(failed)
    for r in plan.redirects:
        html, failed = renderer.safe_redirect_page(r)
        if html is not None:
            writer.write(r.path, html)
        if failed is not None:
            diags.append(failed)
    for rel, text in renderer.site_files().items():
        writer.write(rel, text)
    return written


def stats_of(plan: SitePlan, renderer: SiteRenderer, written: int, writer: SiteWriter | None) -> RenderStats:
    kinds = [p.kind for p in plan.pages]
    files, size = (writer.count, writer.bytes) if writer is not None else (0, 0)
    return RenderStats(pages=written + len(SITE_PAGES) + 1 + len(plan.redirects) if files else 0,
                       terms=kinds.count("term"), modules=kinds.count("module"), missing=kinds.count("missing"),
                       redirects=len(plan.redirects), checks=len(renderer.checks), files=files, bytes=size)


def output_failed(out: Path, exc: Exception) -> Diagnostic:
    """The finding of a site that could not be written: refused (OUT is no site folder) or failed (disk, permissions)."""
    if isinstance(exc, OutputError):
        return make("output-refused", str(out), 0, 0, str(exc))
    return make("output-failed", str(out), 0, 0, f"{type(exc).__name__}: {exc}")


def render_site(glossary: Glossary, out: Path) -> tuple[RenderStats, list[Diagnostic]]:
    """The render stage: the whole site for ``glossary`` written into ``out``, atomically.

    Returns the counts and the render diagnostics (slug clashes, failed pages, a refused or
    unwritable output folder). The previous site stays in place unless the new one was
    written completely. (compiler.incremental.render writes the same site reusing the
    previous one's unchanged pages, and with several processes.)"""
    glossary, plan, renderer, diags = prepare(glossary)
    writer = None
    written = 0
    try:
        with atomic_output(out, forbidden=[glossary.root]) as tmp:
            writer = SiteWriter(tmp)
            written = write_all(renderer, plan, writer, diags)
    except (OutputError, OSError) as exc:
        diags.append(output_failed(out, exc))
        writer = None
    return stats_of(plan, renderer, written, writer), diags



__all__ = ["SITE_FILES", "SITE_PAGES", "RenderStats", "SiteRenderer", "SiteWriter", "make_environment", "render_site",
           "prepare", "write_all", "stats_of", "output_failed", "ensure_nodes"]
