"""Module documents are read again only when their stamp changed (the build cache keeps the answers)."""
from __future__ import annotations

import os
import time
from pathlib import Path

import compiler.incremental.modules as remembered_modules
from compiler.incremental.modules import RememberedModules
from compiler.load.modules import load_modules as plain_load_modules


def load_modules(folders, memo=None):
    """The stage with the build cache's memory of module documents (none without ``memo``)."""
    if memo is None:
        return plain_load_modules(folders)
    remembered = RememberedModules(memo)
    found = plain_load_modules(folders, read=remembered.read)
    remembered.forget_the_rest()
    return found


def _write(path: Path, text: str, age_s: float = 10.0) -> None:
    path.write_text(text, "utf-8")
    past = time.time() - age_s
    os.utime(path, (past, past))


def _titles(modules) -> dict[str, str]:
    return {m.id: m.title for m in modules}


def test_an_unchanged_module_is_remembered_and_a_changed_one_read_again(tmp_path, monkeypatch):
    folder = tmp_path / "modules"
    folder.mkdir()
    _write(folder / "A.md", "---\nid: MOD-A\ntitle: First\n---\nbody\n")
    _write(folder / "B.md", "---\nid: MOD-B\ntitle: Second\n---\nbody\n")
    _write(folder / "bad.md", "---\nid: MOD-C\ntitle: [unclosed\n---\n")
    memo: dict = {}
    read = []
    real = remembered_modules.read_module
    monkeypatch.setattr(remembered_modules, "read_module", lambda path, display: (read.append(path.name),
                                                                                  real(path, display))[1])
    first, first_diags = load_modules([folder], memo=memo)
    assert sorted(read) == ["A.md", "B.md", "bad.md"]
    again, again_diags = load_modules([folder], memo=memo)
    assert _titles(again) == _titles(first) == {"MOD-A": "First", "MOD-B": "Second"}
    assert [d.code for d in again_diags] == [d.code for d in first_diags] == ["module-unreadable"]
    assert again == first and len(read) == 3  # not read again

    _write(folder / "A.md", "---\nid: MOD-A\ntitle: Renamed title\n---\nbody\n", age_s=5.0)
    (folder / "B.md").unlink()
    _write(folder / "bad.md", "---\nid: MOD-C\ntitle: fixed\n---\n")
    after, after_diags = load_modules([folder], memo=memo)
    assert _titles(after) == {"MOD-A": "Renamed title", "MOD-C": "fixed"}
    assert after_diags == []
    assert sorted(Path(k).name for k in memo) == ["A.md", "bad.md"]  # the gone file is forgotten
    assert _titles(after) == _titles(load_modules([folder])[0])  # the same as without a memo


def test_a_file_written_just_before_it_was_read_is_not_trusted_by_its_stamp(tmp_path):
    folder = tmp_path / "modules"
    folder.mkdir()
    path = folder / "A.md"
    path.write_text("---\nid: MOD-A\ntitle: One\n---\n", "utf-8")  # fresh: inside the racy window
    memo: dict = {}
    load_modules([folder], memo=memo)
    stamp = path.stat()
    path.write_text("---\nid: MOD-A\ntitle: Two\n---\n", "utf-8")  # same size, maybe the same mtime tick
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert _titles(load_modules([folder], memo=memo)[0]) == {"MOD-A": "Two"}


def test_a_document_reached_twice_is_read_once_and_shown_from_its_folder(tmp_path):
    """Two module folders, one inside the other, and a linked file: each document once, by its first path."""
    outer = tmp_path / "modules"
    inner = outer / "sub"
    inner.mkdir(parents=True)
    _write(outer / "A.md", "---\nid: MOD-A\ntitle: First\n---\n")
    _write(inner / "B.md", "---\nid: MOD-B\ntitle: Second\n---\n")
    (inner / "A-link.md").symlink_to(outer / "A.md")
    for memo in (None, {}):
        modules, diags = load_modules([outer, inner], memo=memo)
        assert [(m.id, m.file) for m in modules] == [("MOD-A", "modules/A.md"), ("MOD-B", "modules/sub/B.md")]
        assert diags == []  # the link and the inner folder's second visit are no duplicates
