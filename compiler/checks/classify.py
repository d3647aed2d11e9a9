"""Find the relations inside a hint and say what kind of hint it is.

Real hints are a line of math with prose around it (``For V(φ) ≈ ½m²φ², ...``,
``S = ∫ L dt (Classical Mechanics)``), several lines, or prose alone. The hint is
cut into statements at line breaks, ``;``, arrows, top-level commas and English
connecting words; in each statement the relation signs at bracket depth 0 split a
chain ``A = B ≈ C``. The left-most operand is the longest run of tokens before the
first sign that parses; the right-most is the longest parsable prefix after the
last one, so prose on either side is left out.

Classes: ``checkable`` (some relation has only numbers and bound symbols),
``symbolic`` (math, but free symbols or constructs we do not compute),
``not-math`` (prose, ``N/A``, empty).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .parser import STOPWORDS, ParseError, Parser
from .tokenizer import (
    CMD,
    COMMA,
    END,
    GREEK_CHARS,
    LB,
    LBR,
    LP,
    NAME,
    NUM,
    OP,
    OTHER,
    RB,
    RBR,
    REL,
    RP,
    SEP,
    Token,
    TokenizeError,
    tokenize,
)
from .tree import Call, Node, Opaque, Sym, walk

MAX_LEFT_TOKENS = 60
MAX_RELATIONS = 100  # per hint
NOT_APPLICABLE = re.compile(r"^\W*(n/?a|none|null|nil|tbd|todo|unknown|not applicable|—|-+|~)?\W*$", re.IGNORECASE)
PUNCT = set(".:'\"?&#@`…’‘“”%")
DEPTH_OPEN = {LP: 1, LB: 1, LBR: 1}
DEPTH_CLOSE = {RP: 1, RB: 1, RBR: 1}


@dataclass(frozen=True)
class Chain:
    """``operands[0] ops[0] operands[1] ...`` found in the hint."""

    operands: tuple[Node, ...]
    ops: tuple[str, ...]
    start: int  # position of the first operand in the hint
    end: int  # position after the last operand
    text: str


@dataclass(frozen=True)
class Problem:
    message: str
    position: int


@dataclass
class Extraction:
    chains: list[Chain] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # parse errors in numeric statements
    unparsed: list[Problem] = field(default_factory=list)  # parse errors in symbolic statements
    math: bool = False  # any math-looking token at all
    relation_signs: int = 0


def tokenize_lines(hint: str) -> list[list[Token]]:
    """Tokens of each line, with positions in the whole hint."""
    lines, offset = [], 0
    for line in hint.split("\n"):
        toks = tokenize(line)
        if offset:
            toks = [Token(t.kind, t.text, t.pos + offset, t.space_before, t.upright, t.end + offset) for t in toks]
        lines.append(toks[:-1])
        offset += len(line) + 1
    return lines


def _is_math(tok: Token) -> bool:
    if tok.kind in (NUM, OP, CMD, REL):
        return True
    if tok.kind == OTHER:
        return tok.text not in PUNCT
    return tok.kind == NAME and (tok.text in GREEK_CHARS or tok.text == "π")


def statements(tokens: list[Token]) -> list[list[Token]]:
    """Cut a line at separators, top-level commas and connecting words."""
    out: list[list[Token]] = []
    cur: list[Token] = []
    depth = 0
    for tok in tokens:
        depth += DEPTH_OPEN.get(tok.kind, 0)
        if tok.kind in DEPTH_CLOSE:
            depth = max(0, depth - 1)
        cut = tok.kind == SEP or (depth == 0 and tok.kind == COMMA) or (
            depth == 0 and tok.kind == NAME and not tok.upright and tok.text.lower() in STOPWORDS)
        if cut:
            if cur:
                out.append(cur)
            cur = []
        else:
            cur.append(tok)
    if cur:
        out.append(cur)
    return out


def _parse_slice(tokens: list[Token]) -> Node:
    return Parser(list(tokens) + [Token(END, "", tokens[-1].pos + len(tokens[-1].text))]).parse_full()


def _left_operand(tokens: list[Token]) -> tuple[Node | None, int, ParseError | None]:
    """Longest suffix of ``tokens`` that parses; returns (node, start index, last error)."""
    last: ParseError | None = None
    depth, level = 0, []
    for tok in tokens:  # a suffix may only start outside brackets: `{...}{2} = 1` is not `{2} = 1`
        level.append(depth)
        depth += DEPTH_OPEN.get(tok.kind, 0) - DEPTH_CLOSE.get(tok.kind, 0)
    for start in range(len(tokens)):
        if level[start] != 0 or start < len(tokens) - MAX_LEFT_TOKENS and start > 0 or _bound_to_previous(tokens, start):
            continue
        try:
            return _parse_slice(tokens[start:]), start, None
        except ParseError as exc:
            if start == 0 and _limit(exc):
                return None, len(tokens), exc  # too big to read: no shorter reading is honest
            last = last or exc
    return None, len(tokens), last


def _bound_to_previous(tokens: list[Token], start: int) -> bool:
    """A token that continues the one before (``\\frac{a}{b}``, ``x^{2}``) cannot start an operand."""
    if start == 0:
        return False
    prev, tok = tokens[start - 1], tokens[start]
    return prev.kind == CMD or (prev.kind == OP and prev.text in "^_") or (tok.kind == LB and prev.kind == RB)


def _right_operand(tokens: list[Token]) -> tuple[Node | None, int, ParseError | None]:
    """Longest parsable prefix; returns (node, tokens used, error)."""
    if not tokens:
        return None, 0, None
    p = Parser(list(tokens) + [Token(END, "", tokens[-1].pos + len(tokens[-1].text))])
    try:
        node = p.parse_expression()
    except ParseError as exc:
        return None, 0, exc
    return node, p.i, None


def _chains(stmt: list[Token], hint: str, ex: Extraction) -> None:
    depth, rels = 0, []
    for i, tok in enumerate(stmt):
        depth += DEPTH_OPEN.get(tok.kind, 0)
        if tok.kind in DEPTH_CLOSE:
            depth = max(0, depth - 1)
        if tok.kind == REL and depth == 0:
            rels.append(i)
    if not rels:
        return
    ex.relation_signs += len(rels)
    if ex.relation_signs > MAX_RELATIONS:
        raise TokenizeError(f"the hint has more than {MAX_RELATIONS} relations", stmt[rels[-1]].pos)
    bounds = [-1] + rels + [len(stmt)]
    operands: list[Node | None] = []
    first_start, last_end = stmt[0].pos, stmt[-1].end
    for k in range(len(bounds) - 1):
        piece = stmt[bounds[k] + 1:bounds[k + 1]]
        node: Node | None
        if not piece:
            node, err = None, None
        elif k == 0:
            node, start, err = _left_operand(piece)
            if node is not None:
                first_start = piece[start].pos
        elif k == len(bounds) - 2:
            node, used, err = _right_operand(piece)
            if node is not None:
                last_end = piece[used - 1].end
        else:
            try:
                node, err = _parse_slice(piece), None
            except ParseError as exc:
                node, err = None, exc
        if node is None and err is not None:
            serious = _serious(err, piece)
            (ex.problems if serious else ex.unparsed).append(Problem(err.message, err.position))
        operands.append(node)
    _emit_chains(operands, [stmt[r].text for r in rels], first_start, last_end, hint, ex)


def _serious(err: ParseError, piece: list[Token]) -> bool:
    """A parse error is the author's problem when it hits a limit or a written-number claim.

    Symbolic math we cannot read (``k(x)·(c(x)ρc(x)†...)``) stays ``unchecked``; a
    claim such as ``α ≈ (1/137`` or an over-deep expression is an ``error``.
    """
    if "prose" in err.message:
        return False
    return _limit(err) or _literal_piece(piece)


def _limit(err: ParseError) -> bool:
    return "nested" in err.message or "parts" in err.message


LITERAL_KINDS = {NUM, OP, LP, RP, LB, RB, LBR, RBR, "PM", "PIPE"}


def _literal_piece(piece: list[Token]) -> bool:
    """Tokens of a written-number claim: numbers, operators, brackets, \\frac, √, units."""
    from .parser import UNIT_WORDS

    return any(t.kind == NUM for t in piece) and all(
        t.kind in LITERAL_KINDS or (t.kind == CMD) or (t.kind == NAME and t.text in UNIT_WORDS) for t in piece)


def _emit_chains(operands: list[Node | None], ops: list[str], start: int, end: int, hint: str, ex: Extraction) -> None:
    """Split at missing operands: ``A = B ≈ <prose>`` still yields ``A = B``."""
    run: list[Node] = []
    run_ops: list[str] = []
    for k, node in enumerate(operands):
        if node is None:
            if len(run) > 1:
                ex.chains.append(Chain(tuple(run), tuple(run_ops), start, end, hint[start:end].strip()))
            run, run_ops = [], []
            continue
        if run:
            run_ops.append(ops[k - 1])
        run.append(node)
    if len(run) > 1:
        ex.chains.append(Chain(tuple(run), tuple(run_ops), start, end, hint[start:end].strip()))


def extract(hint: str) -> Extraction:
    """All relation chains of a hint; raises TokenizeError for oversize input."""
    ex = Extraction()
    for line in tokenize_lines(hint):
        if any(_is_math(t) for t in line):
            ex.math = True
        for stmt in statements(line):
            _chains(stmt, hint, ex)
    return ex


def is_not_applicable(hint: str) -> bool:
    return bool(NOT_APPLICABLE.match(hint.strip()))


def literal_only(node: Node) -> bool:
    """A side made of written numbers, units and arithmetic only: the claim of a relation.

    A function of written numbers (``ln 2``, ``√2``, ``3!``) is a computation, not a claim:
    in ``0.75 ≈ ln 2`` the claim is 0.75, and the 2 of ``ln 2`` carries no rounding.
    """
    return not any(isinstance(n, (Sym, Opaque, Call)) for n in walk(node))


__all__ = ["Chain", "Extraction", "Problem", "TokenizeError", "extract", "is_not_applicable", "literal_only"]
