"""The one interval: geometric mean of a few repeats with Student's t on their logarithms."""

import numpy as np
import pytest
from scipy import stats

from bench.intervals import interval


def test_interval_is_students_t_on_the_passes_log_speedups():
    reference, own = [2.0, 2.2, 1.9], [0.01, 0.01, 0.011]
    logs = np.log(np.array(reference) / np.array(own))
    half = stats.t.ppf(0.975, df=2) * logs.std(ddof=1) / np.sqrt(3)
    speedup, low, high = interval(reference, own)
    assert speedup == pytest.approx(np.exp(logs.mean()))
    assert (low, high) == pytest.approx((np.exp(logs.mean() - half), np.exp(logs.mean() + half)))


def test_identical_passes_and_single_passes():
    assert interval([2.0, 2.0], [1.0, 1.0]) == (2.0, 2.0, 2.0)
    speedup, low, high = interval([3.0], [1.0])
    assert speedup == pytest.approx(3.0) and np.isnan(low) and np.isnan(high)
