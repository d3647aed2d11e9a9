"""The record of one checked hint, shared by the built-in evaluator and hooks."""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

STATUSES = ("pass", "fail", "stale", "unchecked", "error")
CLASSES = ("checkable", "symbolic", "not-math")


@dataclass(frozen=True)
class Deviation:
    sigma: float | None  # |computed - claimed| in units of the propagated σ (None when σ = 0)
    relative: float | None  # (computed - claimed) / |claimed|

    def to_json(self) -> dict[str, Any]:
        return {"sigma": _num(self.sigma), "relative": _num(self.relative)}


@dataclass(frozen=True)
class CheckResult:
    """One hint's verdict. ``to_json`` gives the exact keys of the JSON report."""

    hint: str
    status: str
    klass: str
    reason: str
    message: str
    relation: str | None = None
    computed: float | None = None
    uncertainty: float | None = None
    claimed: float | None = None
    deviation: Deviation | None = None
    edition: str | None = None
    evidence: tuple[Mapping[str, Any], ...] = ()
    hook: str = "builtin"
    unit: str = ""
    position: int | None = None  # where in the hint an error was found
    term: str | None = None
    file: str | None = None
    line: int | None = None
    pointer: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def located(self, term: str, file: str, line: int, pointer: str) -> "CheckResult":
        return replace(self, term=term, file=file, line=line, pointer=pointer)

    def to_json(self) -> dict[str, Any]:
        return {
            "term": self.term, "file": self.file, "line": self.line, "pointer": self.pointer,
            "hint": self.hint, "hook": self.hook, "status": self.status, "relation": self.relation,
            "computed": _num(self.computed), "uncertainty": _num(self.uncertainty), "claimed": _num(self.claimed),
            "deviation": self.deviation.to_json() if self.deviation else None,
            "edition": self.edition, "message": self.message,
            "evidence": [dict(e) for e in self.evidence] if self.status == "stale" else [],
            "class": self.klass, "reason": self.reason,
        }


Ids = dict[str, None]  # term ids in the order met, without repeats (an ordered set)


@dataclass
class SymbolRow:
    """One symbol of the glossary: what the terms say it means and which dimension it has."""

    symbol: str  # the first spelling met, as written
    meanings: dict[str, Ids] = field(default_factory=dict)  # meaning -> terms
    dimensions: dict[str, Ids] = field(default_factory=dict)  # dimension (written the one way) -> terms
    relative: set[str] = field(default_factory=set)  # those of `dimensions` not made of SI base dimensions
    unparsed: dict[str, Ids] = field(default_factory=dict)  # dimensions text that could not be read -> terms
    terms: Ids = field(default_factory=dict)

    @property
    def conflicting(self) -> dict[str, Ids]:
        """The comparable dimensions (SI base dimensions only), when there is more than one of them."""
        comparable = {d: t for d, t in self.dimensions.items() if d not in self.relative}
        return comparable if len(comparable) > 1 else {}

    def to_json(self) -> dict[str, Any]:
        return {"symbol": self.symbol, "terms": list(self.terms),
                "meanings": [{"meaning": m, "terms": list(t)} for m, t in self.meanings.items()],
                "dimensions": [{"dimension": d, "terms": list(t), "comparable": d not in self.relative}
                               for d, t in self.dimensions.items()],
                "unparsed": [{"text": d, "terms": list(t)} for d, t in self.unparsed.items()]}


def _num(x: float | None) -> float | None:
    if x is None or not isinstance(x, (int, float)) or not math.isfinite(x):
        return None
    return float(f"{x:.12g}")
