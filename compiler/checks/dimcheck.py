"""Dimensional consistency of a relation whose symbols all have a dimension.

A hint such as ``v = L / T²`` cannot be checked against numbers, but when the term's
own symbol table says ``v: L T⁻¹``, ``L: L`` and ``T: T``, its two sides can be
compared: ``L T⁻²`` against ``L T⁻¹`` is a false statement whatever the numbers are.
The check is only made where *every* symbol is bound to a dimension; anything
unbound or opaque leaves the relation as it was.

Dimensions are compared as in natural units (ħ = c = k_B = 1), the way the reference
data itself is kept and the way physicists write (``m_H ≫ H``: a mass against a rate
is no mismatch, a mass in MeV is a mass); charge is kept apart (a coulomb is not a
pure number), and so is any dimension of the glossary's own (``[Coherence]``). What
remains a mismatch there — a length against a velocity, an energy against a pure
number — is one in every system of units.
"""
from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from .evaluator import Context, EvalError, Unbound, Undecidable, evaluate
from .tree import Bin, Call, Neg, Node, Num, PlusMinus, Pow, Sym, Unit, walk
from .units import DIMENSIONLESS, NATURAL, SI_UNITS, Dimension

Binder = Callable[[Sym], "Dimension | None"]
FREE_FUNCTIONS = ("abs",)  # functions that keep their argument's dimension (sqrt halves it)


class DimensionClash(Exception):
    """Two things that must have one dimension do not."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _natural_key(d: Dimension) -> tuple[object, ...]:
    """What survives ħ = c = k_B = 1: the power of eV, the power of charge, and named dimensions."""
    power = sum((NATURAL[n][0] * p for n, p in d.powers if n in NATURAL and n != "I"), Fraction(0))
    kept = tuple((n, p) for n, p in d.powers if n == "I" or n not in NATURAL)
    return power, kept


def same(a: Dimension, b: Dimension) -> bool:
    """Equal dimensions in natural units (see the module's docstring)."""
    return a == b or _natural_key(a) == _natural_key(b)


def dimension(node: Node, bind: Binder) -> Dimension | None:
    """The dimension of ``node``; None when a part has none we know. Raises :class:`DimensionClash`."""
    if isinstance(node, Num):
        return DIMENSIONLESS
    if isinstance(node, Unit):
        return SI_UNITS[node.name][1] if node.name in SI_UNITS else None
    if isinstance(node, Sym):
        return bind(node)
    if isinstance(node, Neg):
        return dimension(node.operand, bind)
    if isinstance(node, PlusMinus):
        return dimension(node.value, bind)
    if isinstance(node, Bin):
        a, b = dimension(node.left, bind), dimension(node.right, bind)
        if a is None or b is None:
            return None
        if node.op in "+-":
            if not same(a, b):
                raise DimensionClash(f"dimension mismatch in a {'sum' if node.op == '+' else 'difference'}: {a} against {b}")
            return a
        return a * b if node.op == "*" else a / b
    if isinstance(node, Pow):
        return _power(node, bind)
    if isinstance(node, Call):
        arg = dimension(node.arg, bind)
        if arg is None:
            return None
        if node.fn == "sqrt":
            return arg ** Fraction(1, 2)
        if node.fn in FREE_FUNCTIONS:
            return arg
        if not same(arg, DIMENSIONLESS):
            raise DimensionClash(f"dimension mismatch: the argument of {node.fn} has the dimension {arg}, not a pure number")
        return DIMENSIONLESS
    return None  # Opaque, Tuple


def _power(node: Pow, bind: Binder) -> Dimension | None:
    base = dimension(node.base, bind)
    if base is None:
        return None
    if base.dimensionless:
        return DIMENSIONLESS
    if any(isinstance(n, Sym) for n in walk(node.exponent)):
        return None  # x^n with a symbolic n: only a pure number may be raised to it
    try:
        k = evaluate(node.exponent, Context(lambda s, c: None)).v
    except (EvalError, Unbound, Undecidable, ArithmeticError):
        return None
    exact = Fraction(k).limit_denominator(12)
    return base ** exact if abs(float(exact) - k) < 1e-9 else None


def relation_clash(left: Node, op: str, right: Node, bind: Binder) -> str | None:
    """Why ``left op right`` is dimensionally wrong, or None (consistent, or not decidable)."""
    try:
        a, b = dimension(left, bind), dimension(right, bind)
    except DimensionClash as exc:
        return exc.message
    if a is None or b is None or op == "∝":
        return None
    if not same(a, b):
        return f"dimension mismatch: {a} against {b}"
    return None


__all__ = ["DimensionClash", "dimension", "relation_clash", "same"]
