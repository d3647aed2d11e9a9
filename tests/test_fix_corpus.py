"""`fix` on the real corpus (a copy of ../shared/corpus/dictionary; the original is never written).

Acceptance: at least 90% of the files whose YAML is broken parse after `fix --write`,
no value is invented or dropped (every value on a changed line is compared with the
author's text by `assert_lossless`), healthy files stay byte-identical, a second run
changes nothing, and a dry run changes no file.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from compiler.authoring.fix import fix_file, fix_text, write_fix
from compiler.load.terms import split_blocks
from compiler.load.yamlnodes import compose

from .test_fix import assert_lossless

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dictionary"


def _broken(text: str) -> bool:
    for block in split_blocks(text.replace("\r\n", "\n")).blocks:
        try:
            compose(block.text)
        except yaml.YAMLError:
            return True
    return False


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    folder = tmp_path_factory.mktemp("corpus") / "dictionary"
    shutil.copytree(CORPUS, folder)
    for p in folder.iterdir():
        p.chmod(0o644)
    return folder


def test_fix_repairs_the_corpus_losslessly(corpus_copy: Path) -> None:
    paths = sorted(corpus_copy.glob("*.md"))
    before = {p.name: p.read_bytes() for p in paths}
    broken = {name for name, data in before.items() if _broken(data.decode("utf-8"))}
    assert broken, "the corpus has broken headers to repair"

    results = [fix_file(p, p.name) for p in paths]
    assert {p.name: p.read_bytes() for p in paths} == before, "computing a fix must not write"
    for r in results:
        write_fix(r)

    repaired = set()
    for p in paths:
        after = p.read_bytes()
        if p.name not in broken:
            assert after == before[p.name], f"{p.name} parsed and must stay byte-identical"
            continue
        if not _broken(after.decode("utf-8")):
            repaired.add(p.name)
            assert_lossless(before[p.name].decode("utf-8"), after.decode("utf-8"))
    assert len(repaired) >= 0.9 * len(broken), f"{len(repaired)} of {len(broken)} repaired"

    again = [fix_file(p, p.name) for p in paths]
    assert not any(r.changed for r in again), "a second run must change nothing"


_QUOTED = re.compile(r'^(\s*(?:-\s+)?\w+:\s)"([^"\\]+)"\s*$')


def _data(text: str) -> list:
    return [yaml.safe_load(b.text) for b in split_blocks(text).blocks]


def _break(text: str) -> str:
    """Drop the quotes of every double-quoted value that YAML cannot read without them."""
    def needs_quotes(value: str) -> bool:
        try:
            compose(f"k: {value}\n")
        except yaml.YAMLError:
            return True
        return False

    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = _QUOTED.match(line)
        if m and needs_quotes(m.group(2)):
            lines[i] = m.group(1) + m.group(2)
    return "\n".join(lines)


def _healthy_files(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.glob("*.md")) if not _broken(p.read_text("utf-8"))]


@pytest.mark.parametrize("where", ["terms", "corpus", "modules"])
def test_unquoting_then_fixing_gives_back_the_same_values(where: str) -> None:
    """Files never seen broken: remove the quotes their values need, fix, and get every value back."""
    folder = {"terms": Path(__file__).resolve().parents[1] / "terms", "corpus": CORPUS,
              "modules": CORPUS.parent / "modules"}[where]
    if not folder.is_dir():
        pytest.skip(f"{folder} is not present")
    tried = 0
    for path in _healthy_files(folder):
        text = path.read_text("utf-8")
        broken = _break(text)
        if not _broken(broken):
            continue
        tried += 1
        fixed, _families, _changed, problems = fix_text(broken)
        assert problems == [], (path.name, problems)
        assert _data(fixed) == _data(text), path.name
        assert_lossless(broken, fixed)
    assert tried > 0
