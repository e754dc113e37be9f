"""Speedups: one backend's median time against a reference backend's, at the same (m, n_x)."""

import pandas as pd


def speedups(table: pd.DataFrame, backend: str, reference: str = "two_loop") -> pd.DataFrame:
    """Speedup of backend over reference at each point where backend was measured.

    ``low``/``high`` come from the quartiles (the slowest plausible ratio and
    the fastest). Where the reference was skipped, the speedup uses its
    predicted time and ``predicted`` is True: a prediction, not a measurement.
    Each row also carries the backend's own time (``seconds``), its passes
    over X and the item size, for the analyses that explain the speedup.
    """
    index = ["m", "n_x"]
    own = table[(table["backend"] == backend) & (table["status"] == "measured")].set_index(index)
    base = table[table["backend"] == reference].set_index(index).reindex(own.index)
    measured = base["status"] == "measured"
    base_time = base["median_s"].where(measured, base["predicted_s"])
    result = pd.DataFrame(
        {
            "speedup": base_time / own["median_s"],
            "low": (base["q1_s"] / own["q3_s"]).where(measured),
            "high": (base["q3_s"] / own["q1_s"]).where(measured),
            "predicted": ~measured,
            "seconds": own["median_s"],
            "passes_over_x": own["passes_over_x"],
            "itemsize": own["bytes_X"] // own["elements"],
        }
    )
    return result.dropna(subset=["speedup"]).reset_index()


def with_speedups(table: pd.DataFrame, references: list[str]) -> pd.DataFrame:
    """The table plus speedup_vs_<reference>: reference's median / this row's median, where
    both were measured at the same (m, n_x); empty elsewhere."""
    table = table.copy()
    measured = table[table["status"] == "measured"]
    at_point = pd.MultiIndex.from_frame(table[["m", "n_x"]])
    own = table["median_s"].where(table["status"] == "measured").to_numpy()
    for reference in dict.fromkeys(references):
        times = measured[measured["backend"] == reference].set_index(["m", "n_x"])["median_s"]
        table[f"speedup_vs_{reference}"] = times.reindex(at_point).to_numpy() / own
    return table


def speedup_summary(
    table: pd.DataFrame, points: list[tuple[int, int]], reference: str = "two_loop"
) -> pd.DataFrame:
    """Speedups over reference at the given (m, n_x): a row per point, a column per backend."""
    table = with_speedups(table, [reference])
    wanted = table.set_index(["m", "n_x"]).index.isin(points)
    summary = table[wanted].pivot(
        index=["m", "n_x"], columns="backend", values=f"speedup_vs_{reference}"
    )
    return summary.reindex(columns=[b for b in dict.fromkeys(table["backend"]) if b in summary])
