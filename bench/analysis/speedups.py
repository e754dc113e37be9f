"""Speedups with 95% confidence intervals: one backend against a reference, point by point.

A sweep measures every point once per pass, the backends of a point back to
back, and the passes spread over the run. So each pass gives one speedup
(reference's median / backend's median), and drift over the run shows as
spread between the passes' speedups. The speedup is their geometric mean; its
interval is Student's t on their logarithms (``bench.intervals.interval``),
which with three passes has 2 degrees of freedom and is wide accordingly. A
bootstrap would not do here: resampling three values cannot see beyond them.
Runs of one pass (schema 1) fall back to the quartiles of the two backends'
rounds, which show round-to-round noise only.
"""

import numpy as np
import pandas as pd

from ..intervals import Estimate, interval
from ..records import Status
from ..settings import DEFAULT_REFERENCE


def speedups(table: pd.DataFrame, backend: str, reference: str = DEFAULT_REFERENCE) -> pd.DataFrame:
    """Speedup of backend over reference, with its interval, where backend was measured.

    ``low``/``high``: the 95% interval (see the module's docstring). Where the
    reference was skipped, the speedup uses its predicted time, has no
    interval, and ``predicted`` is True: a prediction, not a measurement. Each
    row also carries the backend's own time (``seconds``), its passes over X
    and the item size, for the analyses that explain the speedup.
    """
    index = ["m", "n_x"]
    own = table[(table["backend"] == backend) & (table["status"] == Status.MEASURED)].set_index(
        index
    )
    base = table[table["backend"] == reference].set_index(index).reindex(own.index)
    measured = base["status"] == Status.MEASURED
    estimates = [
        _estimate(b, o) if ok else Estimate(p / o.median_s, np.nan, np.nan)
        for (_, b), (_, o), ok, p in zip(
            base.iterrows(), own.iterrows(), measured, base["predicted_s"], strict=True
        )
    ]
    result = pd.DataFrame(
        {
            "speedup": np.array([e.value for e in estimates], dtype=float),
            "low": np.array([e.low for e in estimates], dtype=float),
            "high": np.array([e.high for e in estimates], dtype=float),
            "passes": [
                _pairs(b, o) for (_, b), (_, o) in zip(base.iterrows(), own.iterrows(), strict=True)
            ],
            "predicted": ~measured,
            "seconds": own["median_s"],
            "passes_over_x": own["passes_over_x"],
            "itemsize": own["bytes_X"] // own["elements"],
        }
    )
    return result.dropna(subset=["speedup"]).reset_index()


def _pairs(base: pd.Series, own: pd.Series) -> int:
    """How many paired passes the interval comes from (1: a run of one pass)."""
    recorded = "pass_medians_s" in base and isinstance(base["pass_medians_s"], tuple)
    if recorded and len(base["pass_medians_s"]) == len(own["pass_medians_s"]):
        return len(own["pass_medians_s"])
    return 1


def _estimate(base: pd.Series, own: pd.Series) -> Estimate:
    if _pairs(base, own) >= 2:
        return interval(base["pass_medians_s"], own["pass_medians_s"])
    # One pass: the median ratio, and the quartiles' slowest and fastest plausible ratios.
    return Estimate(base.median_s / own.median_s, base.q1_s / own.q3_s, base.q3_s / own.q1_s)


def with_speedups(table: pd.DataFrame, references: list[str]) -> pd.DataFrame:
    """The table plus speedup_vs_<reference> and its _low and _high (95% interval) for each
    reference, where both were measured at the same (m, n_x); empty elsewhere."""
    keys = ["backend", "m", "n_x"]
    for reference in dict.fromkeys(references):
        names = [f"speedup_vs_{reference}{end}" for end in ("", "_low", "_high")]
        parts = [
            speedups(table, backend, reference).assign(backend=backend)
            for backend in dict.fromkeys(table["backend"])
        ]
        found = pd.concat(parts) if parts else pd.DataFrame(columns=[*keys, "predicted"])
        found = found[~found["predicted"].astype(bool)]
        found = found.rename(columns=dict(zip(("speedup", "low", "high"), names, strict=True)))
        table = table.merge(found[[*keys, *names]], on=keys, how="left")
    return table


def speedup_summary(
    table: pd.DataFrame, points: list[tuple[int, int]], reference: str = DEFAULT_REFERENCE
) -> pd.DataFrame:
    """Speedups over reference at the given (m, n_x): a row per point, a column per backend."""
    table = with_speedups(table, [reference])
    wanted = table.set_index(["m", "n_x"]).index.isin(points)
    summary = table[wanted].pivot(
        index=["m", "n_x"], columns="backend", values=f"speedup_vs_{reference}"
    )
    return summary.reindex(columns=[b for b in dict.fromkeys(table["backend"]) if b in summary])


def reference_widths(table: pd.DataFrame, reference: str) -> pd.Series:
    """Every measured speedup over reference with an interval: its width (high over low),
    indexed by backend, m and n_x (what ``--until`` narrows)."""
    widths = {
        (backend, row.m, row.n_x): row.high / row.low
        for backend in dict.fromkeys(table["backend"])
        if backend != reference
        for row in speedups(table, backend, reference).itertuples()
        if row.low == row.low
    }
    return pd.Series(widths, dtype=float)
