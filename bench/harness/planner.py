"""What a sweep runs, skips and predicts: decided from the settings, the steps measured so far,
and the machine's memory and disk, without timing anything itself.

``decide`` is asked before every point; the first pass decides and records, later passes
follow it, so every pass measures the same points. ``progress`` turns the predictions into
the time left.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import impls

from .. import cost_model
from ..intervals import interval
from ..machine import available_memory_bytes
from ..results import DataSource, Status
from ..settings import Settings
from ..units import clock

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

Point = tuple[str, int, int]  # (backend, m, n_x)
PassPoint = tuple[int, str, int, int]  # (pass, backend, m, n_x)


def bytes_needed(backend: str, m: int, n_x: int, itemsize: int = 8) -> int:
    """X and Y themselves plus what the backend says it holds beyond them."""
    return itemsize * m * (n_x + 1) + impls.BACKENDS[backend].memory_bytes(m, n_x, itemsize)


def pedantic_rounds(step_s: float, passes: int = 1) -> int:
    """Rounds per pass for a slow point: about SLOW_POINT_TARGET_S in all, at least one."""
    low, high = SLOW_POINT_ROUNDS
    return max(1, int(np.clip(SLOW_POINT_TARGET_S // step_s, low, high)) // passes)


def until_pass(
    settings: Settings, pass_medians: dict[Point, list[float]], pass_number: int
) -> list[PassPoint]:
    """The points of ``--until``'s extra pass pass_number: at every size where the speedup of a
    backend over the reference (both measured in each pass so far, paired by pass) has a 95%
    interval wider than ``settings.until``, every backend measured there, so that its speedups
    stay paired pass by pass. None once every size is known that well, or at ``max_passes``.
    Where the reference was skipped, speedups are predictions: there is nothing to narrow."""
    if settings.until is None or pass_number > settings.max_passes:
        return []
    reference = settings.reference_backend
    extra = []
    for m, n_x in settings.sizes():
        here = {
            backend: medians
            for (backend, at_m, at_n_x), medians in pass_medians.items()
            if (at_m, at_n_x) == (m, n_x) and len(medians) == pass_number - 1
        }
        if reference in here and any(
            _width(here[reference], medians) > settings.until for medians in here.values()
        ):
            backends = tuple(name for name in settings.backend_names if name in here)
            extra += settings.at_size(pass_number, m, n_x, backends)
    return extra


def _width(reference_s: list[float], own_s: list[float]) -> float:
    _, low, high = interval(reference_s, own_s)
    return high / low


@dataclass
class Planner:
    settings: Settings
    # What the system could hand out now (MemAvailable); a test passes its own.
    available: Callable[[], int] = available_memory_bytes
    # What the sweep's own data hold now, which it would let go for a new problem.
    held: Callable[[], int] = lambda: 0
    # Bytes per second a store is read at (what stores read so far, else the disk's probe).
    store_read_Bps: Callable[[], float] = lambda: np.nan
    # Why a store of (m, n_x) cannot be made, or None.
    missing_space: Callable[[int, int], str | None] = lambda m, n_x: None
    measured: dict[str, list[tuple[int, int, float]]] = field(default_factory=dict)
    skipped: list[dict] = field(default_factory=list)
    # What the first pass found at each point: its step time, or why it was skipped.
    step_s: dict[Point, float] = field(default_factory=dict)
    skip_reasons: dict[Point, str] = field(default_factory=dict)
    done: int = 0
    # (pass, backend, m, n_x) of every point measured or skipped, in this process or before it.
    finished: set[PassPoint] = field(default_factory=set)
    # The points of an extra pass of --until this process measures (see until_pass).
    extra: list[PassPoint] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    _predictions: dict[tuple, float | None] = field(default_factory=dict)
    # Per point, decided the first time it is asked so that every pass agrees: (bytes it
    # needs, memory there was for it then).
    _memory: dict[Point, tuple[int, int]] = field(default_factory=dict)

    @property
    def points(self) -> list[PassPoint]:
        """Every point this process knows of, in sweep order: the passes', then --until's."""
        return self.settings.points() + self.extra

    @property
    def total(self) -> int:
        return len(self.points)

    def predict(self, backend: str, m: int, n_x: int) -> float | None:
        measured = self.measured.get(backend, [])
        key = (backend, len(measured), m, n_x)  # a new measurement refits the model
        if key not in self._predictions:
            self._predictions[key] = cost_model.predict_seconds(measured, m, n_x)
        return self._predictions[key]

    def predict_from_disk(self, m: int, n_x: int) -> float:
        """A store's step predicted from the rate stores are read at."""
        return np.dtype(self.settings.dtype).itemsize * m * (n_x + 1) / self.store_read_Bps()

    def memory_for(self, backend: str, m: int, n_x: int) -> tuple[int, int]:
        """(bytes the point needs, memory for it): what the system has available when the
        point is first asked about, plus what the sweep holds and lets go for a new problem."""
        point = (backend, m, n_x)
        if point not in self._memory:
            need = bytes_needed(backend, m, n_x, np.dtype(self.settings.dtype).itemsize)
            self._memory[point] = (need, self.available() + self.held())
        return self._memory[point]

    def fits_memory(self, backend: str, m: int, n_x: int) -> bool:
        need, room = self.memory_for(backend, m, n_x)
        return need <= MEMORY_SHARE * room

    def from_store(self, backend: str, m: int, n_x: int) -> bool:
        """Whether the point's data come from a store on disk (only a lazy-input backend's)."""
        mode = self.settings.stores
        if not impls.BACKENDS[backend].lazy_input or mode == "never":
            return False
        return mode == "always" or not self.fits_memory(backend, m, n_x)

    def data_source(self, backend: str, m: int, n_x: int) -> DataSource:
        """Where the point's data come from: memory, disk, or a dask cluster that runs it."""
        if self.settings.dask_scheduler and impls.BACKENDS[backend].lazy_input:
            return DataSource.CLUSTER
        return DataSource.DISK if self.from_store(backend, m, n_x) else DataSource.MEMORY

    def skip(self, backend: str, m: int, n_x: int, predicted: float | None) -> tuple | None:
        """(status, why) if this point must not run, else None. Budget first: it is the
        cheaper to know."""
        if predicted is not None and predicted > self.settings.budget_s:
            return Status.BUDGET, (
                f"predicted {predicted:.3g} s per step > budget {self.settings.budget_s:g} s"
            )
        if self.from_store(backend, m, n_x):
            missing = self.missing_space(m, n_x)
            return (Status.DISK, missing) if missing else None
        if not self.fits_memory(backend, m, n_x):
            need, room = self.memory_for(backend, m, n_x)
            return Status.MEMORY, (
                f"needs {need / 2**30:.1f} GiB > {MEMORY_SHARE:.0%} of the "
                f"{room / 2**30:.1f} GiB available"
            )
        return None

    def predicted_step(self, backend: str, m: int, n_x: int) -> float | None:
        if self.from_store(backend, m, n_x):
            return self.predict_from_disk(m, n_x)
        return self.predict(backend, m, n_x)

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
        predicted = self.predicted_step(backend, m, n_x)
        skip = self.skip(backend, m, n_x, predicted)
        if skip is None:
            return None, predicted
        status, why = skip
        reason = f"{status}: {why}"
        self.skip_reasons[point] = reason
        self.skipped.append(
            dict(
                backend=backend,
                m=m,
                n_x=n_x,
                status=str(status),
                data_source=self.data_source(backend, m, n_x),
                predicted_s=predicted,
                reason=reason,
            )
        )
        return reason, predicted

    def skip_record(self, point: PassPoint) -> dict:
        """The run's record of why the point's (backend, m, n_x) is skipped in every pass."""
        _, backend, m, n_x = point
        return next(
            record
            for record in self.skipped
            if (record["backend"], record["m"], record["n_x"]) == (backend, m, n_x)
        )

    def record_measured(
        self, pass_number: int, backend: str, m: int, n_x: int, median_s: float
    ) -> None:
        if pass_number == 1:
            self.step_s[(backend, m, n_x)] = median_s
            if not self.from_store(backend, m, n_x):  # the cost model is of steps in memory
                self.measured.setdefault(backend, []).append((m, n_x, median_s))

    def replay(self, entry: dict) -> None:
        """What an earlier process of this sweep found at a point (a journal entry), taken
        as if found here: skips and step times for the cost model."""
        if entry.get("point") is None:
            return
        pass_number, backend, m, n_x = point = tuple(entry["point"])
        self.finished.add(point)
        if pass_number <= self.settings.passes or point in self.extra:  # counted in progress
            self.done += 1
        if entry.get("skip") is not None:
            if pass_number == 1:
                self.skip_reasons[(backend, m, n_x)] = entry["skip"]["reason"]
                self.skipped.append(entry["skip"])
        elif entry.get("benchmark"):
            median = entry["benchmark"]["stats"]["median"]
            self.record_measured(pass_number, backend, m, n_x, median)

    def left(self) -> list[PassPoint]:
        """The points of the sweep not yet measured or skipped, in sweep order."""
        return [point for point in self.points if point not in self.finished]

    def expected_point_seconds(self, pass_number: int, backend: str, m: int, n_x: int) -> float:
        """Rough wall time a point will take in a pass: 0 if skipped, else its rounds."""
        point = (backend, m, n_x)
        if point in self.skip_reasons:
            return 0.0
        known = self.step_s.get(point)
        from_store = self.from_store(backend, m, n_x)
        step = known if known is not None else self.predicted_step(backend, m, n_x)
        if step is None or (step < CALIBRATE_BELOW_S and not from_store):
            return self.settings.max_time_s
        if known is None and self.skip(backend, m, n_x, step):
            return 0.0
        # Later passes skip the untimed work before the first round (the first call, and for a
        # store making it and its expected answer, about a read each).
        untimed = 0.0 if known is not None else step * (UNTIMED_READS if from_store else 1)
        per_round = 2 * step if from_store else step
        return untimed + per_round * pedantic_rounds(step, self.settings.passes)

    def progress(self, message: str) -> str:
        """The progress line after a point: count, elapsed time and a predicted remainder.

        The remainder is what the points still to run are expected to take, at the pace of
        the sweep so far once its first pass is done: a process per pass, first calls, data
        and calibration take time the rounds do not, several times the rounds' own in the
        quick preset (docs/tuning.md).
        """
        self.done += 1
        elapsed = time.perf_counter() - self.started
        expected = [self.expected_point_seconds(*point) for point in self.points]
        done_s = sum(expected[: self.done])
        first_pass = sum(1 for point in self.points if point[0] == 1)
        pace = elapsed / done_s if self.done >= first_pass and done_s > 0 else 1.0
        left = pace * sum(expected[self.done :])
        return (
            f"[{self.done:>{len(str(self.total))}}/{self.total} {clock(elapsed)} elapsed, "
            f"~{clock(left)} left, predicted] {message}"
        )
