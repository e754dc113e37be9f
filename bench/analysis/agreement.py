"""Do two runs agree? Point by point, whether their speedups differ by more than their
combined interval allows.

This is the test of calibrated intervals. Two runs whose 95% intervals carry all
the variation between them differ, at a point, by less than the 95% interval of the
difference (Welch's, from each run's passes) 95% of the time. One run's interval holding
the other's speedup is a stricter test than that: the other speedup carries its own
error too, so even exact 95% intervals of equal width hold it only 84-91% of the time
(simulated: 91% with 3 passes, 87% with 7, 84% with 50; the difference's spread is √2
times each one's).
"""

import numpy as np
import pandas as pd
from scipy import stats

from ..intervals import CONFIDENCE
from .verdicts import Verdict


def _standard_error(both: pd.DataFrame, run: str) -> np.ndarray:
    """Each point's standard error of log speedup, read back from its t interval."""
    passes = both[f"passes_{run}"].to_numpy(float)
    half_width = np.log(both[f"high_{run}"] / both[f"low_{run}"]).to_numpy() / 2
    return half_width / stats.t.ppf((1 + CONFIDENCE) / 2, passes - 1)


def differences(both: pd.DataFrame) -> pd.DataFrame:
    """Per point measured in both runs with intervals (columns ``_1`` and ``_2`` as
    ``agreement`` merges them): ``ratio``, the first speedup over the second, with Welch's 95%
    interval (``low``, ``high``) from both runs' passes, and whether it excludes 1 (``differ``).
    Points without intervals are left out."""
    usable = both[(both["passes_1"] >= 2) & (both["passes_2"] >= 2)]
    usable = usable[usable["low_1"].notna() & usable["low_2"].notna()]
    se1, se2 = _standard_error(usable, "1"), _standard_error(usable, "2")
    variance = se1**2 + se2**2
    log_ratio = np.log(usable["speedup_1"] / usable["speedup_2"]).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        freedom = variance**2 / (
            se1**4 / (usable["passes_1"].to_numpy() - 1)
            + se2**4 / (usable["passes_2"].to_numpy() - 1)
        )
        bound = np.where(
            variance > 0, stats.t.ppf((1 + CONFIDENCE) / 2, freedom) * np.sqrt(variance), 0.0
        )
    return pd.DataFrame(
        {
            **{key: usable[key] for key in ("m", "n_x") if key in usable},
            "speedup_1": usable["speedup_1"],
            "speedup_2": usable["speedup_2"],
            "ratio": np.exp(log_ratio),
            "low": np.exp(log_ratio - bound),
            "high": np.exp(log_ratio + bound),
            "differ": np.abs(log_ratio) > bound,
        },
        index=usable.index,
    )


def merged(first: Verdict, second: Verdict) -> pd.DataFrame:
    """The points of one claim measured in both runs, their columns suffixed _1 and _2."""
    return first.points.merge(second.points, on=["m", "n_x"], suffixes=("_1", "_2"))
