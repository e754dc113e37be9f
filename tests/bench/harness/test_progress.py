"""How far a sweep is: points done and the time left, as numbers; the line made from them."""

import pytest

from bench.harness.planner import Planner, pedantic_rounds
from bench.harness.progress import Progress, Reading, line
from bench.harness.settings import build_settings
from bench.settings import PassPoint
from tests.bench.harness.test_planner import until_settings


@pytest.fixture
def progress():
    return Progress(Planner(build_settings("quick"), available=lambda: 1 << 30))  # 1 GiB


def test_each_point_counts_and_the_rest_is_predicted_from_max_time_until_measured(progress):
    plan = progress.plan
    reading = progress.advance()
    assert reading.done == 1
    assert reading.total == 9 * len(plan.settings.backend_names) * plan.settings.passes
    assert reading.elapsed_s < 1
    # Every point of the quick grid is predicted at max_time_s until something is measured.
    assert reading.left_s == pytest.approx((reading.total - 1) * plan.settings.max_time_s)


def test_after_the_first_pass_the_time_left_is_at_the_pace_so_far(progress):
    plan = progress.plan
    first_pass = sum(1 for point in plan.points if point.pass_number == 1)
    progress.done = first_pass - 1
    progress.started -= 3 * first_pass * plan.settings.max_time_s  # 3 times what rounds took
    reading = progress.advance()
    rest = (reading.total - first_pass) * plan.settings.max_time_s
    assert reading.left_s == pytest.approx(3 * rest, rel=0.01)


def test_expected_point_seconds(progress):
    plan, passes = progress.plan, progress.plan.settings.passes
    expected = progress.expected_point_seconds
    assert expected(1, "numba", 100, 10) == plan.settings.max_time_s  # nothing measured yet
    plan.record_measured(1, "two_loop", 100, 10, 1e-3)
    assert expected(1, "two_loop", 1000, 10) == plan.settings.max_time_s
    # 1 s per step: the untimed first call, then this pass's share of 3 rounds
    rounds = pedantic_rounds(1.0, passes)
    assert expected(1, "two_loop", 10_000, 100) == pytest.approx(1 + rounds)
    plan.record_measured(1, "two_loop", 10_000, 100, 1.0)
    assert expected(2, "two_loop", 10_000, 100) == pytest.approx(rounds)
    assert expected(1, "two_loop", 100_000, 1000) == 0  # over budget


def test_an_extra_pass_counts_its_own_points_not_those_of_extra_passes_before_it():
    plan = Planner(until_settings(), available=lambda: 1 << 30)
    plan.until_points = [PassPoint(4, "two_loop", 10, 1), PassPoint(4, "vectorized", 10, 1)]
    progress = Progress(plan)
    for pass_number in (1, 3, 4):
        progress.count(PassPoint(pass_number, "two_loop", 10, 1))
    assert progress.done == 2
    assert progress.advance().total == len(plan.settings.points()) + 2


def test_the_line_says_the_count_the_time_and_what_was_measured():
    text = line(Reading(7, 120, 65.0, 3725.0), "vectorized m=100 n_x=10: median 5 µs")
    assert text == (
        "[  7/120 0:01:05 elapsed, ~1:02:05 left, predicted] vectorized m=100 n_x=10: median 5 µs"
    )
