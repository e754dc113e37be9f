"""A seeded problem on disk, as large as the disk allows: X and Y in a zarr store.

``make_store`` writes X (n_x, m) and Y (m,) chunk by chunk along the
examples. On disk, X is laid out as the compiled kernels read it fastest
(``numba_fused.COPY_AS_COLUMNS_UP_TO``): one row per feature when features are few,
else one row per example (X transposed), so that no chunk is transposed
after it is read; ``open_store`` gives X as (n_x, m) either way. Each
chunk's values depend only on (seed, chunk index), so an X larger than
memory never exists in memory and any chunk can be made again.
Y follows a true model whose weights depend on the seed alone, as in
``make_problem`` (the two give different numbers: chunk by chunk, not one
draw). ``open_store`` returns lazy dask arrays over the store.

Needs the ``dask`` extra (dask, zarr).
"""

import shutil
from pathlib import Path

import numpy as np

from . import _validation
from .numba_fused import COPY_AS_COLUMNS_UP_TO

FORMAT = "lrbench-problem/1"
# Of X per chunk, by default. Under glibc's largest threshold for mapping an allocation afresh
# (32 MiB): zarr allocates a buffer or two per chunk it reads, and buffers above the threshold
# are mapped and faulted in page by page on every read. Measured reading a 4 GB store cold on a
# 2-core VM: 16 MB chunks stepped at 77-85% of the disk's rate, 64 MB chunks at 33-70%.
CHUNK_BYTES = 16 * 2**20
# The store's own files (metadata) and the file system's blocks, beyond the arrays' bytes.
DISK_MARGIN = 1.02


def _chunk(seed: int, index: int, n_x: int, size: int, w_true: np.ndarray, dtype: str):
    rng = np.random.default_rng([seed, index])
    X = rng.standard_normal((n_x, size), dtype=dtype)
    z = w_true @ X
    sigma = np.exp(-np.logaddexp(0.0, -z))
    Y = (rng.random(size) < sigma).astype(dtype)
    return X, Y


def default_chunk_m(n_x: int, dtype: str = "float64") -> int:
    """Examples per chunk of a store made without chunk_m: about CHUNK_BYTES of X."""
    return max(1, CHUNK_BYTES // (np.dtype(dtype).itemsize * n_x))


def store_bytes(m: int, n_x: int, dtype: str = "float64") -> int:
    """Bytes the arrays of a store take on disk (uncompressed)."""
    return np.dtype(dtype).itemsize * m * (n_x + 1)


def make_store(
    path, m: int, n_x: int, seed: int = 0, dtype: str = "float64", chunk_m: int | None = None
) -> Path:
    """Write the problem to a new zarr store at path, chunk by chunk; return its path.

    Refuses an existing path, and a store that would not fit in the free disk
    space. Written under a temporary name and renamed, so an interrupted
    write leaves no store that looks complete.
    """
    import zarr

    _validation.positive_int(m, "m")
    _validation.positive_int(n_x, "n_x")
    if dtype not in ("float64", "float32"):
        raise ValueError(f"dtype must be float64 or float32; got {dtype!r}")
    chunk_m = chunk_m or default_chunk_m(n_x, dtype)
    _validation.positive_int(chunk_m, "chunk_m")
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists; make_store writes a new store only")
    path.parent.mkdir(parents=True, exist_ok=True)
    need = store_bytes(m, n_x, dtype) * DISK_MARGIN
    free = shutil.disk_usage(path.parent).free
    if need > free:
        raise OSError(
            f"the store needs {need / 1e9:.3g} GB but {path.parent} has {free / 1e9:.3g} GB free"
        )
    partial = path.with_name(path.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    group = zarr.open_group(partial, mode="w")
    rows = n_x > COPY_AS_COLUMNS_UP_TO
    # Uncompressed: standard normal values do not compress, and reading must cost only I/O.
    X = group.create_array(
        "X",
        shape=(m, n_x) if rows else (n_x, m),
        chunks=(chunk_m, n_x) if rows else (n_x, chunk_m),
        dtype=dtype,
        compressors=None,
    )
    Y = group.create_array("Y", shape=(m,), chunks=(chunk_m,), dtype=dtype, compressors=None)
    w_true = np.random.default_rng(seed).standard_normal(n_x) / np.sqrt(n_x)
    for index, start in enumerate(range(0, m, chunk_m)):
        size = min(chunk_m, m - start)
        X_chunk, Y[start : start + size] = _chunk(
            seed, index, n_x, size, w_true.astype(dtype), dtype
        )
        if rows:
            X[start : start + size] = X_chunk.T
        else:
            X[:, start : start + size] = X_chunk
    group.attrs.update(
        format=FORMAT,
        m=m,
        n_x=n_x,
        seed=seed,
        dtype=dtype,
        chunk_m=chunk_m,
        x_layout="rows" if rows else "columns",
    )
    partial.rename(path)
    return path


def open_store(path):
    """(X, Y) of a store made by ``make_store``, as dask arrays chunked along the examples.

    A missing path, a folder that is not such a store, arrays whose shapes do
    not match, or missing chunks raise a FileNotFoundError or ValueError that
    says which.
    """
    import dask.array as da
    import zarr

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no store at {path} (make one with impls.make_store)")
    try:
        group = zarr.open_group(path, mode="r")
        attrs = dict(group.attrs)
        X, Y = group["X"], group["Y"]
    except (KeyError, OSError, ValueError, zarr.errors.BaseZarrError) as exc:
        raise ValueError(f"{path} is not a store made by impls.make_store ({exc})") from None
    if attrs.get("format") != FORMAT:
        raise ValueError(
            f"{path} is not a store made by impls.make_store (format {attrs.get('format')!r})"
        )
    m, n_x = attrs["m"], attrs["n_x"]
    rows = attrs.get("x_layout") == "rows"
    if X.shape != ((m, n_x) if rows else (n_x, m)) or Y.shape != (m,):
        raise ValueError(
            f"damaged store {path}: X has shape {X.shape} and Y {Y.shape}, "
            f"but it was made for m={m}, n_x={n_x}"
            + (" (X stored as rows, one per example)" if rows else "")
        )
    for name, array in (("X", X), ("Y", Y)):
        if array.nchunks_initialized != array.nchunks:
            raise ValueError(
                f"damaged store {path}: {name} has {array.nchunks_initialized} of its "
                f"{array.nchunks} chunks"
            )
    X = da.from_zarr(X)
    return X.T if rows else X, da.from_zarr(Y)
