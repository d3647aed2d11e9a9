"""Example check hook: the "live toroidal C2" formula of a blog post, evaluated honestly.

The post (seed 001) claims that a short numerical integration over a fat torus,
evaluated at ε = α, lands on the two-loop QED coefficient C2 ≈ −0.3284789. This
hook implements that formula independently (numpy, periodic trapezoid rule, which
converges exponentially fast for a smooth periodic integrand) and compares the
result with the reference C2. It reports ``fail``: the correction term is of order
α^{2.5}/(cosh η0)^{1.5}, about 10⁻⁹, so the result stays at the −1/3 baseline.

Selected by ``check: toroidal_c2`` on a formal-mapping candidate.
"""
from __future__ import annotations

import numpy as np

from compiler.checks import hook, load_reference


def poloidal_integral(cosh_eta0: float, points: int = 4096) -> float:
    """∫₀^{2π} cos θ / (cosh η0 − cos θ)^{3/2} dθ by the periodic trapezoid rule."""
    theta = np.linspace(0.0, 2.0 * np.pi, points, endpoint=False)
    values = np.cos(theta) / (cosh_eta0 - np.cos(theta)) ** 1.5
    return float(values.mean() * 2.0 * np.pi)


def toroidal_c2(epsilon: float) -> float:
    """The post's formula: baseline −1/3 times (1 − correction) at aspect ratio ε."""
    baseline = -1.0 / 3.0
    integral = poloidal_integral(1.0 / epsilon)
    shape_factor = 0.5 * epsilon ** 1.5 * (1.0 + 0.75 * epsilon ** 2) * integral
    correction = 3.0 * epsilon / (2.0 * np.pi ** 2) * shape_factor
    return baseline * (1.0 - correction)


@hook("toroidal_c2")
def check(term: dict, candidate: dict) -> dict:
    ref = load_reference()
    alpha = ref.quantities["alpha"].at(None).value
    c2 = ref.quantities["C2"].at(None)
    computed = toroidal_c2(alpha)
    # The post states its target to 7 decimals (−0.3284789): allow half a unit of that digit.
    tolerance = 0.5e-7
    ok = abs(computed - c2.value) <= tolerance
    # The same formula on a coarser grid bounds the quadrature error.
    quad_error = abs(poloidal_integral(1 / alpha, 512) - poloidal_integral(1 / alpha))
    return {
        "status": "pass" if ok else "fail",
        "relation": "toroidal C2(ε = α) ≈ C2",
        "computed": computed,
        "claimed": c2.value,
        "uncertainty": 0.0,
        "message": (f"the toroidal formula at ε = α gives {computed:.5f}, the QED coefficient C2 is {c2.value:.5f} "
                    f"({c2.source}); off by {abs(computed - c2.value) / abs(c2.value):.1%}"),
        "evidence": [{"epsilon": alpha, "quadrature_difference_512_vs_4096": quad_error,
                      "baseline": -1.0 / 3.0, "reference": c2.edition}],
    }
