"""What a sweep times: the calibration kernels, then one benchmark per (backend, m, n_x).

Collected only by ``sweep.run`` (its name does not match ``test_*.py``, so a
plain ``pytest`` never starts a sweep). Only ``gradient`` is timed; data,
layout conversion, the check against vectorized and compilation come before.
"""

import time

import numpy as np
import pytest

import impls
from bench.harness.calibration import KERNELS
from bench.harness.state import CALIBRATE_BELOW_S, pedantic_rounds, slowed_step
from bench.results import CALIBRATION


@pytest.mark.parametrize("when", ["start", "end"])
@pytest.mark.parametrize("kernel", list(KERNELS))
def test_calibration(benchmark, kernel, when):
    # Two windows minutes apart: a burst of load from a neighbour rarely covers both,
    # and the regression check reads each kernel's fastest round of all.
    benchmark.group = CALIBRATION
    benchmark.pedantic(KERNELS[kernel], rounds=300, warmup_rounds=30)


def test_gradient_step(benchmark, sweep_state, backend, m, n_x):
    predicted = sweep_state.predict(backend, m, n_x)
    reason = sweep_state.skip_reason(backend, m, n_x, predicted)
    if reason:
        sweep_state.record_skip(backend, m, n_x, predicted, reason)
        pytest.skip(reason)

    sweep_state.warm_up(backend)
    impl = impls.BACKENDS[backend]
    problem = sweep_state.problem(m, n_x)
    data = impl.prepare(problem.X, problem.Y)
    args = (problem.w, problem.b, data)
    step = impl.gradient
    if sweep_state.sweep.slowdown[:1] == (backend,):
        step = slowed_step(impl.gradient, sweep_state.sweep.slowdown[1])

    start = time.perf_counter()
    result = step(*args)
    first_call_s = time.perf_counter() - start
    # Fast and wrong is worthless: every backend must give the vectorized answer.
    # float32 data are summed in float32 by some backends: agreement to a few digits only.
    tolerance = 1e-7 if problem.X.dtype == np.float64 else 1e-3
    scale = np.abs(problem.expected.dw).max()
    np.testing.assert_allclose(
        result.dw, problem.expected.dw, rtol=tolerance, atol=tolerance * scale
    )
    assert result.cost == pytest.approx(problem.expected.cost, rel=tolerance)

    if first_call_s < CALIBRATE_BELOW_S:
        mode = "calibrated"
        benchmark(step, *args)
    else:
        mode = "pedantic"
        benchmark.pedantic(step, args=args, rounds=pedantic_rounds(first_call_s), iterations=1)
    benchmark.extra_info.update(
        status="measured",
        mode=mode,
        predicted_s=predicted,
        first_call_s=first_call_s,
        bytes_X=problem.X.itemsize * m * n_x,
    )
    if benchmark.stats is not None:  # None under --benchmark-disable
        sweep_state.record_measured(backend, m, n_x, benchmark.stats.stats.median)
