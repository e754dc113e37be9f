"""pytest glue for the sweep: options, parametrization, thread limits, result metadata."""

import numba
import pytest
from threadpoolctl import threadpool_limits

from bench import bandwidth, machine
from bench.sweep_config import PRESETS, Sweep
from bench.sweep_state import SweepState, format_seconds

STATE = pytest.StashKey[SweepState]()
LIMITS = pytest.StashKey[threadpool_limits]()


def pytest_addoption(parser):
    parser.addoption(
        "--sweep",
        default=None,
        help="the sweep as JSON, as python -m bench writes it (default: the quick preset)",
    )


def pytest_configure(config):
    text = config.getoption("--sweep")
    sweep = Sweep.from_json(text) if text else PRESETS["quick"]
    # Threads are a controlled variable: BLAS, OpenMP and numba all get the same number.
    config.stash[LIMITS] = threadpool_limits(limits=sweep.threads)
    numba.set_num_threads(min(sweep.threads, numba.config.NUMBA_NUM_THREADS))
    config.stash[STATE] = SweepState(sweep)


def pytest_unconfigure(config):
    if LIMITS in config.stash:
        config.stash[LIMITS].restore_original_limits()


def pytest_generate_tests(metafunc):
    if {"backend", "m", "n_x"} <= set(metafunc.fixturenames):
        points = metafunc.config.stash[STATE].sweep.points()
        metafunc.parametrize(
            ("backend", "m", "n_x"), points, ids=[f"{b}-m{m}-nx{n}" for b, m, n in points]
        )


def pytest_collection_modifyitems(items):
    # pytest runs this folder's files in name order, so the calibration comes first;
    # its "end" window is moved after the last point of the sweep.
    end = [item for item in items if _param(item, "when") == "end"]
    items[:] = [item for item in items if item not in end] + end


def _param(item, name):
    callspec = getattr(item, "callspec", None)
    return callspec.params.get(name) if callspec else None


@pytest.fixture
def sweep_state(request) -> SweepState:
    return request.config.stash[STATE]


def pytest_report_teststatus(report, config):
    # Our own progress line replaces pytest's dots and s's.
    if report.when == "call" or (report.when == "setup" and report.skipped):
        return report.outcome, "", ""
    return None


def pytest_runtest_logreport(report):
    message = getattr(report, "lrbench_progress", None)
    if message and report.when == "call":
        print(message, flush=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "call" and "backend" in item.callspec.params:
        state = item.config.stash[STATE]
        backend, m, n_x = (item.callspec.params[k] for k in ("backend", "m", "n_x"))
        what = f"{backend} m={m} n_x={n_x}: "
        if report.skipped:
            what += report.longrepr[2].removeprefix("Skipped: ")
        elif report.failed:
            what += "FAILED"
        else:
            what += f"median {format_seconds(item.funcargs['benchmark'].stats.stats.median)}"
        report.lrbench_progress = state.progress(what)
    return report


def pytest_benchmark_update_machine_info(config, machine_info):
    facts = machine.collect(config.stash[STATE].sweep.threads)
    facts["read_bandwidth"] = bandwidth.measure()
    machine_info["lrbench"] = facts


def pytest_benchmark_update_json(config, benchmarks, output_json):
    state = config.stash[STATE]
    output_json["lrbench"] = {
        "sweep": state.sweep.to_json(),
        "skipped": state.skipped,
        "first_call_s": state.first_call_s,
    }


def pytest_terminal_summary(terminalreporter, config):
    for warning in machine.collect(config.stash[STATE].sweep.threads)["warnings"]:
        terminalreporter.write_line(f"WARNING: {warning}", yellow=True, bold=True)
