"""One inventory of a build's inputs (compiler.incremental.inputs), and everything that uses it.

- the inventory names the terms folder, the configuration file, the module folders of the
  configuration and of the command line, the hook folder, the reference data and the compiler;
- an edit of any of them changes the build cache's key, except the term files and module
  documents, which the cache keeps one by one (so a hook or reference edit is never served
  stale results: a test edits each between two builds);
- the no-op stamps see each of them, and a restored mtime (``touch -d``, ``cp -p``) too;
- ``serve`` rebuilds when a module folder named only in glossary.toml, a hook file or a
  reference-data file changes.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from compiler.incremental.inputs import environment_key, inputs_of
from compiler.incremental.noop import input_stamps
from compiler.incremental.stages import fast_build
from compiler.stages import Options, Stages

REPO = Path(__file__).resolve().parents[1]
HOOK = '''from compiler.checks import hook


@hook("answer")
def answer(term, candidate):
    return {"status": "pass", "message": "the answer is %s"}
'''


def _age(folder: Path, seconds: float = 30) -> None:
    past = time.time() - seconds
    for p in [folder, *folder.rglob("*")]:
        os.utime(p, (past, past))


@pytest.fixture
def glossary(tmp_path: Path) -> Path:
    """A glossary whose configuration names a module folder, a hook folder and reference data."""
    terms = tmp_path / "terms"
    shutil.copytree(REPO / "tests" / "fixtures" / "golden" / "terms", terms)
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "M-1.md").write_text("---\nid: M-1\ntitle: One\n---\nText.\n", "utf-8")
    (terms / "checks").mkdir()
    (terms / "checks" / "answer.py").write_text(HOOK % 42, "utf-8")
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "extra.json").write_text(json.dumps({"quantities": []}), "utf-8")
    (terms / "glossary.toml").write_text('modules = ["../modules"]\n[checks]\nhooks = "checks"\n'
                                         'reference-dirs = ["../refs"]\n', "utf-8")
    for folder in (terms, tmp_path / "modules", tmp_path / "refs"):
        _age(folder)
    return terms


def _inputs(terms: Path, options: Options = Options()):
    config, _ = Stages(options).configure(terms)
    return inputs_of(terms, config, options), config


def test_the_inventory_names_every_input(glossary: Path, tmp_path: Path):
    cli_modules = tmp_path / "more"
    cli_modules.mkdir()
    inputs, _ = _inputs(glossary, Options(module_dirs=(cli_modules,)))
    assert inputs.terms_dir == glossary.resolve()
    assert inputs.config_file == glossary / "glossary.toml"
    assert set(inputs.module_dirs) == {(tmp_path / "modules").resolve(), cli_modules.resolve()}
    assert inputs.hooks_dir == (glossary / "checks").resolve()
    assert inputs.reference_dirs == ((tmp_path / "refs").resolve(),)
    watched = set(inputs.watched())
    assert {glossary.resolve(), (tmp_path / "modules").resolve(), (glossary / "checks").resolve(),
            (tmp_path / "refs").resolve(), glossary / "glossary.toml"} <= watched
    assert any((p / "build.py").is_file() for p in watched)  # the compiler's own code


@pytest.mark.parametrize("edit, changes_key", [
    (lambda t: (t / "checks" / "answer.py").write_text(HOOK % 43, "utf-8"), True),
    (lambda t: (t.parent / "refs" / "extra.json").write_text(json.dumps({"quantities": [], "about": "x"}), "utf-8"),
     True),
    (lambda t: (t / "glossary.toml").write_text((t / "glossary.toml").read_text("utf-8") + 'title = "T"\n', "utf-8"),
     True),
    (lambda t: (t / "MUON.md").write_text((t / "MUON.md").read_text("utf-8") + "\nMore.\n", "utf-8"), False),
    (lambda t: (t.parent / "modules" / "M-1.md").write_text("---\nid: M-1\ntitle: Two\n---\n", "utf-8"), False),
], ids=["hook", "reference data", "configuration", "term file", "module document"])
def test_an_edit_of_an_input_changes_the_cache_key_unless_the_cache_keeps_it_file_by_file(glossary, edit, changes_key):
    before = environment_key(*_inputs(glossary))
    edit(glossary)
    assert (environment_key(*_inputs(glossary)) != before) is changes_key


def test_a_hook_edit_between_two_builds_is_never_served_stale(glossary: Path, tmp_path: Path):
    """With the cache: a hook's new answer reaches the second build (the hook folder is in the key)."""
    options = Options(cache_dir=tmp_path / "cache", checks=True)

    def messages() -> set[str]:
        glossary_, _ = fast_build(glossary, tmp_path / "site", options)
        return {c.message for c in glossary_.checks if c.hook == "answer"}

    (glossary / "HOOKED.md").write_text("---\nterm: Hooked\ncanonical_id: HOOKED\nformal_mappings:\n  candidates:\n"
                                        "    - target: x\n      check: answer\n      equation_hint: \"x = 1\"\n---\n",
                                        "utf-8")
    _age(glossary)
    assert messages() == {"hook 'answer': the answer is 42"}
    (glossary / "checks" / "answer.py").write_text(HOOK % 43, "utf-8")
    assert messages() == {"hook 'answer': the answer is 43"}


@pytest.mark.parametrize("target", ["term", "module", "hook", "reference", "config"])
def test_the_no_op_stamps_see_every_input_and_a_restored_mtime(glossary: Path, target: str):
    paths = {"term": glossary / "MUON.md", "module": glossary.parent / "modules" / "M-1.md",
             "hook": glossary / "checks" / "answer.py", "reference": glossary.parent / "refs" / "extra.json",
             "config": glossary / "glossary.toml"}
    inputs, _ = _inputs(glossary)
    before = input_stamps(inputs)
    assert before is not None
    path = paths[target]
    st = path.stat()
    path.write_bytes(path.read_bytes())  # the same bytes, a new file behind the name
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # and its old mtime restored, as cp -p or tar would
    after = input_stamps(inputs)
    assert after is not None and after.text != before.text


@pytest.mark.parametrize("target", ["module named only in glossary.toml", "hook", "reference data"])
def test_serve_rebuilds_when_any_input_changes(glossary: Path, tmp_path: Path, target: str):
    from compiler.cli.serve import Watcher

    rebuilt = threading.Event()
    watcher = Watcher(lambda: _inputs(glossary)[0], rebuilt.set, ignore=[tmp_path / "site"])
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        time.sleep(1.0)  # the watch is set up
        (tmp_path / "site").mkdir()
        (tmp_path / "site" / "index.html").write_text("ignored: the output", "utf-8")
        assert not rebuilt.wait(1.0)
        path = {"module named only in glossary.toml": tmp_path / "modules" / "M-2.md",
                "hook": glossary / "checks" / "answer.py", "reference data": tmp_path / "refs" / "extra.json"}[target]
        path.write_text(path.read_text("utf-8") + "\n" if path.exists() else "---\nid: M-2\n---\n", "utf-8")
        assert rebuilt.wait(10), target
    finally:
        watcher.stop.set()
        thread.join(10)


def test_serve_builds_an_edit_made_before_the_watch_was_in_place(glossary: Path, tmp_path: Path):
    """The stamps are taken before the first build; an edit between that build and the kernel
    watch sends no event, and is found when the watch is first quiet."""
    from compiler.cli.serve import Watcher

    rebuilt = threading.Event()
    watcher = Watcher(lambda: _inputs(glossary)[0], rebuilt.set, ignore=[tmp_path / "site"], settle=0.3)
    term = glossary / "MUON.md"
    term.write_text(term.read_text("utf-8").replace("heavier cousin", "heavy sibling"), "utf-8")
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()  # the watch starts after the edit: no event will come
    try:
        assert rebuilt.wait(10)
        rebuilt.clear()
        assert not rebuilt.wait(1.5)  # and it is built once, not again at every quiet moment
    finally:
        watcher.stop.set()
        thread.join(10)
