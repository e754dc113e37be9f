"""The lecture's demo in the report: times over passes, and np.dot's speedup over each loop."""

import numpy as np
import pandas as pd
import pytest

from bench.analysis.lecture import lecture_table


def demo(**pass_medians):
    return pd.DataFrame(
        [
            {"kernel": kernel, "pass_number": p + 1, "median_s": t, "min_s": t}
            for kernel, times in pass_medians.items()
            for p, t in enumerate(times)
        ]
    )


def test_times_and_speedups_with_intervals():
    table = lecture_table(
        demo(loop_over_numpy=[0.30, 0.33, 0.31], numpy_dot=[0.001, 0.0011, 0.001])
    ).set_index("kernel")
    loop = table.loc["loop_over_numpy"]
    assert loop["seconds"] == pytest.approx(np.exp(np.log([0.30, 0.33, 0.31]).mean()))
    assert loop["low_s"] < loop["seconds"] < loop["high_s"]
    ratios = np.array([0.30, 0.33, 0.31]) / np.array([0.001, 0.0011, 0.001])
    assert loop["dot_speedup"] == pytest.approx(np.exp(np.log(ratios).mean()))
    assert loop["dot_speedup_low"] < loop["dot_speedup"] < loop["dot_speedup_high"]
    assert table.loc["numpy_dot", "dot_speedup"] == 1
