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


@pytest.fixture(scope="module")
def fits(breast_cancer):
    X, Y = breast_cancer
    return {
        name: impls.train(X, Y, backend=name, learning_rate=1.0, iterations=2000)
        for name in impls.BACKENDS
    }


@pytest.mark.parametrize("backend", list(impls.BACKENDS))
def test_reaches_the_scikit_learn_optimum(fits, optimum, backend):
    w_opt, b_opt, cost_opt = optimum
    fit = fits[backend]
    assert fit.costs[-1] == pytest.approx(cost_opt, rel=1e-6)
    np.testing.assert_allclose(fit.w, w_opt, atol=1e-3)
    assert fit.b == pytest.approx(b_opt, abs=1e-3)
    assert len(fit.costs) == 2000
    assert all(np.diff(fit.costs) <= 1e-15), "cost must not rise at this step size"


def test_backends_train_to_the_same_weights(fits):
    reference = fits["vectorized"]
    for fit in fits.values():
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
