"""The typed relations between terms: what each header field means as an edge, in one place.

Why a typed multigraph and not the untyped links note-taking tools draw: the author's
links live in YAML and say *how* two ideas relate (broader, prerequisite, antonym...).
Keeping the relation on every edge lets the integrity checks reason about it (a cycle
of "broader", a pair that is both synonym and antonym) and lets exports map it to SKOS.
Inverse relations are one fact: ``A parents [B]`` is edge A->B ``broader``, and its
inverse B->A ``narrower`` is inferred unless B declares ``children [A]``. Citation-like
relations (``source``, ``context``, ``claim``, ``mapping``) have no inverse: the
in-edges already say "cited by".
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Relation:
    """One edge type: its inverse, the field it comes from, and how the checks treat it."""

    name: str
    inverse: str | None  # itself for a symmetric relation; None when no inverse is inferred
    field: str  # where the author writes it, for messages
    one_way_check: bool = False  # report when declared on one side only
    soft: bool = False  # free text that only sometimes names a term: no missing node, no dangling finding

    @property
    def symmetric(self) -> bool:
        return self.inverse == self.name


RELATIONS: dict[str, Relation] = {r.name: r for r in (
    Relation("broader", "narrower", "parents"),
    Relation("narrower", "broader", "children"),
    Relation("synonym", "synonym", "crosslinks.near_synonyms", one_way_check=True),
    Relation("antonym", "antonym", "crosslinks.antonyms", one_way_check=True),
    Relation("prerequisite", "downstream", "crosslinks.prerequisites"),
    Relation("downstream", "prerequisite", "crosslinks.downstream_effects"),
    Relation("associated", "associated", "poetic_connections.association_matrix"),
    Relation("source", None, "provenance"),
    Relation("context", None, "context_windows[].module"),
    Relation("claim", None, "constraints_and_falsifiers.claims[].links"),
    Relation("mapping", None, "formal_mappings.*[].target", soft=True),
)}

# Where references are written: (path pattern, relation). ``*`` walks a list (a lone
# string where a list is expected counts as a one-item list).
REFERENCE_FIELDS: tuple[tuple[str, str], ...] = (
    ("parents/*", "broader"),
    ("children/*", "narrower"),
    ("crosslinks/near_synonyms/*", "synonym"),
    ("crosslinks/antonyms/*", "antonym"),
    ("crosslinks/prerequisites/*", "prerequisite"),
    ("crosslinks/downstream_effects/*", "downstream"),
    ("poetic_connections/association_matrix/*", "associated"),
    ("provenance/*", "source"),
    ("provenance/sources/*/module", "source"),
    ("context_windows/*/module", "context"),
    ("constraints_and_falsifiers/claims/*/links/*", "claim"),
    ("formal_mappings/candidates/*/target", "mapping"),
    ("formal_mappings/adopted/*/target", "mapping"),
)

# Pairs of relations that cannot both hold from one node to another.
CONFLICTS: tuple[tuple[str, str], ...] = (
    ("synonym", "antonym"),
    ("broader", "narrower"),

)

RELATION_NAMES: tuple[str, ...] = tuple(RELATIONS)
RELATION_CODE: dict[str, int] = {name: code for code, name in enumerate(RELATION_NAMES)}
INVERSE_CODE: tuple[int, ...] = tuple(RELATION_CODE[r.inverse] if r.inverse else -1 for r in RELATIONS.values())
SOFT = frozenset(name for name, relation in RELATIONS.items() if relation.soft)  # only these can be no link


def is_link(relation: str, how: str, target: str, source: str) -> bool:
    """Whether a resolved reference is a link: free text naming nothing (or its own term) is not."""
    return not (RELATIONS[relation].soft and (how == "missing" or target == source))

# A module id: `DYNA-Γ-001`, optionally followed by its file-name slug (`DYNA-Γ-001_the_pressurons_identity`).
MODULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(?:-[^\W_]+)+(?:_\S*)?$")
