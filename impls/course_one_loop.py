"""The course's one loop as written: ``np.dot(w.T, x)`` per example, (n_x, 1) columns.

The inner loop over features is numpy's, but each example pays several numpy
calls on tiny (n_x, 1) and (1, 1) arrays (a strided column view of X, a
transpose, a dot product, broadcasting into dw) and σ and the loss as numpy
scalar functions: microseconds per example whatever n_x is. ``one_loop``
does the same with contiguous rows and ``math``, so this is its slower twin,
as the course wrote it.
"""

import numpy as np

from . import _course
from ._types import Backend, Gradient
from .course_two_loop import memory_bytes, prepare  # the same arrays, as given


def gradient(w: np.ndarray, b: float, data: tuple[np.ndarray, np.ndarray]) -> Gradient:
    X, Y = data
    n_x, m = X.shape
    w, dw = w.reshape(n_x, 1), np.zeros((n_x, 1))
    db = cost = 0.0
    for i in range(m):
        x = X[:, i : i + 1]
        z = np.dot(w.T, x)[0, 0] + b
        dz, loss = _course.dz_and_loss(z, Y[0, i])
        cost += loss
        dw += x * dz
        db += dz
    return Gradient(dw.reshape(n_x) / m, float(db) / m, float(cost) / m)


BACKEND = Backend(
    "course_one_loop",
    prepare,
    gradient,
    memory_bytes,
    passes_over_x=1,
    description="the course's one loop as written: np.dot(w.T, x) per example on (n_x, 1) columns",
)
