"""Golden tests: the text, json, github and sarif outputs of `validate` are the contract.

Run with UPDATE_GOLDEN=1 to rewrite the expected files after an intended change,
then read the diff before committing it.
"""
from __future__ import annotations

import json
import os

import pytest

from compiler.cli.main import main

from .conftest import FIXTURES

GOLDEN = FIXTURES / "golden"


@pytest.mark.parametrize("fmt, suffix", [("text", "txt"), ("json", "json"), ("github", "github"), ("sarif", "sarif")])
def test_validate_output_is_golden(fmt, suffix, monkeypatch, capsys):
    monkeypatch.chdir(GOLDEN)
    monkeypatch.setenv("NO_COLOR", "1")
    code = main(["validate", "terms", "--format", fmt])
    out = capsys.readouterr().out
    expected_file = GOLDEN / f"validate.{suffix}"
    if os.environ.get("UPDATE_GOLDEN"):
        expected_file.write_text(out, encoding="utf-8")
    assert code == 1
    assert out == expected_file.read_text(encoding="utf-8")


def test_json_stdout_is_one_document(monkeypatch, capsys):
    monkeypatch.chdir(GOLDEN)
    main(["validate", "terms", "--format", "json"])
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert set(doc) >= {"summary", "diagnostics", "checks"}
    assert {"files", "terms", "errors", "warnings"} <= set(doc["summary"])
    assert doc["summary"]["files"] == 3
    assert "files" in captured.err  # the summary line goes to stderr
