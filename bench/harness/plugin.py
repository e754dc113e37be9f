"""The pytest plugin that runs a sweep: parametrization, thread limits, progress, run metadata.

``sweep.run`` hands one ``SweepPlugin`` to ``pytest.main``, so the settings
reach the timed functions in ``timed_steps.py`` as a Python object.
"""

import os
import time
from datetime import datetime, timezone

import numba
import pytest
from pytest_benchmark import __version__ as pytest_benchmark_version
from threadpoolctl import threadpool_limits

import impls

from .. import machine
from ..results import SCHEMA_VERSION
from ..units import format_seconds
from . import bandwidth, lecture, neighbours, roof
from .journal import Journal
from .settings import Settings
from .state import SweepState

AFFINITY = hasattr(os, "sched_setaffinity")  # Linux; elsewhere only the thread limits hold


class SweepPlugin:
    def __init__(
        self,
        settings: Settings,
        journal: Journal,
        passes: set[int] | None = None,
        started: float | None = None,
    ):
        self.settings = settings
        # The passes this process measures (None: all); the first opens with the calibration
        # kernels' "start" window, the sweep's last closes with their "end" window.
        self.passes = passes
        self.state = SweepState(settings)
        if started is not None:  # the sweep began in an earlier process
            self.state.plan.started -= time.time() - started
        # Every finished test is written here as it ends; the run file is made from it.
        self.journal = journal
        self.interrupted = False
        # Whether other processes left the last point alone: --wait-for-quiet then need not
        # look again before the next one.
        self.last_point_quiet = False
        self.limits: threadpool_limits | None = None
        self.all_cores = sorted(os.sched_getaffinity(0)) if AFFINITY else []
        # The cores every timed step may run on: as many as the sweep's threads.
        self.point_cores = set(self.all_cores[: settings.threads])

    def pytest_configure(self, config: pytest.Config) -> None:
        self.state.stores.shelf.say = lambda message: _say(config, message)
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
        if self.settings.wait_for_quiet and _param(item, "backend") and not self.last_point_quiet:
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
        """Started as the point starts; the point reads what other processes did meanwhile."""
        return neighbours.Watch()

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        names = set(metafunc.fixturenames)
        if {"pass_number", "backend", "m", "n_x"} <= names:
            points = self.settings.points()
            metafunc.parametrize(
                ("pass_number", "backend", "m", "n_x"),
                points,
                ids=[f"p{p}-{b}-m{m}-nx{n}" for p, b, m, n in points],
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

        # Calibration at the start; then pass after pass, each opening with the lecture's
        # demo; the calibration kernels' "end" window after the last point of the sweep.
        def phase(item: pytest.Item) -> tuple:
            when = _param(item, "when")
            if when is not None:
                return (0,) if when == "start" else (2,)
            return (1, _param(item, "pass_number"), 0 if _param(item, "kernel") else 1)

        items.sort(key=phase)  # stable: the parametrized order is kept within a phase
        self.keep_own_passes(config, items)
        self.skip_finished(config, items)

    def keep_own_passes(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if self.passes is None:
            return
        windows = {"start": 1, "end": self.settings.passes}  # the pass each window belongs to

        def mine(item: pytest.Item) -> bool:
            when = _param(item, "when")
            return (windows[when] if when else _param(item, "pass_number")) in self.passes

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

    def pytest_keyboard_interrupt(self, excinfo) -> None:
        self.interrupted = True  # the run is written as it stands, without the slow probes

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
            if report.passed and _param(item, "backend"):
                extra = item.funcargs["benchmark"].extra_info
                self.last_point_quiet = extra.get("busy") is False
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

    @pytest.hookimpl(tryfirst=True)
    def pytest_benchmark_generate_json(
        self, config, benchmarks, include_data, machine_info, commit_info
    ) -> dict:
        """The run file's benchmarks from the journal: this process's and any resumed ones."""
        return {
            "machine_info": machine_info,
            "commit_info": commit_info,
            "benchmarks": self.journal.benchmarks(),
            "datetime": datetime.now(timezone.utc).isoformat(),
            "version": pytest_benchmark_version,
        }

    def pytest_benchmark_update_machine_info(self, config: pytest.Config, machine_info: dict):
        facts = machine.collect(self.settings.threads)
        # The probes run once a sweep: in the process of its last pass, whose run file is the
        # one kept (an earlier pass's is written over); a Ctrl-C wants its answer in seconds.
        closes_the_run = self.passes is None or self.settings.passes in self.passes
        if closes_the_run and not self.interrupted:
            facts["read_bandwidth"] = bandwidth.measure()
            facts["cache_probe"] = bandwidth.cache_knee()
            study = roof.study_for(self.settings, say=lambda message: _say(config, message))
            if study is not None:
                facts["roof"] = study
        facts["point_cpu_affinity"] = sorted(self.point_cores)
        facts["neighbours"] = neighbour_facts(self.journal.benchmarks())
        if self.state.stores.disk_probe is not None:
            facts["disk_read"] = self.state.stores.disk_probe
        machine_info["lrbench"] = facts

    def pytest_benchmark_update_json(self, config: pytest.Config, benchmarks, output_json: dict):
        output_json["lrbench"] = {
            "schema_version": SCHEMA_VERSION,
            "settings": self.settings.as_dict(),
            "skipped": self.state.plan.skipped,
            "first_call_s": self.state.first_call_s,
            "order": [list(point) for point in self.settings.points()],
            "stores": self.state.stores.shelf.facts(),
            # What analysis needs of each backend's contract, so it never imports impls.
            "backends": {
                name: {
                    "description": impls.BACKENDS[name].description,
                    "passes_over_x": impls.BACKENDS[name].passes_over_x,
                }
                for name in self.settings.backend_names
            },
        }
        left = self.state.plan.left()
        if left:
            output_json["lrbench"]["incomplete"] = {"left": [list(point) for point in left]}

    def pytest_terminal_summary(self, terminalreporter, config: pytest.Config) -> None:
        for warning in machine.collect(self.settings.threads)["warnings"]:
            terminalreporter.write_line(f"WARNING: {warning}", yellow=True, bold=True)


def _say(config: pytest.Config, message: str) -> None:
    """Print now, past pytest's capture of the running point's output."""
    capture = config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(message, flush=True)


def neighbour_facts(benchmarks: list[dict]) -> dict:
    """Over every point of the run (this process's and resumed ones): how many were measured
    beside other work, and how much others and the hypervisor took."""
    seen = [b["extra_info"] for b in benchmarks if "others_cpu" in (b.get("extra_info") or {})]
    others = sorted(info["others_cpu"] for info in seen)
    return {
        "busy_cores": neighbours.BUSY_CORES,
        "points": len(seen),
        "busy_points": sum(bool(info["busy"]) for info in seen),
        "others_cpu_median": others[len(others) // 2] if others else None,
        "others_cpu_max": others[-1] if others else None,
        "steal_cpu_max": max((info["steal_cpu"] for info in seen), default=None),
    }


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
