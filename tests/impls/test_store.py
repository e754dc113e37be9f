"""Problems on disk (make_store, open_store) and the dask backend that steps them chunk by chunk."""

import shutil

import numpy as np
import pytest

import impls
from bench.reference import assert_matches_reference
from impls import store

pytest.importorskip("dask")
pytest.importorskip("zarr")


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    return impls.make_store(
        tmp_path_factory.mktemp("s") / "p.zarr", 10_000, 7, seed=3, chunk_m=3_000
    )


def test_a_store_is_seeded_chunk_by_chunk_and_opens_lazily(small_store, tmp_path):
    X, Y = impls.open_store(small_store)
    assert X.shape == (7, 10_000) and Y.shape == (10_000,)
    assert X.chunks == ((7,), (3_000, 3_000, 3_000, 1_000))
    again = impls.make_store(tmp_path / "again.zarr", 10_000, 7, seed=3, chunk_m=3_000)
    np.testing.assert_array_equal(np.asarray(impls.open_store(again)[0]), np.asarray(X))
    # Any chunk can be made again from (seed, index) alone.
    w_true = np.random.default_rng(3).standard_normal(7) / np.sqrt(7)
    X2, Y2 = store._chunk(3, 2, 7, 3_000, w_true, "float64")
    np.testing.assert_array_equal(X2, np.asarray(X[:, 6_000:9_000]))
    assert set(np.unique(np.asarray(Y))) == {0.0, 1.0}


def test_the_dask_backend_steps_a_store_and_agrees_with_the_reference(small_store):
    X, Y = impls.open_store(small_store)
    w = np.random.default_rng(1).standard_normal(7) * 0.5
    result = impls.gradient(w, 0.2, X, Y, backend="dask")
    assert_matches_reference(result, w, 0.2, np.asarray(X), np.asarray(Y))


def test_bad_values_in_a_store_are_found_chunk_by_chunk(tmp_path):
    import zarr

    path = impls.make_store(tmp_path / "p.zarr", 1_000, 3, chunk_m=400)
    group = zarr.open_group(path, mode="r+")
    group["X"][1, 950] = np.nan
    X, Y = impls.open_store(path)
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        impls.gradient(np.zeros(3), 0.0, X, Y, backend="dask")
    group["X"][1, 950] = 0.0
    group["Y"][10] = 2.0
    with pytest.raises(ValueError, match="Y must contain only 0 and 1; found 2.0"):
        impls.gradient(np.zeros(3), 0.0, *impls.open_store(path), backend="dask")


def test_a_missing_or_foreign_or_damaged_store_is_refused(tmp_path, small_store):
    with pytest.raises(FileNotFoundError, match="no store at"):
        impls.open_store(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="is not a store made by impls.make_store"):
        impls.open_store(tmp_path / "empty")
    damaged = tmp_path / "damaged.zarr"
    shutil.copytree(small_store, damaged)
    chunk = next(p for p in (damaged / "X").rglob("*") if p.is_file() and p.name != "zarr.json")
    chunk.unlink()
    with pytest.raises(ValueError, match="damaged store .*: X has 3 of its 4 chunks"):
        impls.open_store(damaged)


def test_mismatched_shapes_are_refused(tmp_path, small_store):
    import zarr

    path = tmp_path / "short.zarr"
    shutil.copytree(small_store, path)
    zarr.open_group(path, mode="r+").attrs["m"] = 9_999
    with pytest.raises(ValueError, match="X has shape \\(7, 10000\\) and Y \\(10000,\\), but"):
        impls.open_store(path)


def test_make_store_refuses_an_existing_path_and_a_full_disk(tmp_path, monkeypatch, small_store):
    with pytest.raises(FileExistsError, match="exists"):
        impls.make_store(small_store, 10, 2)
    monkeypatch.setattr(
        store.shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(1, 1, 1000)
    )
    with pytest.raises(OSError, match="the store needs 0.0245 GB but .* has 1e-06 GB free"):
        impls.make_store(tmp_path / "big.zarr", 1_000_000, 2)
    assert not list(tmp_path.glob("big.zarr*"))
