"""Decide one relation of a hint against the reference data (the hint as a whole: :mod:`.verdict`).

The rules (documented for users in ``docs/checks.md``):

* the *claim* of a relation is its side made of written numbers, units and arithmetic
  only (the right-most such side; a function of numbers, ``ln 2``, is a computation);
  its numbers are correct roundings unless they state an uncertainty; a written 0, and
  an integer claimed with ``=``, are exact;
* ``=``/``≈``/``≡`` pass when |computed − claimed| ≤ rounding half-width + 2σ, where σ
  is the propagated standard uncertainty of the difference (stated ``± u`` included);
* ``<``/``≤``/``>``/``≥`` compare central values with the bound taken as exact, and are
  ``unchecked`` when the bound lies within 2σ; ``≪``/``≫`` need a factor of ten;
  ``∼`` passes within a factor of √10 unless its claim has three or more significant
  digits (then it means ``≈``); ``∝`` is never decided;
* a claim whose unit cannot be the computed side's fails ("dimension mismatch");
* computed against computed allows floating-point rounding (1e-12 of the magnitudes).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from . import montecarlo
from .classify import literal_only
from .dimcheck import DimensionClash, dimension
from .evaluator import Context, EvalError, Unbound, Undecidable, UnitMismatch, Val, evaluate, rounded_numbers, unbound
from .reference import Choice, ReferenceData, parse_unit
from .result import Deviation
from .tree import Node, Num, Pow, Sym, Unit, walk
from .units import Dimension, si_dimension

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
    unknown: tuple[Sym, ...] = ()  # symbols without data (a `symbolic` outcome): the dimension check reads them
    natural_too: bool = False  # the claim has no unit and might be meant in natural units


class DimensionMismatch(UnitMismatch):
    """The claim states a unit the computed side cannot have: a false claim, not an undecided one."""


def _measured_claim(node: Node) -> bool:
    """A written number that is not a bare 0 or 1: a claim worth naming the missing data for."""
    if not literal_only(node):
        return False
    return not (isinstance(node, Num) and node.value in (0.0, 1.0))


def _lone_unbound(node: Node, ref: ReferenceData, choice: Choice | None = None) -> bool:
    return isinstance(node, Sym) and ref.lookup(node, choice) is None


def judge_pair(left: Node, op: str, right: Node, ref: ReferenceData, year: int | None, relation: str,
               choice: Choice | None = None) -> Outcome:
    """Evaluate one relation; every exception of the evaluator becomes a status.

    ``choice`` says how ambiguous symbols are read in this hint (see :mod:`.readings`).
    """
    def known(s: Sym) -> bool:
        return ref.lookup(s, choice) is not None

    missing = [u for u in (unbound(left, known), unbound(right, known)) if u is not None]
    if missing:
        return _unbound(missing, left, right, ref, relation)
    if op == "∝":
        return Outcome("unchecked", "symbolic", "a proportionality (∝) states no number to check", relation)
    claim_right = literal_only(right)
    claim_left = not claim_right and literal_only(left)
    claim_node = right if claim_right else left if claim_left else None
    note = ""
    if op == "∼" and claim_node is not None and _digits(claim_node) >= 3:
        op, note = "≈", f"; ∼ with {_digits(claim_node)} significant digits is read as ≈"
    exact = op in ("=", "≡")  # an integer claimed with `=` is exact: g_μ = 2 is not "2 ± 0.5"
    out = _judge(left, op, right, ref, year, relation, choice, claim_left, claim_right, exact, note, False)
    if out.status == "fail" and out.natural_too:  # `c = 1`, `k_B = 1`, `e ≈ 0.3028`: natural units, not m/s
        again = _judge(left, op, right, ref, year, relation, choice, claim_left, claim_right, exact,
                       note + "; the claim is read in natural units (ħ = c = k_B = 1)", True)
        if again.status == "pass":
            return again
    return out


def _judge(left: Node, op: str, right: Node, ref: ReferenceData, year: int | None, relation: str, choice: Choice | None,
           claim_left: bool, claim_right: bool, exact: bool, note: str, natural: bool) -> Outcome:
    try:
        ev = _difference(left, right, claim_left, claim_right, ref, year, None, choice, exact, natural)
    except Undecidable as exc:
        return Outcome("unchecked", "checkable", exc.message, relation)
    except DimensionMismatch as exc:
        return Outcome("fail", "checkable", exc.message, relation, position=exc.position, has_claim=True)
    except UnitMismatch as exc:
        return Outcome("unchecked", "checkable", exc.message, relation, position=exc.position)
    except EvalError as exc:
        return Outcome("error", "checkable", exc.message, relation, position=exc.position)
    except Unbound as exc:  # defensive: unbound() above should have caught it
        return Outcome("unchecked", "symbolic", f"symbolic: no data for {exc}", relation)
    ctx, comp, claim, diff = ev.ctx, ev.comp, ev.claim, ev.diff
    used = tuple((q, e, y) for q, (e, y) in ctx.used.items())
    k = 1.0 / ev.unit[0]  # decide in the unit the numbers are reported in
    sigma_d, res_d = ctx.sigma(diff) * k, ctx.resolution(diff) * k
    n_inputs = len(ctx.inputs)
    rel = [ctx.sigma(v) / abs(v.v) for v in (comp, claim) if v.v]

    def sampled(row: Any) -> float:
        return _difference(left, right, claim_left, claim_right, ref, year, row, choice, exact, natural, ev.unitless).diff.v

    if montecarlo.worth_it((left, right), rel, n_inputs) and montecarlo.curved(sampled, n_inputs, diff.v, ctx.sigma(diff)):
        mc = montecarlo.sampled_sigma(sampled, n_inputs)
        if mc is not None:
            sigma_d, note = mc * k, note + f"; σ from {montecarlo.SAMPLES} Monte Carlo samples"
    c, m = comp.v * k, claim.v * k
    # Floating-point rounding, against the size of the terms computed: relative 1e-12 between two
    # computed sides (exact identities pass), a few units in the last place against a written claim.
    eps = (1e-15 if claim_left or claim_right else 1e-12) * (comp.mag + claim.mag) * k
    power = _power_of_ten(ev.claim_node)
    status, why = _decide(op if not claim_left else _mirror(op), c, m, sigma_d, res_d, eps, power)
    dev = Deviation(abs(c - m) / sigma_d if sigma_d > 0 else None, (c - m) / abs(m) if m else None)
    return Outcome(status, "checkable", why + note, relation, c, ctx.sigma(comp) * k, m, dev, ev.unit[1], used=used,
                   has_claim=claim_left or claim_right, power=power, natural_too=ev.natural_too)


def _unbound(missing: list[Unbound], left: Node, right: Node, ref: ReferenceData, relation: str) -> Outcome:
    """Why a relation with names we have no data for, or notation read two ways, is not decided."""
    syms = [s for u in missing for s in u.syms]
    argued = [s for s in syms if s.arg and (ref.lookup(_bare(s)) is not None or ref.ambiguity(_bare(s)))]
    names = list(dict.fromkeys(s.text for s in syms if s not in argued))
    opaque = list(dict.fromkeys(o for u in missing for o in u.opaque))
    unknown = tuple(s for s in syms if s not in argued)
    if opaque:
        return Outcome("unchecked", "symbolic", f"uses {', '.join(opaque)}, which the evaluator does not compute", relation)
    if names:
        if _measured_claim(left) or _measured_claim(right):
            return Outcome("unchecked", "symbolic", f"unknown symbol {', '.join(names)}: no reference data", relation,
                           unknown=unknown)
        return Outcome("unchecked", "symbolic", f"symbolic: no data for {', '.join(names)}", relation, unknown=unknown)
    why = [f"{s.text}: the data has {_bare(s).text} but not with the argument ({s.arg}); it is not read as a product"
           for s in argued] + [w for u in missing for w in u.ambiguous]
    return Outcome("unchecked", "checkable", f"ambiguous: {'; '.join(dict.fromkeys(why))}", relation)


def _bare(sym: Sym) -> Sym:
    return Sym(sym.base, sym.labels, sym.pos, sym.text.split("(", 1)[0])


def _digits(claim: Node) -> int:
    """Significant digits of a claim: those of its rounded numbers (``938.8`` has four)."""
    rounded = rounded_numbers(claim)
    return max((n.digits for n in walk(claim) if isinstance(n, Num) and id(n) in rounded), default=0)


class Sides(NamedTuple):
    """Both sides of a relation evaluated with shared inputs."""

    ctx: Context
    comp: Val
    claim: Val
    diff: Val  # computed − claimed
    claim_node: Node
    unit: tuple[float, str]  # the unit numbers are reported in: (scale, name)
    natural_too: bool  # a unitless claim that could also be meant in natural units (`c = 1`)
    unitless: bool  # a claim without a unit about a computed side with an SI unit


def _difference(left: Node, right: Node, claim_left: bool, claim_right: bool, ref: ReferenceData, year: int | None,
                sample: Any, choice: Choice | None = None, exact: bool = False, natural: bool = False,
                unitless: bool | None = None) -> Sides:
    """Evaluate both sides; a unitless claim is read in the quantity's unit, or with ``natural`` as it stands.

    ``unitless`` is the first evaluation's finding, passed back for each Monte Carlo sample."""
    ctx = Context(ref.resolver(year, choice), sample=sample)
    lctx = replace(ctx, claim_side=claim_left, rounded=rounded_numbers(left, exact) if claim_left else frozenset())
    rctx = replace(ctx, claim_side=claim_right, rounded=rounded_numbers(right, exact) if claim_right else frozenset())
    lv, rv = evaluate(left, lctx), evaluate(right, rctx)
    comp, claim, comp_node, claim_node = (lv, rv, left, right) if not claim_left else (rv, lv, right, left)
    unit = _display_unit(comp_node, claim_node, comp, ref, choice)
    natural_too = False
    if unitless is None:
        unitless = (claim_left or claim_right) and not _has_unit(claim_node) and _si_dimensional(comp_node, ref, choice)
    if unitless:
        if not unit[1]:  # `2 m_e ≈ 1.022`, `N_A k_B ≈ 8.314`: which unit is the 1.022 in?
            raise UnitMismatch("units do not match: the claim states no unit, and the computed side has one", 0)
        natural_too = abs(comp.dim) < 1e-9  # a pure number in natural units: `c = 1` may mean just that
        if natural and natural_too:
            unit = (1.0, "")
        else:
            claim = claim.scaled(unit[0])  # `m_e ≈ 0.511`, `h ≈ 6.626 × 10⁻³⁴`: read in the quantity's unit
            claim.dim = comp.dim
    if abs(comp.dim - claim.dim) > 1e-9:
        if (claim_left or claim_right) and _physical_units(claim_node):
            raise DimensionMismatch(f"dimension mismatch: the claim is {_natural(claim.dim)} "
                                    f"({' '.join(_physical_units(claim_node))}) against {_natural(comp.dim)} computed",
                                    getattr(claim_node, "pos", 0))
        else:
            raise UnitMismatch("units do not match: the two sides have different units", 0)
    diff = Val(comp.v - claim.v, {}, comp.dim)
    for i, g in comp.grad.items():
        diff.grad[i] = diff.grad.get(i, 0.0) + g
    for i, g in claim.grad.items():
        diff.grad[i] = diff.grad.get(i, 0.0) - g
    return Sides(ctx, comp, claim, diff, claim_node, unit, natural_too, unitless)


def _mirror(op: str) -> str:
    return {"<": ">", ">": "<", "≤": "≥", "≥": "≤", "≪": "≫", "≫": "≪"}.get(op, op)


def _decide(op: str, comp: float, claim: float, sigma: float, res: float, eps: float, power: int = 0) -> tuple[str, str]:
    """``comp op claim``: the status and a plain-words reason."""
    d = comp - claim
    if op in EQUALITY:
        tol = res + 2 * sigma + eps
        ok = abs(d) <= tol
        def f(x: float) -> str:
            return _fmt(x, power, 3)

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


def _si_dimensional(node: Node, ref: ReferenceData, choice: Choice | None) -> bool:
    """Has ``node`` a unit in SI (``h``, ``N_A k_B``), even where natural units make it a pure number?"""
    def bind(sym: Sym) -> Dimension | None:
        q = ref.lookup(sym, choice)
        try:
            return si_dimension(q.unit) if q is not None else None
        except KeyError:
            return None

    try:
        dim = dimension(node, bind)
    except DimensionClash:
        return False
    return dim is not None and not dim.dimensionless


def _has_unit(node: Node) -> bool:
    return any(isinstance(n, Unit) for n in walk(node))


def _physical_units(node: Node) -> list[str]:
    """The units written in a claim other than pure-number ones (%, ppm ...)."""
    return list(dict.fromkeys(n.name for n in walk(node) if isinstance(n, Unit) and n.name not in PURE_NUMBER_UNITS))


PURE_NUMBER_UNITS = ("%", "‰", "ppm", "ppb")
_NATURAL_NAMES = {0.0: "a pure number", 1.0: "an energy or mass (eV)", -1.0: "a length or time (1/eV)",
                  2.0: "eV² in natural units", -2.0: "an area (1/eV²)", -3.0: "a volume (1/eV³)"}


def _natural(dim: float) -> str:
    return _NATURAL_NAMES.get(round(dim, 6), f"eV^{dim:g} in natural units")


def _display_unit(comp_node: Node, claim_node: Node, comp: Val, ref: ReferenceData,
                  choice: Choice | None = None) -> tuple[float, str]:
    """The unit numbers are reported in: the claim's own unit, else the quantity's."""
    units = [n for n in walk(claim_node) if isinstance(n, Unit)]
    light = [u for u in units if u.name == "c"]  # `GeV/c`, `MeV/c²`: c = 1, the number is in GeV
    units = [u for u in units if u.name != "c"]
    if len(units) == 1 and units[0].name not in PURE_NUMBER_UNITS:
        scale, dim = parse_unit(units[0].name)
        if abs(dim - comp.dim) < 1e-9:
            squared = any(isinstance(n, Pow) and isinstance(n.base, Unit) and n.base.name == "c" for n in walk(claim_node))
            return scale, units[0].name + ("/c²" if squared else "/c" if light else "")
    if isinstance(comp_node, Sym):
        q = ref.lookup(comp_node, choice)
        if q is not None and q.unit:
            scale, dim = parse_unit(q.unit)
            if abs(dim - comp.dim) < 1e-9:
                return scale, q.unit
    return 1.0, ""


def _fmt(x: float | None, power: int = 0, digits: int = 10) -> str:
    if x is None:
        return "n/a"
    if power:
        return f"{x / 10.0 ** power:.{digits}g} × 10^{power}"
    return f"{x:.{digits}g}"
