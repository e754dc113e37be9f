"""The sweep's running state: which points to skip and why, the data, progress.

Kept apart from the pytest glue in ``plugin.py`` so it can be tested and
read on its own.
"""

import gc
import time
from dataclasses import dataclass, field

import numpy as np

import impls

from .. import cost_model
from ..units import clock
from .machine import available_memory_bytes
from .settings import Settings

# A point may use at most this share of the memory that was available at the start.
MEMORY_SHARE = 0.75
# Faster than this per step: let pytest-benchmark calibrate and repeat for max_time_s.
# Slower: a fixed few rounds (pedantic mode), since calibration would take minutes.
CALIBRATE_BELOW_S = 0.02
SLOW_POINT_TARGET_S = 3.0
SLOW_POINT_ROUNDS = (3, 10)


@dataclass(frozen=True)
class Problem:
    """One (m, n_x) problem with fixed parameters and the vectorized answer to check against."""

    X: np.ndarray
    Y: np.ndarray
    w: np.ndarray
    b: float
    expected: impls.Gradient


def make_problem(m: int, n_x: int, seed: int, dtype: str = "float64") -> Problem:
    X, Y = impls.make_problem(m, n_x, seed, dtype)
    w = (np.random.default_rng(seed + 1).standard_normal(n_x) / np.sqrt(n_x)).astype(dtype)
    b = 0.1
    # The backend itself, not impls.gradient: validation would copy a float32 X to float64.
    vectorized = impls.BACKENDS["vectorized"]
    return Problem(X, Y, w, b, vectorized.gradient(w, b, vectorized.prepare(X, Y)))


def slowed_step(gradient, factor: float, clock=time.perf_counter):
    """The backend's step, then a busy wait of (factor - 1) times that step's own duration.

    Exactly ``factor`` times the step's wall time at every size, for measuring
    whether the regression check notices a slowdown. (Repeating the step on a
    share of the examples would also repeat its fixed overhead, so a "1.25x"
    slowdown came out at 1.4-1.9x where overhead dominates.)
    """

    def step(w, b, data):
        start = clock()
        result = gradient(w, b, data)
        until = start + (clock() - start) * factor
        while clock() < until:
            pass
        return result

    return step


def bytes_needed(backend: str, m: int, n_x: int, itemsize: int = 8) -> int:
    """X and Y themselves plus what the backend says it holds beyond them."""
    return itemsize * m * (n_x + 1) + impls.BACKENDS[backend].memory_bytes(m, n_x, itemsize)


def pedantic_rounds(step_s: float) -> int:
    low, high = SLOW_POINT_ROUNDS
    return int(np.clip(SLOW_POINT_TARGET_S // step_s, low, high))


@dataclass
class SweepState:
    sweep: Settings
    memory_at_start: int = field(default_factory=available_memory_bytes)
    measured: dict[str, list[tuple[int, int, float]]] = field(default_factory=dict)
    skipped: list[dict] = field(default_factory=list)
    first_call_s: dict[str, float] = field(default_factory=dict)
    done: int = 0
    started: float = field(default_factory=time.perf_counter)
    _problem_key: tuple[int, int] | None = None
    _problem: Problem | None = None

    @property
    def total(self) -> int:
        return len(self.sweep.points())

    def predict(self, backend: str, m: int, n_x: int) -> float | None:
        return cost_model.predict_seconds(self.measured.get(backend, []), m, n_x)

    def skip_reason(self, backend: str, m: int, n_x: int, predicted: float | None) -> str | None:
        """Why this point must not run, or None. Budget first: it is the cheaper to know."""
        if predicted is not None and predicted > self.sweep.budget_s:
            return (
                f"skipped-budget: predicted {predicted:.3g} s per step > budget "
                f"{self.sweep.budget_s:g} s"
            )
        need = bytes_needed(backend, m, n_x, np.dtype(self.sweep.dtype).itemsize)
        allowed = MEMORY_SHARE * self.memory_at_start
        if need > allowed:
            return (
                f"skipped-memory: needs {need / 2**30:.1f} GiB > {MEMORY_SHARE:.0%} of the "
                f"{self.memory_at_start / 2**30:.1f} GiB available"
            )
        return None

    def record_skip(
        self, backend: str, m: int, n_x: int, predicted: float | None, reason: str
    ) -> None:
        status = reason.split(":")[0]
        self.skipped.append(
            dict(backend=backend, m=m, n_x=n_x, status=status, predicted_s=predicted, reason=reason)
        )

    def record_measured(self, backend: str, m: int, n_x: int, median_s: float) -> None:
        self.measured.setdefault(backend, []).append((m, n_x, median_s))

    def problem(self, m: int, n_x: int) -> Problem:
        """The problem at (m, n_x); only one is kept, so large ones never pile up."""
        if self._problem_key != (m, n_x):
            self._problem = None
            gc.collect()
            self._problem = make_problem(m, n_x, self.sweep.seed, self.sweep.dtype)
            self._problem_key = (m, n_x)
        return self._problem

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

    def expected_point_seconds(self, backend: str, m: int, n_x: int) -> float:
        """Rough wall time a point will take: 0 if it will be skipped, else its rounds."""
        predicted = self.predict(backend, m, n_x)
        if predicted is None:
            return self.sweep.max_time_s
        if self.skip_reason(backend, m, n_x, predicted):
            return 0.0
        if predicted < CALIBRATE_BELOW_S:
            return self.sweep.max_time_s
        return predicted * (1 + pedantic_rounds(predicted))  # warm-up call, then the rounds

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
