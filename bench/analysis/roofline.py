"""How close each backend gets to the memory roof, and the compiled backends' targets."""

import numpy as np
import pandas as pd

# Targets for the compiled backends, checked in every report where they apply.
TARGET_POINT = (100_000, 1000)
PARALLEL_SPEEDUP_TARGET = 1.3
BANDWIDTH_SHARE_TARGET = 0.6


def roofline(table: pd.DataFrame, probe: dict | None, cache_bytes: int | None) -> pd.DataFrame:
    """Per backend, the best bytes of X per second where X is larger than the last-level
    cache (all points if its size is unknown), and the memory traffic that implies (X read
    ``passes_over_x`` times) as a share of the probe's one-thread and all-threads bandwidth."""
    probe = probe or {}
    rows = table[(table["status"] == "measured") & (table["bytes_X"] > (cache_bytes or 0))]
    rows = rows.assign(Bps=rows["bytes_X"] / rows["median_s"])
    result = rows.groupby("backend", sort=False).agg(
        points=("Bps", "size"), best_Bps=("Bps", "max"), passes_over_x=("passes_over_x", "first")
    )
    result["traffic_Bps"] = result["best_Bps"] * result["passes_over_x"]
    for name in ("one_thread", "all_threads"):
        roof = probe.get(f"{name}_Bps")
        result[f"share_of_{name}"] = result["traffic_Bps"] / roof if roof else np.nan
    return result


def _median_at(table: pd.DataFrame, backend: str, point: tuple[int, int]) -> float:
    rows = table[
        (table["backend"] == backend)
        & (table["m"] == point[0])
        & (table["n_x"] == point[1])
        & (table["status"] == "measured")
    ]
    return float(rows["median_s"].iloc[0]) if len(rows) else np.nan


def _judged(target: str, value: float, shown: str, met: bool) -> tuple[str, str, bool | None]:
    if not np.isfinite(value):
        return target, "not measured", None
    return target, shown, met


def compiled_targets(
    table: pd.DataFrame, threads: int, bandwidth_Bps: float | None, cache_bytes: int | None
) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, met?) for the fused and parallel backends; None: not measured.

    ``bandwidth_Bps`` is the probe's bandwidth on the run's number of threads.
    """
    m, n_x = TARGET_POINT
    where = f"m={m:,}, n_x={n_x:,}"
    parallel = _median_at(table, "numba_parallel", TARGET_POINT)
    speedup = _median_at(table, "vectorized", TARGET_POINT) / parallel
    itemsize = int(table["bytes_X"].iloc[0] // table["elements"].iloc[0])
    share = itemsize * m * n_x / parallel / bandwidth_Bps if bandwidth_Bps else np.nan
    results = [
        _judged(
            f"numba_parallel ≥ {PARALLEL_SPEEDUP_TARGET}x faster than vectorized at {where}, "
            f"both on {threads} thread(s)",
            speedup,
            f"{speedup:.3g}x",
            bool(speedup >= PARALLEL_SPEEDUP_TARGET),
        ),
        _judged(
            f"numba_parallel reads X at ≥ {BANDWIDTH_SHARE_TARGET:.0%} of the measured read "
            f"bandwidth ({threads} thread(s)) at {where}",
            share,
            f"{share:.0%}",
            bool(share >= BANDWIDTH_SHARE_TARGET),
        ),
    ]
    large = table[(table["bytes_X"] > (cache_bytes or 0)) & (table["status"] == "measured")]
    pairs = large.pivot(index=["m", "n_x"], columns="backend", values="median_s")
    # numba_fused is single-threaded by design: compare it with single-threaded BLAS only.
    if {"numba_fused", "vectorized"} <= set(pairs.columns) and cache_bytes and threads == 1:
        both = pairs[["numba_fused", "vectorized"]].dropna()
        ratio = both["vectorized"] / both["numba_fused"]
        results.append(
            _judged(
                "numba_fused faster than vectorized at every point whose X is larger than the "
                f"last-level cache ({cache_bytes / 2**20:.3g} MiB)",
                float(len(ratio)) if len(ratio) else np.nan,
                f"faster at {(ratio > 1).sum()} of {len(ratio)} points (speedup "
                f"{ratio.min():.3g}x … {ratio.max():.3g}x)",
                bool((ratio > 1).all()),
            )
        )
    return results
