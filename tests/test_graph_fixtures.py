"""Each folder under tests/fixtures/graph/ is one glossary and an `expect.toml` listing
every finding the graph stage must report for it (exhaustively: an unexpected finding
fails the case too). The folder is copied to a temporary place first, so the
configuration lookup (which walks up from the terms folder) cannot see this repository.

expect.toml:
    doc = "what the case is about"
    root = "terms"            # the folder handed to the compiler (default: terms)
    stages = ["graph"]        # stages that ran, for unused-waiver reporting (optional)
    nodes = { ID = "kind" }   # node kinds to check (optional)
    [[finding]]               # code, file; optional line, severity, and substrings of
    code = "..."              # message, hint and waived reason
    file = "..."
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from compiler.config import load_config
from compiler.diagnostics import Diagnostic, Severity
from compiler.link import link
from compiler.load.modules import load_modules
from compiler.load.terms import load_terms
from compiler.rules import apply_rules

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "graph"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expect.toml").is_file())


def run_case(tmp_path: Path, name: str) -> tuple[dict[str, Any], Any, list[Diagnostic]]:
    folder = tmp_path / name
    shutil.copytree(FIXTURES / name, folder)
    expect = tomllib.loads((folder / "expect.toml").read_text(encoding="utf-8"))
    config, config_diags = load_config(folder / expect.get("root", "terms"))
    loaded = load_terms(config.terms_dir)
    assert not [d for d in loaded.diagnostics if d.severity is Severity.ERROR], loaded.diagnostics
    modules, module_diags = load_modules(config.module_dirs, exclude=config.terms_dir)
    result = link(loaded.terms, modules, config)
    diagnostics = apply_rules([*config_diags, *module_diags, *result.diagnostics], config, loaded.terms,
                              stages=expect.get("stages"))
    return expect, result, diagnostics


def matches(want: dict[str, Any], got: Diagnostic) -> bool:
    checks = (
        got.code == want["code"],
        got.file == want["file"],
        "line" not in want or got.line == want["line"],
        "severity" not in want or got.severity.value == want["severity"],
        want.get("message", "") in got.message,
        want.get("hint", "") in (got.hint or ""),
        ("waived" not in want and got.waived is None) or ("waived" in want and want["waived"] in (got.waived or "")),
    )
    return all(checks)


def describe(d: Diagnostic) -> str:
    return f"{d.file}:{d.line} {d.severity.value} {d.code}: {d.message} | hint: {d.hint} | waived: {d.waived}"


@pytest.mark.parametrize("name", CASES)
def test_fixture(tmp_path: Path, name: str) -> None:
    expect, result, diagnostics = run_case(tmp_path, name)
    left = list(diagnostics)
    for want in expect.get("finding", []):
        hit = next((d for d in left if matches(want, d)), None)
        assert hit is not None, f"{name}: expected {want}\ngot:\n" + "\n".join(map(describe, diagnostics))
        left.remove(hit)
    assert not left, f"{name}: unexpected findings:\n" + "\n".join(map(describe, left))
    for node, kind in expect.get("nodes", {}).items():
        assert result.graph.nodes[node]["kind"] == kind


def test_every_fixture_has_a_doc_and_findings_or_nodes() -> None:
    assert len(CASES) >= 10
    for name in CASES:
        expect = tomllib.loads((FIXTURES / name / "expect.toml").read_text(encoding="utf-8"))
        assert expect.get("doc"), name
