"""The last build's plan of the site, reused while nothing it was made from changed.

Why: assigning every page its slug, path and names grows with the site, yet a plan
depends only on each term's id, file, label and aliases, each module's id, file and
title, and each graph node's kind and label: never on a term's body or other data. So
an edit of a body keeps the plan. The plan is remembered as plain rows (no terms, no
modules) under a digest of those inputs (``plan_key``), and rebuilt from the rows with
this build's terms and modules (the same plan ``plan_site`` makes: tests/test_reuse_plan.py).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable, Mapping, Sequence

from compiler.diagnostics import ROW, from_row
from compiler.incremental.cache import digest
from compiler.model import Term
from compiler.render.plan import Page, Redirect, SitePlan, _owners, plan_site


def plan_key(terms: Sequence[Term], modules: Sequence[Any], graph: Any) -> bytes:
    """A digest of everything ``plan_site`` reads: each term's id, file, label and aliases; each
    module's id, file and title; each graph node's kind and label."""
    node_rows = [(n, a.get("kind"), a.get("label")) for n, a in graph.nodes.items()] if graph is not None else None
    return digest(([(t.id, t.file, t.label, t.aliases) for t in terms],
                   [(str(getattr(m, "id", "")), str(getattr(m, "file", "")), getattr(m, "title", None)) for m in modules],
                   node_rows))


def remembered_plan(terms: Iterable[Term], modules: Iterable[Any], graph: Any, memo: dict) -> SitePlan:
    """``plan_site``, from ``memo``'s rows when they were made from the same inputs; ``memo`` then holds this plan."""
    terms, modules = list(terms), list(modules)
    key = plan_key(terms, modules, graph)
    if memo.get("key") == key:
        try:
            return _replay(memo, terms, modules, key)
        except (KeyError, IndexError, TypeError, ValueError):
            pass  # a memo of another shape: plan afresh
    plan = replace(plan_site(terms, modules, graph), key=key)
    memo.clear()
    memo.update(record(plan))
    memo["key"] = key
    return plan


def record(plan: SitePlan) -> dict[str, Any]:
    """The plan as plain rows (no terms, no modules): what ``_replay`` needs."""
    at = {id(p): i for i, p in enumerate(plan.pages)}
    # None where a field repeats the key (or the url its path): most rows repeat it, so the cache keeps less.
    return {"pages": [(p.key, None if p.ident == p.key else p.ident, p.kind, None if p.label == p.key else p.label,
                       p.path, None if p.url == p.path else p.url) for p in plan.pages],
            "redirects": [(r.alias, r.path, at[id(r.target)]) for r in plan.redirects],
            "names": [(name, at[id(p)]) for name, p in plan.names.items()],
            "diagnostics": [ROW(d) for d in plan.diagnostics]}


def _replay(memo: Mapping[str, Any], terms: Sequence[Term], modules: Sequence[Any], key: bytes) -> SitePlan:
    """The plan of ``memo``'s rows with these terms and modules (the same plan ``_plan`` would make)."""
    term_keys, module_keys = _owners(terms, modules)
    pages: list[Page] = []
    by_id: dict[str, Page] = {}
    for pkey, ident, kind, label, path, url in memo["pages"]:
        ident = pkey if ident is None else ident
        page = Page(pkey, ident, kind, pkey if label is None else label, path, path if url is None else url,
                    term=term_keys[pkey] if kind == "term" else None,
                    module=module_keys.get(pkey) if kind == "module" else None)
        pages.append(page)
        by_id.setdefault(ident, page)
    redirects = [Redirect(alias, path, pages[i]) for alias, path, i in memo["redirects"]]
    names = {name: pages[i] for name, i in memo["names"]}
    files = {p.term.file: p for p in pages if p.term is not None}
    return SitePlan(tuple(pages), by_id, tuple(redirects), tuple(map(from_row, memo["diagnostics"])), names, files, key)


__all__ = ["plan_key", "remembered_plan", "record"]
