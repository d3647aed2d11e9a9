"""The semantics table of docs/checks.md and the hints a physicist worked out by hand, as table tests.

Two tables, each row a hint and the verdict a physicist gives it:

* the table "Semantics, in one table" in ``docs/checks.md`` (one example per rule), read
  from the page itself so that the documentation and the checker cannot drift apart;
* ``tests/data/physicist.tsv``: every hint quoted in issue 23 and the claims the new
  reference data holds, close and far false claims beside true ones.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from compiler.checks import check_hint

ROOT = Path(__file__).resolve().parents[1]
STATUSES = ("pass", "fail", "stale", "unchecked", "error")


def _doc_rows() -> list[tuple[str, str, str]]:
    text = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    section = text.split("## Semantics, in one table", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        m = re.fullmatch(r"\| (.+) \| `(.+)` \| `(\w+)` \|", line.strip())
        if m:
            rows.append((m.group(1), m.group(2), m.group(3)))
    return rows


def _tsv_rows() -> list[tuple[str, str | None, str, str]]:
    rows = []
    for line in (ROOT / "tests" / "data" / "physicist.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            status, edition, hint, why = line.split("\t")
            rows.append((status, None if edition == "-" else edition, hint, why))
    return rows


DOC_ROWS = _doc_rows()
TSV_ROWS = _tsv_rows()


def test_the_tables_are_there() -> None:
    assert len(DOC_ROWS) >= 35 and len(TSV_ROWS) >= 60
    assert {r[2] for r in DOC_ROWS} <= set(STATUSES) and {r[0] for r in TSV_ROWS} <= set(STATUSES)
    assert {"pass", "fail", "unchecked"} <= {r[2] for r in DOC_ROWS}


@pytest.mark.parametrize("rule,hint,status", DOC_ROWS, ids=[r[1][:40] for r in DOC_ROWS])
def test_documented_rule(rule: str, hint: str, status: str) -> None:
    result = check_hint(hint)
    assert result.status == status, f"{rule}: {result.message}"


@pytest.mark.parametrize("status,edition,hint,why", TSV_ROWS, ids=[r[2][:40] for r in TSV_ROWS])
def test_physicist_verdict(status: str, edition: str | None, hint: str, why: str) -> None:
    result = check_hint(hint, edition=edition)
    assert result.status == status, f"{why} -- {result.message}"
    if status == "unchecked":
        assert result.reason, hint


def test_an_ambiguous_reading_is_named_and_never_a_guessed_failure() -> None:
    held = check_hint("e ≈ 2.718")
    assert "read as Euler's number" in held.message
    unsure = check_hint("e ≈ 0.4")
    assert unsure.status == "unchecked" and "ambiguous symbol e: elementary charge or Euler's number" in unsure.message
