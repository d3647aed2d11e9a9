"""Hand-made bad files: each gives exactly one located error, healthy neighbours load.

The fixtures are written by tests/fixtures/load/make_bad.py; expected.json maps each
file to [code, line] (null for the healthy ones).
"""
from __future__ import annotations

import json

import pytest

from compiler.diagnostics import Severity
from compiler.load.terms import load_terms
from compiler.validate.schema import validate_terms

from .conftest import FIXTURES

BAD = FIXTURES / "load" / "bad"
EXPECTED = json.loads((FIXTURES / "load" / "expected.json").read_text())


@pytest.fixture(scope="module")
def loaded():
    result = load_terms(BAD)
    terms, schema_diags = validate_terms(result.terms)
    return result, terms, [*result.diagnostics, *schema_diags]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_one_located_error_per_bad_file(loaded, name):
    _result, _terms, diags = loaded
    errors = [(d.code, d.line) for d in diags if d.file == name and d.severity is Severity.ERROR]
    expected = EXPECTED[name]
    if expected is None:
        assert errors == []
    else:
        assert errors == [tuple(expected)]
        (d,) = [d for d in diags if d.file == name and d.severity is Severity.ERROR]
        assert d.column >= 1 and d.message and d.hint, d


def test_healthy_files_load_with_their_values(loaded):
    _result, terms, _diags = loaded
    by_id = {t.id: t for t in terms}
    assert by_id["HEALTHY_PLAIN"].data["version"] == "0.10"  # not the float 0.1
    assert by_id["HEALTHY_CRLF"].data["aliases"] == ["one", "two"]
    assert by_id["HEALTHY_CRLF"].body.strip() == "Body line."
    assert by_id["HEALTHY_BOM"].data["term"] == "Healthy_Bom"
    assert by_id["HEALTHY_TWO"].data["last_updated"] == "2025-10-18"


def test_every_file_is_counted(loaded):
    result, _terms, _diags = loaded
    assert result.files == len(EXPECTED)


def test_python_tag_constructs_nothing(loaded, tmp_path):
    _result, terms, _diags = loaded
    term = next(t for t in terms if t.id == "PYTAG")
    assert term.data.get("symbol") is None
