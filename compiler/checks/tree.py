"""The expression tree of a hint: plain frozen data, built by :mod:`.parser`, walked by the evaluator.

Kept apart from the parser so that the evaluator, the judge and the dimension check
read the tree without importing the grammar. Nothing here evaluates anything.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

ELLIPSES = ("...", "…")  # after digits: the digits are a truncation of the value


@dataclass(frozen=True)
class Num:
    text: str
    value: float
    pos: int
    uncertainty: float | None = None  # stated as 1.23(4)
    half_unit: float = 0.5  # half a unit of the last written digit
    is_integer: bool = False
    truncated: bool = False  # written `0.328478...`: ``value`` is the middle of [digits, digits + 1 unit]
    digits: int = 1  # significant digits as written (trailing zeros of an integer do not count)


@dataclass(frozen=True)
class Sym:
    base: str
    labels: tuple[str, ...]
    pos: int
    text: str  # as the author wrote it, for messages
    arg: str = ""  # `α_s(M_Z)`, `Δa_μ(2025)`: the parenthesised argument, spaces and braces removed, case folded

    @property
    def year(self) -> int | None:
        """The edition year an argument such as ``(2025)`` names, if it is one."""
        return int(self.arg) if is_year(self.arg) else None


@dataclass(frozen=True)
class Unit:
    name: str
    pos: int


@dataclass(frozen=True)
class Bin:
    op: str  # + - * /
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True)
class Neg:
    operand: Node
    pos: int


@dataclass(frozen=True)
class Pow:
    base: Node
    exponent: Node
    pos: int


@dataclass(frozen=True)
class Call:
    fn: str
    arg: Node
    pos: int


@dataclass(frozen=True)
class PlusMinus:
    value: Node
    uncertainty: Node
    pos: int


@dataclass(frozen=True)
class Opaque:
    """A construct the evaluator cannot compute (∫, ∑, ∇, ⟨⟩ ...): makes a side symbolic.

    ``why`` is set when the construct is an ambiguity of notation rather than an
    operator (``a_μ 2025``: a number after a symbol is neither a factor nor an argument).
    """

    text: str
    pos: int
    why: str = ""


@dataclass(frozen=True)
class Tuple:
    """An argument list ``(a, b)``: never evaluated; only its names are reported."""

    items: tuple[Node, ...]
    pos: int


Node = Num | Sym | Unit | Bin | Neg | Pow | Call | PlusMinus | Opaque | Tuple


def is_year(text: str) -> bool:
    """``2025``: four digits from 1900 to 2099, the way editions and prose dates are written."""
    return len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2099


def significant_digits(mantissa: str) -> int:
    """Digits that carry information: no leading zeros, and no trailing zeros of an integer (``100`` has one)."""
    digits = mantissa.replace(".", "").lstrip("0")
    if "." not in mantissa:
        digits = digits.rstrip("0")
    return max(1, len(digits))


def number(text: str, pos: int) -> Num:
    """Read ``1.23``, ``1.2e-3``, ``116592071.5(14.5)``, ``0.3284...``; the uncertainty follows CODATA's rule."""
    truncated = text.endswith(ELLIPSES)
    if truncated:
        text = text.rstrip(".…")
    u: float | None = None
    if "(" in text:
        text, _, rest = text.partition("(")
        ustr = rest.rstrip(")")
    else:
        ustr = ""
    mantissa, _, exp = text.lower().partition("e")
    frac = mantissa.split(".", 1)[1] if "." in mantissa else ""
    scale = 10.0 ** (int(exp) if exp else 0)
    unit = 10.0 ** (-len(frac)) * scale
    if ustr:
        u = float(ustr) * scale if "." in ustr else float(ustr) * unit
    value = float(text) + (0.5 * unit if truncated else 0.0)
    return Num(text, value, pos, u, 0.5 * unit, "." not in mantissa and not exp and not truncated, truncated,
               significant_digits(mantissa))


_CHILD_ATTRS = ("left", "right", "operand", "base", "exponent", "arg", "value", "uncertainty")
_CHILDREN: dict[type, tuple[str, ...]] = {}  # node class -> which of _CHILD_ATTRS it has, in that order


def walk(node: Node) -> Iterator[Node]:
    """Every node of a tree, parents first."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        kind = type(n)
        attrs = _CHILDREN.get(kind)
        if attrs is None:
            attrs = _CHILDREN[kind] = tuple(a for a in _CHILD_ATTRS if hasattr(n, a))
        for attr in attrs:
            child = getattr(n, attr)
            if child is not None and not isinstance(child, (str, float, int)):
                stack.append(child)
        if isinstance(n, Tuple):
            stack.extend(n.items)


__all__ = [
    "ELLIPSES",
    "Bin",
    "Call",
    "Neg",
    "Node",
    "Num",
    "Opaque",
    "PlusMinus",
    "Pow",
    "Sym",
    "Tuple",
    "Unit",
    "is_year",
    "number",
    "significant_digits",
    "walk",
]
