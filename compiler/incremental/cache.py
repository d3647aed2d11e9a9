"""The incremental-build cache: per-file work keyed by content hashes, stored as plain data.

What is cached, per term file: the validated ``Term`` with its load and schema
diagnostics, and its check results. A file is reused when its stamp (size, mtime,
inode and ctime, as git's index compares them) is unchanged (no read) or, when it
changed, when its content hash is unchanged. Everything that could change a result
without changing a term file goes into one *environment key* (compiler.incremental.inputs);
a cache made under another key is dropped whole.

Safety: the cache holds plain data only (compiler.incremental.codec: marshal's own
types, never code), so reading it cannot run code. Every cache file is also signed with
an HMAC whose key lives outside the project (``$XDG_CACHE_HOME/compile-glossary/key``,
created on first use, mode 0600): a file without a valid signature (corrupt, truncated
by a kill, forged, or made on another machine) is discarded and rebuilt, with an info
diagnostic. A cache file is opened without following symbolic links, must be a regular
file under ``MAX_FILE_BYTES``, and its signature is checked before a byte is decoded.
Writes go to a temporary file that is renamed into place, so a kill mid-write leaves
the previous cache or none.
"""
from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import secrets
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterable

from compiler.codes import make
from compiler.collector import gc_paused
from compiler.diagnostics import Diagnostic
from compiler.incremental.codec import check_rows, checks_of, diagnostic_rows, diagnostics_of, term_of, term_row
from compiler.model import Term

FORMAT = 5  # 5: a module row holds the document's text (its page shows it)
MAGIC = b"CGCACHE2"
RACY_NS = 2_000_000_000  # a file modified this close to the last save is re-hashed, not trusted by its stamp
MAX_FILE_BYTES = 4 << 30  # a larger "cache file" is not one: it is not read
_MAC = 32

Stamp = tuple[int, int, int, int]  # size, mtime_ns, inode, ctime_ns


def file_stamp(st: os.stat_result) -> Stamp:
    """What says a file did not change without reading it: a restored mtime (``cp -p``, ``tar``,
    ``touch -d``) still changes the ctime and usually the inode."""
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns


def key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "compile-glossary" / "key"


def signing_key() -> bytes:
    """The machine-local secret that signs cache files (made on first use)."""
    path = key_file()
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    key = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
    except OSError:
        pass  # an unwritable home: this process still signs and checks with its own key
    return key


def sign(payload: bytes) -> bytes:
    return hmac.new(signing_key(), payload, hashlib.sha256).digest()


def digest_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def environment_key(parts: Iterable[tuple[str, bytes | str]]) -> str:
    """One hash over everything besides the term files that can change a result."""
    h = hashlib.blake2b(digest_size=16)
    for name, value in parts:
        data = value.encode("utf-8", "surrogateescape") if isinstance(value, str) else value
        h.update(name.encode("utf-8") + b"\0" + len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


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
        h.update(marshal.dumps(obj, 2))
    except (ValueError, TypeError):
        h = hashlib.blake2b(b"r", digest_size=16)
        h.update(repr(obj).encode("utf-8", "surrogatepass"))
    return h.digest()


@dataclass
class FileEntry:
    """One term file's cached work. ``blob`` is the plain-data form of (term, diagnostics), made
    once per file content: a save writes the bytes it read (or a load worker made) again."""

    stamp: Stamp
    digest: str
    term: Term | None
    diagnostics: tuple[Diagnostic, ...]
    checks: tuple[Any, ...] | None = None  # CheckResult records, once checked
    check_diagnostics: tuple[Diagnostic, ...] = ()
    blob: bytes | None = field(default=None, repr=False, compare=False)

    def encoded(self) -> bytes:
        if self.blob is None:
            self.blob = marshal.dumps((term_row(self.term) if self.term is not None else None,
                                       diagnostic_rows(self.diagnostics)), 4)
        return self.blob

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Sent from a load worker as its plain-data bytes, which the cache keeps anyway."""
        return (FileEntry.decoded, (self.stamp, self.digest, self.encoded(),
                                    check_rows(self.checks) if self.checks is not None else None,
                                    diagnostic_rows(self.check_diagnostics)))

    @classmethod
    def decoded(cls, stamp: Stamp, digest_: str, blob: bytes, checks: Any, check_diagnostics: Any) -> FileEntry:
        term, diagnostics = marshal.loads(blob)
        size, mtime_ns, inode, ctime_ns = stamp
        loaded = term_of(term) if term is not None else None
        return cls((size, mtime_ns, inode, ctime_ns), digest_, loaded, diagnostics_of(diagnostics),
                   checks_of(checks) if checks is not None else None, diagnostics_of(check_diagnostics), blob)


@dataclass
class CacheState:
    env: str
    saved_ns: int = 0
    files: dict[str, FileEntry] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # later stages' own records, plain data only


def cache_path(folder: Path, kind: str, name: str = "") -> Path:
    """The ``kind`` file (``state``, ``link``, ``noop``) of one (terms folder, output) pair in the cache folder."""
    return folder / f"{kind}-{hashlib.blake2b(name.encode('utf-8', 'surrogateescape'), digest_size=8).hexdigest()}.cache"


def open_regular(path: Path) -> BinaryIO | None:
    """``path`` opened for reading when it is a regular file (not followed through a symbolic
    link, not a FIFO or a device) of at most ``MAX_FILE_BYTES``; None otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if stat.S_ISREG(st.st_mode) and st.st_size <= MAX_FILE_BYTES:
            return os.fdopen(fd, "rb")
    except OSError:
        pass
    os.close(fd)
    return None


def read_signed(path: Path, head: bytes = b"") -> bytes | None:
    """The signed payload of the cache file ``path`` (after ``MAGIC``, its signature and ``head``), or None.

    None when the file is missing, a symbolic link or not a regular file, larger than
    ``MAX_FILE_BYTES``, not made by compile-glossary, signed with another key, or when its
    first bytes after the signature are not ``head`` (another build's file is told by
    them without reading the rest)."""
    start = len(MAGIC) + _MAC
    fh = open_regular(path)
    if fh is None:
        return None
    try:
        with fh:
            first = fh.read(start + len(head))
            if len(first) != start + len(head) or not first.startswith(MAGIC) or first[start:] != head:
                return None
            body = fh.read(MAX_FILE_BYTES)
    except OSError:
        return None
    if not hmac.compare_digest(first[len(MAGIC):start], sign(head + body)):
        return None
    return body


def write_signed(path: Path, body: bytes, head: bytes = b"") -> None:
    """Sign ``head + body`` and write them atomically; errors are ignored (a cache is only a cache)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        sweep(path.parent, f".{path.stem}-*")
        write_atomic(path, f".{path.stem}-", MAGIC, sign(head + body), head, body)
    except OSError:
        pass


def read_state(folder: Path, env: str, name: str = "") -> tuple[CacheState, list[Diagnostic]]:
    """The cached state for ``env``; an empty one (and why, as an info) when unusable."""
    path = cache_path(folder, "state", name)
    if not os.path.lexists(path):
        return CacheState(env), []
    body = read_signed(path)
    try:
        if body is None:
            raise ValueError("it is not a signed cache file of this machine (corrupt, cut short, or made elsewhere)")
        with gc_paused():  # ~10^6 objects and no cycles: collections during the load only walk them
            fmt, stored_env, saved_ns, rows, extra = marshal.loads(body)
            if fmt != FORMAT:
                raise ValueError("it was written by another version of compile-glossary")
            if stored_env != env:
                return CacheState(env), [make("cache-invalid", str(path), 0, 0,
                                              "the build cache was rebuilt: the compiler, schema, configuration, "
                                              "reference data, hooks or templates changed")]
            files = {display: FileEntry.decoded(*entry) for display, *entry in rows}
    except (ValueError, TypeError, EOFError, KeyError, IndexError) as exc:
        return CacheState(env), [make("cache-invalid", str(path), 0, 0, f"the build cache was rebuilt: {exc}")]
    return CacheState(env, saved_ns, files, extra), []


def write_state(folder: Path, state: CacheState, name: str = "") -> None:
    """Sign and write ``state`` atomically; errors are ignored (a cache is only a cache)."""
    state.saved_ns = time.time_ns()
    try:
        rows = [(display, e.stamp, e.digest, e.encoded(), check_rows(e.checks) if e.checks is not None else None,
                 diagnostic_rows(e.check_diagnostics)) for display, e in state.files.items()]
        body = marshal.dumps((FORMAT, state.env, state.saved_ns, rows, state.extra), 4)
    except (ValueError, TypeError):  # a value that is not plain data: no cache rather than a wrong one
        return
    write_signed(cache_path(folder, "state", name), body)


def sweep(folder: Path, pattern: str, older_than_s: float = 600) -> None:
    """Remove temporary files that a build killed mid-write left behind."""
    now = time.time()
    for stale in folder.glob(pattern):
        try:
            if now - stale.lstat().st_mtime > older_than_s:
                stale.unlink()
        except OSError:
            pass


def write_atomic(path: Path, prefix: str, *chunks: bytes) -> None:
    """Write ``chunks`` to a temporary file beside ``path`` (named ``prefix``...), then rename it over
    ``path``: a kill mid-write leaves the previous file or none. The temporary file goes on failure."""
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:  # not joined: a large glossary's state is too large to copy
                fh.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def stamp_matches(entry: FileEntry, st: os.stat_result, saved_ns: int) -> bool:
    """The stamp unchanged, and the file was not touched just before the last save."""
    return entry.stamp == file_stamp(st) and st.st_mtime_ns < saved_ns - RACY_NS


# --- side files: one stage's result beside the state, read only when its key matches ------------

SIDE_KEY_BYTES = 16


def read_side(path: Path, key: bytes) -> bytes | None:
    """The bytes stored in ``path`` under ``key``; None when missing, stale or not to be trusted.

    Why a key in front of the payload: a side file is large (a large glossary's graph is
    megabytes) and most builds that change it change its key, so a stale file is told
    by its first bytes without reading or checking the rest."""
    return read_signed(path, key) if len(key) == SIDE_KEY_BYTES else None


def write_side(path: Path, key: bytes, value: bytes) -> None:
    """Sign and write ``value`` under ``key`` atomically; errors are ignored (a side file is only a cache)."""
    if len(key) == SIDE_KEY_BYTES:
        write_signed(path, value, key)


__all__ = ["CacheState", "FileEntry", "read_state", "write_state", "read_side", "write_side", "cache_path",
           "digest", "digest_bytes", "environment_key", "stamp_matches", "file_stamp", "sign", "signing_key",
           "read_signed", "write_signed", "open_regular", "write_atomic", "key_file", "RACY_NS", "MAGIC", "FORMAT"]
