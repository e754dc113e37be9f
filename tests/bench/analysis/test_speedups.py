"""Speedups: ratios of medians at the same point, against any reference backend."""

import numpy as np
import pandas as pd
import pytest

from bench.analysis.speedups import speedup_summary, speedups, with_speedups
from bench.files import write_atomic
from bench.results import Run
from tests.bench.damaged import FIXTURES, RUN


@pytest.fixture(scope="module")
def run():
    return Run.load(RUN)


def passes(run, backend, m, n_x):
    return np.array(
        run.table.set_index(["backend", "m", "n_x"]).loc[(backend, m, n_x), "pass_medians_s"]
    )


def test_speedups_are_geometric_means_of_the_passes_ratios(run):
    at = with_speedups(run.table, ["two_loop", "one_loop"]).set_index(["backend", "m", "n_x"])
    ratios = passes(run, "two_loop", 10, 1) / passes(run, "numba", 10, 1)
    assert len(ratios) == 3
    expected = np.exp(np.log(ratios).mean())
    assert at.loc[("numba", 10, 1), "speedup_vs_two_loop"] == pytest.approx(expected)
    assert at.loc[("two_loop", 10, 1), "speedup_vs_two_loop"] == 1
    ratios = passes(run, "one_loop", 10, 1) / passes(run, "vectorized", 10, 1)
    assert at.loc[("vectorized", 10, 1), "speedup_vs_one_loop"] == pytest.approx(
        np.exp(np.log(ratios).mean())
    )
    # two_loop was skipped at (100, 10): no speedup is invented there.
    assert np.isnan(at.loc[("numba", 100, 10), "speedup_vs_two_loop"])
    assert np.isnan(at.loc[("two_loop", 100, 10), "speedup_vs_two_loop"])


def test_any_backend_can_be_the_reference(run):
    at = with_speedups(run.table, ["numba"]).set_index(["backend", "m", "n_x"])
    ratios = passes(run, "numba", 10, 1) / passes(run, "two_loop", 10, 1)
    assert at.loc[("two_loop", 10, 1), "speedup_vs_numba"] == pytest.approx(
        np.exp(np.log(ratios).mean())
    )
    points = speedups(run.table, "two_loop", "numba")
    assert len(points) == 1 and points["speedup"].iloc[0] < 1  # numba is faster


def test_a_skipped_reference_gives_a_labelled_prediction(run):
    points = speedups(run.table, "numba", "two_loop").set_index(["m", "n_x"])
    assert points.loc[(100, 10), "predicted"] and np.isnan(points.loc[(100, 10), "low"])
    assert not points.loc[(10, 1), "predicted"]


def test_csv_round_trip_keeps_the_table(run, tmp_path):
    from bench.report import csv_table

    table = csv_table(run, "two_loop")
    path = tmp_path / "latest.csv"
    write_atomic(path, table.to_csv(index=False))
    again = pd.read_csv(path, keep_default_na=False, na_values=[""])
    cells = ["pass_medians_s", "pass_x_offsets", "pass_disk_read_Bps"]  # a value per pass
    numbers = table.drop(columns=[*cells, "mode", "reason"])
    pd.testing.assert_frame_equal(again[numbers.columns], numbers, check_dtype=False)
    first = again["pass_medians_s"].dropna().iloc[0]
    expected = run.table["pass_medians_s"][0]
    assert [float(t) for t in first.split()] == pytest.approx(expected, rel=1e-5)


def test_speedup_summary_has_one_row_per_point(run):
    summary = speedup_summary(run.table, [(10, 1), (100, 10), (5, 5)])
    assert list(summary.index) == [(10, 1), (100, 10)]
    assert list(summary.columns) == ["two_loop", "one_loop", "vectorized", "numba"]
    assert summary.loc[(10, 1), "two_loop"] == 1


def test_every_speedup_carries_its_interval(run):
    table = with_speedups(run.table, ["two_loop"])
    measured = table.dropna(subset=["speedup_vs_two_loop"])
    assert len(measured) > 1
    assert (measured["speedup_vs_two_loop_low"] <= measured["speedup_vs_two_loop"]).all()
    assert (measured["speedup_vs_two_loop"] <= measured["speedup_vs_two_loop_high"]).all()


def test_a_one_pass_run_falls_back_to_the_quartiles():
    old = Run.load(FIXTURES / "run_small_v1.json")
    point = speedups(old.table, "numba", "two_loop").iloc[0]
    at = old.table.set_index(["backend", "m", "n_x"])
    base, own = at.loc[("two_loop", 10, 1)], at.loc[("numba", 10, 1)]
    assert point["low"] == pytest.approx(base["q1_s"] / own["q3_s"])
    assert point["high"] == pytest.approx(base["q3_s"] / own["q1_s"])
