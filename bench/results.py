"""The ``Run`` type: everything downstream reads result files through it.

``Run.load`` reads and validates a file once (``bench.result_file``), so every
reader after it can trust the object: the tidy table (``bench.passes``), the
settings, the facts and the numbers derived from them (item size, cache size,
bandwidth for the run's threads). A run is immutable; judging it (quiet,
steady, its label) is ``bench.analysis.describe``'s.
"""

import copy
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .passes import COLUMNS, across_passes, tidy
from .records import Status
from .result_file import ResultsError, parse, read_document, write_document
from .settings import Settings

# The lecture demo's rows and the placement study's: a row per point (or kernel) and pass.
LECTURE_COLUMNS = ["kernel", "pass_number", "median_s", "min_s"]
PLACEMENT_COLUMNS = ["backend", "m", "n_x", "pass_number", "median_s", "x_offset"]


@dataclass(frozen=True, eq=False)
class Run:
    """One validated sweep: everything downstream reads results through this."""

    source: str
    schema_version: int
    commit: str  # the commit whose harness made the run ("?" if not recorded)
    made: str  # when the run was written (ISO 8601, UTC; "?" if not recorded)
    settings: Settings = field(repr=False)
    facts: dict = field(repr=False)
    backends: dict[str, dict] = field(repr=False)
    first_call_s: dict[str, float] = field(repr=False)
    calibration: dict[str, float] = field(repr=False)
    calibration_spreads: list[float] = field(repr=False)  # each window's IQR over median
    table: pd.DataFrame = field(repr=False)
    # The lecture's dot-product demo: kernel, pass_number, median_s, min_s (empty if not run).
    lecture: pd.DataFrame = field(repr=False)
    # The placement study: PLACEMENT_COLUMNS, a row per point and pass (empty if not run).
    placement: pd.DataFrame = field(repr=False)
    # The stores on disk the run read (m, n_x, bytes, make_s: the time to write one).
    stores: list[dict] = field(repr=False, default_factory=list)
    # An interrupted sweep's points not measured: (pass, backend, m, n_x). Empty when whole.
    unfinished: list[tuple[int, str, int, int]] = field(repr=False, default_factory=list)

    # The validated file as read, for writing it again (never read past the parts above).
    _document: dict = field(repr=False, default_factory=dict)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Run":
        """Read and validate a result file; ResultsError names the file and the field at fault."""
        return cls.from_document(read_document(path), str(path))

    @classmethod
    def from_document(cls, document: dict, source: str = "<run>") -> "Run":
        parts = parse(document, source)
        rows = across_passes(parts.measured) + parts.skipped
        return cls(
            source=source,
            schema_version=parts.schema_version,
            commit=parts.commit,
            made=parts.made,
            settings=parts.settings,
            facts=parts.facts,
            backends=parts.backends,
            first_call_s=parts.first_call_s,
            calibration=parts.calibration,
            calibration_spreads=parts.calibration_spreads,
            table=tidy(rows, parts.settings, parts.backends),
            lecture=pd.DataFrame(parts.lecture, columns=LECTURE_COLUMNS),
            placement=pd.DataFrame(parts.placed, columns=PLACEMENT_COLUMNS),
            stores=parts.stores,
            unfinished=parts.unfinished,
            _document=document,
        )

    # ---- derived numbers, computed in one place

    @property
    def dtype(self) -> str:
        return self.settings.dtype

    @property
    def threads(self) -> int:
        return self.settings.threads

    @property
    def itemsize(self) -> int:
        return np.dtype(self.dtype).itemsize

    @property
    def last_level_cache(self) -> tuple[str, int] | None:
        """(level, bytes) of the largest cache the machine reports, or None."""
        return max(self.facts["cache_bytes"].items(), key=lambda item: item[0], default=None)

    @property
    def measured_cache_bytes(self) -> int | None:
        """The largest working set the cache probe read clearly faster than memory."""
        return (self.facts.get("cache_probe") or {}).get("cache_bytes")

    @property
    def cache_bytes(self) -> int | None:
        """The cache size that matters: measured where the run probed it, else reported."""
        if self.measured_cache_bytes:
            return self.measured_cache_bytes
        last = self.last_level_cache
        return last[1] if last else None

    @property
    def bandwidth_Bps(self) -> float | None:
        """The probe's read bandwidth on as many threads as the run used, if it was measured."""
        probe = self.facts.get("read_bandwidth")
        if not probe:
            return None
        return probe["one_thread_Bps"] if self.threads == 1 else probe["all_threads_Bps"]

    @property
    def roof(self) -> dict | None:
        """The paired roof study (``bench.harness.roof``), if the run made one."""
        return self.facts.get("roof")

    @property
    def disk_read_Bps(self) -> float | None:
        """The disk probe's sequential read rate, if the run read from a store."""
        return (self.facts.get("disk_read") or {}).get("read_Bps")

    @property
    def memory_total_bytes(self) -> int | None:
        return self.facts.get("memory_total_bytes")

    @property
    def neighbours(self) -> dict | None:
        """How busy the machine was over the run's points (None: not recorded, an older run)."""
        return self.facts.get("neighbours")

    @property
    def measured(self) -> pd.DataFrame:
        return self.table[self.table["status"] == Status.MEASURED]

    def write(self, path: str | os.PathLike) -> None:
        """The file, with every round's time (compacted), written whole."""
        write_document(path, self._document)

    def to_document(self) -> dict:
        """A copy of the validated file, for tools that derive another run from it."""
        return copy.deepcopy(self._document)


__all__ = ["COLUMNS", "PLACEMENT_COLUMNS", "ResultsError", "Run"]
