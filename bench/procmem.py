"""The peak memory of a build's whole process tree, read from /proc while it runs.

Why: a build with ``--jobs N`` forks workers (file loading, page rendering) and a
process for the numeric checks. The largest single process's peak (what ``ru_maxrss``
or the build's own ``VmHWM`` says) leaves out every other process, so it is a lower bound
of what the build holds at once.

What is reported instead is the sum, over every process of the tree, of that process's
own peak (``VmHWM`` in ``/proc/PID/status``). That is an upper bound, and honest as one:
the processes' peaks need not come at the same moment, and pages a forked worker still
shares with its parent (copy-on-write) count once in each of them, since a forked child's
``VmHWM`` starts at its resident size at the fork. Both bounds are reported, so the true
peak of the tree is between them.

How: a thread of the benchmark (never of the measured process, whose interpreter lock it
would take) lists ``/proc`` every ``interval`` seconds, learns each new process's parent
once, walks down from the build's process and keeps each member's latest ``VmHWM`` (a
high-water mark only grows, so the latest reading is the largest). A process that lives
less than one interval may be missed, and one that grows in its last interval is read
low; the build's own process reports its ``VmHWM`` at exit, which is exact. Reading a
process's status costs microseconds, so the sampling does not slow the build it measures
(a proportional-set-size reading, ``smaps_rollup``, would be a tighter figure but costs
milliseconds per reading of a large process, on the cores the build runs on).
"""
from __future__ import annotations

import os
import threading


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            data = stat.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: the fields after it are
    # read from the last ")".
    return int(data[data.rindex(b")") + 2 :].split()[1])


def _hwm_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


class TreeMemory:
    """Samples the process tree under ``root`` until ``stop()``; ``hwm_kb`` maps pid -> peak."""

    def __init__(self, root: int, interval: float = 0.02) -> None:
        self.root = root
        self.interval = interval
        self.hwm_kb: dict[int, int] = {}
        self._parents: dict[int, int | None] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> TreeMemory:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self.sample()
            if self._done.wait(self.interval):
                return

    def _members(self) -> list[int]:
        try:
            names = os.listdir("/proc")
        except OSError:
            return [self.root]
        alive = set()
        for name in names:
            if name.isdigit():
                pid = int(name)
                alive.add(pid)
                if pid not in self._parents:
                    self._parents[pid] = _parent(pid)
        for pid in [pid for pid in self._parents if pid not in alive]:
            del self._parents[pid]  # gone: its number may come back as another process
        children: dict[int, list[int]] = {}
        for pid in alive:
            parent = self._parents.get(pid)
            if parent is not None:
                children.setdefault(parent, []).append(pid)
        members, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            members.append(pid)
            todo.extend(children.get(pid, ()))
        return members

    def sample(self) -> None:
        for pid in self._members():
            kb = _hwm_kb(pid)
            if kb is not None and kb > self.hwm_kb.get(pid, 0):
                self.hwm_kb[pid] = kb

    def figures(self, root_kb: int | None = None) -> dict[str, float]:
        """The sum of the peaks and the largest one, in MB; ``root_kb``: the root's own exact peak."""
        peaks = dict(self.hwm_kb)
        if root_kb is not None:
            peaks[self.root] = max(peaks.get(self.root, 0), root_kb)
        return {
            "tree_mb": sum(peaks.values()) / 1024,
            "largest_mb": max(peaks.values(), default=0) / 1024,
            "processes": len(peaks),
        }
