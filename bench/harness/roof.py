"""The memory roof measured beside the kernels: rounds of the read probe interleaved with the
compiled backends' steps and with the parts of a step, at one point.

The probe's rate moves from minute to minute on a VM (docs/tuning.md), so a backend's share of
the roof is only meaningful when both are measured in the same minute: here each round times
the probe, then each kernel, then each part, so every round gives a paired share. The parts
explain the gap: the z pass alone (X read once from memory, as the probe reads it, plus the
dot products), the z and dw passes (X read again from cache), the whole step (plus the block
math and the sums), and the block math alone, all in the plan ``prepare`` chose; and
numba_fused in each of its candidate plans, so the report shows what the choice was among.
"""

import time
from collections.abc import Callable

import numba
import numpy as np
import psutil

import impls
from impls import _block_math, numba_fused

from ..placement import BEST_OFFSET, empty_at
from ..records import PLAN_PREFIX, ROOF_PARTS, ROOF_POINT, ROOF_PROBE
from ..settings import Settings
from . import bandwidth

ROUNDS = 9
KERNELS = ("numba_fused", "numba_parallel")


@numba.njit
def _z_pass_only(w, b, X, blocks, m, t):
    for first in range(0, m, blocks.examples):
        numba_fused.z_pass_of(w, b, X, blocks, first, min(m, first + blocks.examples), t)


@numba.njit
def _z_and_dw_passes(w, b, X, blocks, m, t, dw):
    for first in range(0, m, blocks.examples):
        last = min(m, first + blocks.examples)
        numba_fused.z_pass_of(w, b, X, blocks, first, last, t)
        numba_fused.dw_pass_of(X, t, blocks, first, last, dw)  # t stands in for dz: same loads


@numba.njit
def _block_math_only(t, labels, block):
    _, kf, scale, dz, loss = numba_fused.scratch(block, t.dtype)
    for first in range(0, labels.shape[0], block):
        n = min(labels.shape[0] - first, block)
        _block_math.dz_and_loss(t[first:], labels, first, n, kf, scale, dz, loss)


def _seconds(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _with_threads(threads: int, function):
    def run():
        numba.set_num_threads(threads)
        function()

    return run


def candidates(backend: impls.Backend, X: np.ndarray, Y: np.ndarray) -> dict:
    """The backend's data for every plan its ``prepare`` may choose for X. The plans that read
    rows share one copy: X in Fortran order, which such a plan reads where it lies."""
    names = backend.plans.names(X)
    F = np.asfortranarray(X)
    in_fortran = set(backend.plans.names(F))
    return {name: backend.plans.prepare(F if name in in_fortran else X, Y, name) for name in names}


def _parts(w, b, chosen, labels, m: int) -> tuple:
    """The parts of numba_fused's step in the chosen plan: z pass, z and dw passes, block math."""
    t, dw = (
        np.zeros(m, chosen.X.dtype),
        np.zeros(chosen.X.shape[0 if chosen.blocks.by_columns else 1]),
    )
    blocks = chosen.blocks
    return (
        lambda: _z_pass_only(w, b, chosen.X, blocks, m, t),
        lambda: _z_and_dw_passes(w, b, chosen.X, blocks, m, t, dw),
        lambda: _block_math_only(t, labels, blocks.examples),
    )


def measure(
    dtype: str = "float64",
    point: tuple[int, int] = ROOF_POINT,
    rounds: int = ROUNDS,
    backends: tuple[str, ...] = KERNELS,
    x_offset: int = BEST_OFFSET,
) -> dict:
    """Per thread count (1 and every core numba may use), each round's seconds for the probe
    and each of ``backends`` (and on one thread, each of ``ROOF_PARTS`` and numba_fused in
    each of its candidate plans), rounds interleaved."""
    m, n_x = point
    # Where the sweep's X starts, for the probe and the kernels alike.
    X, Y = impls.make_problem(m, n_x, seed=0, dtype=dtype, out=empty_at((n_x, m), dtype, x_offset))
    w = np.random.default_rng(1).standard_normal(n_x).astype(dtype) * 0.01
    b = X.dtype.type(0.1)
    flat = X.reshape(-1)
    steps = {name: impls.BACKENDS[name] for name in backends if name in impls.BACKENDS}
    fused = impls.BACKENDS["numba_fused"]
    plans = candidates(fused, X, Y)
    # The plan prepare chooses (timed now or kept), run on its candidate's data: one copy.
    chosen = fused.plans.chosen(fused.prepare(X, Y))
    data = plans[chosen.plan]
    all_threads = numba.config.NUMBA_NUM_THREADS
    timed = {1: {ROOF_PROBE: lambda: bandwidth._sum(flat)}}
    timed[1] |= {name: lambda s=s: s.gradient(w, b, data) for name, s in steps.items()}
    timed[1] |= dict(zip(ROOF_PARTS, _parts(w, b, data, Y, m), strict=True))
    timed[1] |= {
        f"{PLAN_PREFIX}{name}": lambda d=d: fused.gradient(w, b, d) for name, d in plans.items()
    }
    if all_threads > 1 and "numba_parallel" in steps:
        timed[all_threads] = {
            ROOF_PROBE: lambda: bandwidth._parallel_sum(flat),
            "numba_parallel": lambda: steps["numba_parallel"].gradient(w, b, data),
        }
    before = numba.get_num_threads()
    try:
        runs = {
            threads: {name: _with_threads(threads, f) for name, f in functions.items()}
            for threads, functions in timed.items()
        }
        for functions in runs.values():  # compile and page in, untimed
            for function in functions.values():
                function()
        seconds = {threads: {name: [] for name in functions} for threads, functions in runs.items()}
        for _ in range(rounds):
            for threads, functions in runs.items():
                for name, function in functions.items():
                    seconds[threads][name].append(_seconds(function))
    finally:
        numba.set_num_threads(before)
    return {
        "point": [m, n_x],
        "dtype": dtype,
        "bytes_X": X.nbytes,
        "rounds": rounds,
        "plan": chosen.plan,
        "plan_source": chosen.source,
        "seconds": {str(threads): times for threads, times in seconds.items()},
    }


def study_for(settings: Settings, say: Callable[[str], None]) -> dict | None:
    """The roof study for a sweep whose grid holds ``ROOF_POINT`` and a compiled backend
    (None otherwise, or, said, when the machine lacks the memory for its data)."""
    backends = tuple(name for name in KERNELS if name in settings.backend_names)
    if ROOF_POINT not in settings.sizes() or not backends:
        return None
    m, n_x = ROOF_POINT
    # X, the plans' copy as rows (in Fortran order) and the copy prepare may make.
    needed = 3 * np.dtype(settings.dtype).itemsize * m * n_x
    available = psutil.virtual_memory().available
    if available < needed:
        say(
            f"roof study left out: it needs {needed / 2**30:.1f} GiB and "
            f"{available / 2**30:.1f} GiB is available"
        )
        return None
    say(
        f"roof study: the read probe, {', '.join(backends)} and numba_fused's candidate plans "
        f"in {ROUNDS} interleaved rounds"
    )
    return measure(settings.dtype, backends=backends, x_offset=settings.x_offset_at(1, m, n_x))
