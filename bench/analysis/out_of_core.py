"""Data beyond memory: each store's step against the disk it reads, and dask's own cost.

A point read from a store is held against the disk's sequential read rate
of that store's files, measured cold before each timed round (the harness
pairs them because a virtual disk's rate drifts): per pass, the share is
(store bytes / step time) / read rate, and the point's share is their
geometric mean with a 95% interval, as for speedups. dask in memory is held
against ``numba_fused``, whose kernel it runs on every chunk: the difference
is what dask itself costs a step.
"""

import numpy as np
import pandas as pd

from ..intervals import UNKNOWN, interval
from ..records import DataSource, Status
from .speedups import speedups

OVERHEAD_POINT = (1_000_000, 1_000)  # where dask in memory is held against numba_fused
OVERHEAD_TARGET = 1.5  # dask in memory at most this many times numba_fused's time
DISK_SHARE_TARGET = 0.70  # from a store larger than RAM, at least this share of the disk's rate


def store_bytes(rows: pd.DataFrame) -> pd.Series:
    """What a step from a store reads: X and Y."""
    itemsize = rows["bytes_X"] // rows["elements"]
    return rows["bytes_X"] + itemsize * rows["m"]


def disk_points(table: pd.DataFrame, memory_bytes: int | None) -> pd.DataFrame:
    """Measured points read from a store: bytes, time, rate, the disk's rate and the share."""
    rows = table[(table["status"] == Status.MEASURED) & (table["data_source"] == DataSource.DISK)]
    records = []
    for row, size in zip(rows.itertuples(), store_bytes(rows), strict=True):
        disk = row.pass_disk_read_Bps
        paired = isinstance(disk, tuple) and len(disk) == len(row.pass_medians_s)
        # A share is a speedup of the disk's time to read the store over the step's.
        share = interval(size / np.asarray(disk), row.pass_medians_s) if paired else UNKNOWN
        records.append(
            dict(
                backend=row.backend,
                m=row.m,
                n_x=row.n_x,
                bytes=size,
                beyond_ram=bool(memory_bytes and size > memory_bytes),
                median_s=row.median_s,
                rate_Bps=size / row.median_s,
                disk_Bps=float(np.median(disk)) if paired else np.nan,
                share=share.value,
                share_low=share.low,
                share_high=share.high,
            )
        )
    return pd.DataFrame(records)


def dask_overhead(table: pd.DataFrame) -> pd.DataFrame:
    """dask in memory against numba_fused at every point both measured: times and ratio."""
    in_memory = table[table["data_source"].fillna(DataSource.MEMORY) == DataSource.MEMORY]
    if not {"dask", "numba_fused"} <= set(in_memory["backend"]):
        return pd.DataFrame()
    # speedups(dask over numba_fused) = numba_fused's time / dask's: its inverse is the cost.
    found = speedups(in_memory, "dask", reference="numba_fused")
    fused = in_memory[in_memory["backend"] == "numba_fused"].set_index(["m", "n_x"])["median_s"]
    found = found[~found["predicted"]].set_index(["m", "n_x"])
    return pd.DataFrame(
        {
            "dask_s": found["seconds"],
            "numba_fused_s": fused.reindex(found.index),
            "ratio": 1 / found["speedup"],
            "ratio_low": 1 / found["high"],
            "ratio_high": 1 / found["low"],
        }
    ).reset_index()


def _straddles(low: float, high: float, target: float) -> str:
    """A word of caution where the interval lies on both sides of the target: met or missed
    is then the estimate's, not a certainty."""
    return "; the interval lies on both sides of the target" if low < target < high else ""


def targets(table: pd.DataFrame, memory_bytes: int | None) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, met or None when not measured) for issue 14's two targets;
    met by the estimate (the geometric mean over the passes)."""
    results = []
    m, n_x = OVERHEAD_POINT
    overhead = dask_overhead(table)
    here = overhead[(overhead["m"] == m) & (overhead["n_x"] == n_x)] if len(overhead) else overhead
    target = f"dask in memory within {OVERHEAD_TARGET}x of numba_fused at m={m:,}, n_x={n_x:,}"
    if here.empty:
        results.append((target, "not measured", None))
    else:
        r = here.iloc[0]
        results.append(
            (
                target,
                f"{r.ratio:.2f}x [{r.ratio_low:.2f}, {r.ratio_high:.2f}] "
                f"({r.dask_s * 1e3:.0f} ms against {r.numba_fused_s * 1e3:.0f} ms)"
                + _straddles(r.ratio_low, r.ratio_high, OVERHEAD_TARGET),
                bool(r.ratio <= OVERHEAD_TARGET),
            )
        )
    disk = disk_points(table, memory_bytes)
    beyond = disk[disk["beyond_ram"]] if not disk.empty else disk
    target = f"dask from a store larger than RAM at ≥ {DISK_SHARE_TARGET:.0%} of the disk's rate"
    if beyond.empty:
        results.append((target, "no store larger than RAM measured", None))
    results += [
        (
            target,
            f"m={r.m:,}, n_x={r.n_x:,} ({r.bytes / 1e9:.3g} GB): {r.share:.0%} "
            f"[{r.share_low:.0%}, {r.share_high:.0%}] ({r.rate_Bps / 1e6:.0f} MB/s against "
            f"{r.disk_Bps / 1e6:.0f} MB/s)"
            + _straddles(r.share_low, r.share_high, DISK_SHARE_TARGET),
            bool(r.share >= DISK_SHARE_TARGET),
        )
        for r in beyond.itertuples()
    ]
    return results
