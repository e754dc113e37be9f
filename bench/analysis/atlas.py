"""The atlas: the claims on every CPU we have measured, and how far runs of one CPU differ.

Reads judged runs, each with the CPU it was made on (files written before the harness recorded
a CPU's family and model do not say it themselves: the caller names the CPU). Runs of
different CPUs are set side by side, never pooled.
"""

from dataclasses import dataclass
from itertools import combinations

import pandas as pd

from ..records import EXAMPLE_POINT
from .agreement import differences, merged
from .verdicts import Judged


@dataclass(frozen=True)
class Placed:
    """A judged run and the CPU it was made on."""

    cpu: str
    judged: Judged


def claims_by_cpu(runs: list[Placed]) -> pd.DataFrame:
    """One row per run and claim: the class counts ("~Nx"), the speedup at the example point
    with its interval, and the largest speedup with where it was measured."""
    rows = []
    m, n_x = EXAMPLE_POINT
    for placed in runs:
        for verdict in placed.judged.verdicts:
            points = verdict.points
            at = points[(points["m"] == m) & (points["n_x"] == n_x)]
            largest = points.loc[points["speedup"].idxmax()]
            rows.append(
                {
                    "cpu": placed.cpu,
                    "source": placed.judged.run.source,
                    "claim": verdict.claim.name,
                    **verdict.count("class"),
                    "example": at["speedup"].iloc[0] if len(at) else float("nan"),
                    "example_low": at["low"].iloc[0] if len(at) else float("nan"),
                    "example_high": at["high"].iloc[0] if len(at) else float("nan"),
                    "largest": largest["speedup"],
                    "largest_m": int(largest["m"]),
                    "largest_n_x": int(largest["n_x"]),
                }
            )
    return pd.DataFrame(rows)


def comparable(first: Judged, second: Judged) -> bool:
    """Runs whose speedups may be compared point by point: same grid preset, dtype, threads
    and placement of X (a placement is a setting, not noise between runs)."""
    a, b = first.run.settings, second.run.settings
    same = ("preset", "dtype", "threads", "placement", "x_offset")
    return all(getattr(a, key) == getattr(b, key) for key in same)


def between_runs(runs: list[Placed]) -> pd.DataFrame:
    """For each pair of comparable runs of one CPU: over every claim's points measured in both,
    the share in the same class, the share whose speedups differ by less than Welch's 95%
    interval, and the second run's speedups over the first's (median, lowest, highest)."""
    rows = []
    for first, second in combinations(runs, 2):
        if first.cpu != second.cpu or not comparable(first.judged, second.judged):
            continue
        theirs = {v.claim: v for v in second.judged.verdicts}
        both = [
            merged(mine, theirs[mine.claim])
            for mine in first.judged.verdicts
            if mine.claim in theirs
        ]
        both = pd.concat(both, ignore_index=True) if both else pd.DataFrame()
        if both.empty:
            continue
        differ = differences(both)
        ratio = 1 / differ["ratio"]  # the second run's speedup over the first's
        rows.append(
            {
                "cpu": first.cpu,
                "first": first.judged.run.source,
                "second": second.judged.run.source,
                "point_claims": len(both),
                "same_class": float((both["class_1"] == both["class_2"]).mean()),
                "consistent": float((~differ["differ"]).mean()) if len(differ) else float("nan"),
                "ratio_median": float(ratio.median()) if len(ratio) else float("nan"),
                "ratio_min": float(ratio.min()) if len(ratio) else float("nan"),
                "ratio_max": float(ratio.max()) if len(ratio) else float("nan"),
            }
        )
    return pd.DataFrame(rows)
