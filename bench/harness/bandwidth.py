"""A streaming-read probe: how fast can this machine read memory?

A compiled sum over an array several times larger than the last-level
cache, on one thread and on all of them. It does one add per 8 bytes read,
far below what a core can compute, so its speed is the speed of reading
memory: the roof that a backend's bytes of X per second can be held against.
"""

import time

import numba
import numpy as np

PROBE_BYTES = 1 << 30  # 1 GiB: many times any last-level cache we have met
REPEATS = 5


# Summed in the array's own type: a float64 sum of float32 values converts every element, and
# the probe then read float32 X slower than numba_fused's z pass did (docs/tuning.md).
@numba.njit(fastmath=True)  # reassociation lets LLVM keep several SIMD accumulators
def _sum(values):
    total = values.dtype.type(0)
    for i in range(values.size):
        total += values[i]
    return total


@numba.njit(parallel=True, fastmath=True)
def _parallel_sum(values):
    total = values.dtype.type(0)
    for i in numba.prange(values.size):
        total += values[i]
    return total


def compile_probes() -> None:
    """Compile every probe now; the first compilation may also load more libraries (numba
    loads scipy's OpenBLAS), which the sweep's thread limits must then see."""
    values = np.ones(1024)
    _sum(values)
    _parallel_sum(values)
    _repeated_sum(values, 1)


def _best_seconds(function, values) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        function(values)
        times.append(time.perf_counter() - start)
    return min(times)  # the roof is the best the machine can do


def measure(probe_bytes: int = PROBE_BYTES) -> dict:
    """Read bandwidth in bytes/s on one thread and on every core, whatever the sweep's threads."""
    compile_probes()
    values = np.ones(probe_bytes // 8)
    one_thread = values.nbytes / _best_seconds(_sum, values)
    sweep_threads = numba.get_num_threads()
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    try:
        all_threads = values.nbytes / _best_seconds(_parallel_sum, values)
    finally:
        numba.set_num_threads(sweep_threads)
    return {
        "probe_bytes": values.nbytes,
        "one_thread_Bps": one_thread,
        "threads": numba.config.NUMBA_NUM_THREADS,
        "all_threads_Bps": all_threads,
    }


# Working sets for the cache probe: 64 KiB to 256 MiB, a factor 2 apart.
KNEE_SIZES = tuple(1 << k for k in range(16, 29))
KNEE_READ_BYTES = 1 << 27  # read about this much at each size, however small it is
# A working set still "in cache" reads at least this much faster than memory does.
IN_CACHE_FACTOR = 1.3


@numba.njit(fastmath=True)
def _repeated_sum(values, repeats):
    total = 0.0
    for _ in range(repeats):
        for i in range(values.size):
            total += values[i]
    return total


def cache_knee(sizes: tuple[int, ...] = KNEE_SIZES) -> dict:
    """Read bandwidth (1 thread) against working-set size, and the largest working set still
    read clearly faster than memory: the cache size that matters, measured, whatever the
    machine reports (a VM may report a cache it does not give this process)."""
    compile_probes()
    rates = []
    for size in sizes:
        values = np.ones(size // 8)
        repeats = max(1, KNEE_READ_BYTES // size)
        _repeated_sum(values, 1)  # page it in
        best = min(_timed(_repeated_sum, values, repeats) for _ in range(2))
        rates.append(size * repeats / best)
    memory = float(np.median(rates[-2:]))
    return {
        "sizes_bytes": list(sizes),
        "one_thread_Bps": rates,
        "memory_Bps": memory,
        "cache_bytes": knee(sizes, rates, memory),
        "in_cache_factor": IN_CACHE_FACTOR,
    }


def knee(sizes, rates, memory_Bps: float) -> int | None:
    """The last working set, smallest first, before the read rate first falls to memory's."""
    last = None
    for size, rate in zip(sizes, rates, strict=True):
        if rate < IN_CACHE_FACTOR * memory_Bps:
            break
        last = size
    return last


def _timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start
