"""What the harness writes and every reader reads: the record vocabulary of a run file.

The schema version, the benchmark groups beside the gradient steps, a point's status and where
its data came from, the facts recorded at a measured point and at a skipped one, and the points
the roof study and the examples look at. Imports nothing of ``bench``: the harness writes with
it without loading the reader (``bench.results``).
"""

from dataclasses import asdict, dataclass, fields
from enum import StrEnum

SCHEMA_VERSION = 2
CALIBRATION = "calibration"  # pytest-benchmark group of the calibration kernels
# How steadily a machine times fixed work: the calibration kernels' rounds, IQR over median,
# in the run's steadiest window (one disturbance lifts a window; a busy host lifts them all), at
# most this on a machine fit for a reference run: above every quiet run's, below a busy host's
# (docs/tuning.md).
STEADY_TIMING = 0.05
LECTURE = "lecture"  # pytest-benchmark group of the lecture's dot-product demo
# pytest-benchmark group of the placement study: claims' backends with X on a page boundary.
BEST_PLACEMENT = "best-placement"


class Status(StrEnum):
    """A point's status in a run: measured, or the reason class of its skip."""

    MEASURED = "measured"
    BUDGET = "skipped-budget"  # its predicted step exceeded the budget
    MEMORY = "skipped-memory"  # it would not fit in the memory available
    DISK = "skipped-disk"  # its store would not fit on the store folder's disk


class DataSource(StrEnum):
    """Where a point's data came from; files before the stores (issue 14) held them in memory."""

    MEMORY = "memory"
    DISK = "disk"
    CLUSTER = "cluster"


@dataclass(frozen=True)
class PointFacts:
    """What the harness records at a measured point beside pytest-benchmark's statistics (the
    benchmark's ``extra_info``): written by ``bench.harness.timed_steps``, read by ``Run``.
    Every field but ``mode`` and ``data_source`` may be None (not measured, or an older run)."""

    mode: str  # "calibrated" (pytest-benchmark's calibration) or "pedantic" (fixed rounds)
    data_source: DataSource
    predicted_s: float | None  # the cost model's prediction, before the point ran (pass 1)
    first_call_s: float | None  # the untimed first call (pass 1)
    cpu_per_wall: float | None  # the process's CPU time over wall time, over a few calls
    disk_read_Bps: float | None  # the paired cold reads of a store, median over rounds
    peak_rss_bytes: int | None  # the process's resident peak over the point
    x_offset: int | None  # where X started, bytes past a page boundary (None: from a store)
    # The plan a backend that chooses one ran (``impls.Backend.plans``), how it was chosen
    # (tuned now, cached, forced) and the seconds spent timing candidates for it in this pass.
    plan: str | None
    plan_source: str | None
    plan_tuning_s: float | None
    others_cpu: float | None  # other processes' CPU time over the point's wall time, in cores
    steal_cpu: float | None  # the hypervisor's steal over the point, in cores
    clock_mhz: float | None  # the CPU's clock at the point's end, where the system tells
    busy: bool | None  # others_cpu at or above the busy threshold

    def as_extra_info(self) -> dict:
        return asdict(self) | {"data_source": str(self.data_source)}


@dataclass(frozen=True)
class SkipRecord:
    """A point skipped in every pass (``lrbench.skipped``): written by the planner, read by
    ``Run``. ``predicted_s`` is the cost model's prediction, never a measurement."""

    backend: str
    m: int
    n_x: int
    status: Status
    data_source: DataSource
    predicted_s: float | None
    reason: str

    @property
    def point(self) -> tuple[str, int, int]:
        return (self.backend, self.m, self.n_x)

    def as_dict(self) -> dict:
        return asdict(self) | {"status": str(self.status), "data_source": str(self.data_source)}

    @classmethod
    def from_dict(cls, record: dict) -> "SkipRecord":
        """A record as the journal or a run file keeps it (validated by Run.load first)."""
        return cls(
            **record
            | {
                "status": Status(record["status"]),
                "data_source": DataSource(record.get("data_source") or DataSource.MEMORY),
            }
        )


# PointFacts' fields that are text, and those that are numbers.
POINT_TEXTS = ("mode", "data_source", "plan", "plan_source")
POINT_NUMBERS = tuple(f.name for f in fields(PointFacts) if f.name not in POINT_TEXTS + ("busy",))


# Where the compiled backends' targets are judged, and where the paired roof study
# (machine fact "roof", ``bench.harness.roof``) measures the probe beside the kernels.
ROOF_POINT = (100_000, 1000)
# Where the README's answer quotes its examples and the regression checks look first.
EXAMPLE_POINT = (1000, 100)
ROOF_PROBE = "probe"  # the read probe's seconds per round, beside each kernel's and part's
# The parts of numba_fused's step, timed alone (one thread): see ``bench.harness.roof``.
ROOF_PARTS = ("z_pass", "z_and_dw_passes", "block_math")
# numba_fused in each candidate plan, timed beside them: "plan " and the plan's name.
PLAN_PREFIX = "plan "
