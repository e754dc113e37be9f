"""Roofline shares and the compiled backends' targets, on a table whose answer is known."""

import pandas as pd
import pytest

from bench.analysis.roofline import (
    compiled_targets,
    paired_shares,
    physical_limit,
    plan_shares,
    roof_targets,
    roofline,
    step_parts,
)
from bench.records import ROOF_POINT


def compiled_table():
    m, n_x = ROOF_POINT
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
    assert peer[1].endswith(f"slower at m={ROOF_POINT[0]:,}, n_x={ROOF_POINT[1]:,} (0.75x)")


def test_peer_targets_are_for_one_thread_only():
    targets = compiled_targets(with_jax(0.03), 2, PROBE["all_threads_Bps"], CACHE)
    assert [t[0].split()[0] for t in targets] == ["numba_parallel", "numba_parallel"]


def test_physical_limit_is_one_read_of_x_at_the_bandwidth():
    limits = physical_limit(compiled_table(), 25e9, CACHE)
    assert list(limits.index) == [ROOF_POINT]  # the in-cache point is left out
    assert limits["limit_s"].iloc[0] == pytest.approx(0.032)  # 800 MB at 25 GB/s
    assert limits["numba_parallel"].iloc[0] == pytest.approx(0.04 / 0.032)
    assert physical_limit(compiled_table(), None, CACHE).empty


def roof_study(probe, fused, parallel_2=None, parts=(0.0, 0.0, 0.0)):
    """A roof study's record, one thread (and two, if given), from seconds per round."""
    rounds = len(probe)
    z, z_dw, block_math = parts
    one = {
        "probe": probe,
        "numba_fused": fused,
        "z_pass": [z] * rounds,
        "z_and_dw_passes": [z_dw] * rounds,
        "block_math": [block_math] * rounds,
    }
    seconds = {"1": one}
    if parallel_2 is not None:
        seconds["2"] = {"probe": probe, "numba_parallel": parallel_2}
    return {
        "point": list(ROOF_POINT),
        "dtype": "float64",
        "bytes_X": 8 * 10**8,
        "rounds": rounds,
        "seconds": seconds,
    }


def test_paired_shares_follow_the_probe_round_by_round():
    # The probe and the step both twice as slow in round 2: the share holds, with no spread.
    shares = paired_shares(roof_study([0.06, 0.12, 0.06], [0.08, 0.16, 0.08]))
    (row,) = shares.itertuples()
    assert (row.threads, row.backend) == (1, "numba_fused")
    assert row.share == pytest.approx(0.75)
    assert (row.low, row.high) == pytest.approx((0.75, 0.75))
    # Its probe's median: 800 MB in 0.06 s.
    assert row.probe_Bps == pytest.approx(8e8 / 0.06)


def test_paired_share_intervals_widen_with_spread_between_rounds():
    shares = paired_shares(roof_study([0.06, 0.06, 0.06], [0.07, 0.08, 0.09]))
    assert shares["low"].iloc[0] < 0.75 < shares["high"].iloc[0]


def test_step_parts_name_the_gap_from_paired_differences():
    parts = step_parts(roof_study([0.06] * 3, [0.09] * 3, parts=(0.065, 0.085, 0.001)))
    seconds = parts["seconds"]
    assert seconds["read X from memory (the probe)"] == pytest.approx(0.06)
    assert seconds["z pass beyond the read: dot products, prefetch gaps"] == pytest.approx(0.005)
    assert seconds["dw pass: X again, from cache"] == pytest.approx(0.02)
    assert seconds["block math and sums (the rest of the step)"] == pytest.approx(0.005)
    assert parts.loc["whole step", "share_of_step"] == pytest.approx(1.0)
    assert seconds["block math alone"] == pytest.approx(0.001)


def test_plan_shares_rank_the_candidates_and_mark_the_chosen_one():
    study = roof_study([0.06, 0.12, 0.06], [0.08, 0.16, 0.08])
    study["seconds"]["1"] |= {
        "plan rows-256k-g4": [0.07, 0.14, 0.07],
        "plan columns-1024k-g4": [0.1] * 3,
    }
    study["plan"] = "rows-256k-g4"
    plans = plan_shares(study)
    assert list(plans["plan"]) == ["rows-256k-g4", "columns-1024k-g4"]  # fastest first
    assert list(plans["chosen"]) == [True, False]
    assert plans["share"].iloc[0] == pytest.approx(6 / 7)  # paired round by round
    assert plans["low"].iloc[1] < plans["share"].iloc[1] < plans["high"].iloc[1]
    assert plans["median_s"].iloc[1] == pytest.approx(0.1)


def test_a_run_without_a_roof_study_has_no_shares_parts_or_paired_targets():
    assert paired_shares(None).empty and step_parts(None).empty and plan_shares(None).empty
    assert roof_targets(None) == []


def test_roof_targets_judge_one_thread_and_every_core():
    study = roof_study([0.06] * 3, [0.068] * 3, parallel_2=[0.05] * 3)
    one, two = roof_targets(study)
    assert one[1].startswith("88% [88%, 88%] (numba_fused)") and one[2] is True
    assert two[1] == "120% [120%, 120%]" and two[2] is True
    slow = roof_targets(roof_study([0.06] * 3, [0.08] * 3, parallel_2=[0.1] * 3))
    assert [ok for _, _, ok in slow] == [False, False]


def test_a_paired_study_replaces_the_unpaired_share_target():
    study = roof_study([0.06] * 3, [0.068] * 3)
    targets = compiled_targets(compiled_table(), 1, PROBE["one_thread_Bps"], CACHE, study)
    judged = [target for target, _, _ in targets]
    assert sum("1-thread read" in target for target in judged) == 1
    assert any("paired with the probe" in target for target in judged)
