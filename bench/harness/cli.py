"""The options of ``python -m bench``: parsed and checked before anything is measured."""

import argparse
from pathlib import Path

import impls

from ..results import write_atomic
from ..settings import PROCESS_MODES, STORE_MODES, Settings
from .neighbours import BUSY_CORES, QUIET_PATIENCE_S
from .settings import BEYOND_RAM, PRESETS, OptionError, build_settings


def parser() -> argparse.ArgumentParser:
    """The measuring options; ``python -m bench`` adds the report's own."""
    presets = "\n".join(
        f"  {name:11} m in {list(s.m)}"
        + (f" and the m whose X is {BEYOND_RAM:g}x this machine's RAM" if s.m_beyond_ram else "")
        + f", n_x in {list(s.n_x)}; "
        + (f"backends {', '.join(s.backends)}; " if s.backends else "")
        + f"budget {s.budget_s:g} s per step"
        + (f"; stores: {s.stores}" if s.stores != "never" else "")
        for name, s in PRESETS.items()
    )
    backends = "\n".join(f"  {b.name:15} {b.description}" for b in impls.BACKENDS.values())
    result = argparse.ArgumentParser(
        prog="python -m bench",
        description="Time one logistic-regression gradient step of every backend over a grid of "
        "problem sizes (m examples, n_x features), write results/, then the charts and the report.",
        epilog=f"presets:\n{presets}\n\nbackends:\n{backends}\n\nexamples:\n"
        "  nox -s bench -- --preset quick\n"
        "  nox -s bench -- --m 100,1000 --nx 10,100 --backends vectorized,numba\n"
        "  nox -s bench -- --preset quick --relative-to one_loop --dtype float32\n"
        "  nox -s bench -- --preset out-of-core --store-dir /mnt/big/stores\n"
        "  nox -s bench -- --preset quick --resume   # after Ctrl-C or a kill: the rest only\n"
        "  nox -s bench -- --wait-for-quiet --until 1.15   # a reference run: quiet, and known",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = result.add_argument
    add("--preset", default="default", help="grid to sweep (default: %(default)s)")
    add("--m", help="comma-separated numbers of examples, instead of the preset's")
    add("--nx", help="comma-separated numbers of features, instead of the preset's")
    add("--backends", help="comma-separated backend names (default: all)")
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
        "shows as spread (default: the preset's; quick 7, default and full 3)",
    )
    add(
        "--until",
        type=float,
        metavar="WIDTH",
        help="after the passes, keep adding passes (each in a fresh process) at the sizes where "
        "a speedup over the reference (--relative-to) is not yet known to WIDTH, its 95%% "
        "interval's high over low (e.g. 1.15), until each is or --max-passes is reached "
        "(default: the passes only)",
    )
    add(
        "--max-passes",
        type=int,
        metavar="N",
        help=f"with --until: at most N passes at a point (default: {Settings.max_passes})",
    )
    add(
        "--dtype",
        default="float64",
        help="float64 or float32: the type of X, Y and w the backends are given; float32 halves "
        "the bytes a step reads (default: %(default)s)",
    )
    add(
        "--x-offset",
        type=int,
        default=0,
        metavar="BYTES",
        help="where X starts: BYTES past a page boundary, a multiple of 16. The compiled and "
        "BLAS kernels read X up to 1.3x faster when it starts on a 32-byte boundary; numpy "
        "puts a large array 16 bytes past a page (default: %(default)s; 16 measures that)",
    )
    add(
        "--results-dir",
        type=Path,
        default=Path("results"),
        help="where runs/, latest.json, latest.csv and REPORT.md go (default: %(default)s)",
    )
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
        "where they would not fit in memory (beyond-memory); or always (default: the preset's; "
        "full and out-of-core: beyond-memory, others: never)",
    )
    add(
        "--store-dir",
        metavar="PATH",
        help="folder for the stores, on the disk to be measured (default: "
        f"{Settings.store_dir}); a store found there for the same problem is used again",
    )
    add(
        "--wait-for-quiet",
        action="store_true",
        help="before each point, wait until other processes keep less than "
        f"{BUSY_CORES:g} of a core busy; give up, keeping what finished for --resume, if the "
        f"machine stays busy for {QUIET_PATIENCE_S:g} s (for reference runs; every point "
        "records what others used either way)",
    )
    add(
        "--processes",
        choices=PROCESS_MODES,
        help="per-pass: each pass in a fresh process, so each point's interval holds what "
        "differs between processes (memory placement, the JIT's output) as well as between "
        "passes; one: every pass in this process, a few seconds quicker per pass "
        "(default: per-pass)",
    )
    add(
        "--resume",
        action="store_true",
        help="continue the sweep that was interrupted (Ctrl-C, a kill, the OOM killer) from its "
        "journal in --results-dir, measuring only what it had not finished; give the same "
        "options as then (it refuses other settings, code or machine)",
    )
    add(
        "--keep-stores",
        action="store_true",
        help="keep the stores this sweep makes (default: remove them when it ends)",
    )
    return result


# The options build_settings takes, by the name argparse gives them.
BUILD_OPTIONS = (
    "preset",
    "m",
    "nx",
    "backends",
    "threads",
    "budget",
    "dtype",
    "passes",
    "until",
    "max_passes",
    "dask_scheduler",
    "stores",
    "store_dir",
    "keep_stores",
    "wait_for_quiet",
    "processes",
    "x_offset",
)


def settings_from(args: argparse.Namespace) -> Settings:
    """The sweep the options ask for; an OptionError names the option at fault."""
    options = {name: getattr(args, name) for name in BUILD_OPTIONS}
    settings = build_settings(**options)
    check_writable(args.results_dir / "runs", "--results-dir")
    if settings.stores != "never":
        check_writable(Path(settings.store_dir).expanduser(), "--store-dir")
    return settings


def check_writable(directory: Path, option: str) -> None:
    """Make the folder if need be and write a file in it; an OptionError names the option."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        write_atomic(directory / ".write-check", "")
        (directory / ".write-check").unlink()
    except OSError as exc:
        raise OptionError(f"{option}: cannot write to {directory}: {exc.strerror or exc}") from None
