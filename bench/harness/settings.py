"""The presets as data, and the checks that turn a user's options into ``Settings``.

A sweep is a grid of (backend, m, n_x) points plus the settings that decide
how each is timed (``bench.settings.Settings``).
"""

import math
from dataclasses import replace

import numpy as np

import impls

from ..claims import CLAIMS
from ..machine import total_memory_bytes
from ..placement import OFFSET_STEP, PAGE
from ..settings import (
    DTYPES,
    ONE_PROCESS,
    PER_PASS,
    PINNED,
    PROCESS_MODES,
    STORE_MODES,
    AddedRecord,
    Settings,
)

# The out-of-core preset adds an m whose X is this many times the machine's memory.
BEYOND_RAM = 1.25


def one_two_five(low: int, high: int) -> tuple[int, ...]:
    """1-2-5 steps per decade from low to high, both powers of ten."""
    values = []
    decade = low
    while decade <= high:
        values += [decade * k for k in (1, 2, 5) if decade * k <= high]
        decade *= 10
    return tuple(values)


def decades(low: int, high: int) -> tuple[int, ...]:
    """Powers of ten from low to high."""
    values = []
    while low <= high:
        values.append(low)
        low *= 10
    return tuple(values)


PRESETS: dict[str, Settings] = {
    # A first answer in about two minutes on 2 cores: the claims' backends at sizes around the
    # lecture's (m=1,000, n_x=100), 5 passes for intervals that decide. It leaves out the
    # compiled backends, jax and dask, sizes above m·n_x = 1e7 (where vectorizing pays most on
    # some CPUs), the slowest loops' largest points (budget) and the lecture's demo.
    "first-look": Settings(
        "first-look",
        m=(100, 1000, 10_000),
        n_x=(10, 100, 1000),
        backends=tuple(dict.fromkeys(side for c in CLAIMS for side in (c.baseline, c.backend))),
        budget_s=0.5,
        max_time_s=0.05,
        passes=5,
        lecture=False,
    ),
    # What a first-time user runs: a few minutes on 2 cores (docs/tuning.md). 7 passes: 3
    # give 95% intervals about twice as wide (Student's t with 2 against 6 degrees of freedom).
    "quick": Settings(
        "quick", m=(100, 1000, 10_000), n_x=(10, 100, 1000), max_time_s=0.1, passes=7
    ),
    # The whole map in decades, 3 passes, within 15 minutes on 2 cores; the larger budget
    # lets the loops reach m·n_x = 1e7-1e8, where the speedups are largest.
    "default": Settings("default", m=decades(10, 1_000_000), n_x=decades(1, 10_000), budget_s=5.0),
    # Finer steps for report charts; expect about an hour. The dask backend reads the points
    # beyond the memory guard from stores on disk, as far as the budget allows.
    "full": Settings(
        "full",
        m=one_two_five(10, 1_000_000),
        n_x=one_two_five(1, 10_000),
        budget_s=10.0,
        stores="beyond-memory",
    ),
    # Data in memory and beyond it: numpy and numba in memory while they fit, dask in memory
    # while it fits and from a store on disk after, up to an X larger than this machine's RAM;
    # it needs disk for its two largest stores, of about 0.7 and 1.4 times the RAM.
    "out-of-core": Settings(
        "out-of-core",
        m=(100_000, 1_000_000, 2_000_000),
        n_x=(1000,),
        backends=("vectorized", "numba_fused", "dask"),
        budget_s=600.0,
        lecture=False,
        stores="beyond-memory",
        m_beyond_ram=True,
    ),
}


def m_beyond_ram(n_x: int, dtype: str, memory_bytes: int) -> int:
    """The smallest m, in two significant digits, whose X of n_x features is BEYOND_RAM times
    memory_bytes."""
    m = BEYOND_RAM * memory_bytes / (np.dtype(dtype).itemsize * n_x)
    step = 10 ** max(0, int(math.log10(m)) - 1)
    return int(math.ceil(m / step) * step)


class OptionError(ValueError):
    """A command-line option that cannot be used; the message says which and why."""


def parse_sizes(text: str, option: str) -> tuple[int, ...]:
    """'100,1000' -> (100, 1000); every entry must be a positive integer."""
    sizes = []
    for item in text.split(","):
        try:
            value = int(item.strip())
        except ValueError:
            raise OptionError(
                f"{option}: {item.strip()!r} is not an integer (expected e.g. 100,1000)"
            ) from None
        if value <= 0:
            raise OptionError(f"{option}: sizes must be positive; got {value}")
        sizes.append(value)
    return tuple(sorted(set(sizes)))


def check_backends(names: tuple[str, ...], option: str) -> tuple[str, ...]:
    """The names, each a registered backend; an OptionError lists the valid ones."""
    unknown = [name for name in names if name not in impls.BACKENDS]
    if unknown:
        listed = ", ".join(map(repr, unknown))
        raise OptionError(
            f"--{option}: unknown backend {listed}; choose from {', '.join(impls.BACKENDS)}"
        )
    return names


def parse_backends(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",")))
    return check_backends(names, "backends")


def with_every_backend(settings: Settings) -> Settings:
    """The settings, naming every registered backend where they named none."""
    if settings.backends is not None:
        return settings
    return replace(settings, backends=tuple(impls.BACKENDS))


def check_until(
    until: float | None, max_passes: int | None, passes: int, processes: str | None
) -> dict:
    """--until and --max-passes as Settings fields; an OptionError says what is wrong."""
    if until is None:
        raise OptionError("--max-passes: goes with --until WIDTH")
    if not until > 1:
        raise OptionError(
            f"--until: a width above 1 (the 95% interval's high over low, e.g. 1.1); got {until:g}"
        )
    if passes < 2:
        raise OptionError("--until: needs at least 2 passes to know an interval (--passes)")
    if processes == ONE_PROCESS:
        raise OptionError("--until: its extra passes run in fresh processes; not with one")
    chosen = max(Settings.max_passes, passes) if max_passes is None else max_passes
    if chosen < passes:
        raise OptionError(f"--max-passes: at least the {passes} passes; got {chosen}")
    return {"until": until, "max_passes": chosen}


def build_settings(
    preset: str = "default",
    m: str | None = None,
    nx: str | None = None,
    backends: str | None = None,
    threads: int = 1,
    budget: float | None = None,
    dtype: str = "float64",
    passes: int | None = None,
    until: float | None = None,
    max_passes: int | None = None,
    dask_scheduler: str | None = None,
    stores: str | None = None,
    store_dir: str | None = None,
    keep_stores: bool = False,
    wait_for_quiet: bool = False,
    processes: str | None = None,
    x_offset: int | None = None,
    added: tuple[AddedRecord, ...] = (),
) -> Settings:
    """The preset, with any sizes, backends, threads or budget the user gave instead, and the
    users' own functions (registered already, ``bench.harness.added``) beside its backends."""
    if preset not in PRESETS:
        raise OptionError(f"--preset: unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
    sweep = PRESETS[preset]
    if m is not None:
        sweep = replace(sweep, m=parse_sizes(m, "--m"), m_beyond_ram=False)
    if nx is not None:
        sweep = replace(sweep, n_x=parse_sizes(nx, "--nx"))
    if backends is not None:
        sweep = replace(sweep, backends=parse_backends(backends))
    if added:
        names = tuple(record.function for record in added)
        listed = sweep.backends if sweep.backends is not None else tuple(impls.BACKENDS)
        sweep = replace(sweep, backends=tuple(dict.fromkeys([*listed, *names])), added=added)
    if threads <= 0:
        raise OptionError(f"--threads: must be a positive integer; got {threads}")
    if budget is not None and not budget > 0:
        raise OptionError(f"--budget: must be a positive number of seconds; got {budget}")
    if dtype not in DTYPES:
        raise OptionError(f"--dtype: choose from {', '.join(DTYPES)}; got {dtype!r}")
    sweep = replace(sweep, dtype=dtype)
    if x_offset is not None:
        if not (0 <= x_offset < PAGE and x_offset % OFFSET_STEP == 0):
            raise OptionError(
                f"--x-offset: a multiple of {OFFSET_STEP} bytes from 0 to {PAGE - OFFSET_STEP} "
                f"(where X starts past a page boundary); got {x_offset}"
            )
        sweep = replace(sweep, placement=PINNED, x_offset=x_offset)
    if passes is not None:
        if passes <= 0:
            raise OptionError(f"--passes: must be a positive integer; got {passes}")
        sweep = replace(sweep, passes=passes)
    if until is not None or max_passes is not None:
        sweep = replace(sweep, **check_until(until, max_passes, sweep.passes, processes))
    if processes is not None and processes not in PROCESS_MODES:
        raise OptionError(f"--processes: choose from {', '.join(PROCESS_MODES)}; got {processes!r}")
    if stores is not None:
        if stores not in STORE_MODES:
            raise OptionError(f"--stores: choose from {', '.join(STORE_MODES)}; got {stores!r}")
        sweep = replace(sweep, stores=stores)
    if sweep.stores != "never":
        if processes == PER_PASS or sweep.until is not None:
            option = "--until" if sweep.until is not None else "--processes per-pass"
            raise OptionError(
                f"{option}: not with stores (each pass's process would write its stores "
                "again); stores need every pass in one process (--processes one)"
            )
        processes = ONE_PROCESS
    if sweep.m_beyond_ram:
        beyond = tuple(m_beyond_ram(n_x, dtype, total_memory_bytes()) for n_x in sweep.n_x)
        sweep = replace(sweep, m=tuple(sorted({*sweep.m, *beyond})), m_beyond_ram=False)
    return replace(
        with_every_backend(sweep),
        threads=threads,
        budget_s=budget if budget is not None else sweep.budget_s,
        dask_scheduler=dask_scheduler,
        store_dir=store_dir or sweep.store_dir,
        keep_stores=keep_stores,
        wait_for_quiet=wait_for_quiet,
        processes=processes or sweep.processes,
    )
