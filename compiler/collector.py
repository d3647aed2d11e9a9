"""The cyclic garbage collector during a build: paused or relaxed, and why.

A build makes millions of small objects that live to its end and form no cycles
(YAML nodes, terms, the graph's dicts, unpickled cache entries); each collection
walks all of them and frees nothing. Both helpers restore the previous state.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

GC_THRESHOLDS = (100_000, 50, 100)  # young-generation collections every 100k allocations, not every 700


@contextmanager
def relaxed_gc() -> Iterator[None]:
    """Collect cycles rarely while a build runs; restore the previous thresholds after.

    Why: a build makes millions of small objects that live to its end (YAML nodes,
    terms, the graph, Jinja's per-page contexts), and at the default threshold (700)
    the collector keeps walking them: a good part of a cold build's time, and most of
    unpickling the cache, went to collections. Cycles are still collected, just less
    often; peak memory did not change (bench/README.md).
    """
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small dicts are made.

    Building creates no reference cycles, but each full collection walks every object
    made so far, which made the largest builds grow faster than linearly (measured: the
    build and reference phases cost more per term at ten times the terms with it on,
    the same per term with it paused; bench/README.md). The previous state is restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


__all__ = ["GC_THRESHOLDS", "gc_paused", "relaxed_gc"]
