"""Module documents read again only when they changed: ``read_module`` with a memory.

Why: a real glossary has thousands of module documents (one for every few terms), and
reading and parsing them all on every build was a sizeable part of a small rebuild. A
file whose size, mtime, inode and ctime are those it had when it was last read, and was
not modified just before that read, gives its last answer; any other file is read. The
memory is plain data (compiler.incremental.codec) kept in the build cache.
"""
from __future__ import annotations

import marshal
import os
import time
from pathlib import Path
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.incremental.cache import RACY_NS, file_stamp
from compiler.incremental.codec import diagnostic_rows, diagnostics_of, module_of, module_row
from compiler.load.modules import read_module
from compiler.model import Module


class RememberedModules:
    """``read(path, display)`` as :func:`compiler.load.modules.read_module` gives it, from ``memo`` when it can."""

    def __init__(self, memo: dict[str, Any]) -> None:
        self.memo = memo
        self.kept: dict[str, Any] = {}

    def read(self, path: Path, display: str) -> tuple[Module | None, list[Diagnostic]]:
        key = str(path)
        try:
            st = os.stat(key)
        except OSError:
            return read_module(path, display)
        stamp = file_stamp(st)
        old = self.memo.get(key)
        if (isinstance(old, tuple) and len(old) == 5 and old[0] == stamp and old[2] == display
                and st.st_mtime_ns < old[1] - RACY_NS):
            self.kept[key] = old
            return (module_of(old[3]) if old[3] is not None else None), list(diagnostics_of(old[4]))
        read_at = time.time_ns()
        module, found = read_module(path, display)
        entry = (stamp, read_at, display, module_row(module) if module is not None else None, diagnostic_rows(found))
        try:
            marshal.dumps(entry, 4)
        except ValueError:  # front matter marshal cannot hold (a YAML date): read again next time
            return module, found
        self.kept[key] = entry
        return module, found

    def forget_the_rest(self) -> None:
        """Leave the memory holding the files read by this build only."""
        self.memo.clear()
        self.memo.update(self.kept)


__all__ = ["RememberedModules"]
