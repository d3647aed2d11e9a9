"""Dated reference data: which number a symbol names, in which edition.

The package ships ``reference_data.json``; a glossary may add files in the same
format (JSON or YAML) in configured folders, which add quantities, add editions to
known ones, or add spellings. Every spelling is parsed with the hint parser itself,
so ``a_\\mu^{\\text{exp}}``, ``a_μ^exp`` and ``a_mu_exp`` land on one key by
construction rather than by a hand-kept alias table.

Editions: a quantity's value at year Y is its latest edition dated Y or earlier
(the earliest one when Y predates them all); no year means the latest edition. A
symbol written with a year, ``Δa_μ(2025)``, is pinned to that year whatever the
edition asked for.

Ambiguous spellings (``e``: the elementary charge or Euler's number; ``m_d``: the
deuteron or the down quark) are listed under ``ambiguous`` with their readings; which
reading a hint means is decided by :mod:`.readings`, never here.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .evaluator import Context, EvalError, Undecidable, Val, evaluate
from .parser import ParseError, parse
from .tokenizer import GREEK, TokenizeError, tokenize
from .tree import Node, Sym
from .units import UNITS

DATA_FILE = Path(__file__).with_name("reference_data.json")
_GREEK_NAMES = {ch: name for name, ch in reversed(list(GREEK.items()))}


@dataclass(frozen=True)
class Edition:
    edition: str
    year: int
    value: float
    uncertainty: float
    source: str


@dataclass(frozen=True)
class Quantity:
    id: str
    name: str
    symbols: tuple[str, ...]
    unit: str
    editions: tuple[Edition, ...]  # sorted by year
    formula: Node | None = None
    formula_text: str = ""
    disputed: str = ""
    unchecked: str = ""  # why no number is compared (a quark mass without its scheme)
    context: tuple[str, ...] = ()  # words that, stated in a hint or a symbol table, select this reading

    def at(self, year: int | None) -> Edition:
        eds = self.editions
        if year is None:
            return eds[-1]
        chosen = eds[0]
        for e in eds:
            if e.year <= year:
                chosen = e
        return chosen


def norm_part(text: str) -> str:
    """Spell a name part one way: Greek letters by name, no braces or backslashes."""
    out = "".join(_GREEK_NAMES.get(ch, ch) + (" " if ch in _GREEK_NAMES else "") for ch in text)
    return " ".join(out.replace("\\", "").replace("{", "").replace("}", "").split())


Key = tuple[str, tuple[str, ...], str]


@lru_cache(maxsize=16384)  # one hint asks for its symbols' keys many times (plan, look-ups, judge)
def symbol_key(sym: Sym, with_arg: bool = True) -> Key:
    """The lookup key of a symbol: base (case kept), labels (case folded, unordered), argument."""
    base = " ".join(norm_part(p) for p in sym.base.split(" "))
    if base.startswith("δ "):
        base = "Δ " + base[2:]
    base = base.replace("Delta ", "Δ ").replace("delta ", "Δ ")
    labels = tuple(sorted(norm_part(lab).casefold() for lab in sym.labels))
    return base, labels, norm_part(sym.arg) if with_arg else ""


@dataclass(frozen=True)
class Ambiguity:
    """A spelling with several readings: quantities with data, and other meanings without."""

    symbols: tuple[str, ...]
    readings: tuple[str, ...]  # quantity ids
    others: str = ""  # other meanings, in words ("the Einstein tensor")


def parse_unit(text: str) -> tuple[float, float]:
    """``m^3 kg^-1 s^-2`` -> (scale, dim) in natural units. Raises KeyError/ValueError."""
    scale, dim = 1.0, 0.0
    for part in text.split():
        name, _, power = part.partition("^")
        p = float(power) if power else 1.0
        s, d = UNITS[name]
        scale *= s ** p
        dim += d * p
    return scale, dim


def _parse_symbol(text: str) -> Node:
    return parse(tokenize(text))


Choice = Mapping[Key, str]  # an ambiguous spelling's key -> the quantity id a hint is read with


class ReferenceData:
    """An index from symbol keys to quantities; build with :func:`load_reference`."""

    def __init__(self, quantities: Iterable[Quantity], problems: Sequence[str] = (),
                 ambiguities: Iterable[Ambiguity] = ()) -> None:
        self.quantities: dict[str, Quantity] = {}
        self.index: dict[Key, str] = {}
        self.ambiguous: dict[Key, Ambiguity] = {}
        self.problems: list[str] = list(problems)
        for q in quantities:
            self.add(q)
        for a in ambiguities:
            self.add_ambiguity(a)

    def _key(self, owner: str, spelling: str) -> Key | None:
        try:
            node = _parse_symbol(spelling)
        except (ParseError, TokenizeError) as exc:
            self.problems.append(f"{owner}: the spelling {spelling!r} cannot be parsed ({exc})")
            return None
        if not isinstance(node, Sym):
            self.problems.append(f"{owner}: the spelling {spelling!r} is not a single symbol")
            return None
        return symbol_key(node)

    def add(self, q: Quantity) -> None:
        old = self.quantities.get(q.id)
        if old is not None:  # an extension file adds editions and spellings
            eds = {e.edition: e for e in old.editions}
            eds.update({e.edition: e for e in q.editions})
            q = Quantity(q.id, q.name or old.name, tuple(dict.fromkeys(old.symbols + q.symbols)), q.unit or old.unit,
                         tuple(sorted(eds.values(), key=lambda e: e.year)), q.formula or old.formula,
                         q.formula_text or old.formula_text, q.disputed or old.disputed, q.unchecked or old.unchecked,
                         tuple(dict.fromkeys(old.context + q.context)))
        self.quantities[q.id] = q
        for spelling in q.symbols:
            key = self._key(q.id, spelling)
            if key is not None:
                self.index[key] = q.id

    def add_ambiguity(self, a: Ambiguity) -> None:
        """Spellings with several readings; an extension may add readings to a known spelling."""
        readings = tuple(r for r in a.readings if r in self.quantities)
        for r in a.readings:
            if r not in self.quantities:
                self.problems.append(f"ambiguous {', '.join(a.symbols)}: no quantity {r!r}")
        for spelling in a.symbols:
            key = self._key("ambiguous", spelling)
            if key is None:
                continue
            if key in self.index:
                self.problems.append(f"ambiguous {spelling!r} is also a symbol of {self.index.pop(key)}; it is read as ambiguous")
            old = self.ambiguous.get(key)
            merged = Ambiguity(tuple(dict.fromkeys((old.symbols if old else ()) + a.symbols)),
                               tuple(dict.fromkeys((old.readings if old else ()) + readings)),
                               a.others or (old.others if old else ""))
            self.ambiguous[key] = merged

    def lookup(self, sym: Sym, choice: Choice | None = None) -> Quantity | None:
        """The quantity ``sym`` names; an ambiguous spelling only when ``choice`` says which reading."""
        for key in (symbol_key(sym), symbol_key(sym, with_arg=False)) if sym.year is not None else (symbol_key(sym),):
            if choice is not None and key in choice:  # the hint's context decided ("" = not this data)
                return self.quantities.get(choice[key]) if choice[key] else None
            qid = self.index.get(key)
            if qid:
                return self.quantities.get(qid)
        return None

    def ambiguity(self, sym: Sym) -> tuple[Key, Ambiguity] | None:
        """(key, readings) when ``sym`` is an ambiguous spelling (its edition year aside)."""
        for key in (symbol_key(sym), symbol_key(sym, with_arg=False)) if sym.year is not None else (symbol_key(sym),):
            if key in self.ambiguous and key not in self.index:
                return key, self.ambiguous[key]
        return None

    def years(self) -> list[int]:
        return sorted({e.year for q in self.quantities.values() for e in q.editions if e.year})

    def resolver(self, year: int | None, choice: Choice | None = None):
        """A resolve function for :class:`Context`: symbol -> value at ``year``'s editions (or the year it names)."""

        def resolve(sym: Sym, ctx: Context) -> Val | None:
            q = self.lookup(sym, choice)
            if q is None:
                return None
            pinned = sym.year
            if pinned is not None and pinned != year:
                return self.value(q, pinned, replace(ctx, resolve=self.resolver(pinned, choice)), sym.text)
            return self.value(q, year, ctx, sym.text)

        return resolve

    def value(self, q: Quantity, year: int | None, ctx: Context, written: str = "") -> Val:
        """``q`` at ``year`` as an input of ``ctx``: the same edition is the same input everywhere in a hint."""
        if q.disputed:
            written = q.symbols[0] if q.symbols else q.id
            raise Undecidable(f"the reference value of {written} ({q.name}) is disputed: {q.disputed}")
        if q.unchecked:
            raise Undecidable(f"{written or q.id} ({q.name}): {q.unchecked}")
        slot = f"{q.id}@{year}" if q.formula is not None else f"{q.id}|{q.at(year).edition}"
        cached = ctx.cache.get(slot)
        if cached is None:
            scale, dim = parse_unit(q.unit)
            if q.formula is not None:
                cached = evaluate(q.formula, replace(ctx, claim_side=False, rounded=frozenset()))
            else:
                e = q.at(year)
                grad, shift = (
                    ctx.draw("sigma", f"{q.id} {e.edition}", e.uncertainty * scale) if e.uncertainty else ({}, 0.0)
                )
                cached = Val(e.value * scale + shift, grad, dim)
                ctx.used[q.id] = (e.edition, e.year)
            ctx.cache[slot] = cached
        return Val(cached.v, dict(cached.grad), cached.dim, cached.mag)


def _quantity(raw: Mapping[str, Any], origin: str) -> Quantity:
    eds = []
    for e in raw.get("editions") or []:
        eds.append(
            Edition(
                str(e["edition"]),
                int(e.get("year") or 0),
                float(e["value"]),
                float(e.get("uncertainty") or 0),
                str(e.get("source") or origin),
            )
        )
        if not math.isfinite(eds[-1].value):
            raise ValueError(f"{raw.get('id')}: value is not a finite number")
    formula_text = str(raw.get("formula") or "")
    formula = _parse_symbol(formula_text) if formula_text else None
    unchecked = str(raw.get("unchecked") or "")
    if not eds and formula is None and not unchecked:
        raise ValueError(f"{raw.get('id')}: needs editions, a formula, or the reason it is `unchecked`")
    parse_unit(str(raw.get("unit") or ""))
    return Quantity(
        str(raw["id"]),
        str(raw.get("name") or raw["id"]),
        tuple(str(s) for s in raw.get("symbols") or ()),
        str(raw.get("unit") or ""),
        tuple(sorted(eds, key=lambda e: e.year)),
        formula,
        formula_text,
        str(raw.get("disputed") or ""),
        unchecked,
        tuple(str(c) for c in raw.get("context") or ()),
    )


def _ambiguity(raw: Mapping[str, Any]) -> Ambiguity:
    symbols, readings = raw.get("symbols"), raw.get("readings")
    if not isinstance(symbols, list) or not isinstance(readings, list) or not symbols:
        raise ValueError("an `ambiguous` entry needs a list `symbols` and a list `readings`")
    return Ambiguity(tuple(str(s) for s in symbols), tuple(str(r) for r in readings), str(raw.get("others") or ""))


def _read(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    import yaml

    return yaml.safe_load(text)


def load_reference(extra_dirs: Sequence[Path] = ()) -> ReferenceData:
    """The shipped data plus every ``*.json``/``*.yaml``/``*.yml`` in ``extra_dirs``.

    A broken extension file is reported in ``problems`` and skipped; the shipped file
    must load (a test guards it).
    """
    problems: list[str] = []
    files = [DATA_FILE]
    for d in extra_dirs:
        if Path(d).is_dir():
            files += sorted(p for p in Path(d).iterdir() if p.suffix in (".json", ".yaml", ".yml") and p.is_file())
        else:
            problems.append(f"{d}: reference folder not found")
    quantities: list[Quantity] = []
    ambiguities: list[Ambiguity] = []
    for path in files:
        try:
            raw = _read(path)
            items = raw.get("quantities") if isinstance(raw, dict) else None
            if not isinstance(items, list):
                raise ValueError("expected a mapping with a list `quantities`")
        except (OSError, ValueError, UnicodeDecodeError, Exception) as exc:  # yaml errors too
            if path == DATA_FILE:
                raise
            problems.append(f"{path}: {exc}")
            continue
        extra = raw.get("ambiguous") or []
        tagged = [(True, r) for r in items] + [(False, r) for r in (extra if isinstance(extra, list) else [extra])]
        for is_quantity, raw_entry in tagged:
            try:
                if is_quantity:
                    quantities.append(_quantity(raw_entry, str(path)))
                else:
                    ambiguities.append(_ambiguity(raw_entry))
            except (KeyError, ValueError, TypeError, AttributeError, ParseError, TokenizeError, EvalError) as exc:
                if path == DATA_FILE:
                    raise
                problems.append(f"{path}: {exc}")
    return ReferenceData(quantities, problems, ambiguities)
