"""Rule levels (select / ignore / severity / per-file ignores) and per-term waivers."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from compiler.codes import make, selector_known, selector_specificity
from compiler.config import RuleConfig, default_config
from compiler.diagnostics import Diagnostic, Severity
from compiler.model import Location, Term
from compiler.rules import apply_rules


def term(ident: str, file: str, data: dict[str, Any] | None = None) -> Term:
    locations = {"": Location(1, 1), "/waivers/0/code": Location(5, 11), "/waivers/1/code": Location(8, 11)}
    return Term(id=ident, file=file, path=Path(file), data={"canonical_id": ident, **(data or {})}, body="",
                body_line=0, locations=locations)


def config(**rules: Any):
    return replace(default_config(Path(".")), rules=RuleConfig(**rules))


def diag(code: str, file: str = "A.md", pointer: str | None = None, term_id: str | None = "A") -> Diagnostic:
    return make(code, file, 3, 1, f"{code} here", term=term_id, pointer=pointer)


@pytest.mark.parametrize("selector,code,score", [
    ("link-dangling", "link-dangling", 4),
    ("link-*", "link-dangling", 3),
    ("link", "link-dangling", 2),
    ("graph", "link-dangling", 2),
    ("ALL", "link-dangling", 1),
    ("all", "yaml-syntax", 1),
    ("lin", "link-dangling", 0),
    ("load", "link-dangling", 0),
    ("link-*", "alias-collision", 0),
])
def test_selector_specificity(selector: str, code: str, score: int) -> None:
    assert selector_specificity(selector, code) == score


def test_selector_known() -> None:
    assert selector_known("graph") and selector_known("link") and selector_known("term-orphan")
    assert not selector_known("term-orphn") and not selector_known("nothing-*")


CASES = [
    # (rules, diagnostics (code, file), expected (code, file, severity))
    ({}, [("link-dangling", "A.md")], [("link-dangling", "A.md", "warning")]),
    ({"select": ("graph",)}, [("link-dangling", "A.md"), ("yaml-syntax", "A.md")],
     [("link-dangling", "A.md", "warning")]),
    ({"ignore": ("link",)}, [("link-dangling", "A.md"), ("link-self", "A.md"), ("term-orphan", "A.md")],
     [("term-orphan", "A.md", "warning")]),
    ({"per_file_ignores": (("drafts/*", ("term-orphan",)),)},
     [("term-orphan", "drafts/x/B.md"), ("term-orphan", "A.md"), ("link-self", "drafts/B.md")],
     [("term-orphan", "A.md", "warning"), ("link-self", "drafts/B.md", "warning")]),
    ({"severity": (("link-*", Severity.INFO), ("link-self", Severity.ERROR), ("ALL", Severity.WARNING))},
     [("link-dangling", "A.md"), ("link-self", "A.md"), ("hierarchy-cycle", "A.md")],
     [("link-dangling", "A.md", "info"), ("link-self", "A.md", "error"), ("hierarchy-cycle", "A.md", "warning")]),
    ({"select": (), "ignore": ("ALL",)}, [("internal-error", "A.md"), ("yaml-syntax", "A.md")],
     [("internal-error", "A.md", "error")]),  # an internal error is never silenced
]


@pytest.mark.parametrize("rules,given,expected", CASES)
def test_rule_levels(rules: dict[str, Any], given: list[tuple[str, str]], expected: list[tuple[str, str, str]]) -> None:
    out = apply_rules([diag(c, f) for c, f in given], config(**rules))
    assert [(d.code, d.file, d.severity.value) for d in out] == expected


def test_waivers_by_code_and_by_pointer() -> None:
    owner = term("A", "A.md", {"waivers": [
        {"code": "link-dangling", "pointer": "/crosslinks/antonyms", "reason": "kept on purpose"},
        {"code": "term-orphan", "reason": "a stub"},
    ]})
    given = [
        diag("link-dangling", pointer="/crosslinks/antonyms/0"),
        diag("link-dangling", pointer="/crosslinks/antonyms_extra/0"),  # a prefix of the key is not the key
        diag("link-dangling", pointer="/crosslinks/prerequisites/0"),
        diag("term-orphan", pointer="/canonical_id"),
        diag("term-orphan", file="B.md", term_id="B"),  # another term's finding
    ]
    out = apply_rules(given, default_config(Path(".")), [owner])
    assert [d.waived for d in out] == ["kept on purpose", None, None, "a stub", None]
    assert all(d.waived is None for d in given)  # the input is not changed


def test_waived_findings_do_not_count_as_errors() -> None:
    from compiler.diagnostics import count

    owner = term("A", "A.md", {"waivers": [{"code": "hierarchy-cycle", "reason": "known"}]})
    out = apply_rules([diag("hierarchy-cycle")], default_config(Path(".")), [owner])
    assert count(out).errors == 0 and count(out).waived == 1


def test_unknown_and_unused_waivers() -> None:
    owner = term("A", "A.md", {"waivers": [
        {"code": "no-such-code", "reason": "typo"},
        {"code": "term-orphan", "reason": "was an orphan once"},
    ]})
    quiet = apply_rules([], default_config(Path(".")), [owner])
    assert [(d.code, d.line) for d in quiet] == [("waiver-invalid", 5)]
    loud = apply_rules([], default_config(Path(".")), [owner], stages={"graph"})
    assert [(d.code, d.line) for d in loud] == [("waiver-invalid", 5), ("waiver-unused", 8)]
    # a waiver for a stage that did not run is not called stale
    other = apply_rules([], default_config(Path(".")), [owner], stages={"checks"})
    assert [d.code for d in other] == ["waiver-invalid"]


def test_malformed_waivers_are_left_to_the_schema() -> None:
    owner = term("A", "A.md", {"waivers": [{"code": "term-orphan"}, "text", {"reason": "no code"}]})
    out = apply_rules([diag("term-orphan")], default_config(Path(".")), [owner], stages={"graph"})
    assert [(d.code, d.waived) for d in out] == [("term-orphan", None)]


def test_waiver_findings_follow_the_rules_too() -> None:
    owner = term("A", "A.md", {"waivers": [{"code": "nope", "reason": "x"}]})
    out = apply_rules([], config(ignore=("waiver-invalid",)), [owner])
    assert out == []
