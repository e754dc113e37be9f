"""No explicit loops, compiled whole: the course's vectorized lines under ``jax.jit``.

What users reach for instead of writing loops: a compiler for array code.
XLA compiles the step for each shape (the first call at a new shape
compiles; a benchmark reports that apart), fuses the elementwise work
between the two products into single loops and evaluates exp and log1p with
its own SIMD code. The two products ``w·X`` and ``X·dZᵀ`` are still two
reads of X (XLA does not fuse a reduction into the next product), so above
the cache it is bound by memory like numpy's vectorized step, with less
elementwise overhead.

Optional: needs the ``jax`` extra (``pip install 'lr-vectorization-bench[jax]'``);
``impls`` registers this backend only when jax can be imported, and imports
it at the first ``prepare``, which also turns on jax's float64 mode
(``jax_enable_x64``) so float64 data stay float64. XLA sizes its thread pool
from the CPUs the process may run on (its affinity) when jax starts; the
benchmark harness sets that affinity before any backend runs.
"""

from functools import cache

import numpy as np

from ._types import Backend, Gradient


@cache
def _compiled_step():
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)

    @jax.jit
    def step(w, b, X, Y):
        m = X.shape[1]
        Z = w @ X + b
        # The stable form of vectorized.gradient: S = 1 - 2Y, T = S·Z, one exp for σ and loss.
        S = 1.0 - 2.0 * Y
        T = S * Z
        E = jnp.exp(-jnp.abs(T))
        dZ = S * jnp.where(T >= 0, 1.0, E) / (1.0 + E)
        dw = X @ dZ / m
        cost = jnp.sum(jnp.maximum(T, 0.0) + jnp.log1p(E)) / m
        return dw, jnp.sum(dZ) / m, cost

    return jax, step


def prepare(X: np.ndarray, Y: np.ndarray):
    """X and Y copied to jax's (CPU) device once, outside any timing.

    ``device_put`` returns before the copy is made; waiting here keeps the copy
    (seconds for gigabytes) out of the first timed step.
    """
    jax, _ = _compiled_step()
    return jax.block_until_ready((jax.device_put(np.ascontiguousarray(X)), jax.device_put(Y)))


def gradient(w: np.ndarray, b: float, data) -> Gradient:
    _, step = _compiled_step()
    X, Y = data
    dw, db, cost = step(w.astype(X.dtype, copy=False), X.dtype.type(b), X, Y)
    # np.asarray waits for the result: the timing includes the whole computation.
    return Gradient(np.asarray(dw), float(db), float(cost))


def memory_bytes(m: int, n_x: int, itemsize: int) -> int:
    """Its own copy of X and Y on the device, and a few m-vectors XLA keeps between fusions."""
    return itemsize * m * (n_x + 1) + 4 * 8 * m


BACKEND = Backend(
    "jax",
    prepare,
    gradient,
    memory_bytes,
    passes_over_x=2,
    description="no loops, the course's numpy lines compiled by XLA (jax.jit): fused "
    "elementwise work, two products reading X",
)
