"""Units and dimensions, defined once: SI dimension vectors, and the natural units the evaluator computes in.

Every unit is written down once, as a factor times SI base units with a dimension
vector (``J = kg m² s⁻²``). Two views are derived from that table:

* the **SI dimension** (``M L² T⁻²``), which the symbol tables of terms use and the
  dimension check of a hint compares;
* the **natural-unit scale** (ħ = c = k_B = ε₀ = 1, powers of eV), in which the evaluator
  computes, so ``105.66 MeV``, ``0.10566 GeV/c²`` and ``m_μ c²`` compare directly.

The conversion factors come from the SI-exact constants (h, e, c, k_B), never from
truncated decimals: ħ in eV·s is h/(2π e), so an exact identity such as
``a_0 = ħ/(m_e c α)`` is not spoiled by a rounded conversion. The charge unit needs
one measured number, α (Heaviside–Lorentz units: e = √(4πα)); its central CODATA 2022
value is used, whose relative uncertainty (1.5 × 10⁻¹⁰) is far below any claim's.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

# SI-exact constants (SI 2019): the only inputs of every conversion below.
PLANCK_H = 6.62607015e-34  # J s
ELEMENTARY_CHARGE = 1.602176634e-19  # C
SPEED_OF_LIGHT = 299792458.0  # m/s
BOLTZMANN = 1.380649e-23  # J/K
HBAR_EV_S = PLANCK_H / (2 * math.pi * ELEMENTARY_CHARGE)
HBARC_EV_M = HBAR_EV_S * SPEED_OF_LIGHT
ALPHA_CODATA_2022 = 7.2973525643e-3  # only for the size of a coulomb in natural units
CHARGE_NATURAL = math.sqrt(4 * math.pi * ALPHA_CODATA_2022)  # e in Heaviside–Lorentz natural units

BASES = ("M", "L", "T", "I", "Θ", "N", "J")  # mass, length, time, current, temperature, amount, luminosity
# A base dimension's power of eV in natural units and the size of its SI unit there.
NATURAL: Mapping[str, tuple[int, float]] = {
    "M": (1, SPEED_OF_LIGHT ** 2 / ELEMENTARY_CHARGE),  # 1 kg in eV
    "L": (-1, 1.0 / HBARC_EV_M),  # 1 m in 1/eV
    "T": (-1, 1.0 / HBAR_EV_S),  # 1 s in 1/eV
    "Θ": (1, BOLTZMANN / ELEMENTARY_CHARGE),  # 1 K in eV
    "I": (1, CHARGE_NATURAL / ELEMENTARY_CHARGE * HBAR_EV_S),  # 1 A = 1 C/s in eV
    "N": (0, 1.0),  # a mole counts as 1 (N_A keeps its 6.022 × 10²³)
}
_SUPERSCRIPT = str.maketrans("0123456789-/", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᐟ")


@dataclass(frozen=True)
class Dimension:
    """A product of powers of base dimensions. Names outside ``BASES`` (``Coherence``, ``[Γ]``) are kept as written."""

    powers: tuple[tuple[str, Fraction], ...] = ()

    @staticmethod
    def of(items: Mapping[str, Fraction | int] | Iterable[tuple[str, Fraction | int]]) -> Dimension:
        merged: dict[str, Fraction] = {}
        for name, p in (items.items() if isinstance(items, Mapping) else items):
            merged[name] = merged.get(name, Fraction(0)) + Fraction(p)
        order = {b: i for i, b in enumerate(BASES)}
        kept = sorted(((n, p) for n, p in merged.items() if p), key=lambda np: (order.get(np[0], len(order)), np[0]))
        return Dimension(tuple(kept))

    def __mul__(self, other: Dimension) -> Dimension:
        return Dimension.of(list(self.powers) + list(other.powers))

    def __truediv__(self, other: Dimension) -> Dimension:
        return self * other ** -1

    def __pow__(self, k: Fraction | int) -> Dimension:
        return Dimension.of([(n, p * Fraction(k)) for n, p in self.powers])

    @property
    def dimensionless(self) -> bool:
        return not self.powers

    @property
    def concrete(self) -> bool:
        """Made of SI base dimensions only: comparable with any other concrete dimension."""
        return all(n in BASES for n, _ in self.powers)

    def natural(self) -> Fraction | None:
        """The power of eV in natural units (None for luminosity or named dimensions)."""
        total = Fraction(0)
        for name, p in self.powers:
            if name not in NATURAL:
                return None
            total += NATURAL[name][0] * p
        return total

    def __str__(self) -> str:
        if not self.powers:
            return "dimensionless"
        parts = []
        for name, p in self.powers:
            exp = "" if p == 1 else (str(p) if p.denominator == 1 else f"{p.numerator}/{p.denominator}").translate(_SUPERSCRIPT)
            parts.append(name + exp)
        return " ".join(parts)


DIMENSIONLESS = Dimension()


def _dim(text: str) -> Dimension:
    """``M L^2 T^-2`` (the table below only)."""
    out = []
    for part in text.split():
        name, _, power = part.partition("^")
        out.append((name, Fraction(power) if power else Fraction(1)))
    return Dimension.of(out)


_PC = 648000 / math.pi * 1.495978707e11  # the parsec is defined through the (exact) astronomical unit
# name -> (factor to SI base units, dimension). Prefixed forms are listed where hints use them.
SI_UNITS: dict[str, tuple[float, Dimension]] = {
    "kg": (1.0, _dim("M")), "g": (1e-3, _dim("M")), "m": (1.0, _dim("L")), "s": (1.0, _dim("T")),
    "A": (1.0, _dim("I")), "K": (1.0, _dim("Θ")), "mol": (1.0, _dim("N")), "cd": (1.0, _dim("J")),
    "Hz": (1.0, _dim("T^-1")), "N": (1.0, _dim("M L T^-2")), "Pa": (1.0, _dim("M L^-1 T^-2")),
    "J": (1.0, _dim("M L^2 T^-2")), "W": (1.0, _dim("M L^2 T^-3")), "C": (1.0, _dim("I T")),
    "V": (1.0, _dim("M L^2 T^-3 I^-1")), "F": (1.0, _dim("M^-1 L^-2 T^4 I^2")), "Ω": (1.0, _dim("M L^2 T^-3 I^-2")),
    "T": (1.0, _dim("M T^-2 I^-1")), "Wb": (1.0, _dim("M L^2 T^-2 I^-1")), "rad": (1.0, DIMENSIONLESS),
    "eV": (ELEMENTARY_CHARGE, _dim("M L^2 T^-2")),
    "c": (SPEED_OF_LIGHT, _dim("L T^-1")),  # `MeV/c²`, `GeV/c`
    "au": (1.495978707e11, _dim("L")), "pc": (_PC, _dim("L")), "ly": (9460730472580800.0, _dim("L")),
    "%": (1e-2, DIMENSIONLESS), "‰": (1e-3, DIMENSIONLESS), "ppm": (1e-6, DIMENSIONLESS), "ppb": (1e-9, DIMENSIONLESS),
    "": (1.0, DIMENSIONLESS),
}
_PREFIXES = {"T": 1e12, "G": 1e9, "M": 1e6, "k": 1e3, "c": 1e-2, "m": 1e-3, "u": 1e-6, "n": 1e-9, "p": 1e-12, "f": 1e-15}
for _base, _names in {"eV": "meV keV MeV GeV TeV", "m": "fm nm um mm cm km", "s": "fs ps ns us ms",
                      "Hz": "kHz MHz GHz", "pc": "kpc Mpc Gpc"}.items():
    for _name in _names.split():
        SI_UNITS[_name] = (_PREFIXES[_name[0]] * SI_UNITS[_base][0], SI_UNITS[_base][1])


def natural_unit(factor: float, dim: Dimension) -> tuple[float, float]:
    """(scale in eV^k, k) of ``factor`` times SI base units of ``dim``."""
    scale, power = factor, 0.0
    for name, p in dim.powers:
        k, size = NATURAL[name]  # KeyError for candela: not a natural-unit quantity
        scale *= size ** float(p)
        power += k * float(p)
    return scale, power


# The evaluator's view: unit name -> (scale in eV^dim, dim) with ħ = c = k_B = ε₀ = 1.
UNITS: dict[str, tuple[float, float]] = {
    name: natural_unit(f, d) for name, (f, d) in SI_UNITS.items() if d.natural() is not None}
UNITS["c"] = (1.0, 0.0)  # exactly: c = 1 (the derivation gives it to the last bit or two)


def si_dimension(text: str) -> Dimension:
    """``m^3 kg^-1 s^-2`` -> its SI dimension (the unit strings of reference data). Raises KeyError."""
    dim = DIMENSIONLESS
    for part in text.split():
        name, _, power = part.partition("^")
        dim = dim * SI_UNITS[name][1] ** (Fraction(power) if power else 1)
    return dim


__all__ = [
    "BASES",
    "DIMENSIONLESS",
    "HBARC_EV_M",
    "HBAR_EV_S",
    "SI_UNITS",
    "UNITS",
    "Dimension",
    "natural_unit",
    "si_dimension",
]
