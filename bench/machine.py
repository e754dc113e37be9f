"""Every fact about this machine and process that decides a timing.

Stored under ``machine_info["lrbench"]`` in each result file, next to what
pytest-benchmark records itself, so a number never travels without its
context.
"""

import contextlib
import os
import platform
from importlib.metadata import version
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info

# Environment variables that change which kernels or how many threads run, or (glibc's
# malloc tunables) whether numpy's large temporaries cost fresh page faults on every step.
RECORDED_ENV_PREFIXES = (
    "OPENBLAS_",
    "OMP_",
    "MKL_",
    "NUMBA_",
    "GOTO",
    "BLIS_",
    "MALLOC_",
    "GLIBC_TUNABLES",
    "LRBENCH_",  # ours: a forced kernel plan, where plans are kept (impls/_plans.py)
)

# Where numba's cache=True functions keep the machine code they compiled: a sweep sets it for
# its passes' processes, and it changes no timing, so it is not recorded.
NUMBA_CACHE_DIR = "NUMBA_CACHE_DIR"
UNRECORDED_ENV = (NUMBA_CACHE_DIR,)

VERSIONED = ("numpy", "numba", "llvmlite", "pytest-benchmark")


def timing_environment() -> dict[str, str]:
    """The environment variables that change timings, as set in this process."""
    return {
        k: v
        for k, v in sorted(os.environ.items())
        if k.startswith(RECORDED_ENV_PREFIXES) and k not in UNRECORDED_ENV
    }


def _cpuinfo() -> dict[str, str]:
    """The first processor's block of /proc/cpuinfo (empty where there is none)."""
    try:
        block = Path("/proc/cpuinfo").read_text().split("\n\n")[0]
    except OSError:
        return {}
    return dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in block.splitlines())
    )


def cpu_id(cpu: dict[str, str]) -> dict[str, str]:
    """{"cpu_id": "family F model M"} where /proc/cpuinfo says them, else nothing."""
    if "cpu family" in cpu and "model" in cpu:
        return {"cpu_id": f"family {cpu['cpu family']} model {cpu['model']}"}
    return {}


def cpu_name() -> str:
    """The CPU's model name, with its family and model where known: "Intel(R) Xeon(R)
    Processor (family 6 model 167)"."""
    cpu = _cpuinfo()
    name = cpu.get("model name", platform.processor() or platform.machine())
    number = cpu_id(cpu).get("cpu_id")
    return f"{name} ({number})" if number else name


def cache_bytes() -> dict[str, int]:
    """Data and unified cache sizes of CPU 0 by level, e.g. {"L1": 32768, "L2": …, "L3": …}."""
    sizes = {}
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            if (index / "type").read_text().strip() == "Instruction":
                continue
            size = (index / "size").read_text().strip()
            level = (index / "level").read_text().strip()
        except OSError:
            continue
        units = {"K": 1024, "M": 1024**2, "G": 1024**3}
        sizes[f"L{level}"] = int(size.rstrip("KMG")) * units.get(size[-1], 1)
    return sizes


def _proc_field(path: Path, field: str) -> int | None:
    """A "Field:   N kB" line of a /proc file, in bytes."""
    try:
        for line in path.read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _meminfo_bytes(field: str) -> int | None:
    return _proc_field(Path("/proc/meminfo"), field)


def available_memory_bytes() -> int:
    """Memory the kernel could hand out now without swapping (MemAvailable)."""
    available = _meminfo_bytes("MemAvailable")
    return available or os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def reset_peak_rss() -> None:
    """Start the process's resident high-water mark (VmHWM) again from its resident size now.

    Linux only (``/proc/self/clear_refs``); elsewhere the mark stays the process's lifetime
    peak, which still bounds the point's from above.
    """
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_bytes() -> int | None:
    """The process's resident high-water mark since the last reset (VmHWM), if known."""
    return _proc_field(Path("/proc/self/status"), "VmHWM")


def total_memory_bytes() -> int:
    """The machine's memory (MemTotal): what data must exceed to be out of core."""
    total = _meminfo_bytes("MemTotal")
    return total or os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def identity() -> dict:
    """What must not change between the processes of one sweep (a resumed one, say): the CPU,
    the memory, Python, the numeric libraries and the variables that change timings."""
    return {
        "cpu_model": _cpuinfo().get("model name", platform.processor() or platform.machine()),
        "cpu_count": os.cpu_count(),
        "memory_total_bytes": total_memory_bytes(),
        "python": platform.python_version(),
        "versions": {name: version(name) for name in VERSIONED},
        "environment": timing_environment(),
    }


def collect(threads: int) -> dict:
    import numba  # here, not at import: the regression check's parent reads only identity()

    """The facts, read after the thread limits of the run are in place."""
    cpu = _cpuinfo()
    flags = set(cpu.get("flags", "").split())
    pools = threadpool_info()
    facts = {
        "cpu_model": cpu.get("model name", platform.processor() or platform.machine()),
        **cpu_id(cpu),
        "cpu_count": os.cpu_count(),
        "cpu_simd": [f for f in ("sse4_2", "avx", "avx2", "fma", "avx512f") if f in flags],
        "cache_bytes": cache_bytes(),
        "memory_available_bytes": available_memory_bytes(),
        "memory_total_bytes": total_memory_bytes(),
        "python": platform.python_version(),
        "versions": {name: version(name) for name in VERSIONED},
        "threads_requested": threads,
        "blas": [
            {
                key: pool.get(key)
                for key in (
                    "internal_api",
                    "version",
                    "architecture",
                    "num_threads",
                    "threading_layer",
                )
            }
            | {"library": Path(pool["filepath"]).name}
            for pool in pools
            if pool["user_api"] == "blas"
        ],
        "openmp_threads": [pool["num_threads"] for pool in pools if pool["user_api"] == "openmp"],
        "numba_threads": numba.get_num_threads(),
        "numba_threading_layer": numba.config.THREADING_LAYER,
        "numpy_blas": np.show_config(mode="dicts")
        .get("Build Dependencies", {})
        .get("blas", {})
        .get("name"),
        "environment": timing_environment(),
    }
    facts["warnings"] = warnings_for(facts)
    return facts


def warnings_for(facts: dict) -> list[str]:
    """What a reader of these numbers must know: forced kernels, unexpected thread counts."""
    warnings = []
    coretype = facts["environment"].get("OPENBLAS_CORETYPE")
    if coretype:
        kernels = ", ".join(sorted({str(b["architecture"]) for b in facts["blas"]})) or "an unknown"
        avx512 = " although this CPU supports AVX-512" if "avx512f" in facts["cpu_simd"] else ""
        warnings.append(
            f"OPENBLAS_CORETYPE={coretype} is set: OpenBLAS runs its {kernels} kernel{avx512}. "
            "BLAS-bound times (the vectorized backend at large sizes) are slower than a user "
            "without this variable would measure."
        )
    if "OPENBLAS_L2_SIZE" in facts["environment"]:
        warnings.append(
            f"OPENBLAS_L2_SIZE={facts['environment']['OPENBLAS_L2_SIZE']} is set: OpenBLAS blocks "
            "its kernels for that cache size instead of the one it would detect."
        )
    warnings += [
        f"{pool['library']} runs {pool['num_threads']} threads, not the "
        f"{facts['threads_requested']} requested."
        for pool in facts["blas"]
        if pool["num_threads"] != facts["threads_requested"]
    ]
    if facts["numba_threads"] != facts["threads_requested"]:
        import numba

        warnings.append(
            f"numba runs {facts['numba_threads']} threads, not the {facts['threads_requested']} "
            f"requested (this machine allows at most {numba.config.NUMBA_NUM_THREADS})."
        )
    return warnings
