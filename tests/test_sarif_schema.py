"""``--format sarif`` is valid SARIF 2.1.0: checked against the official schema.

The schema (tests/data/sarif-schema-2.1.0.json, OASIS, with its licence note beside it) is
JSON Schema draft-04; fastjsonschema (a dependency already, for the term schema) compiles
it. It checks the structure, the enums (levels, suppression kinds) and the required
properties; it does not check the ``uri-reference`` format of artifact locations.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import fastjsonschema
import pytest

from compiler.cli.main import main

DATA = Path(__file__).resolve().parent / "data"
GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden" / "terms"
WAIVED = """---
canonical_id: LONELY
term: Lonely
status: draft
waivers:
  - code: term-orphan
    reason: a stub on purpose
---
Text.
"""


@pytest.fixture(scope="module")
def sarif_valid():
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")  # the official one, not a stand-in
    return fastjsonschema.compile(schema)


def _sarif(capsys, *args: str) -> dict:
    main(["validate", *args, "--format", "sarif"])
    return json.loads(capsys.readouterr().out)


def test_the_validator_rejects_what_sarif_forbids(sarif_valid, capsys):
    doc = _sarif(capsys, str(GOLDEN))
    sarif_valid(doc)
    for broken in ({"level": "warn"}, {"ruleIndex": -2}, {"message": {}}):
        bad = json.loads(json.dumps(doc))
        bad["runs"][0]["results"][0].update(broken)
        with pytest.raises(fastjsonschema.JsonSchemaException):
            sarif_valid(bad)


def test_sarif_with_errors_warnings_and_a_waived_finding_is_valid(sarif_valid, capsys, tmp_path):
    terms = tmp_path / "terms"
    shutil.copytree(GOLDEN, terms)
    (terms / "LONELY.md").write_text(WAIVED, encoding="utf-8")
    doc = _sarif(capsys, str(terms))
    sarif_valid(doc)
    results = doc["runs"][0]["results"]
    assert {r["level"] for r in results} == {"error", "warning"}
    assert [r["suppressions"] for r in results if "suppressions" in r] == [
        [{"kind": "inSource", "justification": "a stub on purpose"}]]


def test_the_corpus_sarif_is_valid(sarif_valid, capsys, corpus_dir, modules_dir):
    doc = _sarif(capsys, str(corpus_dir), "--modules", str(modules_dir))
    sarif_valid(doc)
    assert len(doc["runs"][0]["results"]) > 1000
