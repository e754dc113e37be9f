"""What a sweep runs, skips and predicts: decided from the settings, the steps measured so far,
and the machine's memory and disk, without timing anything itself.

``decide`` is asked before every point; the first pass decides and records, later passes
follow it, so every pass measures the same points. ``progress.Progress`` turns the
predictions into the time left.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import impls

from .. import cost_model
from ..intervals import interval
from ..machine import available_memory_bytes
from ..records import DataSource, SkipRecord, Status
from ..settings import PassPoint, Point, Settings

# A point may use at most this share of the memory available when it is decided.
MEMORY_SHARE = 0.75
# Faster than this per step: let pytest-benchmark calibrate and repeat for max_time_s.
# Slower: a fixed few rounds (pedantic mode), since calibration would take minutes.
CALIBRATE_BELOW_S = 0.02
SLOW_POINT_TARGET_S = 3.0
SLOW_POINT_ROUNDS = (3, 10)


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
    return interval(reference_s, own_s).width


@dataclass
class Costs:
    """Each backend's step time predicted from its points measured so far (the fitted cost
    model), or a store's from the rate stores are read at."""

    itemsize: int
    # Bytes per second a store is read at (what stores read so far, else the disk's probe).
    store_read_Bps: Callable[[], float]
    measured: dict[str, list[tuple[int, int, float]]] = field(default_factory=dict)
    _predictions: dict[tuple, float | None] = field(default_factory=dict)

    def predict(self, backend: str, m: int, n_x: int) -> float | None:
        measured = self.measured.get(backend, [])
        key = (backend, len(measured), m, n_x)  # a new measurement refits the model
        if key not in self._predictions:
            self._predictions[key] = cost_model.predict_seconds(measured, m, n_x)
        return self._predictions[key]

    def from_disk(self, m: int, n_x: int) -> float:
        """A store's step predicted from the rate stores are read at."""
        return self.itemsize * m * (n_x + 1) / self.store_read_Bps()


@dataclass
class Memory:
    """Whether a point fits: the bytes it needs against a share of the memory there is for it,
    decided the first time each point is asked about, so that every pass agrees."""

    itemsize: int
    # What the system could hand out now (MemAvailable); a test passes its own.
    available: Callable[[], int]
    # What the sweep's own data hold now, which it would let go for a new problem.
    held: Callable[[], int]
    _decided: dict[Point, tuple[int, int]] = field(default_factory=dict)

    def needed(self, backend: str, m: int, n_x: int) -> tuple[int, int]:
        """(bytes the point needs, memory for it): what the system has available when the
        point is first asked about, plus what the sweep holds and lets go for a new problem."""
        point = (backend, m, n_x)
        if point not in self._decided:
            need = bytes_needed(backend, m, n_x, self.itemsize)
            self._decided[point] = (need, self.available() + self.held())
        return self._decided[point]

    def fits(self, backend: str, m: int, n_x: int) -> bool:
        need, room = self.needed(backend, m, n_x)
        return need <= MEMORY_SHARE * room


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
    # What the first pass found at each point: its step time, or why it was skipped.
    step_s: dict[Point, float] = field(default_factory=dict)
    skips: dict[Point, SkipRecord] = field(default_factory=dict)
    # (pass, backend, m, n_x) of every point measured or skipped, in this process or before it.
    finished: set[PassPoint] = field(default_factory=set)
    # The points of an extra pass of --until this process measures (see until_pass).
    until_points: list[PassPoint] = field(default_factory=list)

    def __post_init__(self) -> None:
        itemsize = np.dtype(self.settings.dtype).itemsize
        self.costs = Costs(itemsize, self.store_read_Bps)
        self.memory = Memory(itemsize, self.available, self.held)

    @property
    def points(self) -> list[PassPoint]:
        """Every point this process knows of, in sweep order: the passes', then --until's."""
        return self.settings.points() + self.until_points

    @property
    def total(self) -> int:
        return len(self.points)

    def from_store(self, backend: str, m: int, n_x: int) -> bool:
        """Whether the point's data come from a store on disk (only a lazy-input backend's)."""
        mode = self.settings.stores
        if not impls.BACKENDS[backend].lazy_input or mode == "never":
            return False
        return mode == "always" or not self.memory.fits(backend, m, n_x)

    def data_source(self, backend: str, m: int, n_x: int) -> DataSource:
        """Where the point's data come from: memory, disk, or a dask cluster that runs it."""
        if self.settings.dask_scheduler and impls.BACKENDS[backend].lazy_input:
            return DataSource.CLUSTER
        return DataSource.DISK if self.from_store(backend, m, n_x) else DataSource.MEMORY

    def over_budget(self, backend: str, m: int, n_x: int, first_call_s: float) -> str | None:
        """In pass 1, after a point's untimed first call: why to skip it if that call alone
        took over the budget (the prediction was wrong), recorded as a budget skip, else None.
        A store's first call reads the disk cold and is left to its prediction."""
        if first_call_s <= self.settings.budget_s or self.from_store(backend, m, n_x):
            return None
        predicted = self.predicted_step(backend, m, n_x)
        said = f"; predicted {predicted:.3g} s" if predicted is not None else ""
        why = f"its first call took {first_call_s:.3g} s > budget {self.settings.budget_s:g} s"
        return self.record_skip(backend, m, n_x, Status.BUDGET, predicted, why + said)

    def record_skip(
        self, backend: str, m: int, n_x: int, status: Status, predicted: float | None, why: str
    ) -> str:
        """A point skipped in every pass, with its prediction; the reason it is given."""
        reason = f"{status}: {why}"
        source = self.data_source(backend, m, n_x)
        record = SkipRecord(backend, m, n_x, status, source, predicted, reason)
        self.skips[record.point] = record
        return reason

    def skip_reason(self, backend: str, m: int, n_x: int) -> str | None:
        record = self.skips.get((backend, m, n_x))
        return record.reason if record else None

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
        if not self.memory.fits(backend, m, n_x):
            need, room = self.memory.needed(backend, m, n_x)
            return Status.MEMORY, (
                f"needs {need / 2**30:.1f} GiB > {MEMORY_SHARE:.0%} of the "
                f"{room / 2**30:.1f} GiB available"
            )
        return None

    def predicted_step(self, backend: str, m: int, n_x: int) -> float | None:
        if self.from_store(backend, m, n_x):
            return self.costs.from_disk(m, n_x)
        return self.costs.predict(backend, m, n_x)

    def decide(
        self, pass_number: int, backend: str, m: int, n_x: int
    ) -> tuple[str | None, float | None]:
        """(why to skip or None, predicted step time) for a point in a pass.

        The first pass decides and records; later passes follow it, so every pass
        measures the same points.
        """
        if pass_number > 1:
            return self.skip_reason(backend, m, n_x), self.step_s.get((backend, m, n_x))
        predicted = self.predicted_step(backend, m, n_x)
        skip = self.skip(backend, m, n_x, predicted)
        if skip is None:
            return None, predicted
        status, why = skip
        return self.record_skip(backend, m, n_x, status, predicted, why), predicted

    def record_measured(
        self, pass_number: int, backend: str, m: int, n_x: int, median_s: float
    ) -> None:
        if pass_number == 1:
            self.step_s[(backend, m, n_x)] = median_s
            if not self.from_store(backend, m, n_x):  # the cost model is of steps in memory
                self.costs.measured.setdefault(backend, []).append((m, n_x, median_s))

    def replay(self, entry: dict) -> None:
        """What an earlier process of this sweep found at a point (a journal entry), taken
        as if found here: skips and step times for the cost model."""
        if entry.get("point") is None:
            return
        pass_number, backend, m, n_x = point = PassPoint(*entry["point"])
        self.finished.add(point)
        if entry.get("skip") is not None:
            if pass_number == 1:
                record = SkipRecord.from_dict(entry["skip"])
                self.skips[record.point] = record
        elif entry.get("benchmark"):
            median = entry["benchmark"]["stats"]["median"]
            self.record_measured(pass_number, backend, m, n_x, median)

    def not_finished(self) -> list[PassPoint]:
        """The points of the sweep not yet measured or skipped, in sweep order."""
        return [point for point in self.points if point not in self.finished]
