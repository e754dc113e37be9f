"""Bad input gets a clear error naming the problem, never a wrong number."""

import numpy as np
import pytest

import impls

X, Y = impls.make_problem(6, 3)
W = np.zeros(3)


def with_value(array, index, value):
    array = np.array(array, dtype=float)
    array[index] = value
    return array


BAD_GRADIENT_INPUTS = {
    "NaN in X": (
        dict(X=with_value(X, (1, 2), np.nan)),
        ValueError,
        r"X contains NaN or inf .*\(1, 2\)",
    ),
    "inf in X": (dict(X=with_value(X, (0, 0), np.inf)), ValueError, "X contains NaN or inf"),
    "NaN in w": (dict(w=with_value(W, 1, np.nan)), ValueError, "w contains NaN or inf"),
    "inf in b": (dict(b=np.inf), ValueError, "b must be finite"),
    "label 2": (
        dict(Y=with_value(Y, 4, 2)),
        ValueError,
        "Y must contain only 0 and 1; found 2.0 at index 4",
    ),
    "label -1": (dict(Y=with_value(Y, 0, -1)), ValueError, "only 0 and 1"),
    "NaN label": (dict(Y=with_value(Y, 0, np.nan)), ValueError, "only 0 and 1"),
    "Y too short": (dict(Y=Y[:5]), ValueError, r"Y must have shape \(6,\) or \(1, 6\)"),
    "Y as column": (dict(Y=Y.reshape(-1, 1)), ValueError, "Y must have shape"),
    "w too long": (dict(w=np.zeros(4)), ValueError, r"w must have shape \(3,\) or \(3, 1\)"),
    "no examples": (
        dict(X=np.zeros((3, 0)), Y=np.zeros(0)),
        ValueError,
        "at least one feature and one example",
    ),
    "no features": (dict(X=np.zeros((0, 6)), w=np.zeros(0)), ValueError, "at least one feature"),
    "1-D X": (dict(X=np.zeros(6)), ValueError, "X must be 2-D"),
    "3-D X": (dict(X=np.zeros((3, 6, 1))), ValueError, "X must be 2-D"),
    "ragged X": (dict(X=[[1.0, 2.0], [3.0]]), ValueError, "not a rectangular array"),
    "string X": (dict(X=X.astype(str)), TypeError, "X must hold real numbers"),
    "complex X": (dict(X=X.astype(complex)), TypeError, "X must hold real numbers"),
    "object Y": (dict(Y=np.array(["a"] * 6, dtype=object)), TypeError, "Y must hold real numbers"),
    "vector b": (dict(b=np.zeros(2)), ValueError, "b must be a single number"),
    "unknown backend": (
        dict(backend="fortran"),
        ValueError,
        "unknown backend 'fortran'; choose one of: " + ", ".join(impls.BACKENDS),
    ),
}


@pytest.mark.parametrize("case", list(BAD_GRADIENT_INPUTS))
def test_gradient_rejects_bad_input(case):
    changes, error, message = BAD_GRADIENT_INPUTS[case]
    arguments = dict(w=W, b=0.0, X=X, Y=Y) | changes
    with pytest.raises(error, match=message):
        impls.gradient(**arguments)


@pytest.mark.parametrize("backend", list(impls.BACKENDS))
def test_every_backend_is_reached_only_through_validation(backend, monkeypatch):
    # Validation runs before a backend is chosen: a bad input never reaches prepare or gradient.
    original = impls.BACKENDS[backend]

    def must_not_run(*args):
        raise AssertionError(f"{backend} was called with unvalidated input")

    spy = impls.Backend(
        backend, must_not_run, must_not_run, original.memory_bytes, 1, original.description
    )
    monkeypatch.setitem(impls.BACKENDS, backend, spy)
    for changes, error, message in BAD_GRADIENT_INPUTS.values():
        if "backend" in changes:
            continue
        with pytest.raises(error, match=message):
            impls.gradient(**(dict(w=W, b=0.0, X=X, Y=Y, backend=backend) | changes))
    monkeypatch.setitem(impls.BACKENDS, backend, original)
    impls.gradient(W, 0.0, X, Y, backend=backend)  # and good input does reach it


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        (dict(learning_rate=0), ValueError, "learning_rate must be positive"),
        (dict(learning_rate=-0.1), ValueError, "learning_rate must be positive"),
        (dict(learning_rate=float("nan")), ValueError, "learning_rate must be positive"),
        (dict(learning_rate="fast"), TypeError, "learning_rate must be a positive number"),
        (dict(iterations=0), ValueError, "iterations must be positive"),
        (dict(iterations=2.5), TypeError, "iterations must be a positive integer"),
        (dict(backend="gpu"), ValueError, "unknown backend 'gpu'"),
        (dict(X=with_value(X, (0, 0), np.nan)), ValueError, "X contains NaN"),
        (dict(Y=with_value(Y, 0, 3)), ValueError, "only 0 and 1"),
    ],
)
def test_train_rejects_bad_input(changes, error, message):
    arguments = dict(X=X, Y=Y, iterations=5) | changes
    with pytest.raises(error, match=message):
        impls.train(**arguments)


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        (dict(X=with_value(X, (2, 2), np.inf)), ValueError, "X contains NaN or inf"),
        (dict(w=np.zeros(2)), ValueError, "w must have shape"),
        (dict(b=np.nan), ValueError, "b must be finite"),
        (dict(X=X.astype(str)), TypeError, "X must hold real numbers"),
    ],
)
def test_predict_rejects_bad_input(changes, error, message):
    arguments = dict(w=W, b=0.0, X=X) | changes
    with pytest.raises(error, match=message):
        impls.predict(**arguments)


@pytest.mark.parametrize(("m", "n_x"), [(0, 3), (3, -1), (2.5, 3)])
def test_make_problem_rejects_bad_sizes(m, n_x):
    with pytest.raises(
        (ValueError, TypeError), match="must be positive|must be a positive integer"
    ):
        impls.make_problem(m, n_x)
