"""compiler.incremental.workers: chunks done in forked workers and here, and workers that die with their build.

- results come back in chunk order whoever did each chunk, the work being a closure (no module state);
- a chunk whose worker fails or dies is done here: the result is the same;
- killing the process that forked the workers (SIGKILL, no chance to clean up) leaves none of them alive;
- ``build -j 2`` killed with SIGKILL at any moment leaves no process of that build alive 5 s later,
  and the previous site as it was.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compiler.incremental.workers import Chunked, beside

from .render_support import tree_bytes

REPO = Path(__file__).resolve().parents[1]
fork_only = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers need fork")


@fork_only
@pytest.mark.parametrize("workers", [0, 1, 3])
def test_results_come_in_chunk_order_from_a_closure(workers):
    table = {k: k * k for k in range(40)}  # read by the closure in the workers through fork
    pending = Chunked(lambda start, stop: [table[k] for k in range(start, stop)],
                      [(i, i + 3) for i in range(0, 39, 3)], workers)
    assert pending.results() == [[table[k] for k in range(i, i + 3)] for i in range(0, 39, 3)]


@fork_only
def test_a_chunk_whose_worker_fails_or_dies_is_done_here():
    parent = os.getpid()

    def work(k: int) -> tuple[int, int]:
        if os.getpid() != parent and k % 3 == 1:
            raise RuntimeError("a worker's failure")
        if os.getpid() != parent and k % 3 == 2:
            os._exit(7)  # the worker dies mid-way
        return k, k + 1

    assert Chunked(work, [(k,) for k in range(12)], 2).results() == [(k, k + 1) for k in range(12)]


@fork_only
def test_an_error_here_is_raised_and_the_workers_are_stopped():
    def work(k: int) -> int:
        if k == 0:
            raise ValueError("boom")
        return k

    with pytest.raises(ValueError, match="boom"):
        Chunked(work, [(k,) for k in range(4)], 1).results()


def _session_alive(sid: int) -> list[int]:
    """Processes of session ``sid`` still alive (zombies excluded)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, session = fields[0], int(fields[3])
        if session == sid and state != "Z":
            alive.append(int(entry.name))
    return alive


def _wait_gone(sid: int, seconds: float = 5.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (alive := _session_alive(sid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


SLOW = """
import os, sys, time
from compiler.incremental.workers import Chunked, beside
print(os.getpid(), flush=True)
def work(k):
    time.sleep(30)
    return k
with beside(lambda: time.sleep(30), True):
    Chunked(work, [(k,) for k in range(8)], 3).results()
"""


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_workers_die_when_the_process_that_forked_them_is_killed(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", SLOW], stdout=subprocess.PIPE, text=True,
                            start_new_session=True, cwd=REPO)
    try:
        int(proc.stdout.readline())
        deadline = time.monotonic() + 10
        while len(_session_alive(proc.pid)) < 5 and time.monotonic() < deadline:  # parent, 3 workers, beside
            time.sleep(0.05)
        assert len(_session_alive(proc.pid)) >= 5
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _wait_gone(proc.pid) == []
    finally:
        if _session_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_build_killed_at_any_moment_leaves_no_process_and_the_previous_site(tmp_path):
    terms = tmp_path / "terms"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(terms), "--terms", "400"],
                   check=True, capture_output=True)
    out = tmp_path / "site"
    command = [sys.executable, "-m", "compiler", "build", str(terms), "-o", str(out), "-j", "2"]
    subprocess.run(command, capture_output=True, cwd=REPO)
    before = tree_bytes(out)
    rng = random.Random(8)
    for attempt in range(4):
        for f in sorted(terms.glob("*.md"))[attempt::50]:  # an edit, so that the build does real work
            f.write_text(f.read_text("utf-8") + f"\nEdit {attempt}.\n", "utf-8")
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True, cwd=REPO)
        try:
            deadline = time.monotonic() + 20  # wait for its workers, then kill it a moment later
            while proc.poll() is None and len(_session_alive(proc.pid)) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.6))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            assert _wait_gone(proc.pid) == [], attempt
        finally:
            if _session_alive(proc.pid):
                os.killpg(proc.pid, signal.SIGKILL)
        now = tree_bytes(out)
        if now != before:  # the kill came after the new site was swapped in: it is whole
            reference = tmp_path / f"reference{attempt}"
            subprocess.run([*command[:-4], "-o", str(reference), "--no-cache", "-j", "1"], capture_output=True, cwd=REPO)
            assert now == tree_bytes(reference), attempt
            before = now
        assert not any(p.name.startswith(".") and p.name != ".compile-glossary" for p in out.iterdir()), attempt
    done = subprocess.run(command, capture_output=True, cwd=REPO)  # and the next build works
    assert done.returncode in (0, 1), done.stderr


@fork_only
def test_beside_runs_its_task_here_when_the_child_fails(tmp_path):
    mark = tmp_path / "mark"
    parent = os.getpid()

    def task() -> None:
        if os.getpid() != parent:
            os._exit(3)
        mark.write_text("done here")

    with beside(task, True):
        pass
    assert mark.read_text() == "done here"
