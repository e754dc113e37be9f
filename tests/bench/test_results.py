"""The tidy table, built from a small committed result file of a real run."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench.results import (
    ResultsError,
    calibration_times,
    load_run,
    speedup_summary,
    tidy,
    without_raw_timings,
    write_atomic,
)

FIXTURE = Path(__file__).parent / "fixtures" / "run_small.json"


@pytest.fixture
def run():
    return load_run(FIXTURE)


@pytest.fixture
def table(run):
    return tidy(run)


def median(run, backend, m, n_x):
    (bench,) = [b for b in run["benchmarks"] if b["params"] == dict(backend=backend, m=m, n_x=n_x)]
    return bench["stats"]["median"]


def test_one_row_per_point_measured_or_skipped(run, table):
    assert len(table) == len(run["benchmarks"]) + len(run["lrbench"]["skipped"]) == 16
    assert not table.duplicated(["backend", "m", "n_x"]).any()
    assert table["status"].value_counts().to_dict() == {"skipped-budget": 9, "measured": 7}
    assert list(table["backend"].unique()) == ["two_loop", "one_loop", "vectorized", "numba"]
    assert (table["elements"] == table["m"] * table["n_x"]).all()


def test_measured_rows_carry_pytest_benchmarks_statistics(run, table):
    row = table[(table.backend == "numba") & (table.m == 100) & (table.n_x == 10)].iloc[0]
    assert row["median_s"] == median(run, "numba", 100, 10)
    assert row["q1_s"] <= row["median_s"] <= row["q3_s"]
    assert row["iqr_s"] == pytest.approx(row["q3_s"] - row["q1_s"])
    assert row["rounds"] > 0 and row["mode"] == "calibrated"


def test_skipped_rows_say_why_and_give_the_prediction(table):
    skipped = table[table["status"] == "skipped-budget"]
    assert skipped["median_s"].isna().all()
    assert (skipped["predicted_s"] > 0).all()
    assert skipped["reason"].str.startswith("skipped-budget: predicted").all()


def test_speedups_are_ratios_of_medians_where_both_were_measured(run, table):
    at = table.set_index(["backend", "m", "n_x"])
    expected = median(run, "two_loop", 10, 1) / median(run, "numba", 10, 1)
    assert at.loc[("numba", 10, 1), "speedup_vs_two_loop"] == pytest.approx(expected)
    assert at.loc[("two_loop", 10, 1), "speedup_vs_two_loop"] == 1
    assert at.loc[("vectorized", 10, 1), "speedup_vs_one_loop"] == pytest.approx(
        median(run, "one_loop", 10, 1) / median(run, "vectorized", 10, 1)
    )
    # two_loop was skipped at (100, 10): no speedup is invented there.
    assert np.isnan(at.loc[("numba", 100, 10), "speedup_vs_two_loop"])
    assert np.isnan(at.loc[("two_loop", 100, 10), "speedup_vs_two_loop"])


def test_csv_round_trip_keeps_the_table(table, tmp_path):
    path = tmp_path / "latest.csv"
    write_atomic(path, table.to_csv(index=False))
    pd.testing.assert_frame_equal(pd.read_csv(path), table, check_dtype=False)


def test_speedup_summary_has_one_row_per_point(table):
    summary = speedup_summary(table, [(10, 1), (100, 10), (5, 5)])
    assert list(summary.index) == [(10, 1), (100, 10)]
    assert list(summary.columns) == ["two_loop", "one_loop", "vectorized", "numba"]


def test_raw_timings_are_dropped_but_statistics_kept(run):
    with_data = json.loads(json.dumps(run))
    with_data["benchmarks"][0]["stats"]["data"] = [1.0, 2.0]
    slim = without_raw_timings(with_data)
    assert "data" not in slim["benchmarks"][0]["stats"]
    assert slim["benchmarks"][0]["stats"]["median"] == run["benchmarks"][0]["stats"]["median"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such results file"),
        ("{not json", "not a readable JSON results file"),
        ('{"machine_info": {}}', "no 'benchmarks' list"),
        ('{"benchmarks": [{"name": "x", "params": {"m": 1}, "stats": {}}]}', "lacks backend/m/n_x"),
    ],
)
def test_unusable_result_files_are_named(tmp_path, content, message):
    path = tmp_path / "run.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ResultsError, match=message):
        load_run(path)


def test_write_atomic_replaces_whole_files_and_leaves_no_temporaries(tmp_path):
    path = tmp_path / "latest.json"
    write_atomic(path, "old")
    write_atomic(path, b"new")
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["latest.json"]


def test_calibration_takes_each_kernels_fastest_round_over_both_windows():
    def kernel(name, when, fastest):
        params = {"kernel": name, "when": when}
        return {"group": "calibration", "params": params, "stats": {"min": fastest}}

    run = {
        "benchmarks": [
            kernel("python_loop", "start", 0.33),  # a burst of load at the start
            kernel("python_loop", "end", 0.21),
            kernel("numpy_kernels", "start", 1.6),
            kernel("numpy_kernels", "end", 1.9),
        ]
    }
    assert calibration_times(run) == {"python_loop": 0.21, "numpy_kernels": 1.6}
