"""References: the names a term's header gives in its link fields, and what each resolves to.

Resolution: exact id (terms before modules), then exact alias (a term's aliases and
former ids, a module's file name), then loose (case-insensitive id, alias or label, or
a module id followed by ``_slug``), which the integrity checks report as info. A name
that resolves to nothing becomes a ``missing`` node of the graph.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Protocol, Sequence

from compiler.link.relations import REFERENCE_FIELDS, SOFT, is_link
from compiler.model import Module, Term, pointer_join


class _Unset:
    """No weight was written (unlike a written ``null``). One instance, compared with ``is``."""

    __slots__ = ()

    def __reduce__(self) -> str:
        return "_UNSET"  # pickled by name, so that a copy read back is this module's one instance

    def __repr__(self) -> str:
        return "_UNSET"


_UNSET = _Unset()


@dataclass(frozen=True, slots=True)
class Reference:
    """One name written in a term's header, and what it resolved to."""

    source: str  # id of the declaring term
    file: str
    relation: str
    name: str  # as written (stripped)
    target: str  # node id: a term, a module, or the name itself for a missing node
    match: str  # exact | alias | loose | prefix | missing
    pointer: str
    line: int
    column: int
    weight: Any = None  # the raw association weight, when the relation is `associated`


def walk(data: Any, parts: Sequence[str], pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Values at a ``/``-separated pattern, with their JSON pointers."""
    if not parts:
        yield pointer, data
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        if isinstance(data, list):
            for index, item in enumerate(data):
                yield from walk(item, rest, f"{pointer}/{index}")
        elif isinstance(data, str) and not rest:
            yield pointer, data
    elif isinstance(data, dict) and head in data:
        yield from walk(data[head], rest, pointer_join(pointer, head))


def _association(value: Any, pointer: str) -> tuple[Any, str, Any]:
    """(name, name pointer, weight) of an association-matrix row: ``[NAME, w]`` or ``{term: NAME, weight: w}``."""
    if isinstance(value, list) and value:
        return value[0], f"{pointer}/0", value[1] if len(value) > 1 else _UNSET
    if isinstance(value, dict):
        for key in ("term", "id", "target", "name"):
            if key in value:
                return value[key], f"{pointer}/{key}", value.get("weight", _UNSET)
    if isinstance(value, str):
        return value, pointer, _UNSET
    return None, pointer, _UNSET


_PATTERNS = tuple((tuple(pattern.split("/")), relation) for pattern, relation in REFERENCE_FIELDS)


def raw_references(term: Term) -> Iterator[tuple[str, str, str, Any]]:
    """(relation, name, pointer, weight) for every reference in the term's header."""
    data = term.data
    for parts, relation in _PATTERNS:
        if parts[0] not in data:
            continue
        for pointer, value in walk(data, parts):
            weight: Any = None
            if relation == "associated":
                value, pointer, weight = _association(value, pointer)
            if isinstance(value, str) and value.strip():
                yield relation, value.strip(), pointer, weight


# --- resolving names ----------------------------------------------------------------------


class Labelled(Protocol):
    """What resolving reads of a term: its label and aliases (a Term, or the idea map's few fields)."""

    @property
    def label(self) -> str: ...

    @property
    def aliases(self) -> tuple[str, ...]: ...


class Titled(Protocol):
    """What resolving reads of a module document: its title and aliases."""

    @property
    def title(self) -> str: ...

    @property
    def aliases(self) -> tuple[str, ...]: ...


class Resolver:
    """Maps a written name to a node id: exact id, exact alias, then loose matches."""

    def __init__(self, terms: Mapping[str, Labelled], modules: Mapping[str, Titled]) -> None:
        self.exact: dict[str, str] = {}
        self.alias: dict[str, str] = {}
        self.loose: dict[str, str] = {}
        self.known: dict[str, tuple[str, str]] = {}
        self.modules = modules
        for ident in (*terms, *modules):
            self.exact.setdefault(ident, ident)
        for ident, term in terms.items():
            for alias in term.aliases:
                self.alias.setdefault(alias.strip(), ident)
        for ident, module in modules.items():
            for alias in module.aliases:
                self.alias.setdefault(alias, ident)
        # loose tier: ids first, then aliases, then labels, so an id always beats a label
        for ident in (*terms, *modules):
            self.loose.setdefault(ident.casefold(), ident)
        for alias, ident in self.alias.items():
            self.loose.setdefault(alias.casefold(), ident)
        for ident, term in terms.items():
            self.loose.setdefault(term.label.strip().casefold(), ident)
        for ident, module in modules.items():
            self.loose.setdefault(module.title.casefold(), ident)

    def resolve(self, name: str) -> tuple[str, str]:
        """(node id, how) where how is exact | alias | loose | prefix | missing.

        Answers are kept per name: a glossary names the same few ids again and again
        (references outnumber the distinct names they use several times over)."""
        known = self.known.get(name)
        if known is None:
            known = self.known[name] = self._resolve(name)
        return known

    def _resolve(self, name: str) -> tuple[str, str]:
        hit = self.exact.get(name)
        if hit is not None:
            return hit, "exact"
        hit = self.alias.get(name)
        if hit is not None:
            return hit, "alias"
        hit = self.loose.get(name.casefold())
        if hit is not None:
            return hit, "loose"
        # `DYNA-Γ-001_the_pressurons_identity`: a module id followed by its file-name slug
        cut = name.rfind("_")
        while cut > 0:
            if name[:cut] in self.modules:
                return name[:cut], "prefix"
            cut = name.rfind("_", 0, cut)
        return name, "missing"


Row = tuple[str, str, Any, int, int, str]  # (relation, name, raw weight or _UNSET, line, column, pointer)


def term_references(term: Term) -> list[Row]:
    """(relation, name, raw weight or ``_UNSET``, line, column, pointer) of every reference in ``term``.

    What linking needs from a term besides its id, label and aliases: the streaming idea
    map (compiler.analyze.ideamap) keeps these few values per term and drops the term itself.
    """
    out = []
    for relation, name, pointer, weight in raw_references(term):
        loc = term.location(pointer)
        out.append((relation, name, weight, loc.line, loc.column, pointer))
    return out


def collect_references(terms: Sequence[Term], resolver: Resolver,
                       rows: Sequence[Sequence[Row] | None] | None = None) -> list[Reference]:
    """The resolved links of ``terms``, from ``rows`` (each term's :func:`term_references`, or None) when given."""
    refs: list[Reference] = []
    add, resolve = refs.append, resolver.resolve
    for i, term in enumerate(terms):
        term_rows = rows[i] if rows is not None else None
        if term_rows is None:
            term_rows = term_references(term)
        ident, file = term.id, term.file
        for relation, name, weight, line, column, pointer in term_rows:
            target, how = resolve(name)
            if relation not in SOFT or is_link(relation, how, target, ident):
                add(Reference(ident, file, relation, name, target, how, pointer,
                              line, column, None if weight is _UNSET else weight))
    return refs


def node_owners(terms: Sequence[Term], modules: Sequence[Module]
                ) -> tuple[list[Term], dict[str, Term], dict[str, Module]]:
    """(terms in file order, id -> the term that owns its node, id -> the module that owns its node).

    The first term in file order with a given id owns the node, and the first module
    with a given id; a module whose id is also a term's is kept here (the checks report
    the clash) but linked to nothing."""
    ordered = sorted(terms, key=lambda t: t.file)
    owners: dict[str, Term] = {}
    for term in ordered:
        owners.setdefault(term.id, term)
    module_map: dict[str, Module] = {}
    for module in modules:
        module_map.setdefault(module.id, module)
    return ordered, owners, module_map


def resolved_references(owners: Mapping[str, Term], module_map: Mapping[str, Module],
                        rows: Sequence[Sequence[Row] | None] | None = None) -> list[Reference]:
    """The references of the node owners (see :func:`node_owners`), resolved as linking resolves them.

    ``rows`` are each owner's :func:`term_references` when the caller has them already."""
    resolver = Resolver(owners, {k: m for k, m in module_map.items() if k not in owners})
    return collect_references(list(owners.values()), resolver, rows)
