"""Load and validate with the cache, and spread cache misses over processes.

A term file whose stamp (size, mtime, inode, ctime) or content hash matches the cache is not
parsed again: its validated Term and diagnostics come from the cache. The misses
are loaded in ``jobs`` processes when there are enough of them to pay for the
process start; results are merged back in file order, so the output is the same
for every ``jobs``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from compiler.diagnostics import Diagnostic
from compiler.incremental.cache import CacheState, FileEntry, digest_bytes, file_stamp, stamp_matches
from compiler.incremental.workers import Chunked
from compiler.load.terms import discover, load_bytes, read_file
from compiler.model import Term
from compiler.validate.schema import validate_term

MIN_FILES_PER_PROCESS = 150  # below this, starting a process costs more than it saves
CHUNK = 50  # files per task


def _work(batch: Sequence[tuple[Path, str, int]]) -> list[tuple[str, FileEntry | None, list[Diagnostic]]]:
    """Load and validate a batch of files (in a worker process or in this one)."""
    out: list[tuple[str, FileEntry | None, list[Diagnostic]]] = []
    for path, display, max_bytes in batch:
        st, data, diags = read_file(path, display, max_bytes)
        if data is None or st is None:
            out.append((display, None, diags))
            continue
        term, diags = load_bytes(data, path, display)
        if term is not None:
            term, more = validate_term(term)
            diags = [*diags, *more]
        out.append((display, FileEntry(file_stamp(st), digest_bytes(data), term, tuple(diags)), []))
    return out


def _load_all(misses: list[tuple[Path, str, int]], jobs: int) -> list[tuple[str, FileEntry | None, list[Diagnostic]]]:
    """Load the misses with ``jobs - 1`` forked workers and this process, which takes chunks from the end.

    Why this process works too: it would otherwise only wait, and on two cores one
    worker plus this process is as fast as two workers without a third process
    competing for the cores. An entry crosses the pipe as the plain-data bytes the cache
    keeps anyway (FileEntry.__reduce__), so nothing is encoded twice.
    """
    chunks = [misses[i:i + CHUNK] for i in range(0, len(misses), CHUNK)]
    if jobs <= 1 or len(misses) < 2 * MIN_FILES_PER_PROCESS:
        return [r for chunk in chunks for r in _work(chunk)]
    workers = min(jobs - 1, max(1, len(misses) // MIN_FILES_PER_PROCESS - 1))
    return [r for done in Chunked(_work, [(chunk,) for chunk in chunks], workers).results() for r in done]


def _keep_checks(old: FileEntry | None, new: FileEntry) -> None:
    """Carry the check results over to a reloaded file whose checks read the same (a prose edit,
    or a header edit outside the hints when no hook checked the term)."""
    if old is not None and old.checks is not None and new.term is not None:
        from compiler.checks.inputs import same_check_inputs

        builtin_only = all(getattr(result, "hook", None) == "builtin" for result in old.checks)
        if same_check_inputs(old.term, new.term, builtin_only):
            new.checks, new.check_diagnostics = old.checks, old.check_diagnostics


def load_and_validate(root: Path, *, exclude: Sequence[Path] = (), state: CacheState | None = None, jobs: int = 1,
                      max_bytes: int = 16 * 1024 * 1024) -> tuple[tuple[Term, ...], list[Diagnostic], int, set[str]]:
    """(terms, diagnostics, number of files, displays of the files that were (re)loaded)."""
    from compiler.load.walk import display_of as _display

    paths, diags = discover(root, exclude=exclude)
    displays = [_display(path, root) for path in paths]
    entries: dict[str, FileEntry | None] = {}
    misses: list[tuple[Path, str, int]] = []
    for path, display in zip(paths, displays):
        cached = state.files.get(display) if state is not None else None
        if cached is not None and state is not None:
            try:
                st = path.stat()
            except OSError:
                st = None
            if st is not None and stamp_matches(cached, st, state.saved_ns):
                entries[display] = cached
                continue
            if st is not None and st.st_size == cached.stamp[0]:
                try:
                    data = path.read_bytes()
                except OSError:
                    data = None
                if data is not None and digest_bytes(data) == cached.digest:
                    cached.stamp = file_stamp(st)
                    entries[display] = cached
                    continue
        misses.append((path, display, max_bytes))
    loaded: dict[str, tuple[FileEntry | None, list[Diagnostic]]] = {}
    for display, entry, d in _load_all(misses, jobs):
        if entry is not None:
            d = list(entry.diagnostics)
            if state is None:
                entry.blob = None  # no cache to save it to: do not hold the bytes
            else:
                _keep_checks(state.files.get(display), entry)
        loaded[display] = (entry, d)
    terms: list[Term] = []
    for display in displays:
        if display in entries:
            entry = entries[display]
            file_diags: Sequence[Diagnostic] = entry.diagnostics if entry else ()
        else:
            entry, file_diags = loaded[display]
        diags.extend(file_diags)
        if entry is not None and entry.term is not None:
            terms.append(entry.term)
        if state is not None:
            if entry is not None:
                state.files[display] = entry
            else:
                state.files.pop(display, None)
    if state is not None:
        for gone in set(state.files) - set(displays):
            del state.files[gone]
    return tuple(terms), diags, len(paths), set(loaded)
