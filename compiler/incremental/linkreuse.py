"""Reusing the last build's link result when nothing that linking reads has changed.

Why: after a one-term edit of a large glossary, linking (graph, references,
integrity checks) was the largest stage of the rebuild, yet most edits
cannot change its result: a term's Markdown body, and most of its header (definitions,
equation hints, notes, versions, statuses). Linking (:mod:`compiler.link.graph` and
:mod:`compiler.link.integrity`) reads, of each term: its ``id``, ``file`` and ``former_ids``;
of its header data the label (``term``), ``aliases`` and ``status`` (which only becomes
a node attribute: a reused graph is given the statuses of now, :func:`_set_statuses`);
its references (the values at ``REFERENCE_FIELDS``, with where each was written:
``term_references``); and
where ``/canonical_id``, ``/parents``, each alias and each association weight were
written (``Term.location``, which falls back on ``header_lines``). It never reads the
body, the other header fields or their positions. Of each module it reads ``id``,
``title``, ``file``, ``status`` and ``aliases`` (the file name's stem); of the
configuration, ``title`` and ``module_dirs``, which are in the cache's environment key
like all of it. A header edit that changes none of these but a status (a definition on
its own lines, a new equation hint below the links) reuses the link result; one that moves
the lines of a reference (a line added above it) links again, since findings point there.

So a *link key* is made of those fields but the statuses: one digest per term file (a *link digest*,
remembered by the file's content digest in the cache so that unchanged files are not
hashed again), in order, plus one over the modules, the cache's environment and the
networkx version. The parts the graph was filled from and the diagnostics are stored
under that key in a side file of the cache folder (:func:`compiler.incremental.cache.write_side`),
written right after linking and only when the key changed; a build with the same key takes the graph's
data (:class:`compiler.model.GraphData`) from them instead of linking, so nothing imports networkx
unless something asks for the graph itself, and resolves the references again only if something
asks for them (:class:`LateReferences`).
A missing, stale, corrupt or unsigned side file is ignored: the build links as
without a cache, so the result never depends on it.
"""
from __future__ import annotations

import hashlib
import marshal
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

from compiler.collector import gc_paused
from compiler.diagnostics import Diagnostic
from compiler.incremental.cache import digest
from compiler.incremental.codec import diagnostic_rows, diagnostics_of, references_blob, references_of
from compiler.link import GraphResult, link
from compiler.link.references import _UNSET, Reference, Row, node_owners, resolved_references, term_references
from compiler.model import GraphData, Module, Term

if TYPE_CHECKING:
    from pathlib import Path

    from compiler.config import Config

LINK_FORMAT = 3  # bump when what a stored link result holds, or how its key is made, changes
MEMO = "link-digests"  # state.extra: file -> its content digest followed by its link digest (hex)
GRAPH_DIGEST = "link-graph"  # state.extra: (link key, digest of the graph stored under it)
_HEX = 32  # hex digits of a 16-byte digest


def term_link_digest(term: Term, rows: Sequence[Row] | None = None) -> str:
    """Hex digest of what linking reads of ``term`` (see the module docstring).

    ``rows`` are the term's ``term_references`` when already made. Keep this in step with
    what compiler.link.graph and compiler.link.integrity read: ``tests/test_link_reuse.py`` changes
    each of those fields and each field they do not read."""
    rows = term_references(term) if rows is None else rows
    data = term.data
    aliases = data.get("aliases")
    pointers = ["/canonical_id", "/parents", *(f"/aliases/{i}" for i in range(len(aliases) if isinstance(aliases, list)
                                                                                else 0))]
    # check_weights points at the weight beside an association's name
    pointers += [row[5][:-2] + "/1" for row in rows if row[0] == "associated" and row[5].endswith("/0")]
    fields = (term.id, term.file, tuple(term.former_ids), tuple(term.header_lines[:1]), data.get("term"), aliases,
              [term.location(p)[:2] for p in pointers],  # findings show the line and column
              [(*row[:2], row[2] is _UNSET, None if row[2] is _UNSET else row[2], *row[3:]) for row in rows])
    return digest(fields).hex()


def modules_link_digest(modules: Sequence[Module]) -> bytes:
    """Digest of the fields of ``modules`` that linking reads, in order."""
    rows = tuple((m.id, m.title, m.file, m.status, tuple(m.aliases)) for m in modules)
    return digest(rows)


def library_stamp(name: str) -> str:
    """Size and mtime of an installed library's ``__init__.py``, found as the import system finds it
    (no import): an upgrade changes them. Why in the link key: the stored findings come from
    networkx's algorithms (cycles)."""
    import os
    from importlib.machinery import PathFinder

    spec = PathFinder.find_spec(name)
    if spec is None or spec.origin is None:
        return ""
    try:
        st = os.stat(spec.origin)
    except OSError:
        return spec.origin
    return f"{spec.origin}:{st.st_size}:{st.st_mtime_ns}"


def link_key(terms: Sequence[Term], modules: Sequence[Module], env: str, memo: dict[str, str],
             digests: Mapping[str, str], refs: dict | None = None) -> bytes:
    """The 16-byte key of linking ``terms`` and ``modules`` under the cache environment ``env``.

    ``memo`` (kept in the cache) maps a file to its content digest and link digest;
    a file whose content digest (``digests``) is the remembered one is not hashed
    again. Only the files of ``terms`` stay in ``memo``. The references read from a
    file hashed again go into ``refs`` (the memo of ``graph.remembered_references``), so
    that linking, when the key is new, does not read them a second time."""
    h = hashlib.blake2b(digest_size=16)
    for part in (f"link {LINK_FORMAT}", env, library_stamp("networkx")):
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    h.update(modules_link_digest(modules))
    kept: dict[str, str] = {}
    for term in terms:
        file, digest = term.file, digests.get(term.file)
        known = memo.get(file)
        if digest is not None and known is not None and known[:-_HEX] == digest:
            value = known
        else:
            rows = term_references(term)
            value = (digest or "") + term_link_digest(term, rows)
            if refs is not None and digest is not None:
                refs[file] = (digest, references_blob(rows))
        if digest is not None:
            kept[file] = value
        h.update(f"{file}\0{value[-_HEX:]}\0".encode("utf-8", "surrogatepass"))
    memo.clear()
    memo.update(kept)
    return h.digest()


class LateReferences(Sequence[Reference]):
    """The references of a reused link result, resolved again from the terms on first use.

    Why not stored: a build reads only the graph and the diagnostics of a link result,
    and storing them (several per term) was a visible cost of every write and every
    read. They are a function of the node owners and the modules alone
    (:func:`compiler.link.graph.resolved_references`), so resolving them again when someone
    asks gives what linking gave. Compares equal to a tuple of the same references."""

    __slots__ = ("_owners", "_modules", "_items")

    def __init__(self, owners: Mapping[str, Term], modules: Mapping[str, Module]) -> None:
        self._owners, self._modules = owners, modules
        self._items: tuple[Reference, ...] | None = None

    def _all(self) -> tuple[Reference, ...]:
        if self._items is None:
            self._items = tuple(resolved_references(self._owners, self._modules))
        return self._items

    def __getitem__(self, index):
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[Reference]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LateReferences):
            other = other._all()
        return self._all() == other if isinstance(other, tuple) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._all())

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (tuple, (self._all(),))


def encode_result(data: GraphData, diagnostics: Sequence[Diagnostic]) -> bytes:
    """The graph's data and the link diagnostics, as marshal bytes (plain values only: data, never code)."""
    return marshal.dumps((LINK_FORMAT, data.attrs, data.nodes, data.rows, diagnostic_rows(diagnostics)), 4)


def decode_result(value: Any) -> tuple[GraphData, tuple[Diagnostic, ...]] | None:
    """(graph data, diagnostics) from what :func:`encode_result` made; None when it is not that."""
    if not isinstance(value, bytes):
        return None
    fmt, attrs, nodes, rows, diags = marshal.loads(value)
    if fmt != LINK_FORMAT:
        return None
    return GraphData(attrs, nodes, rows), diagnostics_of(diags)


def cached_link(terms: Sequence[Term], modules: Sequence[Module], config: "Config", state: Any,
                folder: "Path", name: str) -> tuple[GraphResult, tuple[bytes, bytes] | None]:
    """:func:`compiler.link.graph.link` with the build cache ``state`` (a ``CacheState``) in ``folder``.

    Returns the last build's graph, diagnostics and references (with this build's
    ``terms`` and ``modules`` mappings) when the link key is the one they were stored
    under; otherwise links, passing the cache's memos to ``link``, and stores the result.
    The second value is the pair of digests of :func:`_graph_digests` (None when not stored).
    """
    from compiler.incremental.cache import cache_path, read_side, write_side

    digests = {file: entry.digest for file, entry in state.files.items()}
    # The configuration is in the cache's environment; what linking reads of it is named here as well.
    env = f"{state.env}\0{config.title!r}\0{tuple(str(p) for p in config.module_dirs)!r}"
    refs = state.extra.setdefault("refs", {})  # each file's references: read for the key, reused by linking
    key = link_key(terms, modules, env, state.extra.setdefault(MEMO, {}), digests, refs)
    path = cache_path(folder, "link", name)
    raw = read_side(path, key)
    try:
        with gc_paused():  # ~10^6 dicts and records, no cycles
            stored = decode_result(raw) if raw is not None else None
    except (ValueError, TypeError, EOFError, KeyError, IndexError):  # signed by us, yet not what this version writes
        stored = None
    if stored is not None and raw is not None:
        data, diagnostics = stored
        _, owners, module_map = node_owners(terms, modules)
        statuses = _set_statuses(data, owners)
        return (GraphResult(data, diagnostics, LateReferences(owners, module_map), owners, module_map),
                _graph_digests(state, key, raw, statuses))
    rows = {file: references_of(blob) for file, (digest_, blob) in refs.items() if digests.get(file) == digest_}
    result = link(terms, modules, config, memo=state.extra.setdefault("suggest", {}), rows=rows)
    _remember_rows(refs, result.terms.values(), digests, rows)
    try:
        encoded = encode_result(result.data, result.diagnostics)
    except ValueError:  # a value marshal does not write: not stored, the next build links again
        return result, None
    write_side(path, key, encoded)
    return result, _graph_digests(state, key, encoded, _statuses(result.terms))


def _remember_rows(refs: dict, owners: Any, digests: Mapping[str, str], known: Mapping[str, Sequence[Row]]) -> None:
    """Keep each owner's references (by its file's content digest) for the next build's link, and only those."""
    kept = {}
    for term in owners:
        digest_ = digests.get(term.file)
        if digest_ is None:
            continue
        old = refs.get(term.file)
        kept[term.file] = old if old is not None and old[0] == digest_ else (
            digest_, references_blob(known[term.file] if term.file in known else term_references(term)))
    refs.clear()
    refs.update(kept)


def _statuses(owners: Mapping[str, Term]) -> list[str | None]:
    """The status of each term's node, as ``graph_parts`` sets it (a text, else None)."""
    return [status if isinstance(status := term.data.get("status"), str) else None for term in owners.values()]


def _set_statuses(data: GraphData, owners: Mapping[str, Term]) -> list[str | None]:
    """Give each term node of a reused graph its term's status now; the statuses, in node order.

    Why statuses are not in the link key: nothing else of linking reads them (no check, no
    edge), yet moving a term from draft to candidate is one of the most common edits; it
    now keeps the link result (linking is the largest stage of such a rebuild) and sets the
    one attribute it changes."""
    statuses = _statuses(owners)
    nodes = data.nodes  # made for this build by decode_result: nobody else holds them
    for ident, status in zip(owners, statuses):
        attrs = nodes.get(ident)
        if attrs is not None and attrs.get("kind") == "term":
            attrs["status"] = status
    return statuses


def _graph_digests(state: Any, key: bytes, stored: bytes, statuses: Sequence[str | None]) -> tuple[bytes, bytes]:
    """16 bytes standing for the graph of the link result stored as ``stored`` under ``key``, its
    term nodes given ``statuses`` (:func:`_set_statuses`); and 16 standing for it but the statuses.

    The graph is a function of those bytes and statuses (:func:`decode_result`), so equal digests mean
    equal graphs, nodes, attributes, edges and their order included; page reuse
    (compiler.incremental.pages) then need not hash the graph's dicts (every node and edge).
    Unequal digests may still be equal graphs (the bytes hold the link findings too), which
    only makes page reuse compare the graph node by node. Remembered in the cache beside the
    key, so a build that reuses the result does not hash its megabytes again. The second digest
    (the stored bytes' own) lets a status edit keep the site files that show no status: the
    graph data and the wanted page."""
    known = state.extra.get(GRAPH_DIGEST)
    if isinstance(known, tuple) and len(known) == 2 and known[0] == key and isinstance(known[1], bytes):
        value = known[1]
    else:
        value = hashlib.blake2b(stored, digest_size=16, person=b"link-graph").digest()
        state.extra[GRAPH_DIGEST] = (key, value)
    return hashlib.blake2b(value + marshal.dumps(list(statuses), 2), digest_size=16).digest(), value


__all__ = ["cached_link", "LateReferences", "link_key", "term_link_digest", "modules_link_digest",
           "encode_result", "decode_result", "LINK_FORMAT", "library_stamp"]
