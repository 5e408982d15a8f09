"""The ReLU kernels (``kernels.relu_forward`` / ``relu_backward``): the native float32 kernel
(kernels/cpu/relu.cpp) against the NumPy reference, bit for bit, on awkward sizes, special values
(±0, ±inf, NaN, subnormals) and strided inputs, and the errors both give. zg.relu through them is
checked against PyTorch by tests/test_torch_parity.py and tests/test_special_values.py.
"""

import numpy as np
import pytest

from zengrad import kernels
from zengrad._native import native
from zengrad.ops.fused import native_impl

needs_native = pytest.mark.skipif(native_impl("relu_forward", "cpu", np.float32) is None,
                                  reason="no native ReLU kernel built")
SPECIAL = np.array([-0.0, 0.0, np.nan, -np.nan, np.inf, -np.inf, -1.5, 2.0, 1e-45, -1e-45, 3e38, -3e38],
                   np.float32)


def test_reference_matches_the_definition():
    x = np.concatenate([SPECIAL, np.random.default_rng(0).standard_normal(37)]).astype(np.float64)
    y = kernels.relu_forward(x, impl="numpy")
    np.testing.assert_array_equal(y.view(np.int64), np.where(x < 0, 0.0, x).view(np.int64))  # −0 stays −0
    dy = np.random.default_rng(1).standard_normal(x.shape)
    np.testing.assert_array_equal(kernels.relu_backward(y, dy, impl="numpy"), np.where(y <= 0, 0.0, dy))


@needs_native
@pytest.mark.parametrize("shape", [(0,), (1,), (17,), (3, 5), (2, 31, 257), (4, 0, 3)])
def test_native_equals_reference_bit_for_bit(shape):
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal(shape).astype(np.float32)
    if x.size >= SPECIAL.size:
        x.reshape(-1)[:SPECIAL.size] = SPECIAL
    dy = rng.standard_normal(shape).astype(np.float32)
    y = kernels.relu_forward(x, impl="cpu:native")
    want = kernels.relu_forward(x, impl="numpy")
    assert y.shape == shape and y.dtype == np.float32
    np.testing.assert_array_equal(y.view(np.int32), want.view(np.int32))  # −0 and NaN bits included
    dx = kernels.relu_backward(y, dy, impl="cpu:native")
    np.testing.assert_array_equal(dx.view(np.int32), kernels.relu_backward(want, dy, impl="numpy").view(np.int32))


@needs_native
def test_native_strided_inputs():
    x, dy = np.random.default_rng(2).standard_normal((2, 3, 7, 9)).astype(np.float32)
    for view in (x.T, x[:, ::2, 1:], x[::-1]):
        np.testing.assert_array_equal(kernels.relu_forward(view, impl="cpu:native"), np.maximum(view, 0))
    y = kernels.relu_forward(x, impl="cpu:native")
    np.testing.assert_array_equal(kernels.relu_backward(y.T, dy.T, impl="cpu:native"), np.where(y.T <= 0, 0, dy.T))


def test_front_end_errors_name_kernel_and_shapes():
    with pytest.raises(ValueError, match=r"relu_backward: arrays must share one shape .*y \(2, 3\), dy \(3, 2\)"):
        kernels.relu_backward(np.zeros((2, 3), np.float32), np.zeros((3, 2), np.float32))
    with pytest.raises(TypeError, match="relu_backward: all arrays must share one floating dtype"):
        kernels.relu_backward(np.zeros(3, np.float32), np.zeros(3))


@needs_native
def test_native_rejects_bad_arrays_without_crashing():
    cpu = native().cpu
    with pytest.raises(ValueError, match="cpu.relu_forward: x must be float32"):
        cpu.relu_forward(np.zeros(3))
    with pytest.raises(ValueError, match="cpu.relu_forward: x must have 1 dimensions"):
        cpu.relu_forward(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="cpu.relu_forward: x must be C-contiguous"):
        cpu.relu_forward(np.zeros(6, np.float32)[::2])
    with pytest.raises(ValueError, match=r"cpu.relu_backward: dy \(2,\) must have y's shape \(3,\)"):
        cpu.relu_backward(np.zeros(3, np.float32), np.zeros(2, np.float32))
