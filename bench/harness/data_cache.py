"""The sweep's data in memory: one problem at a time, and the layouts backends make of it.

Every backend at a point steps from the same seeded problem and is checked against the
numpy backend's answer for it. Only one problem is held, so large ones never pile up; a
layout made by one ``prepare`` function is reused by every backend that shares it, as long
as memory allows.
"""

import gc
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import impls

from ..machine import available_memory_bytes
from ..placement import BEST_OFFSET, empty_at
from ..problem import weights
from .planner import MEMORY_SHARE


@dataclass(frozen=True)
class Problem:
    """One (m, n_x) problem with fixed parameters and the vectorized answer to check against."""

    X: np.ndarray
    Y: np.ndarray
    w: np.ndarray
    b: float
    expected: impls.Gradient


def make_problem(
    m: int, n_x: int, seed: int, dtype: str = "float64", x_offset: int = BEST_OFFSET
) -> Problem:
    """The seeded problem, X written where it starts ``x_offset`` bytes past a page; never a
    second copy of X, even for a moment."""
    X, Y = impls.make_problem(m, n_x, seed, dtype, out=empty_at((n_x, m), dtype, x_offset))
    w, b = weights(n_x, seed, dtype)
    # The backend itself, not impls.gradient: validation would copy a float32 X to float64.
    vectorized = impls.BACKENDS["vectorized"]
    return Problem(X, Y, w, b, vectorized.gradient(w, b, vectorized.prepare(X, Y)))


@dataclass
class DataCache:
    seed: int
    dtype: str
    # What the system could hand out now (MemAvailable); a test passes its own.
    available: Callable[[], int] = available_memory_bytes
    _key: tuple[int, int, int] | None = None  # m, n_x and where X starts
    _problem: Problem | None = None
    # Data laid out by each prepare function for the current problem, with their sizes:
    # backends that share a prepare function (numba_fused and numba_parallel) share one copy.
    _prepared: dict = field(default_factory=dict)

    def held_bytes(self) -> int:
        """What the cache holds now: the problem and the layouts made of it."""
        held = sum(size for _, size in self._prepared.values())
        if self._problem is not None:
            held += self._problem.X.nbytes + self._problem.Y.nbytes
        return held

    def drop(self) -> None:
        """Let go of the problem and its layouts (their memory goes back to the system)."""
        self._problem = self._key = None
        self._prepared.clear()
        gc.collect()

    def holds_other_than(self, m: int, n_x: int) -> bool:
        return self._key is not None and self._key[:2] != (m, n_x)

    def problem(self, m: int, n_x: int, x_offset: int = BEST_OFFSET) -> Problem:
        """The problem at (m, n_x) with X starting x_offset bytes past a page, made the first
        time it is asked for."""
        if self._key != (m, n_x, x_offset):
            self.drop()
            self._problem = make_problem(m, n_x, self.seed, self.dtype, x_offset)
            self._key = (m, n_x, x_offset)
        return self._problem

    def prepared(self, backend: str, m: int, n_x: int, x_offset: int = BEST_OFFSET):
        """The backend's data for that problem; a layout already made for another backend is
        reused when it is the same prepare function (never timed either way)."""
        impl = impls.BACKENDS[backend]
        if self._key != (m, n_x, x_offset) or impl.prepare not in self._prepared:
            problem = self.problem(m, n_x, x_offset)
            need = impl.memory_bytes(m, n_x, problem.X.itemsize)
            # The system's available memory already leaves out the problem and the layouts.
            if need > MEMORY_SHARE * self.available():
                self._prepared.clear()
                gc.collect()
            self._prepared[impl.prepare] = (impl.prepare(problem.X, problem.Y), need)
        return self._prepared[impl.prepare][0]
