"""A streaming-read probe: how fast can this machine read memory?

A compiled sum over an array several times larger than the last-level
cache, on one thread and on all of them. It does one add per 8 bytes read,
far below what a core can compute, so its speed is the speed of reading
memory: the roof that a backend's bytes of X per second can be held against.
"""

import time

import numba
import numpy as np

PROBE_BYTES = 1 << 30  # 1 GiB: 30x this machine's 32 MiB L3
REPEATS = 5


@numba.njit(fastmath=True)  # reassociation lets LLVM keep several SIMD accumulators
def _sum(values):
    total = 0.0
    for i in range(values.size):
        total += values[i]
    return total


@numba.njit(parallel=True, fastmath=True)
def _parallel_sum(values):
    total = 0.0
    for i in numba.prange(values.size):
        total += values[i]
    return total


def _best_seconds(function, values) -> float:
    function(values[:1024])  # compile outside the timing
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        function(values)
        times.append(time.perf_counter() - start)
    return min(times)  # the roof is the best the machine can do


def measure(probe_bytes: int = PROBE_BYTES) -> dict:
    """Read bandwidth in bytes/s on one thread and on every core, whatever the sweep's threads."""
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
