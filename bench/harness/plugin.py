"""The pytest plugin that runs a sweep: parametrization, order, thread limits, the journal and
the progress line.

``sweep.measure`` hands a ``SweepPlugin`` to ``pytest.main`` (with the
``RunFile`` plugin that writes the run file), so the settings reach the timed
functions in ``timed_steps.py`` as a Python object.
"""

import os
import time

import numba
import pytest
from threadpoolctl import threadpool_limits

from .. import machine
from ..results import STEADY_TIMING
from ..settings import Settings
from ..units import format_seconds
from . import bandwidth, lecture, neighbours
from .journal import Journal
from .run_file import say
from .state import SweepState

AFFINITY = hasattr(os, "sched_setaffinity")  # Linux; elsewhere only the thread limits hold


class SweepPlugin:
    def __init__(
        self,
        settings: Settings,
        journal: Journal,
        passes: set[int] | None = None,
        started: float | None = None,
        extra: list[tuple[int, str, int, int]] | None = None,
        closes: bool | None = None,
    ):
        self.settings = settings
        # The passes this process measures (None: all); the first opens with the calibration
        # kernels' "start" window.
        self.passes = passes
        # Whether this process closes the run: the calibration kernels' "end" window, the
        # probes and the run file with them. By default the process of the last pass.
        self.closes = (passes is None or settings.passes in passes) if closes is None else closes
        self.state = SweepState(settings)
        self.state.plan.extra = extra or []  # an extra pass of --until (planner.until_pass)
        if started is not None:  # the sweep began in an earlier process
            self.state.plan.started -= time.time() - started
        # Every finished test is written here as it ends; the run file is made from it.
        self.journal = journal
        # Whether other processes left the last point alone: --wait-for-quiet then need not
        # look again before the next one.
        self.last_point_quiet = False
        self.neighbourhood = neighbours.Neighbourhood()
        self.limits: threadpool_limits | None = None
        self.all_cores = sorted(os.sched_getaffinity(0)) if AFFINITY else []
        # The cores every timed step may run on: as many as the sweep's threads.
        self.point_cores = set(self.all_cores[: settings.threads])

    def pytest_configure(self, config: pytest.Config) -> None:
        self.state.stores.shelf.say = lambda message: say(config, message)
        bandwidth.compile_probes()  # loads what numba loads, before the limits below
        # Threads are a controlled variable: BLAS, OpenMP and numba all get the same number.
        self.limits = threadpool_limits(limits=self.settings.threads)
        numba.set_num_threads(min(self.settings.threads, numba.config.NUMBA_NUM_THREADS))

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        # Again before every point: a BLAS loaded after the start (numba loads scipy's
        # OpenBLAS when it first compiles) would otherwise run on every core.
        threadpool_limits(limits=self.settings.threads)
        # And the process's CPU affinity, which holds for thread pools threadpoolctl does not
        # know (XLA's sizes itself from the affinity when jax starts, inside a point).
        if self.point_cores:
            os.sched_setaffinity(0, self.point_cores)
        machine.reset_peak_rss()  # each point's peak memory is its own
        timed = _param(item, "backend") or _param(item, "study_backend")
        if self.settings.wait_for_quiet and timed and not self.last_point_quiet:
            try:
                neighbours.wait_for_quiet(say=self.state.stores.shelf.say)
            except neighbours.StayedBusy as exc:
                pytest.exit(str(exc), returncode=pytest.ExitCode.INTERRUPTED)

    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        if self.point_cores:  # the bandwidth probe measures every core between points
            os.sched_setaffinity(0, self.all_cores)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.limits is not None:
            self.limits.restore_original_limits()
        self.state.stores.shelf.release_all()  # also after an interrupted sweep

    @pytest.fixture
    def sweep_state(self) -> SweepState:
        return self.state

    @pytest.fixture
    def neighbour_watch(self) -> neighbours.Watch:
        """Started as the point starts; the point reads what other processes did meanwhile
        (a short point: over the last neighbours.MIN_WINDOW_S)."""
        return self.neighbourhood.watch()

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        names = set(metafunc.fixturenames)
        if {"pass_number", "backend", "m", "n_x"} <= names:
            points = self.state.plan.points
            metafunc.parametrize(
                ("pass_number", "backend", "m", "n_x"),
                points,
                ids=[f"p{p}-{b}-m{m}-nx{n}" for p, b, m, n in points],
            )
        elif {"pass_number", "study_backend", "m", "n_x"} <= names:
            points = self.settings.placement_study()
            metafunc.parametrize(
                ("pass_number", "study_backend", "m", "n_x"),
                points,
                ids=[f"p{p}-{b}-m{m}-nx{n}-page" for p, b, m, n in points],
            )
        elif {"pass_number", "kernel"} <= names:
            passes = range(1, self.settings.passes + 1)
            demos = [(p, kernel) for p in passes for kernel in lecture.NAMES]
            metafunc.parametrize(
                ("pass_number", "kernel"), demos, ids=[f"p{p}-{k}" for p, k in demos]
            )

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]):
        if not self.settings.lecture:
            demos = [item for item in items if _param(item, "kernel") in lecture.NAMES]
            config.hook.pytest_deselected(items=demos)
            items[:] = [item for item in items if item not in demos]
        if not self.settings.placement_study():  # pytest's one item for an empty study
            study = [item for item in items if "study_backend" in item.fixturenames]
            config.hook.pytest_deselected(items=study)
            items[:] = [item for item in items if item not in study]

        # Calibration at the start; then pass after pass, each opening with the lecture's
        # demo, then size after size, the placement study's points after the size's own;
        # the calibration kernels' "end" window after the last point of the sweep.
        sizes = {size: rank for rank, size in enumerate(self.settings.sizes())}

        def phase(item: pytest.Item) -> tuple:
            when = _param(item, "when")
            if when is not None:
                return (0,) if when == "start" else (2,)
            if _param(item, "kernel"):
                return (1, _param(item, "pass_number"), 0)
            size = sizes.get((_param(item, "m"), _param(item, "n_x")), len(sizes))
            return (1, _param(item, "pass_number"), 1, size, bool(_param(item, "study_backend")))

        items.sort(key=phase)  # stable: the parametrized order is kept within a phase
        self.keep_own_passes(config, items)
        self.skip_finished(config, items)

    def keep_own_passes(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if self.passes is None:
            return

        def mine(item: pytest.Item) -> bool:
            when = _param(item, "when")
            if when is not None:  # a calibration window: the first pass's, or the closing one
                return self.closes if when == "end" else 1 in self.passes
            return _param(item, "pass_number") in self.passes

        others = [item for item in items if not mine(item)]
        config.hook.pytest_deselected(items=others)
        items[:] = [item for item in items if mine(item)]

    def skip_finished(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """Leave out what the journal says an earlier process finished, and let the state
        know everything found there (skips and step times decided in pass 1 hold in every
        pass). The calibration kernels run again: they are cheap, and a resumed process then
        always has a benchmark of its own to write the run with."""
        for entry in self.journal.entries.values():
            self.state.replay(entry)
        finished = [
            item
            for item in items
            if item.nodeid in self.journal.entries and _param(item, "when") is None
        ]
        config.hook.pytest_deselected(items=finished)
        items[:] = [item for item in items if item not in finished]

    def write_down(self, item: pytest.Item, report: pytest.TestReport) -> None:
        """A finished test into the journal: its benchmark, or why its point was skipped."""
        point = _point(item)
        entry = {
            "nodeid": item.nodeid,
            "benchmark": _stats(item) if report.passed else None,
            "first_call_s": self.state.first_call_s,
        }
        if point is not None:
            entry["point"] = point
            entry["skip"] = self.state.plan.skip_record(point) if report.skipped else None
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
            if report.passed and (_param(item, "backend") or _param(item, "study_backend")):
                extra = item.funcargs["benchmark"].extra_info
                self.last_point_quiet = extra.get("busy") is False
        # A calibration window (the lecture's demo has kernels too, but no window).
        if call.when == "call" and report.passed and _param(item, "when"):
            stats = item.funcargs["benchmark"].stats.stats
            report.lrbench_progress = calibration_line(
                _param(item, "kernel"), _param(item, "when"), stats.iqr / stats.median
            )
        if call.when == "call" and report.passed and _param(item, "study_backend"):
            pass_number, backend, m, n_x = (
                item.callspec.params[k] for k in ("pass_number", "study_backend", "m", "n_x")
            )
            median = item.funcargs["benchmark"].stats.stats.median
            report.lrbench_progress = (
                f"pass {pass_number}: {backend} m={m} n_x={n_x} with X on a page boundary "
                f"(the placement study): median {format_seconds(median)}"
            )
        if call.when == "call" and _param(item, "backend"):
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
            report.lrbench_progress = self.state.plan.progress(what)
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


def _point(item: pytest.Item) -> tuple[int, str, int, int] | None:
    """(pass, backend, m, n_x) of a gradient step's test, else None."""
    if _param(item, "backend") is None:
        return None
    return tuple(item.callspec.params[k] for k in ("pass_number", "backend", "m", "n_x"))


def _stats(item: pytest.Item) -> dict | None:
    """The test's benchmark as pytest-benchmark writes it, if it timed one."""
    fixture = item.funcargs.get("benchmark") if hasattr(item, "funcargs") else None
    stats = getattr(fixture, "stats", None)
    return stats.as_dict(include_data=True) if stats else None


def _param(item: pytest.Item, name: str):
    callspec = getattr(item, "callspec", None)
    return callspec.params.get(name) if callspec else None
