"""The command line: exit codes, usage errors without tracebacks, help, codes table."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from compiler.cli.main import main
from compiler.codes import CODES, codes_markdown

REPO = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "compiler", *args], capture_output=True, text=True, cwd=cwd)


def test_seed_validates_with_the_status_conflict(seed_dir, capsys):
    code = main(["validate", str(seed_dir), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc["summary"]["files"] == 1 and doc["summary"]["terms"] == 1 and doc["summary"]["errors"] == 0
    conflicts = [d for d in doc["diagnostics"] if d["code"] == "header-conflict"]
    assert any("status" in d["message"] and d["line"] in (6, 19) and "line 6" in d["message"] for d in conflicts)


def test_strict_turns_warnings_into_failure(seed_dir, capsys):
    assert main(["validate", str(seed_dir), "--strict"]) == 1


def test_missing_folder_is_a_usage_error_without_traceback(tmp_path):
    proc = run("validate", str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and "Traceback" not in proc.stderr


def test_corpus_exit_code_and_counts(corpus_dir, capsys):
    code = main(["validate", str(corpus_dir), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert doc["summary"]["files"] == 242
    assert doc["summary"]["errors"] > 0


def test_bad_files_never_print_a_traceback(tmp_path):
    bad = REPO / "tests" / "fixtures" / "load" / "bad"
    proc = run("validate", str(bad))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout


def test_help_lists_commands():
    proc = run("--help")
    assert proc.returncode == 0 and "validate" in proc.stdout


def test_no_command_prints_help_and_exits_2():
    assert run().returncode == 2


def test_every_emitted_code_is_registered():
    source = "\n".join(p.read_text("utf-8") for p in (REPO / "compiler").rglob("*.py"))
    used = set(re.findall(r'make\(\s*"([a-z0-9-]+)"', source)) | set(re.findall(r'problem\(\s*"([a-z0-9-]+)"', source))
    assert used, "the scan found no codes"
    assert used <= set(CODES), used - set(CODES)


def test_codes_table_lists_every_code():
    table = codes_markdown()
    for name in CODES:
        assert f"`{name}`" in table


def test_docs_codes_page_is_generated_from_the_registry():
    page = (REPO / "docs" / "codes.md").read_text("utf-8")
    assert page.endswith(codes_markdown()), "regenerate docs/codes.md with `compile-glossary codes --markdown`"


def test_every_registered_code_is_emitted_somewhere():
    source = "\n".join(p.read_text("utf-8") for p in (REPO / "compiler").rglob("*.py") if p.name != "codes.py")
    unused = [c for c in CODES if f'"{c}"' not in source]
    assert not unused, unused
