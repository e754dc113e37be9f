"""Problems on disk for the points whose data come from a store (the dask backend's).

A sweep makes each store once (``impls.make_store``, untimed, its time
recorded apart), reuses one already in the store folder when it holds the
same problem, and removes the stores it made when it ends unless told to
keep them. For each store it computes, untimed, the expected gradient,
streamed chunk by chunk through the numpy backend, which a point's answer
must match. ``read_Bps`` is the roof a step from the store is held against:
the disk's sequential read rate over the store's own files, read cold.
"""

import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import impls
from impls.store import DISK_MARGIN, default_chunk_m, store_bytes

from . import disk


@dataclass
class StoredProblem:
    path: Path
    X: object  # lazy (dask) arrays over the store
    Y: object
    w: np.ndarray
    b: float
    expected: impls.Gradient
    bytes: int
    make_s: float | None  # None: the store was there already

    def facts(self, m: int, n_x: int) -> dict:
        return dict(m=m, n_x=n_x, path=str(self.path), bytes=self.bytes, make_s=self.make_s)


def store_name(m: int, n_x: int, seed: int, dtype: str) -> str:
    return f"m{m}-nx{n_x}-seed{seed}-{dtype}.zarr"


def read_Bps(path: Path) -> float:
    """Bytes per second of one cold sequential read of every file of the store, in order."""
    disk.evict(path)
    files = sorted(p for p in path.rglob("*") if p.is_file())
    buffer = bytearray(disk.BLOCK_BYTES)
    start = time.perf_counter()
    for file in files:
        with open(file, "rb", buffering=0) as handle:
            while handle.readinto(buffer):
                pass
    return sum(f.stat().st_size for f in files) / (time.perf_counter() - start)


def streamed_gradient(w: np.ndarray, b: float, X, Y) -> impls.Gradient:
    """The step on lazy X and Y, one chunk of examples at a time through the numpy backend."""
    vectorized = impls.BACKENDS["vectorized"]
    n_x, m = X.shape
    dw, db, cost, start = np.zeros(n_x), 0.0, 0.0, 0
    for size in X.chunks[1]:
        chunk = slice(start, start + size)
        X_chunk, Y_chunk = np.asarray(X[:, chunk]), np.asarray(Y[chunk])
        part = vectorized.gradient(w, b, vectorized.prepare(X_chunk, Y_chunk))
        dw, db, cost = dw + part.dw * size, db + part.db * size, cost + part.cost * size
        start += size
    return impls.Gradient(dw / m, db / m, cost / m)


class Shelf:
    """The sweep's stores, by (m, n_x): made or found, measured, and removed at the end."""

    def __init__(self, directory: str | Path, seed: int, dtype: str, keep: bool):
        self.directory = Path(directory).expanduser()
        self.seed, self.dtype, self.keep = seed, dtype, keep
        self.problems: dict[tuple[int, int], StoredProblem] = {}
        # Where the shelf says what it is doing (minutes, for a large store); the sweep sets it.
        self.say: Callable[[str], None] = print

    def path(self, m: int, n_x: int) -> Path:
        return self.directory / store_name(m, n_x, self.seed, self.dtype)

    def free_bytes(self) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        return shutil.disk_usage(self.directory).free

    def missing_space(self, m: int, n_x: int) -> str | None:
        """Why a store for (m, n_x) cannot be made here, or None if it exists or fits."""
        if self.path(m, n_x).exists():
            return None
        need = store_bytes(m, n_x, self.dtype) * DISK_MARGIN
        free = self.free_bytes()
        if need <= free:
            return None
        return (
            f"the store needs {need / 1e9:.3g} GB but {self.directory} has {free / 1e9:.3g} GB free"
        )

    def get(self, m: int, n_x: int, w: np.ndarray, b: float) -> StoredProblem:
        """The problem at (m, n_x) on disk: made (or found), read-rate measured, reference known."""
        if (m, n_x) not in self.problems:
            self.problems[(m, n_x)] = self._stock(m, n_x, w, b)
        return self.problems[(m, n_x)]

    def _stock(self, m: int, n_x: int, w: np.ndarray, b: float) -> StoredProblem:
        path, make_s = self.path(m, n_x), None
        size = store_bytes(m, n_x, self.dtype)
        if path.exists():
            try:
                self._check_chunks(path, m, n_x)
                self.say(f"Using the store {path} ({size / 1e9:.3g} GB).")
            except ValueError as exc:  # damaged, not ours, or chunked otherwise: make it again
                self.say(f"Removing {path}: {exc}")
                shutil.rmtree(path)
        if not path.exists():
            self.say(f"Making a store of {size / 1e9:.3g} GB at {path} (untimed) ...")
            start = time.perf_counter()
            impls.make_store(path, m, n_x, seed=self.seed, dtype=self.dtype)
            make_s = time.perf_counter() - start
        X, Y = impls.open_store(path)
        start = time.perf_counter()
        expected = streamed_gradient(w, b, X, Y)
        self.say(
            f"Store for m={m} n_x={n_x}: "
            + (f"made in {make_s:.1f} s, " if make_s is not None else "")
            + f"expected answer streamed through numpy in {time.perf_counter() - start:.1f} s "
            "(untimed)."
        )
        return StoredProblem(path, X, Y, w, b, expected, size, make_s)

    def _check_chunks(self, path: Path, m: int, n_x: int) -> None:
        """A ValueError unless the store opens and has the chunks a new one would have: their
        size decides how fast it reads."""
        X, _ = impls.open_store(path)
        chunk_m = min(m, default_chunk_m(n_x, self.dtype))
        if X.chunks[1][0] != chunk_m:
            raise ValueError(f"chunks of {X.chunks[1][0]} examples, not {chunk_m}")

    def release(self, m: int, n_x: int) -> None:
        """Done with (m, n_x) for this sweep: remove the store if this sweep made it, unless
        stores are kept."""
        problem = self.problems.get((m, n_x))
        if problem is not None and problem.make_s is not None and not self.keep:
            shutil.rmtree(problem.path, ignore_errors=True)

    def release_all(self) -> None:
        for m, n_x in self.problems:
            self.release(m, n_x)

    def facts(self) -> list[dict]:
        return [problem.facts(m, n_x) for (m, n_x), problem in self.problems.items()]


@dataclass
class StoreReads:
    """The stores' disk: its probe (measured the first time a rate is needed) and each timed
    round's cold read of a store; and how many points have yet to read each store."""

    shelf: Shelf
    disk_probe: dict | None = None
    read_rates: list[float] = field(default_factory=list)  # each timed round's store, cold
    _reads_left: Counter | None = None

    def read_Bps(self) -> float:
        """The rate stores are read at: the median over the stores read so far, else the
        disk probe's (optimistic: a small file may come from a VM host's cache)."""
        if self.read_rates:
            return float(np.median(self.read_rates))
        if self.disk_probe is None:
            self.disk_probe = disk.measure_read(self.shelf.directory)
        return self.disk_probe["read_Bps"]

    def read_once(self, m: int, n_x: int, readers: Callable[[], Counter]) -> None:
        """A point has read the store of (m, n_x); after the last of ``readers`` (the points
        of the sweep that read each store, counted when first needed) it is released."""
        if self._reads_left is None:
            self._reads_left = readers()
        self._reads_left[(m, n_x)] -= 1
        if self._reads_left[(m, n_x)] == 0:
            self.shelf.release(m, n_x)
