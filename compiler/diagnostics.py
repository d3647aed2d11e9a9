"""The one diagnostic model every stage returns.

Stages never print, exit or raise for a user's mistake: they return ``Diagnostic``
records. Codes and their default severities live in :mod:`compiler.codes`; use
:func:`compiler.codes.make` to build a record so that the severity always comes from the registry.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, fields, replace
from operator import attrgetter
from typing import Any, Iterable


class Severity(str, enum.Enum):
    """How bad a finding is. Ordered: error > warning > info."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A located finding: where, how bad, which rule, what is wrong, how to fix it.

    ``line`` and ``column`` are 1-based; 0 means "the whole file" (no position).
    ``file`` is the path as the user should see it (relative to the folder they named).
    """

    file: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    term: str | None = None
    pointer: str | None = None
    hint: str | None = None
    end_line: int | None = None
    end_column: int | None = None
    source: str | None = None  # the offending source line, for the caret display
    waived: str | None = None  # reason, when a per-term waiver accepts this finding

    def sort_key(self) -> tuple[Any, ...]:
        return _SORT_KEY(self)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Rebuilt through __init__ from a tuple: a large glossary's build cache holds tens of thousands
        # of findings, and this unpickles them faster than the slots default (a list and __setstate__).
        return (Diagnostic, _FIELDS(self))

    def with_severity(self, severity: Severity) -> "Diagnostic":
        return replace(self, severity=severity)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "term": self.term,
            "pointer": self.pointer,
            "hint": self.hint,
        }
        if self.waived is not None:
            out["waived"] = self.waived
        return out


_FIELDS = attrgetter(*(f.name for f in fields(Diagnostic)))
# A finding as a row of plain values in field order, the severity as its text: what marshal
# writes and what a digest reads (the build cache's link file, the page-reuse tables).
ROW = attrgetter(*("severity._value_" if f.name == "severity" else f.name for f in fields(Diagnostic)))


@dataclass(frozen=True)
class Counts:
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    waived: int = 0


def count(diagnostics: Iterable[Diagnostic]) -> Counts:
    """Count diagnostics by severity; waived findings count apart, never as errors."""
    e = w = i = v = 0
    for d in diagnostics:
        if d.waived is not None:
            v += 1
        elif d.severity is Severity.ERROR:
            e += 1
        elif d.severity is Severity.WARNING:
            w += 1
        else:
            i += 1
    return Counts(e, w, i, v)


_SEVERITIES = {s.value: s for s in Severity}


def from_row(row: Any) -> Diagnostic:
    """The finding a ``ROW`` was made from."""
    file, line, column, level, *rest = row
    return Diagnostic(file, line, column, _SEVERITIES[level], *rest)


_SORT_KEY = attrgetter("file", "line", "column", "code", "message")  # in C: half the cost of the method


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=_SORT_KEY)


__all__ = ["Severity", "Diagnostic", "count", "Counts", "sorted_diagnostics", "from_row", "ROW"]
