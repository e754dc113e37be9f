"""The sweep's data in memory: one problem at a time, and the layouts backends make of it.

Every backend at a point steps from the same seeded problem and is checked against the
numpy backend's answer for it. Only one problem is held, so large ones never pile up; a
layout made by one ``prepare`` function is reused by every backend that shares it, as long
as memory allows.
"""

import gc
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

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


# A problem at least this large is kept on disk, in the sweep's own folder, by the process that
# makes it, and read back by the passes after it: generating its values takes several times
# longer than reading them (docs/tuning.md).
KEPT_FROM_BYTES = 1 << 30


def make_problem(
    m: int,
    n_x: int,
    seed: int,
    dtype: str = "float64",
    x_offset: int = BEST_OFFSET,
    kept: Path | None = None,
) -> Problem:
    """The seeded problem, X written where it starts ``x_offset`` bytes past a page; never a
    second copy of X, even for a moment. A large one is read from ``kept``, the folder an
    earlier pass wrote it to, if there (else made, and written there if the disk has room)."""
    X = empty_at((n_x, m), dtype, x_offset)
    if not read_kept(kept, X, (m, n_x, seed, dtype)):
        X, Y = impls.make_problem(m, n_x, seed, dtype, out=X)
        keep(kept, X, Y, (m, n_x, seed, dtype))
    else:
        Y = np.fromfile(kept / _name((m, n_x, seed, dtype), "Y"), dtype=dtype)
    w, b = weights(n_x, seed, dtype)
    # The backend itself, not impls.gradient: validation would copy a float32 X to float64.
    vectorized = impls.BACKENDS["vectorized"]
    return Problem(X, Y, w, b, vectorized.gradient(w, b, vectorized.prepare(X, Y)))


def _name(key: tuple, part: str) -> str:
    return "-".join(map(str, key)) + f".{part}"


def read_kept(folder: Path | None, X: np.ndarray, key: tuple) -> bool:
    """Whether X's values were read from the file an earlier pass kept (into X, where it is)."""
    if folder is None or X.nbytes < KEPT_FROM_BYTES:
        return False
    path, labels = folder / _name(key, "X"), folder / _name(key, "Y")
    if not (path.exists() and labels.exists()) or path.stat().st_size != X.nbytes:
        return False
    with open(path, "rb") as file:
        return file.readinto(memoryview(X).cast("B")) == X.nbytes


def keep(folder: Path | None, X: np.ndarray, Y: np.ndarray, key: tuple) -> None:
    """Write a large problem whole for the passes after this one, if the disk has room twice
    over; a temporary name, renamed, so a reader never sees half a file."""
    if folder is None or X.nbytes < KEPT_FROM_BYTES:
        return
    folder.mkdir(parents=True, exist_ok=True)
    if shutil.disk_usage(folder).free < 2 * (X.nbytes + Y.nbytes):
        return
    for array, part in ((Y, "Y"), (X, "X")):  # X last: its file says the problem is whole
        path = folder / _name(key, part)
        temporary = path.with_suffix(".tmp")
        array.tofile(temporary)
        temporary.replace(path)


@dataclass
class DataCache:
    seed: int
    dtype: str
    # What the system could hand out now (MemAvailable); a test passes its own.
    available: Callable[[], int] = available_memory_bytes
    # Where large problems are kept for later passes (the sweep's own folder), or None.
    kept: Path | None = None
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
            self._problem = make_problem(m, n_x, self.seed, self.dtype, x_offset, self.kept)
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
