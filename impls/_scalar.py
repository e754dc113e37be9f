"""Overflow-safe scalar math for one example, shared by the loop backends.

Plain Python on floats. ``register_jitable`` leaves the function as it is
when called from Python (``two_loop``, ``one_loop``) and lets numba compile
the very same source when it is called from jitted code (the numba backends).
"""

import math

from numba.extending import register_jitable


@register_jitable
def dz_and_loss(z: float, y: float) -> tuple[float, float]:
    """dz = σ(z) - y and the log-loss of one example with label y in {0, 1}.

    With s = 1 - 2y (+1 for y = 0, -1 for y = 1), σ(z) - y = s·σ(s·z) and the
    loss -[y log σ(z) + (1 - y) log(1 - σ(z))] = softplus(s·z), exactly. In
    this form nothing cancels when σ(z) is close to y (σ(20) - 1 computed
    directly keeps only 7 correct digits) and log(0) is never taken.

    Both σ(t) and softplus(t) = log(1 + e^t) are written with e = e^-|t|, so
    exp never overflows and one exp serves both (it is the costliest part of
    an example when n_x is small).
    """
    s = 1.0 - 2.0 * y
    t = s * z
    e = math.exp(-abs(t))
    sigma = 1.0 / (1.0 + e) if t >= 0.0 else e / (1.0 + e)
    return s * sigma, max(t, 0.0) + math.log1p(e)
