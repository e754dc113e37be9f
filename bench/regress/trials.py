"""python -m bench.regress.trials: how often does the regression check fire?

Runs the quick sweep N times (optionally with one backend slowed down by
``--slowdown``) and compares each run with the baseline, counting alarms.
With no slowdown every alarm is a false alarm; with one, the count is the
detection rate.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

BASELINE = Path("results/baseline/baseline.json")


def trial(index: int, work: Path, slowdown: str | None, baseline: Path) -> tuple[int, list[str]]:
    """Exit status of the check on one fresh quick run, and the backends it named."""
    results = work / f"trial-{index}"
    sweep = [
        sys.executable,
        "-m",
        "bench",
        "--preset",
        "quick",
        "--no-report",
        "--results-dir",
        str(results),
    ]
    if slowdown:
        sweep += ["--slowdown", slowdown]
    subprocess.run(sweep, check=True, capture_output=True)
    check = subprocess.run(
        [sys.executable, "-m", "bench.regress", str(baseline), str(results / "latest.json")],
        capture_output=True,
    )
    if check.returncode == 2:
        return 2, []
    summary = json.loads((results / "summary.json").read_text())
    named = summary["regressed_backends"]
    if not summary["claim_guard"]["ok"]:
        named = [*named, "claim guard"]
    return check.returncode, named


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.regress.trials", description=__doc__)
    parser.add_argument(
        "--runs", type=int, default=10, help="how many sweeps (default: %(default)s)"
    )
    parser.add_argument(
        "--slowdown",
        metavar="BACKEND=FACTOR",
        help="slow one backend down, e.g. vectorized=1.5 (default: none)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=BASELINE,
        help="the baseline to compare with (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    outcomes: Counter = Counter()
    named: Counter = Counter()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        for index in range(args.runs):
            status, backends = trial(index, Path(work), args.slowdown, args.baseline)
            outcomes[status] += 1
            named.update(backends)
            print(
                f"[{index + 1}/{args.runs} {time.perf_counter() - started:.0f} s] exit {status}"
                + (f": regression in {', '.join(backends)}" if backends else ""),
                flush=True,
            )
    alarms = outcomes[1]
    what = f"slowdown {args.slowdown}" if args.slowdown else "no slowdown (every alarm is false)"
    print(
        f"\n{args.runs} runs, {what}: {alarms} alarm(s) ({alarms / args.runs:.0%}); "
        f"backends named: {dict(named) or 'none'}; unusable: {outcomes[2]}"
    )
    return 2 if outcomes[2] else 0


if __name__ == "__main__":
    sys.exit(main())
