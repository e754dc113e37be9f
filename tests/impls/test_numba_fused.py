"""numba_fused's kernels agree with the reference in every plan (both layouts, both dtypes,
block and group remainders), and ``prepare`` reads X where it lies unless a plan copies it."""

import numba
import numpy as np
import pytest

import impls
from bench.reference import assert_matches_reference
from impls import _plans, numba_fused, numba_parallel
from impls.numba_fused import CANDIDATES, COLUMNS, ROWS, Plan

# Shapes with several blocks, a last block cut short, groups of 4 and 8 cut short, and
# features not a multiple of four.
SHAPES = [(1, 1), (5, 3), (13, 21), (1_500, 7), (700, 2_001), (3_000, 130)]


def problem(m, n_x, dtype):
    X, Y = impls.make_problem(m, n_x, seed=m + n_x, dtype=dtype)
    w = np.random.default_rng(n_x).standard_normal(n_x).astype(dtype) * 0.3
    return X, Y, w, 0.2


def in_layout(plan: Plan, X):
    """X as the plan reads it where it lies: C order for columns, Fortran order for rows."""
    return X if plan.layout == COLUMNS else np.asfortranarray(X)


def laid_out(plan: Plan, X, Y):
    """The kernels' input in the plan, whether or not ``prepare`` would offer it for X."""
    data = X if plan.layout == COLUMNS else np.ascontiguousarray(X.T)
    blocks = numba_fused.blocks_of(plan, X.itemsize, X.shape[0])
    return numba_fused.Prepared(data, Y, blocks, _plans.PlanChoice(str(plan), "test", 0.0, {}))


@pytest.mark.parametrize("backend", [numba_fused, numba_parallel])
@pytest.mark.parametrize("plan", CANDIDATES, ids=str)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("m", "n_x"), SHAPES)
def test_every_plan_agrees_with_the_reference(backend, plan, dtype, m, n_x):
    X, Y, w, b = problem(m, n_x, dtype)
    result = backend.gradient(w, b, laid_out(plan, X, Y))
    rtol = 1e-9 if dtype == "float64" else 2e-4
    assert_matches_reference(result, w, b, X.astype(np.float64), Y, rtol=rtol)


def test_the_parallel_kernel_splits_examples_between_threads_and_agrees():
    X, Y, w, b = problem(3_000, 130, "float64")
    threads = numba.get_num_threads()
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    try:
        for plan in CANDIDATES:
            data = numba_fused.prepare_with(in_layout(plan, X), Y, str(plan))
            assert data.blocks.by_columns is (plan.layout == COLUMNS)
            assert_matches_reference(numba_parallel.gradient(w, b, data), w, b, X, Y)
    finally:
        numba.set_num_threads(threads)


def test_fortran_ordered_x_is_read_where_it_lies_and_only_as_rows():
    X, Y, _, _ = problem(200, 50, "float64")
    F = np.asfortranarray(X)
    assert {Plan.parse(name).layout for name in numba_fused.plan_names(F)} == {ROWS}
    data = numba_fused.prepare(F, Y)
    assert not data.blocks.by_columns
    assert np.shares_memory(data.X, F)


@pytest.mark.parametrize(
    ("m", "n_x", "copy"),
    [
        (100_000, 5, False),  # few features: columns only, never a copy
        (1_000, 100, True),  # a small X: rows copied are a candidate
        (100_000, 1_000, True),  # 800 MB, a third of the memory of a machine of 2.4 GB
        (100_000, 2_000, True),  # many features: rows at any size
    ],
)
def test_memory_bytes_counts_a_copy_exactly_where_a_plan_may_make_one(m, n_x, copy):
    assert numba_fused.copy_allowed(m, n_x, 8) is copy
    names = numba_fused.plan_names(np.empty((n_x, 1)))  # the layouts do not depend on m here
    assert any(Plan.parse(name).layout == COLUMNS for name in names)
    x_bytes = 8 * m * n_x
    assert (numba_fused.memory_bytes(m, n_x, 8) >= x_bytes) is copy


def test_a_copy_larger_than_its_share_of_memory_is_no_candidate(monkeypatch):
    monkeypatch.setattr(numba_fused, "total_memory_bytes", lambda: 8 * 2**30)
    assert numba_fused.copy_allowed(100_000, 1_000, 8)  # 0.8 GB of 8 GiB
    assert not numba_fused.copy_allowed(1_000_000, 1_000, 8)  # 8 GB: read in place
    assert numba_fused.copy_allowed(1_000_000, 2_000, 8)  # too many features to read in place
    X = np.empty((1_000, 1_000_000))
    assert {Plan.parse(name).layout for name in numba_fused.plan_names(X)} == {COLUMNS}
    assert numba_fused.memory_bytes(1_000_000, 1_000, 8) < X.nbytes / 100


def test_prepare_uses_a_forced_plan_and_reads_columns_in_place(monkeypatch):
    X, Y, _, _ = problem(500, 40, "float64")
    monkeypatch.setenv(_plans.PLAN_ENV, "columns-256k-g4")
    data = numba_fused.prepare(X, Y)
    assert data.choice.plan == "columns-256k-g4"
    assert data.choice.source == _plans.FORCED
    assert np.shares_memory(data.X, X)
    monkeypatch.setenv(_plans.PLAN_ENV, "rows-32k-g8")
    data = numba_fused.prepare(X, Y)
    assert data.blocks == numba_fused.Blocks(False, 32 * 1024 // (8 * 40), 8)
    assert not np.shares_memory(data.X, X)


def test_blocks_follow_the_plan_within_the_scratch_limit():
    assert numba_fused.blocks_of(Plan(ROWS, 32 * 1024, 8), 8, 1_000) == (False, 8, 8)
    assert numba_fused.blocks_of(Plan(ROWS, 256 * 1024, 4), 8, 1_000) == (False, 32, 4)
    assert numba_fused.blocks_of(Plan(COLUMNS, 1024 * 1024, 4), 8, 1_000) == (True, 131, 4)
    assert numba_fused.blocks_of(Plan(COLUMNS, 256 * 1024, 4), 8, 10_000) == (True, 128, 4)
    assert numba_fused.blocks_of(Plan(COLUMNS, 1024 * 1024, 4), 4, 10) == (True, 2048, 4)


def test_an_unknown_plan_is_named_with_the_candidates():
    with pytest.raises(ValueError, match="no plan 'rows-3k-g4'; the plans: columns-256k-g4"):
        Plan.parse("rows-3k-g4")
    X, Y, _, _ = problem(50, 3, "float64")
    with pytest.raises(ValueError, match="not a candidate"):
        numba_fused.prepare_with(X, Y, "rows-32k-g4")  # 3 features: columns only
