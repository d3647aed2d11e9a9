"""The client-side search index, written at build time.

Why both a JSON file and a JS file: ``search-index.json`` is for tools and
servers; ``search-index.js`` assigns the same data to ``window.GLOSSARY_SEARCH`` so
the search box works from ``file://``, where ``fetch()`` is refused.
Entries are small (definitions cut to 240 characters) and sorted, so the index is
byte-stable.
"""
from __future__ import annotations

import html as html_module
import json
import re
from collections.abc import Iterable
from typing import Any

from markupsafe import escape

from compiler.render.markdown import formula_html, label_html
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


_TAG = re.compile(r"<[^>]*>")


def _plain(text: str) -> str:
    """``text`` as it reads once its markup is rendered (``**A**`` -> ``A``): what the search box matches."""
    if not text or not any(c in text for c in "*_`$<\\"):
        return text
    return html_module.unescape(_TAG.sub("", str(label_html(text))))


def build_index(pages: Iterable[Page]) -> list[dict[str, Any]]:
    """One entry per term and module page: id, label, aliases, definition, kind, status, url; and the
    label, definition and symbol as markup (``label_html``, ``definition_html``, ``symbol_html``) where
    they have some, so that results show them rendered."""
    entries = []
    for page in pages:
        if page.kind == "missing":
            continue
        data = page.term.data if page.term is not None else (getattr(page.module, "data", None) or {})
        aliases = list(page.term.aliases) if page.term is not None else []
        definition = _definition(data)
        entry: dict[str, Any] = {
            "id": page.ident,
            "label": _plain(page.label),
            "aliases": aliases,
            "definition": _plain(definition),
            "kind": page.kind,
            "status": data.get("status") if isinstance(data.get("status"), str) else "",
            "url": page.url,
        }
        # Shown as markup only where the text has some: a label's Markdown, sub/superscripts and math.
        for key, text in (("label_html", page.label), ("definition_html", definition)):
            html = str(label_html(text))
            if html != str(escape(text)):
                entry[key] = html
        symbol = data.get("symbol")
        if isinstance(symbol, str) and symbol.strip():
            entry["symbol_html"] = str(formula_html(symbol))
        entries.append(entry)
    entries.sort(key=lambda e: (e["label"].casefold(), e["id"], e["url"]))
    return entries


def index_json(entries: list[dict[str, Any]]) -> str:
    return json.dumps(entries, ensure_ascii=False, sort_keys=True, indent=None, separators=(",", ":")) + "\n"
