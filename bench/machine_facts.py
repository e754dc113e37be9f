"""The machine facts a run records (``machine_info["lrbench"]``): each key declared once.

A fact says what kind of value a reader may trust it to hold (``Run`` checks
every declared key on load, naming the field at fault), and, where the report's
machine table shows it, how it is written there. pyperf's ``_metadata.py`` is
the model. The writers (``bench.machine.collect`` and the sweep's probes)
write only declared keys; a test holds them to it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .units import format_rate

EVERY_MEMBER = "*"


def _or_unknown(value: Any) -> str:
    return "?" if value is None else str(value)


@dataclass(frozen=True)
class Fact:
    # What the value may hold, as ``bench.results`` checks kinds: "str", "positive int",
    # "number", "dict", "list". A member's kind ending in "?" may be missing or null.
    kind: str
    required: bool = False
    # A dict's members and their kinds; EVERY_MEMBER for a kind every member has.
    members: dict[str, str] = field(default_factory=dict)
    # How the machine table writes the value, None included (an older run may lack the fact).
    show: Callable[[Any], str] = _or_unknown


def _blas(pools: list[dict] | None) -> str:
    if not pools:
        return "none found"
    return "; ".join(
        f"{b.get('library')} ({b.get('internal_api')} {b.get('version')}, "
        f"{b.get('architecture')} kernel, {b.get('num_threads')} thread(s))"
        for b in pools
    )


def _read_bandwidth(bandwidth: dict | None) -> str:
    bandwidth = bandwidth or {}
    threads = _or_unknown(bandwidth.get("threads"))
    return (
        f"{format_rate(bandwidth.get('one_thread_Bps'))} on 1 thread, "
        f"{format_rate(bandwidth.get('all_threads_Bps'))} on {threads}"
    )


def _environment(variables: dict | None) -> str:
    return (
        ", ".join(f"`{k}={v}`" for k, v in (variables or {}).items())
        or "no BLAS, OpenMP, numba or malloc variables set"
    )


FACTS: dict[str, Fact] = {
    "cpu_model": Fact("str", required=True),
    # x86 family and model ("family 6 model 167"): VMs of one model name can be other CPUs.
    "cpu_id": Fact("str"),
    "cpu_count": Fact("positive int", required=True, show=lambda n: f"{_or_unknown(n)} cores"),
    "cpu_simd": Fact("list", show=lambda flags: f"SIMD: {', '.join(flags or []) or '?'}"),
    # Data and unified caches of CPU 0 by level ("L1", "L2", ...), in bytes.
    "cache_bytes": Fact("dict", required=True, members={EVERY_MEMBER: "positive int"}),
    # The cache knee the sweep measured (bench.harness.bandwidth.cache_knee).
    "cache_probe": Fact("dict", members={"cache_bytes": "positive int?"}),
    "memory_available_bytes": Fact("positive int"),
    "memory_total_bytes": Fact("positive int"),
    "python": Fact("str"),
    "versions": Fact(
        "dict",
        required=True,
        show=lambda versions: ", ".join(f"{k} {v}" for k, v in (versions or {}).items()),
    ),
    "threads_requested": Fact("positive int", show=lambda n: f"{_or_unknown(n)} requested"),
    "blas": Fact("list", required=True, show=_blas),
    "openmp_threads": Fact("list"),
    "numba_threads": Fact("positive int", show=lambda n: f"numba {_or_unknown(n)}"),
    "numba_threading_layer": Fact("str"),
    "numpy_blas": Fact("str"),
    # Variables that change timings (bench.machine.RECORDED_ENV_PREFIXES).
    "environment": Fact("dict", required=True, show=_environment),
    "warnings": Fact("list", required=True),
    # The read probe's rates (bench.harness.bandwidth.measure).
    "read_bandwidth": Fact(
        "dict",
        members={"one_thread_Bps": "number", "all_threads_Bps": "number"},
        show=_read_bandwidth,
    ),
    # The paired roof study (bench.harness.roof); its rounds are checked by bench.results.
    "roof": Fact("dict", members={"bytes_X": "positive int", "seconds": "dict"}),
    "point_cpu_affinity": Fact("list"),
    # Other work beside the sweep (bench.harness.run_file.neighbour_facts).
    "neighbours": Fact(
        "dict",
        members={
            "busy_cores": "number",
            "points": "int",
            "busy_points": "int",
            "others_cpu_median": "number?",
            "others_cpu_max": "number?",
            "steal_cpu_max": "number?",
        },
    ),
    # The paired cold reads of a store (bench.harness.stores).
    "disk_read": Fact("dict", members={"read_Bps": "number"}),
}


def shown(facts: dict, key: str) -> str:
    """A fact as the machine table writes it."""
    return FACTS[key].show(facts.get(key))


def undeclared(facts: dict) -> list[str]:
    """Keys of facts that this schema does not declare (a writer's slip)."""
    return sorted(set(facts) - set(FACTS))
