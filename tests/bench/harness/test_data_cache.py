"""The sweep's data in memory: one problem at a time, layouts shared and dropped as needed."""

import pytest

from bench.harness.data_cache import DataCache
from bench.placement import offset_in_page


def test_problem_is_cached_one_at_a_time():
    data = DataCache(seed=0, dtype="float64", available=lambda: 1 << 30)
    first = data.problem(20, 3)
    assert data.problem(20, 3) is first
    second = data.problem(30, 3)
    assert second.X.shape == (3, 30)
    assert data.problem(20, 3) is not first  # rebuilt, identical by seed
    assert (data.problem(20, 3).X == first.X).all()


def test_its_answer_is_the_numpy_backends_for_the_same_weights():
    problem = DataCache(seed=3, dtype="float32").problem(50, 4)
    assert problem.X.dtype == problem.w.dtype == "float32"
    assert problem.expected.dw.shape == (4,)


def test_backends_sharing_a_layout_share_one_prepared_copy():
    data = DataCache(seed=0, dtype="float64", available=lambda: 1 << 30)
    layout = data.prepared("numba_fused", 20, 3)
    assert data.prepared("numba_parallel", 20, 3) is layout  # same prepare function
    assert data.prepared("vectorized", 20, 3) is not layout
    assert data.prepared("numba", 20, 3) is not layout  # rows; numba_fused keeps columns
    assert data.prepared("numba_fused", 20, 3) is layout  # kept while memory allows
    data.problem(30, 3)  # a new problem drops every layout of the old one
    assert data.prepared("numba", 30, 3)[0].shape == (30, 3)


def test_layouts_are_dropped_rather_than_memory_exceeded():
    # A machine with room for X, Y and two copies of X (480 bytes each), whose available
    # memory falls by what the sweep holds, as a real one's does.
    data = DataCache(seed=0, dtype="float64")
    data.available = lambda: 8 * 20 * 4 + 2 * 480 - data.held_bytes()
    rows = data.prepared("numba", 20, 3)
    data.prepared("one_loop", 20, 3)  # a second copy of X would not fit beside the first
    assert len(data._prepared) == 1 and data.prepared("numba", 20, 3) is not rows


def test_what_it_holds_is_the_problem_and_its_layouts_until_dropped():
    data = DataCache(seed=0, dtype="float64", available=lambda: 1 << 30)
    problem = data.problem(100, 10)
    assert data.held_bytes() == problem.X.nbytes + problem.Y.nbytes
    data.prepared("one_loop", 100, 10)
    assert data.held_bytes() > problem.X.nbytes + problem.Y.nbytes
    data.drop()
    assert data.held_bytes() == 0 and not data.holds_other_than(1, 1)


@pytest.mark.parametrize("x_offset", [0, 16, 96])
def test_x_starts_where_the_sweep_asks_with_the_same_values(x_offset):
    data = DataCache(seed=0, dtype="float64")
    problem = data.problem(300, 5, x_offset)
    assert offset_in_page(problem.X) == x_offset
    assert data.problem(300, 5, x_offset) is problem  # the same place: the same problem
    elsewhere = data.problem(300, 5, 4000 - x_offset)
    assert offset_in_page(elsewhere.X) == 4000 - x_offset
    assert (problem.X == elsewhere.X).all()
    assert data.held_bytes() == elsewhere.X.nbytes + elsewhere.Y.nbytes  # one problem held
    prepared = data.prepared("vectorized", 300, 5, x_offset)  # made again, from X there
    assert offset_in_page(prepared[0]) == x_offset


def test_a_large_problem_is_kept_for_the_passes_after_and_read_back_where_x_goes(
    tmp_path, monkeypatch
):
    from bench.harness import data_cache

    monkeypatch.setattr(data_cache, "KEPT_FROM_BYTES", 1000)  # 300 × 5 float64: 12 kB
    made = DataCache(seed=0, dtype="float64", kept=tmp_path).problem(300, 5, 16)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["300-5-0-float64.X", "300-5-0-float64.Y"]
    monkeypatch.setattr(data_cache.impls, "make_problem", None)  # a later pass makes nothing
    read = DataCache(seed=0, dtype="float64", kept=tmp_path).problem(300, 5, 48)
    assert offset_in_page(read.X) == 48
    assert (read.X == made.X).all() and (read.Y == made.Y).all()
    assert read.expected.cost == made.expected.cost
    small = DataCache(seed=0, dtype="float64", kept=tmp_path / "small")
    monkeypatch.undo()
    small.problem(10, 5)  # 400 bytes: made, never kept
    assert not (tmp_path / "small").exists()
