"""Plain data passed between stages: frozen dataclasses, no behaviour, no hidden state.

The pipeline is load -> validate -> link -> check -> render; each stage takes these
records and returns new ones plus diagnostics (see :mod:`compiler.build`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, NamedTuple

from compiler.diagnostics import Diagnostic


def pointer_join(base: str, key: str | int) -> str:
    """JSON pointer of ``key`` under ``base`` (RFC 6901 escapes ``~`` and ``/``): the one helper for pointers."""
    key = str(key)
    if "~" in key or "/" in key:
        key = key.replace("~", "~0").replace("/", "~1")
    return f"{base}/{key}"


class Location(NamedTuple):
    """1-based position of a value in a file; end is exclusive, where known.

    A NamedTuple rather than a dataclass: the loader makes one per YAML node, and
    tuples are several times cheaper to create and to pickle into the cache."""

    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None


@dataclass(frozen=True, eq=False)
class Term:
    """One term file, merged from its front-matter blocks.

    ``data`` holds the merged header as plain JSON-like values (str, int, float,
    bool, None, list, dict). Scalars the schema wants as text keep the author's
    spelling (``version: 0.10`` stays ``"0.10"``). ``locations`` maps a JSON pointer
    (``/crosslinks/antonyms/0``) to where that value was written, in the block
    whose value won the merge.
    """

    id: str  # canonical_id, or a stand-in derived from the file name when that is missing/invalid
    file: str  # path relative to the terms folder, POSIX separators
    path: Path  # absolute path
    data: Mapping[str, Any]
    body: str
    body_line: int  # 1-based line where the Markdown body starts (0 when there is no body)
    locations: Mapping[str, Location]
    former_ids: tuple[str, ...] = ()  # ids of earlier blocks that were replaced by a later one
    has_errors: bool = False  # some error diagnostic belongs to this file
    header_lines: tuple[int, ...] = ()  # first line of each front-matter block
    raw: Mapping[str, str] = field(default_factory=dict)  # pointer -> written text of plain non-text scalars

    @property
    def label(self) -> str:
        term = self.data.get("term")
        return term if isinstance(term, str) and term.strip() else self.id

    @property
    def aliases(self) -> tuple[str, ...]:
        raw = self.data.get("aliases")
        items = [a for a in raw if isinstance(a, str) and a.strip()] if isinstance(raw, list) else []
        return tuple(items) + tuple(i for i in self.former_ids if i not in items)

    def location(self, pointer: str) -> Location:
        """Where the value at ``pointer`` was written; walks up to the nearest known parent."""
        p = pointer
        while p:
            loc = self.locations.get(p)
            if loc is not None:
                return loc
            p = p.rsplit("/", 1)[0]
        return self.locations.get("", Location(self.header_lines[0] if self.header_lines else 1, 1))


@dataclass(frozen=True)
class LoadResult:
    terms: tuple[Term, ...]
    diagnostics: tuple[Diagnostic, ...]
    files: int  # how many *.md files were found
    root: Path = field(default_factory=Path)


@dataclass(frozen=True, eq=False)
class Glossary:
    """Everything the pipeline knows after load -> validate -> link -> check.

    This is what the renderer and the exporters receive. In a build, ``graph`` is a
    ``compiler.incremental.lightgraph.PartsGraph``: a ``networkx.MultiDiGraph``'s dicts and read API
    without importing networkx (``compiler.link.graph.as_networkx`` turns it into a networkx
    graph over the same dicts); ``load_glossary`` gives the networkx graph. ``checks`` are
    ``compiler.checks.CheckResult`` records; ``modules`` are
    ``compiler.load.modules.Module`` records. Typed loosely here so that importing the
    model costs nothing.
    """

    root: Path  # the terms folder
    config: Any  # compiler.config.Config
    terms: tuple[Term, ...]
    modules: tuple[Any, ...]
    graph: Any
    checks: tuple[Any, ...]
    diagnostics: tuple[Diagnostic, ...]
    files: int
    # 16 bytes standing for ``graph`` exactly (its nodes, attributes and edges) when the link
    # result came through the build cache (compiler.incremental.linkreuse), so that page reuse need not hash
    # the whole graph to see it unchanged; None otherwise, and whenever ``graph`` is replaced.
    graph_digest: bytes | None = None
    # The same for ``graph`` but its term nodes' statuses (compiler.incremental.linkreuse._set_statuses); None with it.
    links_digest: bytes | None = None
    # The list of symbols of the terms' symbol tables (compiler.checks.symbols.SymbolRow), made with the checks.
    symbols: tuple[Any, ...] = ()
