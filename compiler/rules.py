"""Rule levels and waivers: which findings are reported, how loudly, and which are accepted.

Modelled on ruff: ``select`` / ``ignore`` / per-code ``severity`` / ``per-file-ignores``
from the configuration. A *selector* is a code (``link-dangling``), a stage name
(``graph``), a dash prefix (``link`` selects ``link-*``), a glob (``link-*``) or ``ALL``.

A *waiver* is different from an ignore: it lives in the term's own front matter, names
one finding (code, optionally a JSON pointer) and a reason, and the report still lists
the finding as waived. That keeps an accepted exception visible and reviewable instead
of silently switched off for the whole glossary::

    waivers:
      - code: check-stale
        pointer: /formal_mappings/candidates/0/equation_hint
        reason: "Kept as a historical claim."
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Collection, Iterable, Sequence

from compiler.codes import CODES, make, selector_matches, selector_specificity
from compiler.diagnostics import Diagnostic, Severity
from compiler.model import Term

if TYPE_CHECKING:  # config imports this module; only the type is needed here
    from compiler.config import Config

UNIGNORABLE = frozenset({"internal-error"})


@dataclass(frozen=True)
class Waiver:
    code: str
    pointer: str | None
    reason: str
    index: int  # position in the term's `waivers` list, to locate it

    def covers(self, diagnostic: Diagnostic) -> bool:
        if diagnostic.code != self.code:
            return False
        if self.pointer is None:
            return True
        pointer = diagnostic.pointer or ""
        return pointer == self.pointer or pointer.startswith(self.pointer.rstrip("/") + "/")


def term_waivers(term: Term) -> list[Waiver]:
    """The well-formed waivers of a term; entries without code or reason are left to the schema."""
    raw = term.data.get("waivers")
    out: list[Waiver] = []
    if not isinstance(raw, list):
        return out
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            continue
        code, reason, pointer = item.get("code"), item.get("reason"), item.get("pointer")
        if isinstance(code, str) and isinstance(reason, str) and reason.strip():
            out.append(Waiver(code.strip(), pointer if isinstance(pointer, str) and pointer else None,
                              reason.strip(), index))
    return out


class _Rules:
    """The configuration's rules, answered once per code (a build has tens of thousands of
    findings of a few dozen codes); ``per-file-ignores`` are still matched per finding."""

    def __init__(self, config: "Config") -> None:
        self.rules = config.rules
        self.by_code: dict[str, tuple[bool, Severity | None]] = {}

    def _code(self, code: str) -> tuple[bool, Severity | None]:
        rules = self.rules
        selected = code in UNIGNORABLE or (any(selector_matches(s, code) for s in rules.select)
                                           and not any(selector_matches(s, code) for s in rules.ignore))
        best, level = 0, None
        for selector, severity in rules.severity:
            score = selector_specificity(selector, code)
            if score > best:
                best, level = score, severity
        return selected, level

    def apply(self, diagnostic: Diagnostic) -> Diagnostic | None:
        """The finding as reported (its severity set by the rules), or None when the rules drop it."""
        code = diagnostic.code
        answer = self.by_code.get(code)
        if answer is None:
            answer = self.by_code[code] = self._code(code)
        selected, level = answer
        if not selected:
            return None
        if code not in UNIGNORABLE:
            for glob, selectors in self.rules.per_file_ignores:
                if fnmatchcase(diagnostic.file, glob) and any(selector_matches(s, code) for s in selectors):
                    return None
        return diagnostic if level is None or level is diagnostic.severity else diagnostic.with_severity(level)


def _waiver_findings(terms: Sequence[Term], waivers: dict[str, list[Waiver]], used: set[tuple[str, int]],
                     stages: Collection[str] | None) -> list[Diagnostic]:
    """waiver-invalid for unknown codes; waiver-unused for waivers of stages that ran and matched nothing."""
    out: list[Diagnostic] = []
    for term in terms:
        for waiver in waivers.get(term.file, ()):
            pointer = f"/waivers/{waiver.index}"
            loc = term.location(pointer + "/code")
            entry = CODES.get(waiver.code)
            if entry is None:
                out.append(make("waiver-invalid", term.file, loc.line, loc.column,
                                f"waiver names `{waiver.code}`, which is not a diagnostic code",
                                term=term.id, pointer=pointer + "/code",
                                hint="run `compile-glossary codes` for the list of codes"))
            elif stages is not None and entry.stage in stages and (term.file, waiver.index) not in used:
                out.append(make("waiver-unused", term.file, loc.line, loc.column,
                                f"waiver for `{waiver.code}`" + (f" at {waiver.pointer}" if waiver.pointer else "")
                                + " matches no finding", term=term.id, pointer=pointer,
                                hint="the finding is gone; remove the waiver"))
    return out


def apply_rules(diagnostics: Iterable[Diagnostic], config: "Config", terms: Sequence[Term] = (),
                *, stages: Collection[str] | None = None) -> list[Diagnostic]:
    """Apply select / ignore / per-file ignores / severity, then the terms' waivers.

    Returns a new list; dropped findings are gone, waived ones keep ``waived=reason``.
    ``stages`` names the stages whose diagnostics are all in ``diagnostics``: only
    waivers for codes of those stages can be reported as unused (a ``graph`` run
    without the numeric checks must not call a ``check-*`` waiver stale).
    """
    with_waivers = [(term, found) for term in terms if (found := term_waivers(term))]
    waivers = {term.file: found for term, found in with_waivers}
    file_of = {term.id: term.file for term in terms}  # the last file of an id, as always
    used: set[tuple[str, int]] = set()
    rules = _Rules(config)
    out: list[Diagnostic] = []
    for diagnostic in diagnostics:
        if waivers:
            file = diagnostic.file if diagnostic.file in waivers else file_of.get(diagnostic.term or "", diagnostic.file)
            for waiver in waivers.get(file, ()):
                if waiver.covers(diagnostic):
                    used.add((file, waiver.index))
                    if diagnostic.waived is None and diagnostic.code not in UNIGNORABLE:
                        diagnostic = replace(diagnostic, waived=waiver.reason)
                    break
        reported = rules.apply(diagnostic)
        if reported is not None:
            out.append(reported)
    for extra in _waiver_findings([term for term, _ in with_waivers], waivers, used, stages):
        reported = rules.apply(extra)
        if reported is not None:
            out.append(reported)
    return out


__all__ = ["apply_rules", "term_waivers", "Waiver"]
