"""The sweep's stores: made once, found again, checked, measured and removed."""

import shutil

import numpy as np
import pytest

import impls
from bench.harness import stores
from bench.problem import weights

pytest.importorskip("zarr")


@pytest.fixture
def shelf(tmp_path):
    shelf = stores.Shelf(tmp_path / "stores", seed=0, dtype="float64", keep=False)
    shelf.said = []
    shelf.say = shelf.said.append
    return shelf


def test_a_store_is_made_once_and_its_answer_streamed_through_numpy(shelf):
    w, b = weights(20, 0)
    problem = shelf.get(3_000, 20, w, b)
    assert problem.make_s > 0 and problem.bytes == 8 * 3_000 * 21
    assert shelf.get(3_000, 20, w, b) is problem
    X, Y = np.asarray(problem.X), np.asarray(problem.Y)
    expected = impls.gradient(w, b, X, Y, backend="vectorized")
    np.testing.assert_allclose(problem.expected.dw, expected.dw, rtol=1e-12, atol=1e-15)
    assert problem.expected.cost == pytest.approx(expected.cost, rel=1e-12)
    assert "Making a store of 0.000504 GB" in shelf.said[0]


def test_a_store_found_is_used_and_kept_and_one_made_is_removed(shelf, tmp_path):
    w, b = weights(5, 0)
    found = impls.make_store(shelf.path(1_000, 5), 1_000, 5)
    assert shelf.get(1_000, 5, w, b).make_s is None
    made = shelf.get(2_000, 5, w, b)
    shelf.release_all()
    assert found.exists() and not made.path.exists()


def test_stores_are_kept_when_asked(shelf):
    shelf.keep = True
    made = shelf.get(1_000, 5, *weights(5, 0))
    shelf.release_all()
    assert made.path.exists()


def test_a_damaged_store_is_made_again(shelf):
    w, b = weights(5, 0)
    path = impls.make_store(shelf.path(1_000, 5), 1_000, 5)
    shutil.rmtree(path / "Y")
    problem = shelf.get(1_000, 5, w, b)
    assert problem.make_s is not None and "Removing" in shelf.said[0]


def test_a_store_that_would_not_fit_is_named_with_the_space_it_needs(shelf, monkeypatch):
    monkeypatch.setattr(shelf, "free_bytes", lambda: 10**9)
    assert shelf.missing_space(1_000, 5) is None
    reason = shelf.missing_space(1_000_000, 1_000)
    assert reason == f"the store needs 8.17 GB but {shelf.directory} has 1 GB free"


def test_the_read_rate_is_of_the_stores_own_files(shelf):
    problem = shelf.get(20_000, 50, *weights(50, 0))
    assert stores.read_Bps(problem.path) > 0


def test_a_store_chunked_otherwise_is_made_again(shelf):
    impls.make_store(shelf.path(1_000, 5), 1_000, 5, chunk_m=300)
    problem = shelf.get(1_000, 5, *weights(5, 0))
    assert problem.make_s is not None
    assert "chunks of 300 examples, not 1000" in shelf.said[0]
