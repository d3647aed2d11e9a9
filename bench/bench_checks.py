"""Benchmark: the numeric checks on hostile hints, the tables, the real corpus, and its list of symbols.

Not a test: run it by hand and read the times::

    .venv/bin/python bench/bench_checks.py

Each hostile hint (power tower, 10 000-digit number, deep nesting, 1 MB of text, ...)
must end as ``error`` or ``unchecked`` in well under 100 ms; the script prints the
worst of five runs per hint and flags any that take longer. CPU time is measured
(wall time also counts other processes on a busy machine).
"""
from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from compiler.checks import check_hint  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MS = 100.0

HOSTILE = {
    "power tower 2^2^...^2 (300)": "2^" * 300 + "2 = 1",
    "power tower 9^9^9^9": "9^9^9^9 = 1",
    "10 000-digit number": "1" * 10_000 + " = 1",
    "100 000-digit claim": "α ≈ " + "1" * 100_000,
    "1 MB hint": "x" * 1_000_000,
    "1 MB of math": "(1+" * 250_000,
    "10 000 nested parentheses": "(" * 10_000 + "1" + ")" * 10_000 + " = 1",
    "400 nested \\frac": r"\frac{" * 400 + "1" + "}{2}" * 400 + " = 1",
    "5 000 square roots": "√" * 5000 + "2 = 1",
    "5 000 unary minus": "-" * 5000 + "1 = 1",
    "2 000-term sum": "α ≈ 1 " + "+ 1 " * 2000,
    "huge factorial": "(10^{10})! = 1",
    "overflow": "1e308 * 1e308 = 1",
    "long prose line": "the anomaly breathes and " * 390,
    "many relations": "1 = 1, " * 1400,
}


def cpu_ms(hint: str, runs: int = 5) -> tuple[float, str]:
    worst, status = 0.0, ""
    for _ in range(runs):
        t = time.process_time()
        status = check_hint(hint).status
        worst = max(worst, (time.process_time() - t) * 1000)
    return worst, status


def main() -> None:
    check_hint("α ≈ 1/137")  # load the reference data once
    print(f"{'hostile hint':34} {'status':10} {'worst ms':>9}")
    slow = 0
    for name, hint in HOSTILE.items():
        ms, status = cpu_ms(hint)
        flag = "  SLOW" if ms > LIMIT_MS else ""
        slow += bool(flag)
        print(f"{name:34} {status:10} {ms:9.2f}{flag}")
    for name, columns in (("hints.tsv", (3, 2)), ("physicist.tsv", (2, 1))):
        rows = [line.split("\t") for line in (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")]
        t = time.process_time()
        for row in rows:
            check_hint(row[columns[0]], edition=None if row[columns[1]] == "-" else row[columns[1]])
        per = (time.process_time() - t) * 1000 / len(rows)
        print(f"\ntable {name}: {len(rows)} hints, {per:.2f} ms per hint (CPU)", end="")
    print()
    corpus = ROOT.parent / "shared" / "corpus" / "dictionary"
    if corpus.is_dir():
        from compiler.checks import run_checks
        from compiler.load.terms import load_terms

        terms = load_terms(corpus).terms
        t = time.process_time()
        results, _ = run_checks(terms)
        ms = (time.process_time() - t) * 1000
        print(f"corpus: {len(terms)} terms, {len(results)} hints, {ms:.0f} ms CPU; "
              f"classes {dict(Counter(r.klass for r in results))}; statuses {dict(Counter(r.status for r in results))}")
        from dataclasses import replace

        from compiler.checks.symbols import symbol_list

        many = [replace(term, id=f"{term.id}_{i}", file=f"{i}/{term.file}") for i in range(42) for term in terms]
        for label, batch in (("corpus", terms), (f"corpus x42 ({len(many)} terms)", many)):
            t = time.process_time()
            rows, diags = symbol_list(batch)
            print(f"list of symbols, {label}: {len(rows)} symbols, {len(diags)} findings, "
                  f"{(time.process_time() - t) * 1000:.0f} ms CPU")
    print(f"\n{slow} hostile hint(s) over {LIMIT_MS:.0f} ms")


if __name__ == "__main__":
    main()
