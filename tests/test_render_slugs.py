"""Slugs: readable, percent-safe, distinct, never a path out of the folder."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.render.slugs import RESERVED, assign_slugs, href, is_safe_slug, natural_slug

READABLE = [
    ("LEPTONIC_ANOMALY", "LEPTONIC_ANOMALY"),
    ("DYNA-Γ-001", "DYNA-Γ-001"),
    ("COG-RES-001", "COG-RES-001"),
    ("ASSEMBLe", "ASSEMBLe"),
    ("(g-2) anomaly", "g-2-anomaly"),
    ("Café_Noir", "Café_Noir"),
]

HOSTILE = [
    "..", "../../etc/passwd", "/etc/passwd", "a/../../b", "..\\..\\windows", "C:\\Windows\\x", "C:",
    "a\x00b", "\x00", "．．／", "\u2024\u2024", "\uff0e\uff0e\uff0fetc", "\u2215etc\u2215passwd", ".hidden",
    "~root", "a:b", "%2e%2e%2f", "<script>", "x" * 10000, "", " ", "\u202e", "CON", "con.txt", "NUL",
    "index", "404", "search",
]


@pytest.mark.parametrize("ident,slug", READABLE)
def test_readable_ids_keep_their_letters(ident: str, slug: str) -> None:
    assert natural_slug(ident) == slug


def test_unicode_slug_is_percent_encoded_in_links() -> None:
    assert href("DYNA-Γ-001") == "DYNA-%CE%93-001"


@pytest.mark.parametrize("ident", HOSTILE)
def test_hostile_ids_stay_inside_the_folder(ident: str, tmp_path: Path) -> None:
    slugs, _ = assign_slugs([ident])
    slug = slugs[ident]
    assert is_safe_slug(slug), slug
    assert "." not in slug and "/" not in slug and "\\" not in slug and "\x00" not in slug
    target = (tmp_path / f"{slug}.html").resolve()
    assert target.parent == tmp_path.resolve()
    assert len(slug) <= 120


@pytest.mark.parametrize("name", sorted(RESERVED))
def test_reserved_names_get_another_slug(name: str) -> None:
    slugs, clashes = assign_slugs([name, name.upper()])
    for _ident, slug in slugs.items():
        assert slug.casefold() not in RESERVED
    assert {c.reason for c in clashes} == {"reserved"}


def test_collisions_get_distinct_slugs_and_are_reported() -> None:
    ids = ["Action", "ACTION", "ACTION.", "ACTION-2"]
    slugs, clashes = assign_slugs(ids)
    assert len({s.casefold() for s in slugs.values()}) == 4
    assert slugs["ACTION"] == "ACTION"  # the id equal to its slug keeps it
    assert slugs["ACTION-2"] == "ACTION-2"  # a natural slug is never taken by a suffixed one
    assert {c.ident for c in clashes} == {"Action", "ACTION."}
    assert all(c.reason == "collision" and c.other == "ACTION" for c in clashes)


def test_assignment_is_stable_whatever_the_input_order() -> None:
    ids = ["b", "B", "a", "A", "index", "x" * 200, "x" * 201]
    assert assign_slugs(ids) == assign_slugs(list(reversed(ids)))


def test_taken_slugs_are_avoided() -> None:
    slugs, clashes = assign_slugs(["LEPTON"], taken=["lepton"])
    assert slugs["LEPTON"] != "LEPTON" and clashes


def test_long_ids_sharing_a_prefix_stay_apart() -> None:
    a, b = "A" * 300 + "1", "A" * 300 + "2"
    slugs, clashes = assign_slugs([a, b])
    assert slugs[a] != slugs[b] and not clashes


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=8))
def test_any_ids_get_distinct_safe_slugs(ids: list[str]) -> None:
    slugs, _ = assign_slugs(ids)
    assert set(slugs) == set(ids)
    assert len({s.casefold() for s in slugs.values()}) == len(slugs)
    assert all(is_safe_slug(s) for s in slugs.values())


def _slug_by_the_rule(ident: str) -> str:
    """The rule of natural_slug written out, character by character (the general, non-ASCII path)."""
    from compiler.render.slugs import _keep

    out: list[str] = []
    for ch in ident:
        if _keep(ch):
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-_")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=40))
def test_ascii_fast_path_follows_the_rule(ident: str) -> None:
    expected = _slug_by_the_rule(ident)
    if len(expected) <= 96:
        assert natural_slug(ident) == (expected or "x")
