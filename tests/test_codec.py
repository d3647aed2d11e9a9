"""The build cache holds plain data only, and reads back exactly what was stored.

- every record the cache keeps (terms, findings, check results, module documents, reference
  rows) goes to marshal's own types and back unchanged (table of records from real files);
- a cache file that is a pickle, even signed with this machine's key, runs nothing and is ignored;
- a symbolic link, a FIFO or an oversized file in place of a cache file is not read.
"""
from __future__ import annotations

import marshal
import os
import pickle
import shutil
from pathlib import Path

import pytest

from compiler.checks import run_checks
from compiler.incremental import cache, codec
from compiler.incremental.stages import fast_analyze as analyze
from compiler.link.references import _UNSET, term_references
from compiler.load.modules import load_modules
from compiler.load.terms import load_terms
from compiler.stages import Options

REPO = Path(__file__).resolve().parents[1]


def _plain(value) -> None:
    marshal.dumps(value, 4)  # raises ValueError on anything that is not plain data


@pytest.fixture(scope="module")
def shipped():
    terms = load_terms(REPO / "terms").terms
    return terms


def test_terms_and_their_findings_go_to_plain_data_and_back(shipped):
    for term in shipped:
        row = codec.term_row(term)
        _plain(row)
        back = codec.term_of(marshal.loads(marshal.dumps(row, 4)))
        assert (back.id, back.file, back.path, back.data, back.body, back.body_line, back.former_ids,
                back.has_errors, back.header_lines, dict(back.raw)) == (
            term.id, term.file, term.path, term.data, term.body, term.body_line, term.former_ids,
            term.has_errors, term.header_lines, dict(term.raw))
        assert dict(back.locations) == dict(term.locations)
        assert codec.term_row(back) == row  # packed locations are written back as they were read


def test_locations_that_do_not_pack_stay_tuples():
    from compiler.model import Location

    odd = {"/a\0b": Location(1, 2), "/c": Location(3, 4, None, None)}
    packed = codec.PackedLocations.pack(odd)
    assert isinstance(packed, dict)
    assert dict(codec._locations_of(marshal.loads(marshal.dumps(packed)))) == odd


def test_findings_checks_modules_and_reference_rows_round_trip(shipped):
    from compiler.config import load_config

    config, _ = load_config(REPO / "terms")
    results, diags = run_checks(shipped, hooks_dir=config.checks.hooks_dir)
    assert results and diags
    rows = codec.check_rows(results)
    _plain(rows)
    assert codec.checks_of(marshal.loads(marshal.dumps(rows))) == tuple(results)
    assert codec.diagnostics_of(marshal.loads(marshal.dumps(codec.diagnostic_rows(diags)))) == tuple(diags)
    corpus = REPO.parent / "shared" / "corpus" / "modules"
    if corpus.is_dir():
        modules, _ = load_modules([corpus])
        for module in modules[:40]:
            _plain(codec.module_row(module))
            assert codec.module_of(marshal.loads(marshal.dumps(codec.module_row(module)))) == module
    for term in shipped:
        rows = term_references(term)
        back = codec.references_of(codec.references_blob(rows))
        assert back == rows
        assert all((a[2] is _UNSET) == (b[2] is _UNSET) for a, b in zip(rows, back))


def _built_cache(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "terms", tmp_path / "terms")
    analyze(tmp_path / "terms", Options(cache_dir=tmp_path / "cache", output=tmp_path / "site"))
    (state,) = (tmp_path / "cache").glob("state-*")
    return state


class Boom:
    def __reduce__(self):
        return (os.system, ("touch PWNED",))


def test_a_signed_pickle_in_place_of_the_cache_runs_nothing(tmp_path, monkeypatch):
    state = _built_cache(tmp_path)
    body = pickle.dumps(Boom())
    cache.write_atomic(state, ".x-", cache.MAGIC, cache.sign(body), body)  # signed with this machine's key
    monkeypatch.chdir(tmp_path)
    glossary = analyze(tmp_path / "terms", Options(cache_dir=tmp_path / "cache", output=tmp_path / "site"))
    assert not (tmp_path / "PWNED").exists()
    assert [d.code for d in glossary.diagnostics if d.code == "cache-invalid"] == ["cache-invalid"]


@pytest.mark.parametrize("what", ["symlink to /dev/zero", "fifo", "symlink to a good copy"])
def test_a_cache_file_that_is_not_a_regular_file_is_not_read(tmp_path, what):
    state = _built_cache(tmp_path)
    good = state.read_bytes()
    state.unlink()
    if what == "fifo":
        os.mkfifo(state)
    elif what == "symlink to /dev/zero":
        state.symlink_to("/dev/zero")
    else:
        (tmp_path / "copy").write_bytes(good)
        state.symlink_to(tmp_path / "copy")
    assert cache.read_signed(state) is None
    glossary = analyze(tmp_path / "terms", Options(cache_dir=tmp_path / "cache", output=tmp_path / "site"))
    assert glossary.terms


def test_an_oversized_cache_file_is_not_read(tmp_path, monkeypatch):
    state = _built_cache(tmp_path)
    monkeypatch.setattr(cache, "MAX_FILE_BYTES", state.stat().st_size - 1)
    assert cache.read_signed(state) is None
    monkeypatch.undo()
    assert cache.read_signed(state) is not None
