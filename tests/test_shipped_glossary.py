"""The shipped glossary (`terms/`) keeps its promises.

Why this exists: `terms/` is the first thing a new user builds, and its pages say
"checked" next to numbers. This test pins every numeric hint to the shipped reference
data *independently of the checker*: each row names the reference quantities a hint uses,
reads their values from ``reference_data.json`` by id, recomputes the claim in plain
Python and compares it with the number written in the term file. It fails when someone
edits a hint, when a new edition of the reference data moves a value so that a claim no
longer holds, or when the checker's verdict on a hint changes. Every hint of the glossary
must appear in exactly one table, so a new hint cannot slip in unpinned.
"""
from __future__ import annotations

import importlib.util
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from compiler.build import load_glossary

TERMS = Path(__file__).resolve().parents[1] / "terms"
REFERENCE = json.loads((files("compiler.checks") / "reference_data.json").read_text(encoding="utf-8"))
QUANTITIES: dict[str, Mapping] = {q["id"]: q for q in REFERENCE["quantities"]}


# --- reading the reference data ---------------------------------------------------------------


def edition(qid: str, year: int | None = None) -> tuple[float, float]:
    """(value, standard uncertainty) of a quantity: its latest edition, or the latest dated ``year`` or earlier."""
    eds = sorted(QUANTITIES[qid]["editions"], key=lambda e: int(e.get("year") or 0))
    chosen = eds[-1] if year is None else next((e for e in reversed(eds) if int(e.get("year") or 0) <= year), eds[0])
    return float(chosen["value"]), float(chosen.get("uncertainty") or 0)


def recompute(fn: Callable[..., float], uses: tuple[str, ...], year: int | None) -> tuple[float, float]:
    """Value of ``fn`` at the reference values, and its linearly propagated standard uncertainty."""
    values = [edition(q, year) for q in uses]
    centre = fn(*(v for v, _ in values))
    variance = 0.0
    for i, (v, u) in enumerate(values):
        if u:
            step = u * 1e-3
            shifted = [x for x, _ in values]
            shifted[i] = v + step
            variance += ((fn(*shifted) - centre) / step * u) ** 2
    return centre, math.sqrt(variance)


# --- reading the claim as written ---------------------------------------------------------------

_NUMBER = re.compile(r"^(-?)(\d+)(?:\.(\d+))?(?:\((\d+(?:\.\d+)?)\))?(?:e(-?\d+))?$")


def claimed(text: str) -> tuple[float, float, float]:
    """``"1.1614e-3"`` or ``"116592033(62)e-11"`` -> (value, half a unit of the last digit, stated uncertainty)."""
    m = _NUMBER.match(text)
    assert m, f"bad claim spelling in the table: {text!r}"
    sign, whole, frac, unc, exp = m.groups()
    scale = 10.0 ** int(exp or 0)
    digits = len(frac or "")
    value = float(f"{sign}{whole}.{frac or '0'}") * scale
    half_unit = 0.5 * 10.0 ** -digits * scale
    stated = 0.0
    if unc is not None:  # concise notation: the uncertainty applies to the last digits written
        stated = float(unc) * (10.0 ** -digits if "." not in unc else 1.0) * scale
    return value, half_unit, stated


def holds(text: str, computed: float, sigma: float) -> bool:
    """The project's rule for a written number: rounding plus 2σ, or 2√(u² + σ²) with a stated u."""
    value, half_unit, stated = claimed(text)
    if stated:
        return abs(computed - value) <= 2 * math.hypot(stated, sigma)
    return abs(computed - value) <= half_unit + 2 * sigma


# --- the tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Numeric:
    term: str
    index: int  # formal_mappings.candidates[index]
    written: str  # the number as it appears in the hint (whitespace ignored)
    claim: str  # the same number in the table's spelling
    uses: tuple[str, ...]  # reference quantity ids
    fn: Callable[..., float]
    status: str = "pass"
    was_true_in: int | None = None  # for stale claims: a year whose editions make it hold


NUMERIC = [
    Numeric("LEPTON", 0, "16.82", "16.82", ("m_tau", "m_mu"), lambda t, m: t / m),
    Numeric("ELECTRON", 0, "0.51099895", "0.51099895", ("m_e",), lambda m: m),
    Numeric("MUON", 0, "206.768", "206.768", ("m_mu", "m_e"), lambda mu, e: mu / e),
    Numeric("MUON", 1, "105.658", "105.658", ("m_mu",), lambda m: m),
    Numeric("TAU", 0, "1776.9", "1776.9", ("m_tau",), lambda m: m),
    Numeric("G_FACTOR", 1, "2.0023193044", "2.0023193044", ("a_e",), lambda a: 2 * (1 + a)),
    Numeric("DIRAC_VALUE", 0, "=2", "2", ("g_dirac",), lambda g: g),
    Numeric("ELECTRON_ANOMALY", 0, "1.15965218", "1.15965218e-3", ("a_e",), lambda a: a),
    Numeric("MUON_ANOMALY", 0, "1.16592", "1.16592e-3", ("a_mu_exp",), lambda a: a),
    Numeric("MUON_ANOMALY", 1, "2.00233184", "2.00233184", ("a_mu_exp",), lambda a: 2 * (1 + a)),
    Numeric("QED_PERTURBATION_SERIES", 1, "5.3955", "5.3955e-6", ("alpha", "pi"), lambda a, p: (a / p) ** 2),
    Numeric("SCHWINGER_TERM", 0, "1.1614", "1.1614e-3", ("alpha", "pi"), lambda a, p: a / (2 * p)),
    Numeric("SCHWINGER_TERM", 1, "0.00116141", "0.00116141", ("alpha", "pi"), lambda a, p: a / (2 * p)),
    Numeric("SCHWINGER_TERM", 2, "-1.758", "-1.758e-6", ("a_e", "alpha", "pi"), lambda e, a, p: e - a / (2 * p)),
    Numeric("QED_COEFFICIENTS", 0, r"\frac{1}{2}", "0.5", ("C1",), lambda c: c),
    Numeric("QED_COEFFICIENTS", 1, "-0.328479", "-0.328479", ("C2",), lambda c: c),
    Numeric("QED_COEFFICIENTS", 2, "1.181241", "1.181241", ("C3",), lambda c: c),
    Numeric("QED_COEFFICIENTS", 3, "-1.912246", "-1.912246", ("C4",), lambda c: c),
    Numeric("FINE_STRUCTURE_CONSTANT", 0, "137.036", "137.036", ("alpha",), lambda a: 1 / a),
    Numeric("FINE_STRUCTURE_CONSTANT", 1, "7.2974", "7.2974e-3", ("alpha",), lambda a: a),
    Numeric("ATOM_RECOIL_ALPHA", 0, "137.035999", "137.035999", ("alpha",), lambda a: 1 / a),
    Numeric("CODATA", 0, "137.035999177(21)", "137.035999177(21)", ("alpha",), lambda a: 1 / a),
    Numeric("KUSCH_FOLEY_EXPERIMENT", 0, "1.00119", "1.00119(5)", ("a_e",), lambda a: 1 + a),
    Numeric("MAGIC_MOMENTUM", 0, "29.30", "29.30", ("a_mu_exp",), lambda a: math.sqrt(1 + 1 / a)),
    Numeric("MAGIC_MOMENTUM", 1, "3094", "3094", ("m_mu", "a_mu_exp"), lambda m, a: m / math.sqrt(a)),
    Numeric("BNL_E821", 0, "116592089(63)", "116592089(63)e-11", ("a_mu_E821",), lambda a: a),
    Numeric("FERMILAB_E989", 0, "116592071.5(14.5)", "116592071.5(14.5)e-11", ("a_mu_exp",), lambda a: a),
    Numeric("FERMILAB_E989", 1, "1.165921", "1.165921e-3", ("a_mu_exp",), lambda a: a),
    Numeric("JPARC_G2_EDM", 0, "3.01", "3.01", ("m_mu",), lambda m: math.sqrt(1 + (300 / m) ** 2)),
    Numeric("HADRONIC_VACUUM_POLARIZATION", 0, "7132", "7132e-11", ("a_mu_hvp_lo",), lambda a: a),
    Numeric("HADRONIC_LIGHT_BY_LIGHT", 0, "115.5(9.9)", "115.5(9.9)e-11", ("a_mu_hlbl",), lambda a: a),
    Numeric("HADRONIC_LIGHT_BY_LIGHT", 1, "92", "92e-11", ("a_mu_hlbl",), lambda a: a, status="stale", was_true_in=2020),
    Numeric("HADRONIC_VACUUM_POLARIZATION", 1, "6931", "6931e-11", ("a_mu_hvp_lo",), lambda a: a,
            status="stale", was_true_in=2020),
    Numeric("STANDARD_MODEL_PREDICTION", 0, "116592033(62)", "116592033(62)e-11", ("a_mu_SM",), lambda a: a),
    Numeric("STANDARD_MODEL_PREDICTION", 1, "116591810(43)", "116591810(43)e-11", ("a_mu_SM",), lambda a: a,
            status="stale", was_true_in=2020),
    Numeric("MUON_G2_THEORY_INITIATIVE", 0, "1.16592033", "1.16592033e-3", ("a_mu_SM",), lambda a: a),
    Numeric("MUON_G2_ANOMALY", 0, "251", "251e-11", ("a_mu_exp", "a_mu_SM"), lambda x, s: x - s,
            status="stale", was_true_in=2021),
    Numeric("MUON_G2_ANOMALY", 1, "38(63)", "38(63)e-11", ("a_mu_exp", "a_mu_SM"), lambda x, s: x - s),
    Numeric("NEW_PHYSICS_EXPLANATIONS", 1, "4.275", "4.275e4", ("m_mu", "m_e"), lambda mu, e: (mu / e) ** 2),
    Numeric("X17_ATOMKI_ANOMALY", 1, "1.022", "1.022", ("m_e",), lambda m: 2 * m),
    Numeric("MUONE", 0, "418", "418", ("m_mu", "m_e"), lambda mu, e: math.sqrt(mu ** 2 + e ** 2 + 2 * e * 160000.0)),
    Numeric("PION_PAIR_CROSS_SECTION", 0, "9.1", "9.1", ("m_pi_pm",),
            lambda m: (1 - 4 * m ** 2 / 775.0 ** 2) ** 1.5 * 45 / 4),
    Numeric("WINDOW_OBSERVABLES", 0, "3.8", "3.8", (), lambda: (235.56 - 229.4) / math.hypot(0.82, 1.4)),
    Numeric("HVP_HIGHER_ORDERS", 0, "6845", "6845", (), lambda: 6931 - 98.3 + 12.4),
    Numeric("MASS_DEPENDENT_QED", 0, "1.083", "1.083", ("m_mu", "m_e"), lambda mu, e: math.log(mu / e) / 3 - 25 / 36),
    Numeric("RUNNING_ALPHA", 0, "128.936", "128.936", ("alpha",), lambda a: (1 - 0.0314977 - 0.02761) / a),
    Numeric("THOMAS_BMT_EQUATION", 1, "0.03417", "0.03417", ("a_mu_exp",), lambda a: a * math.sqrt(1 + 1 / a)),
    Numeric("MUONIUM", 0, "206.7682827(46)", "206.7682827(46)", ("m_mu", "m_e"), lambda mu, e: mu / e),
    Numeric("CERN_MUON_G2", 0, "0.001162(5)", "0.001162(5)", ("a_mu_exp",), lambda a: a),
    Numeric("CERN_MUON_G2", 1, "1165923.0(8.5)", "1165923.0(8.5)e-9", ("a_mu_exp",), lambda a: a),
]

# Hints the checker must leave undecided, with the reason the term's justification gives.
UNCHECKED = {
    ("MAGNETIC_MOMENT", 0): "symbolic",
    ("BOHR_MAGNETON", 0): "symbolic",
    ("G_FACTOR", 0): "symbolic",
    ("ANOMALOUS_MAGNETIC_MOMENT", 0): "symbolic",
    ("TAU_ANOMALY", 0): "a_τ",
    ("TAU_ANOMALY", 1): "a_τ",
    ("QED_PERTURBATION_SERIES", 0): "symbolic",
    ("QED_COEFFICIENTS", 4): "disputed",
    ("PENNING_TRAP", 0): "symbolic",
    ("SPIN_PRECESSION", 0): "symbolic",
    ("STORAGE_RING", 0): "symbolic",
    ("LATTICE_QCD", 0): "symbolic",
    ("DISPERSIVE_METHOD", 0): "symbolic",
    ("ELECTROWEAK_CONTRIBUTION", 0): "symbolic",
    ("NEW_PHYSICS_EXPLANATIONS", 0): "symbolic",
    ("DARK_PHOTON", 0): "symbolic",
    ("X17_ATOMKI_ANOMALY", 0): "m_X",
    ("MUONE", 1): "does not compute",
    ("TAU_DECAY_HVP", 0): "symbolic",
    ("THOMAS_BMT_EQUATION", 0): "symbolic",
    ("ELECTRIC_DIPOLE_MOMENT", 0): "d_μ",
    ("FIELD_CALIBRATION", 0): "does not compute",
}

HOOKED = {("TOROIDAL_C2_FORMULA", 0): "fail"}


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def glossary():
    return load_glossary(TERMS, checks=True)


@pytest.fixture(scope="module")
def hints(glossary) -> dict[tuple[str, int], str]:
    out = {}
    for term in glossary.terms:
        for i, candidate in enumerate((term.data.get("formal_mappings") or {}).get("candidates") or []):
            if "equation_hint" in candidate:
                out[(term.id, i)] = str(candidate["equation_hint"])
    return out


@pytest.fixture(scope="module")
def verdicts(glossary) -> dict[tuple[str, int], object]:
    out = {}
    for result in glossary.checks:
        m = re.fullmatch(r"/formal_mappings/candidates/(\d+)/equation_hint", result.pointer or "")
        if m:
            out[(result.term, int(m.group(1)))] = result
    return out


def _row_id(row: Numeric) -> str:
    return f"{row.term}[{row.index}]"


# --- the tests ----------------------------------------------------------------------------------


def test_every_hint_is_pinned_exactly_once(hints):
    numeric = {(r.term, r.index) for r in NUMERIC}
    tables = [numeric, set(UNCHECKED), set(HOOKED)]
    assert sum(len(t) for t in tables) == len(numeric | set(UNCHECKED) | set(HOOKED)), "a hint is in two tables"
    assert set(hints) == numeric | set(UNCHECKED) | set(HOOKED)


@pytest.mark.parametrize("row", NUMERIC, ids=_row_id)
def test_numeric_claim_holds_against_reference_data(row: Numeric, hints):
    hint = re.sub(r"\s+", "", hints[(row.term, row.index)])
    assert row.written in hint, f"the hint changed: {hint!r} no longer states {row.written!r}"
    value, sigma = recompute(row.fn, row.uses, None)
    if row.status == "pass":
        assert holds(row.claim, value, sigma), f"{row.claim} vs reference {value!r} ± {sigma!r}"
    else:  # stale: true for its own edition, false today
        old, old_sigma = recompute(row.fn, row.uses, row.was_true_in)
        assert holds(row.claim, old, old_sigma), f"{row.claim} vs {row.was_true_in} reference {old!r}"
        assert not holds(row.claim, value, sigma), f"{row.claim} now holds; drop its waiver and make it pass"


@pytest.mark.parametrize("row", NUMERIC, ids=_row_id)
def test_checker_agrees_with_the_recomputation(row: Numeric, verdicts):
    result = verdicts[(row.term, row.index)]
    assert result.status == row.status, result.message


@pytest.mark.parametrize("key", sorted(UNCHECKED), ids=lambda k: f"{k[0]}[{k[1]}]")
def test_unchecked_hints_say_why(key, verdicts):
    result = verdicts[key]
    assert result.status == "unchecked", result.message
    assert UNCHECKED[key].casefold() in f"{result.reason} {result.message}".casefold()


def _toroidal_c2(epsilon: float) -> float:
    """The blog post's formula, written again here (trapezoid rule) so the test does not trust the hook."""
    theta = np.linspace(0.0, 2.0 * np.pi, 2048, endpoint=False)
    integral = float(np.mean(np.cos(theta) / (1.0 / epsilon - np.cos(theta)) ** 1.5) * 2.0 * np.pi)
    shape = 0.5 * epsilon ** 1.5 * (1.0 + 0.75 * epsilon ** 2) * integral
    return -1.0 / 3.0 * (1.0 - 3.0 * epsilon / (2.0 * np.pi ** 2) * shape)


@pytest.fixture(scope="module")
def toroidal_hook():
    """The shipped hook module, loaded from its file as the compiler's hook runner does."""
    spec = importlib.util.spec_from_file_location("shipped_toroidal_c2", TERMS / "checks" / "toroidal_c2.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_toroidal_claim_is_the_posts_and_stays_refuted(hints, verdicts):
    hint = re.sub(r"\s+", "", hints[("TOROIDAL_C2_FORMULA", 0)])
    assert hint.endswith(r"\approx-0.3284789"), "the hint states what the post claims its formula gives"
    result = verdicts[("TOROIDAL_C2_FORMULA", 0)]
    assert result.status == HOOKED[("TOROIDAL_C2_FORMULA", 0)]
    # The verdict compares the formula with the number the hint claims, not with a digit of C2.
    assert result.claimed == claimed("-0.3284789")[0]
    formula = _toroidal_c2(edition("alpha")[0])
    assert abs(result.computed - formula) < 1e-14
    assert abs(formula + 1.0 / 3.0) < 1e-11
    assert result.deviation.relative == pytest.approx((formula + 0.3284789) / 0.3284789, abs=1e-6)
    assert "1.48%" in result.message
    # The claimed number is C2 cut (not rounded) to seven decimals: the target is right, the formula is not.
    c2, _ = edition("C2")
    assert 0.5e-7 < abs(c2 - result.claimed) < 1e-7
    assert abs(formula - c2) / abs(c2) > 0.01


def test_toroidal_correction_scales_as_alpha_to_the_fifth(toroidal_hook):
    alpha = edition("alpha")[0]
    for eps in (alpha, 2 * alpha, alpha / 3):
        integral, error = toroidal_hook.poloidal_integral(1 / eps)
        assert abs(integral - toroidal_hook.poloidal_integral_trapezoid(1 / eps)) < 1e-18 + 1e-9 * integral
        assert error < 1e-12 * integral + 1e-16
        k = toroidal_hook.correction(eps, integral)
        assert k == pytest.approx(9 / (8 * math.pi) * eps ** 5, rel=0.02)
    assert toroidal_hook.correction(alpha, toroidal_hook.poloidal_integral(1 / alpha)[0]) < 1e-11


@pytest.mark.parametrize("hint, status", [
    (r"C_2^{\text{tor}}(\alpha) \approx -0.3284789", "fail"),
    ("C₂ᵗᵒʳ(α) ≈ −0.3333333", "pass"),   # the formula's true value, Unicode minus: the hook can pass
    ("C_2^{tor}(alpha) = -1/3 (1 - k)", "unchecked"),   # no number after the last sign: no claim
])
def test_toroidal_hook_judges_the_number_the_hint_claims(toroidal_hook, hint, status):
    result = toroidal_hook.check({}, {"equation_hint": hint})
    assert result["status"] == status, result["message"]
    if status != "unchecked":
        assert result["claimed"] == claimed(re.findall(r"[-−]?\d+\.\d+", hint)[-1].replace("−", "-"))[0]


def test_known_findings_are_waived_and_nothing_else_is_left(glossary):
    leftover = [d for d in glossary.diagnostics if d.severity.value in ("error", "warning") and not d.waived]
    assert leftover == [], [f"{d.file}:{d.line} {d.code} {d.message}" for d in leftover]
    waived = {(t.id, w["pointer"]) for t in glossary.terms for w in t.data.get("waivers") or []}
    expected = {(r.term, f"/formal_mappings/candidates/{r.index}/equation_hint") for r in NUMERIC if r.status != "pass"}
    expected |= {(term, f"/formal_mappings/candidates/{i}/equation_hint") for (term, i) in HOOKED}
    expected |= {("G_FACTOR", "/operational_definition/symbol_table/1/dimensions")}  # a: the anomaly, and the lattice spacing
    assert waived == expected


def test_glossary_is_one_connected_graph_of_45_to_60_terms(glossary):
    import networkx as nx

    ids = {t.id for t in glossary.terms}
    assert ids == {p.stem for p in TERMS.glob("*.md")}
    assert 45 <= len(ids) <= 60
    undirected = nx.Graph(glossary.graph.to_undirected())
    assert ids <= set(undirected.nodes)
    assert nx.is_connected(undirected.subgraph(ids))


def test_every_status_shows_on_real_content(verdicts):
    counts: dict[str, int] = {}
    for result in verdicts.values():
        counts[result.status] = counts.get(result.status, 0) + 1
    assert set(counts) == {"pass", "fail", "stale", "unchecked"}, counts
    assert counts["pass"] > counts["unchecked"] > counts["stale"] >= counts["fail"] == 1
