"""Data beyond memory: a store's share of its disk's rate, and dask's cost over numba_fused."""

import numpy as np
import pandas as pd
import pytest

from bench.analysis.out_of_core import dask_overhead, disk_points, targets

GB = 10**9


def row(backend, m, n_x, passes, source="memory", disk=None):
    return dict(
        backend=backend,
        m=m,
        n_x=n_x,
        elements=m * n_x,
        bytes_X=8 * m * n_x,
        passes_over_x=1,
        status="measured",
        data_source=source,
        median_s=float(np.median(passes)),
        pass_medians_s=tuple(passes),
        pass_disk_read_Bps=None if disk is None else tuple(disk),
        predicted_s=np.nan,
    )


def table(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def test_a_stores_share_pairs_each_pass_with_its_disk_rate():
    size = 8 * 4_000_000 * 1001  # X and Y of the store
    # Pass 1 read the store at half the disk's rate, pass 2 at the whole rate.
    disk = [0.5 * GB, 0.25 * GB]
    steps = [size / (0.25 * GB), size / (0.25 * GB)]
    found = disk_points(table(row("dask", 4_000_000, 1000, steps, "disk", disk)), 25 * GB)
    r = found.iloc[0]
    assert r.bytes == size and r.beyond_ram
    assert r.share == pytest.approx(np.sqrt(0.5 * 1.0))
    assert r.share_low < r.share < r.share_high
    assert r.disk_Bps == pytest.approx(0.375 * GB)
    assert not disk_points(table(row("dask", 1000, 10, [1.0, 1.0], "disk", [GB, GB])), 25 * GB)[
        "beyond_ram"
    ].iloc[0]


def test_points_in_memory_have_no_share():
    assert disk_points(table(row("dask", 1000, 10, [1.0, 1.1])), 25 * GB).empty


def test_dasks_cost_is_its_time_over_numba_fuseds_at_the_same_point():
    data = table(
        row("numba_fused", 1_000_000, 1000, [0.60, 0.66, 0.63]),
        row("dask", 1_000_000, 1000, [0.80, 0.84, 0.82]),
        row("dask", 1_000_000, 10, [0.1, 0.1, 0.1], "disk", [GB] * 3),
    )
    overhead = dask_overhead(data)
    assert len(overhead) == 1
    r = overhead.iloc[0]
    ratios = np.array([0.80 / 0.60, 0.84 / 0.66, 0.82 / 0.63])
    assert r.ratio == pytest.approx(np.exp(np.log(ratios).mean()))
    assert r.ratio_low < r.ratio < r.ratio_high
    assert dask_overhead(data[data["backend"] == "dask"]).empty


def test_targets_say_met_missed_or_not_measured():
    size = 8 * 4_000_000 * 1001
    data = table(
        row("numba_fused", 1_000_000, 1000, [0.60, 0.66, 0.63]),
        row("dask", 1_000_000, 1000, [1.0, 1.1, 1.05]),
        row("dask", 4_000_000, 1000, [size / (0.2 * GB)] * 3, "disk", [0.4 * GB] * 3),
    )
    (memory, met_memory), (disk, met_disk) = [(m, ok) for _, m, ok in targets(data, 25 * GB)]
    assert met_memory is False and memory.startswith("1.67x [")
    assert met_disk is False and "50% [50%, 50%] (200 MB/s against 400 MB/s)" in disk
    assert [ok for *_, ok in targets(data.iloc[:1], 25 * GB)] == [None, None]


def test_a_target_whose_interval_lies_on_both_sides_says_so():
    data = table(
        row("numba_fused", 1_000_000, 1000, [0.60, 0.66, 0.63]),
        row("dask", 1_000_000, 1000, [0.70, 1.20, 0.80]),
    )
    (_, measured, met), _ = targets(data, 25 * GB)
    assert met is True and measured.endswith("; the interval lies on both sides of the target")
