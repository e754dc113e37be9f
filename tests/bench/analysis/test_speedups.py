"""Speedups: ratios of medians at the same point, against any reference backend."""

import numpy as np
import pandas as pd
import pytest

from bench.analysis.speedups import speedup_summary, speedups, with_speedups
from bench.results import Run, write_atomic
from tests.bench.damaged import RUN


@pytest.fixture(scope="module")
def run():
    return Run.load(RUN)


def median(run, backend, m, n_x):
    return run.table.set_index(["backend", "m", "n_x"]).loc[(backend, m, n_x), "median_s"]


def test_speedups_are_ratios_of_medians_where_both_were_measured(run):
    at = with_speedups(run.table, ["two_loop", "one_loop"]).set_index(["backend", "m", "n_x"])
    expected = median(run, "two_loop", 10, 1) / median(run, "numba", 10, 1)
    assert at.loc[("numba", 10, 1), "speedup_vs_two_loop"] == pytest.approx(expected)
    assert at.loc[("two_loop", 10, 1), "speedup_vs_two_loop"] == 1
    assert at.loc[("vectorized", 10, 1), "speedup_vs_one_loop"] == pytest.approx(
        median(run, "one_loop", 10, 1) / median(run, "vectorized", 10, 1)
    )
    # two_loop was skipped at (100, 10): no speedup is invented there.
    assert np.isnan(at.loc[("numba", 100, 10), "speedup_vs_two_loop"])
    assert np.isnan(at.loc[("two_loop", 100, 10), "speedup_vs_two_loop"])


def test_any_backend_can_be_the_reference(run):
    at = with_speedups(run.table, ["numba"]).set_index(["backend", "m", "n_x"])
    assert at.loc[("two_loop", 10, 1), "speedup_vs_numba"] == pytest.approx(
        median(run, "numba", 10, 1) / median(run, "two_loop", 10, 1)
    )
    points = speedups(run.table, "two_loop", "numba")
    assert len(points) == 1 and points["speedup"].iloc[0] < 1  # numba is faster


def test_a_skipped_reference_gives_a_labelled_prediction(run):
    points = speedups(run.table, "numba", "two_loop").set_index(["m", "n_x"])
    assert points.loc[(100, 10), "predicted"] and np.isnan(points.loc[(100, 10), "low"])
    assert not points.loc[(10, 1), "predicted"]


def test_csv_round_trip_keeps_the_table(run, tmp_path):
    table = with_speedups(run.table, ["two_loop"])
    path = tmp_path / "latest.csv"
    write_atomic(path, table.to_csv(index=False))
    pd.testing.assert_frame_equal(pd.read_csv(path), table, check_dtype=False)


def test_speedup_summary_has_one_row_per_point(run):
    summary = speedup_summary(run.table, [(10, 1), (100, 10), (5, 5)])
    assert list(summary.index) == [(10, 1), (100, 10)]
    assert list(summary.columns) == ["two_loop", "one_loop", "vectorized", "numba"]
    assert summary.loc[(10, 1), "two_loop"] == 1
