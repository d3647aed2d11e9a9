"""The repository's .pre-commit-hooks.yaml, run for real with `pre-commit try-repo` on a sample glossary.

Skipped when pre-commit or git is absent, or when pre-commit cannot build the hook's
environment because pip cannot reach a package index (it pip-installs this repository):
only pip's own words for a network failure make a skip (:data:`OFFLINE`). Any other
failure to install the hook (a broken pyproject, a dependency no index has) fails the test.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
FIX = Path(__file__).resolve().parent / "fixtures" / "fix"


# What pip says when it cannot reach an index: connection and name-resolution failures,
# timeouts, proxies, and, when no index answers at all, the build requirement itself
# (setuptools, wheel) not found. A dependency of ours not found is a packaging failure.
OFFLINE = re.compile(
    r"Failed to establish a new connection|Temporary failure in name resolution|Name or service not known"
    r"|Network is unreachable|Connection refused|No route to host|Max retries exceeded|ProxyError"
    r"|ConnectTimeoutError|ReadTimeoutError|Read timed out|Could not fetch URL"
    r"|No matching distribution found for (?:setuptools|wheel)\b"
)


def offline(output: str) -> bool:
    """Whether pre-commit's output (and its log) shows pip unable to reach a package index."""
    return OFFLINE.search(output) is not None


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

    home = tmp_path / "pre-commit-home"  # its own cache: a fresh hook environment, and its log in a known place

    def run(*hook: str) -> subprocess.CompletedProcess:
        return subprocess.run([tool, "try-repo", str(hook_repo), *hook, "--all-files"], cwd=sample,
                              capture_output=True, text=True, timeout=900, env={**os.environ, "PRE_COMMIT_HOME": str(home)})

    first = run("compile-glossary-validate")
    if "An unexpected error has occurred" in first.stdout + first.stderr:
        log = home / "pre-commit.log"
        said = first.stdout + first.stderr + (log.read_text("utf-8", errors="replace") if log.is_file() else "")
        if offline(said):
            pytest.skip("pre-commit could not reach a package index to build the hook environment")
        pytest.fail("pre-commit could not install the hook, and not for want of a network:\n" + said[-4000:])
    assert first.returncode == 1 and "yaml-syntax" in first.stdout  # the broken header is reported

    fixing = run("compile-glossary-fix")
    assert fixing.returncode == 1 and "files were modified by this hook" in fixing.stdout
    assert broken.read_bytes() == (FIX / "cases" / "indicators.expected").read_bytes()

    both = run()
    assert both.returncode == 0, both.stdout
    assert "compile-glossary fix" in both.stdout and "compile-glossary validate" in both.stdout


# pip's output as pre-commit reports it (trimmed), from real runs: without a reachable index
# (PIP_INDEX_URL at a closed port) and with a dependency that no index has.
NO_INDEX = """\
An unexpected error has occurred: CalledProcessError: command: ('.../py_env-python3.11/bin/python', '-mpip', 'install', '.')
    Looking in indexes: http://127.0.0.1:9/simple
          ERROR: Could not find a version that satisfies the requirement setuptools>=68 (from versions: none)
          ERROR: No matching distribution found for setuptools>=68
    ERROR: Failed to build 'file:///tmp/repo' when installing build dependencies
"""
NO_SUCH_DEPENDENCY = """\
An unexpected error has occurred: CalledProcessError: command: ('.../py_env-python3.11/bin/python', '-mpip', 'install', '.')
    Collecting pyyaml>=6.0 (from compile-glossary==0.1.0)
    ERROR: Could not find a version that satisfies the requirement no-such-package>=1 (from compile-glossary)
    ERROR: No matching distribution found for no-such-package>=1 (from compile-glossary)
"""


@pytest.mark.parametrize("output, skip", [
    (NO_INDEX, True),
    ("WARNING: Retrying (Retry(total=4, ...)) after connection broken by 'NewConnectionError(...: "
     "Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /simple/setuptools/", True),
    ("pip._vendor.urllib3.exceptions.ReadTimeoutError: HTTPSConnectionPool(host='pypi.org', port=443): Read timed out.", True),
    (NO_SUCH_DEPENDENCY, False),  # a packaging failure: the test must fail, not skip
    ("error: subprocess-exited-with-error\n× Getting requirements to build wheel did not run successfully.\n"
     "configuration error: `project.dependencies[0]` must be pep508", False),
    ("An unexpected error has occurred: CalledProcessError: command: ('git', 'clone')", False),
])
def test_only_a_network_failure_makes_the_hook_test_skip(output: str, skip: bool) -> None:
    assert offline(output) is skip
