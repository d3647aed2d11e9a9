"""Recovery at load on the real corpus: no term page lacks a section whose field the file's text holds.

Which fields a file holds is read here without the loader: the top-level keys of its
leading ``---`` blocks, with a value that is not empty (text on the key's line other
than ``[]``, ``{}``, ``~``, ``""``, or indented lines below it). A page is found by the
source path it names, so neither the loader nor the slugs decide what is checked.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from compiler.build import build
from compiler.stages import Options

SECTION_OF = {"parents": "hierarchy", "children": "hierarchy", "pirouette_definition": "definition",
              "triad": "triad", "operational_definition": "operational", "context_windows": "context",
              "poetic_connections": "poetic", "formal_mappings": "formal", "constraints_and_falsifiers": "claims",
              "naming_notes": "naming", "provenance": "provenance"}
EMPTY = {"", "[]", "{}", "~", "null", '""', "''", "|", ">", "|-", ">-"}
_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:(?:\s+(.*))?$")


def header_lines(text: str) -> list[str]:
    """The lines of the file's leading front-matter blocks (blank lines between blocks skipped)."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines) and lines[i].strip() == "---":
        j = i + 1
        while j < len(lines) and lines[j].strip() not in ("---", "..."):
            j += 1
        out += lines[i + 1:j] + [""]
        i = j + 1
        while i < len(lines) and not lines[i].strip():
            i += 1
    return out


def fields_written(text: str) -> set[str]:
    lines = header_lines(text)
    found = set()
    for n, line in enumerate(lines):
        m = _KEY.match(line)
        if not m or m.group(1) not in SECTION_OF:
            continue
        value = (m.group(2) or "").split(" #")[0].strip()
        nested = n + 1 < len(lines) and lines[n + 1][:1] in (" ", "-") and lines[n + 1].strip() not in ("", "-")
        if value not in EMPTY or (value in ("", "|", ">", "|-", ">-") and nested):
            found.add(m.group(1))
    return found


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from tests.conftest import CORPUS

    if not (CORPUS / "dictionary").is_dir() or not (CORPUS / "modules").is_dir():
        pytest.skip("../shared/corpus is not present")
    out = tmp_path_factory.mktemp("corpus") / "site"
    build(CORPUS / "dictionary", out, Options(module_dirs=(CORPUS / "modules",)))
    return CORPUS / "dictionary", out


def test_no_term_page_lacks_a_section_whose_field_is_written(corpus_site: tuple[Path, Path]) -> None:
    terms_dir, out = corpus_site
    pages: dict[str, set[str]] = {}
    for page in (out / "terms").glob("*.html"):
        html = page.read_text("utf-8")
        source = re.search(r'class="source-file">Source: <code>([^<]+)</code>', html)
        if source:
            pages[source.group(1)] = set(re.findall(r'<section id="([\w-]+)"', html))
    missing = {}
    checked = 0
    for path in sorted(terms_dir.glob("*.md")):
        wanted = {SECTION_OF[f] for f in fields_written(path.read_text("utf-8"))}
        shown = pages.get(path.name)
        assert shown is not None, f"{path.name} has no page"
        checked += len(wanted)
        if wanted - shown:
            missing[path.name] = sorted(wanted - shown)
    assert checked > 1000  # the fields are found at all
    assert missing == {}


@pytest.mark.parametrize("text, fields", [
    ("---\nterm: A\npirouette_definition: |\n  text\n---\n", {"pirouette_definition"}),
    ("---\nparents: []\nchildren: [B]\n---\n", {"children"}),
    ("---\ntriad:\n  art: x\n---\n\n---\nprovenance: ~\n---\n", {"triad"}),
    ("---\nnaming_notes:\n---\nnaming_notes: x\n", set()),  # the body is not a header
])
def test_fields_written_reads_the_headers_only(text: str, fields: set[str]) -> None:
    assert fields_written(text) == fields
