"""The sweep as a function: ``run(settings) -> Run``, and ``publish`` to put a run in place.

``run`` hands the settings to pytest-benchmark through ``SweepPlugin`` and
returns the validated result; it writes nothing the caller must clean up.
"""

import contextlib
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from ..results import Run
from . import machine
from .journal import Journal, header
from .plugin import SweepPlugin
from .settings import OptionError, Settings, check_backends

DASK_CONNECT_TIMEOUT_S = 10

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
    return (
        f"Sweeping {len(settings.sizes()) * len(settings.backend_names)} {settings.dtype} points "
        f"in {settings.passes} pass(es) ({settings.preset}): "
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
        return Journal.resume(path, head)
    if path.exists():
        print(f"Starting anew: the unfinished sweep in {path} is replaced (--resume continues it).")
    return Journal.start(path, head)


def run(settings: Settings, journal: Journal | None = None) -> Run:
    """Measure every point of the sweep (printing progress) and return the run.

    Each finished point goes into the journal as it ends (by default one in a
    temporary folder, gone with the sweep); a resumed journal's points are not
    measured again. Ctrl-C raises SweepInterrupted with the partial run.
    """
    check_backends(settings.backend_names, "backends")
    print(describe(settings), flush=True)
    with (
        tempfile.TemporaryDirectory(prefix="lrbench-") as work,
        dask_client(settings.dask_scheduler),
    ):
        json_path = Path(work) / "run.json"
        if journal is None:
            journal = open_journal(settings, Path(work) / "journal.jsonl")
        status = pytest.main(
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
            plugins=[SweepPlugin(settings, journal)],
        )
        if status == pytest.ExitCode.INTERRUPTED:
            written = json_path.exists() and journal.benchmarks()
            raise SweepInterrupted(Run.load(json_path) if written else None)
        if status != pytest.ExitCode.OK:
            raise SweepError(f"the sweep did not finish cleanly (pytest exit {int(status)})")
        return Run.load(json_path)


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
