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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

from compiler.codes import make
from compiler.diagnostics import Diagnostic
from compiler.incremental import pages as reuse
from compiler.incremental import render_workers as tasks
from compiler.load.limits import clean
from compiler.model import Glossary, GraphData
from compiler.render.environment import make_environment
from compiler.render.nodes import NodePages
from compiler.render.output import OutputError, atomic_output
from compiler.render.plan import Page, SitePlan, plan_site
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

    def to_json(self) -> dict[str, int]:
        return dict(self.__dict__)


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
        assets = files("compiler._site").joinpath("assets")
        for item in sorted(assets.iterdir(), key=lambda t: t.name):
            if item.is_file() and not item.name.startswith("."):
                self.write(f"assets/{item.name}", item.read_text(encoding="utf-8"))


class SiteRenderer(NodePages):
    """Renders every page kind of one build: the node pages (``NodePages``) and the site-wide files."""

    def site_files(self, names: Iterable[str] | None = None) -> dict[str, str]:
        """The site-wide pages and data files named in ``names`` (all of ``SITE_FILES`` by default).

        Each is made only when asked for: a rebuild writes again only those whose inputs
        changed (``reuse.site_file_keys`` lists what each one is made from; keep the two in step)."""
        return site_files(self, names)


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


__all__ = ["SITE_FILES", "SITE_PAGES", "RenderStats", "SiteRenderer", "SiteWriter", "make_environment", "render_site"]
