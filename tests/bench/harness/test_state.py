"""The sweep's parts together: stores decided by the planner, read at the disk's rate, and
released after the last point that reads them."""

from dataclasses import replace

import pytest

from bench.harness.settings import build_settings
from bench.harness.state import SweepState
from bench.records import DataSource


@pytest.fixture
def store_state(tmp_path):
    def make(stores: str, **changes) -> SweepState:
        settings = replace(
            build_settings("quick"), stores=stores, store_dir=str(tmp_path / "stores"), **changes
        )
        return SweepState(settings, available=lambda: 1 << 30)

    return make


def test_only_a_lazy_input_backend_reads_stores_and_where_its_data_come_from(store_state):
    # 1e8 elements of X: beyond the 0.75 GiB allowed, for dask as for numpy.
    big, small = (100_000, 1000), (1000, 10)
    never, beyond, always = (
        store_state(mode).plan for mode in ("never", "beyond-memory", "always")
    )
    assert not never.from_store("dask", *big)
    assert beyond.from_store("dask", *big) and not beyond.from_store("dask", *small)
    assert always.from_store("dask", *small)
    assert not always.from_store("vectorized", *big)
    assert beyond.data_source("dask", *big) == DataSource.DISK
    assert beyond.data_source("dask", *small) == DataSource.MEMORY
    cluster = store_state("beyond-memory", dask_scheduler="tcp://somewhere:8786").plan
    assert cluster.data_source("dask", *big) == DataSource.CLUSTER
    assert cluster.data_source("vectorized", *small) == DataSource.MEMORY


def test_a_store_point_is_predicted_from_the_disk_and_skipped_when_the_disk_is_full(
    store_state, monkeypatch
):
    state = store_state("always", budget_s=1.0)
    state.stores.disk_probe = {"read_Bps": 1e9}
    reason, predicted = state.plan.decide(1, "dask", 100_000, 1000)
    assert predicted == pytest.approx(8 * 100_000 * 1001 / 1e9) and reason is None
    monkeypatch.setattr(state.stores.shelf, "free_bytes", lambda: 10**6)
    reason, _ = state.plan.decide(1, "dask", 10_000, 1000)
    assert reason.startswith("skipped-disk: the store needs 0.0817 GB but")
    assert list(state.plan.skips.values())[-1].data_source == DataSource.DISK
    reason, _ = state.plan.decide(1, "dask", 1_000_000, 1000)
    assert reason == "skipped-budget: predicted 8.01 s per step > budget 1 s"


def test_a_store_is_released_after_the_last_point_that_reads_it(store_state):
    state = store_state("always", passes=2)
    released = []
    state.stores.shelf.release = lambda m, n_x: released.append((m, n_x))
    state.done_with("dask", 100, 10)
    state.done_with("vectorized", 100, 10)
    assert released == []
    state.done_with("dask", 100, 10)  # pass 2: the last
    assert released == [(100, 10)]


def test_stores_read_so_far_replace_the_probe_in_predictions(store_state):
    state = store_state("always")
    state.stores.disk_probe = {"read_Bps": 2e9}
    state.stores.read_rates += [2e8, 4e8, 3e8]
    assert state.plan.costs.from_disk(100_000, 999) == pytest.approx(8e8 / 3e8)


def test_a_store_points_expected_time_counts_its_untimed_reads(store_state):
    state = store_state("always", passes=1)
    state.stores.disk_probe = {"read_Bps": 8e8}
    step = state.plan.costs.from_disk(100_000, 999)  # 1 s
    # Write, expected answer and first call, then 3 rounds each read twice (paired disk rate).
    assert state.progress.expected_point_seconds(1, "dask", 100_000, 999) == pytest.approx(
        step * (3 + 6)
    )


def test_a_resumed_process_keeps_the_first_calls_an_earlier_one_made(store_state):
    state = store_state("never")
    state.replay({"first_call_s": {"numba": 1.5}, "point": None})
    state.warm_up("numba")  # already made: not called again
    assert state.first_call_s == {"numba": 1.5}
    state.warm_up("vectorized")
    assert state.first_call_s["vectorized"] > 0
