"""Security guarantees that cut across stages (issue 9, docs/guarantees.md)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from compiler.build import Options, analyze, build


def _term(ident: str, extra: str = "") -> str:
    return f"---\nterm: {ident.title()}\ncanonical_id: {ident}\n{extra}---\n\nBody of {ident}.\n"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links on this system")
def test_links_pointing_outside_the_terms_folder_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "SECRET.md").write_text(_term("SECRET"))
    terms = tmp_path / "terms"
    (terms / "inner").mkdir(parents=True)
    (terms / "A.md").write_text(_term("A"))
    (terms / "inner" / "B.md").write_text(_term("B"))
    os.symlink(outside / "SECRET.md", terms / "LINKED.md")
    os.symlink(outside, terms / "linked_folder")
    os.symlink(terms / "inner" / "B.md", terms / "ALSO_B.md")  # inside: followed
    g = analyze(terms, Options(checks=False))
    assert "SECRET" not in {t.id for t in g.terms}
    warned = sorted(d.file for d in g.diagnostics if d.code == "file-symlink")
    assert warned == ["LINKED.md", "linked_folder"]
    assert {t.file for t in g.terms} >= {"A.md", "inner/B.md", "ALSO_B.md"}


@pytest.mark.parametrize("ident", ["../../escape", "/abs/path", "C:\\\\win", "..", ".hidden", "a\\\\b"])
def test_ids_never_write_outside_out(tmp_path, ident):
    terms = tmp_path / "terms"
    terms.mkdir()
    (terms / "T.md").write_text(f'---\nterm: T\ncanonical_id: "{ident}"\naliases: ["{ident}", "../alias"]\n---\n')
    out = tmp_path / "site"
    build(terms, out, Options(checks=False))
    root = out.resolve()
    before = {p for p in tmp_path.rglob("*")}
    for p in out.rglob("*"):
        assert root in p.resolve().parents
    assert not (tmp_path / "escape.html").exists() and not Path("/abs/path.html").exists()
    assert {p for p in tmp_path.rglob("*")} == before


def test_output_folder_refusals(tmp_path, monkeypatch):
    from compiler.cli.main import main

    terms = tmp_path / "terms"
    terms.mkdir()
    (terms / "A.md").write_text(_term("A"))
    assert main(["build", str(terms), "-o", str(terms)]) == 2
    assert main(["build", str(terms), "-o", "/"]) == 2
    monkeypatch.setenv("HOME", str(tmp_path))
    assert main(["build", str(terms), "-o", str(tmp_path)]) == 2
    assert (terms / "A.md").read_text() == _term("A")
