"""The site written fast: the previous site's unchanged pages kept, the rest rendered by several processes.

The pages and files are those the render stage makes (compiler.render.site: the same
``SiteRenderer``); what is here decides which of them to make again (compiler.incremental.pages
compares this build's inputs of each page with the last build's) and spreads the making
over processes (compiler.incremental.render_workers). A kept page is hard-linked from
the previous site, so it costs no write.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.incremental import pages as reuse
from compiler.incremental import render_workers as tasks
from compiler.incremental.plan import remembered_plan
from compiler.model import Glossary
from compiler.render.output import OutputError, atomic_output
from compiler.render.plan import Page, SitePlan
from compiler.render.site import (
    SITE_FILES,
    SITE_PAGES,
    RenderStats,
    SiteRenderer,
    SiteWriter,
    ensure_nodes,
    output_failed,
    prepare,
    stats_of,
)


def render_site_fast(glossary: Glossary, out: Path, *, jobs: int = 1, page_cache: dict[str, Any] | None = None,
                     digests: Mapping[str, str] | None = None, leftovers: list[Path] | None = None,
                     link_digests: tuple[bytes, bytes] | None = None,
                     template_cache: Path | None = None) -> tuple[RenderStats, list[Diagnostic]]:
    """The site ``render_site`` writes, written reusing the previous site and with ``jobs`` processes.

    ``page_cache`` (a dict the caller keeps between builds, see compiler.incremental.pages)
    lets unchanged pages be linked from the previous site instead of rendered;
    ``digests`` (term file -> content digest, from the load cache) stand for the terms there,
    and ``link_digests`` for the graph when it is the stored link result's.
    The cache learns this build's inputs and files only once the new site is in place:
    it always describes the site in OUT. With ``leftovers`` (a list), the previous site is
    left for the caller to remove (see ``output.atomic_output``).
    """
    plan = None
    if page_cache is not None:
        with_terms = ensure_nodes(glossary)
        plan = remembered_plan(with_terms.terms, with_terms.modules, with_terms.graph_data, page_cache.setdefault("plan", {}))
        if with_terms.graph_data is not glossary.graph_data:
            link_digests = None
    memo = page_cache.setdefault("memo", {}) if page_cache is not None else None
    glossary, plan, renderer, diags = prepare(glossary, plan, memo, template_cache)
    written = kept = 0
    writer: SiteWriter | None = None
    learnt: dict[str, Any] | None = None
    try:
        with atomic_output(out, forbidden=[glossary.root], leftovers=leftovers) as tmp:
            writer = SiteWriter(tmp)
            learnt, written, kept = _write_site(renderer, plan, out, writer, jobs, page_cache, digests, diags, link_digests)
    except (OutputError, OSError) as exc:
        diags.append(output_failed(out, exc))
        learnt, writer = None, None
    if page_cache is not None and learnt is not None:
        for key in [k for k in page_cache if k not in learnt and k not in ("plan", "memo")]:
            del page_cache[key]  # e.g. an older cache's entries
        page_cache.update(learnt)
    stats = stats_of(plan, renderer, written, writer)
    return (replace(stats, reused=kept) if stats.files else stats), diags


def _write_site(renderer: SiteRenderer, plan: SitePlan, out: Path, writer: SiteWriter, jobs: int,
                page_cache: dict[str, Any] | None, digests: Mapping[str, str] | None,
                diags: list[Diagnostic], link_digests: tuple[bytes, bytes] | None = None
                ) -> tuple[dict[str, Any] | None, int, int]:
    """Fill ``writer``'s folder: unchanged pages linked from ``out``, the rest rendered.

    Returns what the cache should learn once the folder is OUT (None without a cache),
    the node pages written, and how many files were kept from the previous site."""
    writer.copy_assets()
    tmp = writer.base
    old_site, new_site = str(out), str(tmp)
    changes = (reuse.changes(renderer, plan, digests, page_cache, page_cache.get("plan"), renderer.answer,
                             link_digests) if page_cache is not None else None)
    previous = reuse.Previous(page_cache, old_site, changes.tables["site"] if changes is not None else None)
    kept: dict[str, reuse.Stamp] = {}  # path -> stamp of the file linked (a hard link shares it)
    reused = [0]  # pages kept from the previous site, linked or copied: "wrote N pages" says how many changed
    data_files = set(SITE_FILES) - set(SITE_PAGES) - {"404.html"}  # not pages (RenderStats.pages does not count them)

    def keep(path: str, stamp: reuse.Stamp | None = None) -> bool:
        stamp = stamp or previous.stamp(path)
        if stamp is None:
            return False
        if reuse.link_into(f"{old_site}/{path}", f"{new_site}/{path}"):
            kept[path] = stamp  # else a copy (across file systems): stamped afresh below
        reused[0] += path not in data_files
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
        return None, written, reused[0]
    # Kept files keep their stamps; a page that failed to render is not recorded (rendered again next time).
    failed = {todo[i].path for i, size, _, _ in rendered if size < 0}
    values = reuse.stamps(reuse.layout_paths(changes.tables["layout"], names), kept, failed, new_site)
    deps, answers = _look_ups(renderer, plan, todo, rendered, changes, page_cache or {})
    learnt = dict(changes.tables, stamps=(changes.tables["site"], list(names), values), deps=deps, answers=answers,
                  site_files=dict(changes.site_files), reused=len(plan.pages) - len(todo))
    return learnt, written, reused[0]


def _look_ups(renderer: SiteRenderer, plan: SitePlan, todo: Sequence[Page],
               rendered: Sequence[tuple[int, int, Diagnostic | None, tuple]], changes: reuse.Changes,
               before: Mapping[str, Any]) -> tuple[dict[str, tuple], dict[Any, Any]]:
    """Each page's look-ups beyond its neighbours (kept pages keep theirs) and what each answers now.

    Only pages with such look-ups have an entry: most term pages have none, so the tables
    stay small. An answer known from the previous build is reused while the plan is the same."""
    recorded_deps, recorded_answers = before.get("deps"), before.get("answers")
    old: Mapping[str, tuple] = recorded_deps if not changes.everything and isinstance(recorded_deps, dict) else {}
    redone = {todo[i].path: found for i, _, _, found in rendered}
    deps: dict[str, tuple] = {}
    for p in plan.pages:
        found = redone.get(p.path) if p.path in redone else old.get(p.path)
        if found:
            deps[p.path] = found
    known: Mapping[Any, Any] = recorded_answers if changes.same_plan and isinstance(recorded_answers, dict) else {}
    answers: dict[Any, Any] = {}
    for found in deps.values():
        for dep in found:
            if dep not in answers:
                answers[dep] = known[dep] if dep in known else renderer.answer(dep)
    return deps, answers


__all__ = ["render_site_fast"]
