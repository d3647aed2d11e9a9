"""Where every page goes: one URL per node (term, module, missing) and per alias.

Why a plan before any page is written: every page links to many others, so all
URLs must be known first, and the slug rules (``slugs.py``) must see every id of
a folder at once to resolve collisions deterministically. Term pages and alias
redirects share ``terms/``; modules live in ``modules/``, missing terms in
``missing/``. A file whose id repeats another file's id still gets its own page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from compiler.codes import make
from compiler.diagnostics import Diagnostic
from compiler.model import Term
from compiler.render.slugs import assign_slugs, href

FOLDERS = {"term": "terms", "module": "modules", "missing": "missing"}
# Redirect pages per term: the schema's ``maxItems`` of ``aliases``. A term past it already
# fails the schema; its further aliases make no pages (a file of hostile aliases made hundreds of MB of them).
ALIAS_PAGES = 1000


@dataclass(frozen=True)
class Page:
    """One node page: its id, kind, label, path relative to OUT, and the term when it has one."""

    key: str  # unique key: the id, or "id (file)" for a repeated id
    ident: str
    kind: str
    label: str
    path: str  # e.g. "terms/DYNA-Γ-001.html" (not percent-encoded: a file name)
    url: str  # the same, percent-encoded for href
    term: Term | None = None
    module: Any = None


@dataclass(frozen=True)
class Redirect:
    alias: str
    path: str
    target: Page


@dataclass(frozen=True)
class SitePlan:
    pages: tuple[Page, ...]
    by_id: Mapping[str, Page]  # the page an id links to (first file wins for a repeated id)
    redirects: tuple[Redirect, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    names: Mapping[str, Page] = field(default_factory=dict)  # loose name -> page, see ``find``
    files: Mapping[str, Page] = field(default_factory=dict)  # term file (relative, POSIX) -> page
    key: bytes = b""  # a digest of everything the plan was made from (compiler.incremental.plan); empty: unknown

    def url(self, ident: str) -> str | None:
        page = self.by_id.get(ident)
        return page.url if page else None

    def find(self, name: str) -> Page | None:
        """The page a written name means: exact id, else the loose key of an id, alias or label."""
        return self.by_id.get(name) or self.names.get(loose_key(name))


def loose_key(name: str) -> str:
    """Case, spaces, ``-`` and ``_`` do not matter: ``temporal pressure`` finds ``TEMPORAL_PRESSURE``."""
    return re.sub(r"[\s_\-]+", "_", name.strip()).casefold()


def _names(pages: Iterable[Page]) -> dict[str, Page]:
    """Loose keys of ids first, then aliases, then labels: an id always beats a label."""
    out: dict[str, Page] = {}
    pages = [p for p in pages if p.key == p.ident]
    for p in pages:
        out.setdefault(loose_key(p.ident), p)
    for p in pages:
        for alias in p.term.aliases[:ALIAS_PAGES] if p.term is not None else ():  # the rest make no pages either
            out.setdefault(loose_key(alias), p)
    for p in pages:
        out.setdefault(loose_key(p.label), p)
    return out


def plan_site(terms: Iterable[Term], modules: Iterable[Any], graph: Any) -> SitePlan:
    """Assign every page its path; collisions and reserved names become diagnostics."""
    return _plan(list(terms), list(modules), graph)


def _owners(terms: Sequence[Term], modules: Sequence[Any]) -> tuple[dict[str, Term], dict[str, Any]]:
    """The page key of each term ("id", or "id (file)" for a repeated id) and each module's first file."""
    term_keys: dict[str, Term] = {}
    for t in sorted(terms, key=lambda t: (t.id, t.file)):
        key = t.id if t.id not in term_keys else f"{t.id} ({t.file})"
        term_keys[key] = t
    module_keys: dict[str, Any] = {}
    for m in sorted(modules, key=lambda m: (str(getattr(m, "id", "")), str(getattr(m, "file", "")))):
        mid = str(getattr(m, "id", ""))
        if mid in term_keys or mid in module_keys:
            continue
        module_keys[mid] = m
    return term_keys, module_keys


def _plan(terms: Sequence[Term], modules: Sequence[Any], graph: Any) -> SitePlan:
    diags: list[Diagnostic] = []
    term_keys, module_keys = _owners(terms, modules)
    missing: set[str] = set()
    if graph is not None:
        for node, attrs in graph.nodes.items():
            kind = attrs.get("kind")
            if node in term_keys or node in module_keys:
                continue
            if kind == "module":
                module_keys[node] = None
            elif kind != "term":
                missing.add(node)
    pages: list[Page] = []
    by_id: dict[str, Page] = {}

    def add(kind: str, keys: Mapping[str, Any], label_of: Any) -> dict[str, str]:
        slugs, clashes = assign_slugs(keys)
        # Missing nodes were named loosely by links ("Entropy", "ENTROPY"): they get
        # distinct pages, but there is no file to blame, so no diagnostic.
        for clash in clashes if kind != "missing" else ():
            obj = keys.get(clash.ident)
            file = getattr(obj, "file", "") if obj is not None else ""
            code = "slug-reserved" if clash.reason == "reserved" else "slug-collision"
            why = (f"'{clash.natural}' is a reserved name" if clash.reason == "reserved"
                   else f"it would share the page '{clash.natural}' with '{clash.other or clash.natural}'")
            diags.append(make(code, str(file), 0, 0, f"the page of '{clash.ident}' is '{clash.slug}.html': {why}",
                              term=clash.ident))
        for key in sorted(keys):
            obj = keys[key]
            ident = obj.id if isinstance(obj, Term) else key
            path = f"{FOLDERS[kind]}/{slugs[key]}.html"
            page = Page(key, ident, kind, label_of(key, obj), path, f"{FOLDERS[kind]}/{href(slugs[key])}.html",
                        term=obj if isinstance(obj, Term) else None, module=obj if kind == "module" else None)
            pages.append(page)
            by_id.setdefault(ident, page)
        return slugs

    term_slugs = add("term", term_keys, lambda k, t: t.label)
    add("module", module_keys, lambda k, m: str(getattr(m, "title", "") or k) if m is not None else
        str((graph.nodes[k].get("label") if graph is not None and k in graph else None) or k))
    add("missing", {k: None for k in missing}, lambda k, _: k)

    redirects = _plan_redirects(term_keys, term_slugs, by_id, diags)
    files = {p.term.file: p for p in pages if p.term is not None}
    return SitePlan(tuple(pages), by_id, tuple(redirects), tuple(diags), _names(pages), files)


def _plan_redirects(term_keys: Mapping[str, Term], term_slugs: Mapping[str, str],
                    by_id: Mapping[str, Page], diags: list[Diagnostic]) -> list[Redirect]:
    """Alias pages in ``terms/``; an alias never takes the slug of a term or another alias,
    and a term's aliases past ``ALIAS_PAGES`` make none (a located ``page-budget`` error)."""
    wanted: dict[str, Page] = {}
    for key in sorted(term_keys):
        term = term_keys[key]
        page = by_id.get(term.id)
        if page is None or page.key != key:
            continue
        aliases = term.aliases
        if len(aliases) > ALIAS_PAGES:
            loc = term.location("/aliases")
            diags.append(make("page-budget", term.file, loc.line, loc.column,
                              f"`{term.id}` has {len(aliases):,} aliases; only the first {ALIAS_PAGES:,} get a "
                              f"redirect page (the budget of pages per term)", term=term.id, pointer="/aliases",
                              hint="Keep the names people really use; the schema allows 1,000 aliases."))
            aliases = aliases[:ALIAS_PAGES]
        for alias in aliases:
            if alias not in by_id and alias not in wanted:
                wanted[alias] = page
    alias_slugs, clashes = assign_slugs(wanted, taken=term_slugs.values())
    shadowed = {c.ident for c in clashes}
    out = []
    for alias in sorted(wanted):
        if alias in shadowed:
            continue  # its natural slug is a term's page or another alias': no redirect
        out.append(Redirect(alias, f"terms/{alias_slugs[alias]}.html", wanted[alias]))
    return out
