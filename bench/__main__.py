"""python -m bench: measure the backends over an (m, n_x) grid, write results/, then report.

A thin layer: options are checked before anything is measured
(``harness.cli``), the sweep runs (``harness.run``) with its journal in the
results folder, the run is published by renaming finished files into place,
and ``report.write_all`` writes the CSV, the charts and REPORT.md from it.
Ctrl-C leaves latest.json alone, writes what finished to partial.json and
keeps the journal for ``--resume``. Exit status: 0 done, 1 the sweep or a
chart failed, 2 an option that cannot be used, 130 interrupted.
"""

import sys
from dataclasses import replace
from pathlib import Path

from . import harness, report
from .analysis.speedups import speedup_summary
from .harness.cli import parser, settings_from
from .harness.journal import JOURNAL_NAME
from .report.answer import conditions
from .results import ResultsError, Run

PARTIAL_NAME = "partial.json"  # an interrupted sweep's run, beside latest.json
INTERRUPTED = 130  # a shell's status for a command ended by Ctrl-C
REFERENCE_POINTS = [(1000, 100), (10_000, 1000), (100, 10), (1_000_000, 10)]


def main(argv: list[str] | None = None) -> int:
    options = parser()
    report.add_output_options(options)
    args = options.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        settings = settings_from(args)
        settings = replace(settings, reference=args.relative_to)
        args.relative_to = settings.reference_backend
        if args.relative_to not in settings.backend_names:
            raise harness.OptionError(
                f"--relative-to: {args.relative_to} is not among the backends swept "
                f"({', '.join(settings.backend_names)})"
            )
        journal_path = args.results_dir / JOURNAL_NAME
        journal = harness.open_journal(settings, journal_path, args.resume)
    except harness.OptionError as exc:
        print(f"python -m bench: error: {exc}", file=sys.stderr)
        return 2
    try:
        run = harness.run(settings, journal)
    except harness.OptionError as exc:  # found only when the sweep starts (a dask scheduler)
        print(f"python -m bench: error: {exc}", file=sys.stderr)
        return 2
    except harness.SweepInterrupted as exc:
        say_interrupted(exc.partial, args.results_dir, journal_path)
        return INTERRUPTED
    except (harness.SweepError, ResultsError) as exc:
        print(
            f"python -m bench: {exc}; results in {args.results_dir} are untouched.",
            file=sys.stderr,
        )
        return 1
    final, run = harness.publish(run, args.results_dir)
    journal.remove()
    (args.results_dir / PARTIAL_NAME).unlink(missing_ok=True)  # a finished run supersedes it
    problems = report.write_all(
        [report.judge_run(run)],
        args.results_dir,
        args.plots_dir,
        args.relative_to,
        not args.no_report,
    )
    print(f"\nWrote {final}, {args.results_dir}/latest.json and latest.csv.")
    print_summary(run, args.relative_to)
    for problem in problems:
        print(f"python -m bench: {problem}", file=sys.stderr)
    return 1 if problems else 0


def say_interrupted(partial: Run | None, results_dir: Path, journal_path: Path) -> None:
    """Write what finished to partial.json and say how to go on; latest.json is untouched."""
    print(f"\nInterrupted. {results_dir}/latest.json is untouched.", file=sys.stderr)
    if partial is not None:
        path = results_dir / PARTIAL_NAME
        partial.write(path)
        print(
            f"What finished is in {path} ({len(partial.left)} point(s) not measured); "
            f"`nox -s report -- {path}` reports it.",
            file=sys.stderr,
        )
    print(
        f"The journal {journal_path} keeps every finished point: run the same command with "
        "--resume to measure only the rest.",
        file=sys.stderr,
    )


def print_summary(run, reference: str) -> None:
    counts = run.table["status"].value_counts().to_dict()
    print("\nPoints: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    summary = speedup_summary(run.table, REFERENCE_POINTS, reference)
    if not summary.empty:
        print(f"Speedup over {reference} (geometric mean over passes) at reference points:")
        print(summary.to_string(float_format=lambda v: f"{v:.3g}x", na_rep="skipped"))
    print(f"\n{conditions(run)}")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # before or after the sweep: nothing half-written to clean up
        print("\nInterrupted.", file=sys.stderr)
        sys.exit(INTERRUPTED)
