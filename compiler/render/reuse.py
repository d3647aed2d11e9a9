"""Incremental rendering: reuse a page from the previous site when nothing it shows changed.

A node page shows its own node (term data and body, module data, or the names that
link to a missing term), its typed links and backlinks with each neighbour's label,
kind, status and URL, the checks and diagnostics of its file, and site-wide things
(title, configuration, every page's URL, which body links resolve to).

Why inputs compared with the previous build's, not a hash of every page: hashing
what each of 36k pages shows (its edges and its neighbours' facts) cost ~1.5 s of a
one-term edit at 10k terms, for pages that had not changed. Here each kind of input
(a page's term file or module, its term's checks, its file's diagnostics; a node's
shown facts, a node's edges) is one *table* of 16-byte digests, one per page or node,
kept in the build cache; a whole-table digest taken in C (``marshal``) says in one
step whether anything in it changed, and only a table that changed is rebuilt entry
by entry and compared. The pages to render again are those whose own entries
changed, the ends of every changed edge, and the neighbours of a node whose shown
facts changed. Anything site-wide (the plan: every page's id, kind, label and URL,
the alias redirects, the names body links resolve to; the title and configuration)
is one *site key*: when it changes, every page is rendered again.

A page is linked from the previous site only when the previous site's file is still
the one we wrote (same inode, size and mtime): another build or a person may have
replaced OUT. Hard links are safe because no file of a site is ever modified in
place: every build writes a fresh folder and swaps it in whole (compiler.output).
Where links are not possible (another file system), the file is copied.
"""
from __future__ import annotations

import dataclasses
import hashlib
import marshal
import operator
import os
import shutil
from array import array
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Container, Iterable, Mapping

from ..diagnostics import Diagnostic

if TYPE_CHECKING:
    from .plan import Page, SitePlan

Stamp = tuple[int, int, int]  # inode, size, mtime_ns of a file we wrote


def digest(obj: Any) -> bytes:
    """16 bytes that stand for the value of ``obj`` (plain data: str, numbers, None, lists, dicts...).

    Why marshal (version 2): it serialises plain data in C, several times faster than
    ``repr``, and tells apart what repr does (``1`` from ``"1"`` and ``True``, a tuple
    from a list); below version 3 it writes no back-references, so equal values give
    equal bytes in every process. What marshal refuses (a date, an enum, a frozen
    dataclass) is hashed through ``repr``, prefixed so the two never meet. A value
    whose bytes vary between runs (a set's order) can only make a digest differ,
    which renders a page again, never keeps a stale one."""
    try:
        h = hashlib.blake2b(b"m", digest_size=16)
        h.update(marshal.dumps(obj, 2))  # not b"m" + ...: the edges of a 10k site are 18 MB to copy
    except (ValueError, TypeError):
        h = hashlib.blake2b(b"r", digest_size=16)
        h.update(repr(obj).encode("utf-8", "surrogatepass"))
    return h.digest()


_DIAGNOSTIC_FIELDS = operator.attrgetter(*(
    "severity._value_" if f.name == "severity" else f.name for f in dataclasses.fields(Diagnostic)))
_TERM_FACTS = ("status", "last_updated", "version", "symbol")
_NONE = bytes(16)  # the entry of a page without that input (a missing term has no file)
WIDTH = 16


def _changed_at(old: Any, new: bytes) -> list[int] | None:
    """Positions whose 16-byte entry differs between two blobs; None when ``old`` is no such blob."""
    if not isinstance(old, bytes) or len(old) != len(new):
        return None
    if old == new:
        return []
    import numpy as np

    a = np.frombuffer(old, dtype=np.uint64).reshape(-1, WIDTH // 8)
    b = np.frombuffer(new, dtype=np.uint64).reshape(-1, WIDTH // 8)
    return np.flatnonzero((a != b).any(axis=1)).tolist()


def _blob(before: Any, whole: bytes, make: Callable[[], Iterable[bytes]]) -> tuple[tuple[bytes, bytes], list[int] | None]:
    """This build's ``(whole digest, blob of entries)`` and the positions that changed since ``before``.

    When the whole digest equals the previous one the previous blob still holds: nothing
    changed and nothing is built. ``None`` as the positions means "no previous blob"."""
    old = before if isinstance(before, tuple) and len(before) == 2 and isinstance(before[1], bytes) else None
    if old is not None and old[0] == whole:
        return old, []
    blob = b"".join(make())
    return (whole, blob), (None if old is None else _changed_at(old[1], blob))


@dataclasses.dataclass
class Changes:
    """What to render again: ``pages`` (node page paths) or ``everything``; ``group`` keys the site-wide files."""

    everything: bool
    pages: set[str]
    group: bytes
    tables: dict[str, Any]  # to keep in the cache for the next build, once this site is in place

    def keeps(self, page: "Page") -> bool:
        return not self.everything and page.path not in self.pages


def site_key(renderer: Any, plan: "SitePlan") -> bytes:
    """What every page depends on: title, configuration and the plan (every URL, label, kind, alias, name)."""
    plan_key = getattr(plan, "key", None) or digest((
        [(p.key, p.ident, p.kind, p.label, p.path) for p in plan.pages],
        [(r.alias, r.path, r.target.path) for r in plan.redirects],
        [(k, p.key) for k, p in plan.names.items()], [(f, p.key) for f, p in plan.files.items()]))
    return digest((renderer.title, repr(renderer.g.config), plan_key))


def _own(page: "Page", digests: Mapping[str, str]) -> bytes:
    """A page's own node: its term file's content digest (16 bytes), its module's data hashed, or nothing."""
    if page.term is not None:
        t = page.term
        known = digests.get(t.file)
        if isinstance(known, str) and len(known) == 2 * WIDTH:
            try:
                return bytes.fromhex(known)
            except ValueError:
                pass
        return digest((t.data, t.body, t.body_line, t.former_ids))
    if page.module is not None:
        m = page.module
        return digest((getattr(m, "id", None), str(getattr(m, "file", "") or ""), getattr(m, "data", None),
                       getattr(m, "body", None)))
    return _NONE


def _file(page: "Page") -> str:
    if page.term is not None:
        return page.term.file
    return str(getattr(page.module, "file", "") or "") if page.module is not None else ""


def changes(renderer: Any, plan: "SitePlan", digests: Mapping[str, str] | None, before: Mapping[str, Any]) -> Changes:
    """Compare this build's inputs with the previous build's ``before`` tables (from ``changes(...).tables``).

    Every table is a blob of 16-byte entries in the order of the plan's pages or of the
    graph's nodes: both orders are fixed by the site key, so while it holds, entry i of
    the previous blob is the same page's or node's. A blob pickles as one object (the
    tables of a 10k-term site are ~3 MB and cost ~10 ms to read and write). A term is a
    function of its file's bytes (and of the environment, which the cache key covers),
    so its file's content digest stands for its data and body."""
    graph = renderer.graph
    succ, pred, nodes = (graph._succ, graph._pred, graph._node) if graph is not None else ({}, {}, {})
    digests = digests or {}
    pages = plan.pages
    tables: dict[str, Any] = {"site": site_key(renderer, plan)}
    everything = before.get("site") != tables["site"]

    # Own inputs: a term's file, a module's data; a term's checks; a file's diagnostics.
    tables["own"] = b"".join([_own(p, digests) for p in pages])
    own_changed = None if everything else _changed_at(before.get("own"), tables["own"])
    checks = renderer.checks_by_term
    tables["checks"], checks_changed = _blob(
        before.get("checks"), digest(renderer.checks),
        lambda: (digest(checks[p.ident]) if p.term is not None and p.ident in checks else _NONE for p in pages))
    by_file = renderer.diags_by_file
    tables["diags"], diags_changed = _blob(
        before.get("diags"), digest(list(map(_DIAGNOSTIC_FIELDS, renderer.diagnostics))),
        lambda: (digest(list(map(_DIAGNOSTIC_FIELDS, by_file[f]))) if (f := _file(p)) and f in by_file else _NONE
                 for p in pages))

    # The graph: what a page shows of each node as a neighbour, and each node's edges.
    tables["facts"], facts_changed = _blob(
        before.get("facts"), digest(nodes),
        lambda: (digest((a.get("label"), a.get("kind"), a.get("status"))) for a in nodes.values()))
    tables["edges"], edges_changed = _blob(
        before.get("edges"), digest(succ), lambda: (digest((succ[n], pred[n])) for n in succ))

    # What the site-wide pages show besides: search entries (term and module data, never a
    # body), terms' dates and statuses, the graph's own attributes.
    from .search import build_index

    old_index = before.get("index")
    if everything or own_changed is None or not isinstance(old_index, bytes) or len(old_index) != len(tables["own"]):
        index = b"".join([_NONE if p.kind == "missing" else digest(build_index([p])) for p in pages])
    else:
        patched = bytearray(old_index)
        for i in own_changed:
            if pages[i].kind != "missing":
                patched[WIDTH * i:WIDTH * (i + 1)] = digest(build_index([pages[i]]))
        index = bytes(patched)
    tables["index"] = index
    terms = [(t.id, t.file, t.has_errors, *map(t.data.get, _TERM_FACTS)) for t in renderer.g.terms]
    group = digest((tables["site"], tables["checks"][0], tables["diags"][0], tables["facts"][0],
                    tables["edges"][0], digest(dict(graph.graph) if graph is not None else None),
                    digest(index), digest(terms)))

    if everything or None in (own_changed, checks_changed, diags_changed, facts_changed, edges_changed):
        return Changes(True, set(), group, tables)
    dirty = {pages[i].path for i in [*own_changed, *checks_changed, *diags_changed]}
    dirty_ids: set[str] = set()
    if facts_changed or edges_changed:
        names = list(nodes)
        dirty_ids.update(names[i] for i in edges_changed)
        for n in (names[i] for i in facts_changed):  # its neighbours show its label, kind and status
            dirty_ids.add(n)
            dirty_ids.update(succ[n])
            dirty_ids.update(pred[n])
    if dirty_ids:
        dirty.update(p.path for p in pages if p.ident in dirty_ids)
    return Changes(False, dirty, group, tables)


def site_paths(plan: "SitePlan", names: Iterable[str]) -> list[str]:
    """Every file a stamp is kept for, in a fixed order: node pages, redirects, then the site-wide ``names``."""
    return [*(p.path for p in plan.pages), *(r.path for r in plan.redirects), *names]


def stamps(paths: Iterable[str], kept: Mapping[str, Stamp], skip: Container[str], site: str) -> array:
    """The (inode, size, mtime_ns) of each file, flat in an array (one object to pickle): a kept
    (hard-linked) file's is known, a new file's is read, a file in ``skip`` gets -1s (never matches)."""
    values = array("q")
    for path in paths:
        stamp = kept.get(path)
        if stamp is None:
            if path in skip:
                stamp = (-1, -1, -1)
            else:
                st = os.stat(f"{site}/{path}")
                stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        values.extend(stamp)
    return values


class Previous:
    """The previous site's files as we wrote them: a path is reusable when its stamp still matches.

    The cache holds ``(site key, site-wide names, stamps)``, the stamps in ``site_paths``
    order; they are read only under the same site key, which fixes that order."""

    def __init__(self, cache: Mapping[str, Any] | None, site: str, plan: "SitePlan", key: bytes | None):
        recorded = (cache or {}).get("stamps")
        self.site = site
        self.names: list[str] = []
        self._at: dict[str, int] = {}
        self._values: Any = ()
        if isinstance(recorded, tuple) and len(recorded) == 3 and key is not None and recorded[0] == key:
            _, names, values = recorded
            paths = site_paths(plan, names)
            if isinstance(values, array) and len(values) == 3 * len(paths):
                self.names = list(names)
                self._at = {p: i for i, p in enumerate(paths)}
                self._values = values

    def stamp(self, path: str) -> Stamp | None:
        """The recorded stamp of ``path`` when the file at it still has it, else None."""
        i = self._at.get(path)
        if i is None:
            return None
        try:
            st = os.stat(f"{self.site}/{path}")
        except OSError:
            return None
        v = self._values
        recorded = (v[3 * i], v[3 * i + 1], v[3 * i + 2])
        return recorded if (st.st_ino, st.st_size, st.st_mtime_ns) == recorded else None


def link_into(old: str | Path, new: str | Path) -> bool:
    """Hard-link ``old`` as ``new`` (True), or copy it across file systems (False); ``new``'s folder is made when missing."""
    try:
        os.link(old, new)
        return True
    except FileNotFoundError:
        if not os.path.exists(old):
            raise
        os.makedirs(os.path.dirname(new), exist_ok=True)
    except OSError:
        shutil.copy2(old, new)
        return False
    try:
        os.link(old, new)
        return True
    except OSError:
        shutil.copy2(old, new)
        return False
