"""LaTeX to MathML at build time, with a sanitiser on the output.

Why a sanitiser: latex2mathml copies ``\\text{...}`` verbatim (``<script>`` survives)
and turns ``\\href{javascript:...}`` into an attribute. So its output is parsed and
re-serialised from an allow-list of MathML elements and attributes (names from
the allow-list, every text and attribute value through ``markupsafe.escape``); anything
else, and any input that is too long, too deep or fails to convert, is shown as
code instead. Never raises.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:  # parsed only when some page has math (a rebuild of one prose page skips it)
    import xml.etree.ElementTree as ET

MAX_LATEX = 2000
MAX_DEPTH = 40
_NS = "{http://www.w3.org/1998/Math/MathML}"

ELEMENTS = frozenset(
    "math mi mn mo ms mspace mtext mrow mfrac msqrt mroot mstyle merror mpadded mphantom mfenced "
    "menclose msub msup msubsup munder mover munderover mmultiscripts mprescripts none mtable mtr "
    "mtd mlabeledtr semantics annotation".split()
)
ATTRIBUTES = frozenset(
    "display displaystyle scriptlevel mathvariant mathsize stretchy fence separator lspace rspace "
    "accent accentunder movablelimits largeop symmetric minsize maxsize linethickness notation "
    "columnalign rowalign columnspacing rowspacing columnlines rowlines frame width height depth "
    "open close separators form encoding align".split()
)
_LATEX_HINT = re.compile(r"\\[A-Za-z]+|[_^]\{|\\[,;!{}]")


def looks_like_latex(text: str) -> bool:
    """A LaTeX command (``\\frac``), a braced sub/superscript, or an escaped brace."""
    return bool(_LATEX_HINT.search(text))


def _depth_ok(latex: str) -> bool:
    depth = 0
    for ch in latex:
        if ch == "{":
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif ch == "}":
            depth -= 1
    return True


def _serialise(node: ET.Element, out: list[str]) -> bool:
    tag = node.tag[len(_NS):] if node.tag.startswith(_NS) else node.tag
    if tag not in ELEMENTS:
        return False
    attrs = "".join(
        f' {k}="{escape(v)}"' for k, v in sorted(node.attrib.items()) if k in ATTRIBUTES
    )
    if tag == "math":
        attrs = ' xmlns="http://www.w3.org/1998/Math/MathML"' + attrs
    out.append(f"<{tag}{attrs}>")
    if node.text:
        out.append(str(escape(node.text)))
    for child in node:
        if not _serialise(child, out):
            return False
        if child.tail:
            out.append(str(escape(child.tail)))
    out.append(f"</{tag}>")
    return True


@lru_cache(maxsize=4096)
def latex_to_mathml(latex: str, display: bool = False) -> str | None:
    """Sanitised MathML for ``latex``, or None when it cannot be shown safely."""
    latex = latex.strip()
    if not latex or len(latex) > MAX_LATEX or not _depth_ok(latex):
        return None
    try:
        from latex2mathml.converter import convert

        raw = convert(latex, display="block" if display else "inline")
        import xml.etree.ElementTree as ET

        root = ET.fromstring(raw)
    except Exception:  # noqa: BLE001 - any failure of a third-party converter means "show as code"
        return None
    out: list[str] = []
    if not _serialise(root, out):
        return None
    label = str(escape(latex))
    html = "".join(out)
    # alttext lets screen readers and copy-paste see the source.
    return html.replace("<math ", f'<math alttext="{label}" ', 1)


def math_html(latex: str, display: bool = False) -> Markup:
    """MathML, or the source as ``<code>`` when it does not convert."""
    converted = latex_to_mathml(latex, display)
    if converted is None:
        cls = "math-fallback display" if display else "math-fallback"
        return Markup('<code class="{}">{}</code>').format(cls, latex)
    return Markup(converted)
