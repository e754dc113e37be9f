"""The calibration kernels, timed at the start and again at the end of the sweep.

Two windows minutes apart: a burst of load from a neighbour rarely covers
both, and the regression check reads each kernel's fastest round of all.
"""

import pytest

from bench.calibration import KERNELS
from bench.results import CALIBRATION


@pytest.mark.parametrize("when", ["start", "end"])
@pytest.mark.parametrize("kernel", list(KERNELS))
def test_calibration(benchmark, kernel, when):
    benchmark.group = CALIBRATION
    # Fixed rounds after a warm-up: the regression check reads their minimum.
    benchmark.pedantic(KERNELS[kernel], rounds=300, warmup_rounds=30)
