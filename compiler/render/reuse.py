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

import dataclasses
import hashlib
import operator
import os
import shutil
from pathlib import Path
from typing import Any, Mapping

from ..diagnostics import Diagnostic
from .plan import Page, SitePlan

Entry = tuple[str, int, int, int]  # fingerprint, inode, size, mtime_ns of the file we wrote


def _h(*parts: Any) -> str:
    """A hash of ``repr(parts)``.

    Why repr, not JSON: it is several times faster and tells more apart (``1`` from
    ``"1"``, a tuple from a list). Every part is plain data (str, numbers, None,
    tuples, lists, dicts in the loader's deterministic order, frozen dataclasses); an
    object whose repr were not stable between runs could only make a fingerprint
    differ, which re-renders a page, never keeps a stale one."""
    data = repr(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def site_key(renderer: Any, plan: SitePlan) -> str:
    """What every page depends on: title, configuration, and every page's id, kind, label and URL."""
    pages = [(p.key, p.ident, p.kind, p.label, p.path) for p in plan.pages]
    redirects = [(r.alias, r.path, r.target.path) for r in plan.redirects]
    return _h(renderer.title, repr(renderer.g.config), pages, redirects)


_ENDS = operator.itemgetter(0, 1)
_DIAGNOSTIC_FIELDS = operator.attrgetter(*(
    "severity._value_" if f.name == "severity" else f.name for f in dataclasses.fields(Diagnostic)))


class Fingerprints:
    """The fingerprints of one build's pages, sharing what several pages hash.

    Why a class: a file's diagnostics and a term's checks appear in its page and
    again in the site-wide pages; their text is made once here (a Diagnostic's
    fields through one ``attrgetter``, not its dataclass ``repr``), which made the
    fingerprints of a 10k-term site about twice as cheap.
    """

    def __init__(self, renderer: Any, plan: SitePlan, digests: Mapping[str, str] | None = None):
        self.renderer, self.plan, self.digests = renderer, plan, digests or {}
        self.key = site_key(renderer, plan)
        # Digests, not text: a page's hash then takes 16 bytes for them instead of re-escaping kilobytes.
        self.diags = {file: _h([_DIAGNOSTIC_FIELDS(d) for d in diags]) for file, diags in renderer.diags_by_file.items()}
        self.checks = {term: _h(checks) for term, checks in renderer.checks_by_term.items()}
        graph = renderer.graph
        # networkx's own adjacency dicts: the public views cost a wrapper object per lookup.
        self._succ, self._pred, self._node = (graph._succ, graph._pred, graph._node) if graph is not None else ({}, {}, {})
        self._shown: dict[str, tuple[Any, Any, Any]] | None = None

    def _near(self, ident: str) -> list[Any]:
        """Every edge of ``ident`` with what its page shows of the other end, in a stable order."""
        if ident not in self._node:
            return []
        shown = self._shown
        if shown is None:  # what a page shows of a neighbour: made once per node, not once per edge
            shown = self._shown = {n: (a.get("label"), a.get("kind"), a.get("status")) for n, a in self._node.items()}
        near = [("out", other, d.get("relation"), d.get("declared"), d.get("weight"), shown[other])
                for other, keyed in self._succ[ident].items() for d in keyed.values()]
        near += [("in", other, d.get("relation"), d.get("declared"), d.get("weight"), shown[other])
                 for other, keyed in self._pred[ident].items() for d in keyed.values()]
        near.sort(key=_ENDS)  # stable: edges between the same two nodes keep the graph's order
        return near

    def page(self, page: Page) -> str:
        """Everything a node page shows, hashed.

        A term is a function of its file's bytes (and of the environment, which the
        cache key covers), so its file's content digest stands for its data and body
        when the load cache has it: hashing the digest instead of the parsed data made
        the fingerprints of a 1k-term site ~4x cheaper."""
        own: Any = None
        file = ""
        if page.term is not None:
            t = page.term
            file = t.file
            digest = self.digests.get(file)
            own = (t.id, file, digest) if digest else (t.id, file, t.data, t.body, t.body_line, t.former_ids)
        elif page.module is not None:
            m = page.module
            file = str(getattr(m, "file", "") or "")
            own = (getattr(m, "id", None), file, getattr(m, "data", None), getattr(m, "body", None))
        checks = self.checks.get(page.ident, "") if page.term is not None else ""
        diags = self.diags.get(file, "") if file else ""
        return _h(self.key, page.key, page.path, page.kind, page.label, own, self._near(page.ident), checks, diags)

    def redirect(self, redirect: Any) -> str:
        target = redirect.target
        return _h(self.key, "redirect", redirect.alias, redirect.path, target.path, target.label, target.ident)

    def group(self) -> str:
        """What the site-wide pages and data files show: every check, diagnostic, search entry,
        link, and each term's status and dates. Equal for an edit that changes only a body."""
        from .search import build_index

        renderer = self.renderer
        edges = sorted(((u, v, d.get("relation"), d.get("declared"), d.get("weight"))
                        for u, nbrs in self._succ.items() for v, keyed in nbrs.items() for d in keyed.values()), key=_ENDS)
        terms = [(t.id, t.file, t.data.get("status"), t.data.get("last_updated"), t.data.get("version"),
                  t.data.get("symbol")) for t in renderer.g.terms]
        diags = [self.diags[file] for file in sorted(self.diags)]
        return _h(self.key, renderer.checks, diags, build_index(self.plan.pages), edges, terms,
                  repr(renderer.g.config))


def reusable(entry: Entry | None, fingerprint: str, old: str | Path) -> bool:
    if entry is None or entry[0] != fingerprint:
        return False
    try:
        st = os.stat(old)
    except OSError:
        return False
    return (st.st_ino, st.st_size, st.st_mtime_ns) == tuple(entry[1:])


def link_into(old: str | Path, new: str | Path) -> None:
    """Hard-link ``old`` as ``new`` (a copy across file systems); ``new``'s folder is made when missing."""
    try:
        os.link(old, new)
        return
    except FileNotFoundError:
        if not os.path.exists(old):
            raise
        os.makedirs(os.path.dirname(new), exist_ok=True)
    except OSError:
        shutil.copy2(old, new)
        return
    try:
        os.link(old, new)
    except OSError:
        shutil.copy2(old, new)


def record(new: str | Path, fingerprint: str) -> Entry:
    st = os.stat(new)
    return (fingerprint, st.st_ino, st.st_size, st.st_mtime_ns)


def previous(cache: Mapping[str, Any] | None) -> dict[str, Entry]:
    pages = (cache or {}).get("pages")
    return dict(pages) if isinstance(pages, dict) else {}
