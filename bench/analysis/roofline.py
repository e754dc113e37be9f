"""How close each backend gets to the memory roof, and the compiled backends' targets."""

import numpy as np
import pandas as pd

from ..intervals import interval
from ..records import PLAN_PREFIX, ROOF_PARTS, ROOF_POINT, ROOF_PROBE, Status

# Targets for the compiled backends, checked in every report where they apply.
PARALLEL_SPEEDUP_TARGET = 1.3
BANDWIDTH_SHARE_TARGET = 0.6
FASTEST_SHARE_TARGET = 0.85  # of the 1-thread read bandwidth, by the fastest compiled backend
PARALLEL_SHARE_TARGET = 0.70  # of the all-threads read bandwidth, by numba_parallel
COMPILED = ("numba_fused", "numba_parallel")  # ours; jax is the peer they are held against
PEER = "jax"
PEER_ELEMENTS = 1_000_000  # the peer comparison covers points with at least this m·n_x


def roofline(table: pd.DataFrame, probe: dict | None, cache_bytes: int | None) -> pd.DataFrame:
    """Per backend, the best bytes of X per second where X is larger than the last-level
    cache (all points if its size is unknown), and the memory traffic that implies (X read
    ``passes_over_x`` times) as a share of the probe's one-thread and all-threads bandwidth."""
    probe = probe or {}
    rows = table[(table["status"] == Status.MEASURED) & (table["bytes_X"] > (cache_bytes or 0))]
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
        & (table["status"] == Status.MEASURED)
    ]
    return float(rows["median_s"].iloc[0]) if len(rows) else np.nan


def _judged(target: str, value: float, shown: str, met: bool) -> tuple[str, str, bool | None]:
    if not np.isfinite(value):
        return target, "not measured", None
    return target, shown, met


def compiled_targets(
    table: pd.DataFrame,
    threads: int,
    bandwidth_Bps: float | None,
    cache_bytes: int | None,
    roof: dict | None = None,
) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, met?) for the fused and parallel backends; None: not measured.

    ``bandwidth_Bps`` is the probe's bandwidth on the run's number of threads. With a paired
    roof study (``roof``), the shares of the read rate are judged on it instead.
    """
    m, n_x = ROOF_POINT
    where = f"m={m:,}, n_x={n_x:,}"
    parallel = _median_at(table, "numba_parallel", ROOF_POINT)
    speedup = _median_at(table, "vectorized", ROOF_POINT) / parallel
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
    large = table[(table["bytes_X"] > (cache_bytes or 0)) & (table["status"] == Status.MEASURED)]
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
    paired = roof_targets(roof)
    results += _peer_targets(table, threads, None if paired else bandwidth_Bps)
    return results + paired


def _peer_targets(
    table: pd.DataFrame, threads: int, bandwidth_Bps: float | None
) -> list[tuple[str, str, bool | None]]:
    """Our fastest compiled backend against the 1-thread bandwidth, and against jax."""
    measured = table[table["status"] == Status.MEASURED]
    times = measured.pivot(index=["m", "n_x"], columns="backend", values="median_s")
    ours = [name for name in COMPILED if name in times.columns]
    if threads != 1 or not ours:
        return []
    fastest = times[ours].min(axis=1)
    m, n_x = ROOF_POINT
    results = []
    if (m, n_x) in fastest.index and bandwidth_Bps:
        itemsize = int(measured["bytes_X"].iloc[0] // measured["elements"].iloc[0])
        share = itemsize * m * n_x / fastest[(m, n_x)] / bandwidth_Bps
        results.append(
            _judged(
                f"the fastest compiled backend reads X at ≥ {FASTEST_SHARE_TARGET:.0%} of the "
                f"1-thread read bandwidth at m={m:,}, n_x={n_x:,}",
                share,
                f"{share:.0%} ({times.loc[(m, n_x), ours].idxmin()})",
                bool(share >= FASTEST_SHARE_TARGET),
            )
        )
    if PEER in times.columns:
        large = [key for key in times.index if key[0] * key[1] >= PEER_ELEMENTS]
        both = pd.DataFrame({"ours": fastest, "peer": times[PEER]}).loc[large].dropna()
        ratio = both["peer"] / both["ours"]
        lost = [f"m={k[0]:,}, n_x={k[1]:,} ({r:.2f}x)" for k, r in ratio[ratio < 1].items()]
        results.append(
            _judged(
                f"our fastest compiled backend at least as fast as {PEER} at every point with "
                f"m·n_x ≥ {PEER_ELEMENTS:,}",
                float(len(ratio)) if len(ratio) else np.nan,
                f"as fast at {(ratio >= 1).sum()} of {len(ratio)} points"
                + (f"; slower at {'; '.join(lost)}" if lost else ""),
                bool((ratio >= 1).all()),
            )
        )
    return results


def physical_limit(
    table: pd.DataFrame, bandwidth_Bps: float | None, cache_bytes: int | None
) -> pd.DataFrame:
    """Per point whose X exceeds the cache: the time to read X once at the measured
    bandwidth (no step can be faster), and each backend's time as a multiple of it."""
    rows = table[(table["status"] == Status.MEASURED) & (table["bytes_X"] > (cache_bytes or 0))]
    if rows.empty or not bandwidth_Bps:
        return pd.DataFrame()
    times = rows.pivot(index=["m", "n_x"], columns="backend", values="median_s")
    limit = rows.groupby(["m", "n_x"])["bytes_X"].first() / bandwidth_Bps
    return times.div(limit, axis=0).assign(limit_s=limit)


def paired_shares(roof: dict | None) -> pd.DataFrame:
    """Per thread count and compiled backend of a roof study: the share of the probe's read
    rate at which the step reads X, from the probe's and the step's seconds round by round
    (geometric mean, 95% interval), its median step and the probe's median rate."""
    rows = []
    for threads, times in (roof or {}).get("seconds", {}).items():
        probe = times[ROOF_PROBE]
        for backend in COMPILED:
            if backend in times:
                share = interval(probe, times[backend])
                rows.append(
                    {
                        "threads": int(threads),
                        "backend": backend,
                        "share": share.value,
                        "low": share.low,
                        "high": share.high,
                        "median_s": float(np.median(times[backend])),
                        "probe_Bps": roof["bytes_X"] / float(np.median(probe)),
                    }
                )
    return pd.DataFrame(rows)


def plan_shares(roof: dict | None) -> pd.DataFrame:
    """numba_fused in each candidate plan of a roof study, one thread: its share of the probe's
    read rate (geometric mean over the paired rounds, 95% interval), its median step, and
    whether it is the plan ``prepare`` chose; fastest first."""
    times = (roof or {}).get("seconds", {}).get("1", {})
    rows = []
    for name, seconds in times.items():
        if name.startswith(PLAN_PREFIX):
            share = interval(times[ROOF_PROBE], seconds)
            plan = name.removeprefix(PLAN_PREFIX)
            rows.append(
                {
                    "plan": plan,
                    "share": share.value,
                    "low": share.low,
                    "high": share.high,
                    "median_s": float(np.median(seconds)),
                    "chosen": plan == roof.get("plan"),
                }
            )
    if not rows:
        return pd.DataFrame()
    return pd.DataFrame(rows).sort_values("median_s", kind="stable").reset_index(drop=True)


def step_parts(roof: dict | None) -> pd.DataFrame:
    """Where numba_fused's one-thread step goes (in the plan it chose), each part the median of
    round-by-round differences between paired timings: reading X (the probe), the dot products
    beyond it (z pass − probe), the dw pass (z and dw passes − z pass: X again from cache), the
    rest of
    the step (step − both passes: the block math and the sums); and the block math alone."""
    times = {k: np.asarray(v) for k, v in ((roof or {}).get("seconds", {}).get("1", {})).items()}
    if not {ROOF_PROBE, "numba_fused", *ROOF_PARTS} <= set(times):
        return pd.DataFrame()
    z, z_dw, block_math = (times[name] for name in ROOF_PARTS)
    step = times["numba_fused"]
    parts = {
        "read X from memory (the probe)": times[ROOF_PROBE],
        "z pass beyond the read: dot products, prefetch gaps": z - times[ROOF_PROBE],
        "dw pass: X again, from cache": z_dw - z,
        "block math and sums (the rest of the step)": step - z_dw,
        "whole step": step,
    }
    median_step = float(np.median(step))
    result = pd.DataFrame(
        {
            "seconds": {part: float(np.median(v)) for part, v in parts.items()},
            "share_of_step": {part: float(np.median(v)) / median_step for part, v in parts.items()},
        }
    )
    result.loc["block math alone"] = [
        float(np.median(block_math)),
        np.median(block_math) / median_step,
    ]
    return result


def roof_targets(roof: dict | None) -> list[tuple[str, str, bool | None]]:
    """The share targets judged on the paired study: the fastest compiled backend on one
    thread, numba_parallel on every core."""
    shares = paired_shares(roof)
    if shares.empty:
        return []
    m, n_x = roof["point"]
    where = f"m={m:,}, n_x={n_x:,}, {roof['dtype']}, paired with the probe"
    results = []
    one = shares[shares["threads"] == 1]
    if len(one):
        best = one.loc[one["share"].idxmax()]
        results.append(
            _judged(
                f"the fastest compiled backend reads X at ≥ {FASTEST_SHARE_TARGET:.0%} of the "
                f"1-thread read rate at {where}",
                best["share"],
                f"{best['share']:.0%} [{best['low']:.0%}, {best['high']:.0%}] ({best['backend']})",
                bool(best["share"] >= FASTEST_SHARE_TARGET),
            )
        )
    for _, row in shares[
        (shares["threads"] > 1) & (shares["backend"] == "numba_parallel")
    ].iterrows():
        results.append(
            _judged(
                f"numba_parallel reads X at ≥ {PARALLEL_SHARE_TARGET:.0%} of the "
                f"{row['threads']}-thread read rate at {where}",
                row["share"],
                f"{row['share']:.0%} [{row['low']:.0%}, {row['high']:.0%}]",
                bool(row["share"] >= PARALLEL_SHARE_TARGET),
            )
        )
    return results
