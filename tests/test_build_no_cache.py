"""`build --no-cache` neither reads nor writes the user's cache folder (compiled templates).

A "cold" build that loads compiled templates from ``$XDG_CACHE_HOME/compile-glossary``
is not cold (its figures in bench/ would be flattered), and a build asked for no cache must
leave no trace there. The test poisons every compiled template in that folder, so that
loading one makes the build fail, and first shows that a build with a cache does load
them (otherwise the poison would prove nothing).
"""
from __future__ import annotations

import marshal
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
POISON = "POISONED_TEMPLATE_CACHE"


def _build(terms: Path, out: Path, home: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(home)}
    env.pop("COMPILE_GLOSSARY_NO_TEMPLATE_CACHE", None)
    return subprocess.run([sys.executable, "-m", "compiler", "build", str(terms), "-o", str(out), *extra],
                          capture_output=True, text=True, env=env, timeout=300)


def _listing(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` with its bytes and mtime: a write of any kind changes it."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _poison(compiled: Path) -> None:
    """Keep Jinja's header (magic and the source's checksum, so the file is taken as current)
    and replace the code with code that raises when the template is loaded."""
    import jinja2.bccache

    data = compiled.read_bytes()
    magic = jinja2.bccache.bc_magic
    assert data.startswith(magic)
    header = magic + pickle.dumps(pickle.loads(data[len(magic):]), 2)  # pickle.loads stops after the checksum
    code = compile(f"raise RuntimeError({POISON!r})", "<poison>", "exec")
    compiled.write_bytes(header + marshal.dumps(code))


@pytest.fixture
def glossary(tmp_path: Path) -> Path:
    terms = tmp_path / "terms"
    terms.mkdir()
    for name in ("MUON.md", "ELECTRON.md"):
        source = REPO / "terms" / name
        if not source.exists():
            pytest.skip(f"terms/{name} is not in this checkout")
        shutil.copy(source, terms / name)
    return terms


def test_no_cache_build_neither_reads_nor_writes_the_users_cache(glossary: Path, tmp_path: Path) -> None:
    home = tmp_path / "home-cache"
    first = _build(glossary, tmp_path / "site1", home, "--cache-dir", str(tmp_path / "c1"), "-j", "1")
    assert first.returncode == 0, first.stderr
    compiled = sorted(home.rglob("*.cache"))
    assert compiled, "a build with a cache keeps its compiled templates in the user's cache folder"
    for path in compiled:
        _poison(path)
    # the poison works: a build with a (fresh) cache loads the compiled templates and fails
    control = _build(glossary, tmp_path / "site2", home, "--cache-dir", str(tmp_path / "c2"), "-j", "1")
    assert control.returncode != 0 and POISON in control.stdout + control.stderr
    before = _listing(home)
    reference = (tmp_path / "site1" / "terms")
    for jobs in ("1", "2"):
        out = tmp_path / f"cold-{jobs}"
        cold = _build(glossary, out, home, "--no-cache", "-j", jobs)
        assert cold.returncode == 0, cold.stderr
        assert POISON not in cold.stdout + cold.stderr
        assert _listing(home) == before, f"--no-cache -j {jobs} wrote to the user's cache folder"
        for page in reference.glob("*.html"):
            assert (out / "terms" / page.name).read_bytes() == page.read_bytes(), page.name
