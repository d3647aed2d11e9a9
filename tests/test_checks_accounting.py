"""Every hint accounted for: found = checked + not readable, files whose header could not be read named."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from compiler.cli.main import main

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dictionary"

GOOD = """---
term: Good
canonical_id: GOOD
formal_mappings:
  candidates:
    - target: a
      equation_hint: "√2 ≈ 1.41421"
    - target: b
      equation_hint: ~
---
Body.
"""
HEADER = """---
term: Broken
canonical_id: BROKEN
---

---
term: Broken
canonical_id: BROKEN
formal_mappings:
  candidates:
    - target: {target}
      equation_hint: |
        α ≈ 1/137
    - target: b
      equation_hint: "2 + 2 = 4"
    - target: c
      equation_hint: ''
---
"""
BROKEN = HEADER.replace("    - target: {target}", "\t- target: a")  # a tab: `fix` leaves it to the author
REPAIRABLE = HEADER.replace("{target}", "a: with a colon")  # read as `fix --write` would write it
NO_FENCE = """---
term: Fenceless
canonical_id: FENCELESS
---
formal_mappings:
  candidates:
    - equation_hint: |
        e ≈ 2.718
---

```yaml
equation_hint: not a hint, an example in a code block
```
"""


def run(args: list[str], capsys) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().out


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, text in {"GOOD.md": GOOD, "BROKEN.md": BROKEN, "FENCELESS.md": NO_FENCE}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_hints_found_are_checked_or_named_as_unreadable(folder: Path, capsys) -> None:
    code, out = run(["check", str(folder), "--format", "json"], capsys)
    doc = json.loads(out)
    hints = doc["summary"]["hints"]
    assert hints == {"found": 4, "checked": 1, "unreadable": 3, "unreadable_files": ["BROKEN.md", "FENCELESS.md"]}
    unread = [d for d in doc["diagnostics"] if d["code"] == "check-unread"]
    assert [(Path(d["file"]).name, d["line"]) for d in unread] == [("BROKEN.md", 12), ("BROKEN.md", 15), ("FENCELESS.md", 7)]
    assert doc["summary"]["errors"] >= 1 and code == 1  # the broken header's own error: never "0 errors"
    assert any(d["code"] in ("yaml-syntax", "yaml-tab") and Path(d["file"]).name == "BROKEN.md" for d in doc["diagnostics"])


def test_the_text_report_names_the_files(folder: Path, capsys) -> None:
    _, out = run(["check", str(folder)], capsys)
    assert "4 equation hints: 1 checked, 3 not readable in 2 files" in out
    assert "not read (2 files whose header could not be read): BROKEN.md, FENCELESS.md" in out
    _, out = run(["validate", str(folder)], capsys)
    assert "4 equation hints: 1 checked, 3 not readable in 2 files" in out


def test_hints_of_a_header_fix_repairs_are_checked(tmp_path: Path, capsys) -> None:
    (tmp_path / "BROKEN.md").write_text(REPAIRABLE, encoding="utf-8")
    code, out = run(["check", str(tmp_path), "--format", "json"], capsys)
    doc = json.loads(out)
    assert doc["summary"]["hints"] == {"found": 2, "checked": 2, "unreadable": 0, "unreadable_files": []}
    assert not [d for d in doc["diagnostics"] if d["code"] == "check-unread"]
    code, out = run(["validate", str(tmp_path), "--format", "json"], capsys)
    assert code == 1 and any(d["code"] == "yaml-syntax" for d in json.loads(out)["diagnostics"])  # still an error


def independent_count(text: str) -> int:
    """Non-empty `equation_hint` values written in a file, counted without the loader (a YAML null is none)."""
    count = 0
    for m in re.finditer(r"(?m)^([ \t]*)(?:- +)?equation_hint:[ \t]*(.*)$", text):
        indent, rest = len(m.group(1)), m.group(2).strip()
        if rest.startswith(("|", ">")):
            following = text[m.end():].split("\n")[1:]
            body = []
            for line in following:
                if line.strip() and len(line) - len(line.lstrip()) <= indent:
                    break
                body.append(line.strip())
            rest = "".join(body)
        if rest.strip("'\" ") and rest not in ("~", "null"):
            count += 1
    return count


def test_on_the_real_corpus_every_hint_written_is_found(capsys) -> None:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not available")
    written = sum(independent_count(p.read_text(encoding="utf-8")) for p in CORPUS.glob("*.md"))
    _, out = run(["check", str(CORPUS), "--format", "json"], capsys)
    hints = json.loads(out)["summary"]["hints"]
    assert hints["found"] == written > 200
    assert hints["checked"] + hints["unreadable"] == hints["found"]
    assert hints["unreadable"] and len(hints["unreadable_files"]) <= hints["unreadable"]
