"""The cost model t ≈ a + p·m + c·m·n_x, fitted to measured times.

a is the fixed overhead of one step (function calls, allocations), p the
cost per example (one_loop's numpy calls, the sigmoid), c the cost per
multiply-add of X with w or dZ (two per element of X). The fit minimises the
*relative* error, so microsecond and second-long points count alike, and
keeps every coefficient non-negative. The harness uses it to predict a
point's time before running it; the report uses it to explain the curves.
"""

from dataclasses import dataclass
from itertools import combinations

import numpy as np

TERMS = ("overhead_s", "per_example_s", "per_element_s")


@dataclass(frozen=True)
class CostModel:
    overhead_s: float
    per_example_s: float
    per_element_s: float
    # Root mean square of (predicted - measured) / measured over the fitted points.
    rms_relative_error: float
    points: int

    def predict(self, m, n_x):
        return self.overhead_s + self.per_example_s * m + self.per_element_s * np.multiply(m, n_x)


def _design(m: np.ndarray, n_x: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones_like(m), m, m * n_x])


def fit(m, n_x, seconds, terms: tuple[str, ...] = TERMS) -> CostModel:
    """Best non-negative fit using a subset of ``terms`` (exact NNLS: tries every subset)."""
    m, n_x, seconds = (np.asarray(v, dtype=float) for v in (m, n_x, seconds))
    if len(seconds) == 0:
        raise ValueError("cannot fit a cost model to no points")
    # Dividing each row by its time turns least squares into least relative squares.
    design = _design(m, n_x) / seconds[:, None]
    target = np.ones_like(seconds)
    allowed = [TERMS.index(t) for t in terms]
    best = None
    for size in range(1, len(allowed) + 1):
        for subset in combinations(allowed, size):
            coef, *_ = np.linalg.lstsq(design[:, subset], target, rcond=None)
            if (coef < 0).any():
                continue
            full = np.zeros(3)
            full[list(subset)] = coef
            error = float(np.sqrt(np.mean((design @ full - 1) ** 2)))
            if best is None or error < best[1]:
                best = (full, error)
    coef, error = best  # a single term always fits with a positive coefficient
    return CostModel(*map(float, coef), rms_relative_error=error, points=len(seconds))


def predict_seconds(measured: list[tuple[int, int, float]], m: int, n_x: int) -> float | None:
    """Predicted time of one step at (m, n_x) from (m, n_x, seconds) already measured.

    None without data. With a single point, the time is scaled by m·n_x,
    which over-predicts (the fixed overhead is scaled too): the safe side
    for a budget.
    """
    if not measured:
        return None
    if len(measured) == 1:
        m0, n0, t0 = measured[0]
        return t0 * max(1.0, (m * n_x) / (m0 * n0))
    return float(fit(*zip(*measured, strict=True)).predict(m, n_x))
