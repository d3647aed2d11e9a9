"""Dated reference data: which number a symbol names, in which edition.

The package ships ``reference_data.json``; a glossary may add files in the same
format (JSON or YAML) in configured folders, which add quantities, add editions to
known ones, or add spellings. Every spelling is parsed with the hint parser itself,
so ``a_\\mu^{\\text{exp}}``, ``a_μ^exp`` and ``a_mu_exp`` land on one key by
construction rather than by a hand-kept alias table.

Editions: a quantity's value at year Y is its latest edition dated Y or earlier
(the earliest one when Y predates them all); no year means the latest edition.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .evaluator import UNITS, Context, EvalError, Undecidable, Val, evaluate
from .parser import Node, ParseError, Sym, parse
from .tokenizer import GREEK, TokenizeError, tokenize

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


def symbol_key(sym: Sym) -> tuple[str, tuple[str, ...]]:
    """The lookup key of a symbol: base (case kept) and its labels (case folded, unordered)."""
    base = " ".join(norm_part(p) for p in sym.base.split(" "))
    if base.startswith("δ "):
        base = "Δ " + base[2:]
    base = base.replace("Delta ", "Δ ").replace("delta ", "Δ ")
    labels = tuple(sorted(norm_part(lab).casefold() for lab in sym.labels))
    return base, labels


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


class ReferenceData:
    """An index from symbol keys to quantities; build with :func:`load_reference`."""

    def __init__(self, quantities: Iterable[Quantity], problems: Sequence[str] = ()) -> None:
        self.quantities: dict[str, Quantity] = {}
        self.index: dict[tuple[str, tuple[str, ...]], str] = {}
        self.problems: list[str] = list(problems)
        for q in quantities:
            self.add(q)

    def add(self, q: Quantity) -> None:
        old = self.quantities.get(q.id)
        if old is not None:  # an extension file adds editions and spellings
            eds = {e.edition: e for e in old.editions}
            eds.update({e.edition: e for e in q.editions})
            q = Quantity(q.id, q.name or old.name, tuple(dict.fromkeys(old.symbols + q.symbols)), q.unit or old.unit,
                         tuple(sorted(eds.values(), key=lambda e: e.year)), q.formula or old.formula,
                         q.formula_text or old.formula_text, q.disputed or old.disputed)
        self.quantities[q.id] = q
        for spelling in q.symbols:
            try:
                node = _parse_symbol(spelling)
            except (ParseError, TokenizeError) as exc:
                self.problems.append(f"{q.id}: the spelling {spelling!r} cannot be parsed ({exc})")
                continue
            if not isinstance(node, Sym):
                self.problems.append(f"{q.id}: the spelling {spelling!r} is not a single symbol")
                continue
            self.index[symbol_key(node)] = q.id

    def lookup(self, sym: Sym) -> Quantity | None:
        qid = self.index.get(symbol_key(sym))
        return self.quantities.get(qid) if qid else None

    def years(self) -> list[int]:
        return sorted({e.year for q in self.quantities.values() for e in q.editions if e.year})

    def resolver(self, year: int | None):
        """A resolve function for :class:`Context`: symbol -> value at ``year``'s editions."""

        def resolve(sym: Sym, ctx: Context) -> Val | None:
            q = self.lookup(sym)
            if q is None:
                return None
            return self.value(q, year, ctx)

        return resolve

    def value(self, q: Quantity, year: int | None, ctx: Context) -> Val:
        cached = ctx.cache.get(q.id)
        if cached is None:
            if q.disputed:
                raise Undecidable(f"the reference value of {q.symbols[0] if q.symbols else q.id} ({q.name}) is disputed: {q.disputed}")
            scale, dim = parse_unit(q.unit)
            if q.formula is not None:
                cached = evaluate(q.formula, replace(ctx, claim_side=False, rounded=frozenset()))
            else:
                e = q.at(year)
                grad, shift = ctx.draw("sigma", f"{q.id} {e.edition}", e.uncertainty * scale) if e.uncertainty else ({}, 0.0)
                cached = Val(e.value * scale + shift, grad, dim)
                ctx.used[q.id] = (e.edition, e.year)
            ctx.cache[q.id] = cached
        return Val(cached.v, dict(cached.grad), cached.dim)


def _quantity(raw: Mapping[str, Any], origin: str) -> Quantity:
    eds = []
    for e in raw.get("editions") or []:
        eds.append(Edition(str(e["edition"]), int(e.get("year") or 0), float(e["value"]),
                           float(e.get("uncertainty") or 0), str(e.get("source") or origin)))
        if not math.isfinite(eds[-1].value):
            raise ValueError(f"{raw.get('id')}: value is not a finite number")
    formula_text = str(raw.get("formula") or "")
    formula = _parse_symbol(formula_text) if formula_text else None
    if not eds and formula is None:
        raise ValueError(f"{raw.get('id')}: needs editions or a formula")
    parse_unit(str(raw.get("unit") or ""))
    return Quantity(str(raw["id"]), str(raw.get("name") or raw["id"]), tuple(str(s) for s in raw.get("symbols") or ()),
                    str(raw.get("unit") or ""), tuple(sorted(eds, key=lambda e: e.year)), formula, formula_text,
                    str(raw.get("disputed") or ""))


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
        for raw_q in items:
            try:
                quantities.append(_quantity(raw_q, str(path)))
            except (KeyError, ValueError, TypeError, ParseError, TokenizeError, EvalError) as exc:
                if path == DATA_FILE:
                    raise
                problems.append(f"{path}: {exc}")
    return ReferenceData(quantities, problems)
