"""The client-side search index, written at build time.

Why both a JSON file and a JS file: ``search-index.json`` is for tools and
servers; ``search-index.js`` assigns the same data to ``window.GLOSSARY_SEARCH`` so
the search box works from ``file://``, where ``fetch()`` is refused.
Entries are small (definitions cut to 240 characters) and sorted, so the index is
byte-stable.
"""
from __future__ import annotations

import json
from typing import Any, Iterable

from compiler.render.plan import Page

SNIPPET = 240


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _definition(data: Any) -> str:
    for key in ("pirouette_definition", "definition", "summary"):
        text = _text(data.get(key)) if hasattr(data, "get") else ""
        if text:
            return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"
    return ""


def build_index(pages: Iterable[Page]) -> list[dict[str, Any]]:
    """One entry per term and module page: id, label, aliases, definition, kind, status, url."""
    entries = []
    for page in pages:
        if page.kind == "missing":
            continue
        data = page.term.data if page.term is not None else (getattr(page.module, "data", None) or {})
        aliases = list(page.term.aliases) if page.term is not None else []
        entries.append({
            "id": page.ident,
            "label": page.label,
            "aliases": aliases,
            "definition": _definition(data),
            "kind": page.kind,
            "status": data.get("status") if isinstance(data.get("status"), str) else "",
            "url": page.url,
        })
    entries.sort(key=lambda e: (e["label"].casefold(), e["id"], e["url"]))
    return entries


def index_json(entries: list[dict[str, Any]]) -> str:
    return json.dumps(entries, ensure_ascii=False, sort_keys=True, indent=None, separators=(",", ":")) + "\n"
