"""The console report at any size: a short list, the table by code, the totals (compiler.report.console).

Table tests over made-up findings for the pieces; the commands over a fixture folder for
the modes (``build``, ``validate``, ``--statistics``, ``-q``), a no-op's replay and "wrote
N of M pages"; and the acceptance over ../shared/corpus and a generated 2,000-term glossary:
``build`` prints at most 60 lines and ends with the table by code, the totals and "wrote".
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compiler.codes import make
from compiler.report import console
from compiler.report.formats import Report, summary_line

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden" / "terms"
ROW_KINDS = ("error", "warning", "info", "waived")


def _findings(n_errors: int, n_warnings: int, n_notes: int, n_waived: int = 0):
    made = [make("yaml-syntax", f"E{i:04}.md", 3, 1, "bad YAML") for i in range(n_errors)]
    made += [make("link-dangling", f"W{i:04}.md", 4, 2, "no such term") for i in range(n_warnings)]
    made += [make("check-unchecked", f"N{i:04}.md", 5, 1, "symbolic") for i in range(n_notes)]
    made += [make("term-orphan", f"V{i:04}.md", 1, 1, "alone", waived="a stub") for i in range(n_waived)]
    return tuple(reversed(made))  # the report must rank them, not keep their order


def _report(diagnostics) -> Report:
    return Report(base="terms", files=len(diagnostics), terms=len(diagnostics), diagnostics=diagnostics)


def _table_rows(lines: list[str]) -> list[list[str]]:
    start = next(i for i, line in enumerate(lines) if line.startswith(console.TABLE_HEAD))
    rows = []
    for line in lines[start + 1:]:
        if line.split(None, 1)[0] not in ROW_KINDS:
            break
        rows.append(line.split(None, 3))
    return rows


@pytest.mark.parametrize("errors, warnings, notes, waived, shown", [
    (0, 0, 0, 0, 0),
    (3, 2, 1, 1, 7),            # few: all of them, no "shown" line
    (10, 5000, 300, 4, 50),     # many: the first 50
    (200, 0, 0, 0, 50),
])
def test_a_short_report_shows_at_most_fifty_findings_errors_first_then_the_table(errors, warnings, notes, waived,
                                                                                  shown):
    report = _report(_findings(errors, warnings, notes, waived))
    lines = console.short_report(report, where="`validate`", other_lines=3).splitlines()
    findings = [line for line in lines if line.startswith("terms/")]
    assert len(findings) == shown
    ranks = [next(i for i, k in enumerate(ROW_KINDS) if f" {k}[" in line) for line in findings]
    assert ranks == sorted(ranks)  # errors, warnings, notes, waived
    total = errors + warnings + notes + waived
    assert any(f"of {total:,} findings shown" in line for line in lines) == (shown < total)
    assert len(lines) + 3 <= console.MAX_LINES
    if total:
        rows = _table_rows(lines)
        assert {(r[0], r[1]): int(r[2].replace(",", "")) for r in rows} == {
            k: n for k, n in {("error", "yaml-syntax"): errors, ("warning", "link-dangling"): warnings,
                              ("info", "check-unchecked"): notes, ("waived", "term-orphan"): waived}.items() if n}
        assert lines[-len(rows) - 1].startswith(console.TABLE_HEAD)  # the report ends with the table


def test_a_waived_finding_is_labelled_and_counted_as_waived_never_as_its_severity():
    report = _report((make("check-stale", "A.md", 2, 1, "held in 2018", waived="known"),))
    for text in (console.short_report(report, where="x"), console.full_report(report)):
        assert "waived[check-stale]" in text and "warning[" not in text
    assert _table_rows(console.statistics(report).splitlines()) == [["waived", "check-stale", "1",
                                                                     console.meaning("check-stale")]]
    assert summary_line(report).endswith("0 errors, 0 warnings, 1 waived")


def test_meaning_is_the_registry_line_cut_at_a_word():
    assert console.meaning("yaml-syntax") == "A front-matter block is not valid YAML."
    assert console.meaning("schema-type") == "A field has the wrong type."  # the aside in brackets left out
    for code in ("term-orphan", "check-fail", "file-symlink"):
        text = console.meaning(code)
        assert len(text) <= console.MEANING_WIDTH and text.endswith(("…", "."))
        assert not text[:-1].endswith(" ")


def test_the_table_part_of_a_recorded_report_is_what_statistics_prints():
    report = _report(_findings(2, 3, 0))
    short = console.short_report(report, where="x")
    assert console.table_part(short) == console.statistics(report)
    assert console.table_part("") == ""


def _fixture(tmp_path: Path) -> Path:
    terms = tmp_path / "terms"
    shutil.copytree(GOLDEN, terms)
    old = time.time() - 60  # out of the racy window: a second build is a no-op
    for f in terms.iterdir():
        os.utime(f, (old, old))
    return terms


def test_validate_prints_every_finding_and_the_table_statistics_the_table_quiet_the_totals(tmp_path, capsys,
                                                                                           monkeypatch):
    from compiler.cli.main import main

    monkeypatch.setenv("NO_COLOR", "1")
    terms = _fixture(tmp_path)
    main(["validate", str(terms)])
    full = capsys.readouterr().out.splitlines()
    main(["validate", str(terms), "--statistics"])
    stats = capsys.readouterr().out.splitlines()
    main(["validate", str(terms), "-q"])
    quiet = capsys.readouterr()
    totals = full[-1]
    assert "errors" in totals and stats[-1] == totals and quiet.out.splitlines() == [totals]
    assert quiet.err == ""  # not even the configuration line
    rows = _table_rows(full)
    assert sum(int(r[2]) for r in rows) == sum(1 for line in full if line.startswith(str(terms)))
    assert stats[0].startswith(console.TABLE_HEAD) and _table_rows(stats) == rows
    assert any("= hint:" in line for line in full)  # validate's full form: source lines and hints


def test_build_prints_the_short_report_and_its_no_op_the_same_in_each_mode(tmp_path, capsys, monkeypatch):
    from compiler.cli.main import main

    monkeypatch.setenv("NO_COLOR", "1")
    terms = _fixture(tmp_path)
    out = tmp_path / "site"
    main(["build", str(terms), "-o", str(out)])
    built = capsys.readouterr().out.splitlines()
    assert built[-1].startswith("wrote ") and "errors" in built[-2]
    assert _table_rows(built) and built[-3].split()[0] in ROW_KINDS  # the table right before the totals
    main(["build", str(terms), "-o", str(out)])
    replayed = capsys.readouterr().out.splitlines()
    assert replayed[-1].startswith("nothing changed") and replayed[:-1] == built[:-1]
    main(["build", str(terms), "-o", str(out), "--statistics"])
    stats = capsys.readouterr().out.splitlines()
    assert stats[0].startswith(console.TABLE_HEAD) and stats[:-1] == built[len(built) - len(stats):-1]
    main(["build", str(terms), "-o", str(out), "-q"])
    assert capsys.readouterr().out.splitlines() == [built[-2]]


def test_wrote_says_how_many_pages_changed_after_an_edit(tmp_path, capsys):
    from compiler.cli.main import main

    terms = _fixture(tmp_path)
    out = tmp_path / "site"
    main(["build", str(terms), "-o", str(out), "-q"])
    capsys.readouterr()
    target = terms / "TAU.md"
    target.write_text(target.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    main(["build", str(terms), "-o", str(out)])
    wrote = capsys.readouterr().out.splitlines()[-1]
    changed, total = (int(n.replace(",", "")) for n in wrote.split()[1:4:2])
    assert wrote.startswith(f"wrote {changed} of {total} pages") and f"({total - changed} unchanged" in wrote
    assert 0 < changed < total


def _build_lines(terms: Path, out: Path, *extra: str) -> tuple[list[str], list[str]]:
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "compiler", "build", str(terms), "-o", str(out), *extra],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=1200)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout.splitlines(), done.stderr.splitlines()


def _assert_short(stdout: list[str], stderr: list[str]) -> None:
    assert len(stdout) + len(stderr) <= 60
    assert stdout[-1].startswith("wrote ") and " errors, " in stdout[-2]
    rows = _table_rows(stdout)
    assert stdout[-3].split()[0] in ROW_KINDS
    assert rows and all(r[0] in ROW_KINDS for r in rows)
    assert sum(int(r[2].replace(",", "")) for r in rows) > 50  # more findings than were shown
    assert any("findings shown, errors first" in line for line in stdout)


def test_a_corpus_build_prints_at_most_sixty_lines_ending_with_the_table(corpus_dir, modules_dir, tmp_path):
    _assert_short(*_build_lines(corpus_dir, tmp_path / "site", "--modules", str(modules_dir),
                                "--cache-dir", str(tmp_path / "cache")))


def test_a_generated_two_thousand_term_build_prints_at_most_sixty_lines(tmp_path):
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(tmp_path / "g"), "--terms", "2000"],
                   check=True, capture_output=True, timeout=600)
    _assert_short(*_build_lines(tmp_path / "g" / "dictionary", tmp_path / "site", "--modules", str(tmp_path / "g"),
                                "--no-cache"))


@pytest.mark.parametrize("tty, term, shown", [(False, "xterm", False), (True, "dumb", False), (True, "xterm", True)])
def test_the_progress_bar_is_only_for_a_terminal(monkeypatch, capsys, tty, term, shown):
    """In a pipe or a CI log (``isatty`` False) nothing of the bar is made, let alone printed."""
    from compiler.cli.progress import CURRENT, Progress

    monkeypatch.setenv("TERM", term)
    progress = Progress(tty)
    for stage in Progress.STAGES:
        progress(stage)
        assert CURRENT["stage"] == stage  # named in an internal error either way
    assert (progress.bar is not None) == shown
    if shown:
        assert progress.bar.total == len(Progress.STAGES) and progress.bar.n == len(Progress.STAGES) - 1
    progress.done()
    assert progress.bar is None
    if not shown:
        assert capsys.readouterr().err == ""
