"""Markdown and math: safe HTML, MathML at build time, code when a formula does not convert."""
from __future__ import annotations

import re

import pytest

from compiler.render.markdown import formula_html, render_block, render_field, render_inline, safe_link
from compiler.render.mathml import latex_to_mathml, looks_like_latex, math_html

DROPPED_LINKS = [
    "javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:alert(1)", " javascript:alert(1)",
    "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>", "data:image/png;base64,AAAA",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", DROPPED_LINKS)
def test_dangerous_links_are_dropped(url: str) -> None:
    assert not safe_link(url)
    html = render_block(f"[click]({url}) and ![img]({url})")
    assert "<a " not in html and "<img" not in html
    assert "click" in html


@pytest.mark.parametrize("url", ["https://example.org/x", "other.html#a", "#top", "mailto:a@b.c"])
def test_ordinary_links_stay(url: str) -> None:
    assert safe_link(url)
    assert "<a href=" in render_block(f"[x]({url})")


RAW_HTML = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<iframe src=//evil></iframe>",
    "<div onclick=alert(1)>x</div>", "<svg onload=alert(1)>", "<a href=javascript:alert(1)>x</a>",
]


@pytest.mark.parametrize("payload", RAW_HTML)
def test_raw_html_is_shown_as_text(payload: str) -> None:
    for html in (render_block(payload), render_block(f"para\n\n{payload}\n"), render_inline(payload), render_field(payload)):
        assert re.search(r"<(script|img|iframe|div|svg|a)\b", html) is None, html
        assert "&lt;" in html


MATH = [
    ("$x^2$", "<msup>"),
    ("\\(\\frac{a}{b}\\)", "<mfrac>"),
    ("$$\\sum_i x_i$$", 'display="block"'),
    ("\\[\\sqrt{2}\\]", "<msqrt>"),
]


@pytest.mark.parametrize("source,marker", MATH)
def test_latex_becomes_mathml(source: str, marker: str) -> None:
    html = render_block(f"Text {source} more.")
    assert "<math" in html and marker in html


@pytest.mark.parametrize("text", ["It costs $5 and $6.", "$ 5 $", "price $3", "a $x $"])
def test_dollar_amounts_are_not_math(text: str) -> None:
    assert "<math" not in render_block(text)


def test_math_keeps_underscores_and_fields_keep_literal_underscores() -> None:
    html = render_field("mass (m_\\ell^2) and `a_b` and $x_i$ and **bold**")
    assert "m_\\ell^2" in html and "<em>" not in html
    assert "<code>a_b</code>" in html and "<msub>" in html and "<strong>bold</strong>" in html


def test_body_headings_are_shifted_below_the_page_title() -> None:
    html = render_block("# Title\n\n## Sub")
    assert "<h2>Title</h2>" in html and "<h3>Sub</h3>" in html and "<h1>" not in html


HOSTILE_MATH = [
    "\\text{<script>alert(1)</script>}",
    "\\href{javascript:alert(1)}{x}",
    "x" + "^{x" * 300 + "}" * 300,  # power tower
    "{" * 5000 + "}" * 5000,  # deep brackets
    "9" * 100000,  # huge number
    "\\frac" * 3000,
    "\\frac{a}{b",  # unbalanced
    "\\unknowncommand{x}",
    "a" * (1 << 20),  # 1 MB
]


@pytest.mark.parametrize("latex", HOSTILE_MATH, ids=range(len(HOSTILE_MATH)))
def test_hostile_formulas_never_break_the_page(latex: str) -> None:
    html = str(math_html(latex))
    markup = re.sub(r'alttext="[^"]*"', "", html)  # the escaped source, kept for screen readers
    assert "<script" not in markup and "javascript:" not in markup and "href" not in markup
    assert html.startswith("<math") or html.startswith('<code class="math-fallback')
    if html.startswith("<code"):
        assert "&lt;" in html or "<" not in latex


def test_mathml_output_is_allow_listed() -> None:
    html = latex_to_mathml("\\color{red}{x} \\mathbf{A} \\begin{matrix}1&2\\end{matrix}")
    assert html is not None and "style=" not in html


def test_formula_leaves_unicode_math_as_text() -> None:
    assert str(formula_html("x₀ ∝ √t ≈ 10⁻¹¹")) == "x₀ ∝ √t ≈ 10⁻¹¹"
    assert "<math" in formula_html("(g-2)_\\ell")
    assert not looks_like_latex("x₀ ∝ √t") and looks_like_latex("\\Delta a_\\mu")


def test_formula_with_delimiters_keeps_its_prose() -> None:
    html = str(formula_html("where $E = mc^2$ holds <b>"))
    assert html.startswith("where ") and "<math" in html and "&lt;b&gt;" in html
