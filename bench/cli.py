"""The one command line, ``python -m bench COMMAND``: every option of every command, declared here.

Options that several commands share are declared once (``add_*`` below) and each command's
work is a function that takes the parsed options (``HANDLERS``), imported only when its
command runs: a report or a regression check never loads a backend or a compiler. Options a
parser can check are checked here, before anything runs; the rest by the command itself, with
the option named. Exit status, for every command: see ``EXIT_STATUS``.
"""

import argparse
import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .placement import OFFSET_STEP, PAGE
from .settings import (
    DEFAULT_REFERENCE,
    DEFAULT_STORE_DIR,
    DTYPES,
    PROCESS_MODES,
    STORE_MODES,
    YOUR_RESULTS,
    Settings,
)

PROG = "python -m bench"
DEFAULT_COMMAND = "run"
INTERRUPTED = 130  # a shell's status for a command ended by Ctrl-C
EXIT_STATUS = """exit status (every command):
  0    done (regress: no regression)
  1    a sweep, chart or report failed, or (regress, compare-files) a regression
  2    an option, file or commit that cannot be used; the message names it
  130  interrupted (Ctrl-C); a sweep keeps what finished for --resume
  Through nox every failure is 1; the last line still says which."""


# ---- option groups shared by several commands ------------------------------------------------


def add_backends(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument("--backends", help=f"comma-separated backend names (default: {default})")


def add_dtype(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dtype",
        choices=DTYPES,
        default=DTYPES[0],
        help="the type of X, Y and w the backends are given; float32 halves the bytes a step "
        "reads (default: %(default)s)",
    )


def add_seed(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--seed", type=int, default=0, help=f"{what} (default: %(default)s)")


def add_workers(parser: argparse.ArgumentParser) -> None:
    from .regress.paired import WORKER_PAIRS

    parser.add_argument(
        "--workers",
        type=int,
        default=WORKER_PAIRS,
        metavar="PAIRS",
        help="pairs of fresh worker processes (a base and a head worker each) per phase, "
        "taking the rounds in turn; a test fails only if most pairs see the slowdown, since "
        "one process can be slower than another for its whole life (default: %(default)s)",
    )


def add_report_options(parser: argparse.ArgumentParser, plots: str) -> None:
    parser.add_argument(
        "--relative-to",
        metavar="BACKEND",
        help=f"the backend speedups are taken over (default: {DEFAULT_REFERENCE}, or the first "
        "backend run if it was not)",
    )
    parser.add_argument("--plots-dir", type=Path, help=f"where the charts go (default: {plots})")


# ---- the commands -------------------------------------------------------------------------


def declare_run(parser: argparse.ArgumentParser) -> None:
    """The sweep's options, with the presets and the backends in its help."""
    parser.epilog = run_epilog()
    add = parser.add_argument
    add("--preset", default="default", help="grid to sweep (default: %(default)s)")
    add("--m", help="comma-separated numbers of examples, instead of the preset's")
    add("--nx", help="comma-separated numbers of features, instead of the preset's")
    add_backends(parser, "the preset's; all for default, quick and full")
    add(
        "--add",
        action="append",
        default=[],
        metavar="FILE.py:FUNCTION",
        help="time your own gradient step beside the backends: a function (w, b, X, Y) -> dw, "
        "db, cost written the course's way (w (n_x, 1), X (n_x, m), Y (1, m); the result a "
        "tuple or the course's dict), checked against the high-precision reference before "
        "anything is timed (repeatable)",
    )
    add(
        "--threads",
        type=int,
        default=1,
        help="threads for BLAS and numba (default: %(default)s, as in the course's claim)",
    )
    add(
        "--budget",
        type=float,
        help="skip points whose predicted time per step exceeds this many seconds "
        "(default: the preset's)",
    )
    add(
        "--passes",
        type=int,
        help="measure each point this many times, in passes over the whole grid, so that drift "
        "shows as spread (default: the preset's)",
    )
    add(
        "--until",
        type=float,
        metavar="WIDTH",
        help="after the passes, keep adding passes (each in a fresh process) at the sizes where "
        "a speedup over the reference (--relative-to) is not yet known to WIDTH, its 95%% "
        "interval's high over low (e.g. 1.15), until each is or --max-passes is reached",
    )
    add(
        "--max-passes",
        type=int,
        metavar="N",
        help=f"with --until: at most N passes at a point (default: {Settings.max_passes})",
    )
    add_dtype(parser)
    add(
        "--plan",
        metavar="PLANS",
        help="force the compiled kernels' plan, e.g. rows-256k-g4 (comma-separated: the first "
        "that fits a problem is used; the others' plans are chosen as usual), to reproduce a "
        "recorded run. Default: each size class's plan is timed on this machine at first use "
        "and kept (docs/backends.md); same as the environment variable LRBENCH_PLAN",
    )
    add(
        "--x-offset",
        type=int,
        metavar="BYTES",
        help=f"pin where X starts: BYTES past a page boundary, a multiple of {OFFSET_STEP} "
        f"below {PAGE} (0: the best placement for every kernel). Default: where numpy would "
        "put a new array of X's size, drawn anew for every size and pass (docs/method.md)",
    )
    add(
        "--results-dir",
        type=Path,
        default=Path(YOUR_RESULTS),
        help="where your runs/, latest.json, latest.csv, REPORT.md and report.html go; never "
        "our committed results/ (default: %(default)s)",
    )
    add_report_options(parser, "RESULTS_DIR/plots")
    add("--no-report", action="store_true", help="write results only: no charts, no REPORT.md")
    add(
        "--dask-scheduler",
        metavar="ADDRESS",
        help="run the dask backend on the dask.distributed cluster at ADDRESS, e.g. "
        "tcp://10.0.0.5:8786 (default: local threads)",
    )
    add(
        "--stores",
        choices=STORE_MODES,
        help="where the dask backend's data come from: never from a store on disk; from a store "
        "where they would not fit in memory (beyond-memory); or always (default: the preset's)",
    )
    add(
        "--store-dir",
        metavar="PATH",
        help=f"folder for the stores, on the disk to be measured (default: {DEFAULT_STORE_DIR}); "
        "a store found there for the same problem is used again",
    )
    add(
        "--keep-stores",
        action="store_true",
        help="keep the stores this sweep makes (default: remove them when it ends)",
    )
    add(
        "--wait-for-quiet",
        action="store_true",
        help="before each point, wait until other processes leave the machine quiet; give up, "
        "keeping what finished for --resume, if it stays busy (for reference runs; every point "
        "records what others used either way)",
    )
    add(
        "--processes",
        choices=PROCESS_MODES,
        help="per-pass: each pass in a fresh process, so each interval holds what differs "
        "between processes too; one: every pass in this process (default: per-pass)",
    )
    add(
        "--resume",
        action="store_true",
        help="continue the sweep that was interrupted (Ctrl-C, a kill, the OOM killer) from its "
        "journal in --results-dir, measuring only what it had not finished; give the same "
        "options as then (it refuses other settings, code or machine)",
    )


def run_epilog() -> str:
    import impls

    from .harness.settings import BEYOND_RAM, PRESETS

    presets = "\n".join(
        f"  {name:11} m in {list(preset.m)}"
        + (
            f" and the m whose X is {BEYOND_RAM:g}x this machine's RAM"
            if preset.m_beyond_ram
            else ""
        )
        + f", n_x in {list(preset.n_x)}; "
        + (f"backends {', '.join(preset.backends)}; " if preset.backends else "")
        + f"{preset.passes} passes; budget {preset.budget_s:g} s per step"
        + (f"; stores: {preset.stores}" if preset.stores != "never" else "")
        for name, preset in PRESETS.items()
    )
    backends = "\n".join(f"  {b.name:15} {b.description}" for b in impls.BACKENDS.values())
    return (
        f"presets:\n{presets}\n\nbackends:\n{backends}\n\nexamples:\n"
        "  python -m bench --preset quick\n"
        "  python -m bench --m 100,1000 --nx 10,100 --backends vectorized,numba\n"
        "  python -m bench --preset quick --relative-to one_loop --dtype float32\n"
        "  python -m bench --preset out-of-core --store-dir /mnt/big/stores\n"
        "  python -m bench --preset quick --resume   # after Ctrl-C or a kill: the rest only\n"
        "  python -m bench --wait-for-quiet --until 1.15   # a reference run: quiet, and known"
    )


def declare_report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "runs",
        nargs="*",
        type=Path,
        metavar="RUN.json",
        help="runs written by python -m bench: the first is reported in full, the others set "
        "beside it, each labelled with its CPU, never pooled; REPORT.md, report.html, "
        "latest.csv and verdict.json go beside the first. None: our runs, as results/runs.toml "
        "lists them, into results/ and plots/",
    )
    add_report_options(parser, "plots/ for our runs, else beside the first run's folder")
    parser.add_argument(
        "--docs",
        action="store_true",
        help="our runs only: also rewrite the answer in README.md and the trials' tables in "
        "docs/regression.md, between their markers",
    )


def add_check_options(parser: argparse.ArgumentParser) -> None:
    """What one check between two commits is made of: the regression check's and the search's."""
    from .regress import paired
    from .regress.compare_commits import OUT_DIR

    add = parser.add_argument
    add_backends(parser, "all in both commits")
    add(
        "--rounds", type=int, default=15, help="interleaved rounds per phase (default: %(default)s)"
    )
    add_workers(parser)
    add(
        "--threshold",
        type=float,
        default=paired.THRESHOLD,
        help="smallest geometric-mean slowdown that fails the check (default: %(default)s)",
    )
    add(
        "--floor",
        type=float,
        default=paired.FLOOR,
        help="the slowdown the one-sided test must exclude (default: %(default)s)",
    )
    add(
        "--alpha",
        type=float,
        default=paired.ALPHA,
        help="false-alarm rate of one check, split over its tests (default: %(default)s)",
    )
    add_dtype(parser)
    add_seed(parser, "data and order")
    add("--no-confirm", action="store_true", help="fail on the first phase's alarm alone")
    add(
        "--confirmations",
        type=int,
        default=2,
        help="phases in fresh processes that must each find an alarm again before the check "
        "fails, since one process can run a backend slower for its whole life "
        "(default: %(default)s)",
    )
    add(
        "--out-dir",
        type=Path,
        default=OUT_DIR,
        help="where summary.json, summary.md, rounds.csv, benchmark-action.json and find.json "
        "go (default: %(default)s)",
    )


def declare_regress(parser: argparse.ArgumentParser) -> None:
    from .regress.compare_commits import CHECK_TIMEOUT_S, REF_FILE

    add = parser.add_argument
    add(
        "--base", metavar="REF", help=f"the commit to compare with (default: the one in {REF_FILE})"
    )
    add(
        "--head",
        metavar="REF",
        help="the commit to check (default: the working tree, uncommitted changes included)",
    )
    add_check_options(parser)
    add(
        "--ref-file",
        type=Path,
        default=REF_FILE,
        help="the file recording the accepted commit (default: %(default)s)",
    )
    add(
        "--update-baseline",
        action="store_true",
        help="record HEAD's commit in --ref-file as the accepted base, and stop",
    )
    add(
        "--inject-slowdown",
        metavar="BACKEND=FACTOR",
        action="append",
        default=[],
        help="trials only: slow the head's BACKEND (or * for all) down by FACTOR",
    )
    add(
        "action",
        nargs="?",
        choices=["find"],
        help="find GOOD BAD: which commit made it slower. Bisects the first-parent commits "
        "after GOOD up to BAD, each step this check against GOOD (a commit that does not import "
        "or computes another step is skipped and named); ends with the first slower commit, its "
        "ratios and bounds (exit 0; 1 if BAD is not slower; --out-dir/find.json)",
    )
    add("good", nargs="?", metavar="GOOD", help="find: a commit known not slower")
    add("bad", nargs="?", metavar="BAD", help="find: a later commit known slower than GOOD")
    add(
        "--step-timeout",
        type=float,
        default=CHECK_TIMEOUT_S,
        help="find: seconds one step may take; a step past it is skipped (default: %(default)s)",
    )


def check_regress(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    if (args.action == "find") != (args.good is not None and args.bad is not None):
        parser.error("find needs GOOD and BAD, and GOOD and BAD need find: regress find GOOD BAD")
    if args.rounds < 3:
        parser.error(f"--rounds must be at least 3; got {args.rounds}")
    if not 1 <= args.workers <= args.rounds // 2:
        parser.error(
            f"--workers must be between 1 and half of --rounds ({args.rounds // 2}), so that "
            f"each pair times two rounds or more; got {args.workers}"
        )
    if not args.threshold >= args.floor > 1:
        parser.error(f"need --threshold ≥ --floor > 1; got {args.threshold} and {args.floor}")
    if not 0 < args.alpha < 1:
        parser.error(f"--alpha must be in (0, 1); got {args.alpha}")
    args.backends = [b.strip() for b in args.backends.split(",")] if args.backends else None
    args.slowdown = {}
    for switch in args.inject_slowdown:
        name, _, factor = switch.partition("=")
        try:
            args.slowdown[name] = float(factor)
        except ValueError:
            parser.error(f"--inject-slowdown: expected BACKEND=FACTOR; got {switch!r}")
        if not args.slowdown[name] > 1:
            parser.error(f"--inject-slowdown: the factor must be above 1; got {switch!r}")


def declare_trials(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--base", default="HEAD", help="the commit compared (default: %(default)s)")
    add("--aa-runs", type=int, default=30, help="A/A checks (default: %(default)s)")
    add("--runs", type=int, default=10, help="checks per slowdown scenario (default: %(default)s)")
    add_workers(parser)
    add(
        "--ladder",
        action="store_true",
        help="A/A and every backend slowed by 1.02x, 1.03x, 1.05x and 1.10x, each check with "
        "a threshold below the rungs (--threshold): the smallest slowdown the check can see on "
        "this machine, per backend, and the false alarms at that threshold",
    )
    add(
        "--threshold",
        type=float,
        help="each check's --threshold (default: the check's own, 1.05; with --ladder 1.01)",
    )
    add(
        "--floor",
        type=float,
        help="each check's --floor (default: the check's own, 1.02; with --ladder 1.005)",
    )
    add(
        "--only",
        nargs="+",
        metavar="WORD",
        help="run only scenarios whose name has one of these words (e.g. A/A, 1.10x, σ)",
    )
    add(
        "--out",
        type=Path,
        default=Path(YOUR_RESULTS) / "regress-trials.json",
        help="the trials' results, written after every check (default: %(default)s)",
    )
    add(
        "--table",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="print a table from each of these trials' files (none named: --out), one after "
        "another; measure nothing",
    )


def check_trials(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from .regress import paired, trials

    defaults = trials.LADDER_CHECK if args.ladder else (paired.THRESHOLD, paired.FLOOR)
    args.threshold = args.threshold or defaults[0]
    args.floor = args.floor or defaults[1]
    if not args.threshold >= args.floor > 1:
        parser.error(f"need --threshold ≥ --floor > 1; got {args.threshold} and {args.floor}")
    if args.aa_runs < 1 or args.runs < 1:
        parser.error("--aa-runs and --runs must be at least 1")
    if args.workers < 1:
        parser.error(f"--workers must be at least 1; got {args.workers}")


def declare_compare_files(parser: argparse.ArgumentParser) -> None:
    from .records import EXAMPLE_POINT

    add = parser.add_argument
    add("baseline", type=Path, help="the accepted results (a run file)")
    add("current", type=Path, help="the results to check")
    add(
        "--min-ratio",
        type=float,
        default=1.3,
        help="never flag a slowdown below this ratio (default: %(default)s)",
    )
    add(
        "--claim-point",
        default=",".join(map(str, EXAMPLE_POINT)),
        metavar="M,NX",
        help="where the vectorized/two_loop claim guard looks (default: %(default)s)",
    )
    add(
        "--claim-floor",
        type=float,
        help="fail if the vectorized/two_loop speedup there is below this (default: the "
        "baseline's speedup less --claim-margin)",
    )
    add(
        "--claim-margin",
        type=float,
        default=0.5,
        help="default floor = baseline speedup × (1 - margin) (default: %(default)s)",
    )
    add(
        "--out-dir",
        type=Path,
        help="where summary.json and benchmark-action.json go (default: beside CURRENT)",
    )
    add(
        "--accept-current",
        action="store_true",
        help="accept CURRENT: copy it over BASELINE instead of comparing",
    )


def check_compare_files(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    try:
        m, n_x = (int(v) for v in args.claim_point.split(","))
    except ValueError:
        parser.error(f"--claim-point: expected M,NX such as 1000,100; got {args.claim_point!r}")
    args.claim_point = (m, n_x)
    if not args.min_ratio > 1:
        parser.error(f"--min-ratio must be above 1; got {args.min_ratio}")
    if not 0 <= args.claim_margin < 1:
        parser.error(f"--claim-margin must be in [0, 1); got {args.claim_margin}")


def declare_screenshot(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("page", nargs="?", type=Path, default=Path("results/report.html"))
    parser.add_argument("--out", type=Path, default=Path("plots/report_page.png"))


def declare_pass(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("settings", type=Path, help="the sweep's settings (JSON)")
    add("journal", type=Path, help="the sweep's journal")
    add("run_file", type=Path, help="where the run file is written")
    add("started", type=float, help="when the sweep began (time.time())")
    add("--pass", dest="pass_number", type=int, help="the pass to measure")
    add("--points", type=Path, help="an extra pass's points (JSON)")
    add("--closes", action="store_true", help="close the run (probes, file)")


Declare = Callable[[argparse.ArgumentParser], None]
Check = Callable[[argparse.Namespace, argparse.ArgumentParser], None]


@dataclass(frozen=True)
class Command:
    """One command: its line in the list (None: internal, unlisted), its options and their
    checks, the function that does its work ("module:function", taking the options), and an
    example of its use."""

    summary: str | None
    declare: Declare
    check: Check | None
    handler: str
    example: str = ""


COMMANDS: dict[str, Command] = {
    "run": Command(
        "measure the backends over an (m, n_x) grid, then report (the default command)",
        declare_run,
        None,
        "bench.run_command:main",
        "python -m bench --preset quick             (run is the default command)",
    ),
    "report": Command(
        "CSV, verdicts, charts, REPORT.md and report.html from run files, measuring nothing",
        declare_report,
        None,
        "bench.report.command:main",
        "python -m bench report my-results/latest.json",
    ),
    "regress": Command(
        "is HEAD slower than an accepted commit, here and now? both timed, interleaved; "
        "find GOOD BAD: which commit made it slower",
        declare_regress,
        check_regress,
        "bench.regress.command:main",
        "python -m bench regress --base origin/main    (or: regress find v1.0 HEAD)",
    ),
    "trials": Command(
        "how often that check is wrong on this machine: A/A and injected slowdowns",
        declare_trials,
        check_trials,
        "bench.regress.trials:main",
        "python -m bench trials --only A/A",
    ),
    "compare-files": Command(
        "two stored run files compared, for history (runs made weeks apart)",
        declare_compare_files,
        check_compare_files,
        "bench.regress.compare_files:main",
        "python -m bench compare-files OLD.json NEW.json",
    ),
    "screenshot": Command(
        "plots/report_page.png: results/report.html as Debian's Chromium shows it",
        declare_screenshot,
        None,
        "bench.report.screenshot:main",
        "python -m bench screenshot",
    ),
    # The sweep starts each pass's process with it.
    "pass": Command(None, declare_pass, None, "bench.harness.pass_process:main"),
}


def examples() -> str:
    lines = [f"  {command.example}" for command in COMMANDS.values() if command.summary]
    lines.append("  python -m bench COMMAND --help             every option of one command")
    return "examples:\n" + "\n".join(lines)


def parser(wanted: str | None = None) -> tuple[argparse.ArgumentParser, dict]:
    """The command line and each command's own parser. Only the wanted command's options are
    declared (some load what their help shows); the others are listed by name and summary."""
    top = argparse.ArgumentParser(
        prog=PROG,
        description="How much does vectorizing logistic regression's gradient step speed it up, "
        "here? Measure it, report it, and keep it fast.",
        epilog=f"{examples()}\n\n{EXIT_STATUS}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    public = [name for name, command in COMMANDS.items() if command.summary]
    commands = top.add_subparsers(
        dest="command", title="commands", metavar="{" + ",".join(public) + "}"
    )
    subparsers = {}
    for name, command in COMMANDS.items():
        sub = subparsers[name] = commands.add_parser(
            name,
            **({"help": command.summary} if command.summary else {}),
            description=command.summary,
            prog=f"{PROG} {name}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if name == wanted:
            command.declare(sub)
        if sub.epilog is None:
            sub.epilog = EXIT_STATUS
        else:
            sub.epilog += f"\n\n{EXIT_STATUS}"
    return top, subparsers


def command_of(argv: list[str]) -> str:
    """The command argv names; without one, the default (``python -m bench --preset quick``)."""
    if argv and (argv[0] in COMMANDS or argv[0] in ("-h", "--help")):
        return argv[0]
    return DEFAULT_COMMAND


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = command_of(argv)
    if command in COMMANDS and argv[:1] != [command]:
        argv = [command, *argv]
    top, subparsers = parser(command)
    args = top.parse_args(argv)
    args.argv = argv[1:]  # as the command was given, for the records that quote it
    command = COMMANDS[args.command]
    if command.check is not None:
        command.check(args, subparsers[args.command])
    module, function = command.handler.split(":")
    return getattr(importlib.import_module(module), function)(args)
