"""Writing what people read: the tidy CSV, the charts, REPORT.md and report.html, from runs.

``python -m bench report`` (``nox -s report``) rebuilds them from result
files; ``python -m bench run`` calls the same ``write_all`` after a sweep.
"""

import json
from pathlib import Path

from ..analysis.speedups import with_speedups
from ..analysis.verdicts import CLAIMS, Judged, judge_run, verdict_document
from ..files import write_atomic
from ..results import Run
from ..settings import reference_for
from .markdown import Beside, build
from .page import write_page


def csv_table(run: Run, reference: str):
    """The run's tidy table with speedups over the reference and over each claim's baseline."""
    references = [reference, *(claim.baseline for claim in CLAIMS)]
    present = [r for r in references if r in set(run.table["backend"])]
    table = with_speedups(run.table, present)
    # One cell per point: each pass's value, space-separated, in pass order.
    for column in ("pass_medians_s", "pass_x_offsets", "pass_disk_read_Bps"):
        table[column] = table[column].map(
            lambda values: " ".join(f"{v:.6g}" for v in values) if isinstance(values, tuple) else ""
        )
    return table


def write_csv(run: Run, path: Path, reference: str) -> None:
    write_atomic(path, csv_table(run, reference).to_csv(index=False))


def write_all(
    judged: list[Judged],
    results_dir: Path,
    plots_dir: Path,
    reference: str,
    charts_and_report: bool = True,
    beside: Beside | None = None,
    tabs: list[Judged] | None = None,
) -> list[str]:
    """latest.csv and verdict.json of the first run, and unless told otherwise the charts,
    REPORT.md and report.html (a tab for each of ``tabs``, by default the first run), with
    what ``beside`` sets beside it; the problems met. Each run judged once (``judge_run``),
    by the caller."""
    beside = beside or Beside()
    results_dir.mkdir(parents=True, exist_ok=True)
    write_csv(judged[0].run, results_dir / "latest.csv", reference)
    document = verdict_document(judged[0].verdicts)
    write_atomic(results_dir / "verdict.json", json.dumps(document, indent=1))
    if not charts_and_report:
        return []
    problems = build(judged, plots_dir, results_dir / "REPORT.md", reference, beside)
    closing = [*beside.atlas, *beside.every_run]
    write_page(tabs or judged[:1], results_dir, reference, list(beside.opening), closing)
    return problems


__all__ = [
    "Beside",
    "reference_for",
    "build",
    "csv_table",
    "judge_run",
    "write_all",
    "write_csv",
    "write_page",
]
