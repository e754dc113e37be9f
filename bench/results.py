"""Result files: reading the harness's pytest-benchmark JSON, the tidy table, atomic writes.

The tidy table has one row per backend × m × n_x, measured or skipped, with
the median and spread of the step time and the speedups over the loop
versions wherever both were measured.
"""

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

BASELINES = ("two_loop", "one_loop")
COLUMNS = [
    "backend",
    "m",
    "n_x",
    "elements",
    "dtype",
    "bytes_X",
    "status",
    "median_s",
    "q1_s",
    "q3_s",
    "iqr_s",
    "min_s",
    "max_s",
    "stddev_s",
    "rounds",
    "mode",
    "predicted_s",
    "first_call_s",
    "reason",
]


CALIBRATION = "calibration"  # pytest-benchmark group of the calibration kernels


class ResultsError(ValueError):
    """A results file that is missing, malformed or cannot be used; the message says which."""


def load_run(path: str | os.PathLike) -> dict:
    """A result file written by the harness, checked for the parts we read."""
    path = Path(path)
    try:
        run = json.loads(path.read_text())
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such results file (run `nox -s bench` first)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsError(f"{path}: not a readable JSON results file: {exc}") from None
    if not isinstance(run, dict) or not isinstance(run.get("benchmarks"), list):
        raise ResultsError(f"{path}: not a pytest-benchmark results file (no 'benchmarks' list)")
    for bench in run["benchmarks"]:
        params, stats = bench.get("params") or {}, bench.get("stats") or {}
        needed = {"kernel"} if bench.get("group") == CALIBRATION else {"backend", "m", "n_x"}
        if not needed <= params.keys() or "median" not in stats:
            raise ResultsError(
                f"{path}: benchmark {bench.get('name', '?')!r} lacks "
                f"{'/'.join(sorted(needed))} params or "
                "stats; was it written by this harness?"
            )
    return run


def without_raw_timings(run: dict) -> dict:
    """The run without each benchmark's list of every round's time (megabytes per run).

    The statistics (median, quartiles, rounds...) stay, and so does the
    pytest-benchmark format: ``pytest-benchmark compare`` reads the rest.
    """

    def summary(stats: dict) -> dict:
        return {k: v for k, v in stats.items() if k != "data"}

    return run | {"benchmarks": [b | {"stats": summary(b["stats"])} for b in run["benchmarks"]]}


def _measured_row(bench: dict) -> dict:
    stats, extra = bench["stats"], bench.get("extra_info", {})
    return {
        **{k: bench["params"][k] for k in ("backend", "m", "n_x")},
        "status": "measured",
        "median_s": stats["median"],
        "q1_s": stats["q1"],
        "q3_s": stats["q3"],
        "iqr_s": stats["iqr"],
        "min_s": stats["min"],
        "max_s": stats["max"],
        "stddev_s": stats["stddev"],
        "rounds": stats["rounds"],
        "mode": extra.get("mode"),
        "predicted_s": extra.get("predicted_s"),
        "first_call_s": extra.get("first_call_s"),
        "reason": None,
    }


def gradient_benchmarks(run: dict) -> list[dict]:
    return [b for b in run["benchmarks"] if b.get("group") != CALIBRATION]


def calibration_times(run: dict) -> dict[str, float]:
    """Each calibration kernel's fastest time in the run, over all its timing windows.

    The minimum, not the median: the kernel's work never changes, so anything
    above its fastest round measures interference, not the machine's speed.
    """
    fastest: dict[str, float] = {}
    for b in run["benchmarks"]:
        if b.get("group") == CALIBRATION:
            kernel = b["params"]["kernel"]
            fastest[kernel] = min(b["stats"]["min"], fastest.get(kernel, float("inf")))
    return fastest


def run_settings(run: dict) -> dict:
    """The sweep's settings (grid, threads, dtype, …) as the harness recorded them."""
    return json.loads(run.get("lrbench", {}).get("sweep") or "{}")


def run_dtype(run: dict) -> str:
    return run_settings(run).get("dtype", "float64")


def tidy(run: dict) -> pd.DataFrame:
    """One row per point, measured or skipped, with speedups over two_loop and one_loop."""
    rows = [_measured_row(b) for b in gradient_benchmarks(run)]
    rows += [dict(skip) for skip in run.get("lrbench", {}).get("skipped", [])]
    table = pd.DataFrame(rows).reindex(columns=COLUMNS)
    table["elements"] = table["m"] * table["n_x"]
    table["dtype"] = run_dtype(run)
    table["bytes_X"] = table["elements"] * np.dtype(run_dtype(run)).itemsize
    order = list(dict.fromkeys(table["backend"]))
    table["_order"] = table["backend"].map(order.index)
    table = table.sort_values(["m", "n_x", "_order"]).drop(columns="_order").reset_index(drop=True)
    return add_speedups(table)


def add_speedups(table: pd.DataFrame) -> pd.DataFrame:
    """speedup_vs_<baseline> = baseline's median / this backend's median, at the same (m, n_x)."""
    measured = table[table["status"] == "measured"]
    for baseline in BASELINES:
        reference = measured[measured["backend"] == baseline].set_index(["m", "n_x"])["median_s"]
        at_point = pd.MultiIndex.from_frame(table[["m", "n_x"]])
        baseline_s = reference.reindex(at_point).to_numpy()
        own = table["median_s"].where(table["status"] == "measured")
        table[f"speedup_vs_{baseline}"] = baseline_s / own.to_numpy()
    return table


def write_atomic(path: str | os.PathLike, content: str | bytes) -> None:
    """Write a temporary file beside path, then rename: readers see the old or the new file."""
    path = Path(path)
    mode = "wb" if isinstance(content, bytes) else "w"
    with tempfile.NamedTemporaryFile(
        mode, dir=path.parent, prefix=f".tmp-{path.name}.", delete=False
    ) as f:
        f.write(content)
        temporary = Path(f.name)
    try:
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)  # NamedTemporaryFile makes it private
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def speedup_summary(table: pd.DataFrame, points: list[tuple[int, int]]) -> pd.DataFrame:
    """Speedups over two_loop at the given (m, n_x), one row per point, one column per backend."""
    wanted = table.set_index(["m", "n_x"]).index.isin(points)
    summary = table[wanted].pivot(
        index=["m", "n_x"], columns="backend", values="speedup_vs_two_loop"
    )
    return summary.reindex(columns=[b for b in dict.fromkeys(table["backend"]) if b in summary])
