"""Report formatters: text (like a compiler), json, github (Actions annotations), sarif.

Formatters are separate from the stages (like yamllint's formats or pyflakes'
Reporter): stages return diagnostics; a formatter turns a finished report into
text. ``--format json`` prints exactly one JSON document (see ``json_report``);
its shape is a stable contract documented in docs/output.md.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from compiler.codes import CODES
from compiler.diagnostics import Diagnostic, Severity, count, sorted_diagnostics
from compiler.version import __version__

REPORT_VERSION = 1


@dataclass(frozen=True)
class Report:
    """What a command found: the input to every formatter."""

    base: str  # the terms folder as the user named it; diagnostic files are relative to it
    files: int
    terms: int
    diagnostics: tuple[Diagnostic, ...]
    checks: tuple[dict[str, Any], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)  # command-specific summary figures

    def path(self, d: Diagnostic) -> str:
        return os.path.normpath(os.path.join(self.base, d.file)) if d.file else self.base

    def summary(self) -> dict[str, Any]:
        c = count(self.diagnostics)
        return {"files": self.files, "terms": self.terms, "errors": c.errors, "warnings": c.warnings,
                "infos": c.infos, "waived": c.waived, **self.extra}


class _Sources:
    """Source lines for the caret display, read lazily once per file.

    Why bytes and a bounded split: a large glossary's text report reads every file for
    several caret lines each, all near the top (in the headers); reading bytes and
    splitting only up to the deepest line asked for is far cheaper than decoding it all."""

    def __init__(self, deepest: dict[str, int] | None = None) -> None:
        self.cache: dict[str, list[str]] = {}
        self.deepest = deepest or {}

    def line(self, path: str, number: int) -> str | None:
        if number <= 0:
            return None
        lines = self.cache.get(path)
        if lines is None:
            try:
                with open(path, "rb") as handle:
                    text = handle.read().decode("utf-8", errors="replace")
            except OSError:
                lines = self.cache[path] = []
            else:
                if "\r" in text:  # as text mode reads it: universal newlines
                    text = text.replace("\r\n", "\n").replace("\r", "\n")
                deepest = self.deepest.get(path, -1)
                lines = self.cache[path] = text.lstrip("\ufeff").split("\n", deepest)
        return lines[number - 1] if number <= len(lines) else None


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _escape_char(found: re.Match[str]) -> str:
    char = found.group()
    return {"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(char) or f"\\x{ord(char):02x}"


def terminal_safe(text: str, *, keep_lines: bool = False) -> str:
    """``text`` with control characters (C0, C1, ESC, DEL) shown as escapes (``\\x1b``), as git and ls do.

    Why: file names, keys, values and source lines come from a stranger's files, and a
    raw ESC sequence printed to a terminal can clear the screen, set the window title or
    write the clipboard (OSC 52). ``keep_lines`` leaves line feeds, carriage returns and tabs."""
    pattern = _CONTROL_BUT_LINES if keep_lines else _CONTROL
    return pattern.sub(_escape_char, text) if pattern.search(text) else text


_NO_SOURCE = {"file-encoding", "file-binary", "file-too-large", "file-read"}  # no readable line to show
_COLORS = {"error": "\033[1;31m", "warning": "\033[1;33m", "info": "\033[1;36m", "waived": "\033[1;35m"}


def kind(d: Diagnostic) -> str:
    """How a finding counts: its severity, or ``waived`` when a waiver accepts it (never a warning)."""
    return "waived" if d.waived is not None else d.severity.value


def painted(text: str, kind: str, color: bool) -> str:
    """``text`` in the colour of ``kind`` (error, warning, info, waived) when ``color``."""
    return f"{_COLORS[kind]}{text}\033[0m" if color else text


def finding_label(d: Diagnostic, color: bool = False) -> str:
    """``error[code]``, ``warning[code]``, ``info[code]``, or ``waived[code]`` when a waiver accepts the
    finding (it counts as waived, never as what its severity says), painted on a terminal."""
    return painted(f"{kind(d)}[{d.code}]", kind(d), color)


def summary_line(report: Report) -> str:
    return summary_text_line(report.summary())


def summary_text_line(s: Mapping[str, Any]) -> str:
    """``N files, N terms, N errors, N warnings[, N notes][, N waived]`` from a report's summary."""
    parts = [f"{s['files']} files", f"{s['terms']} terms", f"{s['errors']} errors", f"{s['warnings']} warnings"]
    if s["infos"]:
        parts.append(f"{s['infos']} notes")
    if s["waived"]:
        parts.append(f"{s['waived']} waived")
    hints = s.get("hints")
    if hints and hints["found"]:  # every equation hint accounted for (check, validate)
        parts.append(f"{hints['found']} equation hints: {hints['checked']} checked, {hints['unreadable']} not readable"
                     + (f" in {len(hints['unreadable_files'])} files" if hints["unreadable"] else ""))
    return ", ".join(parts)


def finding_line(path: str, d: Diagnostic, color: bool = False) -> str:
    """``path:line:col: severity[code] message`` on one line, every file-derived part made terminal-safe."""
    where = terminal_safe(f"{path}:{d.line}:{d.column}" if d.line else path)
    waived = f" (waived: {terminal_safe(d.waived)})" if d.waived is not None else ""
    return f"{where}: {finding_label(d, color)} {terminal_safe(d.message)}{waived}"


def text_report(report: Report, *, color: bool = False, show_info: bool = True) -> str:
    """``path:line:col: severity[code] message``, the source line with a caret, the hint."""
    sources = _Sources()
    out: list[str] = []
    paths: dict[str, str] = {}  # one path join per file, not per finding (a file has several findings)
    for d in report.diagnostics:
        if d.file not in paths:
            paths[d.file] = report.path(d)
        if d.line > sources.deepest.get(paths[d.file], 0):
            sources.deepest[paths[d.file]] = d.line
    for d in sorted_diagnostics(report.diagnostics):
        if d.severity is Severity.INFO and not show_info and d.waived is None:
            continue
        path = paths[d.file]
        out.append(finding_line(path, d, color))
        src = d.source if d.source is not None or d.code in _NO_SOURCE else sources.line(path, d.line)
        if src is not None and d.line:
            gutter = str(d.line)
            shown = src.replace("\t", " ")
            if len(shown) > 160:
                start = max(0, d.column - 80)
                shown, col = shown[start:start + 160], d.column - start
            else:
                col = d.column
            safe = terminal_safe(shown)
            if len(safe) != len(shown):  # the caret stays under its character
                col = len(terminal_safe(shown[:max(col - 1, 0)])) + 1
            out.append(f"  {gutter} | {safe}")
            out.append(f"  {' ' * len(gutter)} | {' ' * max(col - 1, 0)}^")
        if d.hint:
            lines = d.hint.split("\n")
            out.append(f"  = hint: {terminal_safe(lines[0])}")
            out.extend(f"    {terminal_safe(line)}" for line in lines[1:])
    return "\n".join(out) + ("\n" if out else "")


def json_report(report: Report) -> str:
    """One JSON document: summary, diagnostics, checks (see docs/output.md)."""
    diagnostics = []
    for d in sorted_diagnostics(report.diagnostics):
        item = d.to_json()
        item["file"] = report.path(d)
        diagnostics.append(item)
    doc = {"version": REPORT_VERSION, "summary": report.summary(), "diagnostics": diagnostics,
           "checks": list(report.checks)}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _gh_escape(text: str, *, prop: bool = False) -> str:
    text = terminal_safe(text, keep_lines=True).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def github_report(report: Report) -> str:
    """GitHub Actions workflow commands: one ``::error file=..,line=..,col=..::`` per finding."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    out = []
    for d in sorted_diagnostics(report.diagnostics):
        if d.waived is not None:
            continue
        props = [f"file={_gh_escape(report.path(d), prop=True)}"]
        if d.line:
            props += [f"line={d.line}", f"col={d.column}"]
            if d.end_line:
                props.append(f"endLine={d.end_line}")
        props.append(f"title={_gh_escape(d.code, prop=True)}")
        message = d.message + (f"\n{d.hint}" if d.hint else "")
        out.append(f"::{level[d.severity]} {','.join(props)}::{_gh_escape(message)}")
    return "\n".join(out) + ("\n" if out else "")


def sarif_report(report: Report) -> str:
    """SARIF 2.1.0 for code scanning."""
    used = sorted({d.code for d in report.diagnostics})
    rules = [{"id": c, "shortDescription": {"text": CODES[c].doc if c in CODES else c},
              "defaultConfiguration": {"level": _sarif_level(CODES[c].severity) if c in CODES else "warning"}}
             for c in used]
    index = {c: i for i, c in enumerate(used)}
    results = []
    for d in sorted_diagnostics(report.diagnostics):
        region = {"startLine": d.line, "startColumn": d.column} if d.line else {}
        result: dict[str, Any] = {
            "ruleId": d.code, "ruleIndex": index[d.code], "level": _sarif_level(d.severity),
            "message": {"text": d.message + (f" Hint: {d.hint}" if d.hint else "")},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": Path(report.path(d)).as_posix()},
                                                **({"region": region} if region else {})}}],
        }
        if d.waived is not None:
            result["suppressions"] = [{"kind": "inSource", "justification": d.waived}]
        results.append(result)
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "compile-glossary", "version": __version__, "rules": rules}},
                     "results": results}]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _sarif_level(severity: Severity) -> str:
    return {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}[severity]


FORMATTERS: dict[str, Callable[[Report], str]] = {
    "json": json_report,
    "github": github_report,
    "sarif": sarif_report,
}


def exit_code(diagnostics: Iterable[Diagnostic], *, strict: bool = False) -> int:
    """0 without errors (warnings allowed), 1 with errors, or with warnings under --strict."""
    c = count(diagnostics)
    return exit_status(c.errors, c.warnings, strict=strict)


def exit_status(errors: int, warnings: int, *, strict: bool = False) -> int:
    """:func:`exit_code` from the counts (unwaived errors and warnings), e.g. of a replayed report."""
    return 1 if errors or (strict and warnings) else 0


__all__ = ["Report", "terminal_safe", "finding_label", "finding_line", "kind", "painted", "text_report", "json_report",
           "github_report",
           "sarif_report", "FORMATTERS", "exit_code", "exit_status", "summary_line", "summary_text_line", "Sequence"]
