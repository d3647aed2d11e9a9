"""Atomic output: a site is swapped in whole, or not at all.

Why: a build killed half-way (CI timeout, Ctrl-C, SIGKILL) must leave the site
people are reading untouched, and two builds into one folder must never mix.

How: under a lock file beside OUT (``.OUT.lock``, ``flock``: a second build waits),
the new site is written into a fresh folder beside OUT (``.OUT.tmp-XXXX``, same
file system), then exchanged with OUT in one ``renameat2(RENAME_EXCHANGE)`` call
(Linux), so there is no moment at which OUT is missing or half-written; the old
site, now at the temporary name, is then removed. Where that call is missing the
fallback is two renames (OUT → ``.OUT.old-XXXX``, temp → OUT) with the old copy
restored on the next run if a kill landed between them. Temporary folders carry
a marker file, and only folders with that marker, beside OUT, are ever cleaned up.

Nothing outside OUT is deleted (the temporary folders are our own). An OUT that
is ``/``, the home folder, the terms folder, an ancestor of any of these, or an
existing non-empty folder that was not built by us, is refused.
"""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

MARKER = ".compile-glossary"  # written into every site we build
TMP_MARKER = ".compile-glossary-tmp"  # written into every temporary folder first
MARKER_TEXT = "This folder was built by compile-glossary and is replaced whole on each build.\n"
_RENAME_EXCHANGE = 2


class OutputError(Exception):
    """OUT cannot be used (refused or not writable); the message says why."""


def _renameat2() -> object | None:
    """libc's ``renameat2``, or None. ctypes is imported here, once a site is swapped in:
    the no-op and analysis commands never need it. The running program's own symbols
    (``CDLL(None)``) include libc's, without ``find_library`` looking for its file."""
    import ctypes

    fn = None
    for name in (None, "libc.so.6"):
        try:
            fn = ctypes.CDLL(name, use_errno=True).renameat2
            break
        except (OSError, AttributeError):
            continue
    if fn is None:
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False when the system cannot (then nothing changed)."""
    fn = _renameat2()
    if fn is None:
        return False
    at_fdcwd = -100
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)  # type: ignore[operator]
    if rc == 0:
        return True
    import ctypes

    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _is_within(child: Path, parent: Path) -> bool:
    try:
        child.relative_to(parent)
        return True
    except ValueError:
        return False


def check_target(out: Path, forbidden: Iterable[Path] = ()) -> Path:
    """The absolute OUT, or OutputError when writing there could destroy something else."""
    out = Path(os.path.abspath(out))
    if out.exists() and out.is_symlink():
        raise OutputError(f"{out} is a symbolic link; give the real folder as the output")
    out_real = out.parent.resolve() / out.name
    protected = [Path("/"), Path.home()] + [Path(p) for p in forbidden]
    for p in protected:
        p_real = Path(os.path.abspath(p)).resolve()
        if out_real == p_real or _is_within(p_real, out_real):
            raise OutputError(f"refusing to write the site to {out}: it is or contains {p_real}")
    if out_real.exists():
        if not out_real.is_dir():
            raise OutputError(f"{out} exists and is not a folder")
        if any(out_real.iterdir()) and not (out_real / MARKER).is_file():
            raise OutputError(
                f"{out} is not empty and was not built by compile-glossary; "
                "choose another output folder or empty it first"
            )
    return out_real


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``path``; removed on release without racing a waiter.

    After locking, the file we hold must still be the one at ``path`` (a releasing
    build may have unlinked it); otherwise try again. The lock is opened without
    following a symbolic link (``O_NOFOLLOW``): ``O_CREAT`` would otherwise create the
    file a planted ``.OUT.lock -> /elsewhere`` names, outside OUT's folder.
    """
    import fcntl

    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    while True:
        try:
            fd = os.open(path, flags, 0o644)
        except OSError:
            if os.path.islink(path):
                raise OutputError(f"the lock file {path} is a symbolic link; remove it (it was not followed)") from None
            raise
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.fstat(fd).st_ino == os.lstat(path).st_ino
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        os.close(fd)


def _remove_tree(folder: Path) -> None:
    """Delete one of our temporary folders, its marker files last.

    Why the order: a kill in the middle must leave a folder that the next build still
    recognises as ours (by its marker) and removes; plain ``rmtree`` may delete the
    marker first and strand the rest.
    """
    markers = {MARKER, TMP_MARKER}
    with contextlib.suppress(FileNotFoundError):
        for entry in sorted(folder.iterdir()):
            if entry.name in markers:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()
    for name in sorted(markers):
        with contextlib.suppress(FileNotFoundError):
            (folder / name).unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()


def _ours(folder: Path) -> bool:
    """A folder at one of our temporary names that we wrote: it has one of our markers (or is empty)."""
    if not folder.is_dir() or folder.is_symlink():
        return False
    return (folder / TMP_MARKER).is_file() or (folder / MARKER).is_file() or not any(folder.iterdir())


def _recover(out: Path) -> None:
    """Put back a site a kill left at ``.OUT.old-*``; remove our stale temporary folders."""
    parent, name = out.parent, out.name
    olds = sorted(parent.glob(f".{name}.old-*"))
    if not out.exists():
        for old in olds:
            if _ours(old):
                with contextlib.suppress(FileNotFoundError):
                    (old / TMP_MARKER).unlink()
                os.rename(old, out)
                olds.remove(old)
                break
    for stale in olds + sorted(parent.glob(f".{name}.tmp-*")):
        if _ours(stale):
            _remove_tree(stale)


@contextlib.contextmanager
def atomic_output(out: Path, *, forbidden: Iterable[Path] = (),
                  leftovers: list[Path] | None = None) -> Iterator[Path]:
    """Yield an empty folder to write the site into; it becomes OUT when the block ends.

    If the block raises (or the process dies), OUT is left exactly as it was and
    the temporary folder is removed (now, or by the next build). ``forbidden``
    lists folders that must never be OUT or inside it (the terms folder).
    With ``leftovers`` (a list), the previous site, once swapped out, is appended
    there for the caller to remove with :func:`remove_leftover` (a build does that
    beside its report); if nobody does, the next build removes it.
    """
    target = check_target(out, forbidden)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock(target.parent / f".{target.name}.lock"):
        _recover(target)
        check_target(target, forbidden)  # again, under the lock
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
        old_site = None
        try:
            (tmp / TMP_MARKER).write_text("", encoding="utf-8")
            os.chmod(tmp, 0o755)
            site = tmp
            yield site
            (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            old_site = _swap_in(tmp, target)
        finally:
            if leftovers is not None and old_site is not None:
                leftovers.append(old_site)
            elif old_site is not None:
                _remove_tree(old_site)
            elif tmp.exists():  # the block or the swap failed: this build's own folder goes
                _remove_tree(tmp)


def remove_leftover(folder: Path) -> bool:
    """Remove a previous site that :func:`atomic_output` swapped out (see its ``leftovers``).

    Two processes may offer to (a build's report and its cache writer: whoever is free
    first): the folder is claimed by renaming it, so exactly one removes it. The new name
    keeps the temporary prefix, so a kill mid-way leaves it for the next build to remove.
    Returns whether this call removed it."""
    claimed = folder.with_name(folder.name + "-removing")
    try:
        os.rename(folder, claimed)
    except OSError:  # gone: the other process has it (or removed it)
        return False
    if _ours(claimed):
        _remove_tree(claimed)
    return True


def _swap_in(tmp: Path, target: Path) -> Path | None:
    """Make ``tmp`` the new OUT; returns the folder now holding the old site, to remove (None: none)."""
    if not target.exists():
        (tmp / TMP_MARKER).unlink()
        os.rename(tmp, target)
        return None
    # OUT itself is never touched before the swap (it must stay byte-identical);
    # its leftover copy is recognised later by MARKER and its name.
    (tmp / TMP_MARKER).unlink()
    try:
        swapped = exchange(tmp, target)
    except OSError:
        swapped = False
    if not swapped:
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.rmdir(old)
        os.rename(target, old)
        os.rename(tmp, target)
        return old
    return tmp
