"""Every backend computes the same gradient step, correctly and stably."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import impls
from bench.reference import assert_matches_reference, reference_gradient

BACKENDS = list(impls.BACKENDS)


def random_params(n_x, seed=1, scale=0.5):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n_x) * scale, float(rng.standard_normal())


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("m", "n_x"), [(1, 1), (1, 7), (7, 1), (3, 40), (50, 5), (257, 33)])
def test_matches_reference_on_many_shapes(backend, m, n_x):
    X, Y = impls.make_problem(m, n_x, seed=m * 100 + n_x)
    w, b = random_params(n_x)
    assert_matches_reference(impls.gradient(w, b, X, Y, backend=backend), w, b, X, Y)


def layouts():
    X, Y = impls.make_problem(30, 12, seed=5)
    wide = np.zeros((24, 60))
    wide[::2, ::2] = X
    return {
        "fortran-order": (np.asfortranarray(X), Y),
        "strided view": (wide[::2, ::2], Y),
        "transposed view": (np.ascontiguousarray(X.T).T, Y),
        "int labels": (X, Y.astype(int)),
        "bool labels": (X, Y.astype(bool)),
        "row-vector labels": (X, Y.reshape(1, -1)),
        "float32 X": (X.astype(np.float32), Y),
        "int X": (np.round(X * 3).astype(np.int64), Y),
    }


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("layout", list(layouts()))
def test_accepts_every_layout_and_dtype(backend, layout):
    X, Y = layouts()[layout]
    w, b = random_params(X.shape[0])
    assert_matches_reference(impls.gradient(w, b, X, Y, backend=backend), w, b, X, Y)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("m", "n_x"), [(1, 1), (300, 7), (40, 2000)])
def test_computes_float32_data_to_float32_precision(backend, m, n_x):
    # The float32 sweep hands backends float32 arrays directly (no upcast), as here.
    X, Y = impls.make_problem(m, n_x, seed=11, dtype="float32")
    w = random_params(n_x)[0].astype(np.float32)
    b = 0.25
    module = impls.BACKENDS[backend]
    result = module.gradient(w, b, module.prepare(X, Y))
    assert_matches_reference(result, w, b, X, Y, rtol=1e-4)


problems = st.tuples(st.integers(1, 25), st.integers(1, 25)).flatmap(
    lambda shape: st.tuples(
        hnp.arrays(np.float64, shape, elements=st.floats(-20, 20)),
        hnp.arrays(np.int8, shape[1], elements=st.integers(0, 1)),
        hnp.arrays(np.float64, shape[0], elements=st.floats(-3, 3)),
        st.floats(-30, 30),
    )
)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=60, deadline=None)
@given(problem=problems)
def test_matches_reference_on_random_problems(backend, problem):
    X, Y, w, b = problem
    assert_matches_reference(impls.gradient(w, b, X, Y, backend=backend), w, b, X, Y)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("z", [-5000.0, -745.0, -40.0, 40.0, 745.0, 5000.0])
def test_is_stable_when_sigmoid_saturates(backend, z):
    # One feature equal to 1, so z = w + b exactly; both labels at once.
    X = np.ones((1, 2))
    Y = np.array([0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = impls.gradient([z], 0.0, X, Y, backend=backend)
    assert result.cost == pytest.approx(abs(z) / 2, rel=1e-12)
    assert_matches_reference(result, [z], 0.0, X, Y)


@pytest.mark.parametrize("backend", BACKENDS)
def test_gradient_matches_finite_differences(backend):
    X, Y = impls.make_problem(40, 6, seed=3)
    w, b = random_params(6, seed=4)
    result = impls.gradient(w, b, X, Y, backend=backend)

    def cost(w, b):
        return impls.gradient(w, b, X, Y, backend=backend).cost

    h = 1e-6
    numeric_dw = [(cost(w + h * e, b) - cost(w - h * e, b)) / (2 * h) for e in np.eye(len(w))]
    np.testing.assert_allclose(result.dw, numeric_dw, rtol=1e-6, atol=1e-9)
    assert result.db == pytest.approx((cost(w, b + h) - cost(w, b - h)) / (2 * h), rel=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_dw_has_the_shape_w_was_given_in(backend):
    X, Y = impls.make_problem(10, 4)
    assert impls.gradient(np.zeros(4), 0, X, Y, backend=backend).dw.shape == (4,)
    assert impls.gradient(np.zeros((4, 1)), 0, X, Y, backend=backend).dw.shape == (4, 1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_gradient_does_not_modify_its_inputs(backend):
    X, Y = impls.make_problem(20, 3)
    w, b = random_params(3)
    copies = [a.copy() for a in (X, Y, w)]
    impls.gradient(w, b, X, Y, backend=backend)
    for before, after in zip(copies, (X, Y, w), strict=True):
        np.testing.assert_array_equal(before, after)


def test_make_problem_is_seeded_and_has_both_classes():
    X1, Y1 = impls.make_problem(500, 8, seed=7)
    X2, Y2 = impls.make_problem(500, 8, seed=7)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(Y1, Y2)
    assert X1.shape == (8, 500) and Y1.shape == (500,)
    assert set(np.unique(Y1)) == {0.0, 1.0}
    assert not np.array_equal(X1, impls.make_problem(500, 8, seed=8)[0])


def test_make_problem_writes_the_same_x_where_the_caller_asks():
    X, Y = impls.make_problem(500, 8, seed=7)
    out = np.empty((8, 500))
    X_out, Y_out = impls.make_problem(500, 8, seed=7, out=out)
    assert X_out is out
    np.testing.assert_array_equal(X_out, X)
    np.testing.assert_array_equal(Y_out, Y)
    for wrong in (np.empty((500, 8)), np.empty((8, 500), "float32"), np.empty((500, 8)).T):
        with pytest.raises(ValueError, match=r"out must be a C-ordered \(8, 500\) array"):
            impls.make_problem(500, 8, out=wrong)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("m", [1, 40])
def test_confident_mistakes_whose_dz_is_subnormal_agree_with_the_reference(backend, m):
    # z = -714 for every example labelled 0: σ(z) ≈ 3e-310 is subnormal, and so is all of dw.
    w, X, Y = np.full(14, -3.0), np.full((14, m), 17.0), np.zeros(m, dtype=np.int8)
    assert 0 < reference_gradient(w, 0.0, X, Y)[1] < np.finfo(np.float64).tiny
    # (jax flushes subnormals to zero: an error below the smallest normal, which passes.)
    assert_matches_reference(impls.gradient(w, 0.0, X, Y, backend=backend), w, 0.0, X, Y)
