"""Logistic regression's gradient step, computed by interchangeable backends.

Every backend module defines one ``Backend`` record, ``BACKEND`` (see
``Backend`` for the contract), and is listed once in ``BACKENDS``. Its
``gradient(w, b, data)`` computes one step, ``Z = wᵀX + b``, ``A = σ(Z)``,
``dZ = A - Y``, ``dw = X dZᵀ / m``, ``db = mean(dZ)`` and the mean log-loss,
on the data its ``prepare(X, Y)`` laid out.

The functions below validate their input before any backend sees it, so bad
data raises a clear ``ValueError`` or ``TypeError`` instead of a wrong number.
"""

import importlib
import importlib.util
from typing import NamedTuple

import numpy as np

from . import (
    _validation,
    course_one_loop,
    course_two_loop,
    numba_fused,
    numba_loops,
    numba_parallel,
    one_loop,
    two_loop,
    vectorized,
)
from ._types import Backend, Gradient, copy_of_x
from .store import make_store, open_store

__all__ = [
    "BACKENDS",
    "DTYPES",
    "UNAVAILABLE",
    "Backend",
    "Fit",
    "Gradient",
    "copy_of_x",
    "get_backend",
    "gradient",
    "make_problem",
    "make_store",
    "open_store",
    "predict",
    "register",
    "train",
]

# The order is the order of the course note, then its loops as written, then compiled loops.
BACKENDS: dict[str, Backend] = {
    module.BACKEND.name: module.BACKEND
    for module in (
        two_loop,
        one_loop,
        vectorized,
        course_two_loop,
        course_one_loop,
        numba_loops,
        numba_fused,
        numba_parallel,
    )
}
# Backends needing a package of an optional extra: module -> (that package, the extra).
OPTIONAL = {"jax_xla": ("jax", "jax"), "dask_chunks": ("dask", "dask")}
# Optional backends left out here, each with the reason, for a caller to show.
UNAVAILABLE: dict[str, str] = {}


def _register_optional() -> None:
    for module, (package, extra) in OPTIONAL.items():
        if importlib.util.find_spec(package) is None:
            UNAVAILABLE[module] = (
                f"{package} is not installed (pip install 'lr-vectorization-bench[{extra}]')"
            )
            continue
        backend = importlib.import_module(f"{__name__}.{module}").BACKEND
        BACKENDS[backend.name] = backend


_register_optional()


def register(backend: Backend) -> Backend:
    """Add a backend defined outside this package; every caller of ``BACKENDS`` then sees it."""
    if not isinstance(backend, Backend):
        raise TypeError(f"register takes an impls.Backend; got {type(backend).__name__}")
    if backend.name in BACKENDS:
        raise ValueError(f"a backend named {backend.name!r} is already registered")
    BACKENDS[backend.name] = backend
    return backend


class Fit(NamedTuple):
    """What ``train`` returns: final weights and bias, and the cost before each step."""

    w: np.ndarray
    b: float
    costs: list[float]


def get_backend(name: str) -> Backend:
    """The backend registered under ``name``; a ValueError lists the valid names."""
    try:
        return BACKENDS[name]
    except (KeyError, TypeError):
        valid = ", ".join(BACKENDS)
        raise ValueError(f"unknown backend {name!r}; choose one of: {valid}") from None


def gradient(w, b, X, Y, backend: str = "vectorized") -> Gradient:
    """One gradient step on X (n_x, m) and Y (m,) or (1, m); dw has the shape w was given in.

    X and Y may be lazy (dask) arrays, such as ``open_store`` returns: a backend
    that takes them (``dask``) checks their values chunk by chunk as it steps;
    any other loads them first.
    """
    impl = get_backend(backend)
    if impl.lazy_input and _validation.is_lazy(X):
        X = _validation.lazy_examples(X)
        n_x, m = X.shape
        Y = _validation.lazy_labels(Y, m)
    else:
        X = _validation.examples(X)
        n_x, m = X.shape
        Y = _validation.labels(Y, m)
    w_shape = np.shape(w)
    w = _validation.weights(w, n_x)
    b = _validation.bias(b)
    result = impl.gradient(w, b, impl.prepare(X, Y))
    return result._replace(dw=result.dw.reshape(w_shape))


def train(
    X,
    Y,
    backend: str = "vectorized",
    learning_rate: float = 0.5,
    iterations: int = 2000,
) -> Fit:
    """Gradient descent from w = 0, b = 0, as in the course's ``optimize``."""
    impl = get_backend(backend)
    _validation.positive(learning_rate, "learning_rate")
    _validation.positive_int(iterations, "iterations")
    X = _validation.examples(X)
    n_x, m = X.shape
    data = impl.prepare(X, _validation.labels(Y, m))
    w = np.zeros(n_x)
    b = 0.0
    costs = []
    for _ in range(iterations):
        step = impl.gradient(w, b, data)
        costs.append(step.cost)
        w = w - learning_rate * step.dw
        b = b - learning_rate * step.db
    return Fit(w, b, costs)


def predict(w, b, X) -> np.ndarray:
    """Labels (0 or 1, int) of the m examples in X: 1 where σ(wᵀx + b) > 0.5."""
    X = _validation.examples(X)
    w = _validation.weights(w, X.shape[0])
    b = _validation.bias(b)
    return (vectorized.sigmoid(w @ X + b) > 0.5).astype(int)


DTYPES = ("float64", "float32")


def make_problem(
    m: int, n_x: int, seed: int = 0, dtype: str = "float64", out: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded synthetic data: X (n_x, m) standard normal, Y (m,) drawn from a true model.

    The true weights have norm about 1, so z stays of order one and both
    classes occur. Same (m, n_x, seed, dtype), same arrays, on every machine.
    X and Y are of ``dtype``: float32 data halves the bytes a step reads
    (``gradient`` itself always works in float64; backends' ``prepare`` and
    ``gradient`` keep what they are given). ``out``: where to write X, a C-ordered
    (n_x, m) array of ``dtype`` (memory the caller placed; the values are the same).
    """
    _validation.positive_int(m, "m")
    _validation.positive_int(n_x, "n_x")
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPES)}; got {dtype!r}")
    if out is not None and (
        out.shape != (n_x, m) or out.dtype != np.dtype(dtype) or not out.flags.c_contiguous
    ):
        raise ValueError(
            f"out must be a C-ordered ({n_x}, {m}) array of {dtype}; got {out.shape} "
            f"{out.dtype}{'' if out.flags.c_contiguous else ', not C-ordered'}"
        )
    rng = np.random.default_rng(seed)
    X = rng.standard_normal(None if out is not None else (n_x, m), dtype=dtype, out=out)
    w_true = rng.standard_normal(n_x, dtype=dtype) / np.sqrt(n_x)
    Y = (rng.random(m, dtype=dtype) < vectorized.sigmoid(w_true @ X)).astype(dtype)
    return X, Y
