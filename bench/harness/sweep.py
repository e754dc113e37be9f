"""The sweep as a function: ``run(settings) -> Run``, and ``publish`` to put a run in place.

``run`` hands the settings to pytest-benchmark through ``SweepPlugin`` and
returns the validated result; it writes nothing the caller must clean up.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import impls

from .. import machine
from ..results import Run
from ..settings import ONE_PROCESS, PER_PASS, PassPoint, Settings
from .journal import Journal, header
from .limits import Limits
from .planner import until_pass
from .plugin import SweepPlugin
from .recorder import Recorder
from .run_file import RunFile
from .settings import OptionError, check_backends, with_every_backend

DASK_CONNECT_TIMEOUT_S = 10
# After Ctrl-C, how long a pass's process may take to finish its step and write what it has.
CHILD_STOP_S = 60
CHILD_RESEND_S = 5

TIMED_STEPS = Path(__file__).parent / "timed_steps.py"
# A calibrated round lasts at least this long (pytest-benchmark repeats a fast step within
# it), so a fast point keeps a few hundred rounds per pass, not tens of thousands.
MIN_ROUND_S = 0.0005


class SweepError(RuntimeError):
    """The sweep did not finish cleanly; nothing was published."""


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during the sweep. ``partial`` is the run as far as it got (marked incomplete,
    with the points left), or None if nothing had finished; the journal stays for --resume."""

    def __init__(self, partial: Run | None):
        super().__init__()
        self.partial = partial


def describe(settings: Settings) -> str:
    more = (
        f", then up to {settings.max_passes} where a time's interval is wider than "
        f"{settings.until:g}x"
        if settings.until
        else ""
    )
    return (
        f"Sweeping {len(settings.sizes()) * len(settings.backend_names)} {settings.dtype} points "
        f"in {settings.passes} pass(es){more} ({settings.preset}): "
        f"m in {list(settings.m)}, n_x in {list(settings.n_x)}, backends "
        f"{', '.join(settings.backend_names)}, {settings.threads} thread(s), budget "
        f"{settings.budget_s:g} s per step."
    )


@contextlib.contextmanager
def dask_client(address: str | None) -> Iterator[None]:
    """A dask.distributed Client on the scheduler at address while the sweep runs.

    The dask backend computes on the active Client; without an address it
    uses local threads. An address that cannot be reached is an OptionError.
    """
    if address is None:
        yield
        return
    try:
        from distributed import Client
    except ImportError:
        raise OptionError(
            "--dask-scheduler: dask.distributed is not installed "
            "(pip install 'lr-vectorization-bench[dask]')"
        ) from None
    try:
        client = Client(address, timeout=DASK_CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        raise OptionError(
            f"--dask-scheduler: cannot reach a dask scheduler at {address} ({exc})"
        ) from None
    with client:
        yield


def open_journal(settings: Settings, path: Path, resume: bool = False) -> Journal:
    """The journal of a new sweep at path, or the unfinished one there if resume (an
    OptionError if it is another sweep's: other settings, code or machine)."""
    head = header(settings.as_dict(), machine.identity())
    if resume:
        journal = Journal.resume(path, head)
        finished = sum(entry.get("point") is not None for entry in journal.entries.values())
        print(
            f"Resuming the unfinished sweep in {path}: {finished} of {len(settings.points())} "
            "points finished before; measuring the rest.",
            flush=True,
        )
        return journal
    if path.exists():
        print(f"Starting anew: the unfinished sweep in {path} is replaced (--resume continues it).")
    return Journal.start(path, head)


def run(settings: Settings, journal: Journal | None = None) -> Run:
    """Measure every point of the sweep (printing progress) and return the run.

    Each finished point goes into the journal as it ends (by default one in a
    temporary folder, gone with the sweep); a resumed journal's points are not
    measured again. With ``settings.processes == PER_PASS`` each pass runs in
    a fresh process (``pass_process.py``), so the spread between passes holds
    what differs between processes too. Ctrl-C raises SweepInterrupted with the
    partial run.
    """
    settings = with_every_backend(settings)
    check_backends(settings.backend_names, "backends")
    outside = registered_here(settings)
    if outside and settings.processes == PER_PASS:
        print(f"Every pass runs in this process: {', '.join(outside)} exist only here.")
        settings = replace(settings, processes=ONE_PROCESS)
    with dask_client(settings.dask_scheduler):  # reachable? (an OptionError before any point)
        pass
    print(describe(settings), flush=True)
    with tempfile.TemporaryDirectory(prefix="lrbench-") as work:
        json_path = Path(work) / "run.json"
        if journal is None:
            journal = open_journal(settings, Path(work) / "journal.jsonl")
        if settings.processes == PER_PASS:
            status = measure_pass_by_pass(settings, journal, json_path)
        else:
            status = measure(settings, journal, json_path)
        if status == pytest.ExitCode.INTERRUPTED:
            finished = json_path.exists() and Journal.resume(journal.path, journal.header).entries
            raise SweepInterrupted(Run.load(json_path) if finished else None)
        if status != pytest.ExitCode.OK:
            raise SweepError(f"the sweep did not finish cleanly ({describe_status(status)})")
        return Run.load(json_path)


def registered_here(settings: Settings) -> list[str]:
    """Backends registered by this process (impls.register) that a fresh process lacks: all but
    impls' own and the users' functions from files, which each pass's process imports again."""
    from_files = {added.function for added in settings.added if added.path is not None}
    return [
        name
        for name in settings.backend_names
        if not impls.BACKENDS[name].gradient.__module__.startswith("impls")
        and name not in from_files
    ]


def measure(
    settings: Settings,
    journal: Journal,
    json_path: Path,
    passes: set[int] | None = None,
    started: float | None = None,
    until_points: list[PassPoint] | None = None,
    closes: bool | None = None,
) -> int:
    """Run the sweep's pytest session in this process (only the passes named, if any, and an
    extra pass's points), with the dask client it needs; the run file is written to json_path.
    started: when the sweep began (time.time()), for its progress lines; closes: whether this
    process closes the run (by default: it measures the last pass). Returns pytest's status."""
    # The sweep's own folder (beside the run file) keeps its large problems between passes.
    kept = json_path.with_name("problems")
    sweep = SweepPlugin(settings, journal, passes, started, until_points, closes, kept)
    limits = Limits(settings.threads, sweep.state.stores.shelf)
    recorder = Recorder(sweep.state, journal, settings.wait_for_quiet)
    with dask_client(settings.dask_scheduler):
        return pytest.main(
            [
                str(TIMED_STEPS),
                # No ini file of whatever project the user runs from: only these options.
                "-c",
                "/dev/null",
                "--rootdir",
                str(TIMED_STEPS.parent),
                "-q",
                "--no-header",
                "-p",
                "no:cacheprovider",
                "--benchmark-quiet",
                "-rfE",
                f"--benchmark-max-time={settings.max_time_s}",
                f"--benchmark-min-time={MIN_ROUND_S}",
                f"--benchmark-json={json_path}",
            ],
            plugins=[
                sweep,
                limits,
                recorder,
                RunFile(settings, journal, sweep.state, sweep.closes, limits.point_cores),
            ],
        )


def measure_pass_by_pass(settings: Settings, journal: Journal, json_path: Path) -> int:
    """Each pass in a fresh process, one after another, all writing to the journal; then, with
    --until, extra passes where a point is not yet known well enough, and a process that
    closes the run. The process that closes writes the run file. Returns the first status
    that is not OK, else OK."""
    settings_path = json_path.with_name("settings.json")
    settings_path.write_text(json.dumps(settings.as_dict()))
    started = time.time()
    child = [sys.executable, "-m", "bench", "pass", str(settings_path)]
    child += [str(journal.path), str(json_path), str(started)]
    # The sweep's own cache of numba's machine code: pass 1 compiles (its first calls are the
    # compile times the run records), later passes load the same code instead of compiling
    # it again, which takes seconds a process (docs/tuning.md).
    compiled = {**os.environ, machine.NUMBA_CACHE_DIR: str(json_path.with_name("numba-cache"))}
    closes_last_pass = settings.until is None
    for pass_number in range(1, settings.passes + 1):
        last = pass_number == settings.passes and closes_last_pass
        if not last and not unmeasured_in(settings.points(), journal, pass_number):
            continue  # finished before an interruption: nothing of it to measure again
        closes = ["--closes"] if last else []
        status = run_child([*child, "--pass", str(pass_number), *closes], compiled)
        if status != pytest.ExitCode.OK:
            return status
    if closes_last_pass:
        return pytest.ExitCode.OK
    for pass_number in range(settings.passes + 1, settings.max_passes + 1):
        points = until_pass(settings, pass_medians(journal), pass_number)
        if not points:
            break
        print(f"--until {settings.until:g}: pass {pass_number} at {len(points)} point(s)")
        if not unmeasured_in(points, journal, pass_number):
            continue
        points_path = json_path.with_name(f"pass-{pass_number}.json")
        points_path.write_text(json.dumps(points))
        extra_pass = [*child, "--pass", str(pass_number), "--points", str(points_path)]
        status = run_child(extra_pass, compiled)
        if status != pytest.ExitCode.OK:
            return status
    return run_child([*child, "--closes"], compiled)


def finished_points(journal: Journal) -> list[dict]:
    """The journal's entries of points (read again: children write to it)."""
    entries = Journal.resume(journal.path, journal.header).entries.values()
    return [entry for entry in entries if entry.get("point") is not None]


def unmeasured_in(points: list[tuple], journal: Journal, pass_number: int) -> bool:
    """Whether the journal lacks one of these points in this pass."""
    done = {tuple(entry["point"]) for entry in finished_points(journal)}
    return any(p[0] == pass_number and p not in done for p in points)


def pass_medians(journal: Journal) -> dict[tuple[str, int, int], list[float]]:
    """Each measured point's median step in each pass so far, in pass order."""
    measured = sorted(
        (tuple(entry["point"]), entry["benchmark"]["stats"]["median"])
        for entry in finished_points(journal)
        if entry.get("benchmark")
    )
    medians: dict[tuple[str, int, int], list[float]] = {}
    for (_, backend, m, n_x), median in measured:
        medians.setdefault((backend, m, n_x), []).append(median)
    return medians


def run_child(command: list[str], env: dict[str, str] | None = None) -> int:
    """A pass's process, waited for. Ctrl-C reaches it too (one process group): it finishes
    the step it is in, writes what it has and ends, and this waits for that. A Ctrl-C can be
    lost in a library's callback, so it is sent again every few seconds, up to CHILD_STOP_S."""
    child = subprocess.Popen(command, env=env)
    try:
        return child.wait()
    except KeyboardInterrupt:
        deadline = time.monotonic() + CHILD_STOP_S
        while time.monotonic() < deadline:
            try:
                child.wait(timeout=CHILD_RESEND_S)
                break
            except subprocess.TimeoutExpired:
                child.send_signal(signal.SIGINT)
        else:
            child.kill()
            child.wait(timeout=CHILD_STOP_S)
        return pytest.ExitCode.INTERRUPTED


def describe_status(status: int) -> str:
    if status < 0:  # a child killed by a signal
        name = signal.Signals(-status).name
        why = " (by the kernel's OOM killer, if dmesg says so)" if name == "SIGKILL" else ""
        return f"a pass's process was killed by {name}{why}; --resume continues the sweep"
    return f"pytest exit {int(status)}"


def publish(run: Run, results_dir: Path) -> tuple[Path, Run]:
    """Write the run to runs/<UTC time>-<commit>.json and latest.json, each whole.

    Returns the first path and the run, now named after latest.json.
    """
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    final = results_dir / "runs" / f"{stamp}-{git_short_sha()}.json"
    final.parent.mkdir(parents=True, exist_ok=True)
    run.write(final)
    latest = results_dir / "latest.json"
    run.write(latest)
    return final, replace(run, source=str(latest))


def git_short_sha() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "nogit"


__all__ = ["OptionError", "SweepError", "SweepInterrupted", "open_journal", "publish", "run"]
