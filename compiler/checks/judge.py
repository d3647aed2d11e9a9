"""Decide each relation of a hint against the reference data, then the hint as a whole.

The rules (documented for users in ``docs/checks.md``):

* the *claim* of a relation is its side made of written numbers only (the right-most
  such side); its numbers are correct roundings unless they state an uncertainty;
* ``=``/``≈``/``≡`` pass when |computed − claimed| ≤ rounding half-width + 2σ, where σ
  is the propagated standard uncertainty of the difference (stated ``± u`` included);
* ``<``/``≤``/``>``/``≥`` compare central values with the bound taken as exact, and are
  ``unchecked`` when the bound lies within 2σ; ``≪``/``≫`` need a factor of ten;
  ``∼`` passes within a factor of √10; ``∝`` is never decided;
* a hint fails if any relation fails; it is ``stale`` when it fails now but passes in
  an earlier edition of the data it uses.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Callable

from . import montecarlo
from .classify import extract, is_not_applicable, literal_only
from .evaluator import (Context, EvalError, Unbound, Undecidable, UnitMismatch, Val, evaluate, rounded_numbers,
                        unbound)
from .parser import Node, Num, Pow, Sym, Unit, walk
from .reference import ReferenceData, parse_unit
from .result import CheckResult, Deviation, _num
from .tokenizer import TokenizeError

EQUALITY = {"=", "≈", "≡"}
ORDER = {"<": -1, "≤": -1, ">": 1, "≥": 1}
SQRT10 = math.sqrt(10.0)


@dataclass(frozen=True)
class Outcome:
    """The verdict on one pair ``left op right`` of a chain."""

    status: str  # pass fail unchecked error skip
    klass: str  # checkable symbolic
    reason: str
    relation: str
    computed: float | None = None
    uncertainty: float | None = None
    claimed: float | None = None
    deviation: Deviation | None = None
    unit: str = ""
    position: int | None = None
    used: tuple[tuple[str, str, int], ...] = ()  # (quantity, edition, year)
    has_claim: bool = False  # one side is a written number (not two computed sides)
    power: int = 0  # the claim's `× 10^k`, used to print numbers the way the author wrote them


def _measured_claim(node: Node) -> bool:
    """A written number that is not a bare 0 or 1: a claim worth naming the missing data for."""
    if not literal_only(node):
        return False
    return not (isinstance(node, Num) and node.value in (0.0, 1.0))


def _lone_unbound(node: Node, ref: ReferenceData) -> bool:
    return isinstance(node, Sym) and ref.lookup(node) is None


def judge_pair(left: Node, op: str, right: Node, ref: ReferenceData, year: int | None, relation: str) -> Outcome:
    """Evaluate one relation; every exception of the evaluator becomes a status."""
    known: Callable[[Sym], bool] = lambda s: ref.lookup(s) is not None  # noqa: E731
    missing = [u for u in (unbound(left, known), unbound(right, known)) if u is not None]
    if missing:
        names = [n for u in missing for n in u.names]
        opaque = [o for u in missing for o in u.opaque]
        if opaque:
            reason = f"uses {', '.join(dict.fromkeys(opaque))}, which the evaluator does not compute"
        elif _measured_claim(left) or _measured_claim(right):
            reason = f"unknown symbol {', '.join(dict.fromkeys(names))}: no reference data"
        else:
            reason = f"symbolic: no data for {', '.join(dict.fromkeys(names))}"
        return Outcome("unchecked", "symbolic", reason, relation)
    if op == "∝":
        return Outcome("unchecked", "symbolic", "a proportionality (∝) states no number to check", relation)
    claim_right = literal_only(right)
    claim_left = not claim_right and literal_only(left)
    try:
        ev = _difference(left, right, claim_left, claim_right, ref, year, None)
    except Undecidable as exc:
        return Outcome("unchecked", "checkable", exc.message, relation)
    except UnitMismatch as exc:
        return Outcome("unchecked", "checkable", exc.message, relation, position=exc.position)
    except EvalError as exc:
        return Outcome("error", "checkable", exc.message, relation, position=exc.position)
    except Unbound as exc:  # defensive: unbound() above should have caught it
        return Outcome("unchecked", "symbolic", f"symbolic: no data for {exc}", relation)
    ctx, comp, claim, diff, claim_node, (unit_scale, unit_name) = ev
    used = tuple((q, e, y) for q, (e, y) in ctx.used.items())
    k = 1.0 / unit_scale  # decide in the unit the numbers are reported in
    sigma_d, res_d = ctx.sigma(diff) * k, ctx.resolution(diff) * k
    note = ""
    n_inputs = len(ctx.inputs)
    rel = [ctx.sigma(v) / abs(v.v) for v in (comp, claim) if v.v]
    def sampled(row: Any) -> float:
        return _difference(left, right, claim_left, claim_right, ref, year, row)[3].v

    if montecarlo.worth_it((left, right), rel, n_inputs) and montecarlo.curved(sampled, n_inputs, diff.v, ctx.sigma(diff)):
        mc = montecarlo.sampled_sigma(sampled, n_inputs)
        if mc is not None:
            sigma_d, note = mc * k, f"; σ from {montecarlo.SAMPLES} Monte Carlo samples"
    c, m = comp.v * k, claim.v * k
    eps = 1e-12 * max(abs(c), abs(m))
    power = _power_of_ten(claim_node)
    status, why = _decide(op if not claim_left else _mirror(op), c, m, sigma_d, res_d, eps, power)
    dev = Deviation(abs(c - m) / sigma_d if sigma_d > 0 else None, (c - m) / abs(m) if m else None)
    return Outcome(status, "checkable", why + note, relation, c, ctx.sigma(comp) * k, m, dev, unit_name, used=used,
                   has_claim=claim_left or claim_right, power=power)


def _difference(left: Node, right: Node, claim_left: bool, claim_right: bool, ref: ReferenceData, year: int | None,
                sample: Any) -> tuple[Context, Val, Val, Val, Node, tuple[float, str]]:
    """Evaluate both sides with shared inputs; (ctx, computed, claimed, computed − claimed, claim node, unit)."""
    ctx = Context(ref.resolver(year), sample=sample)
    lctx = replace(ctx, claim_side=claim_left, rounded=rounded_numbers(left) if claim_left else frozenset())
    rctx = replace(ctx, claim_side=claim_right, rounded=rounded_numbers(right) if claim_right else frozenset())
    lv, rv = evaluate(left, lctx), evaluate(right, rctx)
    comp, claim, comp_node, claim_node = (lv, rv, left, right) if not claim_left else (rv, lv, right, left)
    unit = _display_unit(comp_node, claim_node, comp, ref)
    if abs(comp.dim - claim.dim) > 1e-9:
        if claim.dim == 0 and not _has_unit(claim_node) and unit[1]:
            claim = claim.scaled(unit[0])
            claim.dim = comp.dim
        else:
            raise UnitMismatch("units do not match: the two sides have different units", 0)
    diff = Val(comp.v - claim.v, {}, comp.dim)
    for i, g in comp.grad.items():
        diff.grad[i] = diff.grad.get(i, 0.0) + g
    for i, g in claim.grad.items():
        diff.grad[i] = diff.grad.get(i, 0.0) - g
    return ctx, comp, claim, diff, claim_node, unit


def _mirror(op: str) -> str:
    return {"<": ">", ">": "<", "≤": "≥", "≥": "≤", "≪": "≫", "≫": "≪"}.get(op, op)


def _decide(op: str, comp: float, claim: float, sigma: float, res: float, eps: float, power: int = 0) -> tuple[str, str]:
    """``comp op claim``: the status and a plain-words reason."""
    d = comp - claim
    if op in EQUALITY:
        tol = res + 2 * sigma + eps
        ok = abs(d) <= tol
        f = lambda x: _fmt(x, power, 3)  # noqa: E731
        return ("pass" if ok else "fail"), (
            f"the difference {f(abs(d))} is {'within' if ok else 'beyond'} the allowed {f(tol)} "
            f"(rounding {f(res)} + 2σ, σ = {f(sigma)})")
    if op == "≠":
        if abs(d) <= res + 2 * sigma + eps:
            return "unchecked", "the two sides agree within their precision, so they may well be equal"
        return "pass", "the two sides differ by more than their precision"
    if op in ORDER:
        if abs(d) <= 2 * sigma:
            return "unchecked", "the bound lies within 2σ of the computed value: undecided"
        holds = d < 0 if ORDER[op] < 0 else d > 0
        if op in ("≤", "≥") and d == 0:
            holds = True
        return ("pass" if holds else "fail"), ("the inequality holds" if holds else "the inequality does not hold")
    if op in ("≪", "≫"):
        small, big = (abs(comp), abs(claim)) if op == "≪" else (abs(claim), abs(comp))
        if small * 10 <= big:
            return "pass", "the sides differ by at least a factor of ten"
        if small >= big:
            return "fail", "the side claimed to be much smaller is not smaller"
        return "unchecked", "the sides differ by less than a factor of ten: undecided"
    if op == "∼":
        if comp == 0 or claim == 0 or (comp > 0) != (claim > 0):
            return "fail", "the sides differ in sign or one is zero"
        ratio = abs(comp / claim)
        ok = 1 / SQRT10 <= ratio <= SQRT10
        return ("pass" if ok else "fail"), f"the ratio {ratio:.3g} is {'within' if ok else 'beyond'} a factor of √10"
    return "unchecked", f"the relation {op} is not checked"


def _power_of_ten(node: Node) -> int:
    """k of a claim written ``x × 10^k`` (0 otherwise)."""
    for n in walk(node):
        if isinstance(n, Pow) and isinstance(n.base, Num) and n.base.value == 10:
            try:
                k = evaluate(n.exponent, Context(lambda s, c: None)).v
            except (EvalError, Unbound, Undecidable):
                return 0
            return int(k) if float(k).is_integer() and abs(k) < 400 else 0
    return 0


def _has_unit(node: Node) -> bool:
    return any(isinstance(n, Unit) for n in walk(node))


def _display_unit(comp_node: Node, claim_node: Node, comp: Val, ref: ReferenceData) -> tuple[float, str]:
    """The unit numbers are reported in: the claim's own unit, else the quantity's."""
    units = [n for n in walk(claim_node) if isinstance(n, Unit)]
    if len(units) == 1 and units[0].name not in ("%", "ppm", "ppb"):
        scale, dim = parse_unit(units[0].name)
        if abs(dim - comp.dim) < 1e-9:
            return scale, units[0].name
    if isinstance(comp_node, Sym):
        q = ref.lookup(comp_node)
        if q is not None and q.unit:
            scale, dim = parse_unit(q.unit)
            if abs(dim - comp.dim) < 1e-9:
                return scale, q.unit
    return 1.0, ""


# -- the hint as a whole -------------------------------------------------------------
def pair_outcomes(hint: str, ref: ReferenceData, year: int | None, ex: Any = None) -> tuple[list[Outcome], Any]:
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
            if k == 0 and op in ("=", "≡") and _lone_unbound(left, ref) and len(chain.ops) > 1:
                continue  # `X = expr ≈ 1.23`: X is the name being defined
            outs.append(judge_pair(left, op, right, ref, year, chain.text))
    return outs, ex


PRIORITY = {"fail": 0, "pass": 2, "error": 1}


def _summary(outs: list[Outcome], ex: Any) -> tuple[str, str, str, Outcome | None]:
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


def _fmt(x: float | None, power: int = 0, digits: int = 10) -> str:
    if x is None:
        return "n/a"
    if power:
        return f"{x / 10.0 ** power:.{digits}g} × 10^{power}"
    return f"{x:.{digits}g}"


def _message(status: str, o: Outcome | None, reason: str, counts: dict[str, int]) -> str:
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


def check_hint_with(hint: str, ref: ReferenceData, edition: str | None = None, claimed_in: int | None = None) -> CheckResult:
    """The built-in evaluator on one hint text, against ``ref``.

    ``claimed_in`` (the year of the candidate's references, when known) is tried first
    as the earlier edition of a ``stale`` verdict.
    """
    year = _year(edition, ref)
    label = str(year)
    text = hint if isinstance(hint, str) else ""
    if not text.strip() or is_not_applicable(text[:200]) and len(text) <= 200:
        return CheckResult(text, "unchecked", "not-math", "no numeric content: empty or not applicable",
                           "no numeric content: the hint is empty or not applicable", edition=label)
    try:
        outs, ex = pair_outcomes(text, ref, year)
    except TokenizeError as exc:
        return CheckResult(text[:200], "error", "checkable", exc.message,
                           f"cannot read the hint: {exc.message}", edition=label, position=exc.position)
    except RecursionError:
        msg = "the expression is nested too deeply to check"
        return CheckResult(text[:200], "error", "checkable", msg, msg, edition=label)
    except Exception as exc:  # noqa: BLE001 - a checker bug must not stop the build; it is reported
        msg = f"internal error in the checker ({type(exc).__name__}: {exc}); please report this hint"
        return CheckResult(text[:200], "error", "checkable", msg, msg, edition=label)
    status, klass, reason, o = _summary(outs, ex)
    counts = {s: sum(1 for x in outs if x.status == s) for s in ("pass", "fail", "unchecked", "error")}
    evidence: tuple[dict[str, Any], ...] = ()
    if status == "fail" and o is not None:
        stale = _stale(text, ref, year, o, claimed_in, ex)
        if stale is not None:
            earlier_year, earlier = stale
            status = "stale"
            evidence = (_evidence(earlier, "pass", str(earlier_year)), _evidence(o, "fail", label))
            reason = (f"passes with the {earlier_year} data ({_fmt(earlier.computed, o.power)} ± "
                      f"{_fmt(earlier.uncertainty, o.power, 3)}) but fails with the {label} data "
                      f"({_fmt(o.computed, o.power)} ± {_fmt(o.uncertainty, o.power, 3)})")
    position = o.position if o is not None else (ex.problems[0].position if ex.problems and status == "error" else None)
    return CheckResult(text, status, klass, reason, _message(status, o, reason, counts),
                       o.relation if o else None, o.computed if o else None, o.uncertainty if o else None,
                       o.claimed if o else None, o.deviation if o else None, label, evidence,
                       unit=o.unit if o else "", position=position)


def _stale(hint: str, ref: ReferenceData, year: int, failing: Outcome, claimed_in: int | None,
           ex: Any = None) -> tuple[int, Outcome] | None:
    """An earlier edition year in which the hint passes: the year it was claimed in, else the earliest."""
    ids = {q for q, _, _ in failing.used}
    first = max((min((e.year for e in ref.quantities[q].editions), default=0) for q in ids), default=0)
    years = sorted({e.year for q in ids for e in ref.quantities[q].editions if max(first, 1) <= e.year < year})
    if claimed_in is not None and 0 < claimed_in < year:
        years.insert(0, claimed_in)
    for y in years:
        outs, ex = pair_outcomes(hint, ref, y, ex)
        status, _, _, o = _summary(outs, ex)
        if status == "pass" and o is not None:
            return y, o
    return None


def _year(edition: str | None, ref: ReferenceData) -> int:
    if edition:
        digits = "".join(ch for ch in str(edition) if ch.isdigit())[:4]
        if len(digits) == 4:
            return int(digits)
    years = ref.years()
    return years[-1] if years else 0
