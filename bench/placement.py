"""Where X starts in memory: a copy of it at a chosen offset past a page boundary.

A step's speed depends on X's address. numpy's allocator aligns to 16 bytes only (a large
array starts 16 bytes past a page, behind malloc's header; a smaller one wherever the heap
has room), and the compiled and BLAS kernels read X faster when it starts on a 32-byte
boundary (docs/tuning.md has the figures). Which of these a process gets is set by its
allocation history, for its whole life: so the sweep places X itself (the ``x_offset``
setting), and the regression check places it anew each round.

Imports only numpy: the regression check's worker, which must import nothing of ``bench``
from the tree it times, loads this file by its path.
"""

import numpy as np

PAGE = 4096
# Offsets a user may ask for: multiples of what every allocator guarantees a float64.
OFFSET_STEP = 16


def empty_at(shape: tuple[int, ...], dtype, offset: int, order: str = "C") -> np.ndarray:
    """An uninitialised array starting ``offset`` bytes past a page boundary."""
    dtype = np.dtype(dtype)
    buffer = np.empty(int(np.prod(shape)) * dtype.itemsize + 2 * PAGE, dtype=np.uint8)
    start = -buffer.ctypes.data % PAGE + offset
    return np.ndarray(shape, dtype, buffer=buffer, offset=start, order=order)


def placed(X: np.ndarray, offset: int) -> np.ndarray:
    """A copy of X, in X's own memory order, starting ``offset`` bytes past a page boundary."""
    order = "F" if X.flags.f_contiguous and not X.flags.c_contiguous else "C"
    copy = empty_at(X.shape, X.dtype, offset, order)
    copy[...] = X
    return copy


def offset_in_page(X: np.ndarray) -> int:
    """How many bytes past a page boundary X starts."""
    return int(X.ctypes.data % PAGE)
