"""Your functions against the loops: each function a user added, over each claim's baseline.

A user's function may be loops or numpy lines: it is read against both of the course's
numbers ("~10x" and "~300x"), over both meanings of "the loop" (``two_loop`` and the course's
``course_two_loop``), point by point, with the same intervals and classes as the claims.
"""

import pandas as pd

from ..claims import BAND_FACTOR, CLAIMS
from ..results import Run
from .speedups import speedups
from .verdicts import CLASSES, classify

# The course's numbers, each read as "~Nx" (N/2 to 2N), as the claims are.
READINGS = {claim.label: claim.factor for claim in CLAIMS}
BASELINES = tuple(dict.fromkeys(claim.baseline for claim in CLAIMS))


def yours(run: Run) -> pd.DataFrame:
    """One row per user's function, baseline and point where both were measured: the speedup
    with its 95% interval, and its class under each of the course's numbers."""
    rows = []
    measured = set(run.measured["backend"])
    for name in run.settings.added_names:
        for baseline in BASELINES:
            if {name, baseline} - measured:
                continue
            found = speedups(run.table, name, baseline)
            for r in found[~found["predicted"]].itertuples():
                classes = {
                    label: classify(r.low, r.high, factor / BAND_FACTOR, factor * BAND_FACTOR)
                    for label, factor in READINGS.items()
                }
                rows.append(
                    {"function": name, "baseline": baseline, "m": r.m, "n_x": r.n_x}
                    | {"speedup": r.speedup, "low": r.low, "high": r.high}
                    | classes
                )
    columns = ["function", "baseline", "m", "n_x", "speedup", "low", "high", *READINGS]
    return pd.DataFrame(rows, columns=columns)


def counts(points: pd.DataFrame, reading: str) -> dict[str, int]:
    """How many points hold, fail or are inconclusive under one of the course's numbers."""
    found = points[reading].value_counts()
    return {name: int(found.get(name, 0)) for name in CLASSES}
