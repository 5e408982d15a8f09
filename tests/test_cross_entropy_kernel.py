"""Cross-entropy's forward kernel (``kernels.cross_entropy_forward``): the NumPy reference against
float64 NumPy written out, the native float32 kernel (kernels/cpu/cross_entropy.cpp) against the
float64 reference on awkward shapes (rows shorter than, equal to and longer than its sixteen
lanes, with and without a remainder) and special values, and the errors. The loss through it is
checked against PyTorch in tests/test_torch_parity.py and tests/test_special_values.py.
"""

import numpy as np
import pytest

from zengrad import kernels
from zengrad.ops.fused import native_impl

needs_native = pytest.mark.skipif(native_impl("cross_entropy_forward", "cpu", np.float32) is None,
                                  reason="no native cross-entropy kernel built")
SHAPES = [(1, 1), (3, 5), (4, 16), (5, 17), (13, 131), (257, 3), (64, 100), (0, 4)]


def problem(shape, seed=0, scale=4.0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape) * scale, rng.integers(0, shape[1], shape[0])


def test_reference_matches_plain_formula():
    x, target = problem((6, 9), seed=1)
    e, sums, losses = kernels.cross_entropy_forward(x.copy(), target, impl="numpy")
    top = x.max(axis=1, keepdims=True)
    np.testing.assert_allclose(e, np.exp(x - top), rtol=1e-14)
    np.testing.assert_allclose(sums, np.exp(x - top).sum(axis=1), rtol=1e-14)
    log_softmax = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(losses, -log_softmax[np.arange(6), target], rtol=1e-12)


@needs_native
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("scale", [1.0, 60.0])
def test_native_matches_float64_reference(shape, scale):
    x, target = problem(shape, seed=sum(shape) + int(scale), scale=scale)
    x32 = x.astype(np.float32)
    if shape[0] > 1 and shape[1] > 1:
        x32[0, 1:] = -np.inf  # a row with one finite logit: masked classes get exactly 0
    want = kernels.cross_entropy_forward(x32.astype(np.float64), target, impl="numpy")
    got = kernels.cross_entropy_forward(x32, target.astype(np.int32), impl="cpu:native")
    assert all(a.dtype == np.float32 for a in got)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert np.all(got[0][np.isneginf(x32)] == 0)


@needs_native
def test_native_special_rows_give_nan_as_the_reference():
    x = np.array([[0.0, np.nan, 1.0], [np.inf, 0.0, 1.0], [-np.inf, -np.inf, -np.inf], [1.0, 2.0, 3.0]],
                 dtype=np.float32)
    target = np.array([0, 1, 2, 2])
    got = kernels.cross_entropy_forward(x, target, impl="cpu:native")
    with np.errstate(invalid="ignore"):
        want = kernels.cross_entropy_forward(x.copy(), target, impl="numpy")
    np.testing.assert_array_equal(np.isnan(got[2]), np.isnan(want[2]))
    np.testing.assert_array_equal(np.isnan(got[1]), np.isnan(want[1]))
    assert np.isnan(got[2][:3]).all() and np.isfinite(got[2][3])


@pytest.mark.parametrize("impl", ["numpy", "cpu:native"])
def test_errors(impl):
    if impl != "numpy" and native_impl("cross_entropy_forward", "cpu", np.float32) is None:
        pytest.skip("no native cross-entropy kernel built")
    x = np.zeros((3, 4), dtype=np.float32)
    with pytest.raises(ValueError, match=r"integer array of shape \(3,\)"):
        kernels.cross_entropy_forward(x, np.zeros(2, dtype=np.int64), impl=impl)
    with pytest.raises(ValueError, match=r"integer array"):
        kernels.cross_entropy_forward(x, np.zeros(3), impl=impl)
    if impl != "numpy":
        with pytest.raises(ValueError, match="out of range for 4 classes"):
            kernels.cross_entropy_forward(x, np.array([0, 4, 1]), impl=impl)
