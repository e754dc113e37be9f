"""Do two runs agree? Per claim: the same class, and each interval holding the other's speedup."""

import pandas as pd

from .verdicts import Verdict


def agreement(first: list[Verdict], second: list[Verdict]) -> pd.DataFrame:
    """One row per claim judged in both runs, over the points measured in both."""
    theirs = {v.claim: v.points for v in second}
    rows = []
    for mine in first:
        if mine.claim not in theirs:
            continue
        both = mine.points.merge(theirs[mine.claim], on=["m", "n_x"], suffixes=("_1", "_2"))
        rows.append(
            {
                "claim": mine.claim.name,
                "points": len(both),
                "same_class": (both["class_1"] == both["class_2"]).mean(),
                "same_class_at_least": (
                    both["class_at_least_1"] == both["class_at_least_2"]
                ).mean(),
                "first_holds_second": _contains(both, "1", "2"),
                "second_holds_first": _contains(both, "2", "1"),
                "median_width_1": (both["high_1"] / both["low_1"]).median(),
                "median_width_2": (both["high_2"] / both["low_2"]).median(),
            }
        )
    return pd.DataFrame(rows)


def _contains(both: pd.DataFrame, interval: str, value: str) -> float:
    inside = both[f"low_{interval}"] <= both[f"speedup_{value}"]
    return float((inside & (both[f"speedup_{value}"] <= both[f"high_{interval}"])).mean())
