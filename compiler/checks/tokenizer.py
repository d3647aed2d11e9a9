"""Tokenizer for equation hints: LaTeX, Unicode math, HTML sub/sup and plain ASCII.

Hints in real term files mix all four notations, often with prose around them, so
the tokenizer normalises spellings (``\\times``, ``×``, ``·`` and ``*`` all become
``*``; ``⁻¹¹`` becomes ``^ { - 1 1 }``) and keeps every token's position in the
original text, so that a parse error can point at the character the author wrote.

Nothing here evaluates anything: tokens are plain data for :mod:`.parser`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .tree import ELLIPSES

MAX_HINT_CHARS = 10_000  # a hint longer than this is not tokenized at all
MAX_TOKENS = 3_000
MAX_NUMBER_DIGITS = 60


class HintError(Exception):
    """A hint the checker cannot read; ``position`` indexes the hint text (base of both stages' errors)."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class TokenizeError(HintError):
    """Raised for input the tokenizer refuses (too long, too many tokens)."""


@dataclass(frozen=True)
class Token:
    """One token. ``kind`` is one of the KIND_* names below; ``pos`` indexes the hint."""

    kind: str
    text: str
    pos: int
    space_before: bool = False
    upright: bool = False  # came from \text{}, \mathrm{}: a label, never a product of letters
    end: int = -1  # position after the source text this token came from


NUM, NAME, OP, REL, LP, RP, LB, RB, LBR, RBR, PIPE, COMMA, SEP, CMD, OTHER, PM, END = (
    "NUM", "NAME", "OP", "REL", "LP", "RP", "LB", "RB", "LBR", "RBR", "PIPE", "COMMA", "SEP",
    "CMD", "OTHER", "PM", "END",
)

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "θ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "ell": "ℓ", "hbar": "ħ",
}
GREEK_CHARS = set(GREEK.values()) | set("ϵϕϑµ")
CHAR_ALIASES = {"ϵ": "ε", "ϕ": "φ", "ϑ": "θ", "µ": "μ"}  # micro sign and variants

# Single characters -> (kind, normalised text).
CHARS: dict[str, tuple[str, str]] = {
    "+": (OP, "+"), "-": (OP, "-"), "−": (OP, "-"), "–": (OP, "-"), "*": (OP, "*"),
    "×": (OP, "*"), "·": (OP, "*"), "⋅": (OP, "*"), "∙": (OP, "*"), "/": (OP, "/"), "÷": (OP, "/"),
    "^": (OP, "^"), "_": (OP, "_"), "!": (OP, "!"),
    "=": (REL, "="), "≈": (REL, "≈"), "≃": (REL, "≈"), "≅": (REL, "≈"), "∼": (REL, "∼"),
    "~": (REL, "∼"), "<": (REL, "<"), ">": (REL, ">"), "≤": (REL, "≤"), "≥": (REL, "≥"),
    "⩽": (REL, "≤"), "⩾": (REL, "≥"), "≪": (REL, "≪"), "≫": (REL, "≫"), "∝": (REL, "∝"),
    "≠": (REL, "≠"), "≡": (REL, "≡"), "≔": (REL, "≡"),
    "(": (LP, "("), ")": (RP, ")"), "{": (LB, "{"), "}": (RB, "}"), "[": (LBR, "["),
    "]": (RBR, "]"), "|": (PIPE, "|"), ",": (COMMA, ","), ";": (SEP, ";"), "±": (PM, "±"),
    "→": (SEP, "→"), "↔": (SEP, "↔"), "⇔": (SEP, "⇔"), "⇒": (SEP, "⇒"), "⟹": (SEP, "⇒"),
    "⟺": (SEP, "⇔"), "↦": (SEP, "→"), "⟶": (SEP, "→"), "⇐": (SEP, "⇐"), "←": (SEP, "←"),
    "√": (CMD, "sqrt"), "π": (NAME, "π"), "∞": (NAME, "∞"), ":": (SEP, ":"), "#": (SEP, "#"),
    "…": (OTHER, "…"), "%": (NAME, "%"), "‰": (NAME, "‰"),
}
MULTI = [  # longest first: ASCII digraphs
    ("...", OTHER, "…"),
    ("**", OP, "^"), ("<=>", SEP, "⇔"), ("<->", SEP, "↔"), ("==>", SEP, "⇒"), ("->", SEP, "→"),
    ("=>", SEP, "⇒"), ("<=", REL, "≤"), (">=", REL, "≥"), ("<<", REL, "≪"), (">>", REL, "≫"),
    ("!=", REL, "≠"), ("==", REL, "="), ("~=", REL, "≈"), (":=", REL, "≡"), ("+/-", PM, "±"),
    ("+-", PM, "±"),
]
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾ⁿⁱ", "0123456789-+()ni"))
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₋₊₍₎ₐₑₒₓᵢⱼₖₗₘₙₚₛₜ", "0123456789-+()aeoxijklmnpst"))
FRACTIONS = {"½": "(1/2)", "⅓": "(1/3)", "⅔": "(2/3)", "¼": "(1/4)", "¾": "(3/4)", "⅛": "(1/8)"}

# LaTeX commands -> (kind, text). Unlisted commands become OTHER (not evaluable).
COMMANDS: dict[str, tuple[str, str]] = {
    "times": (OP, "*"), "cdot": (OP, "*"), "ast": (OP, "*"), "div": (OP, "/"),
    "approx": (REL, "≈"), "simeq": (REL, "≈"), "cong": (REL, "≈"), "sim": (REL, "∼"),
    "propto": (REL, "∝"), "le": (REL, "≤"), "leq": (REL, "≤"), "leqslant": (REL, "≤"),
    "ge": (REL, "≥"), "geq": (REL, "≥"), "geqslant": (REL, "≥"), "ll": (REL, "≪"), "gg": (REL, "≫"),
    "neq": (REL, "≠"), "ne": (REL, "≠"), "equiv": (REL, "≡"), "lt": (REL, "<"), "gt": (REL, ">"),
    "pm": (PM, "±"), "to": (SEP, "→"), "rightarrow": (SEP, "→"), "Rightarrow": (SEP, "⇒"),
    "leftrightarrow": (SEP, "↔"), "Leftrightarrow": (SEP, "⇔"), "implies": (SEP, "⇒"),
    "iff": (SEP, "⇔"), "mapsto": (SEP, "→"), "longrightarrow": (SEP, "→"), "quad": (SEP, " "),
    "qquad": (SEP, " "), "infty": (NAME, "∞"), "{": (LB, "{"), "}": (RB, "}"),
    "frac": (CMD, "frac"), "dfrac": (CMD, "frac"), "tfrac": (CMD, "frac"), "sqrt": (CMD, "sqrt"),
    "exp": (NAME, "exp"), "ln": (NAME, "ln"), "log": (NAME, "log"), "lg": (NAME, "log10"),
    "sin": (NAME, "sin"), "cos": (NAME, "cos"), "tan": (NAME, "tan"), "sinh": (NAME, "sinh"),
    "cosh": (NAME, "cosh"), "tanh": (NAME, "tanh"), "arcsin": (NAME, "arcsin"),
    "arccos": (NAME, "arccos"), "arctan": (NAME, "arctan"), "cot": (NAME, "cot"), "%": (NAME, "%"),
    "permil": (NAME, "‰"), "textperthousand": (NAME, "‰"),
}
STYLE_WRAPPERS = {
    "mathbf",
    "boldsymbol",
    "mathit",
    "mathcal",
    "mathsf",
    "mathbb",
    "bm",
    "vec",
    "hat",
    "bar",
    "tilde",
    "dot",
    "ddot",
    "overline",
}
LABEL_WRAPPERS = {"text", "mathrm", "textrm", "rm", "operatorname", "textit", "textbf", "mbox"}
IGNORED = {
    "left",
    "right",
    "big",
    "Big",
    "bigg",
    "Bigg",
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
    "displaystyle",
    "limits",
    ",",
    ";",
    ":",
    "!",
    " ",
    "nonumber",
}
SPACING_COMMANDS = {",", ";", ":", "!", " "}

_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+(?![A-Za-z]))?")
_UNCERT = re.compile(r"\((\d+(?:\.\d+)?)\)")
_WORD = re.compile(r"[A-Za-z]+")
_HTML = re.compile(r"<(/?)(sub|sup|i|b|em|strong|span)\b[^>]*>", re.IGNORECASE)
_MICRO = re.compile(r"(?:s|m)(?![A-Za-z])")
_DELIMS = re.compile(r"\\[()\[\]]|\$\$?|`")


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; raises :class:`TokenizeError` for oversize input."""
    if len(text) > MAX_HINT_CHARS:
        raise TokenizeError(f"the hint is {len(text)} characters long; the limit is {MAX_HINT_CHARS}", MAX_HINT_CHARS)
    return _Lexer(text).run()


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.out: list[Token] = []
        self.space = False

    def emit(self, kind: str, text: str, pos: int, upright: bool = False) -> None:
        if len(self.out) >= MAX_TOKENS:
            raise TokenizeError(f"the hint has more than {MAX_TOKENS} tokens", pos)
        self.out.append(Token(kind, text, pos, self.space, upright))
        self.space = False

    def run(self) -> list[Token]:
        text, i, n = self.text, 0, len(self.text)
        while i < n:
            first = len(self.out)
            i = self.step(text, i, n)
            out = self.out
            for k in range(first, len(out)):  # a Token of its own: ``dataclasses.replace`` was a large share of tokenizing
                tok = out[k]
                out[k] = Token(tok.kind, tok.text, tok.pos, tok.space_before, tok.upright, i)
        self.out.append(Token(END, "", n, self.space))
        return self.out

    def step(self, text: str, i: int, n: int) -> int:
        c = text[i]
        if c.isspace() or c in "\u2009\u200a\u202f\u00a0":
            self.space = True
            return i + 1
        if c == "\n":
            return i + 1
        m = _HTML.match(text, i)
        if m:
            return self.html(m)
        m = _DELIMS.match(text, i)
        if m:  # math delimiters \( \) \[ \] $ and backticks carry no meaning here
            self.space = True
            return m.end()
        if c == "\\":
            return self.command(text, i, n)
        if c in "0123456789" or (c == "." and i + 1 < n and text[i + 1] in "0123456789"):
            return self.number(text, i)
        for digraph, kind, norm in MULTI:
            if text.startswith(digraph, i):
                self.emit(kind, norm, i)
                return i + len(digraph)
        if c in SUPERSCRIPTS or c in SUBSCRIPTS:
            return self.script(text, i, n)
        if c in FRACTIONS:
            self.sub_tokens(FRACTIONS[c], i)
            return i + 1
        if c in CHARS:
            kind, norm = CHARS[c]
            self.emit(kind, norm, i)
            return i + 1
        if c.isascii() and c.isalpha():
            m = _WORD.match(text, i)
            assert m is not None
            return self.name(m.group(), i, m.end())
        if c in "μµ" and self.out and self.out[-1].kind == NUM and _MICRO.match(text, i + 1):
            m = _MICRO.match(text, i + 1)  # 2.197 μs, 1 µm: the micro prefix, not the letter mu
            assert m is not None
            self.emit(NAME, "u" + m.group(), i)
            return m.end()
        if c in GREEK_CHARS or c in "ℓħℏ":
            return self.name(CHAR_ALIASES.get(c, "ħ" if c == "ℏ" else c), i, i + 1)
        if c.isalpha():  # other letters: accented prose or script letters such as 𝓛
            return self.name(c, i, i + 1)
        if c == "." and not (i + 1 < n and text[i + 1] in "0123456789"):
            self.emit(SEP, ".", i)  # a full stop ends a sentence
            return i + 1
        self.emit(OTHER, c, i)
        return i + 1

    def name(self, word: str, i: int, end: int) -> int:
        """A name keeps its accents and primes: ``x̂``, ``ẋ``, ``x'`` are names of their own."""
        text = self.text
        if word == "x" and self.out and self.out[-1].kind == NUM and text[end:].lstrip()[:1].isdigit():
            self.emit(OP, "*", i)  # 2.5 x 10⁻⁹: a letter x between numbers is a times sign
            return end
        while end < len(text) and (unicodedata.category(text[end]) == "Mn" or text[end] in "'′"):
            word += text[end]
            end += 1
        self.emit(NAME, word, i)
        return end

    def number(self, text: str, i: int) -> int:
        m = _NUMBER.match(text, i)
        assert m is not None
        end = m.end()
        digits = sum(ch.isdigit() for ch in m.group())
        if digits > MAX_NUMBER_DIGITS:
            raise TokenizeError(f"a number with {digits} digits is longer than the limit of {MAX_NUMBER_DIGITS}", i)
        num = m.group()
        if num.endswith(".") and text.startswith("...", end - 1):
            num, end = num[:-1], end - 1  # `3...`: the point belongs to the ellipsis
        u = _UNCERT.match(text, end)
        if u and "e" not in num.lower():
            num += u.group()  # 1.23(4): the uncertainty travels with the number
            end = u.end()
        for dots in ELLIPSES:
            if text.startswith(dots, end):  # 0.328478...: a truncation, read by parser.number
                num, end = num + dots, end + len(dots)
                break
        self.emit(NUM, num, i)
        return end

    def script(self, text: str, i: int, n: int) -> int:
        table = SUPERSCRIPTS if text[i] in SUPERSCRIPTS else SUBSCRIPTS
        j = i
        while j < n and text[j] in table:
            j += 1
        inner = "".join(table[ch] for ch in text[i:j])
        self.emit(OP, "^" if table is SUPERSCRIPTS else "_", i)
        self.emit(LB, "{", i)
        self.sub_tokens(inner, i)
        self.emit(RB, "}", i)
        return j

    def sub_tokens(self, inner: str, pos: int) -> None:
        """Tokenize a replacement text; every token points at the original character."""
        for tok in _Lexer(inner).run()[:-1]:
            self.emit(tok.kind, tok.text, pos)

    def html(self, m: re.Match[str]) -> int:
        closing, tag = m.group(1), m.group(2).lower()
        if tag in ("sub", "sup"):
            if closing:
                self.emit(RB, "}", m.start())
            else:
                self.emit(OP, "_" if tag == "sub" else "^", m.start())
                self.emit(LB, "{", m.start())
        return m.end()

    def command(self, text: str, i: int, n: int) -> int:
        m = re.compile(r"\\([A-Za-z]+|.)").match(text, i)
        if m is None:  # a lone backslash at the end
            self.emit(OTHER, "\\", i)
            return i + 1
        name, end = m.group(1), m.end()
        if name in SPACING_COMMANDS or name in IGNORED:
            self.space = True
            return end
        if name in GREEK:
            self.emit(NAME, GREEK[name], i)
            return end
        if name in COMMANDS:
            kind, norm = COMMANDS[name]
            self.emit(kind, norm, i)
            return end
        if name in LABEL_WRAPPERS or name in STYLE_WRAPPERS:
            return self.wrapper(text, i, end, name in LABEL_WRAPPERS)
        self.emit(OTHER, "\\" + name, i)
        return end

    def wrapper(self, text: str, start: int, end: int, label: bool) -> int:
        """``\\text{exp}`` becomes one upright NAME; ``\\mathbf{v}`` just its content."""
        j = end
        while j < len(text) and text[j] == " ":
            j += 1
        if j >= len(text) or text[j] != "{":
            return end
        depth, k = 0, j
        while k < len(text):
            if text[k] == "{":
                depth += 1
            elif text[k] == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        inner = text[j + 1 : k]
        if label:
            words = inner.strip()
            if words:
                self.emit(NAME, words, start, upright=True)
        else:
            for tok in _Lexer(inner).run()[:-1]:
                self.emit(tok.kind, tok.text, j + 1 + tok.pos, tok.upright)
        return min(k + 1, len(text))
