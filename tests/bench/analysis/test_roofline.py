"""Roofline shares and the compiled backends' targets, on a table whose answer is known."""

import pandas as pd
import pytest

from bench.analysis.roofline import TARGET_POINT, compiled_targets, roofline


def compiled_table():
    m, n_x = TARGET_POINT
    rows = [
        dict(backend="vectorized", m=m, n_x=n_x, median_s=0.08),
        dict(backend="numba_parallel", m=m, n_x=n_x, median_s=0.04),
        dict(backend="numba_fused", m=m, n_x=n_x, median_s=0.05),
        dict(backend="vectorized", m=10, n_x=10, median_s=1e-5),  # in cache: not judged
        dict(backend="numba_fused", m=10, n_x=10, median_s=2e-5),
    ]
    table = pd.DataFrame(rows).assign(status="measured")
    table["elements"] = table["m"] * table["n_x"]
    table["bytes_X"] = 8 * table["elements"]
    table["passes_over_x"] = (table["backend"] == "vectorized").map({True: 2, False: 1})
    return table


PROBE = {"one_thread_Bps": 25e9, "all_threads_Bps": 40e9}
CACHE = 32 * 2**20


def test_compiled_targets_are_judged_from_the_measurements():
    (speedup, bandwidth, fused) = compiled_targets(
        compiled_table(), 1, PROBE["one_thread_Bps"], CACHE
    )
    assert speedup[1:] == ("2x", True)
    # 800 MB in 0.04 s = 20 GB/s = 80% of the 1-thread bandwidth
    assert bandwidth[1:] == ("80%", True)
    assert fused[1].startswith("faster at 1 of 1 points") and fused[2] is True


def test_compiled_targets_missed_or_not_measured():
    table = compiled_table()
    table.loc[table["backend"] == "numba_parallel", "median_s"] = 0.07
    speedup, bandwidth, _ = compiled_targets(table, 1, PROBE["one_thread_Bps"], CACHE)
    assert speedup[2] is False and bandwidth[2] is False
    no_parallel = compiled_targets(
        table[table["backend"] != "numba_parallel"], 1, PROBE["one_thread_Bps"], CACHE
    )
    assert no_parallel[0][1:] == ("not measured", None)


def test_roofline_counts_traffic_against_bandwidth():
    result = roofline(compiled_table(), PROBE, CACHE)
    assert list(result.index) == ["vectorized", "numba_parallel", "numba_fused"]
    assert result.loc["vectorized", "best_Bps"] == pytest.approx(10e9)
    assert result.loc["vectorized", "traffic_Bps"] == pytest.approx(20e9)  # reads X twice
    assert result.loc["numba_fused", "share_of_one_thread"] == pytest.approx(16e9 / 25e9)
