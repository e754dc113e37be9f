"""σ, dZ and the loss of one example as the course writes them: numpy scalar functions.

The same overflow-safe formulas as ``_scalar.dz_and_loss`` (see there), but
computed with ``np.exp``, ``np.abs``, ``np.maximum`` and ``np.log1p`` on
numpy scalars, as the course's loops do. Each call goes through numpy's
ufunc machinery (about a microsecond) instead of the ``math`` module's.
"""

import numpy as np


def dz_and_loss(z: np.floating, y: np.floating) -> tuple[np.floating, np.floating]:
    s = 1.0 - 2.0 * y
    t = s * z
    e = np.exp(-np.abs(t))
    sigma = 1.0 / (1.0 + e) if t >= 0.0 else e / (1.0 + e)
    return s * sigma, np.maximum(t, 0.0) + np.log1p(e)
