"""The step on dask arrays chunked along the examples, for data beyond one machine's memory.

Each chunk of examples gets one fused pass of ``numba_fused``'s kernel, in
the layout that kernel reads fastest (examples as columns when features are
few, else as rows: in-memory X is transposed once by ``prepare``, a store
keeps X that way on disk), compiled here with ``nogil`` so that dask's
threads run chunks at the same time; each chunk gives its partial dw, Σdz
and Σloss, and dask adds them up as a tree (``sum``). X is never gathered:
on a store's lazy arrays (``impls.open_store``) each chunk is read, stepped
and dropped. The checks that need the data run chunk by chunk in the same
pass: a NaN or inf in X shows in the chunk's sums, a label other than 0 or 1
in its labels; either raises the usual ValueError.

As fast as the chunks are: in memory, the fused kernel's speed plus dask's
cost per chunk (building and running its tasks, milliseconds a chunk, hence
chunks of 128 MiB); from disk, zarr's reads. One core runs
dask's synchronous scheduler (a thread pool's hand-offs cost more than they
give); more cores, or data on disk, its threaded scheduler with as many
threads as the process may use cores (its CPU affinity, which a benchmark
sets to its thread count), plus one for a store, which reads a chunk while
another is stepped. A ``dask.distributed`` Client, when one is active, runs
the chunks on its cluster instead; there a step that finishes no chunk for
``lrbench.dask.progress-timeout`` of dask's configuration (60 s unless set,
e.g. ``dask.config.set({"lrbench.dask.progress-timeout": "5 minutes"})`` or
``DASK_LRBENCH__DASK__PROGRESS_TIMEOUT``) raises a ``StepStalled`` that says
what the cluster shows (paused workers and their memory, no workers, workers
lost), never waits forever. A worker lost mid-step is dask's to survive: it
runs the lost chunks again on the others.

Needs the ``dask`` extra (dask, distributed, zarr).
"""

import os
import uuid

import numba
import numpy as np

from . import _layout
from ._types import Backend, Gradient, copy_of_x
from .numba_fused import COLUMNS, COPY_AS_COLUMNS_UP_TO, ROWS, UNTUNED, accumulate_any, blocks_of

# A cluster's step that finishes no chunk for this long stalled (dask config, "lrbench.dask.").
PROGRESS_TIMEOUT = "60s"

# Of X per chunk, for in-memory data: each chunk costs dask milliseconds a step (building and
# running its tasks), so few large chunks; the kernel blocks them for the cache itself.
CHUNK_BYTES = 128 * 2**20


@numba.njit(nogil=True, cache=True)
def _chunk_sums(w, b, X, labels, blocks, out):
    n_x = w.shape[0]
    out[n_x], out[n_x + 1] = accumulate_any(w, b, X, labels, blocks, 0, labels.shape[0], out[:n_x])


def _partial(X: np.ndarray, Y: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """One chunk's (dw·m, Σdz, Σloss) as a column; the chunk's data checked on the way."""
    labels = Y.reshape(-1)
    wrong = (labels != 0) & (labels != 1)
    if wrong.any():
        raise ValueError(f"Y must contain only 0 and 1; found {labels[wrong][0].item()!r}")
    n_x = X.shape[0]
    by_columns = n_x <= COPY_AS_COLUMNS_UP_TO
    # A copy only if the chunk is not in the kernel's layout already.
    data = np.ascontiguousarray(X if by_columns else X.T)
    out = np.zeros(n_x + 2)
    blocks = blocks_of(UNTUNED[COLUMNS if by_columns else ROWS], X.itemsize, n_x)
    _chunk_sums(w.astype(X.dtype), X.dtype.type(b), data, labels, blocks, out)
    if not np.isfinite(out).all():
        raise ValueError("X contains NaN or inf (found in a chunk of its examples)")
    return out[:, None]


class StepStalled(RuntimeError):
    """A step on a dask.distributed cluster made no progress; the message says what dask shows."""


def _active_client():
    """The dask.distributed Client in use, or None."""
    try:
        from distributed import default_client

        return default_client()
    except (ImportError, ValueError):
        return None


def _local_options(readers: int) -> dict:
    """Local threads on the cores this process may use plus readers more, which wait on the
    disk while the others step."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    workers = (cores or os.cpu_count()) + readers
    # One thread: no pool, whose hand-offs between threads cost more than they give.
    return (
        {"scheduler": "sync"} if workers == 1 else {"scheduler": "threads", "num_workers": workers}
    )


def progress_timeout_s() -> float:
    """How long a cluster's step may go without finishing a chunk (dask's configuration)."""
    import dask
    from dask.utils import parse_timedelta

    return parse_timedelta(dask.config.get("lrbench.dask.progress-timeout", PROGRESS_TIMEOUT))


def _on_cluster(client, parts) -> np.ndarray:
    """The chunks' partial sums added up, computed on the client's cluster.

    Each chunk is a future; waiting for the next one to finish is bounded by
    the progress timeout, so a paused, dead or absent worker ends the step
    with StepStalled instead of a wait without end.
    """
    from distributed import TimeoutError as DaskTimeout
    from distributed import futures_of, wait

    timeout = progress_timeout_s()
    workers_before = set(client.scheduler_info(n_workers=-1)["workers"])
    futures = futures_of(client.persist(parts))
    pending = set(futures)
    try:
        while pending:
            try:
                _, pending = wait(pending, timeout=timeout, return_when="FIRST_COMPLETED")
            except DaskTimeout:
                raise StepStalled(
                    f"the dask step finished none of its {len(pending)} remaining chunks (of "
                    f"{len(futures)}) in {timeout:g} s: {_cluster_state(client, workers_before)}"
                ) from None
        partials = [future.result(timeout=timeout) for future in futures]
    finally:
        client.cancel(futures)
    return np.hstack(partials).sum(axis=1)


def _cluster_state(client, workers_before: set[str]) -> str:
    """What the scheduler says of the workers, in words, for a stalled step's error."""
    try:
        workers = client.scheduler_info(n_workers=-1)["workers"]
    except Exception as exc:  # the scheduler itself is gone: say so, do not hide the stall
        return f"the scheduler does not answer ({exc})"
    said = []
    if not workers:
        said.append("the cluster has no workers")
    lost = sorted(workers_before - set(workers))
    if lost:
        said.append(f"{len(lost)} worker(s) lost during the step ({', '.join(lost)})")
    for address, info in sorted(workers.items()):
        if info.get("status") != "running":
            memory = (info.get("metrics") or {}).get("memory")
            limit = info.get("memory_limit")
            held = (
                f", holding {memory / 1e6:.0f} MB of its {limit / 1e6:.0f} MB limit"
                if memory and limit
                else ""
            )
            why = (
                " (for memory: dask pauses a worker above its pause threshold)"
                if (info.get("status") == "paused")
                else ""
            )
            said.append(f"worker {address} is {info.get('status')}{why}{held}")
    return "; ".join(said) or "every worker is running, but none finished a chunk"


def prepare(X, Y):
    """Dask arrays of X and Y chunked along the examples only, and how many reader threads.

    In-memory arrays are cut into contiguous chunks of about CHUNK_BYTES once,
    here; lazy arrays stay lazy (each chunk then holds every feature), and
    get one thread more than the cores, so that a chunk is read from the disk
    while another is stepped (the CPU affinity still holds the work to the
    allowed cores).
    """
    import dask.array as da

    if isinstance(X, da.Array):
        X = X.rechunk({0: -1})
        return X, da.asarray(Y).rechunk((X.chunks[1],)), 1
    n_x, m = X.shape
    chunk = max(1, CHUNK_BYTES // (X.itemsize * n_x))
    Y = da.from_array(Y, chunks=(chunk,), name=False)  # name=False: no hash of all of Y
    return _chunked(X, chunk), Y, 0


def _chunked(X: np.ndarray, chunk: int):
    """X as a dask array over one copy of it, in chunks the kernel reads as they are.

    Not ``from_array``: it copies its whole input (and hashes it), and a chunk
    cut from it is not contiguous; that would make two copies for a moment.
    """
    import dask
    import dask.array as da

    n_x, m = X.shape
    rows = n_x > COPY_AS_COLUMNS_UP_TO
    source = _layout.rows(X) if rows else X  # rows: one copy, and each chunk is a view of it
    pieces = []
    for start in range(0, m, chunk):
        size = min(chunk, m - start)
        piece = (
            source[start : start + size]
            if rows
            else np.ascontiguousarray(X[:, start : start + size])
        )
        shape = piece.shape
        piece = dask.delayed(piece, name=f"lrbench-chunk-{uuid.uuid4().hex}")
        pieces.append(da.from_delayed(piece, shape, dtype=X.dtype))
    return da.concatenate(pieces, axis=0).T if rows else da.concatenate(pieces, axis=1)


def gradient(w: np.ndarray, b: float, data) -> Gradient:
    import dask.array as da

    X, Y, readers = data
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
    client = _active_client()
    if client is None:
        total = parts.sum(axis=1).compute(**_local_options(readers))
    else:
        total = _on_cluster(client, parts)
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
