"""The lecture's dot-product demo: our times, and np.dot's speedup over each loop."""

import numpy as np
import pandas as pd

from ..intervals import UNKNOWN, interval

# The lecture's demo: two vectors of this many elements, and what it showed (milliseconds).
SIZE = 1_000_000
LECTURE_MS = {"loop_over_numpy": 481.0, "numpy_dot": 1.5}


def _pass_medians(demo: pd.DataFrame, kernel: str) -> np.ndarray:
    return demo[demo["kernel"] == kernel].sort_values("pass_number")["median_s"].to_numpy()


def lecture_table(demo: pd.DataFrame) -> pd.DataFrame:
    """Per kernel: median time over passes with its 95% interval, and np.dot's speedup over
    it with its interval (both from the passes, as for the gradient step's speedups)."""
    dot = _pass_medians(demo, "numpy_dot")
    rows = []
    for kernel in dict.fromkeys(demo["kernel"]):
        times = _pass_medians(demo, kernel)
        # A time's interval: the "speedup" of a one-second reference over it, inverted.
        seconds = interval(np.ones_like(times), times).inverted()
        speedup = interval(times, dot) if len(dot) == len(times) else UNKNOWN
        rows.append(
            {
                "kernel": kernel,
                "seconds": seconds.value,
                "low_s": seconds.low,
                "high_s": seconds.high,
                "dot_speedup": speedup.value,
                "dot_speedup_low": speedup.low,
                "dot_speedup_high": speedup.high,
            }
        )
    return pd.DataFrame(rows)
