"""The incremental-build cache: per-file work keyed by content hashes.

What is cached, per term file: the validated ``Term`` with its load and schema
diagnostics, and its check results. A file is reused when its size and mtime are
unchanged (a stamp check, no read) or, when they changed, when its content hash is
unchanged. Everything that could change a result without changing a term file —
the compiler's version, the schema, the configuration, the reference data, the
hooks, the templates — goes into one *environment key*; a cache made under another
key is dropped whole.

Safety: the cache is a pickle, and unpickling runs code, so a cache folder that a
stranger committed must never be trusted. Every cache file is signed with an HMAC
whose key lives outside the project (``$XDG_CACHE_HOME/compile-glossary/key``,
created on first use, mode 0600); a file without a valid signature — corrupt,
truncated by a kill, or forged — is discarded and rebuilt, with an info diagnostic.
Writes go to a temporary file that is renamed into place, so a kill mid-write
leaves the previous cache or none.
"""
from __future__ import annotations

import copyreg
from array import array
import dataclasses
import hashlib
import hmac
import marshal
import os
import pickle
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from compiler.incremental.collector import gc_paused
from compiler.diagnostics import Diagnostic, make
from compiler.model import Location, Term

FORMAT = 3
MAGIC = b"CGCACHE1"
RACY_NS = 2_000_000_000  # a file modified this close to the last save is re-hashed, not trusted by its stamp


def _key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "compile-glossary" / "key"


def signing_key() -> bytes:
    """The machine-local secret that signs cache files (made on first use)."""
    path = _key_file()
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    key = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
    except OSError:
        pass  # an unwritable home: this process still signs and checks with its own key
    return key


def digest_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def environment_key(parts: Iterable[tuple[str, bytes | str]]) -> str:
    """One hash over everything besides the term files that can change a result."""
    h = hashlib.blake2b(digest_size=16)
    for name, value in parts:
        data = value.encode("utf-8") if isinstance(value, str) else value
        h.update(name.encode("utf-8") + b"\0" + len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


@dataclass
class FileEntry:
    size: int
    mtime_ns: int
    digest: str
    term: Any  # compiler.model.Term | None
    diagnostics: tuple[Diagnostic, ...]
    checks: tuple[Any, ...] | None = None  # CheckResult records, once checked
    check_diagnostics: tuple[Diagnostic, ...] = ()
    blob: bytes | None = field(default=None, repr=False, compare=False)  # (term, diagnostics), pickled

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as the bytes of (term, diagnostics), made once per file content.

        Why: the term and its diagnostics never change for a given digest, so a cache
        save re-uses the bytes it read (or that a load worker made) instead of pickling
        every term again: at 10k terms a save went from ~1.8 s to the cost of copying
        the bytes. Size, mtime and checks change without the content and are kept
        beside the bytes."""
        if self.blob is None:
            self.blob = pickle.dumps((self.term, self.diagnostics), protocol=pickle.HIGHEST_PROTOCOL)
        return (_entry, (self.size, self.mtime_ns, self.digest, self.blob, self.checks, self.check_diagnostics))


_NONE = -1  # an unknown end in the packed integers (positions are 1-based, so never -1)
_SEP = "\0"  # between packed pointers: a JSON pointer of a YAML header cannot hold a NUL


class PackedLocations(Mapping[str, Location]):
    """A term's locations as read back from the cache: two objects, a Location made on access.

    Why: a term holds ~60 locations. Unpickling them as ~60 strings, tuples and
    NamedTuples was about half of reading a 10k-term cache, and a location is only
    looked at when a diagnostic is made (references are memoized by the linker).
    Packed, they are one string of pointers and one bytes object of int32 positions
    (four per pointer), split into a table only on the first lookup.
    """

    __slots__ = ("_keys", "_ints", "_table")

    def __init__(self, keys: str, ints: bytes):
        self._keys, self._ints = keys, ints
        self._table: dict[str, int] | None = None

    @classmethod
    def pack(cls, locations: Mapping[str, Location]) -> "PackedLocations | dict[str, tuple[Any, ...]]":
        """The packed form, or plain tuples when a pointer or a position does not fit it."""
        keys = list(locations)
        values = array("i")
        try:
            if any(_SEP in k for k in keys):
                raise ValueError("a pointer holds the separator")
            for loc in locations.values():
                line, column, end_line, end_column = loc
                if min(line, column, _NONE + 1 if end_line is None else end_line,
                       _NONE + 1 if end_column is None else end_column) <= _NONE:
                    raise ValueError("a negative position")
                values.extend((line, column, _NONE if end_line is None else end_line,
                               _NONE if end_column is None else end_column))
        except (OverflowError, TypeError, ValueError):
            return {k: tuple(v) for k, v in locations.items()}
        return cls(_SEP.join(keys), values.tobytes())

    def _index(self) -> dict[str, int]:
        table = self._table
        if table is None:
            keys = self._keys.split(_SEP) if self._ints else []
            table = self._table = {k: i for i, k in enumerate(keys)}
        return table

    def __getitem__(self, pointer: str) -> Location:
        i = self._index()[pointer] * 4
        ints = memoryview(self._ints).cast("i")
        end_line, end_column = ints[i + 2], ints[i + 3]
        return Location(ints[i], ints[i + 1], None if end_line == _NONE else end_line,
                        None if end_column == _NONE else end_column)

    def __iter__(self) -> Iterator[str]:
        return iter(self._index())

    def __len__(self) -> int:
        return len(self._index())

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (PackedLocations, (self._keys, self._ints))


_TERM_FIELDS = tuple(f.name for f in dataclasses.fields(Term))


def _reduce_term(term: Term) -> tuple[Any, tuple[Any, ...]]:
    locations = term.locations
    packed = locations if isinstance(locations, PackedLocations) else PackedLocations.pack(locations)
    return (_term, (tuple(packed if name == "locations" else getattr(term, name) for name in _TERM_FIELDS),))


def _term(values: tuple[Any, ...]) -> Term:
    fields = dict(zip(_TERM_FIELDS, values))
    if isinstance(fields["locations"], dict):  # positions that do not pack: plain tuples
        fields["locations"] = {k: Location(*v) for k, v in fields["locations"].items()}
    return Term(**fields)


copyreg.pickle(Term, _reduce_term)  # terms cross process pipes and reach the cache this way


def _entry(size: int, mtime_ns: int, digest: str, blob: bytes, checks: tuple[Any, ...] | None,
           check_diagnostics: tuple[Diagnostic, ...]) -> FileEntry:
    term, diagnostics = pickle.loads(blob)  # noqa: S301 - inside a payload whose signature was checked
    return FileEntry(size, mtime_ns, digest, term, diagnostics, checks, check_diagnostics, blob)


@dataclass
class CacheState:
    env: str
    saved_ns: int = 0
    files: dict[str, FileEntry] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # later stages' own records (pages, report)


def digest(obj: Any) -> bytes:
    """16 bytes that stand for the value of ``obj`` (plain data: str, numbers, None, lists, dicts...).

    The one content digest of cached inputs: page-reuse tables (compiler.incremental.pages)
    and link keys (compiler.incremental.linkreuse) both use it.

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


def _sign(payload: bytes, key: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()


def side_path(folder: Path, kind: str, name: str = "") -> Path:
    """The ``kind`` file (``state``, ``link``) of one (terms folder, output) pair in the cache folder."""
    return folder / f"{kind}-{hashlib.blake2b(name.encode('utf-8'), digest_size=8).hexdigest()}.pickle"


def state_path(folder: Path, name: str) -> Path:
    """One state file per (terms folder, output): two sites beside each other share the folder, not the file."""
    return side_path(folder, "state", name)


def read_state(folder: Path, env: str, name: str = "") -> tuple[CacheState, list[Diagnostic]]:
    """The cached state for ``env``; an empty one (and why, as an info) when unusable."""
    path = state_path(folder, name)
    if not path.exists():
        return CacheState(env), []
    try:
        blob = path.read_bytes()
        if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 32:
            raise ValueError("not a compile-glossary cache file")
        mac, payload = blob[len(MAGIC):len(MAGIC) + 32], blob[len(MAGIC) + 32:]
        if not hmac.compare_digest(mac, _sign(payload, signing_key())):
            raise ValueError("its signature does not match (corrupt, cut short, or not made on this machine)")
        with gc_paused():  # ~10^6 objects and no cycles: collections during the load only walk them (-25% at 10k)
            fmt, state = pickle.loads(payload)  # noqa: S301 - signed by us, checked above
        if fmt != FORMAT or not isinstance(state, CacheState):
            raise ValueError("it was written by another version of compile-glossary")
    except (OSError, ValueError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError) as exc:
        return CacheState(env), [make("cache-invalid", str(path), 0, 0, f"the build cache was rebuilt: {exc}")]
    if state.env != env:
        return CacheState(env), [make("cache-invalid", str(path), 0, 0,
                                      "the build cache was rebuilt: the compiler, schema, configuration, "
                                      "reference data, hooks or templates changed")]
    return state, []


def _sweep(folder: Path, pattern: str = ".state-*", older_than_s: float = 600) -> None:
    """Remove temporary files that a build killed mid-write left behind."""
    now = time.time()
    for stale in folder.glob(pattern):
        try:
            if now - stale.stat().st_mtime > older_than_s:
                stale.unlink()
        except OSError:
            pass


def write_state(folder: Path, state: CacheState, name: str = "") -> None:
    """Sign and write ``state`` atomically; errors are ignored (a cache is only a cache)."""
    state.saved_ns = time.time_ns()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _sweep(folder)
        payload = pickle.dumps((FORMAT, state), protocol=pickle.HIGHEST_PROTOCOL)
        _write_atomic(state_path(folder, name), ".state-", MAGIC, _sign(payload, signing_key()), payload)
    except OSError:
        pass


def _write_atomic(path: Path, prefix: str, *chunks: bytes) -> None:
    """Write ``chunks`` to a temporary file beside ``path`` (named ``prefix``...), then rename it over
    ``path``: a kill mid-write leaves the previous file or none. The temporary file goes on failure."""
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:  # not joined: a 10k-term state is ~95 MB to copy
                fh.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def stamp_matches(entry: FileEntry, st: os.stat_result, saved_ns: int) -> bool:
    """Size and mtime unchanged, and the file was not touched just before the last save."""
    return (entry.size == st.st_size and entry.mtime_ns == st.st_mtime_ns
            and st.st_mtime_ns < saved_ns - RACY_NS)


# --- side files: one stage's result beside the state, read only when its key matches ------------

SIDE_FORMAT = 1
SIDE_KEY_BYTES = 16


def read_side(path: Path, key: bytes) -> Any | None:
    """The object stored in ``path`` under ``key``; None when it is missing, stale or not to be trusted.

    Why a key in front of the payload: a side file is large (the 10k-term graph is
    ~20 MB) and most builds that change it change its key, so a stale file is told
    by its first bytes without reading or checking the rest. A file whose signature
    does not match (corrupt, cut short, forged) or of another format is ignored:
    the caller recomputes, and the next write replaces it.
    """
    head = len(MAGIC) + 32 + SIDE_KEY_BYTES
    if len(key) != SIDE_KEY_BYTES:
        return None
    try:
        with open(path, "rb") as fh:
            start = fh.read(head)
            if len(start) != head or not start.startswith(MAGIC) or start[len(MAGIC) + 32:] != key:
                return None
            body = fh.read()
        if not hmac.compare_digest(start[len(MAGIC):len(MAGIC) + 32], _sign(key + body, signing_key())):
            return None
        with gc_paused():  # the graph's ~10^6 dicts: collections during the load only walk them
            fmt, value = pickle.loads(body)  # noqa: S301 - signed by us, checked above
    except (OSError, ValueError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError,
            IndexError, KeyError, MemoryError):
        return None
    return value if fmt == SIDE_FORMAT else None


def write_side(path: Path, key: bytes, value: Any) -> None:
    """Sign and write ``value`` under ``key`` atomically; errors are ignored (a side file is only a cache)."""
    if len(key) != SIDE_KEY_BYTES:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _sweep(path.parent, f".{path.stem}-*")
        body = pickle.dumps((SIDE_FORMAT, value), protocol=pickle.HIGHEST_PROTOCOL)
        _write_atomic(path, f".{path.stem}-", MAGIC, _sign(key + body, signing_key()), key, body)
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        pass
