"""python -m bench: measure the backends over an (m, n_x) grid and write results/.

Options are checked before anything is measured; results are published only
when the whole sweep succeeded, by renaming finished files into place.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from . import report
from .results import (
    ResultsError,
    load_run,
    speedup_summary,
    tidy,
    without_raw_timings,
    write_atomic,
)
from .sweep_config import PRESETS, OptionError, Sweep, build_sweep

SWEEP_TESTS = Path(__file__).parent / "sweep"
REFERENCE_POINTS = [(1000, 100), (10_000, 1000), (100, 10), (1_000_000, 10)]


def parse_args(argv: list[str]) -> argparse.Namespace:
    presets = "\n".join(
        f"  {name:8} m in {list(s.m)}, n_x in {list(s.n_x)} ({len(s.points())} points)"
        for name, s in PRESETS.items()
    )
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Time one logistic-regression gradient step of every backend over a grid of "
        "problem sizes (m examples, n_x features) and write results/.",
        epilog=f"presets:\n{presets}\n\nexamples:\n  nox -s bench -- --preset quick\n"
        "  nox -s bench -- --m 100,1000 --nx 10,100 --backends vectorized,numba",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--preset", default="default", help="grid to sweep (default: %(default)s)")
    parser.add_argument("--m", help="comma-separated numbers of examples, instead of the preset's")
    parser.add_argument("--nx", help="comma-separated numbers of features, instead of the preset's")
    parser.add_argument("--backends", help="comma-separated backend names (default: all)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads for BLAS and numba (default: %(default)s, as in the course's claim)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        help="skip points whose predicted time per step exceeds this many seconds "
        "(default: the preset's; "
        + ", ".join(f"{name} {s.budget_s:g}" for name, s in PRESETS.items())
        + ")",
    )
    parser.add_argument(
        "--results-dir",
        type=Path,
        default=Path("results"),
        help="where to write runs/, latest.json, latest.csv and REPORT.md (default: %(default)s)",
    )
    parser.add_argument(
        "--plots-dir",
        type=Path,
        default=Path("plots"),
        help="where the charts go (default: %(default)s)",
    )
    parser.add_argument(
        "--dtype",
        default="float64",
        help="float64 or float32: the type of X, Y and w the backends are given; float32 halves "
        "the bytes a step reads (default: %(default)s)",
    )
    parser.add_argument(
        "--no-report", action="store_true", help="write results only: no charts, no REPORT.md"
    )
    parser.add_argument(
        "--slowdown",
        metavar="BACKEND=FACTOR",
        help="for testing the regression check only: make each step of BACKEND take FACTOR "
        "times as long (recorded in the results)",
    )
    return parser.parse_args(argv)


def check_writable(results_dir: Path) -> Path:
    runs = results_dir / "runs"
    try:
        runs.mkdir(parents=True, exist_ok=True)
        write_atomic(runs / ".write-check", "")
        (runs / ".write-check").unlink()
    except OSError as exc:
        raise OptionError(
            f"--results-dir: cannot write to {results_dir}: {exc.strerror or exc}"
        ) from None
    return runs


def git_short_sha() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "nogit"


def run_sweep(sweep: Sweep, json_path: Path) -> int:
    print(
        f"Sweeping {len(sweep.points())} {sweep.dtype} points ({sweep.preset}): "
        f"m in {list(sweep.m)}, "
        f"n_x in {list(sweep.n_x)}, backends {', '.join(sweep.backends)}, "
        f"{sweep.threads} thread(s), budget {sweep.budget_s:g} s per step.",
        flush=True,
    )
    return pytest.main(
        [
            str(SWEEP_TESTS),
            "-q",
            "--no-header",
            "-p",
            "no:cacheprovider",
            "--benchmark-quiet",
            "-rfE",
            f"--benchmark-max-time={sweep.max_time_s}",
            f"--benchmark-json={json_path}",
            f"--sweep={sweep.to_json()}",
        ]
    )


def publish(json_path: Path, results_dir: Path) -> Path:
    """Move the finished run into runs/ and refresh latest.json and latest.csv."""
    run = without_raw_timings(load_run(json_path))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    final = results_dir / "runs" / f"{stamp}-{git_short_sha()}.json"
    text = json.dumps(run, indent=1)
    write_atomic(final, text)
    write_atomic(results_dir / "latest.json", text)
    write_atomic(results_dir / "latest.csv", tidy(run).to_csv(index=False))
    return final


def print_summary(results_dir: Path) -> None:
    table = tidy(load_run(results_dir / "latest.json"))
    counts = table["status"].value_counts().to_dict()
    print("\nPoints: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    summary = speedup_summary(table, REFERENCE_POINTS)
    if not summary.empty:
        print("Speedup over two_loop (median time ratio) at reference points:")
        print(summary.to_string(float_format=lambda v: f"{v:.3g}x", na_rep="skipped"))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        sweep = build_sweep(
            args.preset,
            args.m,
            args.nx,
            args.backends,
            args.threads,
            args.budget,
            args.slowdown,
            args.dtype,
        )
        runs = check_writable(args.results_dir)
    except OptionError as exc:
        print(f"python -m bench: error: {exc}", file=sys.stderr)
        return 2
    json_path = runs / f".tmp-run-{time.time_ns()}.json"
    try:
        status = run_sweep(sweep, json_path)
        if status != 0:
            print(
                f"python -m bench: the sweep did not finish cleanly (pytest exit {status}); "
                f"results in {args.results_dir} are untouched.",
                file=sys.stderr,
            )
            return 1
        final = publish(json_path, args.results_dir)
    except ResultsError as exc:
        print(f"python -m bench: error: {exc}", file=sys.stderr)
        return 1
    finally:
        json_path.unlink(missing_ok=True)
    latest = args.results_dir / "latest"
    print(f"\nWrote {final}, {latest}.json and {latest}.csv.")
    print_summary(args.results_dir)
    if args.no_report:
        return 0
    return report.main(
        [
            "--results",
            f"{latest}.json",
            "--plots-dir",
            str(args.plots_dir),
            "--report",
            str(args.results_dir / "REPORT.md"),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
