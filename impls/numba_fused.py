"""One compiled pass over the examples, reading X once from memory. Single thread.

numpy's vectorized step streams X from memory twice (once for wᵀX, once for
X·dZᵀ); above the last-level cache that traffic is its limit. Here examples
are taken in blocks of about 1 MiB of X, three loops a block: z = w·x + b for
every example of the block, streaming it from memory; then dz and the loss
for the whole block at once (``_block_math``: exp and log1p as polynomials
LLVM vectorizes, where ``math.exp`` and ``math.log1p`` were one scalar
library call each, several times slower); then dw += dz·x over the same
block, now in the L2 cache.

X is read where the caller put it. As the contract gives it, (n_x, m) in C
order, each feature's slice of a block is contiguous and both passes run
across the block's examples, four features at a time
(``accumulate_columns``); X in Fortran order, one contiguous row per example,
is read row by row (``accumulate``). C-ordered X is copied to rows only
where that measured faster (``reads_in_place``: more than ``COLUMNS_UP_TO``
features, where a block's z pass would read n_x short runs, or more than
``IN_PLACE_UP_TO`` with X small enough that the copy costs little), and
``memory_bytes`` counts that copy.

Where the time goes: the z pass reads X from memory at nearly the read
probe's rate, the dw pass reads it again from L2, and the block math is a few
percent; that second read is the gap to the roof (the roof study in the
report measures the parts). Overlapping it with the next block's stream
(software-pipelined blocks, software prefetch into L1 or L2) measured slower,
not faster. The constants below were tuned on one CPU: docs/tuning.md has the
measurements.

Compiled with reassociation and FMA contraction allowed (``fastmath``
limited to those two flags), so LLVM keeps several SIMD accumulators for the
dot products instead of adding one product at a time; its rounding changes
by a few ulps of the summed magnitudes, well within the agreement tolerance.
Nothing is allocated per example: a few block-sized scratch vectors per call.
float32 data are summed in float32 (b, dz, the block's partial sums and the
block math take X's type), so a SIMD register holds twice as many elements.
"""

import numba
import numpy as np

from . import _block_math, _layout
from ._types import Backend, Gradient

FASTMATH = {"reassoc", "contract"}


# Examples per block: about this many bytes of X, so a block stays in L2 between its two passes.
BLOCK_BYTES = 1024 * 1024
# At least this many examples a block, however many features: each feature's run of a block is
# then 1 KiB of float64, long enough for the prefetchers.
MIN_EXAMPLES = 128
# At most this many bytes of each scratch vector (1,024 float64, 2,048 float32 examples): the
# block's five scratch vectors then stay in L1-L2 when features are few.
MAX_SCRATCH_BYTES = 8 * 1024
# C-ordered X is read in place (as columns) up to IN_PLACE_UP_TO features whatever its size, and
# up to COLUMNS_UP_TO features once it is at least IN_PLACE_FROM_BYTES; otherwise the kernels
# read a copy as rows. Above COLUMNS_UP_TO features a block's z pass would read n_x short runs;
# below IN_PLACE_FROM_BYTES the copy costs little memory and its long rows pay.
IN_PLACE_UP_TO = 128
COLUMNS_UP_TO = 1024
IN_PLACE_FROM_BYTES = 64 * 2**20
# A copy of X (here, a store's, a dask chunk's) is kept as columns up to this many features:
# below it a row's dot product leaves most of a SIMD register idle.
COPY_AS_COLUMNS_UP_TO = 16


@numba.njit(cache=True)
def scratch(block, dtype):
    """Block-sized vectors for t, two for the exponential, dz and the loss."""
    return [np.empty(block, dtype) for _ in range(5)]


@numba.njit(cache=True)
def examples_per_block(itemsize, n_x, minimum):
    return min(MAX_SCRATCH_BYTES // itemsize, max(minimum, BLOCK_BYTES // (itemsize * n_x)))


@numba.njit(fastmath=FASTMATH, cache=True)
def accumulate(w, b, rows, labels, start, stop, dw):
    """Add the examples start..stop-1's contributions to dw; return their Σdz and Σloss.

    rows: one example per row. dw's pass takes four rows at a time: one load and
    store of dw per four products, which reads from L2 faster than one per product."""
    n_x = rows.shape[1]
    block = examples_per_block(rows.itemsize, n_x, 1)  # a row is one contiguous run
    t, kf, scale, dz, loss = scratch(min(block, stop - start), rows.dtype)
    db = 0.0
    cost = 0.0
    for first in range(start, stop, block):
        last = min(stop, first + block)
        for i in range(first, last):
            x = rows[i]
            z = b
            for j in range(n_x):
                z += w[j] * x[j]
            t[i - first] = (1.0 - 2.0 * labels[i]) * z
        _block_math.dz_and_loss(t, labels, first, last - first, kf, scale, dz, loss)
        for i in range(last - first):
            db += dz[i]
            cost += loss[i]
        fours = last - (last - first) % 4
        for i in range(first, fours, 4):
            x0, x1, x2, x3 = rows[i], rows[i + 1], rows[i + 2], rows[i + 3]
            d0, d1, d2, d3 = dz[i - first], dz[i + 1 - first], dz[i + 2 - first], dz[i + 3 - first]
            for j in range(n_x):
                dw[j] += (d0 * x0[j] + d1 * x1[j]) + (d2 * x2[j] + d3 * x3[j])
        for i in range(fours, last):
            x = rows[i]
            d = dz[i - first]
            for j in range(n_x):
                dw[j] += d * x[j]
    return db, cost


@numba.njit(fastmath=FASTMATH, cache=True)
def z_pass(w, b, X, first, last, t):
    """t[:n] = z of the examples first..last-1 of X (n_x, m): four features at a time, so t is
    loaded and stored once per four features."""
    n_x = X.shape[0]
    n = last - first
    fours = n_x - n_x % 4
    t[:n] = b
    for j in range(0, fours, 4):
        w0, w1, w2, w3 = w[j], w[j + 1], w[j + 2], w[j + 3]
        x0, x1 = X[j, first:last], X[j + 1, first:last]
        x2, x3 = X[j + 2, first:last], X[j + 3, first:last]
        for i in range(n):
            t[i] += (w0 * x0[i] + w1 * x1[i]) + (w2 * x2[i] + w3 * x3[i])
    for j in range(fours, n_x):
        wj = w[j]
        x = X[j, first:last]
        for i in range(n):
            t[i] += wj * x[i]


@numba.njit(fastmath=FASTMATH, cache=True)
def dw_pass(X, dz, first, last, dw):
    """dw += X[:, first:last]·dz[:n]: four dot products at a time, sharing each load of dz."""
    n_x = X.shape[0]
    n = last - first
    fours = n_x - n_x % 4
    zero = X.dtype.type(0)
    for j in range(0, fours, 4):
        x0, x1 = X[j, first:last], X[j + 1, first:last]
        x2, x3 = X[j + 2, first:last], X[j + 3, first:last]
        s0 = s1 = s2 = s3 = zero
        for i in range(n):
            d = dz[i]
            s0 += d * x0[i]
            s1 += d * x1[i]
            s2 += d * x2[i]
            s3 += d * x3[i]
        dw[j] += s0
        dw[j + 1] += s1
        dw[j + 2] += s2
        dw[j + 3] += s3
    for j in range(fours, n_x):
        x = X[j, first:last]
        total = zero
        for i in range(n):
            total += dz[i] * x[i]
        dw[j] += total


@numba.njit(fastmath=FASTMATH, cache=True)
def accumulate_columns(w, b, X, labels, start, stop, dw):
    """``accumulate`` for X as (n_x, m), examples as columns, read where it lies (no copy).

    Every loop runs across a block of examples, contiguous in each feature's row, so SIMD
    lanes hold examples: ``z_pass`` streams the block from memory, ``dw_pass`` reads it
    again from L2."""
    block = examples_per_block(X.itemsize, X.shape[0], MIN_EXAMPLES)
    t, kf, scale, dz, loss = scratch(min(block, stop - start), X.dtype)
    db = 0.0
    cost = 0.0
    for first in range(start, stop, block):
        last = min(stop, first + block)
        n = last - first
        z_pass(w, b, X, first, last, t)
        for i in range(n):
            t[i] *= 1.0 - 2.0 * labels[first + i]
        _block_math.dz_and_loss(t, labels, first, n, kf, scale, dz, loss)
        for i in range(n):
            db += dz[i]
            cost += loss[i]
        dw_pass(X, dz, first, last, dw)
    return db, cost


@numba.njit(cache=True)
def accumulate_any(w, b, X, labels, by_columns, start, stop, dw):
    """The examples start..stop-1, in whichever layout ``prepare`` chose."""
    if by_columns:
        return accumulate_columns(w, b, X, labels, start, stop, dw)
    return accumulate(w, b, X, labels, start, stop, dw)


@numba.njit(cache=True)
def _step(w, b, X, labels, by_columns):
    m = labels.shape[0]
    dw = np.zeros_like(w)
    db, cost = accumulate_any(w, b, X, labels, by_columns, 0, m, dw)
    return dw / m, db / m, cost / m


def reads_in_place(m: int, n_x: int, itemsize: int) -> bool:
    """Whether C-ordered X of this size is read as it is, or copied to rows first."""
    if n_x <= IN_PLACE_UP_TO:
        return True
    return n_x <= COLUMNS_UP_TO and itemsize * m * n_x >= IN_PLACE_FROM_BYTES


def prepare(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """(X or its rows, labels, whether X is read as columns): X where it lies when it pays.

    X of Fortran order (the transpose of an (m, n_x) array) is read as rows; X of C order
    (the contract's layout) as columns where ``reads_in_place``, else copied to rows; X of
    other strides is copied as well."""
    labels = np.ascontiguousarray(Y)
    if X.flags.f_contiguous and not X.flags.c_contiguous:
        return X.T, labels, False
    n_x, m = X.shape
    if reads_in_place(m, n_x, X.itemsize):
        return np.ascontiguousarray(X), labels, True
    return _layout.rows(X), labels, False


def memory_bytes(m: int, n_x: int, itemsize: int) -> int:
    """The copy of X where C-ordered X is not read in place; block-sized scratch; labels."""
    copy = 0 if reads_in_place(m, n_x, itemsize) else itemsize * m * n_x
    return copy + scratch_bytes(m, n_x, itemsize) + 8 * m


def scratch_bytes(m: int, n_x: int, itemsize: int) -> int:
    """What one call of the kernels allocates: block-sized vectors and a dw."""
    return 5 * itemsize * min(m, examples_per_block(itemsize, n_x, MIN_EXAMPLES)) + 8 * n_x


def gradient(w: np.ndarray, b: float, data: tuple[np.ndarray, np.ndarray, bool]) -> Gradient:
    X, labels, by_columns = data
    return Gradient(*_step(w, X.dtype.type(b), X, labels, by_columns))


BACKEND = Backend(
    "numba_fused",
    prepare,
    gradient,
    memory_bytes,
    passes_over_x=1,
    description="one compiled pass over examples in cache-sized blocks: reads X from memory once",
)
