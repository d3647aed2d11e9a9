"""Monte Carlo propagation for relations where first-order propagation is not enough.

Linear propagation (:mod:`.evaluator`) is exact for sums and differences and good
while relative uncertainties are small. When an input is uncertain by more than 1 %
and the relation is non-linear (a power, a quotient, a function), the standard
uncertainty of the difference is instead taken from re-evaluating the relation with
sampled inputs. The seed is fixed, so reports are reproducible run to run.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

from .evaluator import EvalError
from .tree import Bin, Call, Node, Pow, walk

SEED = 20_251_118
SAMPLES = 1_000
MAX_NODES = 200  # larger trees keep the linear estimate (cost bound)
MAX_INPUTS = 64
RELATIVE_TRIGGER = 1e-2


def nonlinear(*nodes: Node) -> bool:
    """Does the relation contain a power, a function, a product or a quotient?"""
    return any(isinstance(n, (Pow, Call)) or (isinstance(n, Bin) and n.op in "*/") for node in nodes for n in walk(node))


def worth_it(nodes: Sequence[Node], relative_sigmas: Sequence[float], n_inputs: int) -> bool:
    size = sum(1 for node in nodes for _ in walk(node))
    return (size <= MAX_NODES and 0 < n_inputs <= MAX_INPUTS and any(r > RELATIVE_TRIGGER for r in relative_sigmas)
            and nonlinear(*nodes))


def curved(difference: Callable[[Sequence[float]], float], n_inputs: int, d0: float, sigma: float) -> bool:
    """Is the difference visibly non-linear within ±1σ of any input?

    ``(d(+σ_i) + d(−σ_i)) / 2 − d0`` is zero for a linear dependence; a product of two
    exact numbers and an uncertain one (``251 × 10^{-11}``) stays linear and keeps the
    exact linear σ instead of a noisy sampled one.
    """
    for i in range(n_inputs):
        row = [0.0] * n_inputs
        try:
            row[i] = 1.0
            up = difference(row)
            row[i] = -1.0
            down = difference(row)
        except (EvalError, ArithmeticError, ValueError):
            return True
        if abs((up + down) / 2 - d0) > 1e-3 * max(sigma, 1e-300):
            return True
    return False


def sampled_sigma(difference: Callable[[Sequence[float]], float], n_inputs: int) -> float | None:
    """Standard uncertainty of ``difference`` over sampled inputs (None if most samples fail)."""
    rng = np.random.default_rng(SEED)
    draws = rng.standard_normal((SAMPLES, n_inputs))
    values = []
    for row in draws:
        try:
            d = difference(row)
        except (EvalError, ArithmeticError, ValueError):
            continue
        if math.isfinite(d):
            values.append(d)
    if len(values) < SAMPLES // 2:
        return None
    # Half the width of the central 68.3 % interval: the standard uncertainty for a Gaussian,
    # and robust when the output has heavy tails (1/x near zero), where a plain std explodes.
    lo, hi = np.percentile(np.asarray(values), [15.865, 84.135])
    return float(hi - lo) / 2.0
