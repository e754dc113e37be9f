"""python -m bench report: the CSV, charts, REPORT.md and report.html again, measuring nothing.

Ours (no run named): every run ``results/runs.toml`` lists, the reference first, into
``results/`` and ``plots/``: the reference's verdicts, the atlas of every CPU, a tab per CPU
on the page; with ``--docs`` also the answer in README.md and the trials' tables in
docs/regression.md. Yours (runs named): the first run in full, beside its file, opening with
how it compares with our run of the same CPU model (or with the atlas, when we have none).
Options: ``bench/cli.py``.
"""

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from .. import index
from ..analysis.atlas import Placed
from ..analysis.trials import table as trials_table
from ..analysis.verdicts import Judged, judge_run
from ..readme import ReadmeError, replace_section
from ..records import DataSource
from ..results import ResultsError, Run
from ..settings import reference_for
from ..units import markdown_table
from . import Beside, write_all
from .answer import write_answer
from .atlas import atlas_lines, beside_ours_lines, counts_text, first_of_each_cpu, ours_for
from .markdown import plan_study_lines

README = "README.md"  # beside results/, as REGRESSION_DOC
REGRESSION_DOC = "docs/regression.md"
TRIALS_START = "<!-- trials:start: written by `nox -s report` from results/runs.toml -->"
TRIALS_END = "<!-- trials:end -->"


def main(args: argparse.Namespace) -> int:
    """The report, with the options of ``python -m bench report``."""
    try:
        if args.runs:
            folder = args.runs[0].parent
            problems = report_yours(args.runs, folder, args.plots_dir, args.relative_to)
            written = f"{folder}/REPORT.md, report.html, latest.csv, verdict.json"
        else:
            problems = report_ours(args.plots_dir or index.PLOTS, args.relative_to, args.docs)
            written = "results/REPORT.md, report.html, latest.csv, verdict.json, plots/"
            written += ", README.md's answer and docs/regression.md" if args.docs else ""
    except (ResultsError, ReadmeError) as exc:
        print(f"python -m bench report: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"python -m bench report: error: cannot write: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"python -m bench report: {problem}", file=sys.stderr)
    print(f"Wrote {written}.")
    return 1 if problems else 0


def load_ours(entry: index.IndexedRun) -> Judged:
    """One of our runs, named by its path in the repository, and judged."""
    run = Run.load(entry.path)
    if not run.commit.startswith(entry.commit):
        raise ResultsError(f"{entry.path}: made by {run.commit[:8]}; the index says {entry.commit}")
    return judge_run(replace(run, source=str(entry.path.relative_to(index.ROOT))))


def atlas_runs(ours: index.Index, judged: dict[Path, Judged]) -> list[Placed]:
    """The runs that stand for a CPU, then the repeats, each with its CPU, in the index's order
    (the reference first)."""
    entries = sorted(
        (entry for entry in ours.ordered() if entry.role in index.ATLAS_ROLES),
        key=lambda entry: index.ATLAS_ROLES.index(entry.role),
    )
    return [Placed(entry.cpu, judged[entry.path]) for entry in entries]


def report_ours(plots_dir: Path, reference: str | None, docs: bool) -> list[str]:
    ours = index.load()
    judged = {entry.path: load_ours(entry) for entry in ours.ordered()}
    main_run = judged[ours.reference.path]
    reference = checked_reference(main_run.run, reference)
    atlas = atlas_runs(ours, judged)
    beyond_memory = [
        each
        for entry, each in judged.items()
        if entry != ours.reference.path and each.run.table["data_source"].eq(DataSource.DISK).any()
    ]
    beside = Beside(
        atlas=tuple(atlas_lines(atlas))
        + tuple(plan_study_lines([each.run for each in judged.values()])),
        every_run=tuple(every_run_lines(ours, judged)),
        again="nox -s report",
    )
    tabs = [placed.judged for placed in first_of_each_cpu(atlas)]
    problems = write_all(
        [main_run, *beyond_memory], index.RESULTS, plots_dir, reference, True, beside, tabs
    )
    if docs:
        write_answer(main_run, index.ROOT / README)
        write_trials_tables(ours)
    return problems


def report_yours(
    paths: list[Path], folder: Path, plots_dir: Path | None, reference: str | None
) -> list[str]:
    judged = [judge_run(Run.load(path)) for path in paths]
    reference = checked_reference(judged[0].run, reference)
    beside, tabs = beside_ours(judged[0])
    return write_all(judged, folder, plots_dir or folder / "plots", reference, True, beside, tabs)


def beside_ours(yours: Judged) -> tuple[Beside, list[Judged]]:
    """What a report of your run sets beside it, and its page's tabs: your run against ours of
    the same CPU model, else the atlas; nothing if our runs are not installed with the code."""
    again = f"python -m bench report {yours.run.source}"
    try:
        ours = index.load()
    except ResultsError:
        return Beside(again=again), [yours]
    shown = [entry for entry in ours.runs if entry.role in index.ATLAS_ROLES]
    placed = atlas_runs(ours, {entry.path: load_ours(entry) for entry in shown})
    match = ours_for(yours.run, placed)
    tabs = [yours, match.judged] if match else [yours]
    return Beside(opening=tuple(beside_ours_lines(yours, placed)), again=again), tabs


def checked_reference(run: Run, asked: str | None) -> str:
    backends = list(dict.fromkeys(run.table["backend"]))
    reference = reference_for(backends, asked)
    if reference not in backends:
        raise ResultsError(
            f"--relative-to: {reference} was not run in {run.source} (it has {', '.join(backends)})"
        )
    return reference


def every_run_lines(ours: index.Index, judged: dict[Path, Judged]) -> list[str]:
    """Every run we report, with why, how it was measured and its classes per claim."""
    claims = list(dict.fromkeys(v.claim.name for each in judged.values() for v in each.verdicts))
    lines = [
        "## Every run we report",
        "",
        "From `results/runs.toml`; each file is a whole run (`python -m bench report FILE` "
        'reports it alone). Classes: holds · fails · inconclusive under "~Nx", per claim: '
        + "; ".join(claims)
        + ".",
        "",
    ]
    rows = []
    for entry in ours.ordered():
        each = judged[entry.path]
        by_claim = {v.claim.name: v for v in each.verdicts}
        classes = [counts_text(by_claim[c]) if c in by_claim else "—" for c in claims]
        rows.append(
            (f"`{each.run.source}`", entry.cpu, str(entry.role), entry.measured, entry.why)
            + ("; ".join(classes),)
        )
    columns = ("run", "CPU", "role", "how measured", "why", "classes per claim")
    return lines + markdown_table(columns, rows)


def write_trials_tables(ours: index.Index) -> None:
    """docs/regression.md's table of each trials file the index lists, newest design first."""
    lines = []
    for trials in ours.trials:
        document = json.loads(trials.path.read_text())
        source = trials.path.relative_to(index.ROOT)
        lines += [*([""] if lines else []), f"**{trials.cpu}** (`{source}`; {trials.why}):", ""]
        lines += trials_table(document)
    replace_section(index.ROOT / REGRESSION_DOC, TRIALS_START, TRIALS_END, lines)
