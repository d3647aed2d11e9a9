"""Markdown to safe HTML, with LaTeX math turned into MathML at build time.

One ``MarkdownIt`` instance is built per renderer (``make_markdown``) and reused
for every page. Raw HTML is off (it shows as text), links are checked by
``safe_link`` (``javascript:``, ``vbscript:``, ``file:`` and every ``data:`` URL are
dropped, leaving the link text), headings are shifted one level down so that the
page keeps a single ``<h1>``, and ``$...$``, ``\\(...\\)``, ``$$...$$``, ``\\[...\\]``
become MathML (or code when the formula does not convert). ``formula_html`` shows a
header's symbol or equation hint: Markdown math when it has delimiters, else MathML
when it looks like LaTeX, else text (it lives here, above ``mathml``, so that the
math module never imports the Markdown one).

The render rules below build their tags as markdown-it's own renderer does, with its
``escapeHtml`` on every value: the bytes of a link are then those of every other link
in the same text.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from markupsafe import Markup, escape

from compiler.render.mathml import looks_like_latex, math_html

_BAD_SCHEME = re.compile(r"^(javascript|vbscript|file|data):", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def safe_link(url: str) -> bool:
    """False for any URL whose scheme could run code or embed content.

    Browsers ignore control characters and white space inside a scheme
    (``java\\tscript:``), so they are stripped before the check.
    """
    cleaned = _CONTROL.sub("", url)
    return not _BAD_SCHEME.match(cleaned)


_DELIMS = (("$$", "$$", True), ("\\[", "\\]", True), ("\\(", "\\)", False), ("$", "$", False))


def _math_rule(state: StateInline, silent: bool) -> bool:
    """Inline rule for the four math delimiters; runs before the escape rule."""
    src, pos = state.src, state.pos
    for opener, closer, display in _DELIMS:
        if not src.startswith(opener, pos):
            continue
        start = pos + len(opener)
        if opener == "$":
            # Pandoc's rule: "$5 and $6" is not math.
            if start >= len(src) or src[start].isspace():
                return False
            end = start
            while True:
                end = src.find("$", end)
                if end < 0:
                    return False
                if src[end - 1] != "\\":
                    break
                end += 1
            if src[end - 1].isspace() or src[end + 1 : end + 2].isdigit() or src[end + 1 : end + 2] == "$":
                return False
        else:
            end = src.find(closer, start)
            if end < 0 or end == start:
                return False
        if not silent:
            token = state.push("math_block_inline" if display else "math_inline", "math", 0)
            token.content = src[start:end]
            token.markup = opener
        state.pos = end + len(closer)
        return True
    return False


def _render_math(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    return str(math_html(token.content, display=token.type == "math_block_inline"))


def _shift_heading(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    level = min(int(token.tag[1]) + 1, 6)
    token.tag = f"h{level}"
    return self.renderToken(tokens, idx, options, env)


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    """``[[Name]]`` (or ``[[Name|text]]``): a link to the term named Name."""
    src, pos = state.src, state.pos
    if not src.startswith("[[", pos):
        return False
    end = src.find("]]", pos + 2)
    inner = src[pos + 2:end] if end > 0 else ""
    if not inner.strip() or "\n" in inner or "[" in inner:
        return False
    if not silent:
        target, _, text = inner.partition("|")
        token = state.push("wikilink", "a", 0)
        token.content = (text or target).strip()
        token.meta = {"target": target.strip()}
    state.pos = end + 2
    return True


def _resolver(env: Any) -> Any:
    return env.get("resolve") if isinstance(env, dict) else None


def _render_wikilink(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    resolve = _resolver(env)
    href = resolve(token.meta["target"], wiki=True) if resolve else None
    text = escapeHtml(token.content)
    if href is None:
        return f'<span class="unresolved" title="no page for this name">{text}</span>'
    return f'<a href="{escapeHtml(href)}">{text}</a>'


def _render_link_open(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
    """Relative links are resolved to pages by ``env["resolve"]``; unresolved ones become text."""
    token = tokens[idx]
    resolve = _resolver(env)
    stack = env.setdefault("_links", []) if isinstance(env, dict) else []
    href = token.attrGet("href") or ""
    if resolve is not None:
        new = resolve(href)
        if new is None:
            stack.append(False)
            return '<span class="unresolved" title="link target not in the glossary">'
        token.attrSet("href", new)
    stack.append(True)
    return self.renderToken(tokens, idx, options, env)


def _render_link_close(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
    stack = env.get("_links", []) if isinstance(env, dict) else []
    if stack and not stack.pop():
        return "</span>"
    return self.renderToken(tokens, idx, options, env)


def _render_image(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
    """No ``<img>``: a page must make no network request, so an image becomes a link to it."""
    token = tokens[idx]
    alt = escapeHtml(self.renderInlineAsText(token.children or [], options, env) or "image")
    src = token.attrGet("src") or ""
    resolve = _resolver(env)
    href = resolve(src) if resolve is not None else src
    if not href:
        return f'<span class="unresolved">[{alt}]</span>'
    return f'<a class="image-link" href="{escapeHtml(href)}">[{alt}]</a>'


def make_markdown() -> MarkdownIt:
    """The one configured parser: CommonMark + tables + strikethrough, no raw HTML."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = safe_link  # type: ignore[method-assign]  # markdown-it's documented hook for link filtering
    md.inline.ruler.before("escape", "math", _math_rule)
    md.add_render_rule("math_inline", _render_math)
    md.add_render_rule("math_block_inline", _render_math)
    md.add_render_rule("heading_open", _shift_heading)
    md.add_render_rule("heading_close", _shift_heading)
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.add_render_rule("wikilink", _render_wikilink)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("link_close", _render_link_close)
    md.add_render_rule("image", _render_image)
    return md


@lru_cache(maxsize=1)
def _shared() -> MarkdownIt:
    return make_markdown()


# Code spans and math keep their underscores.
_CODE_SPAN = re.compile(r"(`+).*?\1|\$\$.*?\$\$|\$[^$\n]+\$|\\\(.*?\\\)|\\\[.*?\\\]", re.S)


def escape_underscores(text: str) -> str:
    """``_`` outside code spans and math made literal: header values write ``m_\\ell``, not emphasis."""
    if "_" not in text:
        return text
    out, pos = [], 0
    for m in _CODE_SPAN.finditer(text):
        out.append(text[pos:m.start()].replace("_", "\\_"))
        out.append(m.group(0))
        pos = m.end()
    out.append(text[pos:].replace("_", "\\_"))
    return "".join(out)


def render_field(text: str, md: MarkdownIt | None = None, env: dict | None = None) -> Markup:
    """A header value: Markdown (``*`` emphasis, code, links, math) but ``_`` stays an underscore.

    One line renders inline; several lines render as blocks.
    """
    if not isinstance(text, str) or not text.strip():
        return Markup("")
    escaped = escape_underscores(text)
    if "\n" in text.strip():
        return render_block(escaped, md, env)
    return render_inline(escaped.strip(), md, env)


def render_block(text: str, md: MarkdownIt | None = None, env: dict | None = None) -> Markup:
    """Block Markdown (paragraphs, lists, tables) to safe HTML.

    ``env["resolve"]``, when given, maps a link target to a page URL (or None: the
    link is shown as text); see ``site.Linker.resolve``.
    """
    if not isinstance(text, str) or not text.strip():
        return Markup("")
    return Markup((md or _shared()).render(text, dict(env or {})))


# No character that an inline rule of the parser could use (``:`` and ``/`` have none: linkify
# is off), no line break, and no ``\r`` or NUL, which its normalizing step changes; ``\_`` is the only escape
# allowed, so header values with underscores (``m\_e``, ``model:epochal\_manifold``) qualify.
_PLAIN_CHARS = re.compile(r"[^\\`*_\[\]<>&!$~|#\r\n\x00]*\Z")


def _plain(text: str) -> bool:
    """True when ``text`` is plain in the sense above.

    One character class after dropping the ``\\_`` pairs: a regular expression with the
    alternation ``(?:[^...]|\\\\_)*`` took several times as long, a visible share of a term page."""
    return _PLAIN_CHARS.match(text.replace("\\_", "") if "\\" in text else text) is not None


def render_inline(text: str, md: MarkdownIt | None = None, env: dict | None = None) -> Markup:
    """One line of Markdown (emphasis, code, links, math) without a ``<p>`` around it.

    Most header values are plain prose: those skip the parser, with the same bytes
    markdown-it would give (it escapes only ``&``, ``<``, ``>`` and ``"``, and ``\\_`` is ``_``)."""
    if not isinstance(text, str) or not text:
        return Markup("")
    if _plain(text):
        return Markup(text.replace("\\_", "_").replace('"', "&quot;"))
    return Markup((md or _shared()).renderInline(text, dict(env or {})))


def formula_html(text: str) -> Markup:
    """A symbol or an equation hint: MathML when it is LaTeX, plain text otherwise.

    Unicode math (``x₀ ∝ √t``) stays text; a hint with ``$...$`` delimiters goes
    through the Markdown math renderer so that its prose stays prose.
    """
    if not isinstance(text, str):
        return Markup(escape(str(text)))
    if "$" in text or "\\(" in text or "\\[" in text:
        return render_inline(text)
    if looks_like_latex(text):
        return math_html(text)
    return Markup(escape(text))


# An author's subscript or superscript in a label (``S<sub>p</sub>``): kept as a tag when it opens and
# closes around plain text; any other raw HTML stays text, as everywhere else.
_SUB_SUP = re.compile(r"&lt;(sub|sup)&gt;([^&<>]*?)&lt;/\1&gt;")


@lru_cache(maxsize=8192)
def label_html(text: str) -> Markup:
    """A label or a short line as readers should see it: inline Markdown (emphasis, code, ``$…$`` math),
    ``_`` literal as in header values, and the author's ``<sub>``/``<sup>`` kept.

    For the index, the search results, page titles and links: a label written ``S<sub>p</sub>``
    or ``**A**`` shows as Sₚ or **A**, not as its source."""
    html = str(render_field(text)) if isinstance(text, str) and "\n" not in text else str(escape(text))
    return Markup(_SUB_SUP.sub(r"<\1>\2</\1>", html))
