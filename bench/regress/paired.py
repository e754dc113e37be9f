"""Statistics on paired rounds: has the head become slower than the base?

Each round gives, per cell (backend × point), the log of head time / base
time, measured back to back. Per test, one value per round: the mean of its
cells' log ratios (a backend's cells for a backend's test; every cell for the
test on all backends at once, which catches a slowdown that every backend
shares). A test fires when

- its geometric-mean slowdown reaches ``threshold``, and
- a one-sided t-test (scipy.stats.ttest_1samp) rejects "slowdown ≤ floor",
  at level alpha / (number of tests) (Bonferroni, so one check as a whole
  raises a false alarm from noise at most alpha of the time).

The floor keeps a steady difference of a percent or two between two
processes (where the allocator placed the arrays) from being an alarm; the
threshold keeps a precisely measured but harmless slowdown from failing CI.

Rounds come from several pairs of worker processes (a base and a head
worker each, ``ab.measure``): one process can run a backend much slower than
another for its whole life (docs/tuning.md), which the rounds of that one pair
cannot tell from a real change. So a test also needs the slowdown in a majority of
the pairs: each pair's own geometric mean must reach ``threshold``. One slow
process moves the pooled ratio, not the majority.
"""

import numpy as np
import pandas as pd
from scipy import stats

from ..intervals import interval

ALL = "all backends"
THRESHOLD = 1.05
FLOOR = 1.02
ALPHA = 0.05
# Pairs of fresh worker processes per phase (see above): an odd number, so a majority exists.
WORKER_PAIRS = 3


def with_log_ratios(pairs: pd.DataFrame) -> pd.DataFrame:
    return pairs.assign(log_ratio=np.log(pairs["head_s"] / pairs["base_s"]))


def per_round(pairs: pd.DataFrame) -> dict[str, pd.Series]:
    """Each test's value per round: mean log ratio over its cells, indexed by (pair, round)
    (rounds without a ``pair`` column came from one pair of workers)."""
    logs = with_log_ratios(pairs)
    if "pair" not in logs:
        logs["pair"] = 0
    keys = ["pair", "round"]
    series = {
        name: group.groupby(keys)["log_ratio"].mean()
        for name, group in logs.groupby("backend", sort=False)
    }
    series[ALL] = logs.groupby(keys)["log_ratio"].mean()
    return series


def one_test(logs: pd.Series, tests: int, threshold: float, floor: float, alpha: float) -> dict:
    ratio = float(np.exp(logs.mean()))
    level = alpha / tests
    if len(logs) < 2 or np.ptp(logs) == 0:
        low, p_value = ratio, float(ratio <= floor)
    else:
        result = stats.ttest_1samp(logs, np.log(floor), alternative="greater")
        low = float(np.exp(result.confidence_interval(1 - level).low))
        p_value = float(result.pvalue)
    pair_ratios = np.exp(logs.groupby(level="pair").mean())
    slower = int((pair_ratios >= threshold).sum())
    return {
        "rounds": len(logs),
        "ratio": ratio,
        "low": low,
        "p_value": p_value,
        "level": level,
        "pairs": len(pair_ratios),
        "pairs_slower": slower,
        "regressed": bool(ratio >= threshold and p_value < level and slower > len(pair_ratios) / 2),
    }


def judge(
    pairs: pd.DataFrame,
    threshold: float = THRESHOLD,
    floor: float = FLOOR,
    alpha: float = ALPHA,
    tests: int | None = None,
) -> pd.DataFrame:
    """One row per test (each backend, then all backends): ratio, one-sided bound, verdict.

    ``tests``: how many tests the correction counts (default: those here); a
    confirmation keeps the count of the check it confirms.
    """
    series = per_round(pairs)
    tests = tests or len(series)
    rows = {name: one_test(logs, tests, threshold, floor, alpha) for name, logs in series.items()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("test")


def upper_bound(logs: pd.Series, level: float) -> float:
    """The one-sided upper confidence bound of a test's geometric-mean ratio at ``level``."""
    if len(logs) < 2 or np.ptp(logs) == 0:
        return float(np.exp(logs.mean()))
    result = stats.ttest_1samp(logs, 0.0, alternative="less")
    return float(np.exp(result.confidence_interval(1 - level).high))


def clear(
    pairs: pd.DataFrame,
    followed: list[str],
    threshold: float = THRESHOLD,
    floor: float = FLOOR,
    alpha: float = ALPHA,
    tests: int | None = None,
) -> bool:
    """Is a phase's answer already clear for these tests, so that its rounds can stop early?

    Clearly slower: a followed test fails as ``judge`` would fail it, with even its one-sided
    bound past ``threshold`` (a confirmation still follows). Clearly not: every followed
    test's one-sided upper bound is below ``threshold``, so no more rounds would likely make it
    fail. Either at the check's own level, alpha / tests."""
    tests = tests or len(per_round(pairs))
    verdicts = judge(pairs, threshold, floor, alpha, tests).reindex(followed).dropna()
    if len(verdicts) < len(followed):
        return False
    if (verdicts["regressed"].astype(bool) & (verdicts["low"] >= threshold)).any():
        return True
    series = per_round(pairs)
    return all(upper_bound(series[name], alpha / tests) < threshold for name in followed)


def cell_intervals(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per cell: geometric-mean ratio head/base with its two-sided 95% t interval (the
    sweep's speedup interval, ``bench.intervals.interval``, of head against base)."""
    rows = []
    for (backend, m, n_x), group in pairs.groupby(["backend", "m", "n_x"], sort=False):
        ratio = interval(group["head_s"], group["base_s"])
        rows.append(
            {
                "backend": backend,
                "m": m,
                "n_x": n_x,
                "base_s": float(group["base_s"].median()),
                "head_s": float(group["head_s"].median()),
                "ratio": ratio.value,
                "low": ratio.low,
                "high": ratio.high,
            }
        )
    return pd.DataFrame(rows)
