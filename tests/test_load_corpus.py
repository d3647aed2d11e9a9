"""The real glossary sample: every file loads or gives a located error at PyYAML's mark.

Expected positions are computed independently here: a plain line-based split of the
front matter and ``yaml.safe_load`` (PyYAML's own parser) on each block.
"""
from __future__ import annotations

import yaml

from compiler.diagnostics import Severity
from compiler.load.terms import load_terms


def _blocks(text: str) -> list[tuple[int, str]]:
    """(1-based line of the first content line, text) of each leading --- block."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    out, i = [], 0
    while i < len(lines) and lines[i].strip() == "---":
        j = i + 1
        while j < len(lines) and lines[j].strip() not in ("---", "..."):
            j += 1
        out.append((i + 2, "\n".join(lines[i + 1:j]) + ("\n" if j < len(lines) else "")))
        i = j + 1
        while i < len(lines) and not lines[i].strip():
            i += 1
    return out


def _expected(path):
    errors, any_ok = [], False
    for first, block in _blocks(path.read_text("utf-8")):
        try:
            value = yaml.safe_load(block)
            any_ok = any_ok or isinstance(value, dict) or value is None
        except yaml.MarkedYAMLError as exc:
            errors.append((first + exc.problem_mark.line, exc.problem_mark.column + 1))
    return errors, any_ok


def test_corpus_positions_match_pyyaml(corpus_dir):
    result = load_terms(corpus_dir)
    assert result.files == len(list(corpus_dir.glob("*.md"))) == 242
    got: dict[str, list[tuple[int, int]]] = {}
    for d in result.diagnostics:
        if d.code.startswith("yaml-syntax") or d.code == "yaml-tab":
            got.setdefault(d.file, []).append((d.line, d.column))
    loaded_ids = {t.file for t in result.terms}
    broken_files = 0
    for path in sorted(corpus_dir.glob("*.md")):
        errors, any_ok = _expected(path)
        broken_files += bool(errors)
        assert sorted(got.get(path.name, [])) == sorted(errors), path.name
        assert (path.name in loaded_ids) == any_ok, path.name
    assert broken_files > 50  # the sample is messy on purpose


def test_corpus_every_error_is_located_with_a_hint(corpus_dir):
    result = load_terms(corpus_dir)
    for d in result.diagnostics:
        if d.severity is Severity.ERROR:
            assert d.line >= 1 and d.column >= 1 and d.hint, d
