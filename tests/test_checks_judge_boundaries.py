"""Each verdict of compiler.checks.judge at its exact boundary, and just past it.

The numbers are sums of powers of two, so ``comp - claim`` lands exactly on the boundary
(no rounding in the float arithmetic): a test here fails when a ``<=`` becomes ``<``, or
a boundary moves.
"""
from __future__ import annotations

import pytest

from compiler.checks.judge import SQRT10, _decide

# op, computed, claimed, sigma, rounding, eps, status
ROWS = [
    # equality: allowed difference = rounding + 2 sigma + eps = 0.25 + 0.25 + 0 = 0.5
    ("≈", 2.5, 2.0, 0.125, 0.25, 0.0, "pass"),  # exactly at the tolerance: within
    ("≈", 1.5, 2.0, 0.125, 0.25, 0.0, "pass"),  # below the claim by exactly the tolerance
    ("=", 2.5, 2.0, 0.0, 0.5, 0.0, "pass"),  # rounding alone, at the boundary
    ("=", 2.5, 2.0, 0.25, 0.0, 0.0, "pass"),  # 2 sigma alone, at the boundary
    ("≈", 2.5, 2.0, 0.0, 0.25, 0.25, "pass"),  # eps counts too
    ("≈", 2.5 + 2**-10, 2.0, 0.125, 0.25, 0.0, "fail"),  # just beyond
    ("=", 2.0 + 2**-10, 2.0, 0.0, 0.0, 0.0, "fail"),  # no tolerance at all: any difference fails
    ("=", 2.0, 2.0, 0.0, 0.0, 0.0, "pass"),
    # not equal: undecided within the same tolerance, inclusive
    ("≠", 2.5, 2.0, 0.125, 0.25, 0.0, "unchecked"),
    ("≠", 2.5 + 2**-10, 2.0, 0.125, 0.25, 0.0, "pass"),
    # order: a bound within 2 sigma (inclusive) is undecided
    ("<", 1.5, 2.0, 0.25, 0.0, 0.0, "unchecked"),
    ("<", 1.5 - 2**-10, 2.0, 0.25, 0.0, 0.0, "pass"),
    (">", 1.5 - 2**-10, 2.0, 0.25, 0.0, 0.0, "fail"),
    # much smaller: a factor of exactly ten passes
    ("≪", 1.0, 10.0, 0.0, 0.0, 0.0, "pass"),
    ("≪", 1.0 + 2**-10, 10.0, 0.0, 0.0, 0.0, "unchecked"),
    ("≫", 10.0, 1.0, 0.0, 0.0, 0.0, "pass"),
    # same order: a ratio of exactly sqrt(10) is within
    ("∼", SQRT10, 1.0, 0.0, 0.0, 0.0, "pass"),
    ("∼", SQRT10 * (1 + 2**-20), 1.0, 0.0, 0.0, 0.0, "fail"),
]


@pytest.mark.parametrize("op, comp, claim, sigma, res, eps, status", ROWS)
def test_verdict_at_the_boundary(op: str, comp: float, claim: float, sigma: float, res: float, eps: float,
                                 status: str) -> None:
    assert _decide(op, comp, claim, sigma, res, eps)[0] == status


def test_the_boundary_rows_are_exact() -> None:
    """The equality rows really sit on the boundary: no float rounding hides a planted ``<``."""
    for op, comp, claim, sigma, res, eps, _status in ROWS[:5]:
        assert abs(comp - claim) == res + 2 * sigma + eps, (op, comp, claim)
