"""Gradient descent reaches the same optimum as scikit-learn, with every backend."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression

import impls

# The 10 "mean" features (and all 30) separate the classes almost perfectly,
# so the unpenalized optimum lies at infinity. These five do not: the optimum
# is finite, well conditioned, and gradient descent reaches it in 2000 steps.
FEATURES = [
    "mean texture",
    "mean smoothness",
    "mean concave points",
    "mean symmetry",
    "mean fractal dimension",
]


@pytest.fixture(scope="module")
def breast_cancer():
    data = load_breast_cancer()
    columns = [list(data.feature_names).index(name) for name in FEATURES]
    X = data.data[:, columns]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X.T, data.target


@pytest.fixture(scope="module")
def optimum(breast_cancer):
    X, Y = breast_cancer
    model = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X.T, Y)
    w, b = model.coef_[0], model.intercept_[0]
    return w, b, impls.gradient(w, b, X, Y).cost


# The whole descent for the backends whose steps take microseconds; the interpreted loops and
# dask (milliseconds a step) take the first STEPS_TO_COMPARE steps, each the same as
# vectorized's, so they reach the optimum wherever vectorized does.
FAST = ("vectorized", "numba", "numba_fused", "numba_parallel", "jax")
STEPS_TO_OPTIMUM, STEPS_TO_COMPARE = 2000, 200


def train(X, Y, name: str, iterations: int):
    return impls.train(X, Y, backend=name, learning_rate=1.0, iterations=iterations)


@pytest.fixture(scope="module")
def fits(breast_cancer):
    return {
        name: train(*breast_cancer, name, STEPS_TO_OPTIMUM)
        for name in FAST
        if name in impls.BACKENDS
    }


@pytest.fixture(scope="module")
def short_fits(breast_cancer):
    return {name: train(*breast_cancer, name, STEPS_TO_COMPARE) for name in impls.BACKENDS}


@pytest.mark.parametrize("backend", [name for name in FAST if name in impls.BACKENDS])
def test_reaches_the_scikit_learn_optimum(fits, optimum, backend):
    w_opt, b_opt, cost_opt = optimum
    fit = fits[backend]
    assert fit.costs[-1] == pytest.approx(cost_opt, rel=1e-6)
    np.testing.assert_allclose(fit.w, w_opt, atol=1e-3)
    assert fit.b == pytest.approx(b_opt, abs=1e-3)
    assert len(fit.costs) == STEPS_TO_OPTIMUM
    assert all(np.diff(fit.costs) <= 1e-15), "cost must not rise at this step size"


def test_backends_train_to_the_same_weights(short_fits):
    reference = short_fits["vectorized"]
    for fit in short_fits.values():
        assert len(fit.costs) == STEPS_TO_COMPARE
        np.testing.assert_allclose(fit.w, reference.w, rtol=1e-9, atol=1e-12)
        assert fit.b == pytest.approx(reference.b, rel=1e-9)


def test_predict_agrees_with_scikit_learn(breast_cancer, optimum):
    X, Y = breast_cancer
    w, b, _ = optimum
    model = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X.T, Y)
    predictions = impls.predict(w, b, X)
    assert predictions.dtype.kind == "i"
    np.testing.assert_array_equal(predictions, model.predict(X.T))
    assert (predictions == Y).mean() > 0.85
