"""Table test: each row of tests/data/hints.tsv is a hint with its known verdict."""
from __future__ import annotations

from pathlib import Path

import pytest

from compiler.checks import check_hint

TABLE = Path(__file__).with_name("data") / "hints.tsv"


def _rows() -> list[tuple[str, str, str | None, str]]:
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        status, klass, edition, hint = line.split("\t", 3)
        rows.append((status, klass, None if edition == "-" else edition, hint))
    return rows


ROWS = _rows()


def test_table_is_large_and_varied() -> None:
    statuses = {r[0] for r in ROWS}
    assert len(ROWS) >= 60
    assert statuses == {"pass", "fail", "stale", "unchecked", "error"}
    assert any("\\" in r[3] for r in ROWS) and any("≈" in r[3] for r in ROWS) and any("~=" in r[3] for r in ROWS)


@pytest.mark.parametrize("status,klass,edition,hint", ROWS, ids=[f"{i}:{r[3][:40]}" for i, r in enumerate(ROWS)])
def test_hint(status: str, klass: str, edition: str | None, hint: str) -> None:
    result = check_hint(hint, edition=edition)
    assert (result.status, result.klass) == (status, klass), result.message
    assert result.message and result.reason
    if status in ("pass", "fail", "stale"):
        assert result.relation
        # a dimension mismatch has no number to show: a length is not compared with an energy
        assert result.computed is not None and result.claimed is not None or "dimension mismatch" in result.reason
    if status == "stale":
        assert [e["status"] for e in result.to_json()["evidence"]] == ["pass", "fail"]
    if status == "error" and "limit" in result.message:
        assert result.position is not None
