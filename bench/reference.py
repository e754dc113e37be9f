"""An independent high-precision gradient step to check every backend, and every function a
user adds, against.

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


def relative_errors(dw, db, cost, w, b, X, Y) -> dict[str, float]:
    """Each part of a gradient step's result against the reference, relative to the size of
    what was summed: a component of dw that sums terms of both signs can be near zero, so its
    error is measured against the sum of |terms|, not its value (dw: the largest of its
    components'). An error below the smallest normal float counts as none: a subnormal result
    cannot be closer. NaN where a part is not finite."""
    ref_dw, ref_db, ref_cost, dw_scale = reference_gradient(w, b, X, Y)
    tiny = np.finfo(np.float64).tiny

    def beyond_tiny(error):
        return np.maximum(error - tiny, 0.0)

    with np.errstate(invalid="ignore", over="ignore"):
        dw_error = beyond_tiny(np.abs(np.ravel(np.asarray(dw, dtype=np.float64)) - ref_dw))
        db_scale = max(float(np.mean(np.abs(dw_scale))), abs(ref_db), tiny)
        return {
            "dw": float(np.max(dw_error / np.maximum(dw_scale, tiny), initial=0.0)),
            "db": float(beyond_tiny(abs(float(db) - ref_db))) / db_scale,
            "cost": float(beyond_tiny(abs(float(cost) - ref_cost))) / max(abs(ref_cost), tiny),
        }


def assert_matches_reference(result, w, b, X, Y, rtol=1e-9):
    """Every component within rtol of the reference, relative to the size of what was summed."""
    errors = relative_errors(result.dw, result.db, result.cost, w, b, X, Y)
    assert all(error <= rtol for error in errors.values()), errors
    assert math.isfinite(result.cost)
