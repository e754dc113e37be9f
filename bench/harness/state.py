"""The sweep's running state: which points to skip and why, the data, progress.

Kept apart from the pytest glue in ``plugin.py`` so it can be tested and
read on its own.
"""

import gc
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import impls

from .. import cost_model
from ..units import clock
from . import disk
from .machine import available_memory_bytes
from .settings import Settings
from .stores import Shelf, StoredProblem

# A point may use at most this share of the memory available when it is decided.
MEMORY_SHARE = 0.75
# Faster than this per step: let pytest-benchmark calibrate and repeat for max_time_s.
# Slower: a fixed few rounds (pedantic mode), since calibration would take minutes.
CALIBRATE_BELOW_S = 0.02
SLOW_POINT_TARGET_S = 3.0
SLOW_POINT_ROUNDS = (3, 10)
# A store's point reads the store untimed before its first round (writing it, its expected
# answer, the first call) and once more before every round (the paired disk rate).
UNTIMED_READS = 3


@dataclass(frozen=True)
class Problem:
    """One (m, n_x) problem with fixed parameters and the vectorized answer to check against."""

    X: np.ndarray
    Y: np.ndarray
    w: np.ndarray
    b: float
    expected: impls.Gradient


def weights(n_x: int, seed: int, dtype: str = "float64") -> tuple[np.ndarray, float]:
    """The (w, b) every backend is stepped from at a point with n_x features."""
    return (np.random.default_rng(seed + 1).standard_normal(n_x) / np.sqrt(n_x)).astype(dtype), 0.1


def make_problem(m: int, n_x: int, seed: int, dtype: str = "float64") -> Problem:
    X, Y = impls.make_problem(m, n_x, seed, dtype)
    w, b = weights(n_x, seed, dtype)
    # The backend itself, not impls.gradient: validation would copy a float32 X to float64.
    vectorized = impls.BACKENDS["vectorized"]
    return Problem(X, Y, w, b, vectorized.gradient(w, b, vectorized.prepare(X, Y)))


def bytes_needed(backend: str, m: int, n_x: int, itemsize: int = 8) -> int:
    """X and Y themselves plus what the backend says it holds beyond them."""
    return itemsize * m * (n_x + 1) + impls.BACKENDS[backend].memory_bytes(m, n_x, itemsize)


def pedantic_rounds(step_s: float, passes: int = 1) -> int:
    """Rounds per pass for a slow point: about SLOW_POINT_TARGET_S in all, at least one."""
    low, high = SLOW_POINT_ROUNDS
    return max(1, int(np.clip(SLOW_POINT_TARGET_S // step_s, low, high)) // passes)


@dataclass
class SweepState:
    sweep: Settings
    # What the system could hand out now (MemAvailable); a test passes its own.
    available: Callable[[], int] = available_memory_bytes
    measured: dict[str, list[tuple[int, int, float]]] = field(default_factory=dict)
    skipped: list[dict] = field(default_factory=list)
    first_call_s: dict[str, float] = field(default_factory=dict)
    # What the first pass found at each point: its step time, or why it was skipped.
    step_s: dict[tuple[str, int, int], float] = field(default_factory=dict)
    skip_reasons: dict[tuple[str, int, int], str] = field(default_factory=dict)
    done: int = 0
    # (pass, backend, m, n_x) of every point measured or skipped, in this process or before it.
    finished: set[tuple[int, str, int, int]] = field(default_factory=set)
    started: float = field(default_factory=time.perf_counter)
    _predictions: dict[tuple, float | None] = field(default_factory=dict)
    _problem_key: tuple[int, int] | None = None
    _problem: Problem | None = None
    # Data laid out by each prepare function for the current problem, with their sizes:
    # backends that share a layout (numba's three) share one copy, as memory allows.
    _prepared: dict = field(default_factory=dict)
    # The stores of the points read from disk, and the disk's read rate (measured at the first).
    shelf: Shelf = field(init=False)
    disk_probe: dict | None = None
    store_read_Bps: list[float] = field(default_factory=list)  # each timed round's store, cold
    _store_reads_left: Counter | None = None
    # Per point, decided the first time it is asked so that every pass agrees: (bytes it
    # needs, memory there was for it then).
    _memory: dict[tuple[str, int, int], tuple[int, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        settings = self.sweep
        self.shelf = Shelf(settings.store_dir, settings.seed, settings.dtype, settings.keep_stores)

    @property
    def total(self) -> int:
        return len(self.sweep.points())

    def predict(self, backend: str, m: int, n_x: int) -> float | None:
        measured = self.measured.get(backend, [])
        key = (backend, len(measured), m, n_x)  # a new measurement refits the model
        if key not in self._predictions:
            self._predictions[key] = cost_model.predict_seconds(measured, m, n_x)
        return self._predictions[key]

    def held_bytes(self) -> int:
        """What this sweep's own data hold now: the problem and the layouts made of it."""
        held = sum(size for _, size in self._prepared.values())
        if self._problem is not None:
            held += self._problem.X.nbytes + self._problem.Y.nbytes
        return held

    def memory_for(self, backend: str, m: int, n_x: int) -> tuple[int, int]:
        """(bytes the point needs, memory for it): what the system has available when the
        point is first asked about, plus what the sweep holds and lets go for a new problem."""
        point = (backend, m, n_x)
        if point not in self._memory:
            need = bytes_needed(backend, m, n_x, np.dtype(self.sweep.dtype).itemsize)
            self._memory[point] = (need, self.available() + self.held_bytes())
        return self._memory[point]

    def fits_memory(self, backend: str, m: int, n_x: int) -> bool:
        need, room = self.memory_for(backend, m, n_x)
        return need <= MEMORY_SHARE * room

    def from_store(self, backend: str, m: int, n_x: int) -> bool:
        """Whether the point's data come from a store on disk (only a lazy-input backend's)."""
        mode = self.sweep.stores
        if not impls.BACKENDS[backend].lazy_input or mode == "never":
            return False
        return mode == "always" or not self.fits_memory(backend, m, n_x)

    def data_source(self, backend: str, m: int, n_x: int) -> str:
        """Where the point's data come from: memory, disk, or a dask cluster that runs it."""
        if self.sweep.dask_scheduler and impls.BACKENDS[backend].lazy_input:
            return "cluster"
        return "disk" if self.from_store(backend, m, n_x) else "memory"

    def disk_read_Bps(self) -> float:
        """The store folder's disk read rate, measured the first time a point needs it."""
        if self.disk_probe is None:
            self.disk_probe = disk.measure_read(self.shelf.directory)
        return self.disk_probe["read_Bps"]

    def predict_from_disk(self, m: int, n_x: int) -> float:
        """A store's step predicted from the disk's read rate: the median over the stores read
        so far, else the probe's (optimistic: a small file may come from a VM host's cache)."""
        rate = np.median(self.store_read_Bps) if self.store_read_Bps else self.disk_read_Bps()
        return np.dtype(self.sweep.dtype).itemsize * m * (n_x + 1) / rate

    def skip_reason(self, backend: str, m: int, n_x: int, predicted: float | None) -> str | None:
        """Why this point must not run, or None. Budget first: it is the cheaper to know."""
        if predicted is not None and predicted > self.sweep.budget_s:
            return (
                f"skipped-budget: predicted {predicted:.3g} s per step > budget "
                f"{self.sweep.budget_s:g} s"
            )
        if self.from_store(backend, m, n_x):
            missing = self.shelf.missing_space(m, n_x)
            return f"skipped-disk: {missing}" if missing else None
        if not self.fits_memory(backend, m, n_x):
            need, room = self.memory_for(backend, m, n_x)
            return (
                f"skipped-memory: needs {need / 2**30:.1f} GiB > {MEMORY_SHARE:.0%} of the "
                f"{room / 2**30:.1f} GiB available"
            )
        return None

    def decide(
        self, pass_number: int, backend: str, m: int, n_x: int
    ) -> tuple[str | None, float | None]:
        """(why to skip or None, predicted step time) for a point in a pass.

        The first pass decides and records; later passes follow it, so every pass
        measures the same points.
        """
        point = (backend, m, n_x)
        if pass_number > 1:
            return self.skip_reasons.get(point), self.step_s.get(point)
        if self.from_store(backend, m, n_x):
            predicted = self.predict_from_disk(m, n_x)
        else:
            predicted = self.predict(backend, m, n_x)
        reason = self.skip_reason(backend, m, n_x, predicted)
        if reason:
            self.skip_reasons[point] = reason
            self.skipped.append(
                dict(
                    backend=backend,
                    m=m,
                    n_x=n_x,
                    status=reason.split(":")[0],
                    data_source=self.data_source(backend, m, n_x),
                    predicted_s=predicted,
                    reason=reason,
                )
            )
        return reason, predicted

    def skip_record(self, point: tuple[int, str, int, int]) -> dict:
        """The run's record of why the point's (backend, m, n_x) is skipped in every pass."""
        _, backend, m, n_x = point
        return next(
            record
            for record in self.skipped
            if (record["backend"], record["m"], record["n_x"]) == (backend, m, n_x)
        )

    def replay(self, entry: dict) -> None:
        """What an earlier process of this sweep found at a point (a journal entry), taken
        as if found here: skips, step times for the cost model, first calls."""
        self.first_call_s.update(entry.get("first_call_s") or {})
        if entry.get("point") is None:
            return
        pass_number, backend, m, n_x = point = tuple(entry["point"])
        self.finished.add(point)
        self.done += 1
        if entry.get("skip") is not None:
            if pass_number == 1:
                self.skip_reasons[(backend, m, n_x)] = entry["skip"]["reason"]
                self.skipped.append(entry["skip"])
        elif entry.get("benchmark"):
            median = entry["benchmark"]["stats"]["median"]
            self.record_measured(pass_number, backend, m, n_x, median)

    def left(self) -> list[tuple[int, str, int, int]]:
        """The points of the sweep not yet measured or skipped, in sweep order."""
        return [point for point in self.sweep.points() if point not in self.finished]

    def record_measured(
        self, pass_number: int, backend: str, m: int, n_x: int, median_s: float
    ) -> None:
        if pass_number == 1:
            self.step_s[(backend, m, n_x)] = median_s
            if not self.from_store(backend, m, n_x):  # the cost model is of steps in memory
                self.measured.setdefault(backend, []).append((m, n_x, median_s))

    def stored(self, m: int, n_x: int) -> StoredProblem:
        """The problem at (m, n_x) on disk, made the first time (untimed). A problem of
        another size held in memory is let go first: its memory is the page cache's."""
        if self._problem_key not in (None, (m, n_x)):
            self._drop_problem()
        return self.shelf.get(m, n_x, *weights(n_x, self.sweep.seed, self.sweep.dtype))

    def _drop_problem(self) -> None:
        self._problem = self._problem_key = None
        self._prepared.clear()
        gc.collect()

    def done_with(self, backend: str, m: int, n_x: int) -> None:
        """After a point is measured: the last point to read a store lets it go."""
        if not self.from_store(backend, m, n_x):
            return
        if self._store_reads_left is None:
            self._store_reads_left = Counter(
                (m, n_x) for _, name, m, n_x in self.sweep.points() if self.from_store(name, m, n_x)
            )
        self._store_reads_left[(m, n_x)] -= 1
        if self._store_reads_left[(m, n_x)] == 0:
            self.shelf.release(m, n_x)

    def problem(self, m: int, n_x: int) -> Problem:
        """The problem at (m, n_x); only one is kept, so large ones never pile up."""
        if self._problem_key != (m, n_x):
            self._drop_problem()
            self._problem = make_problem(m, n_x, self.sweep.seed, self.sweep.dtype)
            self._problem_key = (m, n_x)
        return self._problem

    def prepared(self, backend: str, m: int, n_x: int):
        """The backend's data for the problem at (m, n_x); a layout already made for another
        backend is reused when it is the same prepare function (never timed either way)."""
        impl = impls.BACKENDS[backend]
        if impl.prepare not in self._prepared:
            problem = self.problem(m, n_x)
            need = impl.memory_bytes(m, n_x, problem.X.itemsize)
            # The system's available memory already leaves out the problem and the layouts.
            if need > MEMORY_SHARE * self.available():
                self._prepared.clear()
                gc.collect()
            self._prepared[impl.prepare] = (impl.prepare(problem.X, problem.Y), need)
        return self._prepared[impl.prepare][0]

    def warm_up(self, backend: str) -> None:
        """Each backend's first call, on a tiny problem: numba compiles here, outside any timing."""
        if backend in self.first_call_s:
            return
        impl = impls.get_backend(backend)
        tiny = make_problem(8, 4, self.sweep.seed, self.sweep.dtype)
        data = impl.prepare(tiny.X, tiny.Y)
        start = time.perf_counter()
        impl.gradient(tiny.w, tiny.b, data)
        self.first_call_s[backend] = time.perf_counter() - start

    def expected_point_seconds(self, pass_number: int, backend: str, m: int, n_x: int) -> float:
        """Rough wall time a point will take in a pass: 0 if skipped, else its rounds."""
        point = (backend, m, n_x)
        if point in self.skip_reasons:
            return 0.0
        known = self.step_s.get(point)
        from_store = self.from_store(backend, m, n_x)
        if known is not None:
            step = known
        else:
            step = self.predict_from_disk(m, n_x) if from_store else self.predict(backend, m, n_x)
        if step is None or (step < CALIBRATE_BELOW_S and not from_store):
            return self.sweep.max_time_s
        if known is None and self.skip_reason(backend, m, n_x, step):
            return 0.0
        # Later passes skip the untimed work before the first round (the first call, and for a
        # store making it and its expected answer, about a read each).
        untimed = 0.0 if known is not None else step * (UNTIMED_READS if from_store else 1)
        per_round = 2 * step if from_store else step
        return untimed + per_round * pedantic_rounds(step, self.sweep.passes)

    def progress(self, message: str) -> str:
        """The progress line after a point: count, elapsed time and a predicted remainder."""
        self.done += 1
        elapsed = time.perf_counter() - self.started
        left = sum(
            self.expected_point_seconds(*point) for point in self.sweep.points()[self.done :]
        )
        return (
            f"[{self.done:>{len(str(self.total))}}/{self.total} {clock(elapsed)} elapsed, "
            f"~{clock(left)} left, predicted] {message}"
        )
