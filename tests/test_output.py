"""Atomic output: OUT is always a whole site (old or new), never a mix, never a leftover."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compiler.render.output import MARKER, OutputError, atomic_output, check_target
from tests.render_support import REPO, tree_bytes

BUILD_SCRIPT = r"""
import sys
from pathlib import Path
from compiler.render import render_site
from tests.render_support import make_glossary, term
n, tag, out = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
terms = [term(f"T{i:04d}", f"Term {i}", body=f"Body {tag} $x_{{{i}}}$", version=tag,
              parents=[f"T{(i * 7) % n:04d}"], crosslinks={"antonyms": [f"W{i % 50}"]}) for i in range(n)]
stats, diags = render_site(make_glossary(terms, root=out.parent / "terms"), out)
sys.exit(1 if diags else 0)
"""


def build_cmd(n: int, tag: str, out: Path) -> list[str]:
    return [sys.executable, "-c", BUILD_SCRIPT, str(n), tag, str(out)]


def run_build(n: int, tag: str, out: Path) -> None:
    subprocess.run(build_cmd(n, tag, out), cwd=REPO, check=True, timeout=300)


def reference_sites(n: int, folder: Path) -> dict[str, dict[str, bytes]]:
    """The complete sites of both versions, built once, to compare OUT against byte for byte."""
    refs = {}
    for tag in ("v1", "v2"):
        run_build(n, tag, folder / f"ref-{tag}")
        refs[tag] = tree_bytes(folder / f"ref-{tag}")
    assert refs["v1"] != refs["v2"]
    return refs


def leftovers(out: Path) -> list[str]:
    """Temporary folders or lock files beside OUT, and our temp marker inside it."""
    found = sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))
    if (out / ".compile-glossary-tmp").exists():
        found.append("temp marker inside OUT")
    return found


def test_success_replaces_the_site_whole(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with atomic_output(out) as tmp:
        assert tmp.parent == tmp_path and tmp != out
        (tmp / "a.html").write_text("one")
        assert not out.exists()  # nothing visible until the block ends
    assert (out / "a.html").read_text() == "one" and (out / MARKER).is_file()
    with atomic_output(out) as tmp:
        (tmp / "b.html").write_text("two")
        assert (out / "a.html").read_text() == "one"
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "b.html"]
    assert leftovers(out) == []


def test_a_failed_build_keeps_the_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with atomic_output(out) as tmp:
        (tmp / "a.html").write_text("one")
    before = tree_bytes(out)
    with pytest.raises(RuntimeError):
        with atomic_output(out) as tmp:
            (tmp / "a.html").write_text("half")
            raise RuntimeError("boom")
    assert tree_bytes(out) == before and leftovers(out) == []


@pytest.mark.parametrize("name", ["root", "home", "terms", "terms_parent", "foreign", "file"])
def test_dangerous_outputs_are_refused(name: str, tmp_path: Path) -> None:
    terms = tmp_path / "project" / "terms"
    terms.mkdir(parents=True)
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("precious")
    (tmp_path / "plain").write_text("x")
    target = {"root": Path("/"), "home": Path.home(), "terms": terms, "terms_parent": terms.parent,
              "foreign": foreign, "file": tmp_path / "plain"}[name]
    with pytest.raises(OutputError):
        with atomic_output(target, forbidden=[terms]):
            pytest.fail("must not be reached")
    assert (foreign / "keep.txt").read_text() == "precious"
    assert (tmp_path / "plain").read_text() == "x"


def test_symlinked_output_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(OutputError):
        check_target(tmp_path / "link")


def test_an_empty_existing_folder_is_accepted(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    with atomic_output(out) as tmp:
        (tmp / "x.html").write_text("x")
    assert (out / "x.html").is_file()


def test_leftovers_of_a_killed_build_are_cleaned_or_restored(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with atomic_output(out) as tmp:
        (tmp / "a.html").write_text("old")
    # a killed build's temp folder, and a stranger's folder with a similar name
    stale = tmp_path / ".site.tmp-dead"
    stale.mkdir()
    (stale / ".compile-glossary-tmp").write_text("")
    (stale / "half.html").write_text("half")
    stranger = tmp_path / ".site.tmp-notours"
    stranger.mkdir()
    (stranger / "data.txt").write_text("keep")
    half = tmp_path / ".site.tmp-halfdeleted"  # an old site whose removal was killed midway
    (half / "terms").mkdir(parents=True)
    (half / MARKER).write_text("")
    (half / "terms" / "x.html").write_text("x")
    with atomic_output(out) as tmp:
        (tmp / "a.html").write_text("new")
    assert not stale.exists() and not half.exists() and (stranger / "data.txt").read_text() == "keep"
    # a kill between the two renames of the fallback path: OUT is missing, .old holds it
    os.rename(out, tmp_path / ".site.old-x")
    with pytest.raises(RuntimeError):
        with atomic_output(out):
            raise RuntimeError("stop before swapping")
    assert (out / "a.html").read_text() == "new"


def test_sigkill_at_random_moments_leaves_a_whole_site(tmp_path: Path) -> None:
    n = 300
    refs = reference_sites(n, tmp_path)
    out = tmp_path / "work" / "site"
    out.parent.mkdir()
    run_build(n, "v1", out)
    current = "v1"
    start = time.monotonic()
    run_build(n, "v2", tmp_path / "timing")
    duration = time.monotonic() - start
    rng = random.Random(20)
    swapped = 0
    for attempt in range(20):
        target = "v2" if current == "v1" else "v1"
        proc = subprocess.Popen(build_cmd(n, target, out), cwd=REPO)
        time.sleep(rng.uniform(0.0, duration * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = tree_bytes(out)
        assert now in (refs[current], refs[target]), f"attempt {attempt}: OUT is a mix"
        if now == refs[target] and target != current:
            swapped += 1
            current = target
        inside = [p for p in out.rglob("*") if "tmp" in p.name]
        assert inside == [], f"attempt {attempt}: temporary files inside OUT"
    run_build(n, "v2", out)
    assert tree_bytes(out) == refs["v2"]
    assert leftovers(out) == []
    assert swapped < 20  # most kills land before the swap


def test_concurrent_builds_never_mix(tmp_path: Path) -> None:
    n = 200
    refs = reference_sites(n, tmp_path)
    out = tmp_path / "site"
    procs = [subprocess.Popen(build_cmd(n, tag, out), cwd=REPO) for tag in ("v1", "v2", "v1", "v2")]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0, 0]
    assert tree_bytes(out) in (refs["v1"], refs["v2"])
    assert leftovers(out) == []


def test_a_second_build_waits_for_the_lock(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with atomic_output(out) as tmp:
        (tmp / "mine.html").write_text("first")
        proc = subprocess.Popen(build_cmd(20, "v2", out), cwd=REPO)
        try:
            proc.wait(timeout=3)
            pytest.fail("the second build did not wait for the lock")
        except subprocess.TimeoutExpired:
            pass
        assert not out.exists()
    assert (out / "mine.html").is_file()
    assert proc.wait(timeout=120) == 0
    assert not (out / "mine.html").exists() and (out / "terms").is_dir()


def test_exchange_swaps_two_folders_or_changes_nothing(tmp_path: Path) -> None:
    """renameat2(RENAME_EXCHANGE) where libc and the file system have it; otherwise False and no change."""
    from compiler.render.output import exchange

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "from-a").write_text("a")
    (tmp_path / "b" / "from-b").write_text("b")
    swapped = exchange(tmp_path / "a", tmp_path / "b")
    names = (sorted(p.name for p in (tmp_path / "a").iterdir()), sorted(p.name for p in (tmp_path / "b").iterdir()))
    assert names == ((["from-b"], ["from-a"]) if swapped else (["from-a"], ["from-b"]))
    import ctypes

    from compiler.render.output import _renameat2

    if hasattr(ctypes.CDLL(None), "renameat2"):  # glibc >= 2.28: the atomic path is found
        assert _renameat2() is not None
