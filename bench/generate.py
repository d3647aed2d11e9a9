"""Write a realistic generated glossary of N terms (and its modules) for benchmarks.

The shape follows ../shared/corpus: about 89% of files carry a stub block and then
the full header, about 30% of full headers are broken YAML (the real breakage
families), ids are upper-snake with some Unicode module ids (``DYNA-Γ-001``),
parents/children name modules, crosslinks mix resolving and dangling ids, and a
share of candidates carry equation hints. Deterministic for a given seed.

    python bench/generate.py OUT_DIR --terms 1000 [--seed 1]
"""
from __future__ import annotations

import argparse
import math
import random
from pathlib import Path

WORDS = ("coherence resonance temporal pressure field lepton muon anomaly phase lattice harmonic "
         "spin moment vacuum polarization gauge coupling drift spectral kernel flux basin attractor "
         "manifold torsion entropy gradient cascade echo boundary symmetry invariant operator").split()
PREFIXES = ("CORE", "DYNA-Γ", "MATH", "COSMO-Γ", "DOMA", "COG-RES", "SOC")
HINTS = (
    r"\Delta a_\mu = a_\mu^{\text{exp}} - a_\mu^{\text{SM}} \approx 251 \times 10^{-11}",
    r"a_e = \frac{\alpha}{2\pi} \approx 1.1614 \times 10^{-3}",
    "α⁻¹ ≈ 137.036",
    "m_μ / m_e ≈ 206.768",
    "E = m c^2",
    "Γ ∝ m_ℓ² (coupling scales with mass)",
    "K_τ = ∫ ρ(x) dx over the basin",
    "√2 ≈ 1.41421",
)


def hint_text(i: int, rng: random.Random) -> str:
    """An equation hint, distinct per term like the corpus's (143 distinct of 145): numbers that
    check (and some that do not), symbolic forms that stay unchecked, and the fixed ones above."""
    a, b = round(rng.uniform(1, 500), rng.randrange(1, 4)), round(rng.uniform(0.01, 50), 3)
    wrong = rng.random() < 0.15  # a share of claims that the check must fail
    forms = (
        lambda: f"{a} \\times {b} \\approx {a * b * (1.1 if wrong else 1):.5g}",
        lambda: f"\\frac{{{a}}}{{{b}}} \\approx {a / b * (1.1 if wrong else 1):.4g}",
        lambda: f"√{a} ≈ {math.sqrt(a) * (1.1 if wrong else 1):.4f}",
        lambda: f"{a} + {b} ≈ {a + b + (1 if wrong else 0):.6g}",
        lambda: f"E_{{{i}}} = k_{{{i}}} T^{rng.randint(2, 4)} (scales with temperature)",
        lambda: rng.choice(HINTS),
    )
    return rng.choice(forms)()


BREAKAGES = (  # (field line, how it breaks) — the real glossary's families
    "    - title: Model Predictive Control: Theory and Design",
    "  editors: [Agent[text-davinci-003]]",
    "      default_range: [0, 1] (where 1 is laminar)",
    "      default_range: `(-inf, inf)`",
    "    - name: **A**",
    '      meaning: "ratio \\(x\\) of flows"',
    "  disambiguation: Tau: the third lepton",
)


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def term_text(i: int, ids: list[str], modules: list[str], rng: random.Random) -> str:
    ident = ids[i]
    name = ident.replace("_", " ").title()
    links = [rng.choice(ids) if rng.random() < 0.3 else f"UNDEFINED_{rng.randrange(5 * len(ids))}" for _ in range(6)]
    upper, lower = modules[: len(modules) // 2], modules[len(modules) // 2:]
    stub = (f'---\nterm: "{name}"\ncanonical_id: "{ident}"\nsymbol: ""\naliases: []\nstatus: "draft"\n'
            f'version: "0.1"\nlast_updated: "2025-10-18"\nprovenance: ["{rng.choice(modules)}_source"]\n---\n\n')
    full = [
        f"term: {name}", f"canonical_id: {ident}", f"symbol: {ident[:2]}",
        f"aliases: [{name.lower()} variant]",
        # parents from the upper half of the modules, children from the lower half: a hierarchy, not a tangle
        f"parents: [{rng.choice(upper)}, {rng.choice(upper)}]", f"children: [{rng.choice(lower)}]",
        f"status: {rng.choice(['candidate', 'ratified', 'draft'])}", "version: 1.0", "last_updated: 2025-10-18",
        "provenance:", "  sources:", f"    - module: {rng.choice(modules)}", '      lines: "10-13"',
        "      snippet: |", f"        {_words(rng, 40)}", "  editors: [llm-autocompiler]", "  review_log: []",
        "triad:", f"  art: |\n    {_words(rng, 30)}", f"  law: |\n    {_words(rng, 30)}",
        f"  philosophy: |\n    {_words(rng, 30)}",
        f"pirouette_definition: |\n  {_words(rng, 60)}",
        "operational_definition:", "  units: Dimensionless", "  symbol_table:",
        f"    - name: {ident[:2]}", f'      meaning: "{_words(rng, 8)}"', '      dimensions: "dimensionless"',
        '      default_range: "0 to 1"',
        "context_windows:", f"  - module: {rng.choice(modules)}", f"    excerpt: |\n      {_words(rng, 50)}",
        "poetic_connections:", f"  motifs: [{_words(rng, 1)}, {_words(rng, 1)}]",
        "  association_matrix:", f'    - [ "{links[0]}", {rng.choice([0.9, 0.6, 0.3])} ]',
        "formal_mappings:", "  candidates:", f"    - target: {_words(rng, 2)}", "      domain: SM",
        "      mapping_kind: operational", f"      equation_hint: |\n        {hint_text(i, rng)}",
        f"      justification: |\n        {_words(rng, 40)}", "      references:",
        f"        - title: {_words(rng, 5)}", "          where: Phys. Rev. Lett. 126, 141801", "          date: 2021-04-07",
        "      confidence: 0.8",
        "constraints_and_falsifiers:", "  claims:", f'    - statement: "{_words(rng, 20)}"', "      domain: physics",
        f'      falsifier: "{_words(rng, 15)}"', "      status: proposed", f"      links: [{rng.choice(modules)}]",
        "crosslinks:", f"  near_synonyms: [{links[1]}]", f"  antonyms: [{links[2]}]",
        f"  prerequisites: [{links[3]}, {links[4]}]", f"  downstream_effects: [{links[5]}]",
        "license: CC-BY-SA-4.0",
    ]
    if rng.random() < 0.30:
        full.insert(rng.randrange(20, len(full)), rng.choice(BREAKAGES))
    closed = rng.random() < 0.85
    body = f"\n# {name}\n\n## Canonical\n{_words(rng, 80)}\n\n## Glossary Links\n- See also: {links[0]}\n"
    header = "---\n" + "\n".join(full) + "\n" + ("---\n" + body if closed else "")
    return (stub if rng.random() < 0.89 else "") + header


def module_text(ident: str, rng: random.Random) -> str:
    return (f"---\nid: {ident}\ntitle: {_words(rng, 4).title()}\nstatus: draft-1.0\n---\n\n"
            f"## Purpose\n\n{_words(rng, 120)}\n")


def generate(out: Path, terms: int, seed: int = 1) -> Path:
    """Write ``terms`` term files into ``out/dictionary`` and modules into ``out``; return the terms folder."""
    rng = random.Random(seed)
    ids = [f"{rng.choice(WORDS).upper()}_{rng.choice(WORDS).upper()}_{i}" for i in range(terms)]
    modules = [f"{rng.choice(PREFIXES)}-{i:03d}" for i in range(max(10, terms // 3))]
    dictionary = out / "dictionary"
    dictionary.mkdir(parents=True, exist_ok=True)
    for ident in modules:
        (out / f"{ident}.md").write_text(module_text(ident, rng), "utf-8")
    for i, ident in enumerate(ids):
        (dictionary / f"{ident}.md").write_text(term_text(i, ids, modules, rng), "utf-8")
    return dictionary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--terms", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(generate(args.out, args.terms, args.seed))


if __name__ == "__main__":
    main()
