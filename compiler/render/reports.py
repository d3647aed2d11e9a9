"""What the report pages show (problems, checks, wanted terms): plain data for their templates.

Why apart from ``pages.py``: these pages list the whole glossary's findings, checks and
dangling links, so they group, order and cut their lists here, where it is tested,
and keep every HTML page of the site small whatever the glossary's size (the long
lists of the problems page go to a data file the page loads when a reader asks).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from compiler.codes import CODES
from compiler.diagnostics import Diagnostic
from compiler.render.graphview import adjacent
from compiler.render.pages import as_map, num, sort_key
from compiler.render.plan import Page, SitePlan

SEVERITIES = ("error", "warning", "info", "waived")  # the order groups are shown in; waived last
ROWS_SHOWN = 20  # findings of a group written into problems.html; the rest load from problems-data.js
REFERRERS_SHOWN = 3  # referrers named in a wanted term's row; its page lists them all
MOST_WANTED = 200  # wanted ids listed with their referrers; the others by name and count alone


def shown_severity(d: Diagnostic) -> str:
    """A finding's severity as the site shows it: ``waived`` when a waiver accepts it."""
    return "waived" if d.waived is not None else d.severity.value


def _file_kinds(diagnostics: Sequence[Diagnostic], term_files: Iterable[str],
                module_files: Iterable[str]) -> tuple[set[str], set[str]]:
    """(term files, module files) among the files the findings name: module documents apart."""
    modules = set(module_files) | {d.file for d in diagnostics if d.code.startswith("module-") and d.file}
    terms = set(term_files)
    named = {d.file for d in diagnostics if d.file}
    return {f for f in named if f in terms or (f not in modules and f.endswith(".md"))}, named & modules


def problems_context(diagnostics: Sequence[Diagnostic], file_pages: Mapping[str, Page], term_files: Iterable[str],
                     module_files: Iterable[str], files_read: int, shown: int = ROWS_SHOWN) -> dict[str, Any]:
    """The findings grouped by (severity as shown, code): errors first, then by size.

    Each group has its code's meaning, its count and its first ``shown`` findings
    (by file and line); ``problems_data`` has them all. Counts: by severity (waived
    apart), and the term files and module files that have findings."""
    groups: dict[tuple[str, str], list[Diagnostic]] = {}
    for d in diagnostics:
        groups.setdefault((shown_severity(d), d.code), []).append(d)
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    order = sorted(groups, key=lambda k: (rank[k[0]], -len(groups[k]), k[1]))
    made = []
    for severity, code in order:
        items = sorted(groups[(severity, code)], key=lambda d: (d.file, d.line, d.column, d.message))
        made.append({
            "key": f"{severity}:{code}", "severity": severity, "code": code,
            "meaning": CODES[code].doc if code in CODES else "",
            "count": len(items), "files": len({d.file for d in items}),
            "rows": [_row(d, file_pages) for d in items[:shown]], "more": max(0, len(items) - shown),
        })
    term_side, module_side = _file_kinds(diagnostics, term_files, module_files)
    by_severity = {s: 0 for s in SEVERITIES}
    for d in diagnostics:
        by_severity[shown_severity(d)] += 1
    return {"groups": made, "counts": by_severity, "term_files": len(term_side), "module_files": len(module_side),
            "files_read": files_read, "total": len(diagnostics),
            "codes": [(g["key"], g["severity"], g["code"], g["count"]) for g in made],
            "files": sorted({d.file for d in diagnostics if d.file})}


def _row(d: Diagnostic, file_pages: Mapping[str, Page]) -> dict[str, Any]:
    page = file_pages.get(d.file)
    return {"file": d.file or "(no file)", "page": page, "line": d.line, "column": d.column, "message": d.message,
            "hint": d.hint, "pointer": d.pointer, "waived": d.waived, "severity": shown_severity(d)}


def problems_data(context: Mapping[str, Any], diagnostics: Sequence[Diagnostic],
                  file_pages: Mapping[str, Page]) -> dict[str, Any]:
    """Every finding as compact rows for ``problems.js`` (the filters and "show all").

    ``files``: [path, page URL or ""]; ``rows``: [group index, file index, line, column,
    message, hint, pointer, waived], in the groups' order and by file and line."""
    index = {g["key"]: i for i, g in enumerate(context["groups"])}
    files: dict[str, int] = {}
    listed: list[list[str]] = []
    rows: list[list[Any]] = []
    for d in diagnostics:
        name = d.file or "(no file)"
        if name not in files:
            files[name] = len(listed)
            page = file_pages.get(d.file)
            listed.append([name, page.url if page is not None else ""])
        rows.append([index[f"{shown_severity(d)}:{d.code}"], files[name], d.line, d.column, d.message,
                     d.hint or "", d.pointer or "", d.waived or ""])
    rows.sort(key=lambda r: (r[0], listed[r[1]][0], r[2], r[3], r[4]))
    return {"groups": [[g["severity"], g["code"]] for g in context["groups"]], "files": listed, "rows": rows}


# --- checks --------------------------------------------------------------------------------------

CHECK_ORDER = ("fail", "stale", "error", "pass")  # then the unchecked, collapsed by reason

# What an unchecked verdict's reason comes down to, for grouping (the reason itself stays on each row).
_REASONS = (
    (re.compile(r"^uses .*which the evaluator does not compute"), "uses an operation the evaluator does not compute"),
    (re.compile(r"^(symbolic: no data for|unknown symbol)"), "a symbol has no reference data"),
    (re.compile(r"^symbolic: not fully parsed"), "the hint could not be fully parsed"),
    (re.compile(r"^symbolic: no relation"), "no relation (=, ≈, <, …) to check"),
    (re.compile(r"^no numeric content"), "no numbers: empty or not applicable"),
    (re.compile(r"^units do not match"), "the two sides have different units"),
    (re.compile(r"proportionality"), "a proportionality states no number"),
    (re.compile(r"within 2σ|within their precision"), "too close to the bound to decide"),
)


def unchecked_reason(check: Mapping[str, Any]) -> str:
    """The group of an unchecked check: its reason in a few words, without the symbols it names."""
    reason = str(check.get("reason") or check.get("message") or "")
    for pattern, group in _REASONS:
        if pattern.search(reason):
            return group
    return re.split(r"[:(]", reason, maxsplit=1)[0].strip() or "no reason given"


_ALLOWED = re.compile(r"^the difference (\S+) is (within|beyond) the allowed")


def verdict(check: Mapping[str, Any]) -> str:
    """In words, what a decided check was within (or beyond): the rounding of the quoted digits, or k σ.

    An equality passes when |computed − claimed| ≤ the claim's rounding half-width + 2σ
    (compiler.checks.judge): within 2σ of the uncertainty alone it says so, otherwise it
    was the rounding of the digits the author quoted that covered the difference."""
    status = str(check.get("status") or "")
    reason = str(check.get("reason") or "")
    dev = as_map(check.get("deviation"))
    sigma, relative = dev.get("sigma"), dev.get("relative")
    if status == "stale":
        return "fails with this edition's data, passed with an earlier one"
    m = _ALLOWED.match(reason)
    if m and status in ("pass", "fail"):
        by_sigma = isinstance(sigma, (int, float)) and sigma <= 2
        if status == "pass":
            if by_sigma:
                return f"within {num(sigma)} σ of the computed value (2 σ allowed)"
            return "within the rounding of the quoted digits"
        off = f" (off by {num(abs(relative) * 100)} %)" if isinstance(relative, (int, float)) and relative else ""
        if isinstance(sigma, (int, float)):
            return f"beyond the rounding of the quoted digits and 2 σ: {num(sigma)} σ away{off}"
        return f"beyond the rounding of the quoted digits{off}"
    if status in ("pass", "fail", "error") and reason:
        return reason[0].upper() + reason[1:]
    return ""


def checks_context(checks: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Decided checks by status (fails and stale first, then errors, passes); the unchecked by reason."""
    by_status: dict[str, list[Mapping[str, Any]]] = {s: [] for s in CHECK_ORDER}
    unchecked: dict[str, list[Mapping[str, Any]]] = {}
    other: list[Mapping[str, Any]] = []
    for c in checks:
        status = str(c.get("status"))
        if status in by_status:
            by_status[status].append(c)
        elif status == "unchecked":
            unchecked.setdefault(unchecked_reason(c), []).append(c)
        else:
            other.append(c)
    sections = [{"status": s, "checks": by_status[s]} for s in CHECK_ORDER if by_status[s]]
    if other:
        sections.append({"status": "other", "checks": other})
    reasons = sorted(unchecked.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return {"sections": sections, "unchecked": [{"reason": r, "checks": cs} for r, cs in reasons],
            "unchecked_count": sum(len(cs) for _, cs in reasons)}


# --- wanted terms ----------------------------------------------------------------------------------

# The link stage's ``link-dangling`` finding: "`NAME` in `field` is not a defined term or module", with the
# hint "did you mean `ID` or `ID` ('label')?" when it found close names (compiler.link.integrity).
_DANGLING_NAME = re.compile(r"`([^`]+)` in `")
_SUGGESTED_ID = re.compile(r"`([^`]+)`")


def dangling_suggestions(diagnostics: Iterable[Diagnostic]) -> dict[str, tuple[str, ...]]:
    """``{dangling name: ids it probably meant}``, read back from the ``link-dangling`` findings' "did you mean".

    The suggestions are found once, in the link stage (``integrity.suggest``); the site
    reuses them instead of computing edit distances again."""
    found: dict[str, dict[str, None]] = {}
    for d in diagnostics:
        if d.code != "link-dangling" or not d.hint or not d.hint.startswith("did you mean "):
            continue
        name = _DANGLING_NAME.match(d.message)
        if name is not None:
            found.setdefault(name.group(1), {}).update(dict.fromkeys(_SUGGESTED_ID.findall(d.hint)))
    return {name: tuple(ids) for name, ids in found.items()}


def typos(diagnostics: Iterable[Diagnostic], plan: SitePlan) -> dict[str, tuple[Page, ...]]:
    """Each wanted id the link stage found close to an existing id ("did you mean"): the pages it probably meant.

    The suggestions are the link stage's own (``link-dangling`` findings), not computed again."""
    found = {}
    for name, ids in dangling_suggestions(diagnostics).items():
        page = plan.by_id.get(name)
        meant = tuple(p for p in (plan.by_id.get(i) for i in ids) if p is not None and p.kind != "missing")
        if page is not None and page.kind == "missing" and meant:
            found[name] = meant
    return found


def wanted_context(plan: SitePlan, graph: Any, typo_of: Mapping[str, tuple[Page, ...]],
                   shown: int = REFERRERS_SHOWN) -> dict[str, list[dict[str, Any]]]:
    """Missing ids, most linked first: probable typos apart from wanted terms. The typos and the
    ``MOST_WANTED`` most linked terms (linked more than once) come with their first referrers;
    the others, most of them at any size, by name and count alone, so the page stays small."""
    typo_rows: list[dict[str, Any]] = []
    wanted: list[dict[str, Any]] = []
    for p in plan.pages:
        if p.kind != "missing":
            continue
        referrers = sorted({other for other, _ in adjacent(graph, p.ident)[1]})  # who links here, once each
        row = {"page": p, "count": len(referrers), "referrers": referrers[:shown], "more": max(0, len(referrers) - shown),
               "meant": typo_of.get(p.ident, ())}
        (typo_rows if row["meant"] else wanted).append(row)
    for rows in (typo_rows, wanted):
        rows.sort(key=lambda r: (-r["count"], sort_key(r["page"].label)))
    most = [r for r in wanted[:MOST_WANTED] if r["count"] > 1]
    return {"typos": typo_rows, "wanted": most, "also": wanted[len(most):]}


__all__ = ["problems_context", "problems_data", "checks_context", "verdict", "unchecked_reason", "typos",
           "dangling_suggestions",
           "wanted_context", "shown_severity"]
