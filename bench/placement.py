"""Where X starts in memory: where numpy would put it, or a copy at a chosen offset.

A step's speed depends on X's address: the compiled and BLAS kernels read X faster when it
starts on a 32-byte boundary, fastest on a page boundary (docs/tuning.md has the figures).
numpy's allocator (glibc's malloc) aligns to 16 bytes only: a large array gets a mapping of
its own and starts 16 bytes past a page, behind malloc's header; a smaller one lies wherever
the heap has a free slot, at any multiple of 16. Which of these a process gets is set by its
allocation history, for its whole life. So the sweep places X itself: by default where numpy
would put a new array of its size (``numpy_offset``, drawn anew for every size and pass,
seeded), or where ``--x-offset`` pins it; the regression check places it anew each round.

Imports only numpy and the standard library: the regression check's worker, which must import
nothing of ``bench`` from the tree it times, loads this file by its path.
"""

import random

import numpy as np

PAGE = 4096
# Offsets a user may ask for: multiples of what every allocator guarantees a float64.
OFFSET_STEP = 16
# The best placement for every kernel: on a page boundary.
BEST_OFFSET = 0
# glibc's malloc gives a block of at least M_MMAP_THRESHOLD bytes (its default) a mapping of
# its own, the data starting past the block's 16-byte header; a process that has freed large
# blocks raises the threshold (up to 32 MiB), and its mid-sized arrays then come from the heap.
MMAP_THRESHOLD = 128 * 1024
MMAP_OFFSET = 16


def numpy_offset(nbytes: int, draw: random.Random) -> int:
    """Where numpy puts a new array of nbytes in a fresh process, bytes past a page boundary:
    16 for one the allocator maps, else a heap slot, any multiple of 16 (drawn)."""
    if nbytes >= MMAP_THRESHOLD:
        return MMAP_OFFSET
    return draw.randrange(0, PAGE, OFFSET_STEP)


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
