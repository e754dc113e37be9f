"""python -m bench: measure the backends over an (m, n_x) grid, write results/, then report.

A thin layer: options are checked before anything is measured
(``harness.cli``), the sweep runs (``harness.run``), the run is published by
renaming finished files into place, and ``report.write_all`` writes the CSV,
the charts and REPORT.md from it. Exit status: 0 done, 1 the sweep or a
chart failed, 2 an option that cannot be used.
"""

import sys

from . import harness, report
from .analysis.speedups import speedup_summary
from .harness.cli import parser, settings_from
from .results import ResultsError

REFERENCE_POINTS = [(1000, 100), (10_000, 1000), (100, 10), (1_000_000, 10)]


def main(argv: list[str] | None = None) -> int:
    options = parser()
    report.add_output_options(options)
    args = options.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        settings = settings_from(args)
        args.relative_to = report.reference_for(list(settings.backend_names), args.relative_to)
        if args.relative_to not in settings.backend_names:
            raise harness.OptionError(
                f"--relative-to: {args.relative_to} is not among the backends swept "
                f"({', '.join(settings.backend_names)})"
            )
    except harness.OptionError as exc:
        print(f"python -m bench: error: {exc}", file=sys.stderr)
        return 2
    try:
        run = harness.run(settings)
    except harness.OptionError as exc:  # found only when the sweep starts (a dask scheduler)
        print(f"python -m bench: error: {exc}", file=sys.stderr)
        return 2
    except (harness.SweepError, ResultsError) as exc:
        print(
            f"python -m bench: {exc}; results in {args.results_dir} are untouched.",
            file=sys.stderr,
        )
        return 1
    final, run = harness.publish(run, args.results_dir)
    problems = report.write_all(
        run, args.results_dir, args.plots_dir, args.relative_to, (), not args.no_report
    )
    print(f"\nWrote {final}, {args.results_dir}/latest.json and latest.csv.")
    print_summary(run, args.relative_to)
    for problem in problems:
        print(f"python -m bench: {problem}", file=sys.stderr)
    return 1 if problems else 0


def print_summary(run, reference: str) -> None:
    counts = run.table["status"].value_counts().to_dict()
    print("\nPoints: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    summary = speedup_summary(run.table, REFERENCE_POINTS, reference)
    if not summary.empty:
        print(f"Speedup over {reference} (geometric mean over passes) at reference points:")
        print(summary.to_string(float_format=lambda v: f"{v:.3g}x", na_rep="skipped"))


if __name__ == "__main__":
    sys.exit(main())
