"""python -m bench.report: the CSV, charts and REPORT.md again from result files, measuring nothing.

Exit status: 0 done, 1 some chart or verdict could not be made (named), 2
a results file or option that cannot be used (named).
"""

import argparse
import sys
from pathlib import Path

from ..results import ResultsError, Run
from . import add_output_options, judge_run, reference_for, write_all
from .answer import ReadmeError, write_answer


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.report",
        description="Write latest.csv, verdict.json, the charts and REPORT.md from existing "
        "results files (measures nothing). The first run is reported in full, beside it; "
        "further runs (repeats, another dtype or thread count, other machines) are set side "
        "by side with it, each labelled with its CPU, never pooled.",
    )
    parser.add_argument(
        "runs",
        nargs="*",
        type=Path,
        default=[Path("results/latest.json")],
        metavar="RUN.json",
        help="results files written by python -m bench (default: results/latest.json)",
    )
    add_output_options(parser)
    parser.add_argument(
        "--readme",
        type=Path,
        help="also rewrite the answer between the markers in this README from the first run",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        run, *others = (Run.load(path) for path in args.runs)
        backends = list(dict.fromkeys(run.table["backend"]))
        args.relative_to = reference_for(backends, args.relative_to)
        if args.relative_to not in set(run.table["backend"]):
            raise ResultsError(
                f"--relative-to: {args.relative_to} was not run in {run.source} "
                f"(it has {', '.join(dict.fromkeys(run.table['backend']))})"
            )
        results_dir = args.runs[0].parent
        judged = [judge_run(each) for each in (run, *others)]
        problems = write_all(judged, results_dir, args.plots_dir, args.relative_to)
        if args.readme:
            write_answer(judged[0], args.readme)
    except (ResultsError, ReadmeError) as exc:
        print(f"python -m bench.report: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"python -m bench.report: error: cannot write: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"python -m bench.report: {problem}", file=sys.stderr)
    print(
        f"Wrote {results_dir}/latest.csv, verdict.json, REPORT.md and the charts in "
        f"{args.plots_dir}/" + (f"; the answer in {args.readme}." if args.readme else ".")
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
