"""`compile-glossary new`: a term file from the schema's skeleton that loads cleanly, never overwriting."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from compiler.authoring.scaffold import StubRequest, name_from_id, skeleton, write_stubs
from compiler.load.terms import load_text
from compiler.validate.schema import term_schema, validate_term


def _header(text: str) -> str:
    return text.split("---\n")[1]


def test_skeleton_loads_without_errors() -> None:
    text = skeleton(StubRequest("LEPTONIC_ANOMALY", "Leptonic Anomaly"), today="2025-01-02")
    term, diags = load_text(text, Path("LEPTONIC_ANOMALY.md"), "LEPTONIC_ANOMALY.md")
    assert term is not None and [d for d in diags if d.severity.value == "error"] == []
    assert term.id == "LEPTONIC_ANOMALY" and term.data == {"term": "Leptonic Anomaly", "canonical_id": "LEPTONIC_ANOMALY"}
    _term, schema_diags = validate_term(term)
    assert [d.code for d in schema_diags if d.severity.value == "error"] == []


def test_every_optional_field_is_there_commented_and_uncomments_to_yaml() -> None:
    text = skeleton(StubRequest("X"), today="2025-01-02")
    header = _header(text)
    optional = set(term_schema()["properties"]) - set(term_schema()["required"])
    commented = {m.group(1) for m in re.finditer(r"^# (\w+):", header, re.M)}
    assert commented == optional
    data = yaml.safe_load(re.sub(r"^# ", "", header, flags=re.M))
    assert set(data) == optional | {"term", "canonical_id"}
    assert data["last_updated"] == "2025-01-02" and data["status"] == "draft"


def test_name_quoted_and_derived() -> None:
    assert name_from_id("LEPTONIC_ANOMALY") == "Leptonic Anomaly"
    assert name_from_id("DYNA-Γ-001") == "Dyna Γ 001"
    text = skeleton(StubRequest("COLON", 'Ratio: "a" to b'))
    assert yaml.safe_load(_header(text))["term"] == 'Ratio: "a" to b'


def test_write_refuses_to_overwrite_or_reuse_an_id(tmp_path: Path) -> None:
    first = write_stubs([StubRequest("NEW_TERM")], tmp_path)[0]
    assert first.error is None and first.path.is_file()
    original = first.path.read_bytes()
    again = write_stubs([StubRequest("NEW_TERM", "Other")], tmp_path)[0]
    assert again.error and not again.usage and first.path.read_bytes() == original
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ELSEWHERE.md").write_text("---\nterm: E\ncanonical_id: TAKEN\n---\n", "utf-8")
    taken = write_stubs([StubRequest("TAKEN")], tmp_path)[0]
    assert taken.error and "ELSEWHERE.md" in taken.error and not (tmp_path / "TAKEN.md").exists()


@pytest.mark.parametrize("bad", ["a/b", "has space", ".hidden", "x:y", ""])
def test_invalid_ids_are_usage_errors(tmp_path: Path, bad: str) -> None:
    outcome = write_stubs([StubRequest(bad)], tmp_path)[0]
    assert outcome.usage and outcome.error
    assert list(tmp_path.iterdir()) == []


def test_several_requests_are_the_extension_point(tmp_path: Path) -> None:
    """`new --wanted N` will pass many requests with a note; each becomes its own file."""
    outcomes = write_stubs([StubRequest("A", note="Linked from 3 terms."), StubRequest("B")], tmp_path)
    assert [o.error for o in outcomes] == [None, None]
    assert "Linked from 3 terms." in (tmp_path / "A.md").read_text("utf-8")


def test_the_new_command_exit_codes(tmp_path: Path) -> None:
    import subprocess
    import sys

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "compiler", "new", *args, "--dir", str(tmp_path / "terms")],
                              capture_output=True, text=True)

    first = run("SPIN", "--term", "Spin")
    assert first.returncode == 0 and first.stdout.strip().endswith("SPIN.md")
    assert yaml.safe_load(_header((tmp_path / "terms" / "SPIN.md").read_text("utf-8")))["term"] == "Spin"
    again = run("SPIN")
    assert again.returncode == 1 and "not" in again.stderr
    assert run("a/b").returncode == 2


def test_new_wanted_writes_stubs_for_the_most_linked_missing_terms(tmp_path):
    from compiler.cli.main import main

    terms = tmp_path / "terms"
    terms.mkdir()
    for i in range(3):
        (terms / f"T{i}.md").write_text(f"---\nterm: T{i}\ncanonical_id: T{i}\ncrosslinks:\n"
                                        f"  prerequisites: [WOUND_CHANNEL{', LONE_LINK' if i == 0 else ''}]\n---\n")
    assert main(["new", "--wanted", "1", "--dir", str(terms)]) == 0
    stub = (terms / "WOUND_CHANNEL.md").read_text()
    assert 'term: "Wound Channel"' in stub and "3 term(s) link here" in stub and "T0, T1, T2" in stub
    assert not (terms / "LONE_LINK.md").exists()
    before = stub
    assert main(["new", "--wanted", "1", "--dir", str(terms)]) in (0, 1)
    assert (terms / "WOUND_CHANNEL.md").read_text() == before  # never overwritten
    assert main(["new", "X", "--wanted", "1", "--dir", str(terms)]) == 2
