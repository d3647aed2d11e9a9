"""Incremental rendering: reuse a page from the previous site when nothing it shows changed.

A node page shows its own node (term data and body, module data, or the names that
link to a missing term), its typed links and backlinks with each neighbour's label,
kind, status and URL, the checks and diagnostics of its file, and site-wide things
(title, configuration, every page's URL, which body links resolve to).

Why inputs compared with the previous build's, not a hash of every page: hashing
what each of 36k pages shows (its edges and its neighbours' facts) cost ~1.5 s of a
one-term edit at 10k terms, for pages that had not changed. Here each kind of input
is one *table* (term file -> content digest, term -> checks, file -> diagnostics,
node -> shown facts, node -> edges...) kept in the build cache, and a whole-table
digest taken in C (``marshal``) says in one step whether anything in it changed; only
a table that changed is rebuilt entry by entry and compared. The pages to render
again are those whose own entries changed, the ends of every changed edge, and the
neighbours of a node whose shown facts changed. Anything site-wide (the plan: every
page's id, kind, label and URL, the alias redirects, the names body links resolve
to; the title and configuration) is one *site key*: when it changes, every page is
rendered again.

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
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

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
        data = b"m" + marshal.dumps(obj, 2)
    except (ValueError, TypeError):
        data = b"r" + repr(obj).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).digest()


_DIAGNOSTIC_FIELDS = operator.attrgetter(*(
    "severity._value_" if f.name == "severity" else f.name for f in dataclasses.fields(Diagnostic)))
_TERM_FACTS = ("status", "last_updated", "version", "symbol")


def _table(before: Any, whole: bytes, make: Callable[[], dict]) -> tuple[tuple[bytes, dict], set | None]:
    """This build's ``(whole digest, table)`` and the keys whose entry changed since ``before``.

    When the whole digest equals the previous one the previous table still holds (nothing
    changed, nothing to build); ``None`` as the changed keys means "no previous table"."""
    if isinstance(before, tuple) and len(before) == 2 and before[0] == whole and isinstance(before[1], dict):
        return before, set()
    table = make()
    old = before[1] if isinstance(before, tuple) and len(before) == 2 and isinstance(before[1], dict) else None
    return (whole, table), (None if old is None else _diff(old, table))


def _diff(old: Mapping, new: Mapping) -> set:
    """Keys added, removed or changed."""
    changed = {k for k, v in new.items() if old.get(k, _diff) != v}
    changed.update(k for k in old if k not in new)
    return changed


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


def changes(renderer: Any, plan: "SitePlan", digests: Mapping[str, str] | None, before: Mapping[str, Any]) -> Changes:
    """Compare this build's inputs with the previous build's ``before`` tables (from ``changes(...).tables``).

    A term is a function of its file's bytes (and of the environment, which the cache
    key covers), so its file's content digest stands for its data and body."""
    graph = renderer.graph
    succ, pred, nodes = (graph._succ, graph._pred, graph._node) if graph is not None else ({}, {}, {})
    digests = digests or {}
    tables: dict[str, Any] = {"site": site_key(renderer, plan)}
    everything = before.get("site") != tables["site"]
    dirty_ids: set[str] = set()
    dirty: set[str] = set()

    # Own inputs: a term's file, a module's data, a term's checks, a file's diagnostics.
    files: dict[str, Any] = {}
    modules: dict[str, bytes] = {}
    own_pages: list[Page] = []  # pages whose term or module changed (their search entries too)
    old_files, old_modules = before.get("files") or {}, before.get("modules") or {}
    for page in plan.pages:
        if page.term is not None:
            t = page.term
            d = digests.get(t.file) or digest((t.data, t.body, t.body_line, t.former_ids))
            files[t.file] = d
            if old_files.get(t.file) != d:
                own_pages.append(page)
        elif page.module is not None:
            m = page.module
            d = digest((getattr(m, "id", None), str(getattr(m, "file", "") or ""), getattr(m, "data", None),
                        getattr(m, "body", None)))
            modules[page.path] = d
            if old_modules.get(page.path) != d:
                own_pages.append(page)
    tables["files"], tables["modules"] = files, modules
    dirty.update(p.path for p in own_pages)

    checks = renderer.checks_by_term
    tables["checks"], checks_changed = _table(before.get("checks"), digest(renderer.checks),
                                              lambda: {term: digest(c) for term, c in checks.items()})
    dirty_ids.update(checks_changed or ())
    by_file = renderer.diags_by_file
    tables["diags"], changed_files = _table(
        before.get("diags"), digest([_DIAGNOSTIC_FIELDS(d) for d in renderer.diagnostics]),
        lambda: {file: digest([_DIAGNOSTIC_FIELDS(d) for d in diags]) for file, diags in by_file.items()})

    # The graph: what a page shows of each neighbour, and each node's edges.
    tables["nodes"], shown_changed = _table(
        before.get("nodes"), digest(nodes),
        lambda: {n: (a.get("label"), a.get("kind"), a.get("status")) for n, a in nodes.items()})
    tables["edges"], edges_changed = _table(
        before.get("edges"), digest(succ), lambda: {n: digest((succ[n], pred[n])) for n in succ})
    for n in shown_changed or ():
        dirty_ids.add(n)
        if n in succ:
            dirty_ids.update(succ[n])
            dirty_ids.update(pred[n])
    dirty_ids.update(edges_changed or ())

    # What the site-wide pages show besides: search entries (term and module data, never a
    # body), terms' dates and statuses, the graph's own attributes.
    from .search import build_index

    index = dict(before.get("index") or {}) if not everything else {}
    shown = [p.path for p in plan.pages if p.kind != "missing"]
    for page in own_pages if index else (p for p in plan.pages if p.kind != "missing"):
        index[page.path] = digest(build_index([page]))
    tables["index"] = index
    terms = [(t.id, t.file, t.has_errors, *map(t.data.get, _TERM_FACTS)) for t in renderer.g.terms]
    group = digest((tables["site"], tables["checks"][0], tables["diags"][0], tables["nodes"][0],
                    tables["edges"][0], digest(dict(graph.graph) if graph is not None else None),
                    digest(b"".join(index.get(p, b"") for p in shown)), digest(terms)))

    unknown = None in (shown_changed, edges_changed, checks_changed, changed_files) or len(index) != len(shown)
    if everything or unknown:
        return Changes(True, set(), group, tables)
    if changed_files:
        for page in plan.pages:
            file = page.term.file if page.term is not None else (
                str(getattr(page.module, "file", "") or "") if page.module is not None else "")
            if file and file in changed_files:
                dirty.add(page.path)
    if dirty_ids:
        for page in plan.pages:
            if page.ident in dirty_ids:
                dirty.add(page.path)
    return Changes(False, dirty, group, tables)


def stamps(paths: Iterable[str], site: str) -> tuple[list[str], array]:
    """The (inode, size, mtime_ns) of each file we wrote, flat in an array (small to pickle)."""
    paths = list(paths)
    values = array("q")
    for path in paths:
        st = os.stat(f"{site}/{path}")
        values.extend((st.st_ino, st.st_size, st.st_mtime_ns))
    return paths, values


class Previous:
    """The previous site's files as we wrote them: a path is reusable when its stamp still matches."""

    def __init__(self, cache: Mapping[str, Any] | None, site: str):
        recorded = (cache or {}).get("stamps")
        self.site = site
        self._at: dict[str, int] = {}
        self._values: Any = ()
        if isinstance(recorded, tuple) and len(recorded) == 2:
            paths, values = recorded
            if isinstance(values, array) and len(values) == 3 * len(paths):
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
