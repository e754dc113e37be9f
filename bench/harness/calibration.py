"""Calibration kernels: fixed work, timed in every run, that owes nothing to impls/.

The regression check divides each backend's slowdown by these kernels'
slowdown, so a machine that is uniformly slower raises no alarm while a
change to the backends' own code (shared helpers included) still does.
One kernel stands for interpreted loops, one for compiled numpy work; their
geometric mean is the machine's speed factor.
"""

import math

import numpy as np

_LIST = [math.sin(i) for i in range(10_000)]
_ARRAY = np.sin(np.arange(200_000, dtype=np.float64))
# Written in place: a fresh 1.6 MB temporary per call would time glibc's page faults
# (up to 6x the arithmetic, depending on what the process allocated before), not the machine.
_SCRATCH = np.empty_like(_ARRAY)


def python_loop() -> float:
    """10,000 multiply-adds in the interpreter, the kind of work two_loop does."""
    total = 0.0
    for x in _LIST:
        total += x * 1.0001
    return total


def numpy_kernels() -> float:
    """A dot product, a few ufuncs and a reduction over 1.6 MB: cache-resident compiled work."""
    np.abs(_ARRAY, out=_SCRATCH)
    np.negative(_SCRATCH, out=_SCRATCH)
    np.exp(_SCRATCH, out=_SCRATCH)
    return float(_ARRAY @ _ARRAY + _SCRATCH.sum())


KERNELS = {"python_loop": python_loop, "numpy_kernels": numpy_kernels}
