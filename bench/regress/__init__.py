"""The performance-regression check (``check``) and the trials that measure its alarm rates.

Reads runs and their analysis; the trials start sweeps in subprocesses.
"""

from collections.abc import Callable


def action_entries(
    table, seconds: str, extra: Callable[[tuple], str], spread: Callable[[tuple], str] | None = None
) -> list[dict]:
    """github-action-benchmark's customSmallerIsBetter format: an entry per row of a table with
    backend, m and n_x, its time from the column ``seconds``, what to add (``extra``) and, if
    given, the spread of that time (``range``)."""
    return [
        {"name": f"{r.backend} m={r.m} n_x={r.n_x}", "unit": "s", "value": getattr(r, seconds)}
        | ({"range": spread(r)} if spread else {})
        | {"extra": extra(r)}
        for r in table.itertuples()
    ]
