"""X copied to a chosen offset in a page, in its own memory order."""

import numpy as np
import pytest

import impls
from bench import placement


@pytest.mark.parametrize("offset", [0, 16, 48, 4080])
def test_placed_copies_x_to_the_offset_in_a_page_in_its_own_order(offset):
    X, _ = impls.make_problem(30, 4, seed=0)
    for array in (X, np.asfortranarray(X), np.asarray(X, dtype="float32")):
        copy = placement.placed(array, offset)
        assert placement.offset_in_page(copy) == offset
        assert np.array_equal(copy, array) and copy.dtype == array.dtype
        assert copy.flags.c_contiguous == array.flags.c_contiguous
        assert copy.flags.f_contiguous == array.flags.f_contiguous


def test_numpys_placement_maps_large_arrays_16_bytes_past_a_page_and_heaps_the_rest():
    import random

    draw = random.Random(0)
    assert placement.numpy_offset(placement.MMAP_THRESHOLD, draw) == placement.MMAP_OFFSET
    assert placement.numpy_offset(800_000_000, draw) == 16
    small = [placement.numpy_offset(8_000, draw) for _ in range(200)]
    assert all(o % 16 == 0 and 0 <= o < placement.PAGE for o in small)
    assert {o % 64 for o in small} == {0, 16, 32, 48}  # every cache-line position occurs


def test_numpy_itself_maps_a_large_new_array_16_bytes_past_a_page():
    # What the model stands for, checked against numpy in a fresh process.
    import subprocess
    import sys

    code = "import numpy as np; print(np.empty(100_000).ctypes.data % 4096)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert int(done.stdout) == placement.MMAP_OFFSET
