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
from bench import machine
from bench.harness import calibration, disk, lecture, stores
from bench.harness.planner import CALIBRATE_BELOW_S, pedantic_rounds
from bench.placement import BEST_OFFSET
from bench.records import BEST_PLACEMENT, CALIBRATION, LECTURE, DataSource, PointFacts

CPU_CHECK_S = 0.05  # how long the CPU-time check of a point runs


@pytest.mark.parametrize("when", ["start", "end"])
@pytest.mark.parametrize("kernel", calibration.NAMES)
def test_calibration(benchmark, kernel, when):
    # Two windows minutes apart: a burst of load from a neighbour rarely covers both,
    # and the regression check reads each kernel's fastest round of all.
    benchmark.group = CALIBRATION
    benchmark.pedantic(calibration.kernels()[kernel], rounds=300, warmup_rounds=30)


def test_lecture_demo(benchmark, pass_number, kernel):
    benchmark.group = LECTURE
    step = lecture.kernels()[kernel]  # its data made on the first call, before any timing
    if kernel == "numpy_dot":
        benchmark(step)
    else:  # a few hundred milliseconds a call: a fixed few rounds per pass
        benchmark.pedantic(step, rounds=3, warmup_rounds=1)


def test_gradient_step(benchmark, sweep_state, neighbour_watch, pass_number, backend, m, n_x):
    plan = sweep_state.plan
    reason, predicted = plan.decide(pass_number, backend, m, n_x)
    if reason:
        pytest.skip(reason if pass_number == 1 else f"as in pass 1: {reason}")
    sweep_state.warm_up(backend)
    x_offset = sweep_state.settings.x_offset_at(pass_number, m, n_x)
    point = Step(sweep_state, backend, m, n_x, x_offset)
    first_call_s = cpu_share = None
    if pass_number == 1:  # the untimed first call: warms caches and picks the timing mode
        first_call_s, cpu_share = point.first_call()
        reason = plan.over_budget(backend, m, n_x, first_call_s)
        if reason:
            pytest.skip(reason)
    step_s = first_call_s if pass_number == 1 else predicted  # None: pass 1 ran untimed
    mode, result = time_steps(benchmark, point, step_s, sweep_state.settings.passes)
    check_answer(result, point.expected, point.dtype)
    record(benchmark, neighbour_watch, point, mode, plan.data_source(backend, m, n_x))
    if pass_number == 1:
        benchmark.extra_info.update(predicted_s=predicted, first_call_s=first_call_s)
        benchmark.extra_info.update(cpu_per_wall=cpu_share)
    sweep_state.stores.read_rates += point.disk_read_Bps
    if benchmark.stats is not None:  # None under --benchmark-disable
        plan.record_measured(pass_number, backend, m, n_x, benchmark.stats.stats.median)
    sweep_state.done_with(backend, m, n_x)


def test_best_placement(
    benchmark, sweep_state, neighbour_watch, pass_number, study_backend, m, n_x
):
    """The placement study: a claim's backend again, with X on a page boundary, right after
    its point at the sweep's placement (docs/method.md)."""
    benchmark.group = BEST_PLACEMENT
    reason = sweep_state.plan.skip_reason(study_backend, m, n_x)
    if reason:
        pytest.skip(f"as its point: {reason}")
    point = Step(sweep_state, study_backend, m, n_x, BEST_OFFSET)
    step_s = sweep_state.plan.step_s.get((study_backend, m, n_x))
    mode, result = time_steps(benchmark, point, step_s, sweep_state.settings.passes)
    check_answer(result, point.expected, point.dtype)
    record(benchmark, neighbour_watch, point, mode, DataSource.MEMORY)


def record(benchmark, neighbour_watch, point: "Step", mode: str, source: DataSource) -> None:
    """What the harness records of a measured point beside pytest-benchmark's statistics."""
    facts = PointFacts(
        mode=mode,
        data_source=source,
        predicted_s=None,
        first_call_s=None,
        cpu_per_wall=None,
        disk_read_Bps=float(np.median(point.disk_read_Bps)) if point.disk_read_Bps else None,
        # The process's resident peak over the point: its data, layouts, and every step.
        peak_rss_bytes=machine.peak_rss_bytes(),
        x_offset=point.x_offset,
        plan=point.plan.plan if point.plan else None,
        plan_source=point.plan.source if point.plan else None,
        plan_tuning_s=point.plan.tuning_s if point.plan else None,
        # What other processes and the hypervisor took over the point (others_cpu, busy, ...).
        **neighbour_watch.read(),
    )
    benchmark.extra_info.update(facts.as_extra_info())


def time_steps(benchmark, point: "Step", step_s: float | None, passes: int) -> tuple[str, object]:
    """(timing mode, the step's result): fast steps calibrated by pytest-benchmark, slow ones
    (and a store's, read cold before each round) a fixed few rounds."""
    if point.setup is None and (step_s is None or step_s < CALIBRATE_BELOW_S):
        return "calibrated", benchmark(point.step, *point.args)
    rounds = pedantic_rounds(step_s, passes)
    result = benchmark.pedantic(
        point.step, args=point.args, setup=point.setup, rounds=rounds, iterations=1
    )
    return "pedantic", result


class Step:
    """What a point's step is called with and checked against, in memory or from a store.

    Before every round of a store's point (``setup``, untimed) the store's
    files are read once cold, which measures the disk's rate for that round
    (the step's roof, paired with it, since a virtual disk's rate drifts),
    then evicted from the page cache, so the timed step reads from the disk.
    """

    def __init__(self, sweep_state, backend: str, m: int, n_x: int, x_offset: int):
        impl = impls.BACKENDS[backend]
        self.step = impl.gradient
        self.setup = None
        self.path = None
        self.x_offset: int | None = x_offset  # None: a store's data, read from disk
        self.disk_read_Bps: list[float] = []
        if sweep_state.plan.from_store(backend, m, n_x):
            problem = sweep_state.stored(m, n_x)
            data = impl.prepare(problem.X, problem.Y)  # lazy: reads nothing yet
            self.path = problem.path
            self.setup = self.read_then_evict
            self.x_offset = None
        else:
            problem = sweep_state.data.problem(m, n_x, x_offset)
            data = sweep_state.data.prepared(backend, m, n_x, x_offset)
        self.args = (problem.w, problem.b, data)
        # The plan prepare chose (tuned then, untimed, or found kept), for the record.
        self.plan = impl.plans.chosen(data) if impl.plans else None
        self.expected = problem.expected
        self.dtype = np.dtype(problem.w.dtype)

    def read_then_evict(self) -> None:
        self.disk_read_Bps.append(stores.read_Bps(self.path))
        disk.evict(self.path)

    def first_call(self) -> tuple[float, float]:
        """(seconds, CPU time over wall time) of an untimed first call, from a cold store."""
        if self.path is not None:
            disk.evict(self.path)
        seconds, cpu_share = timed_call(self.step, self.args)
        if seconds < CPU_CHECK_S:  # too short for the CPU clock: a few calls more
            cpu_share = cpu_per_wall(self.step, self.args, seconds)
        return seconds, cpu_share


def check_answer(result: impls.Gradient, expected: impls.Gradient, dtype: np.dtype) -> None:
    """Fast and wrong is worthless: every backend must give the numpy backend's answer."""
    # float32 data are summed in float32 by some backends: agreement to a few digits only.
    tolerance = 1e-7 if dtype == np.float64 else 1e-3
    scale = np.abs(expected.dw).max()
    np.testing.assert_allclose(result.dw, expected.dw, rtol=tolerance, atol=tolerance * scale)
    # db = mean(a - y) lies in [-1, 1] and may be near 0: an absolute tolerance for it.
    assert result.db == pytest.approx(expected.db, rel=tolerance, abs=tolerance)
    assert result.cost == pytest.approx(expected.cost, rel=tolerance)


def timed_call(step, args) -> tuple[float, float]:
    """(wall seconds, CPU time of the process over wall time) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    step(*args)
    wall = time.perf_counter() - wall
    return wall, (time.process_time() - cpu) / wall


def cpu_per_wall(step, args, step_s: float) -> float:
    """CPU time of the whole process over wall time, for calls of about CPU_CHECK_S.

    Above the sweep's thread count, a backend ran more threads than it was
    allowed (a thread pool that ignores the limits): its comparison is unfair.
    Below 1 with one thread, it waited (for the disk, say).
    """
    calls = max(1, int(CPU_CHECK_S / max(step_s, 1e-9)))
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        step(*args)
    return (time.process_time() - cpu) / (time.perf_counter() - wall)
