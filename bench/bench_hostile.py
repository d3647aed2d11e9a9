"""Time and peak memory of every hostile input, each validated alone in a fresh process.

    .venv/bin/python bench/bench_hostile.py

Each bad or hostile file of tests/fixtures (load/bad and hostile/files, plus a 50 MB
file made here) is copied alone into a folder and run through
``compile-glossary validate``; the table lists the slowest inputs and the highest peak
memory, and bench/results/hostile.json keeps every row. Not a test: bounds are read
here, never asserted in the test suite.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import measure  # noqa: E402

FIXTURES = HERE.parent / "tests" / "fixtures"


def main() -> None:
    inputs = sorted((FIXTURES / "load" / "bad").glob("*.md")) + sorted((FIXTURES / "hostile" / "files").glob("*.md"))
    rows = []
    with tempfile.TemporaryDirectory(prefix="cg-hostile-") as tmp:
        big = Path(tmp) / "fifty_megabytes.md"
        with open(big, "wb") as fh:
            fh.write(b"---\nterm: Big\ncanonical_id: BIG\n---\n" + b"x" * (50 * 1024 * 1024))
        for path in [*inputs, big]:
            folder = Path(tmp) / "case"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            shutil.copy(path, folder / path.name)
            r = measure("build", "validate", str(folder), "--format", "json")
            rows.append({"file": path.name, "wall": r["wall"], "rss_mb": r["rss_mb"], "exit": r["code"]})
            print(f"{path.name:40} {r['wall']:6.3f} s {r['rss_mb']:7.1f} MB exit {r['code']}", flush=True)
    rows.sort(key=lambda r: -r["wall"])
    print(f"\n{len(rows)} inputs; slowest: {rows[0]['file']} {rows[0]['wall']:.2f} s;",
          f"highest peak memory: {max(rows, key=lambda r: r['rss_mb'])['file']}",
          f"{max(r['rss_mb'] for r in rows):.0f} MB; exits other than 0/1: {[r for r in rows if r['exit'] not in (0, 1)]}")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "hostile.json").write_text(json.dumps(rows, indent=1), "utf-8")


if __name__ == "__main__":
    main()
