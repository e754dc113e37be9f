"""The course's lecture demo: a dot product of two 1,000,000-element vectors, three ways.

The lecture times a ``for`` loop over numpy arrays against ``np.dot`` (about
481 ms against 1.5 ms, "~300x"). Here the same, plus the loop over Python
lists (the fastest honest pure-Python loop), timed in every pass of a sweep.
The data are made on the first call of ``kernels()`` (untimed, never at import) and kept.
"""

import functools
from collections.abc import Callable

import numpy as np

SIZE = 1_000_000  # as in the lecture (bench/analysis/lecture.py has its figures)
NAMES = ("loop_over_numpy", "loop_over_list", "numpy_dot")


@functools.cache
def kernels() -> dict[str, Callable[[], float]]:
    """The three dot products by name, over data made here once."""
    a, b = np.random.default_rng(0).random((2, SIZE))
    list_a, list_b = a.tolist(), b.tolist()

    def loop_over_numpy() -> float:
        """The lecture's loop: each a[i] boxes a numpy scalar."""
        c = 0.0
        for i in range(SIZE):
            c += a[i] * b[i]
        return c

    def loop_over_list() -> float:
        c = 0.0
        for i in range(SIZE):
            c += list_a[i] * list_b[i]
        return c

    def numpy_dot() -> float:
        return float(np.dot(a, b))

    made = {"loop_over_numpy": loop_over_numpy, "loop_over_list": loop_over_list}
    return made | {"numpy_dot": numpy_dot}
