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
    assert IN_CACHE_FACTOR * 20 <= 40  # 40 counts as in cache, 20 does not


def test_the_lectures_loops_compute_the_dot_product():
    dot = lecture.numpy_dot()
    assert lecture.loop_over_numpy() == pytest.approx(dot, rel=1e-9)
    assert lecture.loop_over_list() == pytest.approx(dot, rel=1e-9)
