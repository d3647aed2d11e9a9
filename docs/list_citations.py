"""List every journal citation in the shipped glossary and the checks' reference data.

Why: issue 24 asks that each citation (journal, volume, page, year) be checked against
the publisher's record; docs/citations.md is that record, and this script is how its
rows were found, so a later edit can be re-checked the same way.

Usage: python docs/list_citations.py [--distinct] [paths...]
(defaults: terms/*.md and compiler/checks/reference_data.json, relative to the repository).
Prints "file:line: citation" per occurrence, or with --distinct one row per citation
with the number of uses and the files using it.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Journal abbreviations as they are spelled in the glossary, longest first so that
# "Phys. Rev. Lett." wins over "Phys. Rev.".
JOURNALS = [
    r"Phys\. Rev\. Lett\.", r"Phys\. Rev\. [A-E]", r"Phys\. Rev\.", r"Phys\. Rept\.",
    r"Phys\. Lett\. B", r"Phys\. Lett\.", r"Rev\. Mod\. Phys\.", r"Nucl\. Phys\. B",
    r"Eur\. Phys\. J\. C", r"Helv\. Phys\. Acta", r"Proc\. R\. Soc\.(?: Lond\.)? A",
    r"Prog\. Theor\. Exp\. Phys\.", r"PTEP", r"Rep\. Prog\. Phys\.", r"Nuovo Cimento A",
    r"Nature", r"Science", r"Atoms", r"ApJL", r"ApJ", r"A&A", r"PRL", r"PRD", r"RMP",
]
JOURNAL = "(?:" + "|".join(JOURNALS) + ")"
# "Phys. Rev. D 110, 030001", "Atoms 7, 28", "PTEP 2022, 083C01", "A&A 641, A6"
VOLUME_PAGE = re.compile(
    rf"(?<![A-Za-z])(?P<journal>{JOURNAL}) (?P<volume>\d{{1,4}}), (?P<page>[A-Z]?\d+[A-Z]?\d*)"
)
# "JHEP 09 (2015) 074"
JHEP = re.compile(r"JHEP (?P<volume>\d{2}) \((?P<year>\d{4})\) (?P<page>\d{3})")
ARXIV = re.compile(r"arXiv: ?\d{4}\.\d{4,5}|hep-[a-z]+/\d{7}")
OTHER = re.compile(r"ResearchGate publication \d+")


# The year printed right after a citation: "... 161802 (2023)" or "..., 025010, 2021)".
YEAR_AFTER = re.compile(r"\s*(?:\((\d{4})\)|, (\d{4})\))")
# A `where:` entry of formal_mappings references carries its year on the next line.
DATE_LINE = re.compile(r'^\s*date: "?(\d{4})')
# Short forms used in the prose, spelled out so that one paper is one row.
LONG_NAMES = {"PRL": "Phys. Rev. Lett.", "PRD": "Phys. Rev. D", "RMP": "Rev. Mod. Phys.",
              "PTEP": "Prog. Theor. Exp. Phys.", "Proc. R. Soc. Lond. A": "Proc. R. Soc. A"}


def citations(line: str, next_line: str = "") -> list[tuple[str, str]]:
    """Every citation on one line with the year printed beside it ("" if none)."""
    date = DATE_LINE.match(next_line) if "where:" in line else None
    found = []
    for m in VOLUME_PAGE.finditer(line):
        after = YEAR_AFTER.match(line, m.end())
        year = (after.group(1) or after.group(2)) if after else (date.group(1) if date else "")
        journal = LONG_NAMES.get(m["journal"], m["journal"])
        found.append((f"{journal} {m['volume']}, {m['page']}", year))
    found += [(f"JHEP {m['volume']} ({m['year']}) {m['page']}", m["year"])
              for m in JHEP.finditer(line)]
    found += [(m.group(0).replace("arXiv: ", "arXiv:"), "") for m in ARXIV.finditer(line)]
    found += [(m.group(0), date.group(1) if date else "") for m in OTHER.finditer(line)]
    return found


def scan(paths: list[Path]) -> list[tuple[str, int, str, str]]:
    """(file, line, citation, year) for every citation in the files."""
    rows = []
    for path in paths:
        name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            following = lines[number] if number < len(lines) else ""
            rows += [(name, number, cite, year) for cite, year in citations(line, following)]
    return rows


def main(argv: list[str]) -> int:
    distinct = "--distinct" in argv
    args = [a for a in argv if a != "--distinct"]
    paths = [Path(a).resolve() for a in args] or [
        *sorted((ROOT / "terms").glob("*.md")),
        ROOT / "compiler" / "checks" / "reference_data.json",
    ]
    rows = scan(paths)
    if not distinct:
        for name, number, cite, year in rows:
            print(f"{name}:{number}: {cite}" + (f" ({year})" if year else ""))
        return 0
    uses: dict[str, list[str]] = defaultdict(list)
    years: dict[str, set[str]] = defaultdict(set)
    for name, _number, cite, year in rows:
        uses[cite].append(Path(name).stem if name.startswith("terms") else "reference_data")
        years[cite] |= {year} if year else set()
    for cite in sorted(uses):
        files = sorted(set(uses[cite]))
        print(f"{cite}\t{'/'.join(sorted(years[cite])) or '-'}\t{len(uses[cite])}\t{', '.join(files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
