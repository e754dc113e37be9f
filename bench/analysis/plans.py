"""The plans the compiled kernels chose at each point of a run, and what choosing them cost."""

import pandas as pd

from ..records import Status


def chosen_plans(table: pd.DataFrame) -> pd.DataFrame:
    """Per plan a backend ran (``plan`` column; runs before plans have none): the backends that
    ran it and the points, in order of size."""
    rows = table[(table["status"] == Status.MEASURED) & table["plan"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=["plan", "backends", "points"])
    rows = rows.sort_values(["m", "n_x"])
    grouped = rows.groupby("plan", sort=False)
    return pd.DataFrame(
        {
            "backends": grouped["backend"].agg(lambda b: tuple(dict.fromkeys(b))),
            "points": grouped[["m", "n_x"]].apply(
                lambda points: tuple(dict.fromkeys(zip(points["m"], points["n_x"], strict=True)))
            ),
        }
    ).reset_index()


def tuning_seconds(table: pd.DataFrame) -> float:
    """Seconds spent timing candidate plans over the run: per point the most any backend
    spent (backends that share ``prepare`` share its choice, and would count it twice)."""
    if "plan_tuning_s" not in table or table["plan_tuning_s"].isna().all():
        return 0.0
    return float(table.groupby(["m", "n_x"])["plan_tuning_s"].max().sum())
