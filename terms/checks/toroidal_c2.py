"""Example check hook: the "live toroidal C2" formula of a blog post, run as written.

The post (seed 001) gives a short script and says that, evaluated at ε = α, it "steers
directly into the −0.328 neighbourhood" of the two-loop QED coefficient C2 = −0.3284789...
The script computes

    C2_tor(ε) = −(1/3) · (1 − k(ε)),  k(ε) = (3ε / 2π²) · ½ ε^{3/2} (1 + ¾ε²) · I(ε),
    I(ε) = ∫₀^{2π} cos θ / (1/ε − cos θ)^{3/2} dθ.

The hint this hook judges states that claim: the formula at ε = α equals the number
written after the last ``=`` or ``≈`` of the hint (−0.3284789). The hook reads that
number from the hint, evaluates the formula, and reports both, so the verdict says what
the formula gets wrong rather than whether a digit of C2 was copied correctly.

Why it fails: for 1/ε ≫ 1 the integrand is cos θ · ε^{3/2} (1 + (3/2) ε cos θ + ...), so
I(ε) ≈ (3π/2) ε^{5/2} and k(ε) ≈ (9/8π) ε⁵, about 7.4 × 10⁻¹² at ε = α. The result is
−1/3 to eleven decimal places, 1.48 % from C2; no choice of quadrature changes that.

The integral is computed with the quadrature the post uses, scipy's adaptive
Gauss–Kronrod ``quad`` (with tolerances tight enough for an integral of order 10⁻⁵, where
the post kept scipy's defaults), and checked against the periodic trapezoid rule, which
converges exponentially for this smooth periodic integrand. Both values and their
difference are in the evidence. Selected by ``check: toroidal_c2`` on a candidate.
"""
from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
from scipy.integrate import quad  # type: ignore[import-untyped]

from compiler.checks import hook, load_reference

# The number a claim states: after the last relation sign of the hint (LaTeX or Unicode).
_CLAIM = re.compile(r"(?:\\approx|≈|=)\s*([-−]?)\s*(\d+(?:\.(\d+))?)\s*$")


def claimed_value(hint: str) -> tuple[float, float, str] | None:
    """(value, half a unit of its last digit, the number as written) of the number ending the hint, or None."""
    m = _CLAIM.search(hint.strip())
    if not m:
        return None
    sign, number, decimals = m.groups()
    value = float(number) * (-1.0 if sign else 1.0)
    return value, 0.5 * 10.0 ** -len(decimals or ""), ("-" if sign else "") + number


def _integrand(theta: float | np.ndarray, cosh_eta0: float) -> Any:
    return np.cos(theta) / (cosh_eta0 - np.cos(theta)) ** 1.5


def poloidal_integral(cosh_eta0: float) -> tuple[float, float]:
    """I = ∫₀^{2π} cos θ / (cosh η0 − cos θ)^{3/2} dθ by scipy's quad: (value, its error estimate)."""
    value, error = quad(_integrand, 0.0, 2.0 * math.pi, args=(cosh_eta0,), epsabs=1e-16, epsrel=1e-12, limit=200)
    return float(value), float(error)


def poloidal_integral_trapezoid(cosh_eta0: float, points: int = 4096) -> float:
    """The same integral by the periodic trapezoid rule (an independent cross-check)."""
    theta = np.linspace(0.0, 2.0 * math.pi, points, endpoint=False)
    return float(np.mean(_integrand(theta, cosh_eta0)) * 2.0 * math.pi)


def correction(epsilon: float, integral: float) -> float:
    """k(ε): the post's shape-factor correction to the −1/3 baseline."""
    shape_factor = 0.5 * epsilon ** 1.5 * (1.0 + 0.75 * epsilon ** 2) * integral
    return 3.0 * epsilon / (2.0 * math.pi ** 2) * shape_factor


def toroidal_c2(epsilon: float) -> float:
    """The post's formula at aspect ratio ε, with the post's quadrature."""
    return -1.0 / 3.0 * (1.0 - correction(epsilon, poloidal_integral(1.0 / epsilon)[0]))


@hook("toroidal_c2")
def check(term: dict, candidate: dict) -> dict:
    hint = str(candidate.get("equation_hint") or "")
    claim = claimed_value(hint)
    if claim is None:
        return {"status": "unchecked", "relation": "toroidal C2(ε = α) ≈ claim",
                "message": "the hint states no number after its last = or ≈, so there is no claim to compare"}
    claimed, half_unit, written = claim
    ref = load_reference()
    alpha = ref.quantities["alpha"].at(None)
    c2 = ref.quantities["C2"].at(None)
    integral, quad_error = poloidal_integral(1.0 / alpha.value)
    trapezoid = poloidal_integral_trapezoid(1.0 / alpha.value)
    k = correction(alpha.value, integral)
    computed = -1.0 / 3.0 * (1.0 - k)
    # Numerical error of the formula: the larger of quad's own estimate and its distance to the trapezoid rule.
    numerical = abs(correction(alpha.value, max(quad_error, abs(integral - trapezoid)))) / 3.0
    ok = abs(computed - claimed) <= half_unit + numerical
    off = (computed - claimed) / abs(claimed)
    message = (f"the formula evaluates to {computed:.10f} at ε = α, that is −1/3 + {k / 3:.1e}: the correction "
               f"k(α) = {k:.1e} scales as α⁵; the claim {written} is {abs(off):.2%} away. ")
    if abs(claimed - c2.value) <= 2 * half_unit:  # the claim copies C2, rounded or truncated to its last digit
        message += (f"The claimed number is the QED coefficient C2 = {c2.value:.9f} ({c2.source}) cut to its "
                    f"written digits ({abs(claimed - c2.value):.1e} from it): the target is right, the formula "
                    "never leaves −1/3.")
    return {
        "status": "pass" if ok else "fail",
        "relation": "−(1/3)(1 − k(α)) ≈ claim",
        "computed": computed,
        "claimed": claimed,
        "uncertainty": 0.0,  # α's uncertainty moves k by ~6 × 10⁻²¹; the quadrature error is in the evidence
        "message": message,
        "evidence": [{"epsilon": alpha.value, "alpha_edition": alpha.edition, "integral_quad": integral,
                      "quad_error_estimate": quad_error, "integral_trapezoid_4096": trapezoid,
                      "correction_k": k, "baseline": -1.0 / 3.0, "claim_half_unit": half_unit,
                      "C2": c2.value, "C2_edition": c2.edition, "claim_minus_C2": claimed - c2.value}],
    }
