"""Did every backend keep to the run's thread count? CPU time over wall time, per point.

The harness measures, in the first pass, the process's CPU time over the
wall time of a few steps at every point (``cpu_per_wall``). A backend that
keeps to N threads stays at or below N; above it, a thread pool ignored the
limits, and a comparison with it is not thread-fair.
"""

import pandas as pd

MARGIN = 0.3  # of a core: a timer thread or the interpreter's own work


def over_threaded(table: pd.DataFrame, threads: int) -> pd.DataFrame:
    """The points whose step used more cores than the run allowed."""
    ratio = pd.to_numeric(table["cpu_per_wall"], errors="coerce")
    return table[ratio > threads + MARGIN]


def thread_check(table: pd.DataFrame, threads: int) -> str | None:
    """One sentence for a report; None when the run did not measure CPU time."""
    ratio = pd.to_numeric(table["cpu_per_wall"], errors="coerce")
    if ratio.isna().all():
        return None
    worst = table.loc[ratio.idxmax()]
    text = (
        f"CPU time / wall time of a step: at most {ratio.max():.2f} ({worst['backend']} at "
        f"m={worst['m']:,}, n_x={worst['n_x']:,}), with {threads} thread(s) allowed"
    )
    over = over_threaded(table, threads)
    if over.empty:
        return text + ": every backend kept to it."
    names = ", ".join(dict.fromkeys(over["backend"]))
    return text + f": **{names} used more** at {len(over)} point(s); not thread-fair there."
