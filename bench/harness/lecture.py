"""The course's lecture demo: a dot product of two 1,000,000-element vectors, three ways.

The lecture times a ``for`` loop over numpy arrays against ``np.dot`` (about
481 ms against 1.5 ms, "~300x"). Here the same, plus the loop over Python
lists (the fastest honest pure-Python loop), timed in every pass of a sweep.
The data are made once, outside every timing.
"""

import numpy as np

SIZE = 1_000_000  # as in the lecture (bench/analysis/lecture.py has its figures)

_A, _B = np.random.default_rng(0).random((2, SIZE))
_LIST_A, _LIST_B = _A.tolist(), _B.tolist()


def loop_over_numpy() -> float:
    """The lecture's loop: each a[i] boxes a numpy scalar."""
    c = 0.0
    for i in range(SIZE):
        c += _A[i] * _B[i]
    return c


def loop_over_list() -> float:
    c = 0.0
    for i in range(SIZE):
        c += _LIST_A[i] * _LIST_B[i]
    return c


def numpy_dot() -> float:
    return float(np.dot(_A, _B))


KERNELS = {
    "loop_over_numpy": loop_over_numpy,
    "loop_over_list": loop_over_list,
    "numpy_dot": numpy_dot,
}
