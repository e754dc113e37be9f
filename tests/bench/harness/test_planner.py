"""The planner's budget and memory decisions, predictions and progress: nothing is timed."""

from dataclasses import replace

import pytest

import impls
from bench.harness.planner import Planner, bytes_needed, pedantic_rounds, until_pass
from bench.harness.settings import build_settings
from bench.records import DataSource, SkipRecord, Status


def reason_line(plan: Planner, *point) -> str | None:
    """The skip as the run file words it ("skipped-budget: predicted ..."), or None."""
    skip = plan.skip(*point)
    return None if skip is None else f"{skip[0]}: {skip[1]}"


@pytest.fixture
def plan():
    return Planner(build_settings("quick"), available=lambda: 1 << 30)  # 1 GiB


def test_first_point_of_a_backend_always_runs(plan):
    assert plan.costs.predict("two_loop", 100, 10) is None
    assert reason_line(plan, "two_loop", 100, 10, None) is None


def test_point_over_budget_is_skipped_with_its_prediction(plan):
    plan.record_measured(1, "two_loop", 1000, 100, 0.01)
    reason, predicted = plan.decide(1, "two_loop", 100_000, 1000)
    assert predicted == pytest.approx(10.0)
    assert reason == "skipped-budget: predicted 10 s per step > budget 2 s"
    assert list(plan.skips.values()) == [
        SkipRecord("two_loop", 100_000, 1000, Status.BUDGET, DataSource.MEMORY, predicted, reason)
    ]


def test_a_skip_says_its_status_apart_from_why():
    status, why = Planner(build_settings("quick"), available=lambda: 1 << 20).skip(
        "vectorized", 100_000, 1000, None
    )
    assert status is Status.MEMORY
    assert why.startswith("needs 0.8 GiB > 75% of the 0.0 GiB available")


def test_later_passes_follow_the_first(plan):
    plan.record_measured(1, "two_loop", 1000, 100, 0.01)
    plan.decide(1, "two_loop", 100_000, 1000)
    # Pass 2 measures faster, but neither its time nor a new prediction changes the plan.
    plan.record_measured(2, "two_loop", 1000, 100, 1e-6)
    assert plan.costs.predict("two_loop", 100_000, 1000) == pytest.approx(10.0)
    reason, step = plan.decide(2, "two_loop", 100_000, 1000)
    assert reason.startswith("skipped-budget") and len(plan.skips) == 1
    assert plan.decide(2, "two_loop", 1000, 100) == (None, 0.01)


def test_point_too_big_for_memory_is_skipped(plan):
    # 1e8 elements: 0.8 GB of X plus one_loop's 0.8 GB copy, against 0.75 GiB allowed.
    reason = reason_line(plan, "one_loop", 100_000, 1000, None)
    assert reason.startswith("skipped-memory: needs 1.5 GiB > 75% of the 1.0 GiB available")
    assert reason_line(plan, "vectorized", 10_000, 1000, None) is None


@pytest.mark.parametrize("itemsize", [8, 4])
def test_memory_is_the_data_plus_what_the_backend_says_it_holds(itemsize):
    # What each backend says is checked against what it really holds in tests/impls.
    for name, backend in impls.BACKENDS.items():
        held = backend.memory_bytes(300, 20, itemsize)
        assert bytes_needed(name, 300, 20, itemsize) == itemsize * 300 * 21 + held


def test_slow_points_get_a_few_rounds_shared_among_passes():
    assert pedantic_rounds(2.0) == 3
    assert pedantic_rounds(0.5) == 6
    assert pedantic_rounds(0.021) == 10
    assert pedantic_rounds(0.021, passes=3) == 3
    assert pedantic_rounds(2.0, passes=3) == 1


def test_a_resumed_sweep_replays_what_an_earlier_process_found(plan):
    skip = dict(backend="two_loop", m=100, n_x=10, status="skipped-budget", reason="r")
    skip |= dict(data_source="memory", predicted_s=None)
    plan.replay({"point": [1, "two_loop", 100, 10], "skip": skip})
    bench = {"stats": {"median": 0.5}}
    plan.replay({"point": [1, "vectorized", 100, 10], "benchmark": bench})
    assert plan.finished == {(1, "two_loop", 100, 10), (1, "vectorized", 100, 10)}
    assert [record.as_dict() for record in plan.skips.values()] == [skip]
    assert plan.decide(2, "two_loop", 100, 10) == ("r", None)
    assert plan.step_s[("vectorized", 100, 10)] == 0.5
    assert (1, "vectorized", 100, 10) not in plan.not_finished()


def test_the_memory_guard_reads_what_is_available_when_a_point_is_first_decided():
    room = [2 << 30]
    plan = Planner(build_settings("quick"), available=lambda: room[0])
    big = ("vectorized", 100_000, 1000)  # 0.8 GB of X
    assert plan.memory.fits(*big)
    room[0] = 1 << 20  # the machine filled up: a point decided stays decided (passes agree)
    assert plan.memory.fits(*big)
    later = ("vectorized", 200_000, 1000)
    assert not plan.memory.fits(*later)
    assert "GiB > 75% of the 0.0 GiB available" in reason_line(plan, *later, None)


def test_what_the_sweep_holds_counts_as_room_for_a_new_problem():
    plan = Planner(build_settings("quick"), available=lambda: 0, held=lambda: 4 << 30)
    assert plan.memory.fits("vectorized", 100_000, 1000)


def until_settings(**changes):
    settings = build_settings("quick", m="10,20", nx="1", backends="two_loop,vectorized,numba")
    return replace(settings, passes=2, until=1.1, max_passes=4, **changes)


def test_until_measures_again_every_backend_at_a_size_where_a_speedup_is_still_wide():
    settings = until_settings()
    medians = {
        ("two_loop", 10, 1): [1.0, 1.0],
        ("vectorized", 10, 1): [0.1, 0.15],  # its speedup: 10x, then 6.7x: far from 1.1x known
        ("numba", 10, 1): [0.2, 0.2],
        ("two_loop", 20, 1): [2.0, 3.0],  # each time moved, the speedups did not: known
        ("vectorized", 20, 1): [0.2, 0.3],
    }
    extra = until_pass(settings, medians, 3)
    assert sorted(extra) == [(3, b, 10, 1) for b in ("numba", "two_loop", "vectorized")]
    assert extra == settings.at_size(3, 10, 1, ("two_loop", "vectorized", "numba"))
    # Against numba instead, vectorized's speedup is as wide; at m=20 numba was not measured.
    assert sorted(until_pass(replace(settings, reference="numba"), medians, 3)) == sorted(extra)


def test_until_stops_when_every_speedup_is_known_or_at_the_most_passes():
    settings = until_settings()
    wide = {("two_loop", 10, 1): [1.0] * 4, ("vectorized", 10, 1): [0.1, 0.15, 0.1, 0.14]}
    assert until_pass(settings, wide, 5) == []  # max_passes 4
    assert until_pass(replace(settings, until=None), wide, 5) == []
    # A size left alone in pass 3 is not taken up again: its speedups have not changed since.
    assert until_pass(settings, {k: v[:2] for k, v in wide.items()}, 4) == []
    # Without its reference measured (skipped for budget), a size has nothing to narrow.
    assert until_pass(settings, {("vectorized", 10, 1): [0.1, 0.15]}, 3) == []
