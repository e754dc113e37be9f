"""What a sweep times: calibration kernels, the lecture's demo, one benchmark per point and pass.

Collected only by ``sweep.run`` (its name does not match ``test_*.py``, so a
plain ``pytest`` never starts a sweep). Only the work measured is timed;
data, layout conversion, the check against vectorized and compilation come
before or after.
"""

import time

import numpy as np
import pytest

import impls
from bench.harness import calibration, lecture
from bench.harness.state import CALIBRATE_BELOW_S, pedantic_rounds
from bench.results import CALIBRATION, LECTURE

CPU_CHECK_S = 0.05  # how long the CPU-time check of a point runs


@pytest.mark.parametrize("when", ["start", "end"])
@pytest.mark.parametrize("kernel", list(calibration.KERNELS))
def test_calibration(benchmark, kernel, when):
    # Two windows minutes apart: a burst of load from a neighbour rarely covers both,
    # and the regression check reads each kernel's fastest round of all.
    benchmark.group = CALIBRATION
    benchmark.pedantic(calibration.KERNELS[kernel], rounds=300, warmup_rounds=30)


def test_lecture_demo(benchmark, pass_number, kernel):
    benchmark.group = LECTURE
    step = lecture.KERNELS[kernel]
    if kernel == "numpy_dot":
        benchmark(step)
    else:  # a few hundred milliseconds a call: a fixed few rounds per pass
        benchmark.pedantic(step, rounds=3, warmup_rounds=1)


def test_gradient_step(benchmark, sweep_state, pass_number, backend, m, n_x):
    reason, predicted = sweep_state.decide(pass_number, backend, m, n_x)
    if reason:
        pytest.skip(reason if pass_number == 1 else f"as in pass 1: {reason}")

    sweep_state.warm_up(backend)
    impl = impls.BACKENDS[backend]
    problem = sweep_state.problem(m, n_x)
    args = (problem.w, problem.b, sweep_state.prepared(backend, m, n_x))
    step = impl.gradient

    first_call_s = None
    step_s = predicted  # from pass 1 in later passes
    if pass_number == 1:  # the untimed first call: warms caches and picks the timing mode
        start = time.perf_counter()
        step(*args)
        first_call_s = step_s = time.perf_counter() - start
    if step_s is None or step_s < CALIBRATE_BELOW_S:  # None: pass 1 ran untimed
        mode = "calibrated"
        result = benchmark(step, *args)
    else:
        mode = "pedantic"
        rounds = pedantic_rounds(step_s, sweep_state.sweep.passes)
        result = benchmark.pedantic(step, args=args, rounds=rounds, iterations=1)

    # Fast and wrong is worthless: every backend must give the vectorized answer.
    # float32 data are summed in float32 by some backends: agreement to a few digits only.
    tolerance = 1e-7 if problem.X.dtype == np.float64 else 1e-3
    scale = np.abs(problem.expected.dw).max()
    np.testing.assert_allclose(
        result.dw, problem.expected.dw, rtol=tolerance, atol=tolerance * scale
    )
    assert result.cost == pytest.approx(problem.expected.cost, rel=tolerance)
    benchmark.extra_info.update(
        status="measured",
        mode=mode,
        predicted_s=predicted if pass_number == 1 else None,
        first_call_s=first_call_s,
        cpu_per_wall=cpu_per_wall(step, args, step_s) if pass_number == 1 else None,
        bytes_X=problem.X.itemsize * m * n_x,
    )
    if benchmark.stats is not None:  # None under --benchmark-disable
        sweep_state.record_measured(pass_number, backend, m, n_x, benchmark.stats.stats.median)


def cpu_per_wall(step, args, step_s: float) -> float:
    """CPU time of the whole process over wall time, for calls of about CPU_CHECK_S.

    Above the sweep's thread count, a backend ran more threads than it was
    allowed (a thread pool that ignores the limits): its comparison is unfair.
    """
    calls = max(1, int(CPU_CHECK_S / max(step_s, 1e-9)))
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        step(*args)
    return (time.process_time() - cpu) / (time.perf_counter() - wall)
