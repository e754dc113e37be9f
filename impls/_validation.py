"""Input checks for the public API.

They run before ``prepare`` and never inside a backend's timed ``gradient``
step. Each returns the value in the one form every backend accepts: float64
arrays with examples as columns of X, labels and weights as 1-D vectors.
"""

from numbers import Real

import numpy as np

_NUMERIC_KINDS = "biuf"  # bool, signed and unsigned int, float


def _numeric_array(value: object, name: str) -> np.ndarray:
    try:
        array = np.asarray(value)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{name} is not a rectangular array: {exc}") from None
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(
            f"{name} must hold real numbers (bool, int or float); got dtype {array.dtype}"
        )
    return array


def _require_finite(array: np.ndarray, name: str) -> None:
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        bad = np.argwhere(~np.isfinite(array))[0]
        raise ValueError(
            f"{name} contains NaN or inf (first at index {tuple(int(i) for i in bad)})"
        )


def examples(X: object) -> np.ndarray:
    """X of shape (n_x, m), one example per column, as finite float64."""
    array = _numeric_array(X, "X")
    if array.ndim != 2:
        raise ValueError(
            f"X must be 2-D with shape (n_x, m), one example per column; got {array.ndim}-D "
            f"shape {array.shape}"
        )
    n_x, m = array.shape
    if n_x == 0 or m == 0:
        raise ValueError(
            f"X must have at least one feature and one example; got shape {array.shape}"
        )
    _require_finite(array, "X")
    return array.astype(np.float64, copy=False)


def is_lazy(value: object) -> bool:
    """A dask array (its values are not in memory)."""
    return hasattr(value, "dask") and hasattr(value, "chunks")


def lazy_examples(X):
    """X as ``examples`` wants it, checked for shape and type only (values: by the backend)."""
    if X.ndim != 2 or 0 in X.shape:
        raise ValueError(f"X must be 2-D with shape (n_x, m), n_x, m ≥ 1; got shape {X.shape}")
    if X.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(f"X must hold real numbers; got dtype {X.dtype}")
    return X if X.dtype.kind == "f" else X.astype(np.float64)


def lazy_labels(Y, m: int):
    """Y as ``labels`` wants it, checked for shape and type only (values: by the backend)."""
    if not is_lazy(Y):
        return labels(Y, m)
    if Y.shape not in ((m,), (1, m)):
        raise ValueError(
            f"Y must have shape ({m},) or (1, {m}) to match the {m} examples (columns) of X; "
            f"got shape {Y.shape}"
        )
    if Y.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(f"Y must hold real numbers; got dtype {Y.dtype}")
    return Y.reshape(m).astype(np.float64)


def labels(Y: object, m: int) -> np.ndarray:
    """Y of shape (m,) or (1, m) with values in {0, 1}, as a float64 vector."""
    array = _numeric_array(Y, "Y")
    if array.shape not in ((m,), (1, m)):
        raise ValueError(
            f"Y must have shape ({m},) or (1, {m}) to match the {m} examples (columns) of X; "
            f"got shape {array.shape}"
        )
    array = array.reshape(m)
    not_binary = ~np.isin(array, (0, 1))
    if not_binary.any():
        index = int(np.argmax(not_binary))
        raise ValueError(
            f"Y must contain only 0 and 1; found {array[index].item()!r} at index {index}"
        )
    return array.astype(np.float64)


def weights(w: object, n_x: int) -> np.ndarray:
    """w of shape (n_x,) or (n_x, 1), as a finite float64 vector."""
    array = _numeric_array(w, "w")
    if array.shape not in ((n_x,), (n_x, 1)):
        raise ValueError(
            f"w must have shape ({n_x},) or ({n_x}, 1) to match the {n_x} features (rows) of X; "
            f"got shape {array.shape}"
        )
    _require_finite(array, "w")
    return array.reshape(n_x).astype(np.float64)


def bias(b: object) -> float:
    """b as a finite Python float."""
    array = _numeric_array(b, "b")
    if array.size != 1:
        raise ValueError(f"b must be a single number; got shape {array.shape}")
    value = float(array.reshape(()))
    if not np.isfinite(value):
        raise ValueError(f"b must be finite; got {value}")
    return value


def positive(value: object, name: str) -> None:
    """Raise unless value is a real number > 0."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a positive number; got {value!r}")
    if not value > 0:  # also rejects NaN
        raise ValueError(f"{name} must be positive; got {value!r}")


def positive_int(value: object, name: str) -> None:
    """Raise unless value is an int > 0."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive integer; got {value!r}")
    positive(int(value), name)
