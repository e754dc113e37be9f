"""python -m bench run (the default command): measure over an (m, n_x) grid, then report.

A thin layer: options are checked before anything is measured, the sweep
runs (``harness.run``) with its journal in the results folder, the run is
published by renaming finished files into place, and ``report.write_all``
writes the CSV, the charts and REPORT.md from it, beside the run: your
folder (``--results-dir``, ``my-results/``), never our committed results.
Ctrl-C leaves latest.json alone, writes what finished to partial.json and
keeps the journal for ``--resume``. Options: ``bench/cli.py``.
"""

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

from . import harness, report
from .analysis.speedups import speedup_summary
from .cli import INTERRUPTED
from .files import write_atomic
from .harness.added import AddedFunction, register_file
from .harness.journal import JOURNAL_NAME
from .harness.settings import OptionError, build_settings
from .report.answer import answer_lines
from .report.command import beside_ours
from .results import ResultsError, Run
from .settings import AddedRecord, Settings

PARTIAL_NAME = "partial.json"  # an interrupted sweep's run, beside latest.json
REFERENCE_POINTS = [(1000, 100), (10_000, 1000), (100, 10), (1_000_000, 10)]
# The options build_settings takes, by the name argparse gives them.
BUILD_OPTIONS = (
    "preset",
    "m",
    "nx",
    "backends",
    "threads",
    "budget",
    "dtype",
    "passes",
    "until",
    "max_passes",
    "dask_scheduler",
    "stores",
    "store_dir",
    "keep_stores",
    "wait_for_quiet",
    "processes",
    "x_offset",
)


def settings_from(args: argparse.Namespace) -> Settings:
    """The sweep the options ask for, the users' functions checked and registered first; an
    OptionError names the option at fault."""
    added = tuple(add_file(spec) for spec in args.add)
    if args.plan:
        force_plans(args.plan)
    options = {name: getattr(args, name) for name in BUILD_OPTIONS}
    settings = build_settings(**options, added=added)
    check_writable(args.results_dir / "runs", "--results-dir")
    if settings.stores != "never":
        check_writable(Path(settings.store_dir).expanduser(), "--store-dir")
    return settings


def force_plans(names: str) -> None:
    """--plan: every name a plan of the compiled kernels, then set for the passes' processes
    (where the run's machine facts record it)."""
    from impls import _plans, numba_fused

    for name in names.split(","):
        try:
            numba_fused.Plan.parse(name.strip())
        except ValueError as exc:
            raise OptionError(f"--plan: {exc}") from None
    os.environ[_plans.PLAN_ENV] = names


def add_file(spec: str) -> AddedRecord:
    """--add FILE.py:FUNCTION: checked against the reference and registered, before any timing."""
    added = AddedFunction.parse(spec)
    sha256 = added.sha256()
    register_file(added, sha256)
    print(f"Your function {added.name} from {added.path} agrees with the reference: it is timed.")
    return AddedRecord(added.name, str(added.path), sha256)


def check_writable(directory: Path, option: str) -> None:
    """Make the folder if need be and write a file in it; an OptionError names the option."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        write_atomic(directory / ".write-check", "")
        (directory / ".write-check").unlink()
    except OSError as exc:
        raise OptionError(f"{option}: cannot write to {directory}: {exc.strerror or exc}") from None


def main(args: argparse.Namespace) -> int:
    """The sweep and its report, with the options of ``python -m bench run``."""
    plots_dir = args.plots_dir or args.results_dir / "plots"
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
        print(f"python -m bench run: error: {exc}", file=sys.stderr)
        return 2
    try:
        run = harness.run(settings, journal)
    except harness.OptionError as exc:  # found only when the sweep starts (a dask scheduler)
        print(f"python -m bench run: error: {exc}", file=sys.stderr)
        return 2
    except harness.SweepInterrupted as exc:
        say_interrupted(exc.partial, args.results_dir, journal_path)
        return INTERRUPTED
    except (harness.SweepError, ResultsError) as exc:
        print(
            f"python -m bench run: {exc}; results in {args.results_dir} are untouched.",
            file=sys.stderr,
        )
        return 1
    final, run = harness.publish(run, args.results_dir)
    journal.remove()
    (args.results_dir / PARTIAL_NAME).unlink(missing_ok=True)  # a finished run supersedes it
    judged = report.judge_run(run)
    beside, tabs = beside_ours(judged) if not args.no_report else (report.Beside(), [judged])
    problems = report.write_all(
        [judged], args.results_dir, plots_dir, args.relative_to, not args.no_report, beside, tabs
    )
    print(f"\nWrote {final}, {args.results_dir}/latest.json and latest.csv.")
    print_summary(judged, args.relative_to, args.results_dir)
    for problem in problems:
        print(f"python -m bench run: {problem}", file=sys.stderr)
    return 1 if problems else 0


def say_interrupted(partial: Run | None, results_dir: Path, journal_path: Path) -> None:
    """Write what finished to partial.json and say how to go on; latest.json is untouched."""
    print(f"\nInterrupted. {results_dir}/latest.json is untouched.", file=sys.stderr)
    if partial is not None:
        path = results_dir / PARTIAL_NAME
        partial.write(path)
        print(
            f"What finished is in {path} ({len(partial.unfinished)} point(s) not measured); "
            f"`python -m bench report {path}` reports it.",
            file=sys.stderr,
        )
    print(
        f"The journal {journal_path} keeps every finished point: run the same command with "
        "--resume to measure only the rest.",
        file=sys.stderr,
    )


def print_summary(judged: report.Judged, reference: str, results_dir: Path) -> None:
    """The points, the speedups at a few sizes, and the answer as the README gives ours."""
    run = judged.run
    counts = run.table["status"].value_counts().to_dict()
    print("\nPoints: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    summary = speedup_summary(run.table, REFERENCE_POINTS, reference)
    if not summary.empty:
        print(f"Speedup over {reference} (geometric mean over passes) at reference points:")
        print(summary.to_string(float_format=lambda v: f"{v:.3g}x", na_rep="skipped"))
    print("\nThe answer here:\n")
    print("\n".join(answer_lines(judged)).rstrip())
    print(f"\nEverything with its interval: {results_dir}/REPORT.md and report.html.")
