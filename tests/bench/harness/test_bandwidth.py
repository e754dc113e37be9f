"""The cache probe's knee, and the lecture's kernels computing what np.dot computes."""

import pytest

from bench.harness import lecture
from bench.harness.bandwidth import IN_CACHE_FACTOR, knee

SIZES = [1 << k for k in range(16, 24)]


@pytest.mark.parametrize(
    ("rates", "expected"),
    [
        ([90, 90, 70, 70, 40, 20, 20, 20], 1 << 20),  # last size read clearly faster than memory
        ([90, 20, 70, 70, 70, 20, 20, 20], 1 << 16),  # the first fall counts, not a later bump
        ([20] * 8, None),  # nothing faster than memory: no cache seen
    ],
)
def test_knee_is_the_last_working_set_before_the_rate_falls_to_memorys(rates, expected):
    assert knee(SIZES, rates, memory_Bps=20) == expected


def test_in_cache_means_at_least_in_cache_factor_times_memorys_rate():
    at, below = IN_CACHE_FACTOR * 20, IN_CACHE_FACTOR * 20 * 0.99
    assert knee(SIZES[:2], [at, 20], memory_Bps=20) == SIZES[0]
    assert knee(SIZES[:2], [below, 20], memory_Bps=20) is None


def test_the_lectures_loops_compute_the_dot_product():
    kernels = lecture.kernels()
    assert tuple(kernels) == lecture.NAMES
    dot = kernels["numpy_dot"]()
    assert kernels["loop_over_numpy"]() == pytest.approx(dot, rel=1e-9)
    assert kernels["loop_over_list"]() == pytest.approx(dot, rel=1e-9)
