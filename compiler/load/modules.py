"""Module documents: the long texts that terms name in `parents`, `provenance`, `context_windows`.

A module document is a Markdown file whose front matter has an ``id`` (and usually a
``title``). Terms point at them far more often than at each other, so without module
nodes most of a real glossary's links would look broken. Module folders come from the
configuration; a module folder may contain the terms folder (the usual layout is
``modules/`` with the terms in ``modules/dictionary/``), whose files are then skipped.
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from compiler.diagnostics import Diagnostic, make
from compiler.load.terms import split_blocks

try:  # libyaml is much faster; both loaders are safe (no object construction)
    _SafeLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _SafeLoader = yaml.SafeLoader

_ID_LINE = re.compile(r"^id\s*:", re.MULTILINE)
MAX_MODULE_BYTES = 4_000_000


@dataclass(frozen=True)
class Module:
    """One module document: its id, title, where it lives, and its front matter."""

    id: str
    title: str
    file: str  # display path: relative to the module folder's parent, POSIX separators
    path: Path
    line: int = 1  # line of the `id:` key
    status: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    body: str = ""  # the document's text after its front matter (Markdown), shown on its page

    @property
    def aliases(self) -> tuple[str, ...]:
        """The file name without extension, when it differs from the id (`CORE-001_the_seed`)."""
        stem = self.path.stem
        return (stem,) if stem != self.id else ()


def front_matter(text: str) -> tuple[str, int, str] | None:
    """The first front-matter block of ``text``, the file line its content starts on, and the text after the
    front matter; or None.

    Uses the term loader's block splitter, so modules and terms agree on what a
    front-matter block is (leading blank lines, ``---`` / ``...`` fences).
    """
    split = split_blocks(text.lstrip("\ufeff").replace("\r\n", "\n"))
    blocks = split.blocks
    if not blocks or not blocks[0].closed:
        return None
    return blocks[0].text, blocks[0].fence_line + 1, split.body


def read_module(path: Path, display: str) -> tuple[Module | None, list[Diagnostic]]:
    """A module from one file; None (without diagnostics) for a file that is not a module."""
    try:
        if path.stat().st_size > MAX_MODULE_BYTES:
            return None, []
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None, []
    block = front_matter(text)
    if block is None:
        return None, []
    body, first_line, text_after = block
    try:
        data = yaml.load(body, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        if not _ID_LINE.search(body):
            return None, []  # not a module document, no need to complain about its YAML
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [make("module-unreadable", display, line, 1, f"module front matter is not valid YAML: {problem}",
                           hint="terms that name this module will show it as undefined")]
    if not isinstance(data, dict) or "id" not in data:
        return None, []
    raw_id = data.get("id")
    if not isinstance(raw_id, (str, int)) or not str(raw_id).strip():
        return None, [make("module-unreadable", display, first_line, 1, "module `id` is empty or not text")]
    module_id = str(raw_id).strip()
    title = data.get("title")
    id_line = next((first_line + i for i, line in enumerate(body.splitlines()) if _ID_LINE.match(line)), first_line)
    status = data.get("status")
    return Module(
        id=module_id,
        title=str(title).strip() if isinstance(title, (str, int, float)) and str(title).strip() else module_id,
        file=display,
        path=path,
        line=id_line,
        status=str(status) if isinstance(status, (str, int, float)) else None,
        data=data,
        body=text_after,
    ), []


def _walk(folder: str, exclude: Path | None) -> list[str]:
    """Markdown files under ``folder`` in path order, skipping hidden folders and ``exclude``.

    Paths as text: a rebuild stats thousands of remembered documents, and making a
    ``Path`` of each cost more than the stat (3,333 documents: 0.15 s -> 0.05 s)."""
    found: list[str] = []
    join = os.path.join
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and (exclude is None or Path(current, d).resolve() != exclude))
        found.extend(join(current, f) for f in sorted(files) if f.endswith(".md"))
    return found


RACY_NS = 2_000_000_000  # a file modified this close to when we read it is read again, not trusted by its stamp

_Remembered = tuple[int, int, int, str, "Module | None", list[Diagnostic]]  # size, mtime, read at, display, result


def _read_remembered(key: str, display: str, memo: dict[str, _Remembered] | None,
                     kept: dict[str, _Remembered]) -> tuple[Module | None, list[Diagnostic]]:
    """``read_module`` of the file at ``key``, or its last answer when its size and mtime are the same as then."""
    path = Path(key)
    if memo is None:
        return read_module(path, display)
    try:
        st = os.stat(key)
    except OSError:
        return read_module(path, display)
    old = memo.get(key)
    if (old is not None and old[0] == st.st_size and old[1] == st.st_mtime_ns and old[3] == display
            and st.st_mtime_ns < old[2] - RACY_NS):
        kept[key] = old
        return old[4], list(old[5])
    now = time.time_ns()
    module, found = read_module(path, display)
    kept[key] = (st.st_size, st.st_mtime_ns, now, display, module, list(found))
    return module, found


def load_modules(dirs: Sequence[Path], *, exclude: Path | None = None,
                 memo: dict[str, Any] | None = None) -> tuple[list[Module], list[Diagnostic]]:
    """Every module document in ``dirs``; the first of two with the same id wins.

    ``exclude`` is the terms folder: when a module folder contains it, its term files
    are not read as modules (nor read twice). ``memo`` (a dict the build cache keeps)
    remembers each file's module by its size and mtime, so a rebuild reads only the
    documents that changed: at 10k terms, 3,333 module documents took 0.25 s to read
    and parse on every build. It is left holding the files of this call only.
    """
    kept: dict[str, _Remembered] = {}
    exclude = Path(exclude).resolve() if exclude is not None else None
    modules: dict[str, Module] = {}
    diagnostics: list[Diagnostic] = []
    seen: set[str] = set()
    for folder in dirs:
        folder = Path(folder).resolve()
        if not folder.is_dir() or folder == exclude:
            continue
        prefix = os.path.join(str(folder.parent), "")  # display paths start at the folder's name
        for path in _walk(str(folder), exclude):
            # ``folder`` is resolved and the walk enters no linked folder: only a linked file needs resolving
            real = os.path.realpath(path) if os.path.islink(path) else path
            if real in seen:
                continue
            seen.add(real)
            display = (path[len(prefix):].replace(os.sep, "/") if path.startswith(prefix)
                       else Path(os.path.relpath(path, folder.parent)).as_posix())
            module, found = _read_remembered(path, display, memo, kept)
            diagnostics.extend(found)
            if module is None:
                continue
            first = modules.get(module.id)
            if first is not None:
                diagnostics.append(make("module-duplicate", display, module.line, 1,
                                        f"module id `{module.id}` is also defined in {first.file}",
                                        hint=f"links to `{module.id}` go to {first.file}"))
                continue
            modules[module.id] = module
    if memo is not None:
        memo.clear()
        memo.update(kept)
    return list(modules.values()), diagnostics


__all__ = ["Module", "load_modules", "read_module", "front_matter"]
