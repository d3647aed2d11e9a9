"""`--jobs N` spreads load and render over processes; the output is byte-identical for every N."""
from __future__ import annotations

import sys
from pathlib import Path

from compiler.incremental.stages import fast_build as build
from compiler.report.formats import Report, json_report
from compiler.stages import Options

from .conftest import FIXTURES
from .render_support import tree_bytes as tree

sys.path.insert(0, str(FIXTURES.parents[1] / "bench"))
from generate import generate  # noqa: E402


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


def test_checks_split_over_processes_give_one_run_s_results(tmp_path, monkeypatch):
    """Chunks of terms checked in forked workers and in this process join to what one run gives:
    every result in term order, and a run-wide finding (here an edition that is no year) once."""
    import compiler.incremental.checks as build_module
    from compiler.incremental.stages import fast_analyze as analyze

    monkeypatch.setattr(build_module, "CHECKS_APART", 2)
    monkeypatch.setattr(build_module, "CHECKS_CHUNK", 3)
    terms = generate(tmp_path / "g", 60, seed=3)  # hints and no hooks (hooks keep one process)

    def run(jobs: int, cache: Path | None = None) -> tuple[str, list]:
        g = analyze(terms, Options(jobs=jobs, edition="next year", cache_dir=cache))
        report = json_report(Report(base="t", files=g.files, terms=len(g.terms), diagnostics=g.diagnostics,
                                    checks=tuple(c.to_json() for c in g.checks)))
        return report, [c.to_json() for c in g.checks]

    chunks: list[int] = []
    join = build_module._join_chunks
    monkeypatch.setattr(build_module, "_join_chunks", lambda todo, spans, done: (chunks.append(len(spans)),
                                                                                 join(todo, spans, done))[1])
    one = run(1)
    assert len(one[1]) > 3 * 3 and not chunks  # more hints than three chunks hold; one process, one run
    assert one[0].count('"check-edition"') == 1
    assert run(2) == one == run(3)
    assert run(2, tmp_path / "cache") == one  # and through the build cache's merge
    assert len(chunks) == 3 and min(chunks) > 3
