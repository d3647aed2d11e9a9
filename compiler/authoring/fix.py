"""`compile-glossary fix`: repair broken YAML headers in place, without losing a word.

The repair itself is the loader's (:mod:`compiler.load.yamlrepair`): the loader reads a
header it can repair with the very values this command writes, so a term's page is
complete before its file is fixed. Here are the files: reading one safely, writing it
back atomically with its mode, and the unified diff shown without ``--write``.
"""
from __future__ import annotations

import difflib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from compiler.load.terms import MAX_FILE_BYTES, read_file
from compiler.load.yamlentries import (
    Entry,
    find_entries,
    fold,
    is_prose,
    parse_entry,
    quote,
    split_items,
    split_key,
)
from compiler.load.yamlrepair import Problem, Repair, fix_text, repair_block, verify


@dataclass(frozen=True)
class FileFix:
    """The outcome for one file: ``status`` is clean, fixed, refused or error."""

    path: Path
    display: str
    status: str
    original: str = ""
    fixed: str = ""
    families: tuple[str, ...] = ()
    changed_lines: tuple[int, ...] = ()  # 1-based
    problems: tuple[Problem, ...] = ()

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


def fix_file(path: Path, display: str | None = None) -> FileFix:
    """Read ``path`` and compute its repair (nothing is written here)."""
    display = display or path.as_posix()
    _st, data, refused = read_file(path, display, MAX_FILE_BYTES)  # a regular file, at most MAX_FILE_BYTES read
    if data is None:
        reason = refused[0].message if refused else "the file cannot be read"
        return FileFix(path, display, "error", problems=(Problem(0, 0, reason),))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return FileFix(path, display, "error", problems=(Problem(0, 0, "the file is not UTF-8 text; left as it is"),))
    fixed, families, changed, problems = fix_text(text)
    if problems:
        return FileFix(path, display, "refused", text, text, tuple(families), (), tuple(problems))
    status = "fixed" if fixed != text else "clean"
    return FileFix(path, display, status, text, fixed, tuple(families), tuple(changed))


def write_fix(result: FileFix) -> str | None:
    """Write a repaired file back (atomically, keeping its mode); the reason on failure, else None."""
    if not result.changed:
        return None
    tmp = result.path.with_name(f".{result.path.name}.fix-tmp")
    try:
        tmp.write_bytes(result.fixed.encode("utf-8"))
        os.chmod(tmp, stat.S_IMODE(result.path.stat().st_mode))
        os.replace(tmp, result.path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        return f"cannot write the file: {exc.strerror or exc}"
    return None


def unified_diff(result: FileFix) -> str:
    """The repair as a `git apply`-able unified diff (empty when nothing changes)."""
    name = result.display.lstrip("/")
    diff = difflib.unified_diff(result.original.splitlines(keepends=True), result.fixed.splitlines(keepends=True),
                                f"a/{name}", f"b/{name}", n=1)
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in diff)


__all__ = [
    "Entry",
    "FileFix",
    "Problem",
    "Repair",
    "find_entries",
    "fix_file",
    "fix_text",
    "fold",
    "is_prose",
    "parse_entry",
    "quote",
    "repair_block",
    "split_items",
    "split_key",
    "unified_diff",
    "verify",
    "write_fix",
]
