"""One compiled pass over the examples, reading X once from memory. Single thread.

numpy's vectorized step streams X from memory twice (once for wᵀX, once for
X·dZᵀ); above the last-level cache that traffic is its limit. Here examples
are taken in blocks, three loops a block: z = w·x + b for every example of the
block, streaming it from memory; then dz and the loss for the whole block at
once (``_block_math``: exp and log1p as polynomials LLVM vectorizes, where
``math.exp`` and ``math.log1p`` were one scalar library call each, several
times slower); then dw += dz·x over the same block, now in cache.

**A plan chosen where it runs** (``Plan``, ``_plans``): how it reads X and how
large a block is were constants tuned on one CPU, and on the next CPU the same
code read X at half the rate. Now ``prepare`` times the candidate plans
(``CANDIDATES``) on a sample of the data at first use for a size class, keeps
the fastest on disk for this CPU and this code, and reuses it after. A plan is

- its **layout**: ``columns``, X (n_x, m) in C order read where it lies, each
  loop across a block of examples, four features at a time
  (``accumulate_columns``); or ``rows``, one contiguous row per example (X in
  Fortran order where it lies, else a copy made by ``prepare``, never timed),
  z for four examples at a time sharing each load of w, dw along the features
  four or eight examples at a time (``accumulate_rows``);
- its **block**: about this many bytes of X a block (L1- to L2-sized), so a
  block is still in cache for the dw pass;
- its **group**: examples a group in the rows' dw pass (dw loaded and stored
  once per group).

A copy as rows is a candidate only where it may pay and fits (``copy_allowed``);
``memory_bytes`` counts it wherever it is a candidate. The plan is recorded
with each point of a sweep and the roof study times every candidate.

Compiled with reassociation and FMA contraction allowed (``fastmath``
limited to those two flags), so LLVM keeps several SIMD accumulators for the
dot products instead of adding one product at a time; its rounding changes
by a few ulps of the summed magnitudes, well within the agreement tolerance.
Nothing is allocated per example: a few block-sized scratch vectors per call.
float32 data are summed in float32 (b, dz, the block's partial sums and the
block math take X's type), so a SIMD register holds twice as many elements.
"""

import os
import sys
from typing import NamedTuple

import numba
import numpy as np

from . import _block_math, _layout, _plans
from ._types import Backend, Gradient, PlanChoice, Plans

FASTMATH = {"reassoc", "contract"}
KIB = 1024

COLUMNS, ROWS = "columns", "rows"
# Columns: at least this many examples a block, however many features, so each feature's run
# of a block is 1 KiB of float64, long enough for the prefetchers.
MIN_EXAMPLES = 128
# At most this many bytes of each scratch vector (1,024 float64, 2,048 float32 examples): the
# block's five scratch vectors then stay in L1-L2 when features are few.
MAX_SCRATCH_BYTES = 8 * 1024
# Rows are a candidate only above this many features: below it a row's dot product leaves most
# of a SIMD register idle. (A store's or a dask chunk's copy is kept as columns up to it too.)
COPY_AS_COLUMNS_UP_TO = 16
# A copy of C-ordered X as rows is a candidate where it is at most this share of the machine's
# memory (X and its copy then take at most two thirds), or where X has more than COLUMNS_UP_TO
# features (then n_x short runs a block make the columns' read slow at any size).
COPY_SHARE = 1 / 3
COLUMNS_UP_TO = 1024
# Each candidate is timed on at most this many bytes of X: larger than the last-level caches
# met so far, so a sample of a large X is read from memory as X is.
SAMPLE_BYTES = 128 * 2**20


class Plan(NamedTuple):
    """One way of computing the step; its name (``str``) is what ``LRBENCH_PLAN`` takes."""

    layout: str  # COLUMNS or ROWS
    block_bytes: int  # about this many bytes of X a block
    group: int  # rows: examples a group in the dw pass (columns: always four features)

    def __str__(self) -> str:
        return f"{self.layout}-{self.block_bytes // KIB}k-g{self.group}"

    @classmethod
    def parse(cls, name: str) -> "Plan":
        """The plan of that name; a ValueError lists the candidates."""
        for plan in CANDIDATES:
            if str(plan) == name:
                return plan
        raise ValueError(f"no plan {name!r}; the plans: {', '.join(map(str, CANDIDATES))}")


CANDIDATES = (
    Plan(COLUMNS, 256 * KIB, 4),
    Plan(COLUMNS, 1024 * KIB, 4),
    Plan(ROWS, 32 * KIB, 4),
    Plan(ROWS, 32 * KIB, 8),
    Plan(ROWS, 256 * KIB, 4),
    Plan(ROWS, 256 * KIB, 8),
    Plan(ROWS, 1024 * KIB, 4),
    Plan(ROWS, 1024 * KIB, 8),
)
# Where nothing is timed (a dask chunk's step): the plans the constants chose before.
UNTUNED = {COLUMNS: Plan(COLUMNS, 1024 * KIB, 4), ROWS: Plan(ROWS, 1024 * KIB, 4)}


class Blocks(NamedTuple):
    """A plan as the compiled kernels take it, for one number of features."""

    by_columns: bool
    examples: int  # examples a block
    group: int


def blocks_of(plan: Plan, itemsize: int, n_x: int) -> Blocks:
    minimum = MIN_EXAMPLES if plan.layout == COLUMNS else plan.group
    examples = max(minimum, plan.block_bytes // (itemsize * n_x))
    return Blocks(plan.layout == COLUMNS, min(MAX_SCRATCH_BYTES // itemsize, examples), plan.group)


@numba.njit(cache=True)
def scratch(block, dtype):
    """Block-sized vectors for t, two for the exponential, dz and the loss."""
    return [np.empty(block, dtype) for _ in range(5)]


@numba.njit(fastmath=FASTMATH, cache=True)
def z_rows(w, b, rows, first, last, t):
    """t[:n] = z of the examples first..last-1 of rows (m, n_x): four examples at a time, so
    each load of w serves four dot products."""
    n_x = rows.shape[1]
    fours = last - (last - first) % 4
    for i in range(first, fours, 4):
        x0, x1, x2, x3 = rows[i], rows[i + 1], rows[i + 2], rows[i + 3]
        z0 = z1 = z2 = z3 = b
        for j in range(n_x):
            wj = w[j]
            z0 += wj * x0[j]
            z1 += wj * x1[j]
            z2 += wj * x2[j]
            z3 += wj * x3[j]
        t[i - first], t[i + 1 - first], t[i + 2 - first], t[i + 3 - first] = z0, z1, z2, z3
    for i in range(fours, last):
        x = rows[i]
        z = b
        for j in range(n_x):
            z += w[j] * x[j]
        t[i - first] = z


@numba.njit(fastmath=FASTMATH, cache=True)
def dw_rows(rows, dz, first, last, group, dw):
    """dw += dz[:n]·rows[first:last], along the features (no reduction), ``group`` (4 or 8)
    examples at a time: dw loaded and stored once per group."""
    n_x = rows.shape[1]
    done = first
    if group == 8:
        done = last - (last - first) % 8
        for i in range(first, done, 8):
            x0, x1, x2, x3 = rows[i], rows[i + 1], rows[i + 2], rows[i + 3]
            x4, x5, x6, x7 = rows[i + 4], rows[i + 5], rows[i + 6], rows[i + 7]
            k = i - first
            d0, d1, d2, d3 = dz[k], dz[k + 1], dz[k + 2], dz[k + 3]
            d4, d5, d6, d7 = dz[k + 4], dz[k + 5], dz[k + 6], dz[k + 7]
            for j in range(n_x):
                dw[j] += ((d0 * x0[j] + d1 * x1[j]) + (d2 * x2[j] + d3 * x3[j])) + (
                    (d4 * x4[j] + d5 * x5[j]) + (d6 * x6[j] + d7 * x7[j])
                )
    fours = last - (last - done) % 4
    for i in range(done, fours, 4):
        x0, x1, x2, x3 = rows[i], rows[i + 1], rows[i + 2], rows[i + 3]
        k = i - first
        d0, d1, d2, d3 = dz[k], dz[k + 1], dz[k + 2], dz[k + 3]
        for j in range(n_x):
            dw[j] += (d0 * x0[j] + d1 * x1[j]) + (d2 * x2[j] + d3 * x3[j])
    for i in range(fours, last):
        x = rows[i]
        d = dz[i - first]
        for j in range(n_x):
            dw[j] += d * x[j]


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
def z_pass_of(w, b, X, blocks, first, last, t):
    """The z pass of a block in the plan's layout."""
    if blocks.by_columns:
        z_pass(w, b, X, first, last, t)
    else:
        z_rows(w, b, X, first, last, t)


@numba.njit(fastmath=FASTMATH, cache=True)
def dw_pass_of(X, dz, blocks, first, last, dw):
    """The dw pass of a block in the plan's layout."""
    if blocks.by_columns:
        dw_pass(X, dz, first, last, dw)
    else:
        dw_rows(X, dz, first, last, blocks.group, dw)


@numba.njit(fastmath=FASTMATH, cache=True)
def accumulate_any(w, b, X, labels, blocks, start, stop, dw):
    """Add the examples start..stop-1's contributions to dw; return their Σdz and Σloss.

    X is (n_x, m) read as columns or (m, n_x) read as rows, as ``blocks`` says. A block:
    its z pass streams it from memory, its dw pass reads it again from cache."""
    t, kf, scale, dz, loss = scratch(min(blocks.examples, stop - start), X.dtype)
    db = 0.0
    cost = 0.0
    for first in range(start, stop, blocks.examples):
        last = min(stop, first + blocks.examples)
        n = last - first
        z_pass_of(w, b, X, blocks, first, last, t)
        for i in range(n):
            t[i] *= 1.0 - 2.0 * labels[first + i]
        _block_math.dz_and_loss(t, labels, first, n, kf, scale, dz, loss)
        for i in range(n):
            db += dz[i]
            cost += loss[i]
        dw_pass_of(X, dz, blocks, first, last, dw)
    return db, cost


@numba.njit(cache=True)
def _step(w, b, X, labels, by_columns, examples, group):
    """The step; the plan's numbers given apart, as a record costs more to pass in than they."""
    m = labels.shape[0]
    dw = np.zeros_like(w)
    db, cost = accumulate_any(w, b, X, labels, Blocks(by_columns, examples, group), 0, m, dw)
    return dw / m, db / m, cost / m


class Prepared(NamedTuple):
    """What ``prepare`` gives ``gradient``: X read as the plan says, and the plan."""

    X: np.ndarray  # (n_x, m) read as columns, or (m, n_x) read as rows
    labels: np.ndarray
    blocks: Blocks
    choice: PlanChoice


def total_memory_bytes() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def copy_allowed(m: int, n_x: int, itemsize: int) -> bool:
    """Whether a copy of C-ordered X as rows is among the candidates (``COPY_SHARE``)."""
    if n_x <= COPY_AS_COLUMNS_UP_TO:
        return False
    return n_x > COLUMNS_UP_TO or itemsize * m * n_x <= COPY_SHARE * total_memory_bytes()


def _is_rows(X: np.ndarray) -> bool:
    """X of Fortran order (the transpose of an (m, n_x) array): its rows are read in place."""
    return X.flags.f_contiguous and not X.flags.c_contiguous


def plan_names(X: np.ndarray) -> tuple[str, ...]:
    """The candidates for this X: rows where X lies as rows; columns, and rows if a copy is
    allowed, where it lies as columns."""
    n_x, m = X.shape
    if _is_rows(X):
        layouts = {ROWS}
    else:
        layouts = {COLUMNS, ROWS} if copy_allowed(m, n_x, X.itemsize) else {COLUMNS}
    return tuple(str(plan) for plan in CANDIDATES if plan.layout in layouts)


def _size_class(X: np.ndarray) -> str:
    """Problems whose plans are alike: dtype, order, features within a factor 2, the sample's
    bytes within a factor 4."""
    n_x, m = X.shape
    sample = min(X.nbytes, SAMPLE_BYTES)
    order = "F" if _is_rows(X) else "C"
    return f"{X.dtype}/{order}/n_x<2^{n_x.bit_length()}/X<4^{(sample.bit_length() + 1) // 2}"


def _sample_runs(X: np.ndarray, Y: np.ndarray, names: tuple[str, ...]) -> dict:
    """For each plan, a call of one step on the first examples of X, at most SAMPLE_BYTES."""
    n_x, m = X.shape
    k = max(1, min(m, SAMPLE_BYTES // (X.itemsize * n_x)))
    if _is_rows(X):
        layouts = {ROWS: X.T[:k]}
    else:
        columns = X if k == m else np.ascontiguousarray(X[:, :k])
        layouts = {COLUMNS: columns}
        if any(Plan.parse(name).layout == ROWS for name in names):
            layouts[ROWS] = _layout.rows(columns)
    labels = np.ascontiguousarray(Y[:k])
    w = np.zeros(n_x, X.dtype)
    b = X.dtype.type(0)
    runs = {}
    for name in names:
        plan = Plan.parse(name)
        blocks = blocks_of(plan, X.itemsize, n_x)
        data = layouts[plan.layout]
        runs[name] = lambda data=data, blocks=blocks: _step(w, b, data, labels, *blocks)
    return runs


# The code a plan was timed with: a change to any of these makes every kept plan unknown.
CODE = _plans.code_identity([sys.modules[__name__], _block_math, _plans])


def prepare_with(
    X: np.ndarray, Y: np.ndarray, plan_name: str, choice: PlanChoice | None = None
) -> Prepared:
    """X laid out as the plan reads it (a copy as rows only for C-ordered X read as rows)."""
    plan = Plan.parse(plan_name)
    if plan_name not in plan_names(X):
        raise ValueError(f"plan {plan_name} is not a candidate for this X; its: {plan_names(X)}")
    labels = np.ascontiguousarray(Y)
    if _is_rows(X):
        data = X.T
    else:
        data = np.ascontiguousarray(X) if plan.layout == COLUMNS else _layout.rows(X)
    choice = choice or PlanChoice(plan_name, _plans.FORCED, 0.0, {})
    return Prepared(data, labels, blocks_of(plan, X.itemsize, X.shape[0]), choice)


def prepare(X: np.ndarray, Y: np.ndarray) -> Prepared:
    """X in the layout of the plan chosen for its size class on this machine (timed now on
    a sample the first time, then kept): where it lies, or copied as rows."""
    names = plan_names(X)
    choice = _plans.choose(_size_class(X), names, lambda: _sample_runs(X, Y, names), CODE)
    return prepare_with(X, Y, choice.plan, choice)


def memory_bytes(m: int, n_x: int, itemsize: int) -> int:
    """A copy of X where a plan may copy it (and the sample's copies while timing plans);
    block-sized scratch; labels."""
    copy = itemsize * m * n_x if copy_allowed(m, n_x, itemsize) else 0
    sample = 2 * min(itemsize * m * n_x, SAMPLE_BYTES) if copy else 0
    return copy + sample + scratch_bytes(m, n_x, itemsize) + 8 * m


def scratch_bytes(m: int, n_x: int, itemsize: int) -> int:
    """What one call of the kernels allocates at most: block-sized vectors and a dw."""
    return 5 * min(itemsize * m, MAX_SCRATCH_BYTES) + 8 * n_x


def gradient(w: np.ndarray, b: float, data: Prepared) -> Gradient:
    return Gradient(*_step(w, data.X.dtype.type(b), data.X, data.labels, *data.blocks))


PLANS = Plans(chosen=lambda data: data.choice, names=plan_names, prepare=prepare_with)

BACKEND = Backend(
    "numba_fused",
    prepare,
    gradient,
    memory_bytes,
    passes_over_x=1,
    description="one compiled pass over examples in cache-sized blocks: reads X from memory once",
    plans=PLANS,
)
