"""The timed step's parts, on fake benchmarks: the timing mode, the answer check, the clocks."""

import time
from types import SimpleNamespace

import numpy as np
import pytest

import impls
from bench.harness.planner import CALIBRATE_BELOW_S, pedantic_rounds
from bench.harness.timed_steps import check_answer, cpu_per_wall, time_steps, timed_call


class FakeBenchmark:
    """pytest-benchmark's fixture, recording how it was asked to time."""

    def __init__(self):
        self.asked = None

    def __call__(self, step, *args):
        self.asked = ("calibrated", args)
        return step(*args)

    def pedantic(self, step, args, setup, rounds, iterations):
        self.asked = ("pedantic", rounds, iterations)
        return step(*args)


def point(setup=None):
    return SimpleNamespace(step=lambda x: x + 1, args=(41,), setup=setup)


@pytest.mark.parametrize("step_s", [None, CALIBRATE_BELOW_S / 2])
def test_a_fast_step_in_memory_is_calibrated_by_pytest_benchmark(step_s):
    benchmark = FakeBenchmark()
    assert time_steps(benchmark, point(), step_s, passes=3) == ("calibrated", 42)
    assert benchmark.asked == ("calibrated", (41,))


def test_a_slow_step_runs_the_planners_rounds_one_call_each():
    benchmark = FakeBenchmark()
    step_s = CALIBRATE_BELOW_S * 4
    assert time_steps(benchmark, point(), step_s, passes=3) == ("pedantic", 42)
    assert benchmark.asked == ("pedantic", pedantic_rounds(step_s, 3), 1)


def test_a_stores_step_is_never_calibrated_however_fast():
    benchmark = FakeBenchmark()
    mode, _ = time_steps(benchmark, point(setup=lambda: None), 1e-6, passes=1)
    assert mode == "pedantic" and benchmark.asked[0] == "pedantic"


@pytest.fixture(scope="module")
def step():
    X, Y = impls.make_problem(50, 7, seed=3)
    w = np.linspace(-0.5, 0.5, 7)
    return impls.gradient(w, 0.1, X, Y)


def test_the_answer_check_passes_the_same_answer_and_refuses_a_wrong_dw(step):
    check_answer(step, step, np.dtype(np.float64))
    wrong = step._replace(dw=step.dw * (1 + 1e-5))
    with pytest.raises(AssertionError):
        check_answer(wrong, step, np.dtype(np.float64))
    # float32 data are summed in float32 by some backends: 1e-5 is within their tolerance.
    check_answer(wrong, step, np.dtype(np.float32))


def test_the_answer_check_refuses_a_wrong_db_or_cost(step):
    for wrong in (step._replace(db=step.db + 1e-3), step._replace(cost=step.cost * 1.001)):
        with pytest.raises(AssertionError):
            check_answer(wrong, step, np.dtype(np.float64))


def test_a_call_that_waits_takes_wall_time_but_little_cpu():
    seconds, cpu_share = timed_call(time.sleep, (0.05,))
    assert seconds >= 0.05 and cpu_share < 0.5
    assert cpu_per_wall(time.sleep, (0.01,), 0.01) < 0.5


def test_a_call_that_computes_keeps_one_core_busy():
    def spin(until_s):
        end = time.perf_counter() + until_s
        while time.perf_counter() < end:
            pass

    assert cpu_per_wall(spin, (0.01,), 0.01) > 0.5
