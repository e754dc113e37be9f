"""numba_fused's kernels read X in either layout without a copy, and agree with the reference
in every path: columns in place, rows of Fortran-ordered X, rows copied."""

import numba
import numpy as np
import pytest

import impls
from bench.reference import assert_matches_reference
from impls import numba_fused, numba_parallel

# Shapes with several blocks, a last block cut short and features not a multiple of four.
SHAPES = [(1, 1), (5, 3), (1_500, 7), (700, 2_001), (3_000, 130)]


def problem(m, n_x, dtype):
    X, Y = impls.make_problem(m, n_x, seed=m + n_x, dtype=dtype)
    w = np.random.default_rng(n_x).standard_normal(n_x).astype(dtype) * 0.3
    return X, Y, w, 0.2


def data_in(layout, X, Y):
    """The kernels' input in one of their layouts, whatever ``prepare`` would choose."""
    if layout == "columns":
        return X, Y, True
    return np.ascontiguousarray(X.T), Y, False


@pytest.mark.parametrize("backend", [numba_fused, numba_parallel])
@pytest.mark.parametrize("layout", ["columns", "rows"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("m", "n_x"), SHAPES)
def test_each_layout_agrees_with_the_reference(backend, layout, dtype, m, n_x):
    X, Y, w, b = problem(m, n_x, dtype)
    result = backend.gradient(w, b, data_in(layout, X, Y))
    rtol = 1e-9 if dtype == "float64" else 2e-4
    assert_matches_reference(result, w, b, X.astype(np.float64), Y, rtol=rtol)


def test_the_parallel_kernel_splits_examples_between_threads_and_agrees():
    X, Y, w, b = problem(3_000, 130, "float64")
    threads = numba.get_num_threads()
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    try:
        result = numba_parallel.gradient(w, b, data_in("columns", X, Y))
    finally:
        numba.set_num_threads(threads)
    assert_matches_reference(result, w, b, X, Y)


def test_fortran_ordered_x_is_read_where_it_lies():
    X, Y, _, _ = problem(200, 50, "float64")
    F = np.asfortranarray(X)
    rows, _, by_columns = numba_fused.prepare(F, Y)
    assert not by_columns
    assert np.shares_memory(rows, F)


def test_large_c_ordered_x_is_read_in_place_and_costs_no_copy():
    m = numba_fused.IN_PLACE_FROM_BYTES // (8 * 500) + 1
    X = np.zeros((500, m))
    columns, _, by_columns = numba_fused.prepare(X, np.zeros(m))
    assert by_columns
    assert np.shares_memory(columns, X)
    assert numba_fused.memory_bytes(m, 500, 8) < X.nbytes / 10


@pytest.mark.parametrize(
    ("m", "n_x", "in_place"),
    [
        (100_000, 5, True),  # few features: always columns
        (1_000, 100, True),  # up to 128 features: columns pay at every size
        (1_000, 1_000, False),  # 8 MB: the copy's long rows pay
        (2_000_000, 1_000, True),  # 16 GB: read in place
        (100_000, 2_000, False),  # many features: rows
    ],
)
def test_memory_bytes_counts_a_copy_exactly_where_prepare_makes_one(m, n_x, in_place):
    assert numba_fused.reads_in_place(m, n_x, 8) is in_place
    x_bytes = 8 * m * n_x
    assert (numba_fused.memory_bytes(m, n_x, 8) >= x_bytes) is not in_place
