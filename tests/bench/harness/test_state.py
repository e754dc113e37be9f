"""Budget and memory decisions, and how slow points are timed."""

from dataclasses import replace

import pytest

import impls
from bench.harness.settings import PRESETS
from bench.harness.state import SweepState, bytes_needed, pedantic_rounds


@pytest.fixture
def state():
    return SweepState(PRESETS["quick"], available=lambda: 1 << 30)  # 1 GiB


def test_first_point_of_a_backend_always_runs(state):
    assert state.predict("two_loop", 100, 10) is None
    assert state.skip_reason("two_loop", 100, 10, None) is None


def test_point_over_budget_is_skipped_with_its_prediction(state):
    state.record_measured(1, "two_loop", 1000, 100, 0.01)
    reason, predicted = state.decide(1, "two_loop", 100_000, 1000)
    assert predicted == pytest.approx(10.0)
    assert reason == "skipped-budget: predicted 10 s per step > budget 2 s"
    assert state.skipped == [
        dict(
            backend="two_loop",
            m=100_000,
            n_x=1000,
            status="skipped-budget",
            data_source="memory",
            predicted_s=predicted,
            reason=reason,
        )
    ]


def test_later_passes_follow_the_first(state):
    state.record_measured(1, "two_loop", 1000, 100, 0.01)
    state.decide(1, "two_loop", 100_000, 1000)
    # Pass 2 measures faster, but neither its time nor a new prediction changes the plan.
    state.record_measured(2, "two_loop", 1000, 100, 1e-6)
    assert state.predict("two_loop", 100_000, 1000) == pytest.approx(10.0)
    reason, step = state.decide(2, "two_loop", 100_000, 1000)
    assert reason.startswith("skipped-budget") and len(state.skipped) == 1
    assert state.decide(2, "two_loop", 1000, 100) == (None, 0.01)


def test_point_too_big_for_memory_is_skipped(state):
    # 1e8 elements: 0.8 GB of X plus one_loop's 0.8 GB copy, against 0.75 GiB allowed.
    reason = state.skip_reason("one_loop", 100_000, 1000, None)
    assert reason.startswith("skipped-memory: needs 1.5 GiB > 75% of the 1.0 GiB available")
    assert state.skip_reason("vectorized", 10_000, 1000, None) is None


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


def test_problem_is_cached_one_at_a_time(state):
    first = state.problem(20, 3)
    assert state.problem(20, 3) is first
    second = state.problem(30, 3)
    assert second.X.shape == (3, 30)
    assert state.problem(20, 3) is not first  # rebuilt, identical by seed
    assert (state.problem(20, 3).X == first.X).all()


def test_progress_counts_points_and_predicts_the_rest(state):
    line = state.progress("vectorized m=100 n_x=10: median 5 µs")
    width = len(str(state.total))
    assert state.total == 9 * len(state.sweep.backend_names) * state.sweep.passes
    assert line.startswith(f"[{1:>{width}}/{state.total} 0:00:00 elapsed, ~")
    assert line.endswith("left, predicted] vectorized m=100 n_x=10: median 5 µs")


def test_expected_point_seconds(state):
    passes = state.sweep.passes
    assert state.expected_point_seconds(1, "numba", 100, 10) == state.sweep.max_time_s  # no data
    state.record_measured(1, "two_loop", 100, 10, 1e-3)
    assert state.expected_point_seconds(1, "two_loop", 1000, 10) == state.sweep.max_time_s
    # 1 s per step: the untimed first call, then this pass's share of 3 rounds
    rounds = pedantic_rounds(1.0, passes)
    assert state.expected_point_seconds(1, "two_loop", 10_000, 100) == pytest.approx(1 + rounds)
    state.record_measured(1, "two_loop", 10_000, 100, 1.0)
    assert state.expected_point_seconds(2, "two_loop", 10_000, 100) == pytest.approx(rounds)
    assert state.expected_point_seconds(1, "two_loop", 100_000, 1000) == 0  # over budget


def test_backends_sharing_a_layout_share_one_prepared_copy(state):
    layout = state.prepared("numba_fused", 20, 3)
    assert state.prepared("numba_parallel", 20, 3) is layout  # same prepare function
    assert state.prepared("vectorized", 20, 3) is not layout
    assert (
        state.prepared("numba", 20, 3) is not layout
    )  # rows; numba_fused keeps few features as columns
    assert state.prepared("numba_fused", 20, 3) is layout  # kept while memory allows
    state.problem(30, 3)  # a new problem drops every layout of the old one
    assert state.prepared("numba", 30, 3)[0].shape == (30, 3)


def test_layouts_are_dropped_rather_than_memory_exceeded():
    # A machine with room for X, Y and two copies of X (480 bytes each), whose available
    # memory falls by what the sweep holds, as a real one's does.
    tight = SweepState(PRESETS["quick"])
    tight.available = lambda: 8 * 20 * 4 + 2 * 480 - tight.held_bytes()
    rows = tight.prepared("numba", 20, 3)
    tight.prepared("one_loop", 20, 3)  # a second copy of X would not fit beside the first
    assert len(tight._prepared) == 1 and tight.prepared("numba", 20, 3) is not rows


@pytest.fixture
def store_state(tmp_path):
    def make(stores: str, **changes) -> SweepState:
        settings = replace(
            PRESETS["quick"], stores=stores, store_dir=str(tmp_path / "stores"), **changes
        )
        return SweepState(settings, available=lambda: 1 << 30)

    return make


def test_only_a_lazy_input_backend_reads_stores_and_where_its_data_come_from(store_state):
    # 1e8 elements of X: beyond the 0.75 GiB allowed, for dask as for numpy.
    big, small = (100_000, 1000), (1000, 10)
    never, beyond, always = (store_state(mode) for mode in ("never", "beyond-memory", "always"))
    assert not never.from_store("dask", *big)
    assert beyond.from_store("dask", *big) and not beyond.from_store("dask", *small)
    assert always.from_store("dask", *small)
    assert not always.from_store("vectorized", *big)
    assert beyond.data_source("dask", *big) == "disk"
    assert beyond.data_source("dask", *small) == "memory"
    cluster = store_state("beyond-memory", dask_scheduler="tcp://somewhere:8786")
    assert cluster.data_source("dask", *big) == "cluster"
    assert cluster.data_source("vectorized", *small) == "memory"


def test_a_store_point_is_predicted_from_the_disk_and_skipped_when_the_disk_is_full(
    store_state, monkeypatch
):
    state = store_state("always", budget_s=1.0)
    state.disk_probe = {"read_Bps": 1e9}
    reason, predicted = state.decide(1, "dask", 100_000, 1000)
    assert predicted == pytest.approx(8 * 100_000 * 1001 / 1e9) and reason is None
    monkeypatch.setattr(state.shelf, "free_bytes", lambda: 10**6)
    reason, _ = state.decide(1, "dask", 10_000, 1000)
    assert reason.startswith("skipped-disk: the store needs 0.0841 GB but")
    assert state.skipped[-1]["data_source"] == "disk"
    reason, _ = state.decide(1, "dask", 1_000_000, 1000)
    assert reason == "skipped-budget: predicted 8.01 s per step > budget 1 s"


def test_a_store_is_released_after_the_last_point_that_reads_it(store_state):
    state = store_state("always", passes=2)
    released = []
    state.shelf.release = lambda m, n_x: released.append((m, n_x))
    state.done_with("dask", 100, 10)
    state.done_with("vectorized", 100, 10)
    assert released == []
    state.done_with("dask", 100, 10)  # pass 2: the last
    assert released == [(100, 10)]


def test_stores_read_so_far_replace_the_probe_in_predictions(store_state):
    state = store_state("always")
    state.disk_probe = {"read_Bps": 2e9}
    state.store_read_Bps += [2e8, 4e8, 3e8]
    assert state.predict_from_disk(100_000, 999) == pytest.approx(8e8 / 3e8)


def test_a_store_points_expected_time_counts_its_untimed_reads(store_state):
    state = store_state("always", passes=1)
    state.disk_probe = {"read_Bps": 8e8}
    step = state.predict_from_disk(100_000, 999)  # 1 s
    # Write, expected answer and first call, then 3 rounds each read twice (paired disk rate).
    assert state.expected_point_seconds(1, "dask", 100_000, 999) == pytest.approx(step * (3 + 6))


def test_the_memory_guard_reads_what_is_available_when_a_point_is_first_decided():
    room = [2 << 30]
    state = SweepState(PRESETS["quick"], available=lambda: room[0])
    big = ("vectorized", 100_000, 1000)  # 0.8 GB of X
    assert state.fits_memory(*big)
    room[0] = 1 << 20  # the machine filled up: a point decided stays decided (passes agree)
    assert state.fits_memory(*big)
    later = ("vectorized", 200_000, 1000)
    assert not state.fits_memory(*later)
    assert "GiB > 75% of the 0.0 GiB available" in state.skip_reason(*later, None)
