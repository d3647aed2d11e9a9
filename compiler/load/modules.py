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
from pathlib import Path
from typing import Any, Callable, Sequence

import yaml

from compiler.codes import make
from compiler.config import excluded
from compiler.diagnostics import Diagnostic
from compiler.load.blocks import split_blocks
from compiler.load.limits import MAX_VALUES, clean, invalid_char
from compiler.load.terms import read_file
from compiler.load.walk import walk
from compiler.load.yamlnodes import TooManyValues, compose, construct
from compiler.model import Module

try:  # libyaml is much faster; both loaders are safe (no object construction)
    _SafeLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _SafeLoader = yaml.SafeLoader

_ID_LINE = re.compile(r"^id\s*:", re.MULTILINE)
MAX_MODULE_BYTES = 4_000_000


def front_matter(text: str) -> tuple[str, int, str] | None:
    """The first front-matter block of ``text``, the file line its content starts on, and the text after the
    front matter (the document's Markdown); or None.

    Uses the term loader's block splitter, so modules and terms agree on what a
    front-matter block is (leading blank lines, ``---`` / ``...`` fences).
    """
    split = split_blocks(text.lstrip("\ufeff").replace("\r\n", "\n"))
    blocks = split.blocks
    if not blocks or not blocks[0].closed:
        return None
    return blocks[0].text, blocks[0].fence_line + 1, split.body


def read_module(path: Path, display: str) -> tuple[Module | None, list[Diagnostic]]:
    """A module from one file; None (without diagnostics) for a file that is not a module.

    Read as term files are (``read_file``: a regular file, opened without blocking, at most
    ``MAX_MODULE_BYTES`` read), and a header with aliases must keep to a term file's budgets
    first: PyYAML shares an alias's value, but every page that shows it walks it again."""
    _st, raw, _refused = read_file(path, display, MAX_MODULE_BYTES)
    if raw is None:
        return None, []
    block = front_matter(raw.decode("utf-8", errors="replace"))
    if block is None:
        return None, []
    body, first_line, text_after = block
    try:
        if "*" in body:
            over = [p for p in construct(compose(body), first_line).problems if p.code == "yaml-too-large"]
            if over:
                return None, [make("module-unreadable", display, first_line + over[0].line, over[0].column + 1,
                                   f"module front matter is too large: {over[0].message}")]
        data = yaml.load(body, Loader=_SafeLoader)
        if "\\" in body or invalid_char(body) is not None:  # an escape can make a lone surrogate
            data = _clean(data)
    except TooManyValues as exc:
        return None, [make("module-unreadable", display, first_line + exc.mark.line, exc.mark.column + 1,
                           f"module front matter is too large: more than {MAX_VALUES:,} YAML values")]
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
        body=clean(text_after) if invalid_char(text_after) is not None else text_after,
    ), []


def _clean(value: Any) -> Any:
    """``value`` with lone surrogates and non-characters replaced in every text (keys too), as a term's are."""
    if isinstance(value, str):
        return clean(value) if invalid_char(value) is not None else value
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


def load_modules(dirs: Sequence[Path], *, exclude: Path | None = None, ignore: Sequence[str] = (),
                 read: Callable[[Path, str], tuple[Module | None, list[Diagnostic]]] = read_module,
                 ) -> tuple[list[Module], list[Diagnostic]]:
    """Every module document in ``dirs``; the first of two with the same id wins.

    ``exclude`` is the terms folder: when a module folder contains it, its term files
    are not read as modules (nor read twice). ``ignore`` are gitignore-style patterns
    (``modules-exclude``) of what is left out under each module folder: ``rejected_modules/``.
    ``read`` reads one file (the build cache passes one that remembers the files that did
    not change: compiler.incremental.modules).

    A module's ``file`` (and so every finding about it) is its path relative to the terms
    folder (``../modules/Volume_5/X.md``), as a term file's is: the reports join it to the
    terms folder as the user named it, so it must lead to the file. (It was the module
    folder's name and the path under it, which joined to the terms folder named no file.)
    """
    exclude = Path(exclude).resolve() if exclude is not None else None
    leave_out = excluded(tuple(ignore))
    modules: dict[str, Module] = {}
    diagnostics: list[Diagnostic] = []
    seen: set[str] = set()
    for folder in dirs:
        folder = Path(folder).resolve()
        if not folder.is_dir() or folder == exclude:
            continue
        found_files, _ = walk(folder, exclude=[exclude] if exclude is not None else [], follow_links=False,
                              ignore=leave_out)
        for f in found_files:
            if f.path in seen:
                continue
            seen.add(f.path)
            path = f.path
            display = (Path(os.path.relpath(path, exclude)).as_posix() if exclude is not None
                       else f"{folder.name}/{f.display}")
            module, found = read(Path(path), display)
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
    return list(modules.values()), diagnostics


__all__ = ["Module", "load_modules", "read_module", "front_matter"]
