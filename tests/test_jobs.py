"""`--jobs N` spreads load and render over processes; the output is byte-identical for every N."""
from __future__ import annotations

import sys
from pathlib import Path

from compiler.build import Options, build
from compiler.formats import Report, json_report

from .conftest import FIXTURES

sys.path.insert(0, str(FIXTURES.parents[1] / "bench"))
from generate import generate  # noqa: E402


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_output_is_identical_for_every_number_of_jobs(tmp_path):
    terms = generate(tmp_path / "g", 400, seed=5)  # enough files for both process pools to start
    results = []
    for jobs in (1, 2, 3):
        out = tmp_path / f"site{jobs}"
        glossary, stats = build(terms, out, Options(module_dirs=(tmp_path / "g",), jobs=jobs))
        report = json_report(Report(base="t", files=glossary.files, terms=len(glossary.terms),
                                    diagnostics=glossary.diagnostics, checks=tuple(c.to_json() for c in glossary.checks)))
        results.append((tree(out), report, stats.pages))
    assert results[0][2] > 1000
    assert results[0] == results[1] == results[2]
