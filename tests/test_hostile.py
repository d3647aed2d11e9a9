"""The hostile-input corpus: every file gives its located diagnostics, nothing crashes,
and the healthy files beside the hostile ones still build into pages.

Files and expectations: tests/fixtures/hostile/make_hostile.py. Time and memory bounds
are measured in bench/, not asserted here.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.build import Options, analyze, build

from .conftest import FIXTURES

HOSTILE = FIXTURES / "hostile" / "files"
EXPECTED = json.loads((FIXTURES / "hostile" / "expected.json").read_text())


@pytest.fixture(scope="module")
def glossary():
    return analyze(HOSTILE, Options(checks=False))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_gives_its_diagnostics(glossary, name):
    got = {(d.code, d.line) for d in glossary.diagnostics if d.file == name}
    for code, line in EXPECTED[name]:
        assert (code, line) in got, (name, sorted(got))
    for d in glossary.diagnostics:
        if d.file == name and d.code != "term-orphan":
            assert d.message


def test_corpus_is_large_enough():
    bad = json.loads((FIXTURES / "load" / "expected.json").read_text())
    assert len(EXPECTED) + len(bad) >= 60


def test_nothing_from_a_tag_is_constructed(glossary):
    assert not Path("/tmp/pwned").exists()
    term = next(t for t in glossary.terms if t.id == "PY_NAME")
    assert term.data.get("symbol") is None


def test_yaml_traps_keep_text(glossary):
    term = next(t for t in glossary.terms if t.file == "bool_like_values.md")
    assert term.id == "NO" and term.data["term"] == "yes" and term.data["symbol"] == "off"
    assert term.data["version"] == "1e3"
    number = next(t for t in glossary.terms if t.file == "id_number.md")
    assert number.id == "12345"


def test_fifty_megabyte_file_is_refused_quickly(tmp_path):
    folder = tmp_path / "big"
    folder.mkdir()
    with open(folder / "big.md", "wb") as fh:
        fh.write(b"---\nterm: Big\ncanonical_id: BIG\n---\n")
        fh.write(b"x" * (50 * 1024 * 1024))
    g = analyze(folder, Options(checks=False))
    assert [(d.code, d.line) for d in g.diagnostics if d.severity.value == "error"] == [("file-too-large", 1)]


def test_healthy_neighbours_build(tmp_path):
    out = tmp_path / "site"
    glossary, stats = build(HOSTILE, out, Options(checks=False))
    pages = {p.name for p in (out / "terms").glob("*.html")}
    assert "HEALTHY_A.html" in pages and "HEALTHY_B.html" in pages
    assert stats.pages > len(EXPECTED)
    for page in out.rglob("*"):
        assert out.resolve() in page.resolve().parents or page.resolve() == out.resolve()


def test_internal_error_is_short_and_exits_2(tmp_path):
    code = ("import compiler.link as g\n"
            "def boom(*args): raise RuntimeError('simulated bug')\n"
            "g.link = boom\n"
            "from compiler.cli.main import main\n"
            f"raise SystemExit(main(['validate', {str(HOSTILE)!r}]))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "internal error" in proc.stderr and "report" in proc.stderr
    assert "Traceback" not in proc.stderr


def _flaky(real):
    def load_text(text, path, display):
        if path.name == "healthy_a.md":
            raise RuntimeError("simulated bug")
        return real(text, path, display)
    return load_text


def test_a_crash_on_one_file_skips_that_file_only(monkeypatch):
    import compiler.load.terms as load

    monkeypatch.setattr(load, "load_text", _flaky(load.load_text))
    result = load.load_terms(HOSTILE)
    (d,) = [d for d in result.diagnostics if d.code == "internal-error"]
    assert d.file == "healthy_a.md" and "simulated bug" in d.message
    assert any(t.id == "HEALTHY_B" for t in result.terms)


def test_a_crash_on_one_file_in_the_build_path_skips_that_file_only(monkeypatch):
    import compiler.load.terms as load

    monkeypatch.setattr(load, "load_text", _flaky(load.load_text))
    g = analyze(HOSTILE, Options(checks=False))
    assert [d.file for d in g.diagnostics if d.code == "internal-error"] == ["healthy_a.md"]
    assert any(t.id == "HEALTHY_B" for t in g.terms)


def test_a_file_name_that_is_not_utf8_builds_and_rebuilds(tmp_path):
    """Python decodes such a name with lone surrogates, which UTF-8 cannot hold: the pages and
    reports show it with U+FFFD, and the build, its rebuild and a --jobs 2 build go through."""
    import os

    from compiler.cli.main import main

    terms = tmp_path / "terms"
    terms.mkdir()
    text = "---\nterm: Muon\ncanonical_id: MUON\nstatus: draft\n---\n\n# Muon\n\nA heavy lepton.\n"
    try:
        with open(os.path.join(os.fsencode(terms), b"MU\xffON.md"), "wb") as fh:
            fh.write(text.encode("utf-8"))
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    if not any("\udcff" in p.name for p in terms.iterdir()):
        pytest.skip("this platform decodes file names otherwise")
    past = 1_600_000_000
    for p in terms.iterdir():
        os.utime(p, (past, past))
    codes = [main(["build", str(terms), "-o", str(tmp_path / "site"), "--jobs", str(jobs)]) for jobs in (1, 2, 1)]
    assert codes == [0, 0, 0]
    problems = (tmp_path / "site" / "problems.html").read_bytes().decode("utf-8")  # valid UTF-8
    assert "MU\ufffdON.md" in problems and (tmp_path / "site" / "terms" / "MUON.html").is_file()


def test_a_no_op_record_with_a_name_that_is_not_utf8_is_skipped(tmp_path):
    """The no-op record is UTF-8 JSON: a finding about such a file leaves no record (the next
    build is a real one) instead of failing the build's report."""
    from types import SimpleNamespace

    from compiler.codes import make
    from compiler.incremental import noop

    out = tmp_path / "site"
    out.mkdir()
    (out / ".compile-glossary").write_text("marker")
    finding = make("header-missing", "MU\udcffON.md", 1, 1, "no header")
    glossary = SimpleNamespace(diagnostics=(finding,), files=1, terms=(), checks=())
    cache = tmp_path / "cache"
    stamps = noop.Stamps("stamps")
    noop.record(cache, "name", stamps, stamps, out, glossary, 1, ("key", "MU\udcffON.md:1:1: error"))
    assert not cache.exists() or not list(cache.glob("noop-*"))
    healthy = SimpleNamespace(diagnostics=(make("header-missing", "MUON.md", 1, 1, "no header"),), files=1, terms=(),
                              checks=())
    noop.record(cache, "name", stamps, stamps, out, healthy, 1, ("key", "MUON.md:1:1: error"))
    assert len(list(cache.glob("noop-*"))) == 1  # the same call records a healthy report
    replayed = noop.replay(cache, "name", stamps, out, tmp_path, "key")
    assert replayed is not None and replayed.text == "MUON.md:1:1: error" and replayed.counts == (1, 0, 0, 0)
