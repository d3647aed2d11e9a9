"""The build cache's records as plain data: what marshal writes, and nothing that can run code.

Why not pickle: reading a pickle runs whatever code it names, so a cache file a stranger
put in the cache folder could run code even when nobody signed it. The cache holds
only tuples, lists, dicts, strings, numbers and bytes (marshal's own types); the
records a build uses (terms, findings, check results, module documents, reference
rows) are turned into such rows here and back. Every ``*_row`` has its ``*_of``, and
``tests/test_codec.py`` checks each round trip.

A term's locations (~60 per term) are packed as one string of pointers and one bytes
object of int32 positions, and unpacked only when looked up (:class:`PackedLocations`):
a location is read only when a finding is made.
"""
from __future__ import annotations

import dataclasses
import marshal
from array import array
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from compiler.diagnostics import ROW, Diagnostic, from_row
from compiler.link.references import _UNSET, Row
from compiler.model import Location, Module, Term

_NONE = -1  # an unknown end in the packed integers (positions are 1-based, so never -1)
_SEP = "\0"  # between packed pointers: a JSON pointer of a YAML header cannot hold a NUL


class PackedLocations(Mapping[str, Location]):
    """A term's locations as read back from the cache: two objects, a Location made on access."""

    __slots__ = ("_keys", "_ints", "_table")

    def __init__(self, keys: str, ints: bytes):
        self._keys, self._ints = keys, ints
        self._table: dict[str, int] | None = None

    @classmethod
    def pack(cls, locations: Mapping[str, Location]) -> tuple[str, bytes] | dict[str, tuple[Any, ...]]:
        """(pointers, positions), or plain tuples when a pointer or a position does not fit the packed form."""
        if isinstance(locations, PackedLocations):
            return locations._keys, locations._ints
        keys = list(locations)
        values = array("i")
        try:
            if any(_SEP in k for k in keys):
                raise ValueError("a pointer holds the separator")
            for loc in locations.values():
                line, column, end_line, end_column = loc
                if min(line, column, _NONE + 1 if end_line is None else end_line,
                       _NONE + 1 if end_column is None else end_column) <= _NONE:
                    raise ValueError("a negative position")
                values.extend((line, column, _NONE if end_line is None else end_line,
                               _NONE if end_column is None else end_column))
        except (OverflowError, TypeError, ValueError):
            return {k: tuple(v) for k, v in locations.items()}
        return _SEP.join(keys), values.tobytes()

    def _index(self) -> dict[str, int]:
        table = self._table
        if table is None:
            keys = self._keys.split(_SEP) if self._ints else []
            table = self._table = {k: i for i, k in enumerate(keys)}
        return table

    def __getitem__(self, pointer: str) -> Location:
        i = self._index()[pointer] * 4
        ints = memoryview(self._ints).cast("i")
        end_line, end_column = ints[i + 2], ints[i + 3]
        return Location(ints[i], ints[i + 1], None if end_line == _NONE else end_line,
                        None if end_column == _NONE else end_column)

    def __iter__(self) -> Iterator[str]:
        return iter(self._index())

    def __len__(self) -> int:
        return len(self._index())


def _locations_of(value: Any) -> Mapping[str, Location]:
    if isinstance(value, tuple):
        return PackedLocations(*value)
    return {k: Location(*v) for k, v in value.items()}


def term_row(term: Term) -> tuple[Any, ...]:
    return (term.id, term.file, str(term.path), term.data, term.body, term.body_line,
            PackedLocations.pack(term.locations), tuple(term.former_ids), term.has_errors,
            tuple(term.header_lines), dict(term.raw))


def term_of(row: Sequence[Any]) -> Term:
    ident, file, path, data, body, body_line, locations, former, errors, headers, raw = row
    return Term(ident, file, Path(path), data, body, body_line, _locations_of(locations), tuple(former), errors,
                tuple(headers), raw)


def diagnostic_rows(diagnostics: Sequence[Diagnostic]) -> list[tuple[Any, ...]]:
    """Each finding as a row of plain values in field order, the severity as its text."""
    return list(map(ROW, diagnostics))


def diagnostics_of(rows: Sequence[Sequence[Any]]) -> tuple[Diagnostic, ...]:
    return tuple(map(from_row, rows))


def module_row(module: Module) -> tuple[Any, ...]:
    return (module.id, module.title, module.file, str(module.path), module.line, module.status, dict(module.data),
            module.body)


def module_of(row: Sequence[Any]) -> Module:
    ident, title, file, path, line, status, data, body = row
    return Module(ident, title, file, Path(path), line, status, data, body)


def references_blob(rows: Sequence[Row]) -> bytes:
    """A term's reference rows (compiler.link.references.term_references) as bytes; "no weight
    written" (``_UNSET``, which is not plain data) as a flag beside the weight."""
    return marshal.dumps([(r[0], r[1], r[2] is _UNSET, None if r[2] is _UNSET else r[2], *r[3:]) for r in rows], 4)


def references_of(blob: bytes) -> list[Row]:
    return [(relation, name, _UNSET if unset else weight, line, column, pointer)
            for relation, name, unset, weight, line, column, pointer in marshal.loads(blob)]


def check_rows(results: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Check results (compiler.checks.result.CheckResult) as rows: every field in order, nested
    records (the deviation) as their own field rows, mappings as dicts."""
    return [tuple(_plain(getattr(result, f.name)) for f in dataclasses.fields(result)) for result in results]


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return ("\0record", type(value).__name__, tuple(_plain(getattr(value, f.name)) for f in dataclasses.fields(value)))
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


def checks_of(rows: Sequence[Sequence[Any]]) -> tuple[Any, ...]:
    from compiler.checks import result as records

    return tuple(records.CheckResult(*(_record(v, records) for v in row)) for row in rows)


def _record(value: Any, records: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 3 and value[0] == "\0record":
        return getattr(records, value[1])(*(_record(v, records) for v in value[2]))
    if isinstance(value, dict):
        return {k: _record(v, records) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_record(v, records) for v in value)
    return value


__all__ = ["PackedLocations", "term_row", "term_of", "diagnostic_rows", "diagnostics_of", "module_row", "module_of",
           "check_rows", "checks_of", "references_blob", "references_of"]
