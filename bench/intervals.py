"""The one interval of this project: a geometric mean with its 95% Student's t interval.

Every ratio and time that comes from a few independent repeats (passes of a
sweep, rounds of the regression check, rounds of the roof study) is summed up
by it: the speedups of ``bench.analysis``, the paired check of
``bench.regress`` and the sweep's ``--until``, which keeps adding passes
where a speedup's interval is still wide.
"""

from typing import NamedTuple

import numpy as np
from scipy import stats

CONFIDENCE = 0.95


class Estimate(NamedTuple):
    """A ratio and its 95% interval (criterion.rs's ``Estimate``): ``low`` and ``high`` are NaN
    where fewer than two repeats gave it."""

    value: float
    low: float
    high: float

    @property
    def width(self) -> float:
        """The interval's high over its low (NaN without an interval)."""
        return self.high / self.low

    def inverted(self) -> "Estimate":
        """The estimate of the ratio's reciprocal (a time from a rate, say)."""
        return Estimate(1 / self.value, 1 / self.high, 1 / self.low)


UNKNOWN = Estimate(np.nan, np.nan, np.nan)


def interval(reference_s, own_s) -> Estimate:
    """The geometric mean of reference_s / own_s, paired by position, with its 95% t interval
    on the logarithms (NaN bounds from fewer than two pairs)."""
    logs = np.log(np.asarray(reference_s, float) / np.asarray(own_s, float))
    ratio = float(np.exp(logs.mean()))
    if len(logs) < 2:
        return Estimate(ratio, np.nan, np.nan)
    if np.ptp(logs) == 0:  # identical repeats: no spread to widen the interval with
        return Estimate(ratio, ratio, ratio)
    low, high = stats.ttest_1samp(logs, 0.0).confidence_interval(CONFIDENCE)
    return Estimate(ratio, float(np.exp(low)), float(np.exp(high)))
