"""Read the ``dimensions`` of a symbol-table entry (``M L² T⁻¹ (Action)``, ``[Γ]/T``, ``J·s``) into a dimension.

Symbol tables write dimensions as base letters (``M L^2 T^-2``, ``ML⁻¹T⁻²``), SI units
(``kg m s^-1``, ``J/K``), quantity names (``Energy``, ``[Time]⁻¹``), references to another
symbol (``[Γ]/T``: the dimension of Γ per time), or words (``dimensionless (bits)``,
``contextual``). A small hand-written tokenizer and a parser with one method per
level read them; anything else is *free text*, reported as ``dimensions-unparsed``
rather than guessed. A parenthesised remark after a space (``(Energy)``) is a remark;
``A or B`` is read only when both readings agree.

Base letters: M mass, L length, T time, I current, Θ temperature. A lone ``N`` or
``J`` is the newton or the joule (as such tables use them), never amount or luminosity.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from .units import DIMENSIONLESS, SI_UNITS, Dimension

MAX_CHARS = 200  # longer text is prose, not a dimension
BASE_LETTERS = {"M": "M", "L": "L", "T": "T", "I": "I", "Θ": "Θ"}
NAMED = {  # quantity names used as dimensions
    "mass": "M", "length": "L", "distance": "L", "time": "T", "duration": "T", "temperature": "Θ", "current": "I",
    "energy": "M L^2 T^-2", "work": "M L^2 T^-2", "heat": "M L^2 T^-2", "action": "M L^2 T^-1",
    "angular momentum": "M L^2 T^-1", "momentum": "M L T^-1", "force": "M L T^-2", "power": "M L^2 T^-3",
    "pressure": "M L^-1 T^-2", "stress": "M L^-1 T^-2", "energy density": "M L^-1 T^-2", "area": "L^2",
    "volume": "L^3", "frequency": "T^-1", "rate": "T^-1", "velocity": "L T^-1", "speed": "L T^-1",
    "acceleration": "L T^-2", "density": "M L^-3", "mass density": "M L^-3", "charge": "I T",
    "entropy": "M L^2 T^-2 Θ^-1", "angle": "", "information": "", "probability": "", "number": "", "count": "",
    "ratio": "",
}
PURE = {"dimensionless", "unitless", "1", "none", "pure number", "radian", "radians", "rad", "bit", "bits", "nat", "nats",
        "dimensionless number", "a pure number"}
_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᐟ", "0123456789-+/")
_TOKEN = re.compile(
    r"\s+|\[[^\[\]]{1,60}\]|[A-Za-zΘθΩμ%‰][A-Za-zΘθΩμ%‰-]*|\d+(?:/\d+)?|[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᐟ]+|\^\{[^{}]*\}|\^\([^()]*\)|\^-?\d+(?:/\d+)?|\*\*-?\d+|[·⋅*×/()]"
)


@dataclass(frozen=True)
class Parsed:
    """A dimension string read: ``dimension`` when it could be, else None and the reason."""

    text: str
    dimension: Dimension | None
    why: str = ""


class _Unreadable(Exception):
    pass


def parse_dimension(text: object) -> Parsed:
    """Read one ``dimensions`` value; never raises."""
    return _parse(str(text if text is not None else "").strip())


@lru_cache(maxsize=8192)  # tables repeat their dimensions ("dimensionless" in most of them)
def _parse(raw: str) -> Parsed:
    try:
        return Parsed(raw, _read(raw))
    except _Unreadable as exc:
        return Parsed(raw, None, str(exc))


def _read(raw: str) -> Dimension:
    text = _clean(raw)
    if not text or len(text) > MAX_CHARS:
        raise _Unreadable("empty" if not text else "too long to be a dimension")
    if re.search(r"\s+or\s+", text):
        readings = {_read(part) for part in re.split(r"\s+or\s+", text)}
        if len(readings) != 1:
            raise _Unreadable("gives two different dimensions")
        return readings.pop()
    if text.casefold() in PURE or text.casefold().startswith("dimensionless"):
        return DIMENSIONLESS
    return _Reader(text).read()


def _clean(raw: str) -> str:
    """Drop quotes, math delimiters, a final full stop and a remark in parentheses after a space."""
    text = raw.strip().strip("`\"'").replace("\\(", "").replace("\\)", "").replace("$", "").strip()
    text = re.sub(r"\\(?:cdot|times)", "·", text)
    text = text.replace("\\", "")
    cut = re.search(r"\s\(", text)
    if cut and cut.start() > 0:
        text = text[: cut.start()]
    text = re.sub(r"\s*[.;:,]\s*$", "", text)
    return text.strip()


class _Reader:
    """``product := factor ((·|*|×|space) factor | / factor)*``; ``factor := atom exponent?``."""

    def __init__(self, text: str) -> None:
        tokens = [t for t in _TOKEN.findall(text) if not t.isspace()]
        if "".join(tokens) != re.sub(r"\s+", "", text):
            raise _Unreadable("contains characters that are not part of a dimension")
        # `ML⁻¹T⁻²`: a run of base letters is one letter per factor, so an exponent binds to the last
        self.tokens = [part for t in tokens for part in (list(t) if _base_letters(t) and _named(t) is None else [t])]
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def read(self) -> Dimension:
        dim = self.product()
        if self.peek() is not None:
            raise _Unreadable(f"unexpected {self.peek()!r}")
        return dim

    def product(self) -> Dimension:
        dim = self.factor()
        while self.peek() not in (None, ")"):
            if self.peek() == "/":
                self.i += 1
                dim = dim / self.factor()
                continue
            if self.peek() in ("·", "⋅", "*", "×"):
                self.i += 1
            dim = dim * self.factor()
        return dim

    def factor(self) -> Dimension:
        tok = self.peek()
        if tok is None:
            raise _Unreadable("ends too early")
        self.i += 1
        if tok == "(":
            dim = self.product()
            if self.peek() != ")":
                raise _Unreadable("an unclosed parenthesis")
            self.i += 1
        else:
            dim = _atom(tok, self)
        return dim ** self.exponent()

    def exponent(self) -> Fraction:
        tok = self.peek()
        if tok is None:
            return Fraction(1)
        if tok[0] in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᐟ":
            text = tok.translate(_SUPER)
        elif tok.startswith(("^", "**")):
            text = tok.lstrip("^*").strip("{}()")
        else:
            return Fraction(1)
        self.i += 1
        try:
            return Fraction(text.replace("+", ""))
        except (ValueError, ZeroDivisionError):
            raise _Unreadable(f"the exponent {tok!r}") from None


def _atom(tok: str, reader: _Reader) -> Dimension:
    """A base letter run (``ML``), a unit, a quantity name (possibly two words), ``[X]``, or ``1``."""
    if tok == "1":
        return DIMENSIONLESS
    if tok.startswith("["):
        inner = tok[1:-1].strip()
        named = _named(inner)
        if named is not None:
            return named
        if re.fullmatch(r"[^\s\[\]]{1,12}", inner):
            return Dimension.of({f"[{inner}]": 1})  # the dimension of another symbol, or a named one
        raise _Unreadable(f"{tok!r} is a phrase, not a dimension")
    nxt = reader.peek()
    if nxt is not None and nxt.isalpha() and _named(f"{tok} {nxt}") is not None:
        reader.i += 1
        return _named(f"{tok} {nxt}")  # type: ignore[return-value]
    named = _named(tok)
    if named is not None:
        return named
    if _base_letters(tok):  # base letters before units: T is time, not tesla
        return Dimension.of({BASE_LETTERS[tok.replace("θ", "Θ")]: 1})
    if tok in SI_UNITS and tok not in ("c", "%", "‰", "ppm", "ppb"):
        return SI_UNITS[tok][1]
    if tok.casefold() in PURE:
        return DIMENSIONLESS
    raise _Unreadable(f"{tok!r} is not a dimension")


def _base_letters(tok: str) -> bool:
    return bool(tok) and all(ch in BASE_LETTERS or ch == "θ" for ch in tok)


def _named(words: str) -> Dimension | None:
    spec = NAMED.get(words.casefold())
    if spec is None:
        return None
    out = DIMENSIONLESS
    for part in spec.split():
        name, _, power = part.partition("^")
        out = out * Dimension.of({name: Fraction(power) if power else 1})
    return out


__all__ = ["Parsed", "parse_dimension"]
