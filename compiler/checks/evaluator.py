"""Evaluate an expression tree to a value with a propagated uncertainty.

Values are first-order dual numbers: a central value plus its partial derivatives
with respect to every independent input (a reference quantity's edition, a written
number's rounding, a stated ``± u``). From those one gets

* σ, the standard uncertainty: ``sqrt(Σ (∂f/∂x_i · u_i)²)`` over measured inputs, with
  correlations handled exactly (``a_μ^exp − a_μ^SM`` inside ``Δa_μ`` and in the hint
  are the same inputs, not independent ones);
* the rounding half-width: ``Σ |∂f/∂x_i| · h_i`` over written numbers (a claim of
  ``1.16`` stands for anything in [1.155, 1.165]).

Quantities carry a dimension in natural units (ħ = c = k_B = 1, powers of eV), so
``105.66 MeV``, ``0.10566 GeV`` and ``m_μ c^2`` compare without a units library.
Caps (simpleeval-style): exponents, factorials and magnitudes are bounded, and any
overflow is an :class:`EvalError`, never a hang or a crash.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .tree import Bin, Call, Neg, Node, Num, Opaque, PlusMinus, Pow, Sym, Tuple, Unit, walk
from .units import UNITS

MAX_EXPONENT = 1_000.0
MAX_MAGNITUDE = 1e300
MAX_FACTORIAL = 170

class EvalError(Exception):
    """The tree has a value we refuse to compute (overflow, 0/0, units that do not add)."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class UnitMismatch(EvalError):
    """Units that cannot be combined: the hint is left unchecked, not reported as broken."""


class Undecidable(Exception):
    """The data cannot decide: a disputed reference value, for instance."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unbound(Exception):
    """The tree names something without data: an unknown symbol or an opaque construct."""

    def __init__(self, names: list[str], opaque: list[str], syms: tuple[Sym, ...] = (), ambiguous: tuple[str, ...] = ()) -> None:
        super().__init__(", ".join(names + opaque))
        self.names = names
        self.opaque = opaque
        self.syms = syms  # the unknown symbols themselves, in order
        self.ambiguous = ambiguous  # notation that could be read two ways (`a_μ 2025`)


@dataclass(frozen=True)
class Input:
    """One independent input: a standard uncertainty (``sigma``) or a rounding half-width (``res``)."""

    kind: str  # "sigma" or "res"
    label: str


@dataclass
class Val:
    """A value, its gradient over the inputs, its natural-unit dimension, and its magnitude.

    ``mag`` bounds the size of what was computed on the way (|∂f/∂x|·mag(x) summed, plus
    |f| at each step), so that floating-point rounding is judged against the terms that
    cancelled: ``cos(π/2) = 0`` leaves 6e-17, tiny next to the π it came from.
    """

    v: float
    grad: dict[int, float] = field(default_factory=dict)
    dim: float = 0.0
    mag: float = -1.0  # -1: |v|

    def __post_init__(self) -> None:
        if self.mag < 0:
            self.mag = abs(self.v)

    def scaled(self, k: float) -> Val:
        return Val(self.v * k, {i: g * k for i, g in self.grad.items()}, self.dim, self.mag * abs(k))


def combine(a: Val, b: Val, da: float, db: float, v: float, dim: float) -> Val:
    grad = {i: g * da for i, g in a.grad.items()}
    for i, g in b.grad.items():
        grad[i] = grad.get(i, 0.0) + g * db
    return Val(v, grad, dim, abs(da) * a.mag + abs(db) * b.mag + abs(v))


@dataclass
class Context:
    """Inputs of one evaluation; ``resolve`` maps a symbol to a value (reference data)."""

    resolve: Callable[[Sym, Context], Val | None]
    claim_side: bool = False  # written numbers carry their rounding as an input
    inputs: list[Input] = field(default_factory=list)
    cache: dict[str, Val] = field(default_factory=dict)
    used: dict[str, tuple[str, int]] = field(default_factory=dict)  # quantity id -> (edition, year) used
    stated: bool = False  # some number on this side states its own uncertainty
    rounded: frozenset[int] = frozenset()  # id() of the written numbers that carry a rounding
    sample: Sequence[float] | None = None  # Monte Carlo: standard-normal draws, one per input in order

    def new_input(self, kind: str, label: str, coeff: float) -> dict[int, float]:
        self.inputs.append(Input(kind, label))
        return {len(self.inputs) - 1: coeff}

    def draw(self, kind: str, label: str, coeff: float) -> tuple[dict[int, float], float]:
        """A new input and, in a Monte Carlo run, its sampled shift (z · u) for the value."""
        grad = self.new_input(kind, label, coeff)
        idx = len(self.inputs) - 1
        if self.sample is None or kind != "sigma" or idx >= len(self.sample):
            return grad, 0.0
        return grad, float(self.sample[idx]) * coeff

    def sigma(self, val: Val) -> float:
        return math.sqrt(sum(g * g for i, g in val.grad.items() if self.inputs[i].kind == "sigma"))

    def resolution(self, val: Val) -> float:
        return sum(abs(g) for i, g in val.grad.items() if self.inputs[i].kind == "res")


def rounded_numbers(node: Node, exact_integers: bool = False) -> frozenset[int]:
    """The written numbers of a claim whose last digit is a rounding.

    Exponents and the 10 of ``× 10^k`` are exact; so are one-digit integers in a
    compound claim (the 1 and 2 of ``1/(2·137)``), a written 0 (a claim of zero is a
    claim of exactly zero), and, when ``exact_integers`` (an ``=`` whose claim is made of
    integers without a power of ten: ``g_μ = 2``, not ``3 × 10^8``), every integer. The mantissa of a plain claim (``251`` in
    ``251 × 10^{-11}``) and every decimal number are roundings.
    """
    exact: set[int] = set()
    scientific = False  # `3 × 10^8`: a mantissa with a power of ten is a rounding even after `=`
    for n in walk(node):
        if isinstance(n, Pow):
            exact.update(id(m) for m in walk(n.exponent))
            if isinstance(n.base, Num) and n.base.value == 10:
                exact.add(id(n.base))
                scientific = True
    nums = [n for n in walk(node) if isinstance(n, Num) and id(n) not in exact]
    if exact_integers and not scientific and all(n.is_integer for n in nums):
        return frozenset()
    nums = [n for n in nums if not (n.is_integer and n.value == 0)]
    if len(nums) == 1:
        return frozenset({id(nums[0])})
    return frozenset(id(n) for n in nums if not (n.is_integer and len(n.text.lstrip("-")) == 1))


def unbound(node: Node, known: Callable[[Sym], bool]) -> Unbound | None:
    """Names without data, opaque constructs and ambiguous notation in ``node`` (None when it can be evaluated)."""
    found: list[Sym] = []
    opaque: list[str] = []
    ambiguous: list[str] = []
    for n in walk(node):
        if isinstance(n, Sym) and not known(n):
            found.append(n)
        elif isinstance(n, Opaque) and n.why:
            ambiguous.append(n.why)
        elif isinstance(n, Opaque) and n.text not in opaque:
            opaque.append(n.text)
        elif isinstance(n, Tuple) and "an argument list" not in opaque:
            opaque.append("an argument list")
    found.sort(key=lambda s: s.pos)
    names = list(dict.fromkeys(s.text for s in found))
    if names and opaque == ["an argument list"]:
        opaque = []  # f(a, b) with unknown f: the names say it all
    if names or opaque or ambiguous:
        return Unbound(names, opaque, tuple(found), tuple(dict.fromkeys(ambiguous)))
    return None


def evaluate(node: Node, ctx: Context) -> Val:
    """Evaluate ``node``; raises :class:`Unbound` or :class:`EvalError`."""
    handler = _DISPATCH[type(node)]
    out = handler(node, ctx)
    if not math.isfinite(out.v) or abs(out.v) > MAX_MAGNITUDE:
        raise EvalError("the value is too large to compute", getattr(node, "pos", 0))
    return out


def _num(n: Num, ctx: Context) -> Val:
    if n.uncertainty is not None:
        ctx.stated = True
        grad, shift = ctx.draw("sigma", n.text, n.uncertainty)
        return Val(n.value + shift, grad)
    if ctx.claim_side and id(n) in ctx.rounded and n.half_unit > 0:
        return Val(n.value, ctx.new_input("res", n.text, n.half_unit))
    return Val(n.value)


def _sym(n: Sym, ctx: Context) -> Val:
    val = ctx.resolve(n, ctx)
    if val is None:
        raise Unbound([n.text], [])
    return val


def _unit(n: Unit, ctx: Context) -> Val:
    scale, dim = UNITS[n.name]
    return Val(scale, {}, dim)


def _bin(n: Bin, ctx: Context) -> Val:
    a, b = evaluate(n.left, ctx), evaluate(n.right, ctx)
    if n.op in "+-":
        if abs(a.dim - b.dim) > 1e-9:
            raise UnitMismatch("units do not match: a sum or difference of quantities with different units", n.pos)
        sign = 1.0 if n.op == "+" else -1.0
        return combine(a, b, 1.0, sign, a.v + sign * b.v, a.dim)
    if n.op == "*":
        return combine(a, b, b.v, a.v, a.v * b.v, a.dim + b.dim)
    if b.v == 0:
        raise EvalError("division by zero", n.pos)
    return combine(a, b, 1.0 / b.v, -a.v / (b.v * b.v), a.v / b.v, a.dim - b.dim)


def _neg(n: Neg, ctx: Context) -> Val:
    return evaluate(n.operand, ctx).scaled(-1.0)


def _pow(n: Pow, ctx: Context) -> Val:
    base = evaluate(n.base, ctx)
    exp = evaluate(n.exponent, ctx)
    if exp.dim:
        raise UnitMismatch("units do not match: an exponent must be a pure number", n.pos)
    if abs(exp.v) > MAX_EXPONENT:
        raise EvalError(f"the exponent {exp.v:g} is beyond the limit of {MAX_EXPONENT:g}", n.pos)
    if base.dim and exp.grad:
        raise EvalError("a quantity with units cannot have an uncertain exponent", n.pos)
    if base.v < 0 and not float(exp.v).is_integer():
        raise EvalError("a negative number to a fractional power", n.pos)
    if base.v == 0 and exp.v < 0:
        raise EvalError("division by zero", n.pos)
    try:
        v = math.pow(base.v, exp.v)
    except (OverflowError, ValueError):
        raise EvalError("the power is too large to compute", n.pos) from None
    d_base = exp.v * math.pow(base.v, exp.v - 1) if base.v != 0 else 0.0
    d_exp = v * math.log(base.v) if base.v > 0 else 0.0
    return combine(base, exp, d_base, d_exp, v, base.dim * exp.v)


_BERNOULLI_OVER_FACTORIAL = (1 / 12, -1 / 720, 1 / 30240, -1 / 1209600, 1 / 47900160, -691 / 1307674368000)


def _zeta(s: float) -> float:
    """Riemann ζ(s) for real s > 1: a direct sum and the Euler–Maclaurin tail to B₁₂.

    With 20 terms and six Bernoulli corrections the remainder is below 10⁻¹⁸ for s ≥ 2,
    so ζ(3) is right to the last bit of a double (the closed form of C₂ needs it).
    """
    if s <= 1:
        raise ValueError("zeta is only evaluated for s > 1")
    n = 20
    terms = [k ** -s for k in range(1, n)] + [n ** (1 - s) / (s - 1), 0.5 * n ** -s]
    rising = s  # s (s+1) ... (s+2j-2)
    for j, coeff in enumerate(_BERNOULLI_OVER_FACTORIAL, start=1):
        terms.append(coeff * rising * n ** (-s - 2 * j + 1))
        rising *= (s + 2 * j - 1) * (s + 2 * j)
    return math.fsum(terms)


def _dzeta(s: float) -> float:
    h = 1e-6
    return (_zeta(s + h) - _zeta(s - h)) / (2 * h)


def _factorial(x: float) -> float:
    if x < 0 or not float(x).is_integer() or x > MAX_FACTORIAL:
        raise ValueError(f"factorial is evaluated for whole numbers 0..{MAX_FACTORIAL}")
    return float(math.factorial(int(x)))


# fn -> (f, f'); arguments must be pure numbers except for sqrt/abs.
FUNCS: Mapping[str, tuple[Callable[[float], float], Callable[[float], float]]] = {
    "sqrt": (math.sqrt, lambda x: 0.5 / math.sqrt(x) if x > 0 else 0.0),
    "abs": (abs, lambda x: 1.0 if x >= 0 else -1.0),
    "exp": (math.exp, math.exp),
    "ln": (math.log, lambda x: 1.0 / x), "log": (math.log, lambda x: 1.0 / x),
    "log10": (math.log10, lambda x: 1.0 / (x * math.log(10))),
    "log2": (math.log2, lambda x: 1.0 / (x * math.log(2))),
    "sin": (math.sin, math.cos), "cos": (math.cos, lambda x: -math.sin(x)),
    "tan": (math.tan, lambda x: 1.0 / math.cos(x) ** 2), "cot": (lambda x: 1.0 / math.tan(x), lambda x: -1.0 / math.sin(x) ** 2),
    "sinh": (math.sinh, math.cosh), "cosh": (math.cosh, math.sinh), "tanh": (math.tanh, lambda x: 1.0 - math.tanh(x) ** 2),
    "arcsin": (math.asin, lambda x: 1.0 / math.sqrt(1 - x * x)), "arccos": (math.acos, lambda x: -1.0 / math.sqrt(1 - x * x)),
    "arctan": (math.atan, lambda x: 1.0 / (1 + x * x)),
    "zeta": (_zeta, _dzeta), "factorial": (_factorial, lambda x: 0.0),
}


def _call(n: Call, ctx: Context) -> Val:
    arg = evaluate(n.arg, ctx)
    if arg.dim and n.fn not in ("sqrt", "abs"):
        raise UnitMismatch(f"units do not match: {n.fn} needs a pure number, not a quantity with units", n.pos)
    f, df = FUNCS[n.fn]
    try:
        v, d = f(arg.v), df(arg.v)
    except (ValueError, OverflowError, ZeroDivisionError) as exc:
        raise EvalError(f"{n.fn}({arg.v:g}) cannot be computed: {exc}", n.pos) from None
    dim = arg.dim / 2 if n.fn == "sqrt" else arg.dim if n.fn == "abs" else 0.0
    return Val(v, {i: g * d for i, g in arg.grad.items()}, dim, abs(d) * arg.mag + abs(v))


def _plusminus(n: PlusMinus, ctx: Context) -> Val:
    inner = replace(ctx, claim_side=False, rounded=frozenset())  # ± replaces rounding
    value = evaluate(n.value, inner)
    u = evaluate(n.uncertainty, inner)
    if abs(u.dim - value.dim) > 1e-9:
        raise UnitMismatch("units do not match: the uncertainty after ± has other units than the value", n.pos)
    ctx.stated = True
    grad, shift = ctx.draw("sigma", "±", abs(u.v))
    out = Val(value.v + shift, dict(value.grad), value.dim, value.mag)
    out.grad.update(grad)
    return out


def _opaque(n: Opaque | Tuple, ctx: Context) -> Val:
    raise Unbound([], [n.text if isinstance(n, Opaque) else "an argument list"])


_DISPATCH: dict[type, Callable[..., Val]] = {
    Num: _num, Sym: _sym, Unit: _unit, Bin: _bin, Neg: _neg, Pow: _pow, Call: _call,
    PlusMinus: _plusminus, Opaque: _opaque, Tuple: _opaque,
}
