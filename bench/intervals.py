"""The one interval of this project: a geometric mean with its 95% Student's t interval.

Every ratio and time that comes from a few independent repeats (passes of a
sweep, rounds of the regression check, rounds of the roof study) is summed up
by it: the speedups of ``bench.analysis``, the paired check of
``bench.regress`` and the sweep's ``--until``, which keeps adding passes
where a speedup's interval is still wide.
"""

import numpy as np
from scipy import stats

CONFIDENCE = 0.95


def interval(reference_s, own_s) -> tuple[float, float, float]:
    """(ratio, low, high): the geometric mean of reference_s / own_s, paired by position, with
    its 95% t interval on the logarithms (NaN bounds from fewer than two pairs)."""
    logs = np.log(np.asarray(reference_s, float) / np.asarray(own_s, float))
    ratio = float(np.exp(logs.mean()))
    if len(logs) < 2:
        return ratio, np.nan, np.nan
    if np.ptp(logs) == 0:  # identical repeats: no spread to widen the interval with
        return ratio, ratio, ratio
    low, high = stats.ttest_1samp(logs, 0.0).confidence_interval(CONFIDENCE)
    return ratio, float(np.exp(low)), float(np.exp(high))
