"""The calibration kernels, timed before the sweep (pytest runs this file first)."""

import pytest

from bench.calibration import KERNELS
from bench.results import CALIBRATION


@pytest.mark.parametrize("kernel", list(KERNELS))
def test_calibration(benchmark, kernel):
    benchmark.group = CALIBRATION
    # Fixed rounds after a warm-up: the regression check reads their minimum.
    benchmark.pedantic(KERNELS[kernel], rounds=300, warmup_rounds=30)
