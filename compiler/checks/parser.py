"""Precedence parser for equation hints: tokens in, an expression tree out.

Hand-written in the style of Jinja2's parser: a token stream, one method per
precedence level, and :meth:`Parser.fail` raising a :class:`ParseError` that carries
the position in the hint. Nothing is ever evaluated here; the tree is plain frozen
data for :mod:`.evaluator`. Depth and size are capped so that deep nesting fails fast.

Precedence, loosest first: ``±`` < ``+ -`` < ``* /`` < implicit products <
unary minus < ``^`` (right-associative) < subscripts, arguments, ``!`` < atoms.
Juxtaposition binds tighter than ``/`` because that is how physics typesetting is
read: ``\\alpha/2\\pi`` is α/(2π) and ``h/2π`` is ħ.
"""
from __future__ import annotations

from .tokenizer import CMD, COMMA, END, LB, LBR, LP, NAME, NUM, OP, OTHER, PIPE, PM, RB, RBR, RP, HintError, Token
from .tree import Bin, Call, Neg, Node, Num, Opaque, PlusMinus, Pow, Sym, Tuple, Unit, is_year, number

MAX_DEPTH = 60
MAX_NODES = 2_000
MAX_HEIGHT = 120  # tree height: `a a a ... a` builds deep trees without nesting brackets

FUNCTIONS = {
    "sqrt", "exp", "ln", "log", "log10", "log2", "sin", "cos", "tan", "cot", "sinh", "cosh",
    "tanh", "arcsin", "arccos", "arctan", "abs", "zeta", "ζ",
}
# Units recognised after a number (multi-letter only: a lone `m` is a symbol, not metres).
UNIT_WORDS = {
    "eV", "meV", "keV", "MeV", "GeV", "TeV", "J", "kg", "fm", "nm", "mm", "cm", "km", "pc", "kpc",
    "Mpc", "Gpc", "au", "ly", "ms", "ns", "us", "ps", "fs", "Hz", "kHz", "MHz", "GHz", "mol", "%", "‰",
    "ppm", "ppb",
}
# One-letter units, read as units only right after a number or another unit (`3 m/s`, `1.6 × 10⁻¹⁹ C`).
SHORT_UNITS = {"m", "s", "K", "J", "C", "T", "F", "V", "N", "A"}
# Words that never name a quantity: they end the math part of a sentence.
STOPWORDS = {
    "the", "of", "and", "or", "is", "are", "was", "for", "where", "with", "in", "on", "at", "to",
    "as", "by", "if", "else", "then", "than", "when", "from", "that", "this", "which", "vs", "via",
    "not", "near", "be", "we", "it", "its", "an", "maps", "into", "such", "each", "all", "any",
    "so", "thus", "hence", "ie", "eg", "about", "around", "roughly", "approximately", "here",
    "there", "gives", "yields", "means", "implies", "but", "while", "because", "since",
    "under", "over", "between", "within", "below", "above", "using", "given", "has", "have",
    "can", "may", "must", "should", "will", "would", "our", "their", "his", "her", "these",
    "those", "one", "two", "three", "times", "plus", "minus", "equals", "like",
    "only", "also", "both", "either", "note", "see", "holds", "satisfies", "subject",
}
DELTA_PREFIXES = {"Δ", "δ", "Delta", "delta"}


class ParseError(HintError):
    """A hint the grammar cannot read; ``position`` indexes the hint text."""


class Parser:
    """One parser per token slice; ``parse_expression`` is greedy and may stop early."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = (
            tokens
            if tokens and tokens[-1].kind == END
            else tokens + [Token(END, "", tokens[-1].pos + 1 if tokens else 0)]
        )
        self.i = 0
        self.depth = 0
        self.nodes = 0
        self.unit_ok = False  # the next name may be a one-letter unit (after a number)
        self.speed_of_light_unit = False  # the next `c` is a unit (after `MeV/`)
        self.heights: dict[int, int] = {}
        self.keep: list[Node] = []

    # -- stream helpers ---------------------------------------------------------------
    @property
    def cur(self) -> Token:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != END:
            self.i += 1
        return tok

    def at(self, kind: str, text: str | None = None) -> bool:
        return self.cur.kind == kind and (text is None or self.cur.text == text)

    def expect(self, kind: str, what: str) -> Token:
        if self.cur.kind != kind:
            self.fail(f"expected {what}", self.cur.pos)
        return self.advance()

    def fail(self, message: str, position: int) -> None:
        raise ParseError(message, position)

    def node(self, n: Node) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail(f"the expression has more than {MAX_NODES} parts", self.cur.pos)
        kids = [
            getattr(n, a, None) for a in ("left", "right", "operand", "base", "exponent", "arg", "value", "uncertainty")
        ]
        kids += list(n.items) if isinstance(n, Tuple) else []
        height = 1 + max(
            (self.heights.get(id(k), 1) for k in kids if k is not None and not isinstance(k, (str, float, int))),
            default=0,
        )
        if height > MAX_HEIGHT:
            self.fail(f"the expression is nested more than {MAX_HEIGHT} levels deep", self.cur.pos)
        self.heights[id(n)] = height
        self.keep.append(n)  # ids stay unique while the parser lives
        return n

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"the expression is nested more than {MAX_DEPTH} levels deep", self.cur.pos)

    # -- grammar ----------------------------------------------------------------------
    def parse_full(self) -> Node:
        """Parse the whole slice; anything left over is an error."""
        n = self.parse_expression()
        if self.cur.kind != END:
            self.fail(f"unexpected {self.cur.text or self.cur.kind!r}", self.cur.pos)
        return n

    def parse_expression(self) -> Node:
        self.enter()
        left = self.parse_sum()
        if self.at(PM):
            pos = self.advance().pos
            right = self.parse_sum()
            unit = None
            if isinstance(right, Bin) and right.op == "*" and _units_only(right.right):
                unit = right.right  # 1776.93 ± 0.09 MeV: the unit is for both
                right = right.left
            left = self.node(PlusMinus(left, right, pos))
            if unit is not None:
                left = self.node(Bin("*", left, unit, pos))
        self.depth -= 1
        return left

    def parse_sum(self) -> Node:
        left = self.parse_term()
        while self.at(OP, "+") or self.at(OP, "-"):
            tok = self.advance()
            left = self.node(Bin(tok.text, left, self.parse_term(), tok.pos))
        return left

    def parse_term(self) -> Node:
        """Explicit ``*`` and ``/``, left-associative, over implicit products."""
        left = self.parse_product()
        while self.at(OP, "*") or self.at(OP, "/"):
            tok = self.advance()
            self.unit_ok = _quantity_like(left)
            self.speed_of_light_unit = tok.text == "/" and _ends_in_unit(left)
            left = self.node(Bin(tok.text, left, self.parse_product(), tok.pos))
        return left

    def parse_product(self) -> Node:
        """Juxtaposition: ``2π``, ``m_e c^2``, ``3 m``; a number after a symbol is ambiguous, not a factor."""
        left = self.parse_unary()
        while True:
            if self.at(NUM) and _ends_in_symbol(left) and not self.cur.text.startswith("."):
                tok = self.advance()  # `a_μ 2025`: an edition? an index? never a product
                left = self.node(
                    Opaque(
                        f"{_text_of(left)} {tok.text}",
                        tok.pos,
                        f"the number {tok.text} after {_text_of(left)} is neither a factor nor an argument",
                    )
                )
            elif self.implicit_allowed(left):
                save, nodes, depth = self.i, self.nodes, self.depth
                try:
                    self.unit_ok = _quantity_like(left)
                    right = self.parse_power()
                except ParseError:
                    self.i, self.nodes, self.depth = save, nodes, depth
                    return left
                left = self.node(Bin("*", left, right, self.tokens[save].pos))
            else:
                return left

    def implicit_allowed(self, left: Node) -> bool:
        """Juxtaposition is a product (``2π``, ``m c^2``) but never across prose words."""
        tok = self.cur
        if tok.kind in (NUM,) and not isinstance(left, (Sym, Bin, Pow, Call, Unit)):
            return False  # "2 3" is not a product
        if tok.kind == NAME:
            if tok.text.lower() in STOPWORDS and not tok.upright:
                return False
            if tok.space_before and _prose_word(tok) and tok.text not in UNIT_WORDS:
                return False
            if tok.space_before and isinstance(left, Sym) and _prose_name(left.base):
                return False
            if tok.space_before and isinstance(left, Num) and is_year(left.text) and not _unit_name(tok):
                return False  # "In 2025 Δa_μ ≈ ...": a year in prose, not a factor
            return True
        if tok.space_before and isinstance(left, Sym) and _prose_name(left.base):
            return False
        if tok.kind in (LP, LBR) and tok.space_before and self.annotation():
            return False
        return tok.kind in (NUM, LP, CMD, OTHER, LBR) or (tok.kind == LB)

    def annotation(self) -> bool:
        """``(CODATA)``, ``(2018)``, ``[3]`` after a space: a remark or citation, not a factor."""
        close = RP if self.cur.kind == LP else RBR
        inner: list[Token] = []
        j = self.i + 1
        while j < len(self.tokens) and self.tokens[j].kind not in (close, END) and len(inner) < 12:
            inner.append(self.tokens[j])
            j += 1
        if any(t.kind == NAME and (_prose_name(t.text) or t.text.lower() in STOPWORDS) for t in inner):
            return True
        if len(inner) == 1 and inner[0].kind == NUM and inner[0].text.isdigit():
            return close == RBR or len(inner[0].text) == 4
        return False

    def parse_unary(self) -> Node:
        if self.at(OP, "-") or self.at(OP, "+"):
            tok = self.advance()
            self.enter()
            operand = self.parse_unary()
            self.depth -= 1
            return operand if tok.text == "+" else self.node(Neg(operand, tok.pos))
        return self.parse_power()

    def parse_power(self) -> Node:
        base = self.parse_postfix()
        if self.at(OP, "^"):
            tok = self.advance()
            self.enter()
            exponent = self.parse_exponent()
            self.depth -= 1
            return self.node(Pow(base, exponent, tok.pos))
        return base

    def parse_exponent(self) -> Node:
        if self.at(LB):
            return self.parse_group(LB, RB, "'}'")
        if self.at(OP, "-") or self.at(OP, "+"):
            tok = self.advance()
            operand = self.parse_exponent()
            return operand if tok.text == "+" else self.node(Neg(operand, tok.pos))
        return self.parse_power()

    def parse_postfix(self) -> Node:
        n = self.parse_primary()
        while True:
            if (
                self.at(OP, "_")
                and isinstance(n, Sym)
                or self.at(OP, "^")
                and isinstance(n, Sym)
                and self.superscript_is_label()
            ):
                self.advance()
                n = self.with_labels(n, self.script_labels())
            elif self.at(OP, "!"):
                tok = self.advance()
                n = self.node(Call("factorial", n, tok.pos))
            elif self.at(LP) and isinstance(n, Sym) and not n.arg and self.is_argument():
                n = self.argument(n)
            elif self.at(OP, "_") and isinstance(n, Opaque):
                self.advance()  # ∂_μ, ∑_i: the operator stays opaque
                self.script_labels()
            elif self.at(OP, "_"):
                self.fail("a subscript must follow a symbol", self.cur.pos)
            else:
                return n

    def is_argument(self) -> bool:
        """A parenthesis after a symbol: an argument unless it is a spaced-off remark (``α (CODATA)``)."""
        if self.peek().kind == NUM and is_year(self.peek().text) and self.peek(2).kind == RP:
            return True  # `Δa_μ(2025)` and `Δa_μ (2025)` both name an edition
        return not (self.cur.space_before and self.annotation())

    def argument(self, sym: Sym) -> Node:
        """``Δa_μ(2025)``, ``α_s(M_Z)``, ``m_d(2 GeV)``: the argument names an edition, a scale or a scheme.

        Never a product: reading ``a(b + c)`` after a symbol as a product would be a guess,
        so an argument the data does not know leaves the relation unchecked. An argument
        list ``V(A, B)`` stays a product with an opaque tuple, whose names are reported.
        """
        start = self.i
        inner = self.p_paren(self.cur)
        if isinstance(inner, Tuple):
            return self.node(Bin("*", sym, inner, self.tokens[start].pos))
        toks = self.tokens[start + 1 : self.i - 1]
        key = "".join(t.text for t in toks if t.kind not in (LB, RB)).casefold()
        shown = "".join(
            (" " if k and t.space_before else "") + t.text for k, t in enumerate(toks) if t.kind not in (LB, RB)
        )
        return self.node(Sym(sym.base, sym.labels, sym.pos, f"{sym.text}({shown})", key))

    def with_labels(self, sym: Sym, labels: list[str]) -> Sym:
        return Sym(sym.base, sym.labels + tuple(labels), sym.pos, sym.text + "_" + ",".join(labels))

    def superscript_is_label(self) -> bool:
        """``^{\\text{SM}}``, ``^{exp}``, ``^{QED,1}``, ``^{(4)}``, ``^*`` name a variant; ``^2`` is a power."""
        nxt = self.peek()
        if nxt.kind == NAME:
            after = self.peek(2)
            return nxt.upright or (len(nxt.text) > 1 and nxt.text.isascii() and nxt.text != "pi" and after.kind != LP)
        if nxt.kind == OTHER or (nxt.kind == OP and nxt.text == "*"):
            return True
        if nxt.kind != LB:
            return False
        j, depth, inner = self.i + 2, 1, []
        while j < len(self.tokens) and depth:
            t = self.tokens[j]
            depth += t.kind == LB
            depth -= t.kind == RB
            if depth:
                inner.append(t)
            j += 1
        if not inner:
            return True
        if any(t.kind == COMMA or t.upright or t.kind == OTHER for t in inner):
            return True
        if inner[0].kind == LP and inner[-1].kind == RP:
            return True  # ^{(4)}: a loop order, not a power
        if inner[0].kind == NAME and len(inner) > 1 and all(t.kind in (NAME, NUM) for t in inner):
            return True  # ^{E821}: an experiment's name
        if len(inner) == 1 and inner[0].kind == OP and inner[0].text in "*+-":
            return True
        return (
            len(inner) == 1
            and inner[0].kind == NAME
            and len(inner[0].text) > 1
            and inner[0].text != "pi"
            or any(t.kind == NAME and len(t.text) > 1 and t.text.isascii() and t.text not in FUNCTIONS for t in inner)
        )

    def script_labels(self) -> list[str]:
        """The text of a sub/superscript: one token, or a brace group, split at commas."""
        if self.at(LB):
            self.advance()
            parts: list[str] = []
            cur = ""
            depth = 1
            while True:
                t = self.cur
                if t.kind == END:
                    self.fail("expected '}' to close the subscript", t.pos)
                if t.kind == LB:
                    depth += 1
                elif t.kind == RB:
                    depth -= 1
                    if depth == 0:
                        self.advance()
                        break
                if t.kind == COMMA and depth == 1:
                    parts.append(cur)
                    cur = ""
                elif t.kind not in (LB, RB):
                    cur += t.text
                self.advance()
            parts.append(cur)
            return [p for p in parts if p]
        t = self.cur
        if t.kind in (NAME, NUM) or (t.kind == OP and t.text == "*") or t.kind == OTHER:
            self.advance()
            return [t.text]
        self.fail("expected a subscript", t.pos)
        return []

    def parse_primary(self) -> Node:
        tok = self.cur
        unit_ok, self.unit_ok = self.unit_ok, False
        light, self.speed_of_light_unit = self.speed_of_light_unit, False
        subscripted = self.peek().kind == OP and self.peek().text == "_"
        if (
            unit_ok and tok.kind == NAME and tok.text in SHORT_UNITS or light and tok.kind == NAME and tok.text == "c"
        ) and not subscripted:
            self.advance()  # `3 m`, and the c of `MeV/c²`, `GeV/c`: units, not symbols
            return self.node(Unit(tok.text, tok.pos))
        self.enter()
        try:
            handler = _PRIMARY.get(tok.kind)
            if handler is None:
                self.fail(f"unexpected {tok.text or 'end of hint'!r}", tok.pos)
            return handler(self, tok)  # type: ignore[misc]
        finally:
            self.depth -= 1

    def p_number(self, tok: Token) -> Node:
        self.advance()
        try:
            return self.node(number(tok.text, tok.pos))
        except (ValueError, OverflowError):
            self.fail(f"cannot read the number {tok.text!r}", tok.pos)
            raise

    def p_name(self, tok: Token) -> Node:
        self.advance()
        text = tok.text
        if text.lower() in STOPWORDS and not tok.upright:
            self.fail(f"the word {text!r} is prose, not math", tok.pos)
        if text in UNIT_WORDS:
            return self.node(Unit(text, tok.pos))
        if text in FUNCTIONS and not self.at(OP, "_") and (text != "ζ" or self.at(LP)):
            return self.function(text, tok)
        if text in DELTA_PREFIXES and self.cur.kind == NAME and self.cur.text not in FUNCTIONS:
            nxt = self.advance()  # Δa_μ names one quantity, not Δ times a
            prefix = "Δ" if text in ("Δ", "Delta") else "δ"
            return self.node(Sym(f"{prefix} {nxt.text}", (), tok.pos, tok.text + nxt.text))
        return self.node(Sym(text, (), tok.pos, text))

    def function(self, name: str, tok: Token) -> Node:
        power: Node | None = None
        if self.at(OP, "^"):  # \sin^2 x
            self.advance()
            power = self.parse_exponent()
        if self.at(LP):
            arg = self.parse_group(LP, RP, "')'")
        else:
            arg = self.parse_power()
        n = self.node(Call("zeta" if name == "ζ" else name, arg, tok.pos))
        return self.node(Pow(n, power, tok.pos)) if power is not None else n

    def p_command(self, tok: Token) -> Node:
        self.advance()
        if tok.text == "frac":
            num = self.parse_arg()
            den = self.parse_arg()
            return self.node(Bin("/", num, den, tok.pos))
        if tok.text == "sqrt":
            if self.at(LBR):
                self.advance()
                index = self.parse_expression()
                self.expect(RBR, "']'")
                arg = self.parse_arg()
                one = Num("1", 1.0, tok.pos, None, 0.0, True)
                return self.node(Pow(arg, Bin("/", one, index, tok.pos), tok.pos))
            return self.node(Call("sqrt", self.parse_arg(), tok.pos))
        self.fail(f"unknown command {tok.text!r}", tok.pos)
        raise AssertionError

    def parse_arg(self) -> Node:
        """A LaTeX argument: a brace group, or a single token (``\\frac12``, ``√2``)."""
        if self.at(LB):
            return self.parse_group(LB, RB, "'}'")
        if self.at(LP):
            return self.parse_group(LP, RP, "')'")
        if (
            self.at(NUM)
            and "." not in self.cur.text
            and len(self.cur.text) > 1
            and self.tokens[self.i - 1].kind == CMD
            and self.tokens[self.i - 1].text == "frac"
        ):
            tok = self.advance()  # \frac12 means 1/2: split the digits
            return self.node(number(tok.text[0], tok.pos))
        return self.parse_postfix()

    def parse_group(self, open_kind: str, close_kind: str, what: str) -> Node:
        self.advance()
        inner = self.parse_expression()
        self.expect(close_kind, what)
        return inner

    def p_paren(self, tok: Token) -> Node:
        """``(x)``, or an argument list ``(A, B)`` as in ``V(A, B)``: opaque, names kept."""
        self.advance()
        items = [self.parse_expression()]
        while self.at(COMMA):
            self.advance()
            items.append(self.parse_expression())
        self.expect(RP, "')'")
        return items[0] if len(items) == 1 else self.node(Tuple(tuple(items), tok.pos))

    def p_brace(self, tok: Token) -> Node:
        return self.parse_group(LB, RB, "'}'")

    def p_bracket(self, tok: Token) -> Node:
        return self.parse_group(LBR, RBR, "']'")

    def p_abs(self, tok: Token) -> Node:
        self.advance()
        inner = self.parse_expression()
        self.expect(PIPE, "'|'")
        return self.node(Call("abs", inner, tok.pos))

    def p_other(self, tok: Token) -> Node:
        self.advance()
        return self.node(Opaque(tok.text, tok.pos))


_PRIMARY = {
    NUM: Parser.p_number,
    NAME: Parser.p_name,
    CMD: Parser.p_command,
    LP: Parser.p_paren,
    LB: Parser.p_brace,
    LBR: Parser.p_bracket,
    PIPE: Parser.p_abs,
    OTHER: Parser.p_other,
}


def _quantity_like(node: Node, depth: int = 0) -> bool:
    """A written number with units so far (``3``, ``3 m``, ``3 m/s``): a one-letter unit may follow."""
    if depth > 8:
        return False
    if isinstance(node, (Num, Unit)):
        return True
    if isinstance(node, Neg):
        return _quantity_like(node.operand, depth + 1)
    if isinstance(node, Pow):
        return isinstance(node.base, (Num, Unit))
    if isinstance(node, Bin) and node.op in "*/":
        return _quantity_like(node.left, depth + 1) and _quantity_like(node.right, depth + 1)
    if isinstance(node, PlusMinus):
        return True
    return False


def _ends_in_unit(node: Node) -> bool:
    """``105.66 MeV``, ``3 GeV``: a quantity whose last factor is a unit (so ``/c²`` is part of it)."""
    if isinstance(node, Pow):
        node = node.base
    if isinstance(node, Bin) and node.op in "*/":
        return _ends_in_unit(node.right)
    return isinstance(node, Unit)


def _ends_in_symbol(node: Node) -> bool:
    """``a_μ``, ``2 a_μ``: juxtaposing a number after this would be ambiguous."""
    if isinstance(node, Bin) and node.op == "*":
        return _ends_in_symbol(node.right)
    return isinstance(node, Sym)


def _text_of(node: Node) -> str:
    while isinstance(node, Bin):
        node = node.right
    return node.text if isinstance(node, (Sym, Opaque)) else "the symbol"


def _unit_name(tok: Token) -> bool:
    return tok.kind == NAME and (tok.text in UNIT_WORDS or tok.text in SHORT_UNITS)


def _units_only(node: Node) -> bool:
    if isinstance(node, Unit):
        return True
    if isinstance(node, Pow):
        return isinstance(node.base, Unit)
    if isinstance(node, Bin) and node.op in "*/":
        return _units_only(node.left) and _units_only(node.right)
    return False


def _prose_word(tok: Token) -> bool:
    return tok.kind == NAME and not tok.upright and _prose_name(tok.text)


def _prose_name(text: str) -> bool:
    """A multi-letter ASCII word that is not a function or a Greek letter's name."""
    from .tokenizer import GREEK

    return len(text) > 2 and text.isascii() and text.isalpha() and text not in FUNCTIONS and text not in GREEK


def parse(tokens: list[Token]) -> Node:
    """Parse a whole token slice (used for reference formulas and symbol spellings)."""
    return Parser(tokens).parse_full()
