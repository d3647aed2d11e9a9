"""bench/run.py's edits and memory figure: what the benchmark times must be what it says.

The corpus "edit" once replaced a heading no corpus file has, so the build after it rebuilt
nothing and the figure was a no-op's; "peak MB" was the largest process alone. These tests
check the edit on real and generated glossaries, and the sum over a process tree.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compiler.load.terms import load_text

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # a dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


run = _module("run")
procmem = _module("procmem")


def _term(path: Path):
    term, _ = load_text(path.read_text("utf-8"), path, path.name)
    assert term is not None
    return term


def _assert_body_edits(terms: Path) -> None:
    before = {p.name: p.read_bytes() for p in terms.glob("*.md")}
    edited = run.edit_one(terms, 1)
    first = _term(terms / edited.name)
    original_path = terms.parent / "original.md"
    original_path.write_bytes(before[edited.name])
    original = _term(original_path)
    assert first.body != original.body and dict(first.data) == dict(original.data)
    for round_ in (2, 3):
        assert run.edit_one(terms, round_) == edited  # the same file every round
        now = _term(edited)
        assert now.body != first.body and dict(now.data) == dict(original.data)
        first = now
    text = edited.read_text("utf-8")
    assert text.count(run.MARKER) == 1 and f"{run.MARKER} 3." in text
    changed = [p.name for p in terms.glob("*.md") if p.read_bytes() != before[p.name]]
    assert changed == [edited.name]


def test_edit_changes_a_body_of_the_corpus(corpus_dir: Path, tmp_path: Path) -> None:
    terms = tmp_path / "dictionary"
    shutil.copytree(corpus_dir, terms)
    _assert_body_edits(terms)


def test_edit_changes_a_body_of_a_generated_glossary(tmp_path: Path) -> None:
    _assert_body_edits(run.generate(tmp_path / "g", 40))


@pytest.mark.parametrize("content", [
    "---\nterm: Open\ncanonical_id: OPEN\n",  # a header never closed: a sentence would go into its YAML
    "not a term file at all\n",
])
def test_edit_refuses_a_glossary_where_no_body_can_change_alone(tmp_path: Path, content: str) -> None:
    (tmp_path / "OPEN.md").write_text(content, "utf-8")
    with pytest.raises(RuntimeError, match="no term file"):
        run.edit_one(tmp_path, 1)


def test_an_edit_that_changes_no_byte_stops_the_benchmark(tmp_path: Path) -> None:
    path = tmp_path / "A.md"
    path.write_text("---\nterm: A\n---\nbody\n", "utf-8")
    with pytest.raises(RuntimeError, match="unchanged"):
        run._write_changed(path, path.read_bytes(), "---\nterm: A\n---\nbody\n")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_tree_memory_sums_the_processes_of_a_tree() -> None:
    """A parent and a forked child each holding ~60 MB of their own: the sum counts both."""
    script = (
        "import os, time\n"
        "pid = os.fork()\n"
        "block = bytearray(60 * 1024 * 1024)\n"
        "for i in range(0, len(block), 4096): block[i] = 1\n"
        "time.sleep(0.6)\n"
        "if pid: os.waitpid(pid, 0)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    memory = procmem.TreeMemory(proc.pid).start()
    proc.wait()
    memory.stop()
    figures = memory.figures()
    assert figures["processes"] == 2
    assert figures["largest_mb"] >= 60
    assert figures["tree_mb"] >= figures["largest_mb"] + 55


def test_tree_memory_leaves_out_processes_outside_the_tree() -> None:
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.3)"])
    try:
        memory = procmem.TreeMemory(proc.pid).start()
        proc.wait()
        time.sleep(0.05)
        memory.stop()
        assert set(memory.hwm_kb) == {proc.pid}
        assert os.getpid() not in memory.hwm_kb
    finally:
        other.wait()
