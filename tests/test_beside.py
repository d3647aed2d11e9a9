"""``parallel.beside``: a task done in a forked child while the block runs, redone here if the child fails."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from compiler.incremental.workers import beside

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def writer(path: Path, log: list[int] | None = None):
    def task() -> None:
        if log is not None:
            log.append(os.getpid())
        path.write_text(str(os.getpid()), encoding="utf-8")
    return task


def test_the_task_runs_in_a_child_while_the_block_runs(tmp_path: Path):
    out, log = tmp_path / "done", []
    with beside(writer(out, log), enabled=True):
        here = os.getpid()
    assert out.read_text(encoding="utf-8") != str(here)  # written by the child, finished before the block returned
    assert log == []  # not run in this process


def test_a_failing_child_is_redone_here(tmp_path: Path):
    out, calls = tmp_path / "done", []

    def task() -> None:
        calls.append(os.getpid())  # in the child, this list is the child's copy
        if len(calls) == 1 and os.getpid() != parent:
            raise OSError("disk full")
        out.write_text(str(os.getpid()), encoding="utf-8")

    parent = os.getpid()
    with beside(task, enabled=True):
        pass
    assert out.read_text(encoding="utf-8") == str(parent)
    assert calls == [parent]


def test_a_killed_child_is_redone_here(tmp_path: Path):
    out, parent = tmp_path / "done", os.getpid()

    def task() -> None:
        if os.getpid() != parent:
            os.kill(os.getpid(), 9)
        out.write_text("here", encoding="utf-8")

    with beside(task, enabled=True):
        pass
    assert out.read_text(encoding="utf-8") == "here"


@pytest.mark.parametrize("enabled", [False, True])
def test_disabled_or_none(tmp_path: Path, enabled: bool):
    out, order = tmp_path / "done", []
    with beside(None, enabled=enabled):
        order.append("block")
    assert order == ["block"] and not out.exists()
    if not enabled:
        with beside(lambda: order.append("task"), enabled=False):
            order.append("block")
        assert order == ["block", "task", "block"]  # one job: the task first, in this process


def test_the_block_raising_still_waits_for_the_task(tmp_path: Path):
    out = tmp_path / "done"
    with pytest.raises(KeyError):
        with beside(writer(out), enabled=True):
            raise KeyError("report failed")
    assert out.exists()


def test_build_with_two_jobs_writes_its_cache_beside_the_report(tmp_path: Path, capsys):
    """The command line's report runs while a child writes the cache: both must be complete when it returns."""
    import shutil

    from compiler.cli.main import main
    from compiler.incremental.cache import cache_path

    terms = tmp_path / "terms"
    shutil.copytree(Path(__file__).resolve().parents[1] / "terms", terms)
    out = tmp_path / "site"
    assert main(["build", str(terms), "-o", str(out), "--jobs", "2"]) in (0, 1)
    printed = capsys.readouterr().out
    assert printed.count("wrote ") == 1 and printed.rstrip().splitlines()[-1].startswith("wrote ")  # once, last
    cache = tmp_path / ".glossary-cache"
    files = list(cache.glob("state-*.cache"))
    assert len(files) == 1
    name = f"{terms.resolve()}|{out.resolve()}"  # the state file of this (terms, site) pair
    assert cache_path(cache, "state", name) == files[0]
    from compiler.incremental.stages import FastStages
    from compiler.stages import Options

    stages = FastStages(Options(cache_dir=cache))
    stages.aim(out)
    _, diags = stages.configure(terms)  # reads the state this build's key names
    assert diags == [] and stages.state is not None and len(stages.state.files) == len(list(terms.rglob("*.md")))

    # a second build swaps the first site out; it is removed beside the report, before main returns
    first = sorted(terms.glob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    assert main(["build", str(terms), "-o", str(out), "--jobs", "2"]) in (0, 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".glossary-cache", "site", "terms"]


def test_a_swapped_out_site_is_left_to_the_caller_when_asked(tmp_path: Path):
    from compiler.render.output import atomic_output, remove_leftover

    out = tmp_path / "site"
    for text in ("one", "two"):
        leftovers: list[Path] = []
        with atomic_output(out, leftovers=leftovers) as tmp:
            (tmp / "index.html").write_text(text, encoding="utf-8")
        assert (out / "index.html").read_text(encoding="utf-8") == text
    assert len(leftovers) == 1 and (leftovers[0] / "index.html").read_text(encoding="utf-8") == "one"
    assert remove_leftover(leftovers[0])  # claimed and removed here...
    assert not remove_leftover(leftovers[0])  # ...so the other process offering finds nothing to do
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
