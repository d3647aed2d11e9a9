"""The numeric checks beside linking, and the check results of unchanged files kept between builds.

Why apart: the checks read only the terms, so with ``jobs > 1`` they run in forked
processes while this one loads the modules and links the graph; once linked, this
process checks the chunks no worker has started instead of waiting. The results are the
same as one ``check_terms`` over all terms: the chunks are joined in order and the
run-wide findings are kept from the first chunk only. With hooks in play, one process
checks everything, so the hook registry is discovered once.

Cached results are reused for the files that did not change and for those whose checks
read the same (an edit of the body only); when none is left to check, the run-wide
findings (reference data, edition) come from the cache too, and the checks package is
not even imported.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Sequence

from compiler.incremental.cache import CacheState
from compiler.incremental.codec import diagnostic_rows, diagnostics_of
from compiler.incremental.workers import Chunked
from compiler.model import Term

CHECKS_APART = 200  # terms to check before a process of its own pays for itself
CHECKS_CHUNK = 100  # terms per task: once it has linked, this process takes the tasks not yet started


def _run_checks(todo: Sequence[Any], kwargs: dict[str, Any]) -> tuple[list, list]:
    from compiler.checks import run_checks

    return run_checks(todo, **kwargs)


def _hooks_wanted(todo: Sequence[Any], kwargs: dict[str, Any]) -> bool:
    """Whether checking ``todo`` asks for the hook registry (a folder, a ``check:`` name, an entry point)."""
    from compiler.checks.hooks import needs_hooks
    from compiler.checks.inputs import iter_hints

    candidates = [c for t in todo for _, c, _ in iter_hints(t.data if isinstance(t.data, Mapping) else {})]
    return bool(candidates) and needs_hooks(candidates, kwargs["hooks_dir"])


def start_checks(terms: Sequence[Term], config: Any, edition: str | None, state: CacheState | None,
                 jobs: int) -> Callable[[], tuple[list, list]]:
    """Start the numeric checks; the returned function waits for them and gives (results, diagnostics)."""
    kwargs = dict(edition=edition, hooks_dir=config.checks.hooks_dir, reference_dirs=config.checks.reference_dirs)
    # A reloaded file has no results unless its checks read the same as before (files._keep_checks).
    todo = list(terms) if state is None else [t for t in terms if state.files[t.file].checks is None]
    pending = spans = None
    if jobs > 1 and len(todo) >= CHECKS_APART:
        step = len(todo) if _hooks_wanted(todo, kwargs) else CHECKS_CHUNK
        spans = [(i, min(i + step, len(todo))) for i in range(0, len(todo), step)]
        # the closure reaches the forked workers as it is: the terms are not pickled
        pending = Chunked(lambda start, stop: _run_checks(todo[start:stop], kwargs), spans, max(1, jobs - 1))

    def finish() -> tuple[list, list]:
        fresh = None
        if pending is not None and spans is not None:
            fresh = _join_chunks(todo, spans, pending.results())
        if fresh is None and state is not None and not todo and "check-globals" in state.extra:
            fresh = ([], list(diagnostics_of(state.extra["check-globals"])))
        if fresh is None:
            fresh = _run_checks(todo, kwargs)
        return fresh if state is None else _merge_checks(terms, state, todo, *fresh)

    return finish


def _join_chunks(todo: Sequence[Any], spans: Sequence[tuple[int, int]],
                 done: Sequence[tuple[list, list]]) -> tuple[list, list]:
    """One run's (results, diagnostics) from its chunks': in order, the run-wide diagnostics once."""
    results: list = []
    diags: list = []
    for k, (start, stop) in enumerate(spans):
        chunk_results, chunk_diags = done[k]
        results.extend(chunk_results)
        if k == 0:
            diags.extend(chunk_diags)
        else:  # every chunk repeats the run-wide findings (reference data, edition): keep the term files' own
            files = {t.file for t in todo[start:stop]}
            diags.extend(d for d in chunk_diags if d.file in files)
    return results, diags


def _merge_checks(terms, state, todo, fresh, fresh_diags) -> tuple[list, list]:
    """Store the fresh results of ``todo`` in the cache; all results and diagnostics in file order."""
    by_file: dict[str, tuple[list, list]] = {t.file: ([], []) for t in todo}
    global_diags: list[Any] = []
    for r in fresh:
        by_file[r.file][0].append(r)
    for d in fresh_diags:
        (by_file[d.file][1] if d.file in by_file else global_diags).append(d)
    for file, (results, diags) in by_file.items():
        entry = state.files[file]
        entry.checks, entry.check_diagnostics = tuple(results), tuple(diags)
    state.extra["check-globals"] = diagnostic_rows(global_diags)
    results = [r for t in terms for r in state.files[t.file].checks or ()]
    diags = [*global_diags, *(d for t in terms for d in state.files[t.file].check_diagnostics)]
    return results, diags


__all__ = ["start_checks", "CHECKS_APART", "CHECKS_CHUNK"]
