"""python -m bench.report: the CSV, charts and REPORT.md again from result files, measuring nothing.

Exit status: 0 done, 1 some chart or verdict could not be made (named), 2
a results file or option that cannot be used (named).
"""

import argparse
import sys
from pathlib import Path

from ..results import ResultsError, Run
from . import add_output_options, write_all


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.report",
        description="Write latest.csv, the charts and REPORT.md from an existing results file "
        "(measures nothing).",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=Path("results/latest.json"),
        help="a results file written by python -m bench (default: %(default)s); the CSV and "
        "REPORT.md go beside it",
    )
    add_output_options(parser)
    parser.add_argument(
        "--also",
        type=Path,
        action="append",
        default=[],
        metavar="RESULTS",
        help="another results file (e.g. a float32 or 2-thread run) to show beside this one; "
        "may be repeated",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        run = Run.load(args.results)
        others = tuple(Run.load(path) for path in args.also)
        if args.relative_to not in set(run.table["backend"]):
            raise ResultsError(
                f"--relative-to: {args.relative_to} was not run in {args.results} "
                f"(it has {', '.join(dict.fromkeys(run.table['backend']))})"
            )
        problems = write_all(run, args.results.parent, args.plots_dir, args.relative_to, others)
    except ResultsError as exc:
        print(f"python -m bench.report: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"python -m bench.report: error: cannot write: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"python -m bench.report: {problem}", file=sys.stderr)
    print(f"Wrote {args.results.parent}/latest.csv, REPORT.md and the charts in {args.plots_dir}/.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
