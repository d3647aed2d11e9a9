"""Benchmark: build the knowledge graph (link + integrity checks) of a generated glossary.

Not a test: run it by hand and read the times, which should grow about linearly
with the number of terms (the "did you mean" index, the cycle search and the
checks are all linear or N log N)::

    .venv/bin/python bench/bench_graph.py              # 1k, 10k, 100k terms
    .venv/bin/python bench/bench_graph.py 5000 50000   # other sizes

The generated glossary looks like the real one: most parents are module ids, most
crosslinks name undefined terms, some names are typos of real ids (so "did you
mean" has work to do), some synonyms are one-way, and a few hierarchy cycles exist.
Terms are built in memory (no files), so only the graph stage is measured. CPU time
is the figure to compare (wall time also counts other processes on a busy machine);
``rss MB`` is the process's peak resident memory, ``link MB`` how much of it the
graph stage added on top of the generated terms. Run one size per process for clean
memory figures.
"""
from __future__ import annotations

import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from compiler.config import default_config  # noqa: E402
from compiler.link import link  # noqa: E402
from compiler.load.modules import Module  # noqa: E402
from compiler.model import Location, Term  # noqa: E402

SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]  # 70 syllables


def word(i: int, length: int = 3) -> str:
    out = []
    for _ in range(length):
        i, r = divmod(i, len(SYLLABLES))
        out.append(SYLLABLES[r])
    return "".join(out)


def term_id(i: int) -> str:
    """Unique, number-free ids like `KOTAMI_RESULO` (real ids are words, not counters)."""
    return f"{word(i)}_{word((i * 7919) % 343_000)}".upper()


def typo(name: str, rng: random.Random) -> str:
    i = rng.randrange(len(name))
    return name[:i] + name[i + 1:] if rng.random() < 0.5 else name[:i] + "X" + name[i + 1:]


def locate(value: Any, pointer: str = "", out: dict[str, Location] | None = None) -> dict[str, Location]:
    """A location for every pointer, as the loader records them (one value a line)."""
    out = {} if out is None else out
    out[pointer] = Location(len(out) + 2, 3)
    if isinstance(value, dict):
        for key, item in value.items():
            locate(item, f"{pointer}/{key}", out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            locate(item, f"{pointer}/{index}", out)
    return out


def generate(n: int, seed: int = 7) -> tuple[list[Term], list[Module]]:
    rng = random.Random(seed)
    ids = [term_id(i) for i in range(n)]
    modules = [Module(id=f"MOD-{j:04d}", title=f"Module {j}", file=f"modules/MOD-{j:04d}.md",
                      path=Path(f"/m/MOD-{j:04d}.md")) for j in range(max(1, n // 20))]

    def pick() -> str:
        roll = rng.random()
        if roll < 0.55:
            return rng.choice(ids)
        if roll < 0.60:
            return typo(rng.choice(ids), rng)
        return term_id(n + rng.randrange(n))  # a plausible name nobody defined

    terms = []
    for i, ident in enumerate(ids):
        parent = rng.choice(modules).id if rng.random() < 0.7 else ids[rng.randrange(n)]
        data = {
            "term": ident.replace("_", " ").title(), "canonical_id": ident, "aliases": [f"alias {i}"],
            "parents": [parent], "children": [ids[(i * 7 + 1) % n]] if rng.random() < 0.1 else [],
            "provenance": {"sources": [{"module": rng.choice(modules).id}]},
            "crosslinks": {"near_synonyms": [pick()], "antonyms": [pick()],
                           "prerequisites": [pick(), pick()], "downstream_effects": [pick(), pick()]},
            "poetic_connections": {"association_matrix": [[pick(), round(rng.uniform(-0.1, 1.05), 2)]
                                                          for _ in range(3)]},
        }
        locations = locate(data)
        terms.append(Term(id=ident, file=f"{ident}.md", path=Path(f"/t/{ident}.md"), data=data, body="",
                          body_line=0, locations=locations))
    return terms, modules


def run(n: int) -> dict[str, float]:
    t0 = time.perf_counter()
    terms, modules = generate(n)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t1, c1 = time.perf_counter(), time.process_time()
    result = link(terms, modules, default_config(Path(".")))
    t2, c2 = time.perf_counter(), time.process_time()
    findings = Counter(d.code for d in result.diagnostics)
    return {"terms": n, "generate_s": t1 - t0, "link_s": t2 - t1, "cpu_s": c2 - c1, "nodes": result.graph.number_of_nodes(),
            "edges": result.graph.number_of_edges(), "findings": sum(findings.values()),
            "did_you_mean": sum(1 for d in result.diagnostics if (d.hint or "").startswith("did you mean")),
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "link_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before}


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [1_000, 10_000, 100_000]
    print(f"{'terms':>8} {'wall s':>8} {'cpu s':>8} {'cpu µs/term':>11} {'nodes':>8} {'edges':>9} {'findings':>9}"
          f" {'dym':>7} {'rss MB':>7} {'link MB':>7}")
    for n in sizes:
        r = run(n)
        print(f"{n:>8} {r['link_s']:>8.2f} {r['cpu_s']:>8.2f} {r['cpu_s'] / n * 1e6:>11.0f} {r['nodes']:>8} {r['edges']:>9} "
              f"{r['findings']:>9} {r['did_you_mean']:>7} {r['maxrss_mb']:>7.0f} {r['link_mb']:>7.0f}")


if __name__ == "__main__":
    main(sys.argv[1:])
