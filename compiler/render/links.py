"""Links between pages: a node's URL, label and kind from the site plan, and the links a term file writes.

A Linker answers for pages of one folder depth (the ``root`` back to OUT). While a node
page renders, it records the ids it looked up and the links it resolved: the page
reuse of an incremental build (compiler.incremental.pages) reads them back through
``SiteRenderer.deps_of``.
"""
from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import unquote, urlsplit

from markupsafe import Markup, escape

from compiler.render import pages as P
from compiler.render.markdown import label_html
from compiler.render.plan import Page, SitePlan


class Linker:
    """Links from the pages of one folder depth: relative to that folder, with labels and kinds from the plan.

    One Linker serves every page with the same ``root`` (``SiteRenderer.linker``), so
    the ``<a>`` of a node, made once, is reused on every page that links to it: each
    term page links to dozens of neighbours, and making each ``<a>`` again was a visible share
    of rendering.
    """

    def __init__(self, plan: SitePlan, graph: Any, root: str):
        self.plan, self.graph, self.root = plan, graph, root
        self._anchors: dict[tuple[str, str | None], Markup] = {}
        self.svg_facts: dict[str, tuple[str, str, str, str | None]] = {}  # see graphview.local_svg
        # While a node page renders: the ids it looked up and the links it resolved (see reuse.changes).
        self.ids: set[str] | None = None
        self.resolved: set[tuple[str, str, str, bool]] | None = None

    def url(self, ident: Any) -> str | None:
        if self.ids is not None and type(ident) is str:
            self.ids.add(ident)
        page = self.plan.by_id.get(ident) if isinstance(ident, str) else None
        return self.root + page.url if page else None

    def page_url(self, page: Page) -> str:
        return self.root + page.url

    def resolve(self, href: str, base_file: str = "", wiki: bool = False) -> str | None:
        """Where a link written in a term file should point on the site, or None (shown as text).

        External http(s)/mailto links stay; ``term:ID``, ``ID``, ``./other.md`` (a file
        of the terms folder, or a name), ``#ID`` and ``[[Name]]`` become the page of that
        term; placeholders (``#``, ``link``, ``...``) and unknown targets become text.
        """
        if self.resolved is not None:
            self.resolved.add((self.root, href, base_file, wiki))
        href = href.strip()
        if wiki:
            page = self.plan.find(href)
            return self.page_url(page) if page else None
        parts = urlsplit(href)
        if parts.scheme in ("http", "https", "mailto"):
            return href
        if parts.scheme == "term":
            page = self.plan.find(unquote(parts.path))
            return self.page_url(page) if page else None
        if parts.scheme or parts.netloc:
            return None
        path = unquote(parts.path)
        if not path:
            page = self.plan.by_id.get(unquote(parts.fragment))
            return self.page_url(page) if page else None
        if path.endswith(".md"):
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(base_file), path))
            page = self.plan.files.get(joined)
            if page:
                return self.page_url(page)
        stem = posixpath.basename(path.rstrip("/"))
        stem = stem[:-3] if stem.endswith(".md") else stem[:-5] if stem.endswith(".html") else stem
        page = self.plan.find(stem) if stem else None
        return self.page_url(page) if page else None

    def label(self, ident: str) -> str:
        if self.ids is not None and type(ident) is str:
            self.ids.add(ident)
        page = self.plan.by_id.get(ident)
        return page.label if page else ident

    def kind(self, ident: str) -> str:
        if self.ids is not None and type(ident) is str:
            self.ids.add(ident)
        page = self.plan.by_id.get(ident)
        return page.kind if page else "missing"

    def a(self, ident: Any, text: Any = None) -> Markup:
        """An ``<a>`` to the page of ``ident`` or plain escaped text when it has none."""
        key = (ident, text) if type(ident) is str and (text is None or type(text) is str) else None
        if self.ids is not None and type(ident) is str:
            self.ids.add(ident)
        if key is not None:
            made = self._anchors.get(key)
            if made is None:
                made = self._anchors[key] = self._a(ident, text)
            return made
        return self._a(ident, text)

    def named(self, ident: Any) -> Markup:
        """The ``<a>`` of ``ident`` showing its page's label."""
        return self.a(ident, self.label(ident))

    def _a(self, ident: Any, text: Any) -> Markup:
        """A label shows its inline Markdown and sub/superscripts (``label_html``); the id is its title on hover."""
        shown = P.show(ident if text is None else text)
        html = label_html(shown) if text is not None else escape(shown)
        url = self.url(ident)
        # f-strings with markupsafe's escape on every value: ``Markup.format`` costs many times as much,
        # and a build makes one anchor per node and folder depth.
        if url is None:
            return Markup(f'<span class="nolink">{html}</span>')
        kind = self.kind(ident)
        title = f"{P.show(ident)}: not in the glossary yet" if kind == "missing" else P.show(ident)
        hover = "" if title == shown else f' title="{escape(title)}"'
        return Markup(f'<a class="kind-{escape(kind)}" href="{escape(url)}"{hover}>{html}</a>')

__all__ = ["Linker"]
