"""Merge rules, YAML pitfalls and block splitting, as table tests over small texts."""
from __future__ import annotations

from pathlib import Path

import pytest

from compiler.diagnostics import Severity
from compiler.load.terms import load_text, split_blocks
from compiler.load.yamlrepair import fix_text
from compiler.validate.schema import validate_term


def _load(text: str):
    term, diags = load_text(text, Path("T.md"), "T.md")
    assert term is not None, diags
    term, more = validate_term(term)
    return term, [*diags, *more]


def codes(diags):
    return sorted(d.code for d in diags)


STUB = '---\nterm: "T"\ncanonical_id: "T"\n{stub}---\n\n---\nterm: T\ncanonical_id: T\n{full}---\n\nBody\n'


@pytest.mark.parametrize("stub, full, conflict", [
    ('status: "draft"\n', "status: candidate\n", True),
    ('version: "0.1"\n', "version: 0.1\n", False),  # same text, another YAML type
    ('version: "0.1"\n', "version: 0.10\n", True),  # 0.10 is not 0.1 as text
    ("aliases: [a]\n", "aliases: [a, b]\n", False),  # a longer list holding the earlier items
    ("aliases: [a, c]\n", "aliases: [a, b]\n", True),
    ('provenance: ["DYNA-Γ-001_the_pressurons_identity"]\n',
     "provenance:\n  sources:\n    - module: DYNA-Γ-001\n", False),  # object form naming the same module
    ('provenance: ["CORE-001_x"]\n', "provenance:\n  sources:\n    - module: CORE-002\n", True),
    ('last_updated: "2025-10-18"\n', "last_updated: 2025-10-18\n", False),
    ('symbol: ""\n', "symbol: S\n", False),  # an empty earlier value is no conflict
])
def test_merge_conflicts(stub, full, conflict):
    term, diags = _load(STUB.format(stub=stub, full=full))
    assert ("header-conflict" in codes(diags)) is conflict


def test_later_nonempty_value_wins_and_location_follows():
    term, diags = _load(STUB.format(stub='status: "draft"\nsymbol: "S"\n', full="status: candidate\nsymbol:\n"))
    assert term.data["status"] == "candidate"
    assert term.data["symbol"] == "S"  # the later value is empty: the earlier one stays
    assert term.location("/status").line == 11
    assert term.location("/symbol").line == 5


def test_changed_id_stays_reachable_as_alias():
    text = '---\nterm: A\ncanonical_id: OLD_ID\n---\n---\nterm: A\ncanonical_id: NEW_ID\n---\n'
    term, diags = _load(text)
    assert term.id == "NEW_ID"
    assert "OLD_ID" in term.aliases
    (d,) = [d for d in diags if d.code == "header-conflict"]
    assert "OLD_ID" in d.hint and d.line == 7


@pytest.mark.parametrize("line, key, value", [
    ("version: 0.10", "version", "0.10"),
    ("version: 1.0", "version", "1.0"),
    ("last_updated: 2025-10-18", "last_updated", "2025-10-18"),
    ('last_updated: "2025-10-18"', "last_updated", "2025-10-18"),
    ("symbol: yes", "symbol", "yes"),
    ("symbol: on", "symbol", "on"),
    ("symbol: 017", "symbol", "017"),
    ("symbol: 1e3", "symbol", "1e3"),
    ("symbol: null", "symbol", None),
    ("aliases: [0.10, no]", "aliases", ["0.10", "no"]),
])
def test_yaml_pitfalls_keep_the_authors_text(line, key, value):
    term, diags = _load(f"---\nterm: T\ncanonical_id: T\n{line}\n---\n")
    assert term.data.get(key) == value
    assert not [d for d in diags if d.severity.value == "error"]


def test_numbers_stay_numbers_where_the_schema_wants_numbers():
    term, diags = _load("---\nterm: T\ncanonical_id: T\npoetic_connections:\n  association_matrix:\n"
                        "    - [A, 0.9]\n---\n")
    assert term.data["poetic_connections"]["association_matrix"] == [["A", 0.9]]
    assert not diags


@pytest.mark.parametrize("text, blocks, closed, body_line", [
    ("---\na: 1\n---\nbody\n", 1, [True], 4),
    ("---\na: 1\n---\n\n---\nb: 2\n---\n\nbody\n", 2, [True, True], 8),
    ("---\na: 1\n---\n\n---\nb: 2\n", 2, [True, False], 0),
    ("\n\n---\na: 1\n---\n", 1, [True], 0),
    ("# no header\n", 0, [], 1),
    ("---\na: 1\n...\nbody\n", 1, [True], 4),
])
def test_split_blocks(text, blocks, closed, body_line):
    split = split_blocks(text)
    assert len(split.blocks) == blocks
    assert [b.closed for b in split.blocks] == closed
    assert split.body_line == body_line


def test_unclosed_header_that_parses_is_a_warning():
    term, diags = _load("---\nterm: T\ncanonical_id: T\n---\n\n---\nterm: T\ncanonical_id: T\nstatus: draft\n")
    assert codes(diags) == ["header-unclosed"]
    assert term.data["status"] == "draft"


def test_broken_full_header_is_read_as_fix_would_write_it():
    """A header `fix` can repair is read with the repaired values; the error stays, naming `fix --write`."""
    text = STUB.format(stub='status: "draft"\n', full="symbol: a: b\nstatus: candidate\n")
    term, diags = _load(text)
    assert term.id == "T" and term.data["symbol"] == "a: b" and term.data["status"] == "candidate"
    assert term.has_errors
    (d,) = [d for d in diags if d.code == "yaml-syntax"]
    assert d.line == 10 and d.severity is Severity.ERROR
    assert "`compile-glossary fix --write FILE` repairs it without losing a word" in d.message
    assert "fix --write" in d.hint and "quotes" in d.hint  # the repair, and the way by hand
    fixed, *_ = fix_text(text)
    again, _ = _load(fixed)
    assert again.data == term.data and again.locations == term.locations  # exactly what fix --write leaves


def test_broken_full_header_that_fix_refuses_keeps_the_stub_and_says_why():
    term, diags = _load(STUB.format(stub='status: "draft"\n', full="symbol: a\n  - b: [c\n"))
    assert term.id == "T" and term.data["status"] == "draft" and "symbol" not in term.data
    (d,) = [d for d in diags if d.code == "yaml-syntax"]
    assert "fix --write FILE" not in d.message and "`compile-glossary fix` cannot repair this file" in d.hint


def test_a_hint_in_a_repaired_header_is_read_not_reported_unread():
    text = STUB.format(stub="", full="symbol: a: b\nformal_mappings:\n  candidates:\n"
                                     "    - equation_hint: \"1 + 1 = 2\"\n")
    term, diags = _load(text)
    assert "check-unread" not in codes(diags)
    assert term.data["formal_mappings"]["candidates"][0]["equation_hint"] == "1 + 1 = 2"


def test_invalid_id_files_the_term_under_the_file_name():
    term, diags = _load("---\nterm: T\ncanonical_id: ../../etc/passwd\n---\n")
    assert term.id == "T"  # the file stem, never the path-like id
    assert [d.code for d in diags] == ["id-invalid"]


def test_fast_validator_agrees_with_jsonschema_on_every_fixture_and_corpus_file():
    """fastjsonschema decides valid/invalid on the hot path; it must agree with jsonschema."""
    from compiler.load.terms import load_terms
    from compiler.validate.schema import _validator, coerce, is_valid, term_schema

    from .conftest import CORPUS, FIXTURES

    folders = [FIXTURES / "load" / "bad", FIXTURES / "golden" / "terms", CORPUS / "dictionary"]
    checked = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for term in load_terms(folder).terms:
            data = coerce(dict(term.data), term_schema(), "", term.raw)
            assert is_valid(data) == _validator().is_valid(data), term.file
            checked += 1
    assert checked > 20
