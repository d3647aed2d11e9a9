"""Numeric checks of equation hints: parse each hint, evaluate it against dated data, report.

(The implementation of the ``compiler.checks`` package's API; import it from ``compiler.checks``.)

Public API (wired into the CLI and the build by :mod:`compiler.build`)::

    results, diagnostics = run_checks(terms, edition=None, hooks_dir=None, reference_dirs=(), timeout=10.0)
    result = check_hint(hint, edition=None)      # the built-in evaluator alone

``results`` holds exactly one :class:`CheckResult` per ``equation_hint`` found under a
term's ``formal_mappings`` (candidates first, in term order); ``diagnostics`` one
located :class:`~compiler.diagnostics.Diagnostic` per result that is not ``pass``.
The semantics are documented in ``docs/checks.md``.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..codes import make
from ..diagnostics import Diagnostic
from . import montecarlo
from .hooks import BUILTIN, Registry, discover, hook, needs_hooks, run_hook
from .inputs import iter_hints
from .readings import Table
from .reference import ReferenceData, load_reference
from .result import CheckResult, Deviation
from .symbols import check_table
from .verdict import _year as year_of
from .verdict import check_hint_with

MAX_HINTS_PER_TERM = 64  # equation hints checked per term; the rest are unchecked (check-budget)
CODE_BY_STATUS = {"fail": "check-fail", "stale": "check-stale", "error": "check-error", "unchecked": "check-unchecked"}


@lru_cache(maxsize=1)
def _shipped() -> ReferenceData:
    return load_reference()


def check_hint(hint: str, *, edition: str | None = None) -> CheckResult:
    """The built-in evaluator alone, against the shipped reference data."""
    return check_hint_with(hint, _shipped(), edition)


def _claimed_in(candidate: Mapping[str, Any]) -> int | None:
    """The year of the candidate's first dated reference: when the claim was made."""
    refs = candidate.get("references")
    for r in refs if isinstance(refs, list) else []:
        if isinstance(r, dict):
            m = re.match(r"\s*(\d{4})", str(r.get("date") or ""))
            if m:
                return int(m.group(1))
    return None


def _hint_text(hint: Any) -> str:
    if hint is None:
        return ""
    if isinstance(hint, (list, tuple)):
        return "\n".join(str(h) for h in hint)
    return str(hint)


ADVICE = {
    "fail": "Correct the number, state its uncertainty (± u), or say which edition of the data it refers to.",
    "stale": "The claim matched earlier data: update it to the current value, or pin the edition it refers to.",
    "error": "Fix the expression at the position shown, or write the claim as prose if it is not meant to be checked.",
    "unchecked": "Nothing to fix unless this should be checked: add the symbol to a reference data file (docs/checks.md).",
    "budget": "Shorten the hint or split the term: a term's hints share a bounded amount of work (docs/guarantees.md).",
}


def run_checks(terms: Sequence[Any], *, edition: str | None = None, hooks_dir: Path | None = None,
               reference_dirs: Sequence[Path] = (), timeout: float = 10.0) -> tuple[list[CheckResult], list[Diagnostic]]:
    """Check every equation hint of ``terms``; never raises for a user's mistake."""
    diagnostics: list[Diagnostic] = []
    ref = load_reference(reference_dirs) if reference_dirs else _shipped()
    for problem in ref.problems:
        diagnostics.append(make("check-reference", problem.split(":", 1)[0], 0, 0, f"reference data skipped: {problem}",
                                hint="Fix the file; its format is described in docs/checks.md."))
    if edition is not None and not re.fullmatch(r"\s*\d{4}\s*", str(edition)):
        diagnostics.append(make("check-edition", "", 0, 0, f"the edition {edition!r} is not a year; the latest data is used",
                                hint="Pass a year such as --edition 2021."))
        edition = None
    found = [(t, p, c, h) for t in terms for p, c, h in iter_hints(t.data if isinstance(t.data, Mapping) else {})]
    registry = Registry(())
    if found and needs_hooks([c for _, _, c, _ in found], hooks_dir):
        registry = discover(hooks_dir, timeout)
        for problem in registry.problems:
            diagnostics.append(make("check-hooks", str(hooks_dir or ""), 0, 0, problem,
                                    hint="Fix the hook module; hooks run in a separate process."))
    label = str(year_of(edition, ref))
    results: list[CheckResult] = []
    tables: dict[int, Table] = {}  # id(term) -> its own symbol table, read once per term
    montecarlo.BUDGET.start_run()
    hints = 0
    for k, (term, pointer, candidate, raw) in enumerate(found):
        if k == 0 or found[k - 1][0].file != term.file:
            montecarlo.BUDGET.start_file()
            hints = 0
        hints += 1
        hint = _hint_text(raw)
        montecarlo.BUDGET.refused = None
        if id(term) not in tables:
            tables[id(term)] = check_table(term.data if isinstance(term.data, Mapping) else {})
        result = _past_hints(hints, label, hint) or _check_one(term, candidate, hint, ref, registry, label, timeout,
                                                         tables[id(term)])
        loc = term.location(pointer)
        result = result.located(term.id, term.file, loc.line, pointer)
        results.append(result)
        if result.status != "pass":
            where = f" at position {result.position + 1} of the hint" if result.position is not None else ""
            code = "check-budget" if result.klass == "budget" else CODE_BY_STATUS[result.status]
            diagnostics.append(make(code, term.file, loc.line, loc.column, f"{_headline(result)}{where}: {result.message}",
                                    term=term.id, pointer=pointer, hint=ADVICE["budget" if result.klass == "budget"
                                                                                else result.status]))
    return results, diagnostics


def check_terms(terms: Sequence[Any], config: Any, edition: str | None = None,
                ) -> tuple[list[CheckResult], list[Any], list[Diagnostic]]:
    """The check stage: every hint of ``terms`` checked, and the list of symbols of their symbol tables.

    ``config`` gives the hook folder and the reference data (``config.checks``)."""
    from .symbols import symbol_list

    results, diagnostics = run_checks(terms, edition=edition, hooks_dir=config.checks.hooks_dir,
                                      reference_dirs=config.checks.reference_dirs)
    symbols, symbol_diagnostics = symbol_list(terms)
    return results, list(symbols), [*diagnostics, *symbol_diagnostics]


def account(results: Sequence[CheckResult], diagnostics: Sequence[Diagnostic]) -> dict[str, Any]:
    """Every hint accounted for: those found are those checked and those in headers that could not be read.

    ``checked`` counts the results whose hint has text (any status); ``unreadable`` the
    ``check-unread`` findings of the load stage, one per hint it saw but could not read;
    ``unreadable_files`` names their files.
    """
    checked = sum(1 for r in results if r.hint.strip())
    unread = [d for d in diagnostics if d.code == "check-unread"]
    return {"found": checked + len(unread), "checked": checked, "unreadable": len(unread),
            "unreadable_files": sorted({d.file for d in unread})}


def _past_hints(hints: int, edition: str, hint: str) -> CheckResult | None:
    """The verdict of a hint past the term's budget of hints (None: within it; see ``_over_budget`` for the rest)."""
    if hints <= MAX_HINTS_PER_TERM:
        return None
    msg = f"not checked: the term has more than {MAX_HINTS_PER_TERM} equation hints (the budget of hints per term)"
    return CheckResult(hint, "unchecked", "budget", msg, msg, edition=edition)


def _over_budget(result: CheckResult) -> CheckResult:
    """A verdict that needed Monte-Carlo work the budget refused becomes ``unchecked``: the linear
    estimate it would otherwise rest on is what the sampling was needed to replace."""
    refused = montecarlo.BUDGET.refused
    if refused is None or result.status not in ("pass", "fail", "stale"):
        return result
    msg = f"not decided: its uncertainty needs Monte-Carlo sampling, and {refused} is spent"
    return CheckResult(result.hint, "unchecked", "budget", msg, msg, result.relation, edition=result.edition,
                       hook=result.hook, unit=result.unit)


def _headline(r: CheckResult) -> str:
    if r.klass == "budget":
        return "hint not checked (budget)"
    return {"fail": "numeric claim does not hold", "stale": "numeric claim is out of date",
            "error": "hint could not be checked", "unchecked": f"hint not checked ({r.klass})"}[r.status]


def _check_one(term: Any, candidate: Mapping[str, Any], hint: str, ref: ReferenceData, registry: Registry,
               edition: str | None, timeout: float, table: Table | None = None) -> CheckResult:
    name = candidate.get("check")
    spec = None
    if isinstance(name, str) and name.strip() and name.strip() != BUILTIN:
        spec = registry.by_name(name.strip())
        if spec is None:
            known = ", ".join(registry.names()) or "none"
            msg = f"no check hook named {name.strip()!r} (known: {known})"
            return CheckResult(hint, "error", "checkable", msg, msg, hook=name.strip(), edition=edition)
    elif name is None:
        spec = registry.by_pattern(hint)
    if spec is not None:
        payload = {"id": term.id, "file": term.file, "data": term.data}
        return run_hook(spec, payload, candidate, hint, timeout, edition)
    return _over_budget(check_hint_with(hint, ref, edition, _claimed_in(candidate), table))


__all__ = ["account", "check_terms", "run_checks", "check_hint", "CheckResult", "Deviation", "hook", "load_reference",
           "ReferenceData", "iter_hints"]
