"""The compiled loops' vectorizable exp and log1p against the math library, over all they see."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impls import _block_math, _scalar

KERNELS = {"float64": _block_math.FLOAT64, "float32": _block_math.FLOAT32}
# A few units in the last place of each type (float32 holds about 7 digits).
TOLERANCE = {name: 4 * float(np.finfo(name).eps) for name in ("float64", "float32")}
# Below e^LOWEST every exponential is held at e^LOWEST, about the smallest subnormal (see the
# module's docstring); below the smallest normal, exponentials are subnormal.
LOWEST = {"float64": 745.0, "float32": 103.0}


def block_exp(t: np.ndarray) -> np.ndarray:
    n = len(t)
    e = np.empty_like(t)
    KERNELS[t.dtype.name].exp_of_minus_abs(t, n, np.empty_like(t), np.empty_like(t), e)
    return e


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_exp_within_a_few_ulp_over_its_whole_range(dtype):
    t = np.concatenate(
        [np.linspace(0, LOWEST[dtype], 200_001), np.geomspace(1e-30, 1, 10_001)]
    ).astype(dtype)
    exact = np.array([math.exp(-float(v)) for v in t])
    got = block_exp(t).astype(float)
    normal = exact >= np.finfo(dtype).tiny
    assert np.abs(got[normal] / exact[normal] - 1).max() < TOLERANCE[dtype]
    # A subnormal has a fixed absolute precision: one rounding to it.
    smallest = float(np.finfo(dtype).smallest_subnormal)
    assert (~normal).sum() > 1000 and np.abs(got[~normal] - exact[~normal]).max() <= smallest


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_exp_stops_at_its_lowest_exponent_and_never_overflows(dtype):
    e = block_exp(np.array([-1e4, 1e4, np.finfo(dtype).max, -np.inf], dtype)).astype(float)
    smallest = float(np.finfo(dtype).smallest_subnormal)
    assert np.all(np.abs(e - math.exp(-LOWEST[dtype])) <= smallest)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_log1p_within_a_few_ulp_on_zero_to_one_and_keeps_tiny_arguments(dtype):
    tiny = np.finfo(dtype).tiny
    e = np.concatenate([np.linspace(0, 1, 20_001), np.geomspace(tiny, 1, 2_001)]).astype(dtype)
    log1p = KERNELS[dtype].log1p_small
    got = np.array([log1p(v) for v in e])
    exact = np.array([math.log1p(float(v)) for v in e])
    assert got[0] == 0.0
    assert np.max(np.abs(got[1:] / exact[1:] - 1)) < TOLERANCE[dtype]
    # Either side of the switch at √2 - 1, where the two reductions meet.
    for v in np.nextafter(np.array(_block_math.SQRT2_MINUS_1, dtype), np.array([0, 1], dtype)):
        assert log1p(v) == pytest.approx(math.log1p(float(v)), rel=TOLERANCE[dtype])


@settings(deadline=None)  # the first call compiles
@given(
    st.lists(
        st.tuples(st.floats(-1e4, 1e4, allow_nan=False), st.sampled_from([0.0, 1.0])),
        min_size=1,
        max_size=300,
    ),
    st.sampled_from(["float64", "float32"]),
)
def test_dz_and_loss_agree_with_the_scalar_formulas(examples, dtype):
    t = np.array([value for value, _ in examples], dtype)  # t = s·z, any value
    labels = np.array([y for _, y in examples], dtype)
    n = len(t)
    dz, loss = np.empty(n, dtype), np.empty(n, dtype)
    scratch = (np.empty(n, dtype), np.empty(n, dtype))
    _block_math.dz_and_loss(t, labels, 0, n, *scratch, dz, loss)
    for i, (_, y) in enumerate(examples):
        z = float(t[i]) * (1 - 2 * y)  # back from t to z
        want_dz, want_loss = _scalar.dz_and_loss(z, y)
        # Below e^-LOWEST an exponential is held there: an absolute error of that size.
        floor = 2 * math.exp(-LOWEST[dtype])
        assert dz[i] == pytest.approx(want_dz, rel=2 * TOLERANCE[dtype], abs=floor)
        assert loss[i] == pytest.approx(want_loss, rel=2 * TOLERANCE[dtype], abs=floor)
