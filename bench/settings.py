"""What a sweep measures and how: the ``Settings`` of a run.

The same object is built from a preset and the user's options
(``bench.harness.settings``), handed to the pytest plugin that runs the sweep,
recorded in the result file and read back by ``Run``. This module imports
nothing heavy: the report and the analysis read a run's settings through it.
"""

import random
from dataclasses import asdict, dataclass, fields
from typing import NamedTuple

import numpy as np

from .claims import CLAIMS
from .placement import BEST_OFFSET, numpy_offset

# Where a backend that reads lazy arrays (dask) gets its data at a point:
# never from a store; from a store only where the data would not fit the memory guard;
# always from a store.
STORE_MODES = ("never", "beyond-memory", "always")
PER_PASS, ONE_PROCESS = "per-pass", "one"
PROCESS_MODES = (PER_PASS, ONE_PROCESS)
DEFAULT_STORE_DIR = "~/.cache/lr-vectorization-bench/stores"
# Where X starts (Settings.placement): where numpy would put it, or pinned (--x-offset).
NUMPY_PLACEMENT, PINNED, UNRECORDED = "numpy", "pinned", "unrecorded"
# The placement study (Settings.placement_study): where each claim's speedup is measured with X
# on a page boundary too, beside numpy's placement: in the cache (around the lecture's size,
# where the claims' largest speedups lie) and from memory.
PLACEMENT_SIZES = ((100, 1000), (1000, 100), (10_000, 100), (10_000, 1000))
# What speedups are taken over unless the user says otherwise (--relative-to).
DEFAULT_REFERENCE = "two_loop"
# The types a run may give the backends (--dtype): the first is the default.
DTYPES = ("float64", "float32")
# Where a user's sweeps and reports go (untracked); ours are in results/ (bench/index.py).
YOUR_RESULTS = "my-results"


def reference_for(backends: list[str] | tuple[str, ...], asked: str | None) -> str:
    """The reference asked for, else two_loop, else the first backend run."""
    if asked is not None:
        return asked
    return DEFAULT_REFERENCE if DEFAULT_REFERENCE in backends else backends[0]


class Point(NamedTuple):
    """A point of the grid for one backend."""

    backend: str
    m: int
    n_x: int


class PassPoint(NamedTuple):
    """A point in one pass: what the sweep measures once (and the journal records)."""

    pass_number: int
    backend: str
    m: int
    n_x: int

    @property
    def point(self) -> Point:
        return Point(self.backend, self.m, self.n_x)


@dataclass(frozen=True)
class AddedRecord:
    """A gradient step a user added (``--add``, ``bench.compare``): its backend's name, and
    where it came from: its file and the file's SHA-256, or None for a function defined in
    Python, which only the process it was defined in can time."""

    function: str
    path: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class Settings:
    preset: str
    m: tuple[int, ...]
    n_x: tuple[int, ...]
    # None (in the presets): every backend registered when the settings are built.
    backends: tuple[str, ...] | None = None
    # A point whose predicted time for one gradient step exceeds this is skipped.
    budget_s: float = 2.0
    # pytest-benchmark's calibration stops after this long at a fast point, in each pass.
    max_time_s: float = 0.2
    # Each point is measured once per pass; passes sweep the whole grid one after another, so
    # drift over the run shows as spread between passes instead of biasing one backend.
    passes: int = 3
    # Time the lecture's dot-product demo in every pass (bench/harness/lecture.py).
    lecture: bool = True
    threads: int = 1
    seed: int = 0
    # float32 halves the bytes of X a step reads; see impls.make_problem.
    dtype: str = "float64"
    # Where the dask backend runs: the address of a dask.distributed scheduler, or None (threads).
    dask_scheduler: str | None = None
    stores: str = "never"  # one of STORE_MODES
    store_dir: str = DEFAULT_STORE_DIR
    keep_stores: bool = False  # else the stores a sweep makes are removed when it ends
    # Add to m the size whose X exceeds BEYOND_RAM times this machine's memory.
    m_beyond_ram: bool = False
    # Before each point, wait until other processes leave the machine quiet (reference runs).
    wait_for_quiet: bool = False
    # Where the passes run: all in this process (ONE_PROCESS), or each in a fresh one (PER_PASS),
    # so that what differs between processes (memory placement, JIT output) shows as spread.
    # Sweeps with stores run in one process: each pass's process would write them again.
    processes: str = PER_PASS  # one of PROCESS_MODES
    # After the passes, more passes (each in a fresh process) at every size where a speedup
    # over the reference is not yet known to this width (its 95% interval's high over low),
    # up to max_passes.
    until: float | None = None
    max_passes: int = 10
    # The backend speedups are taken over (--relative-to); None: reference_for's choice.
    reference: str | None = None
    # Where X starts (bench/placement.py): NUMPY_PLACEMENT, where numpy would put a new array
    # of its size, drawn anew (seeded) for every size and pass; PINNED, x_offset bytes past a
    # page boundary (--x-offset); UNRECORDED in runs made before either existed.
    placement: str = NUMPY_PLACEMENT
    x_offset: int | None = None
    # The users' own gradient steps among the backends (bench/harness/added.py).
    added: tuple[AddedRecord, ...] = ()

    @property
    def backend_names(self) -> tuple[str, ...]:
        if self.backends is None:
            raise ValueError(
                "these settings name no backends yet: bench.harness.build_settings (or "
                "bench.harness.settings.with_every_backend) chooses them"
            )
        return self.backends

    @property
    def added_names(self) -> tuple[str, ...]:
        """The backends that are the users' own functions."""
        return tuple(added.function for added in self.added)

    @property
    def reference_backend(self) -> str:
        return reference_for(self.backend_names, self.reference)

    def sizes(self) -> list[tuple[int, int]]:
        """(m, n_x), smallest problems first, so every prediction has data below it."""
        return sorted(
            ((m, n_x) for m in self.m for n_x in self.n_x), key=lambda s: (s[0] * s[1], s[0])
        )

    def points(self) -> list[PassPoint]:
        """(pass, backend, m, n_x) in the order they run: pass after pass over the grid; at each
        size, the backends back to back in an order shuffled per pass and size (seeded)."""
        return [
            point
            for pass_number in range(1, self.passes + 1)
            for m, n_x in self.sizes()
            for point in self.at_size(pass_number, m, n_x, self.backend_names)
        ]

    def at_size(
        self, pass_number: int, m: int, n_x: int, backends: tuple[str, ...]
    ) -> list[PassPoint]:
        """The points of these backends at one size in one pass, in the pass's seeded order."""
        order = list(backends)
        random.Random(f"{self.seed}-{pass_number}-{m}-{n_x}").shuffle(order)
        return [PassPoint(pass_number, backend, m, n_x) for backend in order]

    def x_offset_at(self, pass_number: int, m: int, n_x: int) -> int:
        """Where X starts, in bytes past a page boundary, at a size in a pass."""
        if self.placement == PINNED:
            return self.x_offset
        draw = random.Random(f"{self.seed}-placement-{pass_number}-{m}-{n_x}")
        return numpy_offset(np.dtype(self.dtype).itemsize * m * n_x, draw)

    def placement_study(self) -> list[tuple[int, str, int, int]]:
        """The best placement's points, (pass, backend, m, n_x): at the study's sizes in the
        grid, each claim's backend swept, in every pass; none where X already starts on a
        page boundary."""
        if self.placement == PINNED and self.x_offset == BEST_OFFSET:
            return []
        backends = [b for b in dict.fromkeys(c.backend for c in CLAIMS) if b in self.backends]
        sizes = [size for size in PLACEMENT_SIZES if size in self.sizes()]
        return [
            (pass_number, backend, m, n_x)
            for pass_number in range(1, self.passes + 1)
            for m, n_x in sizes
            for backend in backends
        ]

    def as_dict(self) -> dict:
        """The settings as the result file records them."""
        return asdict(self) | {"backends": list(self.backend_names)}

    @classmethod
    def from_dict(cls, recorded: dict) -> "Settings":
        """The settings a run file or a journal recorded (lists back to tuples); keys of
        settings this version no longer has are left out."""
        known = {f.name for f in fields(cls)}
        # Runs made before the placement was a setting pinned X (an x_offset) or left it
        # where numpy put it, unrecorded.
        pinned = recorded.get("x_offset") is not None
        values = {
            key: tuple(value) if isinstance(value, list) else value
            for key, value in recorded.items()
            if key in known
        }
        values["added"] = tuple(AddedRecord(**added) for added in values.get("added", ()))
        return cls(**{"placement": PINNED if pinned else UNRECORDED} | values)
