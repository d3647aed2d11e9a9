"""Module folders: gitignore-style exclude patterns, and findings that name real paths.

A real glossary's module folder holds ``rejected_modules/`` and older volumes beside the
documents it means; ``modules-exclude`` (configuration) and ``--modules-exclude`` (command
line) leave them out, through the one folder walker. And a finding about a module names
a path that, joined to the terms folder as the user named it, is the module's file (it
once named ``TERMS/<module folder's name>/...``, which does not exist).
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from compiler.cli.main import main
from compiler.config import excluded, load_config
from compiler.load.modules import load_modules

TERM = """---
canonical_id: {ident}
term: {ident}
status: draft
parents: [MOD-A, MOD-B]
---
Text.
"""


def _module(path: Path, ident: str, text: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text is not None else f"---\nid: {ident}\ntitle: Module {ident}\n---\nBody.\n",
                    encoding="utf-8")


def _glossary(base: Path, *, nested: bool) -> tuple[Path, Path]:
    """Terms and modules: the modules folder beside the terms, or holding them (``modules/dictionary``)."""
    modules = base / "pirouette-modules"
    terms = modules / "dictionary" if nested else base / "dictionary"
    terms.mkdir(parents=True)
    (terms / "T.md").write_text(TERM.format(ident="T"), encoding="utf-8")
    _module(modules / "A.md", "MOD-A")
    _module(modules / "Volume_5" / "B.md", "MOD-B")
    _module(modules / "rejected_modules" / "A.md", "MOD-A")  # a duplicate id
    _module(modules / "rejected_modules" / "old" / "bad.md", "", "---\nid: MOD-X\ntitle: [unclosed\n---\n")
    _module(modules / "Volume_5" / "A-again.md", "MOD-A")
    return terms, modules


def _findings(capsys, *args: str) -> list[dict]:
    main(["validate", *args, "--format", "json"])
    return json.loads(capsys.readouterr().out)["diagnostics"]


@pytest.mark.parametrize("nested", [False, True])
@pytest.mark.parametrize("relative", [False, True])
def test_every_path_a_module_finding_names_exists(tmp_path, capsys, monkeypatch, nested, relative):
    terms, modules = _glossary(tmp_path, nested=nested)
    if relative:  # both folders named from the working folder, as a user types them
        monkeypatch.chdir(tmp_path)
        terms, modules = terms.relative_to(tmp_path), modules.relative_to(tmp_path)
    found = _findings(capsys, str(terms), "--modules", str(modules))
    about_modules = [d for d in found if d["code"].startswith("module-")]
    assert sorted(d["code"] for d in about_modules) == ["module-duplicate", "module-duplicate", "module-unreadable"]
    for d in found:
        assert os.path.exists(d["file"]), d
    assert {Path(d["file"]).resolve() for d in about_modules} == {
        (modules / "rejected_modules" / "A.md").resolve(), (modules / "Volume_5" / "A-again.md").resolve(),
        (modules / "rejected_modules" / "old" / "bad.md").resolve()}


@pytest.mark.parametrize("patterns, left", [
    (["rejected_modules/"], {"module-duplicate"}),                 # the folder and all under it
    (["rejected_modules/", "A-again.md"], set()),                 # a file name anywhere
    (["/Volume_5/A-again.md", "rejected_modules"], set()),        # anchored at the module folder
    (["Volume_5/", "!Volume_5/B.md"], {"module-duplicate", "module-unreadable"}),  # git cannot re-include in an excluded folder
    (["*.md", "!A.md"], {"module-duplicate"}),                    # everything but the A.md files
])
def test_exclude_patterns_follow_gitignore(tmp_path, capsys, patterns, left):
    terms, modules = _glossary(tmp_path, nested=True)
    args = [str(terms), "--modules", str(modules)] + [f"--modules-exclude={p}" for p in patterns]
    assert {d["code"] for d in _findings(capsys, *args) if d["code"].startswith("module-")} == left


def test_the_configuration_key_and_the_command_line_add_up(tmp_path, capsys):
    terms, modules = _glossary(tmp_path, nested=False)
    (tmp_path / "glossary.toml").write_text(
        'terms = "dictionary"\nmodules = "pirouette-modules"\nmodules_exclude = ["rejected_modules/"]\n', encoding="utf-8")
    config, diags = load_config(terms)
    assert config.modules_exclude == ("rejected_modules/",) and not diags
    found = _findings(capsys, str(terms))
    assert [d["file"] for d in found if d["code"].startswith("module-")] == [
        os.path.normpath(terms / ".." / "pirouette-modules" / "Volume_5" / "A-again.md")]
    found = _findings(capsys, str(terms), "--modules-exclude", "A-again.md")
    assert not [d for d in found if d["code"].startswith("module-")]
    ids = {m.id for m in load_modules([modules], exclude=terms, ignore=config.modules_exclude)[0]}
    assert ids == {"MOD-A", "MOD-B"}


@pytest.mark.parametrize("value", ["3", '["ok/", 4]'])
def test_a_modules_exclude_that_is_not_patterns_is_reported(tmp_path, value):
    (tmp_path / "glossary.toml").write_text(f"modules-exclude = {value}\n", encoding="utf-8")
    config, diags = load_config(tmp_path)
    assert [d.code for d in diags] == ["config-value"] and config.modules_exclude == ()


def test_excluded_matches_folders_by_their_trailing_slash():
    test = excluded(["rejected_modules/"])
    assert test is not None and test("rejected_modules/") and test("x/rejected_modules/a.md")
    assert not test("rejected_modules.md") and excluded([]) is None


def test_a_corpus_build_names_only_paths_that_exist(corpus_dir, modules_dir, tmp_path, capsys):
    """The corpus with its modules, and a copy of them with a ``rejected_modules/`` inside (every
    id a duplicate): each finding's path exists; the pattern leaves the copies out."""
    mods = tmp_path / "modules"
    shutil.copytree(modules_dir, mods)
    shutil.copytree(modules_dir, mods / "rejected_modules")
    for args in (["--modules", str(modules_dir)], ["--modules", str(mods)]):
        found = _findings(capsys, str(corpus_dir), *args)
        missing = [d["file"] for d in found if not os.path.exists(d["file"])]
        assert not missing, missing[:5]
    duplicates = [d for d in found if d["code"] == "module-duplicate"]
    assert duplicates and all("/rejected_modules/" in d["file"] for d in duplicates)
    kept = _findings(capsys, str(corpus_dir), "--modules", str(mods), "--modules-exclude", "rejected_modules/")
    assert not [d for d in kept if d["code"] == "module-duplicate"]
