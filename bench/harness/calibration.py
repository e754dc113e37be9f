"""Calibration kernels: fixed work, timed in every run, that owes nothing to impls/.

The regression check divides each backend's slowdown by these kernels'
slowdown, so a machine that is uniformly slower raises no alarm while a
change to the backends' own code (shared helpers included) still does.
One kernel stands for interpreted loops, one for compiled numpy work; their
geometric mean is the machine's speed factor. Their data are made on the first call of
``kernels()`` (never at import) and kept.
"""

import functools
import math
from collections.abc import Callable

import numpy as np

NAMES = ("python_loop", "numpy_kernels")


@functools.cache
def kernels() -> dict[str, Callable[[], float]]:
    """The two kernels by name, over data made here once."""
    values = [math.sin(i) for i in range(10_000)]
    array = np.sin(np.arange(200_000, dtype=np.float64))
    # Written in place: a fresh 1.6 MB temporary per call would time glibc's page faults
    # (up to 6x the arithmetic, depending on what the process allocated before), not the machine.
    scratch = np.empty_like(array)

    def python_loop() -> float:
        """10,000 multiply-adds in the interpreter, the kind of work two_loop does."""
        total = 0.0
        for x in values:
            total += x * 1.0001
        return total

    def numpy_kernels() -> float:
        """A dot product, a few ufuncs and a reduction over 1.6 MB: cache-resident compiled
        work."""
        np.abs(array, out=scratch)
        np.negative(scratch, out=scratch)
        np.exp(scratch, out=scratch)
        return float(array @ array + scratch.sum())

    return {"python_loop": python_loop, "numpy_kernels": numpy_kernels}
