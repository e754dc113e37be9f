"""The rule that makes a point's row from its passes: each statistic combined as declared."""

import math

import pytest

from bench.passes import ACROSS_PASSES, COLUMNS, across_passes, tidy
from bench.records import Status
from bench.settings import Settings


def pass_row(pass_number: int, median: float, **extra) -> dict:
    return {
        "backend": "vectorized",
        "m": 100,
        "n_x": 10,
        "pass_number": pass_number,
        "median_s": median,
        "q1_s": median * 0.9,
        "q3_s": median * 1.2,
        "min_s": median * 0.8,
        "max_s": median * 2,
        "stddev_s": median / 10,
        "rounds": 5,
        "mode": "calibrated",
        "predicted_s": None,
        "first_call_s": None,
        "cpu_per_wall": 1.0,
        "data_source": "memory",
        "peak_rss_bytes": 1000 * pass_number,
        "others_cpu": 0.1 * pass_number,
        "steal_cpu": 0.01 * pass_number,
        "busy": pass_number == 2,
        "x_offset": 16 * pass_number,
        "disk_read_Bps": None,
        "plan": None,
        "plan_source": None,
        "plan_tuning_s": None,
    } | extra


def test_a_points_row_combines_its_passes_as_declared_keeping_each_passs_median_in_order():
    # Passes given out of order: the row keeps them in pass order.
    (row,) = across_passes([pass_row(3, 3.0), pass_row(1, 1.0), pass_row(2, 2.0)])
    assert row["passes"] == 3 and row["status"] == Status.MEASURED
    assert row["pass_medians_s"] == (1.0, 2.0, 3.0)
    assert row["pass_x_offsets"] == (16, 32, 48)
    assert row["median_s"] == 2.0  # the median of the passes' medians
    assert row["min_s"] == pytest.approx(0.8) and row["max_s"] == 6.0
    assert row["iqr_s"] == pytest.approx(2.4 - 1.8)  # from the combined quartiles
    assert row["rounds"] == 15 and row["peak_rss_bytes"] == 3000
    assert row["others_cpu"] == pytest.approx(0.3)  # the worst pass
    assert row["steal_cpu"] == pytest.approx(0.02)  # on average
    assert row["busy"] is True  # any pass beside other work
    assert row["pass_disk_read_Bps"] is None  # not a store's point


def test_an_unrecorded_offset_or_neighbour_stays_unknown_not_zero():
    rows = [pass_row(1, 1.0, x_offset=None, busy=None), pass_row(2, 2.0, busy=None)]
    (row,) = across_passes(rows)
    assert row["pass_x_offsets"] is None and row["busy"] is None


def test_every_statistic_of_a_pass_has_its_rule():
    stats = {c for c in COLUMNS if c.endswith("_s") and c not in ("iqr_s",)}
    assert stats - {"pass_medians_s"} <= set(ACROSS_PASSES)


def test_the_table_orders_points_by_size_then_by_the_sweeps_backends():
    settings = Settings.from_dict(
        {"preset": "custom", "m": [10, 100], "n_x": [1], "backends": ["vectorized", "two_loop"]}
        | {"threads": 1, "dtype": "float32"}
    )
    rows = [
        {"backend": b, "m": m, "n_x": 1, "status": Status.MEASURED, "median_s": 1.0}
        for m in (100, 10)
        for b in ("two_loop", "vectorized")
    ]
    facts = {"two_loop": {"passes_over_x": 1}, "vectorized": {"passes_over_x": 2}}
    table = tidy(rows, settings, facts)
    assert list(table.columns) == COLUMNS
    assert list(zip(table["m"], table["backend"], strict=True)) == [
        (10, "vectorized"),
        (10, "two_loop"),
        (100, "vectorized"),
        (100, "two_loop"),
    ]
    assert list(table["bytes_X"]) == [40, 40, 400, 400]  # float32
    assert list(table["passes_over_x"]) == [2, 1, 2, 1]
    assert not any(math.isnan(v) for v in table["elements"])


def test_a_points_plan_is_its_passes_plans_once_each_and_its_tuning_time_their_sum():
    rows = [
        pass_row(1, 1.0, plan="rows-256k-g4", plan_source="tuned", plan_tuning_s=1.5),
        pass_row(2, 1.0, plan="rows-256k-g4", plan_source="cached", plan_tuning_s=0.0),
    ]
    (row,) = across_passes(rows)
    assert (row["plan"], row["plan_source"], row["plan_tuning_s"]) == ("rows-256k-g4", "tuned", 1.5)
    rows.append(pass_row(3, 1.0, plan="columns-1024k-g4", plan_source="forced", plan_tuning_s=0))
    assert across_passes(rows)[0]["plan"] == "rows-256k-g4 | columns-1024k-g4"


def test_a_backend_without_plans_has_none_not_zero():
    rows = [pass_row(n, 1.0, plan=None, plan_source=None, plan_tuning_s=None) for n in (1, 2)]
    (row,) = across_passes(rows)
    assert row["plan"] is None and row["plan_tuning_s"] is None
