"""ops.shape.scatter_add (the gradient of indexing) against np.add.at in float64.

Both of its NumPy paths are exercised: the bincount one (many values into a small array, as an
embedding's gradient) and np.add.at (few values into a large array).
"""
import numpy as np
import pytest

from zengrad.ops.shape import scatter_add

RNG = np.random.default_rng(7)


def _cases():
    rows = RNG.integers(0, 5, size=(13, 3))  # repeats: 39 indices into 5 rows
    yield "embedding rows (bincount path)", (5, 7), (rows,), RNG.standard_normal((13, 3, 7))
    yield "one index into a large array (add.at path)", (97, 11), (np.array([3, 3, 96]),), RNG.standard_normal((3, 11))
    pairs = (RNG.integers(0, 4, 31), RNG.integers(0, 3, 31))
    yield "coordinate pairs with repeats", (4, 3), pairs, RNG.standard_normal(31)
    yield "slice then array", (2, 6), (slice(None), np.array([5, 0, 5, 5])), RNG.standard_normal((2, 4))
    mask = RNG.random((3, 5)) > 0.4
    yield "boolean mask", (3, 5), (mask,), RNG.standard_normal(int(mask.sum()))
    yield "scalar broadcast into repeats", (2,), (np.array([1, 1, 0, 1]),), np.float64(0.5)
    yield "single element array", (1, 1), (np.array([0, 0]),), RNG.standard_normal((2, 1))
    yield "negative indices (bincount path)", (3, 4), (np.array([-1, 0, -1, 2, -3] * 3),), RNG.standard_normal((15, 4))
    yield "row broadcast into repeats", (3, 4), (np.array([2, 2, 0, 2] * 4),), RNG.standard_normal(4)


CASES = list(_cases())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, shape, index, values", CASES, ids=[case[0] for case in CASES])
def test_scatter_add_matches_add_at(name, shape, index, values, dtype):
    start = RNG.standard_normal(shape)
    expected = start.copy()
    np.add.at(expected, index, values)
    out = start.astype(dtype)
    scatter_add(out, index, np.asarray(values, dtype=dtype))
    assert out.dtype == dtype
    np.testing.assert_allclose(out, expected, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-6)
