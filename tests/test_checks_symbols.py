"""Symbol tables: dimensions read, the glossary's list of symbols, conflicts, and what a term's checks read."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from compiler.checks import run_checks
from compiler.checks.dimensions import parse_dimension
from compiler.checks.inputs import same_check_inputs
from compiler.checks.symbols import check_table, normalise, symbol_list, to_json
from compiler.codes import CODES
from compiler.model import Location, Term

ROWS = [line.split("\t") for line in (Path(__file__).with_name("data") / "dimensions.tsv").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("text,expected", ROWS, ids=[r[0] for r in ROWS])
def test_dimension_strings(text: str, expected: str) -> None:
    parsed = parse_dimension(text)
    if expected == "-":
        assert parsed.dimension is None and parsed.why, parsed
    else:
        assert str(parsed.dimension) == expected, parsed.why


def test_most_written_forms_are_read() -> None:
    read = sum(parse_dimension(t).dimension is not None for t, _ in ROWS)
    assert read == sum(e != "-" for _, e in ROWS) and read >= 35


def make(tid: str, table: list[tuple[str, str, str]], hints: tuple[str, ...] = ()) -> Term:
    data: dict[str, Any] = {"term": tid, "operational_definition": {
        "symbol_table": [{"name": n, "meaning": m, "dimensions": d} for n, m, d in table]}}
    if hints:
        data["formal_mappings"] = {"candidates": [{"equation_hint": h} for h in hints]}
    locations = {f"/operational_definition/symbol_table/{i}/dimensions": Location(10 + 4 * i, 19) for i in range(len(table))}
    return Term(id=tid, file=f"{tid}.md", path=Path(f"/g/{tid}.md"), data=data, body="", body_line=0,
                locations=locations, header_lines=(1,))


def test_one_symbol_with_incompatible_dimensions_is_a_conflict_grouped_by_dimension() -> None:
    terms = [make("A", [("Γ", "temporal pressure", "T⁻¹")]), make("B", [("\\Gamma", "a rate", "T^-1 (rate)")]),
             make("C", [("Γ", "a pressure", "dimensionless")]), make("D", [("Γ", "relative", "[K]/T")]),
             make("E", [("Γ", "unknown", "contextual")]), make("F", [("Γ₀, Γ_1", "two symbols on one line", "M")])]
    rows, diags = symbol_list(terms)
    gamma = next(r for r in rows if r.symbol == "Γ")
    assert list(gamma.terms) == ["A", "B", "C", "D", "E"]
    assert {d: list(t) for d, t in gamma.dimensions.items()} == {"T⁻¹": ["A", "B"], "dimensionless": ["C"], "T⁻¹ [K]": ["D"]}
    assert {d: list(t) for d, t in gamma.unparsed.items()} == {"contextual": ["E"]}
    assert set(gamma.conflicting) == {"T⁻¹", "dimensionless"}  # a relative dimension is listed, not compared
    (conflict,) = [d for d in diags if d.code == "symbol-conflict"]
    assert conflict.message.endswith("T⁻¹: A, B; dimensionless: C")
    assert (conflict.file, conflict.line, conflict.term) == ("A.md", 10, "A")
    (unparsed,) = [d for d in diags if d.code == "dimensions-unparsed"]
    assert unparsed.term == "E" and "contextual" in unparsed.message
    assert CODES["symbol-conflict"].severity.value == "warning" and CODES["dimensions-unparsed"].severity.value == "info"
    assert {r.symbol for r in rows} == {"Γ", "Γ₀", "Γ_1"}
    assert to_json(rows)["count"] == 3 and to_json(rows)["symbols"][0]["symbol"] == "Γ"


def test_names_are_normalised() -> None:
    assert normalise("\\Gamma_0") == normalise("Γ₀") == normalise("Γ_{0}") == "Γ0"
    assert normalise("K_τ") == normalise("Kτ")


def test_a_dimension_relative_to_another_symbol_of_the_same_table_is_resolved() -> None:
    term = make("A", [("Γ", "rate", "T⁻¹"), ("Γ̇", "its change", "[Γ]/T")])
    rows, _ = symbol_list([term])
    assert {r.symbol: list(r.dimensions) for r in rows}["Γ̇"] == ["T⁻²"]
    table = check_table(term.data)
    assert [str(e.dimension) for e in table.values()] == ["T⁻¹", "T⁻²"]


@pytest.mark.parametrize("table,hint,status,words", [
    ([("x", "position", "L"), ("v", "velocity", "L T⁻¹")], "x = v", "fail", "dimension mismatch: L against L T⁻¹"),
    ([("x", "position", "L"), ("v", "velocity", "L T⁻¹"), ("t", "time", "T")], "x = v t", "unchecked", "no data"),
    ([("x", "position", "L"), ("v", "velocity", "L T⁻¹"), ("t", "time", "T")], "x ≈ v / t", "fail", "L against L T⁻²"),
    ([("E", "energy", "M L² T⁻²"), ("t", "time", "T")], "E = exp(t)", "fail", "argument of exp"),
    ([("x", "position", "L"), ("t", "time", "T")], "x + t = x", "unchecked", "no data"),  # c = 1: L and T agree
    ([("m_H", "mass of the heavy field", "M"), ("H", "Hubble rate", "T⁻¹")], "m_H ≫ H", "unchecked", "no data"),
    ([("x", "position", "L"), ("y", "a thing", "contextual")], "x = y", "unchecked", "no data"),
    ([("α", "learning rate", "dimensionless")], "α ≈ 0.5", "unchecked", "'learning rate' (this term's symbol table)"),
    ([("α", "learning rate", "dimensionless")], "α ≈ 7.297 × 10⁻³", "pass", "α read as fine-structure constant"),
    ([("m_H", "mass of the heavy field", "M")], "m_H ≈ 17 MeV", "unchecked", "ambiguous symbol m_H"),
    ([("C_1", "One-loop coefficient.", "dimensionless")], "C_1 = 1/2", "pass", ""),
    ([("α", "fine-structure constant", "dimensionless")], "α ≈ 7.297 × 10⁻³", "pass", ""),
    ([("e", "elementary charge", "dimensionless")], "e ≈ 0.3028", "pass", "natural units"),
    ([("e", "elementary charge", "dimensionless")], "e ≈ 2.718", "fail", ""),
    ([("m_d", "down quark mass", "M")], "m_d ≈ 1875.6 MeV", "unchecked", "scheme"),
    ([("m_d", "deuteron mass", "M")], "m_d ≈ 1875.6 MeV", "pass", ""),
])
def test_a_terms_own_table_decides_what_its_symbols_are(table, hint: str, status: str, words: str) -> None:
    (result,), _ = run_checks([make("T", table, (hint,))])
    assert result.status == status, result.message
    assert words in result.message


def test_an_edit_of_the_symbol_table_checks_the_terms_hints_again() -> None:
    old = make("A", [("α", "fine-structure constant", "dimensionless")], ("α ≈ 7.297 × 10⁻³",))
    new = make("A", [("α", "learning rate", "dimensionless")], ("α ≈ 7.297 × 10⁻³",))
    same_table = make("A", [("α", "fine-structure constant", "dimensionless")], ("α ≈ 7.297 × 10⁻³",))
    assert not same_check_inputs(old, new, builtin_only=True)
    assert same_check_inputs(old, same_table, builtin_only=True)


def test_the_site_lists_the_symbols_as_a_page_and_as_json(tmp_path: Path) -> None:
    import json

    from compiler.build import Options, build

    terms = tmp_path / "terms"
    terms.mkdir()
    for tid, rows in {"ALPHA": [("Γ", "a rate", "T⁻¹"), ("<b>x</b>", "a <script>name</script>", "L")],
                      "BETA": [("\\Gamma", "a pressure", "M L⁻¹ T⁻²"), ("y", "free", "contextual")]}.items():
        table = "".join(f"    - name: '{n}'\n      meaning: '{m}'\n      dimensions: '{d}'\n" for n, m, d in rows)
        (terms / f"{tid}.md").write_text(f"---\nterm: {tid.title()}\ncanonical_id: {tid}\noperational_definition:\n"
                                         f"  symbol_table:\n{table}---\nBody.\n", encoding="utf-8")
    glossary, _ = build(terms, tmp_path / "site", Options())
    page = (tmp_path / "site" / "symbols.html").read_text(encoding="utf-8")
    data = json.loads((tmp_path / "site" / "symbols.json").read_text(encoding="utf-8"))
    assert data["count"] == 3 == len(glossary.symbols)
    gamma = next(s for s in data["symbols"] if s["symbol"] == "Γ")
    assert [d["dimension"] for d in gamma["dimensions"]] == ["T⁻¹", "M L⁻¹ T⁻²"] and gamma["terms"] == ["ALPHA", "BETA"]
    assert 'class="conflict"' in page and "contextual" in page
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;x&lt;/b&gt;" in page
    codes = sorted(d.code for d in glossary.diagnostics if d.code in ("symbol-conflict", "dimensions-unparsed"))
    assert codes == ["dimensions-unparsed", "symbol-conflict"]
    assert 'href="symbols.html"' in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
