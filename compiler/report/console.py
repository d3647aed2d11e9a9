"""The console report at any size: a short list of findings, a table of counts by code, the totals.

A real glossary has tens of thousands of findings; printed whole, a build's report was
35,000 lines with the totals at the very end. Linters have settled how to say much in
little (ruff's ``--statistics``, mypy's summary): ``build`` prints the first findings,
errors first, one line each, then how many there are of each code and what each means,
then the totals and where the full list is; ``validate`` prints every finding (with its
source line and hint) and the same table. ``--statistics`` prints the table only, ``-q``
the totals only. Nothing here reads files or counts anything the report does not hold.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from compiler.codes import CODES
from compiler.diagnostics import Diagnostic, Severity
from compiler.report import formats
from compiler.report.formats import Report, kind, painted, terminal_safe, text_report

MAX_FINDINGS = 50  # at most this many findings in a short report
MAX_LINES = 60  # ... and no more lines than this in all, the table, totals and notes included
MIN_FINDINGS = 10  # however long the table, a short report shows this many findings when there are
MEANING_WIDTH = 64
TABLE_HEAD = "severity  code"
_ORDER = {"error": 0, "warning": 1, "info": 2, "waived": 3}
MODES = ("short", "full", "statistics", "quiet")


def meaning(code: str, width: int = MEANING_WIDTH) -> str:
    """The registry's one line for ``code``: its first sentence, without its asides in brackets when
    it is too long, cut at a word to ``width`` characters (the table is for reading, docs/codes.md
    has the whole text)."""
    entry = CODES.get(code)
    text = entry.doc if entry is not None else ""
    first = text.split(". ")[0].rstrip(".") + "." if text else ""
    if len(first) > width:
        first = re.sub(r"\s*\([^()]*\)", "", first)
    if len(first) > width and "; " in first:
        first = first.split("; ")[0] + "."
    if len(first) <= width:
        return first
    cut = first[:width - 1]
    return (cut[:cut.rfind(" ")] if " " in cut else cut).rstrip(" ,;:") + "…"


def code_table(diagnostics: Iterable[Diagnostic], *, color: bool = False) -> list[str]:
    """One line per (severity, code): ``severity  code  count  meaning``, errors first, most frequent first."""
    counts = Counter((kind(d), d.code) for d in diagnostics)
    if not counts:
        return []
    rows = sorted(counts.items(), key=lambda kv: (_ORDER[kv[0][0]], -kv[1], kv[0][1]))
    code_w = max(len("code"), *(len(code) for (_, code) in counts))
    count_w = max(len("count"), *(len(f"{n:,}") for n in counts.values()))
    head = f"{'severity':8}  {'code':{code_w}}  {'count':>{count_w}}  meaning"
    lines = [head]
    for (sev, code), number in rows:
        word = painted(sev, sev, color) + " " * (8 - len(sev))
        lines.append(f"{word}  {code:{code_w}}  {number:>{count_w},}  {meaning(code)}")
    return lines


def ranked(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Errors first, then warnings, notes and waived findings; each in file and line order."""
    return sorted(diagnostics, key=lambda d: (_ORDER[kind(d)], d.file, d.line, d.column, d.code, d.message))


def finding_line(report: Report, d: Diagnostic, *, color: bool = False) -> str:
    """``path:line:col: severity[code] message`` on one line (the short report's form)."""
    return formats.finding_line(report.path(d), d, color)


def short_report(report: Report, *, where: str, color: bool = False, other_lines: int = 0) -> str:
    """The first findings (errors first, one line each), a line naming ``where`` the rest are when
    some are left out, and the table by code; at most :data:`MAX_LINES` lines with the
    ``other_lines`` the caller prints besides (totals, notes), unless the table alone is longer."""
    table = code_table(report.diagnostics, color=color)
    total = len(report.diagnostics)
    room = MAX_LINES - len(table) - other_lines - 1  # the line saying where the rest are
    shown = min(total, MAX_FINDINGS, max(room, MIN_FINDINGS))
    lines = [finding_line(report, d, color=color) for d in ranked(report.diagnostics)[:shown]]
    if shown < total:
        lines.append(f"{shown:,} of {total:,} findings shown, errors first; all of them: {where}")
    return "\n".join(lines + table) + ("\n" if lines or table else "")


def full_report(report: Report, *, color: bool = False) -> str:
    """Every finding with its source line and hint (``text_report``), then the table by code."""
    table = code_table(report.diagnostics, color=color)
    return text_report(report, color=color) + "".join(line + "\n" for line in table)


def statistics(report: Report, *, color: bool = False) -> str:
    return "".join(line + "\n" for line in code_table(report.diagnostics, color=color))


def table_part(text: str) -> str:
    """The table at the end of a recorded short report (what ``--statistics`` prints of a no-op)."""
    at = text.rfind(TABLE_HEAD)
    while at > 0 and text[at - 1] != "\n":
        at = text.rfind(TABLE_HEAD, 0, at)
    return text[at:] if at >= 0 else ""


def where_line(terms_dir: str, out: str | None) -> str:
    """Where the full list of findings is: ``validate``, the problems page, ``--format json``."""
    page = f", {out.rstrip('/')}/problems.html" if out else ""
    return (f"`compile-glossary validate {terms_dir}`{page}, or `--format json`")


def render(report: Report, mode: str, *, color: bool = False, where: str = "", other_lines: int = 0) -> str:
    """The text a command prints before its totals line, in one of :data:`MODES`."""
    if mode == "quiet":
        return ""
    if mode == "statistics":
        return statistics(report, color=color)
    if mode == "full":
        return full_report(report, color=color)
    return short_report(report, where=where, color=color, other_lines=other_lines)


def run_notes(diagnostics: Sequence[Diagnostic]) -> list[str]:
    """One line per finding about this run only (a rebuilt cache): said, never counted."""
    return [terminal_safe(f"compile-glossary: {d.severity.value if d.severity is not Severity.INFO else 'note'}: "
                          f"{d.message} ({d.file})") for d in diagnostics]


__all__ = ["code_table", "short_report", "full_report", "statistics", "render", "ranked", "kind",
           "meaning", "where_line", "table_part", "run_notes", "MODES", "MAX_LINES", "MAX_FINDINGS"]
