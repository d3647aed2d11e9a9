"""The glossary's list of symbols: every symbol-table entry of every term, with its meaning and dimension.

Terms describe their symbols in ``operational_definition.symbol_table`` (``name``,
``meaning``, ``dimensions``). Read together they make a textbook's list of symbols;
read apart they disagree: one Γ is a rate in one term and dimensionless in another.
This module turns the tables into

* :func:`symbol_list`: one row per symbol (meanings, dimensions with the terms that
  give each, the dimensions that could not be read), plus the diagnostics
  ``symbol-conflict`` (different terms give one symbol incompatible dimensions) and
  ``dimensions-unparsed`` (free text where a dimension was expected);
* :func:`check_table`: what one term's checks read from its own table (a symbol's
  meaning picks its reading in the reference data; its dimension feeds the dimension
  check of the term's hints).

Symbols are grouped by their written name normalised (``Γ_0``, ``Γ₀`` and ``\\Gamma_0``
are one symbol). Only dimensions made of SI base dimensions are compared: ``[Γ]/T``
(per time, relative to another symbol) or a dimension of the glossary's own
(``[Coherence]``) is listed, never called a conflict.
"""
from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from compiler.codes import make
from compiler.diagnostics import Diagnostic

from .dimensions import Parsed, parse_dimension
from .inputs import symbol_table
from .parser import ParseError, parse
from .readings import Table, TableEntry
from .reference import Key, symbol_key
from .result import SymbolRow
from .tokenizer import GREEK, TokenizeError, tokenize
from .tree import Sym
from .units import Dimension

MAX_NAME_CHARS = 80  # a longer "name" is a sentence, not a symbol


@dataclass(frozen=True)
class Entry:
    """One line of one term's symbol table."""

    term: str
    file: str
    pointer: str
    name: str  # one symbol's name as written (a line `Ki_1, Ki_2` gives two entries)
    meaning: str
    dimensions: Parsed

    @property
    def group(self) -> str:
        return normalise(self.name)


_GREEK_TEXT = sorted(((f"\\{name}", ch) for name, ch in GREEK.items()), key=lambda kv: -len(kv[0]))


@lru_cache(maxsize=16384)  # names repeat across a glossary's tables
def normalise(name: str) -> str:
    """``\\Gamma_0``, ``Γ₀``, ``Γ_{0}`` -> ``Γ0``: one spelling of a written symbol name."""
    text = name.replace("\\(", "").replace("\\)", "")  # math delimiters are not part of the name
    if "\\" in text:
        for command, letter in _GREEK_TEXT:  # longest first: \varepsilon before \epsilon
            text = text.replace(command, letter)
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and ch not in "{}\\_$`")


def entries(term_id: str, file: str, data: Mapping[str, Any]) -> list[Entry]:
    """The symbol-table entries of one term (a name listing several symbols gives one entry each)."""
    out: list[Entry] = []
    for pointer, raw in symbol_table(data):
        names = str(raw.get("name") or "").strip()
        if not names or len(names) > MAX_NAME_CHARS:
            continue
        meaning = str(raw.get("meaning") or "").strip()
        parsed = parse_dimension(raw.get("dimensions"))
        for name in _names(names):
            out.append(Entry(term_id, file, pointer, name, meaning, parsed))
    return out


def _names(text: str) -> list[str]:
    """``Ki_1, Ki_2`` names two symbols; ``#(M, E)`` and ``V(A, B)`` one (commas inside brackets stay)."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += (ch in "([{") - (ch in ")]}")
        if ch == "," and depth <= 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [p.strip() for p in [*parts, cur] if p.strip()]


def _resolved(entry: Entry, own: Mapping[str, Entry]) -> Dimension | None:
    """The entry's dimension with ``[X]`` replaced by the dimension the same table gives X."""
    dim = entry.dimensions.dimension
    if dim is None or dim.concrete:
        return dim
    out = Dimension()
    for name, power in dim.powers:
        ref = own.get(normalise(name[1:-1])) if name.startswith("[") else None
        target = ref.dimensions.dimension if ref is not None and ref is not entry else None
        out = out * (target ** power if target is not None and target.concrete else Dimension.of({name: power}))
    return out


@lru_cache(maxsize=8192)  # symbol names repeat across a glossary's tables (Γ, K_τ)
def _key(name: str) -> Key | None:
    try:
        node = parse(tokenize(name))
    except (ParseError, TokenizeError, RecursionError):
        return None
    return symbol_key(node) if isinstance(node, Sym) else None


def check_table(data: Mapping[str, Any]) -> Table:
    """What the term's own symbol table tells its checks: each symbol's meaning and dimension."""
    found = entries("", "", data)
    own = {e.group: e for e in found}
    table: dict[Key, TableEntry] = {}
    for e in found:
        key = _key(e.name)
        if key is not None and key not in table:
            table[key] = TableEntry(e.meaning, _resolved(e, own))
    return table


def symbol_list(terms: Sequence[Any]) -> tuple[list[SymbolRow], list[Diagnostic]]:
    """Every symbol of the glossary, in name order, with ``symbol-conflict`` and ``dimensions-unparsed`` diagnostics."""
    rows: dict[str, SymbolRow] = {}
    first: dict[str, tuple[Any, Entry]] = {}
    diagnostics: list[Diagnostic] = []
    for term in terms:
        data = term.data if isinstance(term.data, Mapping) else {}
        found = entries(term.id, term.file, data)
        own = {e.group: e for e in found}
        for e in found:
            row = rows.setdefault(e.group, SymbolRow(e.name))
            first.setdefault(e.group, (term, e))
            row.terms[term.id] = None
            if e.meaning:
                row.meanings.setdefault(e.meaning, {})[term.id] = None
            dim = _resolved(e, own)
            if dim is not None:
                row.dimensions.setdefault(str(dim), {})[term.id] = None
                if not dim.concrete:
                    row.relative.add(str(dim))
            elif e.dimensions.text:
                row.unparsed.setdefault(e.dimensions.text, {})[term.id] = None
                diagnostics.append(_unparsed(term, e))
    for group, row in rows.items():
        if row.conflicting:
            diagnostics.append(_conflict(*first[group], row))
    return sorted(rows.values(), key=lambda r: (normalise(r.symbol).casefold(), r.symbol)), diagnostics


def _unparsed(term: Any, e: Entry) -> Diagnostic:
    loc = term.location(e.pointer + "/dimensions")
    return make("dimensions-unparsed", term.file, loc.line, loc.column,
                f"the dimensions of {e.name!r} are free text ({e.dimensions.text!r}: {e.dimensions.why}); "
                "they are listed but not compared", term=term.id, pointer=e.pointer + "/dimensions",
                hint="Write base dimensions (M L² T⁻¹), SI units (J s) or `dimensionless`; put a remark in parentheses.")


def _conflict(term: Any, e: Entry, row: SymbolRow) -> Diagnostic:
    groups = "; ".join(f"{dim}: {', '.join(ids)}" for dim, ids in sorted(row.conflicting.items(), key=lambda kv: -len(kv[1])))
    loc = term.location(e.pointer + "/dimensions")
    return make("symbol-conflict", term.file, loc.line, loc.column,
                f"the symbol {row.symbol} has {len(row.conflicting)} incompatible dimensions across the glossary: {groups}",
                term=term.id, pointer=e.pointer + "/dimensions",
                hint="Give one symbol one dimension, or name the different quantities differently (Γ_A, Γ_B).")


def to_json(rows: Iterable[SymbolRow]) -> dict[str, Any]:
    """The JSON export of the list of symbols."""
    listed = [r.to_json() for r in rows]
    return {"version": 1, "symbols": listed, "count": len(listed)}


def json_text(rows: Iterable[SymbolRow]) -> str:
    """``symbols.json`` beside the site's list of symbols."""
    return json.dumps(to_json(rows), ensure_ascii=False) + "\n"


__all__ = ["Entry", "SymbolRow", "check_table", "entries", "json_text", "normalise", "symbol_list", "to_json"]
