"""An independent high-precision gradient step to check every backend against.

It shares no code with ``impls``: extended precision (``np.longdouble``,
64-bit mantissa on x86), the textbook formulas, ``math.fsum`` for the sums.
"""

import math

import numpy as np


def reference_gradient(w, b, X, Y):
    """(dw, db, cost) as float64, plus the scale each dw component's sum is conditioned by."""
    X = np.asarray(X, dtype=np.longdouble)
    Y = np.asarray(Y, dtype=np.longdouble).reshape(-1)
    w = np.asarray(w, dtype=np.longdouble).reshape(-1)
    m = X.shape[1]
    Z = np.array([math.fsum(terms) for terms in (w[:, None] * X).T], dtype=np.longdouble)
    Z += np.longdouble(b)
    with np.errstate(over="ignore"):
        # σ(z) - 1 = -1 / (1 + e^z): no cancellation where σ(z) is close to 1.
        dZ = np.where(Y > 0, -1 / (1 + np.exp(Z)), 1 / (1 + np.exp(-Z)))
        losses = np.where(Y > 0, np.logaddexp(0, -Z), np.logaddexp(0, Z))
    dw = np.array([math.fsum(row) for row in X * dZ]) / m
    dw_scale = np.abs(X * dZ).sum(axis=1) / m
    db = math.fsum(dZ) / m
    cost = math.fsum(losses) / m
    return dw.astype(np.float64), float(db), float(cost), dw_scale.astype(np.float64)


def assert_matches_reference(result, w, b, X, Y, rtol=1e-9):
    """Every component within rtol of the reference, relative to the size of what was summed.

    A component of dw that is a sum of terms of both signs can be near zero;
    its error is bounded by rtol times the sum of |terms|, not by its value.
    """
    dw, db, cost, dw_scale = reference_gradient(w, b, X, Y)
    tiny = np.finfo(np.float64).tiny
    np.testing.assert_array_less(
        np.abs(np.ravel(result.dw) - dw), rtol * np.maximum(dw_scale, tiny) + tiny
    )
    assert abs(result.db - db) <= rtol * max(np.mean(np.abs(dw_scale)), abs(db)) + tiny
    assert abs(result.cost - cost) <= rtol * abs(cost) + tiny
    assert math.isfinite(result.cost)
