"""Chunks of work shared by forked workers and this process (``--jobs``).

Loading, the numeric checks and page rendering all spread their work the same way:
the chunks go to ``jobs - 1`` forked workers; this process does its own work meanwhile
(the site-wide pages, linking) and then takes the chunks no worker has started, from
the end, so every core stays busy to the end. Why fork: what the workers read (terms,
the renderer) reaches them without pickling, through module state set before the
first submit. Where fork does not exist, the pool cannot start or a worker dies, the
chunks concerned are done here: who does a chunk never changes its result.
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Generic, Iterator, Sequence, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

T = TypeVar("T")


class Chunked(Generic[T]):
    """``work(*chunk)`` for every chunk, started in ``workers`` forked processes (none: all here)."""

    def __init__(self, work: Callable[..., T], chunks: Sequence[tuple[Any, ...]], workers: int) -> None:
        self.work, self.chunks = work, list(chunks)
        self.pool: ProcessPoolExecutor | None = None
        self.futures: dict[int, Future] = {}
        if workers < 1 or not self.chunks:
            return
        # imported here: a small rebuild has nothing to spread and skips them (~8 ms)
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        if "fork" in multiprocessing.get_all_start_methods():
            try:
                self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
                self.futures = {k: self.pool.submit(work, *chunk) for k, chunk in enumerate(self.chunks)}
            except (OSError, BrokenProcessPool):  # no process could start: everything is done here
                self.close()
                self.futures = {}

    def results(self) -> list[T]:
        """Every chunk's result, in chunk order; this process does the chunks no worker started
        (taken from the end) and those of a worker that died."""
        done: dict[int, T] = {}
        if self.futures:
            from concurrent.futures.process import BrokenProcessPool
        try:
            for k in reversed(range(len(self.chunks))):
                future = self.futures.get(k)
                if future is None or future.cancel():
                    done[k] = self.work(*self.chunks[k])
            for k, future in self.futures.items():
                if k not in done:
                    try:
                        done[k] = future.result()
                    except (OSError, BrokenProcessPool):  # the worker died: its chunk is done (again) here
                        done[k] = self.work(*self.chunks[k])
        finally:
            self.close()
        return [done[k] for k in range(len(self.chunks))]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


@contextmanager
def beside(task: Callable[[], None] | None, enabled: bool) -> Iterator[None]:
    """Run ``task`` in a forked child while the block runs here; wait for it when the block ends.

    Why: a build ends with two independent jobs, writing the cache (0.5 s at 10k terms)
    and printing the report (0.6 s for 58k findings); side by side on two cores they
    take the time of the longer one. The child writes nothing to stdout or stderr (the
    streams are flushed before the fork so no buffered text is printed twice) and leaves
    through ``os._exit``. If it could not start, or did not finish cleanly (killed,
    crashed), ``task`` is done here after the block: who does it never changes the result.
    Without ``enabled`` (one job, a long-running ``serve``) or fork, ``task`` runs first.
    """
    if task is None or not enabled or not hasattr(os, "fork"):
        if task is not None:
            task()
        yield
        return
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:
        pid = None
    if pid == 0:  # the child: the task, and nothing else of this process's life
        code = 1
        try:
            task()
            code = 0
        finally:
            os._exit(code)
    try:
        yield
    finally:
        done = False
        if pid is not None:
            try:
                done = os.waitpid(pid, 0)[1] == 0
            except ChildProcessError:
                done = False
        if not done:
            task()


__all__ = ["Chunked", "beside"]
