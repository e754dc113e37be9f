"""What the sweep says and keeps as each test ends: the journal entry, the progress line, the
calibration windows' steadiness; and, with --wait-for-quiet, waiting for quiet before a point."""

import pytest

from ..records import STEADY_TIMING
from ..units import format_seconds
from . import items, neighbours, progress
from .journal import Journal
from .state import SweepState


class Recorder:
    def __init__(self, state: SweepState, journal: Journal, wait_for_quiet: bool):
        self.state = state
        # Every finished test is written here as it ends; the run file is made from it.
        self.journal = journal
        self.wait_for_quiet = wait_for_quiet
        # Whether other processes left the last point alone: --wait-for-quiet then need not
        # look again before the next one.
        self.last_point_quiet = False

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if self.wait_for_quiet and items.timed(item) and not self.last_point_quiet:
            try:
                neighbours.wait_for_quiet(say=self.state.stores.shelf.say)
            except neighbours.StayedBusy as exc:
                pytest.exit(str(exc), returncode=pytest.ExitCode.INTERRUPTED)

    def write_down(self, item: pytest.Item, report: pytest.TestReport) -> None:
        """A finished test into the journal: its benchmark, or why its point was skipped."""
        point = items.point(item)
        entry = {
            "nodeid": item.nodeid,
            "benchmark": items.stats(item) if report.passed else None,
            "first_call_s": self.state.first_call_s,
        }
        if point is not None:
            entry["point"] = point
            skip = self.state.plan.skips.get(point[1:]) if report.skipped else None
            entry["skip"] = skip.as_dict() if skip else None
            self.state.plan.finished.add(point)
        self.journal.append(entry)

    def pytest_report_teststatus(self, report: pytest.TestReport, config: pytest.Config):
        # Our own progress line replaces pytest's dots and s's.
        if report.when == "call" or (report.when == "setup" and report.skipped):
            return report.outcome, "", ""
        return None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        message = getattr(report, "lrbench_progress", None)
        if message and report.when == "call":
            print(message, flush=True)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if call.when == "call" and (report.passed or report.skipped):
            self.write_down(item, report)
            if report.passed and items.timed(item):
                extra = item.funcargs["benchmark"].extra_info
                self.last_point_quiet = extra.get("busy") is False
        # A calibration window (the lecture's demo has kernels too, but no window).
        if call.when == "call" and report.passed and items.param(item, "when"):
            stats = item.funcargs["benchmark"].stats.stats
            report.lrbench_progress = calibration_line(
                items.param(item, "kernel"), items.param(item, "when"), stats.iqr / stats.median
            )
        if call.when == "call" and report.passed and items.param(item, "study_backend"):
            pass_number, backend, m, n_x = (
                item.callspec.params[k] for k in ("pass_number", "study_backend", "m", "n_x")
            )
            median = item.funcargs["benchmark"].stats.stats.median
            report.lrbench_progress = (
                f"pass {pass_number}: {backend} m={m} n_x={n_x} with X on a page boundary "
                f"(the placement study): median {format_seconds(median)}"
            )
        if call.when == "call" and items.param(item, "backend"):
            pass_number, backend, m, n_x = (
                item.callspec.params[k] for k in ("pass_number", "backend", "m", "n_x")
            )
            what = f"pass {pass_number}: {backend} m={m} n_x={n_x}: "
            if report.skipped:
                what += report.longrepr[2].removeprefix("Skipped: ")
            elif report.failed:
                what += "FAILED"
            else:
                fixture = item.funcargs["benchmark"]
                what += f"median {format_seconds(fixture.stats.stats.median)}"
                if fixture.extra_info.get("busy"):
                    what += (
                        f" (beside other work: others used "
                        f"{fixture.extra_info['others_cpu']:.2f} cores)"
                    )
            report.lrbench_progress = progress.line(self.state.progress.advance(), what)
        return report


def calibration_line(kernel: str, when: str, spread: float) -> str:
    """What a calibration window says of the machine: how steadily it times fixed work."""
    line = f"calibration {kernel} ({when}): rounds spread {spread:.1%} (IQR over median)"
    if spread <= STEADY_TIMING:
        return f"{line}: steady"
    return (
        f"{line}: over {STEADY_TIMING:.0%}, this machine times fixed work unsteadily (a busy "
        "host, if nothing else runs here): expect wide intervals, and no quiet reference run"
    )
