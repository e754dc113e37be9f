"""The two-loop algorithm compiled by numba: loops, not numpy calls.

Same loops as ``two_loop``, but ``numba.njit`` compiles them to machine code:
floats stay unboxed in registers, no object is allocated per element, and
LLVM turns the ``dw`` update loop into SIMD instructions. The dot product for
z stays a sequential sum (no ``fastmath``, so sums are added in the same
order as in ``two_loop``), limited by the latency of one add after another.
Each example is read twice, but the second read hits the cache.

``prepare`` stores examples as contiguous rows, so both inner loops run at
unit stride. The first call compiles (about a second); callers who time this
backend call it once beforehand.
"""

import numba
import numpy as np

from . import _layout, _scalar
from ._types import Backend, Gradient, copy_of_x


@numba.njit(cache=True)
def _step(w, b, rows, labels):
    m, n_x = rows.shape
    dw = np.zeros(n_x)
    db = 0.0
    cost = 0.0
    for i in range(m):
        z = b
        for j in range(n_x):
            z += w[j] * rows[i, j]
        dz, loss = _scalar.dz_and_loss(z, labels[i])
        cost += loss
        for j in range(n_x):
            dw[j] += rows[i, j] * dz
        db += dz
    return dw / m, db / m, cost / m


def prepare(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _layout.rows(X), np.ascontiguousarray(Y)


def gradient(w: np.ndarray, b: float, data: tuple[np.ndarray, np.ndarray]) -> Gradient:
    rows, labels = data
    return Gradient(*_step(w, b, rows, labels))


BACKEND = Backend(
    "numba",
    prepare,
    gradient,
    copy_of_x,
    passes_over_x=1,
    description="examples × features compiled by numba: the two_loop algorithm as machine code",
)
