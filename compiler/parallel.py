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

from typing import TYPE_CHECKING, Any, Callable, Generic, Sequence, TypeVar

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


__all__ = ["Chunked"]
