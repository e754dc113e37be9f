"""The compiled loops' vectorizable exp and log1p against the math library, over all they see."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impls import _block_math, _scalar

ULP = np.finfo(np.float64).eps


def block_exp(t: np.ndarray) -> np.ndarray:
    n = len(t)
    e = np.empty(n)
    _block_math.exp_of_minus_abs(t, n, np.empty(n), np.empty(n, np.int64), e)
    return e


def block_dz_and_loss(t: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(t)
    dz, loss = np.empty(n), np.empty(n)
    _block_math.dz_and_loss(t.copy(), labels, 0, n, np.empty(n), np.empty(n, np.int64), dz, loss)
    return dz, loss


def test_exp_within_a_few_ulp_over_its_whole_range():
    t = np.concatenate([np.linspace(0, 708, 200_001), np.geomspace(1e-300, 1, 10_001)])
    exact = np.array([math.exp(-v) for v in t])
    relative = np.abs(block_exp(t) / exact - 1)
    assert relative.max() < 4 * ULP


def test_exp_stops_at_e_to_the_minus_708_and_never_overflows():
    e = block_exp(np.array([-800.0, 745.0, 1e308, -np.inf]))
    assert np.all(e == pytest.approx(math.exp(-708), rel=4 * ULP))


def test_log1p_within_a_few_ulp_on_zero_to_one_and_keeps_tiny_arguments():
    e = np.concatenate([np.linspace(0, 1, 100_001), np.geomspace(1e-308, 1, 10_001)])
    got = np.array([_block_math.log1p_small(v) for v in e])
    exact = np.array([math.log1p(v) for v in e])
    assert got[0] == 0.0
    assert np.max(np.abs(got[1:] / exact[1:] - 1)) < 4 * ULP
    # Either side of the switch at √2 - 1, where the two reductions meet.
    for v in np.nextafter(_block_math.SQRT2_MINUS_1, [0.0, 1.0]):
        assert _block_math.log1p_small(v) == pytest.approx(math.log1p(v), rel=2 * ULP)


@settings(deadline=None)  # the first call compiles
@given(
    st.lists(
        st.tuples(st.floats(-1e4, 1e4, allow_nan=False), st.sampled_from([0.0, 1.0])),
        min_size=1,
        max_size=300,
    )
)
def test_dz_and_loss_agree_with_the_scalar_formulas(examples):
    t = np.array([value for value, _ in examples])  # t = s·z, any value
    labels = np.array([y for _, y in examples])
    dz, loss = block_dz_and_loss(t, labels)
    for i, (value, y) in enumerate(examples):
        z = value * (1 - 2 * y)  # back from t to z
        want_dz, want_loss = _scalar.dz_and_loss(z, y)
        assert dz[i] == pytest.approx(want_dz, rel=8 * ULP, abs=1e-300)
        assert loss[i] == pytest.approx(want_loss, rel=8 * ULP, abs=1e-300)
