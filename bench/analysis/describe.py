"""What a run says of its machine, judged: the CPU as a label, how busy the machine was, how
steadily it timed fixed work, and whether the run is fit to be a quiet reference."""

from ..records import STEADY_TIMING
from ..results import Run


def cpu(run: Run) -> str:
    """The CPU model, its family and model numbers where recorded, and its widest SIMD: VMs of
    one model name can be different CPUs."""
    simd = run.facts.get("cpu_simd") or []
    widest = "AVX-512" if "avx512f" in simd else "AVX2" if "avx2" in simd else None
    details = ", ".join(part for part in (run.facts.get("cpu_id"), widest) if part)
    return f"{run.facts['cpu_model']} ({details})" if details else run.facts["cpu_model"]


def label(run: Run) -> str:
    """What a reader must know to compare a run with another: CPU, dtype, threads, and whether
    the sweep was interrupted before it measured every point."""
    text = f"{cpu(run)}, {run.dtype}, {run.threads} thread(s)"
    if run.unfinished:
        text += f", interrupted: {len(run.unfinished)} point(s) not measured"
    return text


def busy_points(run: Run) -> int | None:
    """Points measured beside other work, in any pass (None: not recorded)."""
    if "busy" not in run.table or run.table["busy"].isna().all():
        return None
    return int((run.measured["busy"] == True).sum())  # noqa: E712 (None is not busy)


def steal(run: Run) -> float | None:
    """The hypervisor's steal over the measured points, in cores, on average (None: not
    recorded)."""
    stolen = run.measured["steal_cpu"].dropna()
    return float(stolen.mean()) if len(stolen) else None


def timing_noise(run: Run) -> float | None:
    """How unsteadily the machine timed fixed work: the calibration windows' smallest spread of
    rounds, IQR over median (None: the run timed no calibration kernels)."""
    return min(run.calibration_spreads) if run.calibration_spreads else None


def steady(run: Run) -> bool:
    """Whether the machine timed fixed work steadily (timing_noise at most STEADY_TIMING)."""
    noise = timing_noise(run)
    return noise is not None and noise <= STEADY_TIMING


def quiet(run: Run) -> bool:
    """A reference run: every point recorded what else ran, none ran beside other work, and
    the machine timed fixed work steadily."""
    return busy_points(run) == 0 and steady(run)
