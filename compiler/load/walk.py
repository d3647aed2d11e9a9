"""The one folder walker: which files under a folder a build reads, and what it says about the others.

Every part of the program that lists files goes through :func:`walk`: the term files,
the module documents, the build cache's stamps of every input and the ``serve``
watcher. One set of rules, so they agree on what a folder holds:

- hidden entries (``.git``, ``.glossary-cache``) and ``node_modules``/``__pycache__`` are skipped,
  and so are the folders in ``exclude`` (the output) and what ``ignore`` leaves out (a module
  folder's ``modules-exclude`` patterns): such a folder is not even listed;
- only regular files are listed: a FIFO would hang a read and a device never ends
  (``file-special``); a folder that cannot be listed is reported (``folder-unreadable``),
  never skipped in silence;
- a symbolic link is followed only to a regular file inside the walked folder (so a
  hostile link cannot pull ``/etc/passwd`` into a site); one outside, dangling or in a
  loop is reported (``file-symlink``); linked folders are never entered;
- nothing raises for what the folder holds: ``os.path.realpath``, never ``Path.resolve``,
  which raises on a link loop.

Findings are only made for the files asked for (``suffixes``): a stamp walk over the
compiler's own package has nothing to report.
"""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from compiler.codes import make
from compiler.diagnostics import Diagnostic

SKIPPED_FOLDERS = ("node_modules", "__pycache__")
_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


@dataclass(frozen=True, slots=True)
class Found:
    """One file a walk lists: its path, its path relative to the walked folder (with ``/``), its stat.

    Paths as text: a no-op build stats every input, and making a ``Path`` of each cost more than the stat."""

    path: str
    display: str
    stat: os.stat_result


def kind_of(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def special(display: str, mode: int) -> Diagnostic:
    return make("file-special", display, 0, 0, f"the file is {kind_of(mode)}, not a regular file; it was skipped",
                hint="Term files are regular files; move it out of the terms folder or rename it.")


def display_of(path: Path | str, root: Path | str) -> str:
    """``path`` relative to ``root``, with ``/``: by its text when it starts with root's (a
    pathlib ``relative_to`` is slow, and a build asks it several times per file)."""
    text, base = str(path), str(root)
    if os.sep == "/" and len(text) > len(base) + 1 and text.startswith(base) and text[len(base)] == "/" and base != "/":
        return text[len(base) + 1:]
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def walk(root: Path, *, suffixes: tuple[str, ...] | None = (".md",), exclude: Sequence[Path] = (),
         follow_links: bool = True, ignore: Callable[[str], bool] | None = None) -> tuple[list[Found], list[Diagnostic]]:
    """The regular files under ``root`` whose names end with one of ``suffixes`` (None: every file),
    sorted by their path relative to ``root``; and the findings about the others (see the module
    docstring). ``follow_links`` False lists no linked file at all, and says nothing of them.
    ``ignore`` is asked of each path relative to ``root`` (a folder's ending in ``/``): True
    leaves it out, and says nothing of it."""
    root_real = os.path.realpath(root)
    skip = {os.path.realpath(p) for p in exclude}
    found: list[Found] = []
    diags: list[Diagnostic] = []
    wanted = (lambda name: True) if suffixes is None else (lambda name: name.endswith(suffixes))
    base = str(root)
    stack = [base]
    join = os.path.join
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            if suffixes is not None:
                diags.append(make("folder-unreadable", display_of(here, base) if here != base else ".", 0, 0,
                                  f"the folder cannot be read ({exc.strerror or exc}); its files were not loaded",
                                  hint="Give yourself read and search permission on it (chmod u+rx), or move it away."))
            continue
        folders = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    if (name not in SKIPPED_FOLDERS and (not skip or os.path.realpath(entry.path) not in skip)
                            and not (ignore is not None and ignore(display_of(entry.path, base) + "/"))):
                        folders.append(join(here, name))
                    continue
                if ignore is not None and ignore(display_of(entry.path, base)):
                    continue
                if entry.is_symlink():
                    if follow_links:
                        _linked(entry, base, root_real, found, diags, skip, wanted, suffixes is not None)
                elif wanted(name):
                    st = entry.stat(follow_symlinks=False)
                    path = join(here, name)
                    if stat.S_ISREG(st.st_mode):
                        found.append(Found(path, display_of(path, base), st))
                    elif suffixes is not None:
                        diags.append(special(display_of(path, base), st.st_mode))
            except OSError as exc:  # vanished while listed
                if suffixes is not None:
                    diags.append(make("file-read", display_of(join(here, name), base), 0, 0,
                                      f"cannot read the file: {exc.strerror or exc}"))
        stack.extend(reversed(folders))
    found.sort(key=lambda f: f.display)
    return found, diags


def _linked(entry: os.DirEntry, root: str, root_real: str, found: list[Found], diags: list[Diagnostic],
            skip: set[str], wanted: object, report: bool) -> None:
    """A symbolic link met by ``walk``: listed when it leads to a wanted regular file inside ``root``."""
    path = entry.path
    display = display_of(path, root)
    is_wanted = wanted(entry.name)  # type: ignore[operator]
    try:
        st = os.stat(path)
    except OSError as exc:
        if is_wanted and report:
            why = "is a loop of links" if exc.errno == errno.ELOOP else "points nowhere"
            diags.append(make("file-symlink", display, 0, 0, f"a symbolic link that {why}; not followed"))
        return
    target = os.path.realpath(path)
    if stat.S_ISDIR(st.st_mode):
        if report and target not in skip and not _inside(target, root_real):
            diags.append(make("file-symlink", display, 0, 0,
                              "a linked folder points outside the terms folder; not followed"))
        return
    if not is_wanted:
        return
    if not _inside(target, root_real):
        if report:
            diags.append(make("file-symlink", display, 0, 0,
                              "a linked file points outside the terms folder; not followed"))
    elif not stat.S_ISREG(st.st_mode):
        if report:
            diags.append(special(display, st.st_mode))
    else:
        found.append(Found(path, display, st))


def discover(root: Path, *, exclude: Sequence[Path] = ()) -> tuple[list[Path], list[Diagnostic]]:
    """The term files under ``root`` (``*.md``), sorted; what :func:`walk` finds of the others."""
    found, diags = walk(root, exclude=exclude)
    return [Path(f.path) for f in found], diags


__all__ = ["walk", "Found", "discover", "display_of", "special", "kind_of", "SKIPPED_FOLDERS"]
