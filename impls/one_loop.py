"""One loop over examples; numpy over the features of each example.

The course note's middle version: ``z = np.dot(w, x_i) + b`` and
``dw += x_i * dz_i``. The inner loop over features now runs in compiled code,
but every example still pays the interpreter and numpy's per-call overhead
(about a microsecond for each of several calls). At small n_x that overhead
is larger than the pure-Python inner loop it replaces, so this version is
*slower* than ``two_loop``; at large n_x it approaches the speed of numpy.

``prepare`` stores examples as contiguous rows so each ``x_i`` is a
unit-stride vector instead of a strided column of X.
"""

import numpy as np

from . import _layout
from ._scalar import dz_and_loss
from ._types import Backend, Gradient, copy_of_x


def prepare(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _layout.rows(X), Y.tolist()


def gradient(w: np.ndarray, b: float, data: tuple[np.ndarray, list[float]]) -> Gradient:
    rows, labels = data
    m = rows.shape[0]
    dw = np.zeros_like(w)
    db = 0.0
    cost = 0.0
    for i in range(m):
        x = rows[i]
        z = float(np.dot(w, x)) + b
        dz, loss = dz_and_loss(z, labels[i])
        cost += loss
        dw += x * dz
        db += dz
    return Gradient(dw / m, db / m, cost / m)


BACKEND = Backend(
    "one_loop",
    prepare,
    gradient,
    copy_of_x,
    passes_over_x=1,
    description="examples; numpy over features: a few numpy calls, each a fixed cost, per example",
)
