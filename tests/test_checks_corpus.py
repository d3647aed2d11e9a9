"""The real corpus: every equation hint is classified, nothing crashes, verdicts are honest."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from compiler.checks import check_hint, run_checks

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dictionary"


def raw_hints(text: str):
    """Every ``equation_hint`` value written in a file, also in headers YAML rejects."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)(?:-\s+)?equation_hint:\s*(.*)$", line)
        if not m:
            continue
        indent, rest = len(m.group(1)), m.group(2).strip()
        if rest[:1] in ("|", ">"):
            body = []
            for nxt in lines[i + 1:]:
                if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                    break
                body.append(nxt.strip())
            yield i + 1, "\n".join(body).strip()
        else:
            yield i + 1, rest.strip("\"'")


@pytest.fixture(scope="module")
def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not available")
    return sorted(CORPUS.glob("*.md"))


def test_every_written_hint_is_classified(corpus_files: list[Path]) -> None:
    results = [check_hint(h) for p in corpus_files for _, h in raw_hints(p.read_text(encoding="utf-8"))]
    assert len(results) >= 200
    classes = Counter(r.klass for r in results)
    assert set(classes) <= {"checkable", "symbolic", "not-math"}
    assert classes["symbolic"] > classes["not-math"] > 0
    for r in results:
        assert r.reason and r.message
        # The corpus states no numeric claim about a quantity we hold data for: nothing may pass or fail.
        assert r.status in ("unchecked", "error"), (r.hint, r.message)


def test_run_checks_over_loaded_corpus(corpus_files: list[Path]) -> None:
    from compiler.load.terms import load_terms

    loaded = load_terms(CORPUS)
    results, diags = run_checks(loaded.terms)
    expected = sum(1 for t in loaded.terms for _ in _hints(t.data))
    assert len(results) == expected > 100
    assert len(diags) == sum(r.status != "pass" for r in results)
    for r in results:
        assert r.line and r.line > 0 and r.file and r.pointer.endswith("/equation_hint")


def _hints(data):
    from compiler.checks import iter_hints

    return list(iter_hints(data))
