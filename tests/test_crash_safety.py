"""Crash safety of `build` (issue 9): SIGKILL at random moments, concurrent builds, a corrupt cache.

A generated glossary is built once (site A); then a term changes and `build` is killed
at 20 random moments. Each time OUT must still be site A byte for byte, nothing of ours
may be left inside OUT, and the next build must succeed.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from .conftest import FIXTURES
from .render_support import tree_bytes as tree

REPO = FIXTURES.parents[1]
sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "compiler", *args]


@pytest.fixture(scope="module")
def glossary(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash")
    terms = generate(root / "g", 150, seed=3)
    return root, terms


def test_sigkill_at_20_random_moments_leaves_the_previous_site(glossary):
    root, terms = glossary
    out = root / "site"
    # --no-cache: every build does the whole work, so the kills land at moments spread over all of it
    args = cli("build", str(terms), "-o", str(out), "--modules", str(root / "g"), "-j", "1", "--no-cache")
    started = time.perf_counter()
    subprocess.run(args, cwd=root, capture_output=True, check=False, timeout=600)
    duration = time.perf_counter() - started
    before = tree(out)
    assert before and (out / "index.html").is_file()
    victim = sorted(terms.glob("*.md"))[0]
    original = victim.read_text("utf-8")
    rng = random.Random(20)
    killed = 0
    try:
        victim.write_text(original.replace("## Canonical", "## Canonical\nChanged for the kill test."), "utf-8")
        for _ in range(20):
            proc = subprocess.Popen(args, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.05, duration * 0.95))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                killed += 1
            proc.wait()
            now = tree(out)
            if now != before:  # the build finished before the kill: a whole new site, then start again from it
                assert b"Changed for the kill test." in b"".join(now.values())
                before = now
            assert not (out / ".compile-glossary-tmp").exists()
            assert not [p for p in out.rglob(".*tmp*")]
    finally:
        victim.write_text(original, "utf-8")
    assert killed >= 10, "the kills should mostly land during the build"
    proc = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    assert b"Changed for the kill test." not in b"".join(tree(out).values())
    assert not [p.name for p in root.iterdir() if p.name.startswith(".site.")]


def test_two_builds_at_once_never_mix(glossary):
    root, terms = glossary
    out = root / "concurrent"
    a = subprocess.Popen(cli("build", str(terms), "-o", str(out), "--no-cache"), cwd=root,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    b = subprocess.Popen(cli("build", str(terms), "-o", str(out), "--no-cache"), cwd=root,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for proc in (a, b):
        _out, err = proc.communicate(timeout=600)
        assert proc.returncode in (0, 1) and "Traceback" not in err
    site = tree(out)
    solo = root / "solo"
    subprocess.run(cli("build", str(terms), "-o", str(solo), "--no-cache"), cwd=root, capture_output=True, timeout=600)
    assert site == tree(solo)  # the same input: whichever won, the site is whole and identical


def test_a_corrupt_cache_is_detected_and_rebuilt(glossary):
    root, terms = glossary
    out, cache = root / "cached", root / ".glossary-cache"
    args = cli("build", str(terms), "-o", str(out), "--format", "json")
    first = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=600)
    for state in cache.glob("state-*.cache"):
        data = state.read_bytes()
        state.write_bytes(data[: len(data) // 2])  # what a kill mid-write of a non-atomic writer would leave
    for record in cache.glob("noop-*.record"):  # a kill before the no-op record (written last) leaves none
        record.unlink()
    second = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=600)
    assert "the build cache was rebuilt" in second.stderr  # said, but no finding of the glossary
    import json

    d1, d2 = json.loads(first.stdout), json.loads(second.stdout)
    assert d1["diagnostics"] == d2["diagnostics"] and d1["checks"] == d2["checks"]


def test_a_forged_cache_never_runs_code(glossary, tmp_path):
    """A cache file committed by a stranger (valid pickle, no valid signature) is ignored."""
    import pickle

    from compiler.incremental.cache import MAGIC, cache_path, read_state

    class Boom:
        def __reduce__(self):
            return (os.system, (f"touch {tmp_path / 'pwned'}",))

    folder = tmp_path / "cache"
    folder.mkdir()
    payload = pickle.dumps((1, Boom()))
    cache_path(folder, "state", "x").write_bytes(MAGIC + b"\0" * 32 + payload)
    state, diags = read_state(folder, "env", "x")
    assert not (tmp_path / "pwned").exists()
    assert [d.code for d in diags] == ["cache-invalid"] and state.files == {}
