"""The authoring docs stay true: their examples are what `fix` does, their links and fields exist."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from compiler.authoring.fix import fix_text
from compiler.authoring.scaffold import shipped_schema
from compiler.cli.main import make_parser

DOCS = Path(__file__).resolve().parents[1] / "docs"
FIX_MD = (DOCS / "fix.md").read_text("utf-8")


def _code(cell: str) -> str:
    cell = cell.strip().replace("\\|", "|")
    ticks = len(cell) - len(cell.lstrip("`"))
    return cell[ticks:len(cell) - ticks].strip() if ticks else cell


def _table_rows() -> list[tuple[str, str]]:
    section = FIX_MD.split("## What it repairs", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = re.split(r"(?<!\\)\|", line)[1:-1]
        if len(cells) == 3 and "`" in cells[1] and not cells[1].strip().startswith("---"):
            rows.append((_code(cells[1]), _code(cells[2])))
    return rows


@pytest.mark.parametrize("before,after", _table_rows())
def test_the_repairs_table_is_what_fix_does(before: str, after: str) -> None:
    assert fix_text(f"---\n{before}\n---\n")[0] == f"---\n{after}\n---\n"


def _diff_pairs() -> list[tuple[str, str]]:
    pairs = []
    for block in re.findall(r"```diff\n(.*?)```", FIX_MD, re.S):
        minus = [line[1:] for line in block.splitlines() if line.startswith("-")]
        plus = [line[1:] for line in block.splitlines() if line.startswith("+")]
        pairs += list(zip(minus, plus))
    return pairs


@pytest.mark.parametrize("before,after", _diff_pairs())
def test_the_quoted_real_diffs_are_what_fix_does(before: str, after: str) -> None:
    indent = len(before) - len(before.lstrip())
    assert fix_text(f"---\n{before[indent:]}\n---\n")[0] == f"---\n{after[indent:]}\n---\n"


def test_the_guide_describes_every_field() -> None:
    guide = (DOCS / "guide.md").read_text("utf-8")
    fields = set(re.findall(r"^\| `(\w+)` \|", guide, re.M))
    assert set(shipped_schema()["properties"]) <= fields


def test_the_guide_lists_every_command() -> None:
    guide = (DOCS / "guide.md").read_text("utf-8")
    sub = next(a for a in make_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    for name in sub.choices:
        assert f"`compile-glossary {name}" in guide, name


@pytest.mark.parametrize("page", ["guide.md", "fix.md", "ci.md"])
def test_links_point_at_existing_pages_and_headings(page: str) -> None:
    text = (DOCS / page).read_text("utf-8")
    for target, anchor in re.findall(r"\]\(([\w.-]+\.md)(?:#([\w-]+))?\)", text):
        path = DOCS / target
        assert path.is_file(), f"{page} links to missing {target}"
        if anchor:
            slugs = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
                     for h in re.findall(r"^#+ (.*)$", path.read_text("utf-8"), re.M)}
            assert anchor in slugs, f"{page} links to missing heading {target}#{anchor}"


def test_ci_recipes_use_real_options() -> None:
    ci = textwrap.dedent((DOCS / "ci.md").read_text("utf-8"))
    assert "--format github" in ci and "--format sarif" in ci and "upload-sarif" in ci
    assert "compile-glossary-fix" in ci and "compile-glossary-validate" in ci
    for command in re.findall(r"compile-glossary (validate|build|fix|schema)\b", ci):
        assert command in make_parser().format_help()


def test_ci_snippets_parse_and_the_problem_matcher_reads_real_output(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    import yaml

    ci = (DOCS / "ci.md").read_text("utf-8")
    for block in re.findall(r"```yaml\n(.*?)```", ci, re.S):
        yaml.safe_load(block)
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", ci, re.S)]
    pattern = next(b for b in blocks if "tasks" in b)["tasks"][0]["problemMatcher"]["pattern"]["regexp"]
    (tmp_path / "A.md").write_text("---\nterm: A\ncanonical_id: A\nsymbol: `x`\n---\n", "utf-8")
    out = subprocess.run([sys.executable, "-m", "compiler", "validate", str(tmp_path)],
                         capture_output=True, text=True).stdout
    found = [m.groups() for m in map(re.compile(pattern).match, out.splitlines()) if m]
    assert any(g[3] == "error" and g[4] == "yaml-syntax" and g[1] == "4" for g in found), out
