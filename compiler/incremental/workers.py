"""Chunks of work shared by forked workers and this process (``--jobs``), and work done beside.

Loading, the numeric checks and page rendering all spread their work the same way:
``jobs - 1`` forked workers take chunks from the front of a shared queue while this
process does its own work (the site-wide pages, linking), then takes chunks from the
back until the two ends meet, so every core stays busy to the end. Who does a chunk
never changes its result: where fork does not exist, a worker cannot start or dies,
its chunks are done here.

Why fork, and no pool library: what the workers read (the terms, the renderer) reaches
them through fork, without pickling and without module state: the work is a closure.
Why not ``concurrent.futures``: its workers wait on a queue whose writing end every
forked process holds, so a build killed with SIGKILL left them waiting forever. Here a
worker holds only its own result pipe and the queue's lock; it asks the kernel to kill
it when its parent dies (``PR_SET_PDEATHSIG`` on Linux), checks that its parent is
alive between chunks and while it waits, and a write to a dead parent ends it.
"""
from __future__ import annotations

import mmap
import os
import pickle
import select
import struct
import sys
import threading
from contextlib import contextmanager
from typing import Any, Callable, Generic, Iterator, Sequence, TypeVar

T = TypeVar("T")
_COUNTERS = struct.Struct("qq")  # next chunk from the front, next chunk from the back
_FRAME = struct.Struct("<iQ")  # chunk index (-1: the worker failed), length of the pickled result
_WAIT_S = 1.0  # how often a waiting worker checks that its parent is alive


def die_with_parent(parent: int) -> None:
    """In a forked child: be killed when ``parent`` dies (Linux), and leave now if it is already gone."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)


class _Queue:
    """Chunk numbers 0..n-1 taken from the front (workers) or the back (this process), across fork.

    Two counters in shared memory, guarded by a pipe holding one token byte: taking the
    byte is taking the lock (a one-byte read from a pipe is atomic)."""

    def __init__(self, n: int) -> None:
        self.memory = mmap.mmap(-1, _COUNTERS.size)
        _COUNTERS.pack_into(self.memory, 0, 0, n - 1)
        self.lock_r, self.lock_w = os.pipe()
        os.write(self.lock_w, b"x")

    def _acquire(self, parent: int | None, lost: Callable[[], bool]) -> None:
        """Take the token. A worker leaves when its parent is gone; this process makes a new token
        when it waited in vain and a worker died (it may have died holding it: the lock is
        held for three system calls, never for a second)."""
        while True:
            if select.select([self.lock_r], [], [], _WAIT_S)[0] and os.read(self.lock_r, 1):
                return
            if parent is not None and os.getppid() != parent:
                os._exit(1)
            if parent is None and lost():
                os.write(self.lock_w, b"x")

    def take(self, front: bool, parent: int | None = None, lost: Callable[[], bool] = lambda: False) -> int | None:
        """The next chunk from one end, or None when every chunk is taken."""
        self._acquire(parent, lost)
        try:
            first, last = _COUNTERS.unpack_from(self.memory, 0)
            if first > last:
                return None
            if front:
                _COUNTERS.pack_into(self.memory, 0, first + 1, last)
                return first
            _COUNTERS.pack_into(self.memory, 0, first, last - 1)
            return last
        finally:
            os.write(self.lock_w, b"x")

    def close(self) -> None:
        for fd in (self.lock_r, self.lock_w):
            try:
                os.close(fd)
            except OSError:
                pass
        self.memory.close()


class Chunked(Generic[T]):
    """``work(*chunk)`` for every chunk, in ``workers`` forked processes and this one."""

    def __init__(self, work: Callable[..., T], chunks: Sequence[tuple[Any, ...]], workers: int) -> None:
        self.work, self.chunks = work, list(chunks)
        self.done: dict[int, T] = {}
        self.children: list[tuple[int, int]] = []  # (pid, read end of its result pipe)
        self.queue: _Queue | None = None
        self._readers: list[threading.Thread] = []
        self._received: dict[int, bytes] = {}
        if workers < 1 or not self.chunks or not hasattr(os, "fork"):
            return
        self.queue = _Queue(len(self.chunks))
        sys.stdout.flush()
        sys.stderr.flush()
        for _ in range(min(workers, len(self.chunks))):
            read, write = os.pipe()
            try:
                pid = os.fork()
            except OSError:  # no process could start: its share is done here
                os.close(read)
                os.close(write)
                break
            if pid == 0:
                os.close(read)
                for _pid, other in self.children:
                    os.close(other)
                self._serve(write)
            os.close(write)
            self.children.append((pid, read))
        for _pid, read in self.children:  # drained as the results come, so no worker waits on a full pipe
            reader = threading.Thread(target=self._drain, args=(read,), daemon=True)
            reader.start()
            self._readers.append(reader)

    def _serve(self, out: int) -> None:
        """A worker's life: chunks from the front until none is left, each result sent as it is made."""
        code = 1
        try:
            parent = os.getppid()
            die_with_parent(parent)
            assert self.queue is not None
            while (k := self.queue.take(True, parent)) is not None:
                try:
                    body = pickle.dumps(self.work(*self.chunks[k]), protocol=pickle.HIGHEST_PROTOCOL)
                    frame = _FRAME.pack(k, len(body)) + body
                except Exception:  # noqa: BLE001 - the parent does this chunk itself and sees the error
                    frame = _FRAME.pack(-1 - k, 0)
                view = memoryview(frame)
                while view:
                    view = view[os.write(out, view):]
            code = 0
        finally:
            os._exit(code)

    def _drain(self, read: int) -> None:
        chunks: list[bytes] = []
        while data := os.read(read, 1 << 20):
            chunks.append(data)
        os.close(read)
        blob = b"".join(chunks)
        at = 0
        while at + _FRAME.size <= len(blob):
            k, size = _FRAME.unpack_from(blob, at)
            at += _FRAME.size
            if k >= 0 and at + size <= len(blob):
                self._received[k] = blob[at:at + size]
            at += size

    def results(self) -> list[T]:
        """Every chunk's result, in chunk order. This process takes chunks from the back until none
        is left, then does any chunk a worker took but did not deliver (it died or failed)."""
        try:
            if self.queue is None:
                return [self.work(*chunk) for chunk in self.chunks]
            while (k := self.queue.take(False, lost=self._a_worker_died)) is not None:
                self.done[k] = self.work(*self.chunks[k])
            self._reap()
            for k, body in self._received.items():
                if k not in self.done:
                    self.done[k] = pickle.loads(body)  # noqa: S301 - made by our own forked child
            for k, chunk in enumerate(self.chunks):
                if k not in self.done:
                    self.done[k] = self.work(*chunk)
            return [self.done[k] for k in range(len(self.chunks))]
        finally:
            self.close()

    def _a_worker_died(self) -> bool:
        died = False
        for pid, _read in self.children:
            try:
                died = died or os.waitpid(pid, os.WNOHANG)[0] == pid
            except ChildProcessError:
                died = True
        return died

    def _reap(self) -> None:
        for reader in self._readers:
            reader.join()
        for pid, _read in self.children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        self.children = []
        self._readers = []

    def close(self) -> None:
        """Stop the workers (an error here, or the results are in) and free the queue."""
        for pid, _read in self.children:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        self._reap()
        if self.queue is not None:
            self.queue.close()
            self.queue = None


@contextmanager
def beside(task: Callable[[], None] | None, enabled: bool) -> Iterator[None]:
    """Run ``task`` in a forked child while the block runs here; wait for it when the block ends.

    Why: a build ends with two independent jobs, writing the cache and printing the
    report; side by side on two cores they take the time of the longer one. The child
    writes nothing to stdout or stderr (the streams are flushed before the fork so no
    buffered text is printed twice), dies with this process, and leaves through
    ``os._exit``. If it could not start, or did not finish cleanly (killed, crashed),
    ``task`` is done here after the block: who does it never changes the result.
    Without ``enabled`` (one job, a long-running ``serve``) or fork, ``task`` runs first.
    """
    if task is None or not enabled or not hasattr(os, "fork"):
        if task is not None:
            task()
        yield
        return
    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        pid = None
    if pid == 0:  # the child: the task, and nothing else of this process's life
        code = 1
        try:
            die_with_parent(parent)
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


__all__ = ["Chunked", "beside", "die_with_parent"]
