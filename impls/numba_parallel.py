"""``numba_fused`` split over the examples across threads.

Each thread takes a contiguous block of examples and runs the fused pass
(``numba_fused.accumulate_any``, with the plan ``numba_fused.prepare`` chose)
into its own row of partial sums, so threads never write to shared memory;
the rows are added at the end. With the step
bound by reading X from memory, more threads help as far as one core cannot
saturate the memory bus alone. The number of threads is numba's
(``numba.set_num_threads``), so a benchmark controls it.
"""

import numba
import numpy as np

from . import numba_fused
from ._types import Backend, Gradient
from .numba_fused import FASTMATH, PLANS, Blocks, Prepared, accumulate_any, prepare  # same plans


@numba.njit(parallel=True, fastmath=FASTMATH, cache=True)
def _step(w, b, X, labels, by_columns, examples, group, threads):
    m = labels.shape[0]
    n_x = w.shape[0]
    partial_dw = np.zeros((threads, n_x))
    partial_db = np.zeros(threads)
    partial_cost = np.zeros(threads)
    size = (m + threads - 1) // threads
    blocks = Blocks(by_columns, examples, group)
    for thread in numba.prange(threads):
        start = thread * size
        stop = min(m, start + size)
        partial_db[thread], partial_cost[thread] = accumulate_any(
            w, b, X, labels, blocks, start, stop, partial_dw[thread]
        )
    return partial_dw.sum(axis=0) / m, partial_db.sum() / m, partial_cost.sum() / m


def memory_bytes(m: int, n_x: int, itemsize: int) -> int:
    """numba_fused's, with the kernel's scratch once per thread numba may start."""
    threads = numba.config.NUMBA_NUM_THREADS
    return numba_fused.memory_bytes(m, n_x, itemsize) + threads * numba_fused.scratch_bytes(
        m, n_x, itemsize
    )


def gradient(w: np.ndarray, b: float, data: Prepared) -> Gradient:
    threads = min(numba.get_num_threads(), data.labels.shape[0])
    X = data.X
    return Gradient(*_step(w, X.dtype.type(b), X, data.labels, *data.blocks, threads))


BACKEND = Backend(
    "numba_parallel",
    prepare,
    gradient,
    memory_bytes,
    passes_over_x=1,
    description="numba_fused split over examples across threads, partial sums reduced at the end",
    plans=PLANS,
)
