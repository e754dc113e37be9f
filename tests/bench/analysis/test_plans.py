"""The plans a run's compiled kernels chose, by plan, and the seconds spent choosing them."""

import numpy as np
import pandas as pd
import pytest

from bench.analysis.plans import chosen_plans, tuning_seconds
from bench.records import Status


def table(*rows) -> pd.DataFrame:
    columns = ["backend", "m", "n_x", "status", "plan", "plan_tuning_s"]
    return pd.DataFrame([dict(zip(columns, row, strict=True)) for row in rows])


RUN = table(
    ("vectorized", 1000, 100, Status.MEASURED, None, None),
    ("numba_fused", 10_000, 1000, Status.MEASURED, "rows-256k-g4", 1.25),
    ("numba_parallel", 10_000, 1000, Status.MEASURED, "rows-256k-g4", 1.25),
    ("numba_fused", 1000, 100, Status.MEASURED, "columns-1024k-g4", 0.5),
    ("numba_fused", 100, 10, Status.MEASURED, "rows-256k-g4", 0.0),
    ("numba_fused", 10**6, 10**4, Status.MEMORY, None, None),
)


def test_each_plan_names_its_backends_and_points_in_order_of_size():
    plans = chosen_plans(RUN).set_index("plan")
    assert plans.loc["rows-256k-g4", "points"] == ((100, 10), (10_000, 1000))
    assert plans.loc["rows-256k-g4", "backends"] == ("numba_fused", "numba_parallel")
    assert plans.loc["columns-1024k-g4", "points"] == ((1000, 100),)
    assert len(plans) == 2  # vectorized and the skipped point have none


def test_tuning_time_counts_a_shared_choice_once():
    assert tuning_seconds(RUN) == pytest.approx(1.25 + 0.5)


def test_a_run_before_plans_has_none():
    old = RUN.assign(plan=None, plan_tuning_s=np.nan)
    assert chosen_plans(old).empty
    assert tuning_seconds(old) == 0.0
