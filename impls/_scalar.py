"""Overflow-safe scalar math for one example, shared by the loop backends.

Plain Python on floats. ``register_jitable`` leaves each function as it is
when called from Python (``two_loop``, ``one_loop``) and lets numba compile
the very same source when it is called from jitted code (``numba``).
"""

import math

from numba.extending import register_jitable


@register_jitable
def sigmoid(t: float) -> float:
    """σ(t) = 1 / (1 + e^-t), evaluated so that exp never sees a positive argument."""
    if t >= 0.0:
        return 1.0 / (1.0 + math.exp(-t))
    e = math.exp(t)
    return e / (1.0 + e)


@register_jitable
def softplus(t: float) -> float:
    """log(1 + e^t) without overflow for large t or loss of digits for very negative t."""
    return max(t, 0.0) + math.log1p(math.exp(-abs(t)))


@register_jitable
def dz_and_loss(z: float, y: float) -> tuple[float, float]:
    """dz = σ(z) - y and the log-loss of one example with label y in {0, 1}.

    With s = 1 - 2y (+1 for y = 0, -1 for y = 1), σ(z) - y = s·σ(s·z) and the
    loss -[y log σ(z) + (1 - y) log(1 - σ(z))] = softplus(s·z), exactly. In
    this form nothing cancels when σ(z) is close to y (σ(20) - 1 computed
    directly keeps only 7 correct digits) and log(0) is never taken.
    """
    s = 1.0 - 2.0 * y
    t = s * z
    return s * sigmoid(t), softplus(t)
