"""The rule that makes a point's row from its passes, and the run's table of points.

Each benchmark in a result file is one point in one pass. A point's row sums its passes
up (``ACROSS_PASSES``) and keeps each pass's median in pass order: what the intervals of
``bench.intervals`` are made of (docs/method.md, "Passes").
"""

import numpy as np
import pandas as pd

from .records import Status
from .settings import Settings

COLUMNS = [
    "backend",
    "m",
    "n_x",
    "elements",
    "dtype",
    "bytes_X",
    "passes_over_x",
    "status",
    "data_source",
    "median_s",
    "q1_s",
    "q3_s",
    "iqr_s",
    "min_s",
    "max_s",
    "stddev_s",
    "rounds",
    "mode",
    "predicted_s",
    "first_call_s",
    "cpu_per_wall",
    "reason",
    "passes",
    "pass_medians_s",
    "pass_x_offsets",
    "plan",
    "plan_source",
    "plan_tuning_s",
    "pass_disk_read_Bps",
    "peak_rss_bytes",
    "others_cpu",
    "steal_cpu",
    "busy",
]
# Each benchmark is one point in one pass; a point's row sums up its passes like this.
ACROSS_PASSES = {
    "median_s": "median",
    "q1_s": "median",
    "q3_s": "median",
    "min_s": "min",
    "max_s": "max",
    "stddev_s": "median",
    "rounds": "sum",
    "mode": "first",
    "predicted_s": "first",
    "first_call_s": "first",
    "cpu_per_wall": "first",
    "data_source": "first",
    "peak_rss_bytes": "max",
    # The plan of a backend that chooses one: the same in every pass once kept, else each.
    "plan": lambda plans: " | ".join(dict.fromkeys(plans.dropna())) or None,
    "plan_source": "first",
    "plan_tuning_s": lambda seconds: None if seconds.isna().all() else float(seconds.sum()),
    # Other processes' CPU time over the point, in cores: its worst pass, and whether any pass
    # was measured beside other work.
    "others_cpu": "max",
    # The hypervisor's steal: on average over the passes (a busy host steals a little, often).
    "steal_cpu": "mean",
    "busy": lambda busy: None if busy.isna().all() else bool(busy.fillna(False).any()),
}


def across_passes(measured: list[dict]) -> list[dict]:
    """One row per point from its rows per pass: medians of the passes' statistics, the
    passes' medians in pass order (what intervals are made of), rounds added up."""
    if not measured:
        return []
    passes = pd.DataFrame(measured).sort_values("pass_number")
    grouped = passes.groupby(["backend", "m", "n_x"], sort=False)
    rows = grouped.agg(ACROSS_PASSES)
    rows["iqr_s"] = rows["q3_s"] - rows["q1_s"]
    rows["passes"] = grouped.size()
    rows["pass_medians_s"] = grouped["median_s"].agg(tuple)
    # Where X started in each pass (recorded since the placement study; None before).
    rows["pass_x_offsets"] = grouped["x_offset"].agg(
        lambda offsets: tuple(int(o) for o in offsets) if offsets.notna().all() else None
    )
    # A store's point: the disk's read rate of its files, paired with each pass's step.
    rows["pass_disk_read_Bps"] = grouped["disk_read_Bps"].agg(
        lambda rates: tuple(rates) if rates.notna().all() else None
    )
    rows["status"] = Status.MEASURED
    rows["reason"] = None
    return rows.reset_index().to_dict("records")


def tidy(rows: list[dict], settings: Settings, backends: dict) -> pd.DataFrame:
    """The run's table: a row per point (COLUMNS), in order of size, then of the backends."""
    table = pd.DataFrame(rows).reindex(columns=COLUMNS)
    itemsize = np.dtype(settings.dtype).itemsize
    table["elements"] = table["m"] * table["n_x"]
    table["dtype"] = settings.dtype
    table["bytes_X"] = table["elements"] * itemsize
    table["passes_over_x"] = table["backend"].map(lambda b: backends[b]["passes_over_x"])
    order = list(dict.fromkeys([*settings.backends, *table["backend"]]))
    table["_order"] = table["backend"].map(order.index)
    table = table.sort_values(["m", "n_x", "_order"]).drop(columns="_order")
    return table.reset_index(drop=True)
