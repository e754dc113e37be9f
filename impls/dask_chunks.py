"""The step on dask arrays chunked along the examples, for data beyond one machine's memory.

Each chunk of examples gets one fused pass of ``numba_fused``'s kernel (its
layout for examples as columns), compiled here with ``nogil`` so that dask's
threads run chunks at the same time; each chunk gives its partial dw, Σdz
and Σloss, and dask adds them up as a tree (``sum``). X is never gathered:
on a store's lazy arrays (``impls.open_store``) each chunk is read, stepped
and dropped. The checks that need the data run chunk by chunk in the same
pass: a NaN or inf in X shows in the chunk's sums, a label other than 0 or 1
in its labels; either raises the usual ValueError.

As fast as the chunks are: in memory, the fused kernel's speed plus dask's
overhead per chunk (a few hundred microseconds of scheduling); from disk, the
disk's read rate. The threaded scheduler runs as many chunks at once as the
process may use cores (its CPU affinity, which a benchmark sets to its
thread count); a ``dask.distributed`` Client, when one is active, runs them
on its cluster instead.

Needs the ``dask`` extra (dask, distributed, zarr).
"""

import os

import numba
import numpy as np

from ._types import Backend, Gradient, copy_of_x
from .numba_fused import accumulate_columns

CHUNK_BYTES = 32 * 2**20  # of X per chunk, for in-memory data


@numba.njit(nogil=True)
def _chunk_sums(w, b, X, labels, out):
    n_x = X.shape[0]
    out[n_x], out[n_x + 1] = accumulate_columns(w, b, X, labels, 0, labels.shape[0], out[:n_x])


def _partial(X: np.ndarray, Y: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """One chunk's (dw·m, Σdz, Σloss) as a column; the chunk's data checked on the way."""
    labels = Y.reshape(-1)
    wrong = (labels != 0) & (labels != 1)
    if wrong.any():
        raise ValueError(f"Y must contain only 0 and 1; found {labels[wrong][0].item()!r}")
    n_x = X.shape[0]
    out = np.zeros(n_x + 2)
    _chunk_sums(w.astype(X.dtype), X.dtype.type(b), np.ascontiguousarray(X), labels, out)
    if not np.isfinite(out).all():
        raise ValueError("X contains NaN or inf (found in a chunk of its examples)")
    return out[:, None]


def _compute_options() -> dict:
    """An active dask.distributed Client, or local threads on the cores this process may use."""
    try:
        from distributed import default_client

        default_client()
        return {}
    except (ImportError, ValueError):
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        return {"scheduler": "threads", "num_workers": cores or os.cpu_count()}


def prepare(X, Y):
    """Dask arrays of X and Y chunked along the examples only.

    In-memory arrays are cut into contiguous chunks of about CHUNK_BYTES once,
    here; lazy arrays stay lazy (each chunk then holds every feature).
    """
    import dask.array as da

    if isinstance(X, da.Array):
        X = X.rechunk({0: -1})
        return X, da.asarray(Y).rechunk((X.chunks[1],))
    n_x, m = X.shape
    chunk = max(1, CHUNK_BYTES // (X.itemsize * n_x))
    X = da.from_array(X, chunks=(n_x, chunk)).map_blocks(np.ascontiguousarray)
    Y = da.from_array(np.ascontiguousarray(Y), chunks=(chunk,))
    return X.persist(scheduler="threads"), Y.persist(scheduler="threads")


def gradient(w: np.ndarray, b: float, data) -> Gradient:
    import dask.array as da

    X, Y = data
    n_x, m = X.shape
    parts = da.map_blocks(
        _partial,
        X,
        Y[None, :],
        w=w,
        b=b,
        dtype=np.float64,
        chunks=((n_x + 2,), (1,) * X.numblocks[1]),
    )
    total = parts.sum(axis=1).compute(**_compute_options())
    return Gradient(total[:n_x] / m, float(total[n_x] / m), float(total[n_x + 1] / m))


BACKEND = Backend(
    "dask",
    prepare,
    gradient,
    copy_of_x,
    passes_over_x=1,
    description="numba_fused's kernel on each chunk of examples of a dask array, "
    "partial sums added by dask: data in memory, on disk or on a cluster",
    lazy_input=True,
)
