"""The Backend contract: every registered backend keeps it, and a new one needs nothing else."""

import gc

import numpy as np
import pytest

import impls
from bench.reference import assert_matches_reference
from impls import Backend

from .test_backends import random_params


@pytest.mark.parametrize("name", list(impls.BACKENDS))
def test_every_registered_backend_keeps_the_contract(name):
    backend = impls.BACKENDS[name]
    assert isinstance(backend, Backend) and backend.name == name
    X, Y = impls.make_problem(37, 5, seed=2)
    w, b = random_params(5)
    data = backend.prepare(X, Y)
    result = backend.gradient(w, b, data)
    assert isinstance(result, impls.Gradient)
    assert result.dw.shape == (5,) and isinstance(result.db, float)
    assert_matches_reference(result, w, b, X, Y)
    # Repeated steps on the same prepared data do identical work with identical answers.
    again = backend.gradient(w, b, data)
    np.testing.assert_array_equal(again.dw, result.dw)
    sizes = [backend.memory_bytes(m, n_x, 8) for m, n_x in ((10, 10), (100, 10), (100, 100))]
    assert all(isinstance(s, int) and s >= 0 for s in sizes) and sizes == sorted(sizes)


def test_registry_lists_the_backends_in_course_order():
    assert list(impls.BACKENDS)[:3] == ["two_loop", "one_loop", "vectorized"]


def test_backend_modules_say_why_they_are_as_fast_as_they_are():
    for name in ("two_loop", "one_loop", "vectorized", "numba_loops", "numba_fused"):
        module = __import__(f"impls.{name}", fromlist=["BACKEND"])
        assert len(module.__doc__.splitlines()) > 3, f"impls/{name}.py needs its docstring"
        assert module.BACKEND in impls.BACKENDS.values()


def as_given(X, Y):
    return X, Y


def vectorized_step(w, b, data):
    X, Y = data
    return impls.BACKENDS["vectorized"].gradient(w, b, (X, Y))


def test_a_backend_defined_outside_impls_is_registered_and_used():
    mine = Backend(
        "outside", as_given, vectorized_step, impls.copy_of_x, 2, "vectorized, from a test"
    )
    try:
        assert impls.register(mine) is mine
        X, Y = impls.make_problem(20, 3)
        w, b = random_params(3)
        assert_matches_reference(impls.gradient(w, b, X, Y, backend="outside"), w, b, X, Y)
        with pytest.raises(ValueError, match="a backend named 'outside' is already registered"):
            impls.register(mine)
    finally:
        impls.BACKENDS.pop("outside", None)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(name="has space"), "name must be an identifier"),
        (dict(prepare=None), "prepare must be callable"),
        (dict(memory_bytes=8), "memory_bytes must be callable"),
        (dict(passes_over_x=0), "passes_over_x must be an int ≥ 1; got 0"),
        (dict(passes_over_x=1.5), "passes_over_x must be an int ≥ 1"),
        (dict(description=""), "description must be a non-empty line"),
        (dict(description="two\nlines"), "description must be one line"),
    ],
)
def test_a_backend_that_breaks_the_contract_is_refused_with_the_reason(changes, message):
    fields = dict(
        name="fine",
        prepare=as_given,
        gradient=vectorized_step,
        memory_bytes=impls.copy_of_x,
        passes_over_x=1,
        description="one line",
    )
    with pytest.raises(ValueError, match=message):
        Backend(**(fields | changes))


def test_register_takes_only_backend_records():
    with pytest.raises(TypeError, match="register takes an impls.Backend; got module"):
        impls.register(impls.vectorized)


def test_an_optional_backend_whose_package_is_missing_is_left_out_with_the_reason(monkeypatch):
    monkeypatch.setattr(impls, "BACKENDS", dict(impls.BACKENDS))
    monkeypatch.setattr(impls, "UNAVAILABLE", {})
    impls.BACKENDS.pop("jax", None)
    impls.BACKENDS.pop("dask", None)
    monkeypatch.setattr(impls.importlib.util, "find_spec", lambda name: None)
    impls._register_optional()
    assert "jax" not in impls.BACKENDS and "dask" not in impls.BACKENDS
    assert impls.UNAVAILABLE == {
        "jax_xla": "jax is not installed (pip install 'lr-vectorization-bench[jax]')",
        "dask_chunks": "dask is not installed (pip install 'lr-vectorization-bench[dask]')",
    }


# 40 MB of X: every copy of it is a fresh mapping (above glibc's largest mmap threshold, 32 MiB),
# so the resident peak shows it and an allocator's reuse cannot hide it.
MEMORY_M, MEMORY_NX = 100_000, 50
# Temporaries of m or n_x elements and the interpreter's own churn.
MEMORY_SLACK = 24 * 2**20


@pytest.mark.parametrize("name", list(impls.BACKENDS))
def test_memory_bytes_covers_what_prepare_and_a_step_really_hold(name):
    from bench.machine import peak_rss_bytes, reset_peak_rss

    backend = impls.BACKENDS[name]
    X, Y = impls.make_problem(MEMORY_M, MEMORY_NX, seed=1)
    w, b = random_params(MEMORY_NX)
    tiny = impls.make_problem(40, MEMORY_NX, seed=1)
    backend.gradient(w, b, backend.prepare(*tiny))  # compiles (numba), outside the measurement
    gc.collect()
    reset_peak_rss()
    before = peak_rss_bytes()
    backend.gradient(w, b, backend.prepare(X, Y))
    grown = peak_rss_bytes() - before
    promised = backend.memory_bytes(MEMORY_M, MEMORY_NX, X.itemsize)
    assert grown <= promised + MEMORY_SLACK, (
        f"{name} held {grown / 1e6:.0f} MB beyond X and Y; memory_bytes says {promised / 1e6:.0f}"
    )
