"""The row-softmax kernels (``kernels.softmax_forward`` / ``softmax_backward``): the NumPy
reference against float64 NumPy written out and finite differences, the native float32 kernel
(kernels/cpu/softmax.cpp) against the float64 reference on awkward shapes and special values, and
the errors both give. Attention through them is checked against PyTorch in tests/test_nn_layers.py
and tests/test_torch_parity.py.
"""

import numpy as np
import pytest

from zengrad import kernels
from zengrad._native import native
from zengrad.ops.fused import native_impl

needs_native = pytest.mark.skipif(native_impl("softmax_forward", "cpu", np.float32) is None,
                                  reason="no native softmax kernel built")
SHAPES = [(1, 1), (1, 7), (3, 5), (2, 4, 64), (13, 131), (257, 3), (0, 4), (3, 0), (17,)]


def plain_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)


def make_problem(shape, seed=0, scale=4.0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * scale
    if x.ndim >= 2 and x.shape[-1] > 1 and x.size:  # a causal-style mask on part of the rows
        x[..., 0, 1:] = -np.inf
    return x, rng.standard_normal(shape)


def test_reference_matches_plain_softmax_and_finite_differences():
    x, dy = make_problem((3, 5), seed=1)
    y = kernels.softmax_forward(x.copy(), impl="numpy")
    np.testing.assert_allclose(y, plain_softmax(x), rtol=1e-12, atol=1e-15)
    dx = kernels.softmax_backward(y, dy.copy(), impl="numpy")
    finite = np.where(np.isfinite(x))
    for i, j in zip(*finite):
        moved = [x.copy(), x.copy()]
        moved[0][i, j] += 1e-6
        moved[1][i, j] -= 1e-6
        numeric = (np.sum(plain_softmax(moved[0]) * dy) - np.sum(plain_softmax(moved[1]) * dy)) / 2e-6
        assert abs(dx[i, j] - numeric) < 1e-7, (i, j)


@needs_native
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("scale", [1.0, 30.0])
def test_native_matches_float64_reference(shape, scale):
    x, dy = make_problem(shape, seed=sum(shape) + int(scale), scale=scale)
    x32, dy32 = x.astype(np.float32), dy.astype(np.float32)
    want = plain_softmax(x32.astype(np.float64)) if x.size else x
    y = kernels.softmax_forward(x32.copy(), impl="cpu:native")
    assert y.dtype == np.float32 and y.shape == shape
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-7)
    assert np.all(y[np.isneginf(x32)] == 0)  # masked entries get exactly 0
    want_dx = kernels.softmax_backward(want, dy32.astype(np.float64), impl="numpy")
    dx = kernels.softmax_backward(y, dy32.copy(), impl="cpu:native")
    np.testing.assert_allclose(dx, want_dx, rtol=1e-4, atol=1e-6)


@needs_native
def test_native_special_values_match_reference():
    inf, nan = np.inf, np.nan
    x = np.array([[1, -inf, 2], [-inf, -inf, -inf], [nan, 1, 2], [inf, 1, 2], [-inf, 0, -inf],
                  [-200, 0, 200], [1e-40, -1e-40, 0]], np.float32)
    got = kernels.softmax_forward(x.copy(), impl="cpu:native")
    want = kernels.softmax_forward(x.astype(np.float64), impl="numpy")
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-37)  # NaN where the reference has NaN


@needs_native
def test_native_non_contiguous_inputs():
    x, dy = (a.astype(np.float32) for a in make_problem((6, 10), seed=5))
    for view in (x.T.copy().T, x[:, ::2]):
        np.testing.assert_array_equal(kernels.softmax_forward(view, impl="cpu:native"),
                                      kernels.softmax_forward(np.ascontiguousarray(view), impl="cpu:native"))
    y = kernels.softmax_forward(x[:, ::2], impl="cpu:native")
    np.testing.assert_array_equal(kernels.softmax_backward(y, dy[:, ::2], impl="cpu:native"),
                                  kernels.softmax_backward(y, np.ascontiguousarray(dy[:, ::2]), impl="cpu:native"))


def test_front_end_errors_name_kernel_and_shapes():
    with pytest.raises(ValueError, match=r"softmax_backward: arrays must share one shape .*y \(2, 3\), dy \(2, 4\)"):
        kernels.softmax_backward(np.zeros((2, 3), np.float32), np.zeros((2, 4), np.float32))
    with pytest.raises(TypeError, match="softmax_forward: all arrays must share one floating dtype"):
        kernels.softmax_forward(np.zeros((2, 3), np.int64))
    with pytest.raises(TypeError, match="softmax_forward: x must be a NumPy or CuPy array"):
        kernels.softmax_forward([1.0, 2.0])
    with pytest.raises(ValueError, match=r"softmax_forward: arrays must share one shape of rank >= 1; got x \(\)"):
        kernels.softmax_forward(np.float32(1.0) * np.ones((), np.float32))


@needs_native
def test_native_rejects_bad_arrays_without_crashing():
    cpu = native().cpu
    with pytest.raises(ValueError, match="cpu.softmax_forward: x must be float32"):
        cpu.softmax_forward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="cpu.softmax_forward: x must have 2 dimensions"):
        cpu.softmax_forward(np.zeros((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match="cpu.softmax_forward: x must be C-contiguous"):
        cpu.softmax_forward(np.zeros((2, 6), np.float32)[:, ::2])
    with pytest.raises(ValueError, match=r"cpu.softmax_backward: dy \(2, 4\) must have y's shape \(2, 3\)"):
        cpu.softmax_backward(np.zeros((2, 3), np.float32), np.zeros((2, 4), np.float32))
