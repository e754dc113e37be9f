"""The sweep's running state, in three parts with one job each, and each backend's first call.

- ``Planner`` (``planner.py``): what to run or skip and why, and predicted times; ``Progress``
  (``progress.py``) turns them into the time left;
  it times nothing, so it is tested without timing anything.
- ``DataCache`` (``data_cache.py``): the problem in memory and the layouts made of it.
- ``StoreReads`` (``stores.py``): the stores on disk, the rate they are read at, and when
  each is read for the last time.

``plugin.py`` holds one ``SweepState``; ``timed_steps.py`` asks it and times.
"""

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import impls

from ..machine import available_memory_bytes
from ..problem import weights
from ..settings import PassPoint, Settings
from .data_cache import DataCache
from .planner import Planner
from .progress import Progress
from .stores import Shelf, StoredProblem, StoreReads


@dataclass
class SweepState:
    settings: Settings
    # What the system could hand out now (MemAvailable); a test passes its own.
    available: Callable[[], int] = available_memory_bytes
    first_call_s: dict[str, float] = field(default_factory=dict)
    # Where large problems are kept between passes (the sweep's own folder), or None.
    kept: Path | None = None

    def __post_init__(self) -> None:
        settings = self.settings
        self.data = DataCache(settings.seed, settings.dtype, lambda: self.available(), self.kept)
        shelf = Shelf(settings.store_dir, settings.seed, settings.dtype, settings.keep_stores)
        self.stores = StoreReads(shelf)
        self.plan = Planner(
            settings,
            available=lambda: self.available(),
            held=self.data.held_bytes,
            store_read_Bps=self.stores.read_Bps,
            missing_space=shelf.missing_space,
        )
        self.progress = Progress(self.plan)

    def replay(self, entry: dict) -> None:
        """An earlier process's journal entry: its first calls, and what it found at a point."""
        self.first_call_s.update(entry.get("first_call_s") or {})
        self.plan.replay(entry)
        if entry.get("point") is not None:
            self.progress.count(PassPoint(*entry["point"]))

    def stored(self, m: int, n_x: int) -> StoredProblem:
        """The problem at (m, n_x) on disk, made the first time (untimed). A problem of
        another size held in memory is let go first: its memory is the page cache's."""
        if self.data.holds_other_than(m, n_x):
            self.data.drop()
        return self.stores.shelf.get(m, n_x, *weights(n_x, self.settings.seed, self.settings.dtype))

    def done_with(self, backend: str, m: int, n_x: int) -> None:
        """After a point is measured: the last point to read a store lets it go."""
        if self.plan.from_store(backend, m, n_x):
            self.stores.read_once(m, n_x, self._store_readers)

    def _store_readers(self) -> Counter:
        return Counter(
            (m, n_x) for _, name, m, n_x in self.plan.points if self.plan.from_store(name, m, n_x)
        )

    def warm_up(self, backend: str) -> None:
        """Each backend's first call, on a tiny problem: numba compiles here, outside any timing."""
        if backend in self.first_call_s:
            return
        impl = impls.get_backend(backend)
        tiny = DataCache(self.settings.seed, self.settings.dtype).problem(8, 4)
        data = impl.prepare(tiny.X, tiny.Y)
        start = time.perf_counter()
        impl.gradient(tiny.w, tiny.b, data)
        self.first_call_s[backend] = time.perf_counter() - start
