"""Incremental rendering: reuse a page from the previous site when nothing it shows changed.

A node page shows its own node (term data and body, module data, or the names that
link to a missing term), its typed links and backlinks with each neighbour's label,
kind, status and URL, the checks and diagnostics of its file, and site-wide things
(title, configuration, every page's URL, which body links resolve to). The page's
*fingerprint* hashes all of that; when it equals the one recorded for the same path
and the previous site's file is still the one we wrote (same inode, size and mtime),
the file is hard-linked into the new site instead of being rendered again.

Hard links are safe because no file of a site is ever modified in place: every build
writes a fresh folder and swaps it in whole (compiler.output). Where links are not
possible (another file system), the file is copied.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Mapping

from .plan import Page, SitePlan

Entry = tuple[str, int, int, int]  # fingerprint, inode, size, mtime_ns of the file we wrote


def _h(*parts: Any) -> str:
    data = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=repr).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def site_key(renderer: Any, plan: SitePlan) -> str:
    """What every page depends on: title, configuration, and every page's id, kind, label and URL."""
    pages = [(p.key, p.ident, p.kind, p.label, p.path) for p in plan.pages]
    redirects = [(r.alias, r.path, r.target.path) for r in plan.redirects]
    return _h(renderer.title, repr(renderer.g.config), pages, redirects)


def page_fingerprint(renderer: Any, page: Page, key: str) -> str:
    graph = renderer.graph
    near: list[Any] = []
    if graph is not None and page.ident in graph:
        nodes = graph.nodes
        for direction, edges in (("out", graph.out_edges(page.ident, data=True)),
                                 ("in", graph.in_edges(page.ident, data=True))):
            for u, v, d in edges:
                other = v if direction == "out" else u
                attrs = nodes[other]
                near.append((direction, other, d.get("relation"), d.get("declared"), d.get("weight"),
                             attrs.get("label"), attrs.get("kind"), attrs.get("status")))
        near.sort(key=repr)
    own: Any = None
    file = ""
    if page.term is not None:
        t = page.term
        file = t.file
        own = (t.id, t.file, t.data, t.body, t.body_line, t.former_ids)
    elif page.module is not None:
        m = page.module
        file = str(getattr(m, "file", "") or "")
        own = (getattr(m, "id", None), file, getattr(m, "data", None), getattr(m, "body", None))
    checks = renderer.checks_by_term.get(page.ident, []) if page.term is not None else []
    diags = [d.to_json() for d in renderer.diags_by_file.get(file, [])] if file else []
    return _h(key, page.key, page.path, page.kind, page.label, own, near, checks, diags)


def redirect_fingerprint(redirect: Any, key: str) -> str:
    target = redirect.target
    return _h(key, "redirect", redirect.alias, redirect.path, target.path, target.label, target.ident)


def group_fingerprint(renderer: Any, plan: SitePlan, key: str) -> str:
    """What the site-wide pages and data files show: every check, diagnostic, search entry,
    link, and each term's status and dates. Equal for an edit that changes only a body."""
    from .search import build_index

    graph = renderer.graph
    edges = sorted((u, v, d.get("relation"), d.get("declared"), d.get("weight"))
                   for u, v, d in graph.edges(data=True)) if graph is not None else []
    terms = [(t.id, t.file, t.data.get("status"), t.data.get("last_updated"), t.data.get("version"),
              t.data.get("symbol")) for t in renderer.g.terms]
    return _h(key, renderer.checks, [d.to_json() for d in renderer.diagnostics], build_index(plan.pages), edges,
              terms, repr(renderer.g.config))


def reusable(entry: Entry | None, fingerprint: str, old: Path) -> bool:
    if entry is None or entry[0] != fingerprint:
        return False
    try:
        st = old.stat()
    except OSError:
        return False
    return (st.st_ino, st.st_size, st.st_mtime_ns) == tuple(entry[1:])


def link_into(old: Path, new: Path) -> None:
    new.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(old, new)
    except OSError:
        shutil.copy2(old, new)


def record(new: Path, fingerprint: str) -> Entry:
    st = new.stat()
    return (fingerprint, st.st_ino, st.st_size, st.st_mtime_ns)


def previous(cache: Mapping[str, Any] | None) -> dict[str, Entry]:
    pages = (cache or {}).get("pages")
    return dict(pages) if isinstance(pages, dict) else {}
