"""Which quantity a symbol means in one hint: the term's symbol table, the hint's words, the claim's unit.

Some spellings have several readings in the reference data (its ``ambiguous`` list):
``e`` is the elementary charge or Euler's number, ``m_d`` the deuteron or the down
quark, ``G`` Newton's constant or something else entirely. The rules, in order
(docs/checks.md):

1. **The term's own symbol table.** An entry for the symbol whose meaning names one
   reading selects it. A meaning that names none makes the symbol uncertain, for every
   symbol with data, not only ambiguous ones: it is then read as in rule 4, so a term
   whose table says ``α: learning rate`` is never failed against the fine-structure
   constant.
2. **The hint's words**: "down quark", "deuteron", "Euler" ...
3. **The claim's unit**: in ``e ≈ 1.6 × 10⁻¹⁹ C`` only a charge fits.
4. Otherwise every reading is tried. The hint passes when one reading makes it hold
   (the message names the reading) and is ``unchecked`` otherwise: a failure under a
   guessed reading is never reported as a failure of the hint.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .classify import Extraction, literal_only
from .dimcheck import DimensionClash, dimension, same
from .reference import Ambiguity, Key, Quantity, ReferenceData, symbol_key
from .tree import Node, Sym, Unit, walk
from .units import Dimension, si_dimension

MAX_ASSIGNMENTS = 16  # readings tried per hint (two ambiguous symbols with four readings each)
GENERIC = {"constant", "mass", "value", "measured", "anomalous", "magnetic", "moment", "standard", "model",
           "prediction", "coefficient", "quark", "boson", "lepton", "reduced", "world", "average", "experimental",
           "the", "of", "and", "for", "at", "in", "an", "its", "with", "scheme", "scale", "number", "ms-bar", "unit",
           "two", "one", "loop", "loops", "today", "lifetime", "density", "parameter", "final", "result", "term"}


@dataclass(frozen=True)
class TableEntry:
    """One line of a term's symbol table, as the checks read it."""

    meaning: str
    dimension: Dimension | None = None


Table = Mapping[Key, TableEntry]


@dataclass
class Plan:
    """How the symbols of one hint are read: fixed by context, or still open."""

    fixed: dict[Key, str] = field(default_factory=dict)  # key -> quantity id ("" = not a quantity of the data here)
    open: dict[Key, tuple[str, Ambiguity]] = field(default_factory=dict)  # key -> (as written, its readings)

    def assignments(self) -> list[dict[Key, str]]:
        """Every combination of readings of the open symbols (capped), each with the fixed ones."""
        keys = list(self.open)
        options = [self.open[k][1].readings for k in keys]
        out = []
        for combo in itertools.islice(itertools.product(*options), MAX_ASSIGNMENTS):
            out.append({**self.fixed, **dict(zip(keys, combo))})
        return out or [dict(self.fixed)]


def mentions(text: str, q: Quantity) -> bool:
    """Does ``text`` name ``q``: one of its context phrases, its name, or a distinctive word of its name?"""
    low = text.casefold()
    words = [w.strip(",.;:()'\"") for w in q.name.casefold().split()]
    phrases = [p.casefold() for p in q.context] + [q.name.casefold()] + [w for w in words if len(w) > 2 and w not in GENERIC]
    return any(re.search(r"(?<![\w-])" + re.escape(p) + r"(?![\w-])", low) for p in phrases if p)


def table_key(sym: Sym) -> Key:
    """The key a symbol is looked up by in choices and tables: its edition year aside."""
    return symbol_key(sym, with_arg=sym.year is None)


def judged_symbols(ex: Extraction, ref: ReferenceData) -> list[Sym]:
    """The symbols of the relations a hint states, except a name being defined (``e = √(4πα) ≈ 0.30``)."""
    out: list[Sym] = []
    for chain in ex.chains:
        for k, node in enumerate(chain.operands):
            defined = k == 0 and len(chain.ops) > 1 and chain.ops[0] in ("=", "≡")
            if defined and isinstance(node, Sym) and ref.lookup(node) is None:
                continue
            out.extend(n for n in walk(node) if isinstance(n, Sym))
    return out


def plan(ex: Extraction, ref: ReferenceData, table: Table | None, text: str) -> Plan:
    """Fix each symbol's reading from context where the context says it; leave the others open."""
    p = Plan()
    for sym in judged_symbols(ex, ref):
        key = table_key(sym)
        if key in p.fixed or key in p.open:
            continue
        amb = ref.ambiguity(sym)
        sole = ref.lookup(sym)
        readings = amb[1].readings if amb else (sole.id,) if sole else ()
        entry = table.get(key) if table else None
        if readings and entry is not None and entry.meaning.strip():
            hits = [r for r in readings if mentions(entry.meaning, ref.quantities[r])]
            if len(hits) == 1:
                p.fixed[key] = hits[0]
                continue
            if not hits:  # the table names none of the readings: it may mean something else here
                others = f"{entry.meaning.strip().rstrip('.')!r} (this term's symbol table)"
                p.open[key] = (sym.text, Ambiguity((sym.text,), readings, others))
                continue
        if amb is None:
            continue
        hits = [r for r in readings if mentions(text, ref.quantities[r])]
        if len(hits) != 1:
            hits = [r for r in readings if _fits_unit(ref.quantities[r], _claim_dimension(ex, key))]
        if len(hits) == 1:
            p.fixed[key] = hits[0]
        else:
            p.open[key] = (sym.text, amb[1])
    return p


def _claim_dimension(ex: Extraction, key: Key) -> Dimension | None:
    """The unit's dimension of a claim made about the symbol alone: ``e ≈ 1.6 × 10⁻¹⁹ C``."""
    for chain in ex.chains:
        for k in range(len(chain.ops)):
            pair = (chain.operands[k], chain.operands[k + 1])
            for this, other in (pair, pair[::-1]):
                if isinstance(this, Sym) and table_key(this) == key and literal_only(other) and _has_units(other):
                    try:
                        return dimension(other, lambda s: None)
                    except DimensionClash:
                        return None
    return None


def _has_units(node: Node) -> bool:
    return any(isinstance(n, Unit) and n.name not in ("%", "‰", "ppm", "ppb") for n in walk(node))


def _fits_unit(q: Quantity, claim: Dimension | None) -> bool:
    if claim is None:
        return False
    try:
        return same(si_dimension(q.unit), claim)
    except KeyError:
        return False


def describe(amb: Ambiguity, ref: ReferenceData) -> str:
    """``the elementary charge or Euler's number``: the readings in words."""
    names = [ref.quantities[r].name for r in amb.readings if r in ref.quantities]
    if amb.others:
        names.append(amb.others)
    return " or ".join(names)


__all__ = ["Plan", "Table", "TableEntry", "describe", "mentions", "plan", "table_key"]
