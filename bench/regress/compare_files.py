"""Two stored result files compared: has any backend become slower from one run to the other?

For history (runs made weeks apart, on a machine that may have changed); the regression
check on a change is ``compare_commits``, which times both commits in one job.

Absolute times drift by tens of percent between runs and machines, so each
backend's slowdown (current median / baseline median, per point) is judged
against two references measured in the same runs:

- ``normalised``: divided by the machine's slowdown as the calibration
  kernels measured it (``bench/harness/calibration.py``). A uniformly slower machine
  cancels out, and a slowdown in code shared by all backends still shows.
- ``cross``: divided by the median slowdown of all backends at the same
  point. Backends run one after another at each point, so a transient burst
  of load from a neighbour slows them alike and cancels out here, though the
  calibration, timed in two short windows at the start and end, did not see it.

A point is flagged when both exceed the bound: the larger of ``--min-ratio``
and the noise of the two runs (their quartile spreads). A backend regresses
when the medians of both over its points exceed the bound, or when a third or
more of its points are flagged; a single noisy point does not cry wolf.

A claim guard also fails the check when the vectorized/two_loop speedup at a
reference point falls below a floor.

Exit status of ``python -m bench compare-files``: 0 no regression, 1 regression,
2 unusable input (files that cannot be read or compared, bad options).
"""

import argparse
import json
import sys

import numpy as np
import pandas as pd

from ..analysis.speedups import with_speedups
from ..files import write_atomic
from ..results import ResultsError, Run
from . import action_entries

NOISE_WIDTH = 2.0  # how many relative interquartile ranges make up the noise bound
FLAGGED_SHARE = 1 / 3
FINGERPRINT = ("cpu_model", "cpu_count", "python", "versions", "threads_requested")


def fingerprint(run: Run) -> tuple:
    kernels = tuple(b.get("architecture") for b in run.facts["blas"])
    return tuple(json.dumps(run.facts.get(k), sort_keys=True) for k in FINGERPRINT) + kernels


def check_comparable(baseline: Run, current: Run) -> None:
    """Raise ResultsError unless speedups and times of the two runs can be compared."""
    for what, mine, theirs in (
        ("schema version", baseline.schema_version, current.schema_version),
        ("dtype", baseline.dtype, current.dtype),
        ("threads", baseline.threads, current.threads),
    ):
        if mine != theirs:
            raise ResultsError(
                f"{baseline.source} and {current.source} cannot be compared: {what} {mine} "
                f"against {theirs}"
            )
    keys = ["backend", "m", "n_x"]
    if baseline.measured[keys].merge(current.measured[keys]).empty:
        raise ResultsError(
            f"{baseline.source} and {current.source} have no measured point in common"
        )


def machine_factor(baseline: Run, current: Run) -> float:
    """How much slower the current machine is: geometric mean of the calibration kernels' ratios."""
    base, now = baseline.calibration, current.calibration
    common = sorted(base.keys() & now.keys())
    if not common:
        raise ResultsError(
            "no calibration kernel in both files; re-run the baseline with this harness"
        )
    return float(np.exp(np.mean([np.log(now[k] / base[k]) for k in common])))


def compare_points(baseline: Run, current: Run, min_ratio: float) -> pd.DataFrame:
    """One row per backend × point measured in both runs, with normalised ratio and bound."""
    check_comparable(baseline, current)
    keys = ["backend", "m", "n_x"]
    columns = [*keys, "median_s", "iqr_s"]
    before, after = baseline.measured[columns], current.measured[columns]
    points = before.merge(after, on=keys, suffixes=("_baseline", "_current"))
    factor = machine_factor(baseline, current)
    points["ratio"] = points["median_s_current"] / points["median_s_baseline"]
    points["normalised"] = points["ratio"] / factor
    points["cross"] = points["ratio"] / points.groupby(["m", "n_x"])["ratio"].transform("median")
    spread = np.hypot(
        points["iqr_s_baseline"] / points["median_s_baseline"],
        points["iqr_s_current"] / points["median_s_current"],
    )
    points["bound"] = np.maximum(min_ratio, 1 + NOISE_WIDTH * spread)
    points["flagged"] = (points["normalised"] > points["bound"]) & (
        points["cross"] > points["bound"]
    )
    points.attrs["machine_factor"] = factor
    return points


def judge_backends(points: pd.DataFrame) -> pd.DataFrame:
    by_backend = points.groupby("backend", sort=False).agg(
        points=("normalised", "size"),
        raw_ratio=("ratio", "median"),
        normalised=("normalised", "median"),
        cross=("cross", "median"),
        bound=("bound", "median"),
        flagged=("flagged", "sum"),
    )
    too_many_flagged = (by_backend["flagged"] >= 2) & (
        by_backend["flagged"] >= FLAGGED_SHARE * by_backend["points"]
    )
    above = (by_backend["normalised"] > by_backend["bound"]) & (
        by_backend["cross"] > by_backend["bound"]
    )
    by_backend["regressed"] = above | too_many_flagged
    return by_backend


def claim_guard(
    baseline: Run, current: Run, point: tuple[int, int], floor: float | None, margin: float
) -> dict:
    """The vectorized/two_loop speedup at point, held against a floor."""

    def speedup(run: Run, name: str) -> float:
        table = with_speedups(run.table, ["two_loop"]).set_index(["backend", "m", "n_x"])
        try:
            value = table.loc[("vectorized", *point), "speedup_vs_two_loop"]
        except KeyError:
            value = np.nan
        if not np.isfinite(value):
            raise ResultsError(
                f"{name}: vectorized and two_loop were not both measured at m={point[0]}, "
                f"n_x={point[1]} (choose another --claim-point)"
            )
        return float(value)

    now = speedup(current, "current")
    if floor is None:
        floor = speedup(baseline, "baseline") * (1 - margin)
    return {"m": point[0], "n_x": point[1], "speedup": now, "floor": floor, "ok": now >= floor}


def action_entries_of(points: pd.DataFrame) -> list[dict]:
    """The current run's seconds per point, with the normalised ratio and its bound."""
    return action_entries(
        points,
        "median_s_current",
        lambda r: f"normalised ratio to baseline {r.normalised:.3f} (bound {r.bound:.3f})",
        lambda r: f"± {r.iqr_s_current / 2:.3g}",
    )


def _table(frame: pd.DataFrame) -> str:
    return frame.to_string(float_format=lambda v: f"{v:.3g}")


def main(args: argparse.Namespace) -> int:
    """The comparison, with the options of ``python -m bench compare-files``."""
    try:
        current = Run.load(args.current)
        if args.accept_current:
            args.baseline.parent.mkdir(parents=True, exist_ok=True)
            current.write(args.baseline)
            print(f"Accepted {args.current} as the new baseline {args.baseline}.")
            return 0
        baseline = Run.load(args.baseline)
        points = compare_points(baseline, current, args.min_ratio)
        guard = claim_guard(
            baseline, current, args.claim_point, args.claim_floor, args.claim_margin
        )
    except ResultsError as exc:
        print(f"python -m bench compare-files: error: {exc}", file=sys.stderr)
        return 2
    backends = judge_backends(points)
    same_machine = fingerprint(baseline) == fingerprint(current)
    factor = points.attrs["machine_factor"]
    print(
        f"Machine speed factor (calibration kernels, current / baseline): {factor:.3g}"
        f"{'; same machine fingerprint' if same_machine else '; different machine fingerprint'}"
    )
    print(
        "\nPer backend (medians over points of current / baseline: raw; normalised = raw / "
        "machine factor; cross = raw / median of all backends at the point):"
    )
    print(_table(backends))
    flagged = points[points["flagged"]]
    if len(flagged):
        print("\nPoints above their bound:")
        print(
            _table(
                flagged[
                    [
                        "backend",
                        "m",
                        "n_x",
                        "median_s_baseline",
                        "median_s_current",
                        "normalised",
                        "cross",
                        "bound",
                    ]
                ].set_index(["backend", "m", "n_x"])
            )
        )
    print(
        f"\nClaim guard: vectorized/two_loop at m={guard['m']}, n_x={guard['n_x']}: "
        f"{guard['speedup']:.3g}x, floor {guard['floor']:.3g}x: {'ok' if guard['ok'] else 'FAIL'}"
    )
    regressed = list(backends.index[backends["regressed"]])
    verdict = "regression" if regressed or not guard["ok"] else "no regression"
    print(f"\nVerdict: {verdict}" + (f" in {', '.join(regressed)}" if regressed else ""))

    out_dir = args.out_dir or args.current.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = {
        "verdict": verdict,
        "regressed_backends": regressed,
        "machine_factor": factor,
        "same_machine": same_machine,
        "min_ratio": args.min_ratio,
        "claim_guard": guard,
        "backends": backends.reset_index().to_dict(orient="records"),
        "flagged_points": flagged.to_dict(orient="records"),
    }
    write_atomic(out_dir / "summary.json", json.dumps(summary, indent=1, default=float))
    write_atomic(out_dir / "benchmark-action.json", json.dumps(action_entries_of(points), indent=1))
    return 1 if verdict == "regression" else 0
