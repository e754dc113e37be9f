"""Roofline shares and the compiled backends' targets, on a table whose answer is known."""

import pandas as pd
import pytest

from bench.analysis.roofline import TARGET_POINT, compiled_targets, physical_limit, roofline


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
    (speedup, bandwidth, fused, fastest) = compiled_targets(
        compiled_table(), 1, PROBE["one_thread_Bps"], CACHE
    )
    assert speedup[1:] == ("2x", True)
    # 800 MB in 0.04 s = 20 GB/s = 80% of the 1-thread bandwidth
    assert bandwidth[1:] == ("80%", True)
    assert fused[1].startswith("faster at 1 of 1 points") and fused[2] is True
    # The fastest of ours (numba_parallel, 0.04 s) at 80%: below the 85% target.
    assert fastest[1:] == ("80% (numba_parallel)", False)


def test_compiled_targets_missed_or_not_measured():
    table = compiled_table()
    table.loc[table["backend"] == "numba_parallel", "median_s"] = 0.07
    speedup, bandwidth, *_ = compiled_targets(table, 1, PROBE["one_thread_Bps"], CACHE)
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


def with_jax(seconds: float) -> pd.DataFrame:
    table = compiled_table()
    extra = table[table["backend"] == "vectorized"].assign(backend="jax", median_s=seconds)
    return pd.concat([table, extra], ignore_index=True)


def test_ours_against_jax_at_every_large_point():
    *_, peer = compiled_targets(with_jax(0.045), 1, PROBE["one_thread_Bps"], CACHE)
    assert peer[1] == "as fast at 1 of 1 points" and peer[2] is True  # ours 0.04 s, jax 0.045
    *_, peer = compiled_targets(with_jax(0.03), 1, PROBE["one_thread_Bps"], CACHE)
    assert peer[2] is False
    assert peer[1].endswith(f"slower at m={TARGET_POINT[0]:,}, n_x={TARGET_POINT[1]:,} (0.75x)")


def test_peer_targets_are_for_one_thread_only():
    targets = compiled_targets(with_jax(0.03), 2, PROBE["all_threads_Bps"], CACHE)
    assert [t[0].split()[0] for t in targets] == ["numba_parallel", "numba_parallel"]


def test_physical_limit_is_one_read_of_x_at_the_bandwidth():
    limits = physical_limit(compiled_table(), 25e9, CACHE)
    assert list(limits.index) == [TARGET_POINT]  # the in-cache point is left out
    assert limits["limit_s"].iloc[0] == pytest.approx(0.032)  # 800 MB at 25 GB/s
    assert limits["numba_parallel"].iloc[0] == pytest.approx(0.04 / 0.032)
    assert physical_limit(compiled_table(), None, CACHE).empty
