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
