"""Incremental rendering: reuse a page from the previous site when nothing it shows changed.

A node page shows its own node (term data and body, module data, or the names that
link to a missing term), its typed links and backlinks with each neighbour's label,
kind, status and URL, the checks and diagnostics of its file, what the ids its header
names and the links its text writes resolve to, and site-wide things (title, configuration).

Why inputs compared with the previous build's, not a hash of every page: hashing
what each of tens of thousands of pages shows (its edges and its neighbours' facts)
was most of a one-term edit's time, for pages that had not changed. Here each kind of input
(a page's term file or module, its term's checks, its file's diagnostics; a node's
shown facts, a node's edges) is one *table* of 16-byte digests, one per page or node,
kept in the build cache; a whole-table digest taken in C (``marshal``) says in one
step whether anything in it changed, and only a table that changed is rebuilt entry
by entry and compared. The pages to render again are those whose own entries
changed, the ends of every changed edge, and the neighbours of a node whose shown
facts changed. Only the title and configuration are one *site key*: when it changes,
every page is rendered again.

Why the plan is not in the site key: adding a term, or a link to a name nobody defines
(a new ``missing/`` page), changes the plan, and rendering every page of a large
site for it costs as much as a cold build. When the plan changed, pages are matched with the previous
build's by their whole row (key, id, kind, label, path, URL: a page that moved to
another file, e.g. by a slug collision, is a new page), nodes by name; each page's
look-ups beyond its graph neighbours (``Linker`` records them while the page renders:
ids named in its header, links its text resolves by name or file) are kept with what
they answered, and a page whose look-ups answer differently under the new plan is
rendered again. Alias pages are kept while their alias and target's row are the same.

A page is linked from the previous site only when the previous site's file is still
the one we wrote (same inode, size and mtime): another build or a person may have
replaced OUT. Hard links are safe because no file of a site is ever modified in
place: every build writes a fresh folder and swaps it in whole (compiler.render.output).
Where links are not possible (another file system), the file is copied.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
from array import array
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Container, Iterable, Mapping, cast

from compiler.diagnostics import ROW
from compiler.incremental.cache import digest

if TYPE_CHECKING:
    from compiler.render.plan import Page, SitePlan

Stamp = tuple[int, int, int]  # inode, size, mtime_ns of a file we wrote

_TERM_FACTS = ("status", "last_updated", "version", "symbol")
_NONE = bytes(16)  # the entry of a page without that input (a missing term has no file)
WIDTH = 16


def _changed_at(old: Any, new: bytes) -> list[int] | None:
    """Positions whose 16-byte entry differs between two blobs; None when ``old`` is no such blob."""
    if not isinstance(old, bytes) or len(old) != len(new):
        return None
    if old == new:
        return []
    # Blocks of 256 entries compared as bytes (C speed), entries only inside a block that differs:
    # an edit changes a few entries of tens of thousands, and this needs no numpy import (a cost of its own).
    block = 256 * WIDTH
    changed: list[int] = []
    for start in range(0, len(new), block):
        stop = start + block
        if old[start:stop] != new[start:stop]:
            changed.extend(i // WIDTH for i in range(start, min(stop, len(new)), WIDTH)
                           if old[i:i + WIDTH] != new[i:i + WIDTH])
    return changed


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
    """What to render again: ``pages`` (node page paths) or ``everything``; ``site_files`` keys the site-wide files.

    ``redirects`` are the alias pages to write again; ``same_plan`` says the plan is the
    previous build's (so every recorded answer of ``deps`` still holds)."""

    everything: bool
    pages: set[str]
    tables: dict[str, Any]  # to keep in the cache for the next build, once this site is in place
    redirects: set[str] = dataclasses.field(default_factory=set)
    same_plan: bool = False
    site_files: dict[str, bytes] = dataclasses.field(default_factory=dict)  # site-wide file -> its key

    def keeps(self, page: "Page") -> bool:
        return not self.everything and page.path not in self.pages


def site_key(renderer: Any) -> bytes:
    """What every page shows: the title and the configuration (the navigation is the templates'). Never the plan:
    what a page shows of the plan (its neighbours' URLs, what its links resolve to) is tracked page by page."""
    return digest((renderer.title, repr(renderer.g.config)))


def plan_digest(plan: "SitePlan", graph: Any = None) -> bytes:
    """The plan's key (``compiler.incremental.plan.plan_key``), or a digest of the plan itself when it has none."""
    return plan.key or digest((
        [(p.key, p.ident, p.kind, p.label, p.path, p.url) for p in plan.pages],
        [(r.alias, r.path, r.target.path) for r in plan.redirects],
        [(k, p.key) for k, p in plan.names.items()], [(f, p.key) for f, p in plan.files.items()],
        list(graph) if graph is not None else None))


def layout_rows(plan: "SitePlan", memo: Mapping[str, Any] | None = None) -> tuple[list, list]:
    """The plan as rows (``plan.record``'s: the memo's own lists when it holds this plan, shared in the cache)."""
    if memo is not None and memo.get("key") == plan.key and plan.key and isinstance(memo.get("pages"), list):
        return memo["pages"], memo["redirects"]
    from compiler.incremental.plan import record

    rows = record(plan)
    return rows["pages"], rows["redirects"]


def _full(row: Any) -> tuple:
    """A page row of ``layout_rows`` with its elided fields filled in: (key, ident, kind, label, path, url)."""
    key, ident, kind, label, path, url = row
    return (key, key if ident is None else ident, kind, key if label is None else label, path,
            path if url is None else url)


def _page_row(p: "Page") -> tuple:
    return (p.key, p.ident, p.kind, p.label, p.path, p.url)


def _valid_layout(layout: Any) -> bool:
    return (isinstance(layout, tuple) and len(layout) == 2 and isinstance(layout[0], list)
            and isinstance(layout[1], list))


def layout_paths(layout: tuple[list, list], names: Iterable[str]) -> list[str]:
    """Every file a stamp is kept for, in a fixed order: the node pages and redirects of the plan
    whose rows are ``layout``, then the site-wide ``names``."""
    return [*(row[4] for row in layout[0]), *(row[1] for row in layout[1]), *names]


def _entries(blob: Any, count: int) -> list[bytes] | None:
    if not isinstance(blob, bytes) or len(blob) != WIDTH * count:
        return None
    return [blob[WIDTH * i:WIDTH * (i + 1)] for i in range(count)]


def _moved(old_keys: list, old_blob: Any, new_keys: list, new_blob: bytes) -> list[int] | None:
    """Positions of ``new_keys`` whose entry is new or differs from the same key's previous one (the orders differ)."""
    old = _entries(old_blob, len(old_keys))
    if old is None:
        return None
    at = dict(zip(old_keys, old))
    return [i for i, k in enumerate(new_keys) if at.get(k) != new_blob[WIDTH * i:WIDTH * (i + 1)]]


def _unwrap(before: Any) -> Any:
    """The blob of a ``(whole digest, blob)`` table entry."""
    return before[1] if isinstance(before, tuple) and len(before) == 2 else None


def _own(page: "Page", digests: Mapping[str, str], typos: Mapping[str, Any]) -> bytes:
    """A page's own node: its term file's content digest (16 bytes), its module's data hashed, a wanted
    term's probable typo (the ids it probably meant, ``SiteRenderer.typos``), or nothing."""
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
    meant = typos.get(page.ident)
    return digest(tuple(p.ident for p in meant)) if meant else _NONE


def _file(page: "Page") -> str:
    if page.term is not None:
        return page.term.file
    return str(getattr(page.module, "file", "") or "") if page.module is not None else ""


def changes(renderer: Any, plan: "SitePlan", digests: Mapping[str, str] | None, before: Mapping[str, Any],
            memo: Mapping[str, Any] | None = None, answer: Callable[[Any], Any] | None = None,
            link_digests: tuple[bytes, bytes] | None = None) -> Changes:
    """Compare this build's inputs with the previous build's ``before`` tables (from ``changes(...).tables``).

    Every table is a blob of 16-byte entries in the order of the plan's pages or of the
    graph's nodes. While the plan is the previous one (its key covers every page's row and
    the graph's node order), entry i of the previous blob is the same page's or node's and
    changed entries are found in one numpy step. When the plan changed (a term added,
    renamed or removed, a new missing page, an alias, a label), pages are matched by their
    whole row (key, id, kind, label, path, URL: a page that moved is a new file) and nodes by
    name; a new page is rendered, and every page whose recorded look-ups (``deps``: ids it
    links by name, links its text resolves) now answer differently is rendered again.
    ``answer(dep)`` is what a look-up answers under this plan (``SiteRenderer.answer``).
    A term is a function of its file's bytes (and of the environment, which the cache key
    covers), so its file's content digest stands for its data and body."""
    graph = renderer.graph
    nodes = graph.nodes if graph is not None else {}
    digests = digests or {}
    pages = plan.pages
    layout = layout_rows(plan, memo)
    tables: dict[str, Any] = {"site": site_key(renderer), "plan_key": plan_digest(plan, graph), "layout": layout}
    old_layout: Any = before.get("layout")  # plain data read back from the cache
    everything = (before.get("site") != tables["site"] or not _valid_layout(old_layout)
                  or not isinstance(before.get("deps"), dict) or not isinstance(before.get("answers"), dict))
    same = (not everything and before.get("plan_key") == tables["plan_key"] and len(old_layout[0]) == len(pages)
            and isinstance(before.get("nodes"), list) and len(before["nodes"]) == len(nodes))
    node_names = before["nodes"] if same else list(nodes)
    tables["nodes"] = node_names
    # Which file each page shows (a term file renamed with the same content is another page).
    old_files = before.get("files")
    tables["files"] = old_files if same and isinstance(old_files, list) else [_file(p) for p in pages]
    rows: list[tuple] = []
    old_rows: list[tuple] = []
    old_at: dict[tuple, int] = {}
    if not everything and not same:
        if isinstance(old_files, list) and len(old_files) == len(old_layout[0]):
            rows = [(*_page_row(p), f) for p, f in zip(pages, tables["files"])]
            old_rows = [(*_full(r), f) for r, f in zip(old_layout[0], old_files)]
            old_at = {r: i for i, r in enumerate(old_rows)}
        else:
            everything = True
    fresh: dict[str, bytes] = {}

    def table(name: str, whole: bytes, make: Callable[[int, Any], bytes]) -> tuple[tuple[bytes, bytes], list[int] | None]:
        """This build's table ``name`` (entry i: ``make(i, page or node)``) and the positions that changed
        (``None`` while the plan changed: ``_moved`` matches them by row). A page table whose whole digest
        is the previous one keeps the previous entry of every page it matches by row."""
        per_page = name in ("checks", "diags")
        items = pages if per_page else node_names
        if same:
            return _blob(before.get(name), whole, lambda: (make(i, x) for i, x in enumerate(items)))
        old = before.get(name)
        entries = (_entries(old[1], len(old_rows)) if per_page and isinstance(old, tuple)
                   and len(old) == 2 and old[0] == whole and old_rows else None)
        if entries is not None:
            blob = b"".join([entries[j] if (j := old_at.get(r)) is not None else make(i, p)
                             for i, (p, r) in enumerate(zip(pages, rows))])
        else:
            blob = b"".join([make(i, x) for i, x in enumerate(items)])
        fresh[name] = blob
        return (whole, blob), None

    # Own inputs: a term's file, a module's data; a term's checks; a file's diagnostics.
    typos = getattr(renderer, "typos", {})
    tables["own"] = b"".join([_own(p, digests, typos) for p in pages])
    own_changed = _changed_at(before.get("own"), tables["own"]) if same else None
    checks = renderer.checks_by_term
    tables["checks"], checks_changed = table(
        "checks", digest(renderer.checks),
        lambda i, p: digest(checks[p.ident]) if p.term is not None and p.ident in checks else _NONE)
    by_file = renderer.diags_by_file
    files = tables["files"]
    tables["diags"], diags_changed = table(
        "diags", digest(list(map(ROW, renderer.diagnostics))),
        lambda i, p: digest(list(map(ROW, by_file[f]))) if (f := files[i]) and f in by_file else _NONE)

    # The graph: what a page shows of each node as a neighbour (its label, kind, status and
    # its page's URL and label), and each node's edges.
    by_id = plan.by_id

    def shown(n: str, a: Mapping[str, Any]) -> bytes:
        p = by_id.get(n)
        return digest((a.get("label"), a.get("kind"), a.get("status"),
                       None if p is None else (p.url, p.label, p.kind)))

    # The whole graph's digest: the link cache's when it has one (the graph is then the stored
    # link result's, see compiler.incremental.linkreuse), else the graph's dicts hashed (every node and edge).
    # The edges are the stored link result's alone (a status edit changes the graph's digest, not theirs).
    known, links = link_digests if link_digests is not None else (None, None)
    nodes_whole: Any
    edges_whole: Any
    if known and links:  # set together
        nodes_whole, edges_whole = (b"graph", known), (b"links", links)
    else:
        nodes_whole, edges_whole = digest(nodes), digest(graph.rows if graph is not None else [])
    tables["facts"], facts_changed = table(
        "facts", digest((nodes_whole, tables["plan_key"])), lambda i, n: shown(n, nodes[n]))
    tables["edges"], edges_changed = table(
        "edges", digest(edges_whole), lambda i, n: digest((graph.succ(n), graph.pred(n))))

    if not everything and not same:
        old_nodes: Any = before.get("nodes") if isinstance(before.get("nodes"), list) else []
        found = [_moved(old_rows, before.get("own"), rows, tables["own"]),
                 _moved(old_rows, _unwrap(before.get("checks")), rows, fresh["checks"]),
                 _moved(old_rows, _unwrap(before.get("diags")), rows, fresh["diags"]),
                 _moved(old_nodes, _unwrap(before.get("facts")), node_names, fresh["facts"]),
                 _moved(old_nodes, _unwrap(before.get("edges")), node_names, fresh["edges"])]
        if None in found:
            everything = True
        else:
            own_changed, checks_changed, diags_changed, facts_changed, edges_changed = found

    # What the site-wide pages show besides: search entries (term and module data, never a
    # body), terms' dates and statuses, the graph's own attributes.
    from compiler.render.search import build_index

    old_index = before.get("index")
    if everything or own_changed is None or not isinstance(old_index, bytes):
        index = b"".join([_NONE if p.kind == "missing" else digest(build_index([p])) for p in pages])
    elif same:
        patched = bytearray(old_index)
        for i in own_changed:
            if pages[i].kind != "missing":
                patched[WIDTH * i:WIDTH * (i + 1)] = digest(build_index([pages[i]]))
        index = bytes(patched)
    else:  # a page whose row and own input are the previous ones has the previous entry
        old = _entries(old_index, len(old_layout[0])) or []
        at = dict(zip(old_rows, old)) if old else {}
        redo = set(own_changed)
        index = b"".join([(_NONE if p.kind == "missing" else digest(build_index([p])))
                          if i in redo or rows[i] not in at else at[rows[i]] for i, p in enumerate(pages)])
    tables["index"] = index
    terms = [(t.id, t.file, t.has_errors, *map(t.data.get, _TERM_FACTS)) for t in renderer.g.terms]
    # The idea map's node attributes: communities colour the graph page, centrality picks the index's key terms.
    ideas = [(n, a["community"], a.get("centrality")) for n, a in nodes.items() if "community" in a]
    symbols = digest([r.to_json() for r in getattr(renderer.g, "symbols", ())])
    files = site_file_keys(tables, digest(dict(graph.attrs) if graph is not None else None), digest(index),
                           digest(terms), digest(ideas), links or None, symbols,
                           digest(sorted((k, [p.ident for p in v]) for k, v in typos.items())))

    if (everything or own_changed is None or checks_changed is None or diags_changed is None
            or facts_changed is None or edges_changed is None):
        return Changes(True, set(), tables, site_files=files)
    dirty = {pages[i].path for i in [*own_changed, *checks_changed, *diags_changed]}
    dirty_ids: set[str] = set()
    if facts_changed or edges_changed:
        dirty_ids.update(node_names[i] for i in edges_changed)
        for n in (node_names[i] for i in facts_changed):  # its neighbours show its label, kind, status and URL
            dirty_ids.add(n)
            dirty_ids.update(graph.succ(n))
            dirty_ids.update(graph.pred(n))
    if dirty_ids:
        dirty.update(p.path for p in pages if p.ident in dirty_ids)
    redirects: set[str] = set()
    if not same:
        # Look-ups that answer differently under this plan: the pages that made them show something else.
        answers = before["answers"]
        moved = {dep for dep, said in answers.items() if answer is None or answer(dep) != said}
        if moved:
            dirty.update(path for path, deps in before["deps"].items() if not moved.isdisjoint(deps))
        was = {r[1]: (r[0], old_rows[r[2]][:6]) for r in old_layout[1]}
        redirects = {r.path for r in plan.redirects if was.get(r.path) != (r.alias, _page_row(r.target))}
    return Changes(False, dirty, tables, redirects, same, files)


def site_file_keys(tables: Mapping[str, Any], attrs: bytes, index: bytes, terms: bytes,
                   ideas: bytes, links: bytes | None = None, symbols: bytes = b"",
                   typos: bytes = b"") -> dict[str, bytes]:
    """Each site-wide file's key: the digest of the tables it is made from, so that one is
    written again only when something it shows changed (a status edit rewrites the index,
    the search index and the graph export, not the checks, problems or wanted pages, nor,
    with the link cache, the graph data).

    Every file shows the title and the configuration (``site``); the rest is read from
    what each one's template and maker use (``SiteRenderer.site_files``). The index shows
    everything: the search entries (``index``), the terms' dates and statuses (``terms``),
    the idea map's communities and centrality (``ideas``) and all of the above. ``links``
    (the link cache's digest of the graph but its statuses, when it has one) stands for the
    nodes and edges in the files that show no status: the wanted page and the graph data. ``typos``
    (the digest of ``SiteRenderer.typos``) is what the wanted page shows of the findings."""
    site, plan, checks, diags = tables["site"], tables["plan_key"], tables["checks"][0], tables["diags"][0]
    graph = (tables["facts"][0], tables["edges"][0], attrs)  # nodes (with the plan), edges, the graph's attributes
    unstated = graph if links is None else (b"links", links)  # the same but the nodes' statuses
    search = digest((site, plan, index))
    return {
        "index.html": digest((site, plan, checks, diags, *graph, index, terms, ideas)),
        "graph.html": digest((site, plan, attrs)),  # page counts, communities
        "checks.html": digest((site, plan, checks)),
        "problems.html": digest((site, plan, diags)),  # findings by code, their counts
        "problems-data.js": digest((site, plan, diags)),  # every finding, for problems.html
        "wanted.html": digest((site, plan, unstated, typos)),  # missing nodes, who links them; probable typos
        "404.html": digest((site,)),
        "search-index.json": search,
        "search-index.js": search,
        "graph-data.js": digest((site, plan, unstated, ideas)),  # labels, kinds, URLs, positions, edges
        "graph.json": digest((site, plan, graph)),
        "symbols.html": digest((site, plan, symbols)),  # the list of symbols, its terms' labels and URLs
        "symbols.json": digest((site, symbols)),
        "sitemap.xml": digest((site, plan)),
    }


def stamps(paths: Iterable[str], kept: Mapping[str, Stamp], skip: Container[str], site: str) -> bytes:
    """The (inode, size, mtime_ns) of each file, flat in the bytes of an int64 array (one plain value to store): a kept
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
    return values.tobytes()


class Previous:
    """The previous site's files as we wrote them: a path is reusable when its stamp still matches.

    The cache holds ``(site key, site-wide names, stamps)``, the stamps in ``layout_paths``
    order of the previous plan's rows (``layout``, learnt with them); they are read only
    under the same site key."""

    def __init__(self, cache: Mapping[str, Any] | None, site: str, key: bytes | None):
        cache = cache or {}
        recorded, layout = cache.get("stamps"), cache.get("layout")  # checked by _valid_layout below
        self.site = site
        self.names: list[str] = []
        self._at: dict[str, int] = {}
        self._values: Any = ()
        if (isinstance(recorded, tuple) and len(recorded) == 3 and key is not None and recorded[0] == key
                and _valid_layout(layout)):
            _, names, values = recorded
            paths = layout_paths(cast(tuple, layout), names)
            if isinstance(values, bytes) and len(values) == 3 * 8 * len(paths):
                self.names = list(names)
                self._at = {p: i for i, p in enumerate(paths)}
                self._values = array("q", values)

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
