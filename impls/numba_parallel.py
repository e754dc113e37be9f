"""``numba_fused`` split over the examples across threads.

Each thread takes a contiguous block of examples and runs the fused pass
(``numba_fused.accumulate``) into its own row of partial sums, so threads
never write to shared memory; the rows are added at the end. With the step
bound by reading X from memory, more threads help as far as one core cannot
saturate the memory bus alone. The number of threads is numba's
(``numba.set_num_threads``), so a benchmark controls it.
"""

import numba
import numpy as np

from . import numba_fused
from ._types import Backend, Gradient
from .numba_fused import FASTMATH, accumulate_any, prepare  # the same layouts


@numba.njit(parallel=True, fastmath=FASTMATH, cache=True)
def _step(w, b, X, labels, by_columns, blocks):
    m = labels.shape[0]
    n_x = w.shape[0]
    partial_dw = np.zeros((blocks, n_x))
    partial_db = np.zeros(blocks)
    partial_cost = np.zeros(blocks)
    size = (m + blocks - 1) // blocks
    for block in numba.prange(blocks):
        start = block * size
        stop = min(m, start + size)
        partial_db[block], partial_cost[block] = accumulate_any(
            w, b, X, labels, by_columns, start, stop, partial_dw[block]
        )
    return partial_dw.sum(axis=0) / m, partial_db.sum() / m, partial_cost.sum() / m


def memory_bytes(m: int, n_x: int, itemsize: int) -> int:
    """numba_fused's, with the kernel's scratch once per thread numba may start."""
    threads = numba.config.NUMBA_NUM_THREADS
    return numba_fused.memory_bytes(m, n_x, itemsize) + threads * numba_fused.scratch_bytes(
        m, n_x, itemsize
    )


def gradient(w: np.ndarray, b: float, data: tuple[np.ndarray, np.ndarray, bool]) -> Gradient:
    X, labels, by_columns = data
    blocks = min(numba.get_num_threads(), labels.shape[0])
    return Gradient(*_step(w, X.dtype.type(b), X, labels, by_columns, blocks))


BACKEND = Backend(
    "numba_parallel",
    prepare,
    gradient,
    memory_bytes,
    passes_over_x=1,
    description="numba_fused split over examples across threads, partial sums reduced at the end",
)
