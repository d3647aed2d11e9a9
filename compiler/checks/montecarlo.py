"""Monte Carlo propagation for relations where first-order propagation is not enough.

Linear propagation (:mod:`.evaluator`) is exact for sums and differences and good
while relative uncertainties are small. When an input is uncertain by more than 1 %
and the relation is non-linear (a power, a quotient, a function), the standard
uncertainty of the difference is instead taken from re-evaluating the relation with
sampled inputs. The seed is fixed, so reports are reproducible run to run.

The work is budgeted (``BUDGET``), counted as node evaluations (samples times the
relation's size) and reserved before a run: one anchored long hint named by many
candidates once made over a minute of sampling (bench/bench_hostile.py). A run the budget cannot pay is not made, and
``compiler.checks.api`` reports that hint as unchecked with a ``check-budget`` error,
never a verdict from the linear estimate the sampling was needed to replace.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .evaluator import EvalError
from .tree import Bin, Call, Node, Pow, walk

SEED = 20_251_118
SAMPLES = 1_000
MAX_NODES = 200  # larger trees keep the linear estimate (cost bound)
MAX_INPUTS = 64
RELATIVE_TRIGGER = 1e-2
MAX_WORK_PER_FILE = 250_000  # node evaluations per term file (one full run of a 200-node relation is 200,000)
MAX_WORK_PER_RUN = 25_000_000  # node evaluations per checking process (a build, or each of its --jobs chunks)


@dataclass
class Budget:
    """What is left of the Monte-Carlo work of this file and of this run; ``refused`` names the
    budget that refused a run since the caller last cleared it (None: none did)."""

    file: int = MAX_WORK_PER_FILE
    run: int = MAX_WORK_PER_RUN
    refused: str | None = None

    def start_run(self) -> None:
        self.file, self.run, self.refused = MAX_WORK_PER_FILE, MAX_WORK_PER_RUN, None

    def start_file(self) -> None:
        self.file = MAX_WORK_PER_FILE

    def reserve(self, work: int) -> bool:
        if work > self.file or work > self.run:
            self.refused = (f"the budget of Monte-Carlo work per file ({MAX_WORK_PER_FILE:,} node evaluations)"
                            if work > self.file else
                            f"the budget of Monte-Carlo work per build ({MAX_WORK_PER_RUN:,} node evaluations)")
            return False
        self.file -= work
        self.run -= work
        return True


BUDGET = Budget()


def nonlinear(*nodes: Node) -> bool:
    """Does the relation contain a power, a function, a product or a quotient?"""
    return any(isinstance(n, (Pow, Call)) or (isinstance(n, Bin) and n.op in "*/") for node in nodes for n in walk(node))


def worth_it(nodes: Sequence[Node], relative_sigmas: Sequence[float], n_inputs: int) -> bool:
    """Is sampling needed, and can the budget pay for it (then the work is reserved)?"""
    size = sum(1 for node in nodes for _ in walk(node))
    needed = (size <= MAX_NODES and 0 < n_inputs <= MAX_INPUTS and any(r > RELATIVE_TRIGGER for r in relative_sigmas)
              and nonlinear(*nodes))
    return needed and BUDGET.reserve((SAMPLES + 2 * n_inputs) * size)


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
