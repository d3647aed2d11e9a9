"""Hooks: the shipped toroidal C2 example, and hooks that hang, crash, flood or lie."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from compiler.checks import hook, run_checks
from compiler.checks.hooks import HOOK_ATTR, discover, from_hook_output
from compiler.model import Location, Term

REPO = Path(__file__).resolve().parents[1]
SHIPPED_HOOKS = REPO / "terms" / "checks"

HOOKS = {
    "good.py": """
        from compiler.checks import hook

        @hook("answer")
        def answer(term, candidate):
            return {"status": "pass", "computed": 42.0, "claimed": 42, "message": "the answer for " + term["id"]}

        @hook("by_pattern", pattern=r"\\\\zeta")
        def by_pattern(term, candidate):
            return {"status": "unchecked", "message": "pattern hook"}
    """,
    "bad.py": """
        import os, sys, time
        from compiler.checks import hook

        @hook("hang")
        def hang(term, candidate):
            while True:
                time.sleep(0.05)

        @hook("crash")
        def crash(term, candidate):
            raise RuntimeError("boom")

        @hook("die")
        def die(term, candidate):
            os._exit(3)

        @hook("flood")
        def flood(term, candidate):
            sys.stderr.write("x" * 50_000_000)
            return {"status": "pass"}

        @hook("liar")
        def liar(term, candidate):
            return {"status": "probably fine"}

        @hook("not_a_mapping")
        def not_a_mapping(term, candidate):
            return 42

        @hook("quits")
        def quits(term, candidate):
            sys.exit(0)

        @hook("writer")
        def writer(term, candidate):
            with open("written_by_a_hook.txt", "w") as fh:
                fh.write("x")
            return {"status": "unchecked", "message": "wrote a file"}

        @hook("big_writer")
        def big_writer(term, candidate):
            with open("big.bin", "wb") as fh:
                fh.write(b"x" * 50_000_000)
            return {"status": "pass"}
    """,
    "broken_import.py": "raise ImportError('this module does not load')\n",
}


@pytest.fixture(scope="module")
def hooks_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("checks")
    for name, body in HOOKS.items():
        (d / name).write_text(textwrap.dedent(body), encoding="utf-8")
    return d


def term_with(candidates: list[dict]) -> Term:
    locs = {f"/formal_mappings/candidates/{i}/equation_hint": Location(20 + i, 7) for i in range(len(candidates))}
    return Term(id="T", file="T.md", path=Path("/g/T.md"), data={"formal_mappings": {"candidates": candidates}},
                body="", body_line=0, locations=locs)


def test_decorator_only_marks_the_function() -> None:
    @hook("x")
    def f(term, candidate):
        return {}

    assert getattr(f, HOOK_ATTR).name == "x"
    with pytest.raises(ValueError):
        hook("builtin")


def test_discovery_lists_hooks_and_reports_broken_modules(hooks_dir: Path) -> None:
    reg = discover(hooks_dir)
    assert {"answer", "by_pattern", "hang", "crash", "die", "flood", "liar"} <= set(reg.names())
    assert any("broken_import.py" in p for p in reg.problems)


def test_toroidal_c2_example_fails_with_both_numbers() -> None:
    t = term_with([{"equation_hint": "C_2 ≈ -0.3284789", "check": "toroidal_c2"}])
    (r,), (d,) = run_checks([t], hooks_dir=SHIPPED_HOOKS)
    assert (r.status, r.hook) == ("fail", "toroidal_c2")
    assert round(r.computed, 5) == -0.33333 and round(r.claimed, 5) == -0.32848
    assert r.deviation is not None and r.deviation.relative == pytest.approx(-0.0148, abs=5e-4)
    assert "-0.3333333333" in r.message and "-0.3284789" in r.message and "1.48%" in r.message
    assert d.code == "check-fail" and d.line == 20


def test_well_behaved_hooks_by_name_and_by_pattern(hooks_dir: Path) -> None:
    t = term_with([{"equation_hint": "anything", "check": "answer"}, {"equation_hint": r"\zeta(3) > 1"},
                   {"equation_hint": "√2 ≈ 1.41421"}])
    results, _ = run_checks([t], hooks_dir=hooks_dir)
    assert [(r.hook, r.status) for r in results] == [("answer", "pass"), ("by_pattern", "unchecked"), ("builtin", "pass")]
    assert "the answer for T" in results[0].message


@pytest.mark.parametrize("name,needle", [
    ("hang", "did not finish"), ("crash", "RuntimeError: boom"), ("die", "exit status 3"),
    ("flood", "output cap"), ("liar", "status"), ("not_a_mapping", "not a mapping"), ("quits", "SystemExit"),
])
def test_misbehaving_hooks_become_errors(hooks_dir: Path, name: str, needle: str) -> None:
    t = term_with([{"equation_hint": "x = 1", "check": name}])
    (r,), diags = run_checks([t], hooks_dir=hooks_dir, timeout=2.0)
    assert r.status == "error", r.message
    assert needle in r.message
    assert [d.code for d in diags if d.code == "check-error"] == ["check-error"]


def test_hook_output_is_validated() -> None:
    r = from_hook_output({"status": "fail", "computed": 1.0, "claimed": 2.0, "uncertainty": 0.5}, "h", "x", "2025")
    assert r.deviation is not None and r.deviation.sigma == 2.0 and r.deviation.relative == -0.5
    assert from_hook_output({"error": "ValueError: no"}, "h", "x", None).status == "error"


def test_hooks_from_an_installed_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "site"
    (pkg / "fake_hooks-1.0.dist-info").mkdir(parents=True)
    (pkg / "fake_hooks-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-hooks\nVersion: 1.0\n")
    (pkg / "fake_hooks-1.0.dist-info" / "entry_points.txt").write_text(
        "[compile_glossary.hooks]\nfrom_package = fake_hooks_mod:check\n")
    (pkg / "fake_hooks_mod.py").write_text(textwrap.dedent("""
        from compiler.checks import hook

        @hook("from_package")
        def check(term, candidate):
            return {"status": "pass", "message": "installed hook ran"}
    """))
    monkeypatch.setenv("PYTHONPATH", str(pkg))
    t = term_with([{"equation_hint": "x", "check": "from_package"}])
    (r,), _ = run_checks([t])
    assert (r.status, r.hook, r.message) == ("pass", "from_package", "hook 'from_package': installed hook ran")


def test_a_hook_that_writes_files_leaves_nothing_behind(hooks_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    t = term_with([{"equation_hint": "x = 1", "check": "writer"}, {"equation_hint": "x = 1", "check": "big_writer"}])
    results, _diags = run_checks([t], hooks_dir=hooks_dir, timeout=5.0)
    assert [r.status for r in results] == ["unchecked", "error"]
    assert not (tmp_path / "written_by_a_hook.txt").exists() and not (tmp_path / "big.bin").exists()
    assert not (hooks_dir / "written_by_a_hook.txt").exists()
