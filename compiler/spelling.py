"""Near misses for "did you mean": the one place that measures how close two names are.

Every "did you mean" of the compiler asks here: a dangling link (compiler.link.integrity),
a misspelt configuration key (compiler.config), a schema key or value that is nearly right
(compiler.validate.schema). The measures are rapidfuzz's (C++, MIT), not loops of our own:

- :func:`distance`: the optimal-string-alignment distance (insert, delete, replace, and an
  adjacent swap each count 1), cut off at ``limit``. Dangling links ask for names within one
  or two such edits; rapidfuzz stops as soon as the answer is over the limit.
- :func:`closest`: the best-scoring choice by rapidfuzz's ``fuzz.ratio`` (the share of
  characters the two strings have in common, in order), the measure ``difflib`` offered
  before, with the same default cut-off of 0.6; ties go to the choice listed first.

The module sits at the bottom of the layers (docs/architecture.md): it imports nothing of
the compiler, so the configuration can use it as well as the later stages.
"""
from __future__ import annotations

from typing import Iterable

# rapidfuzz is imported inside the functions: the configuration imports this module, and
# most builds (a no-op rebuild above all) never need a near miss.


def distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance of ``a`` and ``b``; ``limit + 1`` when it is larger than ``limit``."""
    from rapidfuzz.distance import OSA

    return int(OSA.distance(a, b, score_cutoff=limit))


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice most like ``word`` (similarity ratio 0..1 of at least ``cutoff``), or None."""
    from rapidfuzz import fuzz, process

    found = process.extractOne(word, list(choices), scorer=fuzz.ratio, score_cutoff=cutoff * 100)
    return None if found is None else str(found[0])


__all__ = ["distance", "closest"]
