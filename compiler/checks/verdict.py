"""One hint's verdict: its relations judged (:mod:`.judge`), its symbols read (:mod:`.readings`), its staleness.

A hint fails if any relation fails; otherwise it passes if any relation passes;
otherwise it is ``error`` if evaluation failed, else ``unchecked``. A failing hint
that passes against an earlier edition of the data it uses is ``stale``. A relation
that cannot be computed but whose symbols all have a dimension (from the term's symbol
table, then the reference data) fails when its sides' dimensions differ.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .classify import Extraction, extract, is_not_applicable
from .dimcheck import relation_clash
from .judge import Outcome, _fmt, _lone_unbound, judge_pair
from .readings import Plan, Table, describe, table_key
from .readings import plan as reading_plan
from .reference import Choice, ReferenceData, symbol_key
from .result import CheckResult, _num
from .tokenizer import TokenizeError
from .tree import Node, Sym, walk
from .units import Dimension, si_dimension


@dataclass
class Run:
    """The hint judged once, with one reading of its symbols."""

    status: str
    klass: str
    reason: str
    deciding: Outcome | None
    outs: list[Outcome] = field(default_factory=list)
    choice: Choice = field(default_factory=dict)


def pair_outcomes(hint: str, ref: ReferenceData, year: int | None, ex: Extraction | None = None,
                  choice: Choice | None = None, table: Table | None = None) -> tuple[list[Outcome], Extraction]:
    """Each relation of ``hint`` judged with the ``year`` data; ``ex`` is ``extract(hint)`` when already made.

    Why ``ex``: the extraction (tokens, parse trees) does not depend on the year, and a
    failing hint is judged again for every earlier edition (``_stale``); re-reading it each
    time was half the checks' time on a glossary where a quarter of the hints fail."""
    if ex is None:
        ex = extract(hint)
    outs: list[Outcome] = []
    for chain in ex.chains:
        for k, op in enumerate(chain.ops):
            left, right = chain.operands[k], chain.operands[k + 1]
            if k == 0 and op in ("=", "≡") and _lone_unbound(left, ref, choice) and len(chain.ops) > 1:
                continue  # `X = expr ≈ 1.23`: X is the name being defined
            out = judge_pair(left, op, right, ref, year, chain.text, choice)
            if out.unknown and table:
                out = _dimensions(out, left, op, right, ref, choice, table)
            outs.append(out)
    return outs, ex


def _dimensions(out: Outcome, left: Node, op: str, right: Node, ref: ReferenceData, choice: Choice | None,
                table: Table) -> Outcome:
    """A relation we cannot compute, checked for dimensions where every symbol has one."""

    def bind(sym: Sym) -> Dimension | None:
        entry = table.get(table_key(sym)) or (table.get(symbol_key(sym, with_arg=False)) if sym.arg else None)
        if entry is not None:  # `f(x)`: the table's f gives the dimension of its value
            return entry.dimension if entry.dimension is not None and entry.dimension.concrete else None
        q = ref.lookup(sym, choice)
        try:
            return si_dimension(q.unit) if q is not None else None
        except KeyError:
            return None

    if any(isinstance(n, Sym) and bind(n) is None for side in (left, right) for n in walk(side)):
        return out
    clash = relation_clash(left, op, right, bind)
    if clash is None:
        return out
    return Outcome("fail", "checkable", f"{clash} (dimensions from the term's symbol table)", out.relation)


def _summary(outs: list[Outcome], ex: Extraction) -> tuple[str, str, str, Outcome | None]:
    """(status, class, reason, deciding outcome) of one evaluation."""
    checked = [o for o in outs if o.klass == "checkable"]
    for status in ("fail", "pass", "error", "unchecked"):
        hits = [o for o in checked if o.status == status]
        hit = next((o for o in hits if o.has_claim), hits[0] if hits else None)
        if hit is not None:
            return status, "checkable", hit.reason, hit
    if outs:
        return "unchecked", "symbolic", outs[0].reason, outs[0]
    if ex.problems:
        p = ex.problems[0]
        return "error", "checkable", f"cannot parse: {p.message} at position {p.position}", None
    if ex.unparsed:
        p = ex.unparsed[0]
        return "unchecked", "symbolic", f"symbolic: not fully parsed ({p.message} at position {p.position})", None
    if ex.math:
        why = "no relation to check" if not ex.relation_signs else "no complete relation to check"
        return "unchecked", "symbolic", f"symbolic: {why}", None
    return "unchecked", "not-math", "no numeric content: prose", None


def _message(o: Outcome | None, reason: str, counts: dict[str, int]) -> str:
    if o is None or o.computed is None:
        return reason
    unit = f" {o.unit}" if o.unit else ""
    core = (f"{o.relation}: computed {_fmt(o.computed, o.power)}{unit} (σ {_fmt(o.uncertainty, o.power, 3)}) "
            f"vs claimed {_fmt(o.claimed, o.power)}{unit}; {reason}")
    others = sum(counts.values()) - 1
    return core + (f" ({others} more relation(s) in this hint)" if others > 0 else "")


def _evidence(o: Outcome | None, status: str, year_label: str) -> dict[str, Any]:
    if o is None:
        return {"edition": year_label, "status": status}
    return {"edition": year_label, "status": status, "computed": _num(o.computed), "uncertainty": _num(o.uncertainty),
            "claimed": _num(o.claimed), "deviation": o.deviation.to_json() if o.deviation else None,
            "data": [{"quantity": q, "edition": e, "year": y} for q, e, y in o.used]}


def _run(text: str, ref: ReferenceData, year: int, ex: Extraction, choice: Choice, table: Table | None) -> Run:
    outs, _ = pair_outcomes(text, ref, year, ex, choice, table)
    status, klass, reason, o = _summary(outs, ex)
    return Run(status, klass, reason, o, outs, choice)


def _decide(runs: list[Run], p: Plan, ref: ReferenceData) -> Run:
    """Several readings of ambiguous symbols: pass under one of them, or stay unchecked; never fail on a guess."""
    if not p.open or all(run.klass == "symbolic" for run in runs):
        return runs[0]  # no reading decides anything: the unknown symbols are the story
    words = "; ".join(f"ambiguous symbol {written}: {describe(amb, ref)}" for written, amb in p.open.values())
    for run in runs:
        if run.status == "pass":
            chosen = ", ".join(f"{written} read as {ref.quantities[run.choice[k]].name}" for k, (written, _) in p.open.items())
            run.reason = f"{run.reason} ({chosen}, the reading under which the claim holds; {words})"
            return run
    missing = next((run for run in runs if run.klass == "symbolic"), None)
    if missing is not None:  # a reading lacks data for another symbol: that, not the ambiguity, is the story
        missing.reason = f"{missing.reason} ({words})"
        return missing
    return Run("unchecked", "checkable", f"{words}; no reading of the hint holds, and none is a certain failure", None,
               runs[0].outs, runs[0].choice)


def check_hint_with(hint: str, ref: ReferenceData, edition: str | None = None, claimed_in: int | None = None,
                    table: Table | None = None) -> CheckResult:
    """The built-in evaluator on one hint text, against ``ref``.

    ``claimed_in`` (the year of the candidate's references, when known) is tried first
    as the earlier edition of a ``stale`` verdict; ``table`` is the term's symbol table.
    """
    year = _year(edition, ref)
    label = str(year)
    text = hint if isinstance(hint, str) else ""
    if not text.strip() or is_not_applicable(text[:200]) and len(text) <= 200:
        return CheckResult(text, "unchecked", "not-math", "no numeric content: empty or not applicable",
                           "no numeric content: the hint is empty or not applicable", edition=label)
    try:
        ex = extract(text)
        p = reading_plan(ex, ref, table, text)
        run = _decide([_run(text, ref, year, ex, choice, table) for choice in p.assignments()], p, ref)
    except TokenizeError as exc:
        return CheckResult(text[:200], "error", "checkable", exc.message,
                           f"cannot read the hint: {exc.message}", edition=label, position=exc.position)
    except RecursionError:
        msg = "the expression is nested too deeply to check"
        return CheckResult(text[:200], "error", "checkable", msg, msg, edition=label)
    except Exception as exc:  # noqa: BLE001 - a checker bug must not stop the build; it is reported
        msg = f"internal error in the checker ({type(exc).__name__}: {exc}); please report this hint"
        return CheckResult(text[:200], "error", "checkable", msg, msg, edition=label)
    status, klass, reason, o = run.status, run.klass, run.reason, run.deciding
    counts = {s: sum(1 for x in run.outs if x.status == s) for s in ("pass", "fail", "unchecked", "error")}
    evidence: tuple[dict[str, Any], ...] = ()
    if status == "fail" and o is not None and o.used:
        stale = _stale(lambda y: _run(text, ref, y, ex, run.choice, table), ref, year, o, claimed_in)
        if stale is not None:
            earlier_year, earlier = stale
            status = "stale"
            evidence = (_evidence(earlier, "pass", str(earlier_year)), _evidence(o, "fail", label))
            reason = (f"passes with the {earlier_year} data ({_fmt(earlier.computed, o.power)} ± "
                      f"{_fmt(earlier.uncertainty, o.power, 3)}) but fails with the {label} data "
                      f"({_fmt(o.computed, o.power)} ± {_fmt(o.uncertainty, o.power, 3)})")
    position = o.position if o is not None else (ex.problems[0].position if ex.problems and status == "error" else None)
    return CheckResult(text, status, klass, reason, _message(o, reason, counts),
                       o.relation if o else None, o.computed if o else None, o.uncertainty if o else None,
                       o.claimed if o else None, o.deviation if o else None, label, evidence,
                       unit=o.unit if o else "", position=position)


def _stale(judge: Callable[[int], Run], ref: ReferenceData, year: int, failing: Outcome,
           claimed_in: int | None) -> tuple[int, Outcome] | None:
    """An earlier edition year in which the hint passes: the year it was claimed in, else the earliest."""
    ids = {q for q, _, _ in failing.used}
    first = max((min((e.year for e in ref.quantities[q].editions), default=0) for q in ids), default=0)
    years = sorted({e.year for q in ids for e in ref.quantities[q].editions if max(first, 1) <= e.year < year})
    if claimed_in is not None and 0 < claimed_in < year:
        years.insert(0, claimed_in)
    for y in years:
        if all(ref.quantities[q].at(y).edition == e for q, e, _ in failing.used):
            continue  # the same editions as the failing run: the same failure
        run = judge(y)
        if run.status == "pass" and run.deciding is not None:
            return y, run.deciding
    return None


def _year(edition: str | None, ref: ReferenceData) -> int:
    if edition:
        digits = "".join(ch for ch in str(edition) if ch.isdigit())[:4]
        if len(digits) == 4:
            return int(digits)
    years = ref.years()
    return years[-1] if years else 0


__all__ = ["Run", "check_hint_with", "pair_outcomes"]
