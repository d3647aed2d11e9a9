"""Reference data: size, spellings, editions, cross-checks with scipy's CODATA, extensions."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from compiler.checks import check_hint
from compiler.checks.parser import Sym, parse
from compiler.checks.reference import DATA_FILE, load_reference
from compiler.checks.tokenizer import tokenize


@pytest.fixture(scope="module")
def ref():
    return load_reference()


def test_shipped_data_loads_cleanly(ref) -> None:
    assert ref.problems == []
    assert len(ref.quantities) >= 70
    readings = {r for a in ref.ambiguous.values() for r in a.readings}
    for q in ref.quantities.values():
        assert q.symbols or q.id in readings, f"{q.id} can never be named"
        assert q.editions or q.formula is not None or q.unchecked, q.id
        for e in q.editions:
            assert e.source and e.edition and e.uncertainty >= 0 and math.isfinite(e.value), q.id
            assert e.year or e.source.startswith("exact (mathematics)"), q.id


def test_every_spelling_resolves_to_its_quantity(ref) -> None:
    for q in ref.quantities.values():
        for spelling in q.symbols:
            node = parse(tokenize(spelling))
            assert isinstance(node, Sym), spelling
            assert ref.lookup(node) is q, spelling


def test_no_spelling_is_claimed_twice() -> None:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    seen: dict = {}
    from compiler.checks.reference import symbol_key

    for q in raw["quantities"]:
        for s in q["symbols"]:
            key = symbol_key(parse(tokenize(s)))
            assert seen.setdefault(key, q["id"]) == q["id"], f"{s} names both {seen[key]} and {q['id']}"


def test_editions_are_picked_by_year(ref) -> None:
    amu = ref.quantities["a_mu_exp"]
    assert amu.at(2021).value == pytest.approx(116592061e-11)
    assert amu.at(2024).value == pytest.approx(116592059e-11)
    assert amu.at(None).value == pytest.approx(116592071.5e-11)
    assert amu.at(1990).edition == amu.editions[0].edition  # before the first: the earliest
    assert ref.quantities["m_tau"].at(2024).uncertainty == pytest.approx(0.09)


CODATA_NAMES = {
    "alpha": "fine-structure constant", "m_e": "electron mass energy equivalent in MeV",
    "m_mu": "muon mass energy equivalent in MeV", "m_p": "proton mass energy equivalent in MeV",
    "m_n": "neutron mass energy equivalent in MeV", "m_d": "deuteron mass energy equivalent in MeV",
    "R_inf": "Rydberg constant", "a_0": "Bohr radius", "r_e": "classical electron radius",
    "G": "Newtonian constant of gravitation", "lambda_C": "Compton wavelength", "G_F": "Fermi coupling constant",
    "M_Pl": "Planck mass energy equivalent in GeV", "a_e": "electron mag. mom. anomaly",
    "m_u_amu": "atomic mass constant energy equivalent in MeV", "epsilon_0": "vacuum electric permittivity",
    "mu_0": "vacuum mag. permeability", "l_Pl": "Planck length", "t_Pl": "Planck time", "T_Pl": "Planck temperature",
    "h": "Planck constant", "c": "speed of light in vacuum", "k_B": "Boltzmann constant", "N_A": "Avogadro constant",
    "elementary_charge": "elementary charge", "delta_nu_Cs": "hyperfine transition frequency of Cs-133",
}


@pytest.mark.parametrize("year", [2018, 2022])
def test_codata_values_and_uncertainties_have_all_their_digits(ref, year: int) -> None:
    """Every CODATA edition (and the SI-exact constants) against scipy's copy of the CODATA tables."""
    codata = pytest.importorskip("scipy.constants._codata")
    table = getattr(codata, f"_physical_constants_{year}", None)
    if table is None:
        pytest.skip(f"this scipy has no CODATA {year} table")
    checked = 0
    for qid, name in CODATA_NAMES.items():
        for e in ref.quantities[qid].editions:
            if e.edition == f"CODATA {year}" or e.edition == "SI 2019" and year == 2022:
                value, _, unc = table[name]
                assert e.value == value, (qid, e.edition)  # the same double: no digit dropped
                assert e.uncertainty == pytest.approx(unc, rel=1e-9, abs=0), (qid, e.edition)
                checked += 1
    assert checked >= (18 if year == 2022 else 14)


def test_si_exact_constants_are_exact_and_hbar_is_computed(ref) -> None:
    for qid in ("h", "elementary_charge", "k_B", "N_A", "c", "delta_nu_Cs"):
        (e,) = ref.quantities[qid].editions
        assert e.uncertainty == 0 and "exact" in e.source, qid
    hbar = ref.quantities["hbar"]
    assert not hbar.editions and hbar.formula_text == "h/(2\\pi)"
    constants = pytest.importorskip("scipy.constants")
    from compiler.checks.evaluator import Context
    from compiler.checks.units import HBAR_EV_S, HBARC_EV_M, UNITS

    value = ref.value(hbar, None, Context(ref.resolver(None)))
    assert value.v / UNITS["J"][0] / UNITS["s"][0] == pytest.approx(constants.hbar, rel=1e-15)
    assert HBAR_EV_S == pytest.approx(constants.hbar / constants.e, rel=1e-15)  # the conversions are exact too
    assert HBARC_EV_M == pytest.approx(constants.physical_constants["reduced Planck constant times c in MeV fm"][0] * 1e-9,
                                       rel=1e-15)
    assert UNITS["K"][0] == pytest.approx(constants.physical_constants["Boltzmann constant in eV/K"][0], rel=1e-15)
    for hint in (r"\hbar = \frac{h}{2\pi}", r"a_0 = \frac{\hbar}{m_e c \alpha}", "h = 2π ħ", "k_B ≈ 8.617333262 × 10⁻⁵ eV/K"):
        assert check_hint(hint).status == "pass", check_hint(hint).message


# 30 significant digits, independent of the code under test (Abramowitz & Stegun / OEIS).
THIRTY_DIGITS = {
    "pi": "3.14159265358979323846264338328", "euler_e": "2.71828182845904523536028747135",
    "gamma_E": "0.577215664901532860606512090082", "zeta_3": "1.20205690315959428539973816151",
}
ZETA = {2: "1.64493406684822643647241516665", 3: "1.20205690315959428539973816151",
        4: "1.08232323371113819151600369654", 5: "1.03692775514336992633136548646",
        7: "1.00834927738192282683979754985"}


def test_mathematical_constants_to_full_double_precision(ref) -> None:
    for qid, digits in THIRTY_DIGITS.items():
        (e,) = ref.quantities[qid].editions
        assert e.value == float(digits), qid  # the nearest double to the true value
    from compiler.checks.evaluator import FUNCS

    zeta = FUNCS["zeta"][0]
    for s, digits in ZETA.items():
        assert abs(zeta(float(s)) - float(digits)) <= 2 * math.ulp(float(digits)), s
    assert check_hint("ζ(3) = ζ_3").status == "pass"
    assert check_hint("ln 2 ≈ 0.693147180559945").status == "pass"
    assert check_hint("0.75 ≈ ln 2").status == "fail"


def test_alpha_equals_e2_over_4pi_eps0_hbar_c(ref) -> None:
    c = pytest.importorskip("scipy.constants")
    alpha = c.e ** 2 / (4 * math.pi * c.epsilon_0 * c.hbar * c.c)
    ours = ref.quantities["alpha"].at(2022)
    assert abs(alpha - ours.value) <= 2 * ours.uncertainty


def test_the_two_alpha_editions_differ_by_the_published_shift(ref) -> None:
    a18, a22 = (1 / ref.quantities["alpha"].at(y).value for y in (2018, 2022))
    assert a18 == pytest.approx(137.035999084, abs=1e-9)
    assert a22 == pytest.approx(137.035999177, abs=1e-9)


def test_delta_a_mu_is_experiment_minus_theory_of_the_edition() -> None:
    assert check_hint("Δa_μ = 251(59) × 10⁻¹¹", edition="2021").status == "pass"
    assert check_hint("Δa_μ = 38.5(63.7) × 10⁻¹¹", edition="2025").status == "pass"
    assert check_hint("Δa_μ = a_μ^exp - a_μ^SM").status == "pass"  # the same inputs: exactly equal


def test_extension_folder_adds_quantities_and_editions(tmp_path: Path) -> None:
    (tmp_path / "extra.yaml").write_text(
        "quantities:\n"
        "  - id: m_x17\n    name: X17 boson mass (ATOMKI)\n    symbols: ['m_X', 'm_{X17}']\n    unit: MeV\n"
        "    editions:\n      - {edition: ATOMKI 2016, year: 2016, value: '16.70', uncertainty: '0.35',"
        " source: Krasznahorkay et al.}\n"
        "  - id: m_tau\n    symbols: ['m_\\tau']\n    unit: MeV\n"
        "    editions:\n      - {edition: test 2030, year: 2030, value: '1777.00', uncertainty: '0.01', source: test}\n",
        encoding="utf-8",
    )
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    ref = load_reference([tmp_path])
    assert "m_x17" in ref.quantities
    assert ref.quantities["m_tau"].at(None).value == 1777.0
    assert ref.quantities["m_tau"].at(2024).value == pytest.approx(1776.93)
    assert len(ref.problems) == 1 and "broken.json" in ref.problems[0]


def test_hbar_is_h_over_two_pi_to_full_precision(ref) -> None:
    assert check_hint("ħ = 1.0545718176 × 10⁻³⁴ J s").status == "pass"  # more digits than CODATA prints
    assert check_hint("ħ = 1.05457181764616 × 10⁻³⁴ J s").status == "pass"  # h/2π to 15 digits
    assert check_hint("ħ = 1.0545718177 × 10⁻³⁴ J s").status == "fail"  # one unit off in the last digit


def test_e821_editions_published_and_rescaled(ref) -> None:
    e821 = ref.quantities["a_mu_E821"]
    assert [(e.year, round(e.value * 1e11), round(e.uncertainty * 1e11)) for e in e821.editions] == [
        (2006, 116592080, 63),
        (2008, 116592089, 63),
    ]
    # a = R/(lambda - R): moving mu_mu/mu_p from 3.18334539 (CODATA 1998) to 3.183345137 (CODATA 2006)
    # raises a by the same fraction, which turns the published value into the rescaled one.
    published = e821.editions[0].value
    ratio = 3.18334539 * published / (1 + published)  # R = lambda a / (1 + a), the measured frequency ratio
    rescaled = ratio / (3.183345137 - ratio)
    assert rescaled == pytest.approx(e821.at(None).value, abs=1e-11)
    assert "Rev. Mod. Phys. 80, 633" in e821.at(None).source


def test_sources_of_the_2025_numbers_are_the_journal_papers(ref) -> None:
    assert "Phys. Rev. Lett. 135, 101802" in ref.quantities["a_mu_exp"].at(2025).source
    for qid in ("a_mu_SM", "a_mu_hvp_lo", "a_mu_hlbl"):
        assert "Phys. Rept. 1143, 1" in ref.quantities[qid].at(2025).source, qid
    assert all("arXiv" not in e.source for q in ref.quantities.values() for e in q.editions)


def test_a_e_editions_and_the_hlbl_entry(ref) -> None:
    a_e = ref.quantities["a_e"]
    assert [(e.year, e.value) for e in a_e.editions] == [
        (2018, 1.15965218128e-3),
        (2022, 1.15965218046e-3),
        (2023, 1.15965218059e-3),
    ]
    hlbl = ref.quantities["a_mu_hlbl"]
    assert (hlbl.at(2020).value, hlbl.at(2020).uncertainty) == pytest.approx((92e-11, 18e-11))
    assert (hlbl.at(None).value, hlbl.at(None).uncertainty) == pytest.approx((115.5e-11, 9.9e-11))
    assert check_hint(r"a_\mu^{\text{HLbL}} = 115.5(9.9) \times 10^{-11}").status == "pass"
    assert check_hint("a_μ^{HLbL} ≈ 92 × 10⁻¹¹").status == "stale"


def test_c5_is_present_and_flagged_disputed_and_c2_cites_both_papers(ref) -> None:
    c5 = ref.quantities["C5"]
    assert {round(e.value, 3) for e in c5.editions} == {6.737, 5.891} and "5 sigma" in c5.disputed
    result = check_hint("C_5 ≈ 6.737")
    assert result.status == "unchecked" and "disputed" in result.message
    assert "Phys. Rev. 107, 328" in ref.quantities["C2"].at(None).source
