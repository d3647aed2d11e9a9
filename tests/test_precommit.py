"""The repository's .pre-commit-hooks.yaml, run for real with `pre-commit try-repo` on a sample glossary.

Skipped when pre-commit or git is absent, or when pre-commit cannot build the hook's
environment (it pip-installs this repository, which needs the package index).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
FIX = Path(__file__).resolve().parent / "fixtures" / "fix"


def _pre_commit() -> str | None:
    local = Path(sys.executable).parent / "pre-commit"
    return str(local) if local.is_file() else shutil.which("pre-commit")


def test_hooks_file_declares_both_hooks() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    assert set(hooks) == {"compile-glossary-validate", "compile-glossary-fix"}
    assert hooks["compile-glossary-validate"]["pass_filenames"] is False  # it checks the whole folder
    assert hooks["compile-glossary-fix"]["entry"].endswith("fix --write")
    assert all(h["language"] == "python" and h["files"] == r"\.md$" for h in hooks.values())


def _git(cwd: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def test_try_repo_runs_both_hooks_on_a_sample_folder(tmp_path: Path) -> None:
    tool = _pre_commit()
    if tool is None or shutil.which("git") is None:
        pytest.skip("pre-commit or git is not installed")
    if not (REPO / ".git").exists():
        pytest.skip("the project is not a git checkout")
    # try-repo on a clone: the committed hooks and package, not a half-edited working tree
    hook_repo = tmp_path / "hook-repo"
    subprocess.run(["git", "clone", "-q", str(REPO), str(hook_repo)], check=True, capture_output=True)
    sample = tmp_path / "glossary"
    (sample / "terms").mkdir(parents=True)
    broken = sample / "terms" / "INDICATORS.md"
    broken.write_bytes((FIX / "cases" / "indicators.md").read_bytes())
    (sample / "terms" / "GOOD.md").write_text(
        "---\nterm: Good\ncanonical_id: GOOD\nparents: [INDICATORS]\n---\nBody\n", "utf-8")
    _git(sample, "init", "-q")
    _git(sample, "add", "-A")
    _git(sample, "commit", "-qm", "sample")

    def run(*hook: str) -> subprocess.CompletedProcess:
        return subprocess.run([tool, "try-repo", str(hook_repo), *hook, "--all-files"], cwd=sample,
                              capture_output=True, text=True, timeout=900)

    first = run("compile-glossary-validate")
    if "An unexpected error has occurred" in first.stdout + first.stderr:
        pytest.skip("pre-commit could not build the hook environment (no package index?)")
    assert first.returncode == 1 and "yaml-syntax" in first.stdout  # the broken header is reported

    fixing = run("compile-glossary-fix")
    assert fixing.returncode == 1 and "files were modified by this hook" in fixing.stdout
    assert broken.read_bytes() == (FIX / "cases" / "indicators.expected").read_bytes()

    both = run()
    assert both.returncode == 0, both.stdout
    assert "compile-glossary fix" in both.stdout and "compile-glossary validate" in both.stdout
