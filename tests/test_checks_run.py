"""run_checks: one result per hint, located diagnostics, JSON shape, the seed's stale claim."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from compiler.checks import run_checks
from compiler.codes import CODES
from compiler.model import Location, Term

SEED_HINT = r"\Delta a_\mu = a_\mu^{\text{exp}} - a_\mu^{\text{SM}} \approx 251 \times 10^{-11}"
JSON_KEYS = {"term", "file", "line", "pointer", "hint", "hook", "status", "relation", "computed", "uncertainty",
             "claimed", "deviation", "edition", "message", "evidence", "class", "reason"}


def make_term(tid: str, formal: Any, locations: dict[str, int] | None = None) -> Term:
    locs = {p: Location(line, 9) for p, line in (locations or {}).items()}
    return Term(id=tid, file=f"{tid}.md", path=Path(f"/glossary/{tid}.md"), data={"term": tid, "formal_mappings": formal},
                body="", body_line=0, locations=locs, header_lines=(1,))


def seed_term() -> Term:
    formal = {"candidates": [{"target": "Muon g-2 Anomaly", "equation_hint": SEED_HINT + "\n",
                              "references": [{"title": "PRL 126, 141801", "date": "2021-04-07"}]}]}
    return make_term("LEPTONIC_ANOMALY", formal, {"/formal_mappings/candidates/0/equation_hint": 84})


def test_seed_hint_is_stale_with_both_editions_shown() -> None:
    results, diags = run_checks([seed_term()])
    (r,) = results
    out = r.to_json()
    assert set(out) == JSON_KEYS
    assert out["status"] == "stale" and out["class"] == "checkable"
    assert (out["term"], out["file"], out["line"]) == ("LEPTONIC_ANOMALY", "LEPTONIC_ANOMALY.md", 84)
    assert out["pointer"] == "/formal_mappings/candidates/0/equation_hint"
    old, new = out["evidence"]
    assert (old["edition"], old["status"], new["edition"], new["status"]) == ("2021", "pass", "2025", "fail")
    assert old["computed"] == pytest.approx(251e-11) and new["computed"] == pytest.approx(38.5e-11)
    assert new["uncertainty"] == pytest.approx(63.7e-11, rel=1e-3)
    assert out["deviation"]["sigma"] == pytest.approx((251 - 38.5) / 63.67, rel=1e-2)
    assert "251 × 10^-11" in out["message"] and "38.5 × 10^-11" in out["message"]
    (d,) = diags
    assert (d.code, d.line, d.column, d.term, d.pointer) == ("check-stale", 84, 9, "LEPTONIC_ANOMALY", out["pointer"])
    assert d.severity == CODES["check-stale"].severity and d.hint


@pytest.mark.parametrize("edition,status", [("2021", "pass"), ("2025", "stale"), (None, "stale")])
def test_edition_selects_the_data(edition: str | None, status: str) -> None:
    (r,), _ = run_checks([seed_term()], edition=edition)
    assert r.status == status and r.edition == (edition or "2025")


def test_one_result_per_hint_in_term_order_and_every_mapping_kind() -> None:
    a = make_term("A", {"candidates": [{"equation_hint": "√2 ≈ 1.41421"}, {"equation_hint": None},
                                       {"equation_hint": "2 + 2 = 5"}, {"target": "no hint"}],
                        "adopted": [{"equation_hint": "E = m c^2"}]},
                  {"/formal_mappings/candidates/0/equation_hint": 10, "/formal_mappings/candidates/2": 14})
    b = make_term("B", {"candidates": [{"equation_hint": "The anomaly breathes."}]})
    c = make_term("C", "not a mapping")
    results, diags = run_checks([a, b, c])
    assert [(r.term, r.pointer, r.status) for r in results] == [
        ("A", "/formal_mappings/candidates/0/equation_hint", "pass"),
        ("A", "/formal_mappings/candidates/1/equation_hint", "unchecked"),
        ("A", "/formal_mappings/candidates/2/equation_hint", "fail"),
        ("A", "/formal_mappings/adopted/0/equation_hint", "unchecked"),
        ("B", "/formal_mappings/candidates/0/equation_hint", "unchecked"),
    ]
    assert results[2].line == 14  # located at the nearest known parent
    assert [d.code for d in diags] == ["check-unchecked", "check-fail", "check-unchecked", "check-unchecked"]
    assert all(d.code in CODES for d in diags)
    assert {r.klass for r in results} == {"checkable", "not-math", "symbolic"}


def test_bad_edition_and_bad_reference_folder_are_diagnostics(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"quantities": [{"id": "x"}]}', encoding="utf-8")
    results, diags = run_checks([seed_term()], edition="next year", reference_dirs=[tmp_path])
    codes = sorted(d.code for d in diags)
    assert "check-edition" in codes and "check-reference" in codes
    assert results[0].status == "stale"


def test_unknown_hook_name_is_an_error_not_a_path() -> None:
    t = make_term("H", {"candidates": [{"equation_hint": "C_2 ≈ -0.33", "check": "../../evil.py"}]})
    (r,), (d,) = run_checks([t])
    assert r.status == "error" and "no check hook named" in r.message
    assert d.code == "check-error"


def test_check_codes_are_registered() -> None:
    for code, sev in [("check-fail", "warning"), ("check-stale", "warning"), ("check-error", "warning"),
                      ("check-unchecked", "info")]:
        assert CODES[code].severity.value == sev and CODES[code].stage == "checks"
