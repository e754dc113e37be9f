"""``bench.compare``: your own gradient steps against the loops, from Python, in one call.

    import bench
    result = bench.compare({"mine": my_step}, m=[100, 1000], n_x=[10, 100])
    result  # in a notebook: the answer; result.table, result.report, result.page, result.heatmap

Each function is written the course's way (``bench.harness.added``), checked against the
high-precision reference before anything is timed, then swept with the claims' backends (the
``first-look`` preset unless told otherwise), every pass in this process (a function defined
in a notebook exists only here), and reported beside our run of this CPU model.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import impls

from . import harness, report
from .harness.added import register
from .report.answer import answer_lines
from .report.command import beside_ours
from .results import Run
from .settings import ONE_PROCESS, YOUR_RESULTS, AddedRecord

FOLDER = Path(YOUR_RESULTS) / "compare"


@dataclass(frozen=True)
class Comparison:
    """A comparison's run, judged, and where its report went."""

    judged: report.Judged
    folder: Path

    @property
    def run(self) -> Run:
        return self.judged.run

    @property
    def table(self):
        """One row per backend and point: times, statistics, the passes' medians."""
        return self.run.table

    @property
    def report(self) -> Path:
        return self.folder / "REPORT.md"

    @property
    def page(self) -> Path:
        return self.folder / "report.html"

    @property
    def heatmap(self) -> Path:
        return self.folder / "plots" / "speedup_heatmap.png"

    @property
    def answer(self) -> str:
        return "\n".join(answer_lines(self.judged)).strip()

    def _repr_markdown_(self) -> str:
        return f"{self.answer}\n\nEvery number with its interval: `{self.report}`, `{self.page}`."


def compare(
    functions: dict[str, Callable] | Callable | None = None,
    m: Iterable[int] | None = None,
    n_x: Iterable[int] | None = None,
    preset: str = "first-look",
    backends: Iterable[str] | None = None,
    passes: int | None = None,
    folder: str | Path = FOLDER,
) -> Comparison:
    """Sweep your functions (a dict of name to function, one function, or none) beside the
    preset's backends, at its sizes or at the m and n_x given, and write the report to folder.

    A function that disagrees with the reference, raises or returns the wrong shape is
    refused with a ValueError naming it, before anything is timed.
    """
    functions = {functions.__name__: functions} if callable(functions) else dict(functions or {})
    registered = []
    try:
        for name, function in functions.items():
            registered.append(register(None, function, name).name)
        settings = harness.build_settings(
            preset,
            m=_sizes(m),
            nx=_sizes(n_x),
            backends=",".join(backends) if backends is not None else None,
            passes=passes,
            processes=ONE_PROCESS,
            added=tuple(AddedRecord(name) for name in registered),
        )
        run = harness.run(settings)
    finally:
        for name in registered:
            del impls.BACKENDS[name]
    folder = Path(folder)
    _, run = harness.publish(run, folder)
    judged = report.judge_run(run)
    beside, tabs = beside_ours(judged)
    reference = settings.reference_backend
    report.write_all([judged], folder, folder / "plots", reference, True, beside, tabs)
    return Comparison(judged, folder)


def _sizes(values: Iterable[int] | None) -> str | None:
    return None if values is None else ",".join(str(int(v)) for v in values)
