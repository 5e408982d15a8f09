"""The layer-norm kernels (``kernels.layer_norm_forward`` / ``layer_norm_backward``): the NumPy
reference against finite differences in float64, the native float32 kernel (kernels/cpu/
layer_norm.cpp) against the float64 reference on awkward shapes, and the errors both give.

Chain of trust: the reference's backward is checked by finite differences; the native kernel
agrees with the reference; nn.LayerNorm through the fused node agrees with PyTorch
(tests/test_torch_parity.py and tests/test_nn_layers.py, float32 and float64).
"""

import numpy as np
import pytest

from zengrad import kernels
from zengrad._native import native
from zengrad.ops.fused import native_impl

needs_native = pytest.mark.skipif(native_impl("layer_norm_forward", "cpu", np.float32) is None,
                                  reason="no native layer-norm kernel built")
SHAPES = [(1, 1), (1, 7), (3, 5), (13, 64), (2, 131), (257, 3), (0, 4)]
AFFINE = [(True, True), (True, False), (False, True), (False, False)]


def make_problem(rows, n, seed=0, offset=0.0):
    """float64 x (rows, n) of scale 3 around ``offset``, γ, β and an upstream gradient dy."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, n)) * 3 + offset
    return x, rng.standard_normal(n), rng.standard_normal(n), rng.standard_normal((rows, n))


def run(x, weight, bias, dy, eps, impl, dtype):
    cast = [None if a is None else a.astype(dtype) for a in (x, weight, bias, dy)]
    y, mean, rstd = kernels.layer_norm_forward(cast[0], cast[1], cast[2], eps, impl=impl)
    return (y, mean, rstd) + tuple(kernels.layer_norm_backward(cast[3], cast[0], mean, rstd, cast[1], impl=impl))


@pytest.mark.parametrize("has_weight,has_bias", AFFINE)
def test_reference_backward_matches_finite_differences(has_weight, has_bias):
    x, weight, bias, dy = make_problem(3, 5, seed=1)
    weight, bias = (weight if has_weight else None), (bias if has_bias else None)

    def loss(x_, w_, b_):
        return np.sum(kernels.layer_norm_forward(x_, w_, b_, 1e-5, impl="numpy")[0] * dy)

    _, _, _, dx, dweight, dbias = run(x, weight, bias, dy, 1e-5, "numpy", np.float64)
    params = {"x": (x, dx), "weight": (weight, dweight), "bias": (bias, dbias)}
    for name, (value, analytic) in params.items():
        if value is None:
            continue
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            args = {"x_": x, "w_": weight if has_weight else None, "b_": bias if has_bias else None}
            key = {"x": "x_", "weight": "w_", "bias": "b_"}[name]
            for sign in (1, -1):
                moved = value.copy()
                moved[index] += sign * 1e-6
                numeric[index] += sign * loss(**{**args, key: moved}) / 2e-6
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-7, err_msg=name)
    if not has_weight:  # ∂γ is still returned: Σ dy · x̂ for a layer without γ
        np.testing.assert_allclose(dweight, np.sum(dy * run(x, None, None, dy, 1e-5, "numpy", np.float64)[0],
                                                   axis=0))


@needs_native
@pytest.mark.parametrize("has_weight,has_bias", AFFINE)
@pytest.mark.parametrize("rows,n", SHAPES)
def test_native_matches_float64_reference(rows, n, has_weight, has_bias):
    x, weight, bias, dy = make_problem(rows, n, seed=rows * 1000 + n)
    weight, bias = (weight if has_weight else None), (bias if has_bias else None)
    want = run(x, weight, bias, dy, 1e-5, "numpy", np.float64)
    got = run(x, weight, bias, dy, 1e-5, "cpu:native", np.float32)
    names = ("y", "mean", "rstd", "dx", "dweight", "dbias")
    for name, g, w in zip(names, got, want):
        assert g.dtype == np.float32 and g.shape == w.shape, name
        scale = max(1.0, float(np.abs(w).max(initial=0.0)))
        np.testing.assert_allclose(g, w, rtol=2e-5, atol=2e-5 * scale * np.sqrt(max(rows, 1)), err_msg=name)


@needs_native
@pytest.mark.parametrize("eps", [0.0, 1e-5, 0.5])
def test_native_large_offset_and_eps(eps):
    """Rows far from zero (|μ| ≫ σ) and every eps: the double sums keep float32 accuracy."""
    x, weight, bias, dy = make_problem(17, 33, seed=3, offset=1e4)
    want = run(x.astype(np.float32).astype(np.float64), weight, bias, dy, eps, "numpy", np.float64)
    got = run(x, weight, bias, dy, eps, "cpu:native", np.float32)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-3, atol=1e-3 * max(1.0, float(np.abs(w).max())))


@needs_native
def test_native_non_contiguous_inputs():
    """Strided views (a transpose, every other column) give what their contiguous copies give."""
    x, weight, bias, dy = (a.astype(np.float32) for a in make_problem(11, 14, seed=4))
    views = (x.T.copy().T, weight[::1], bias, dy)  # x.T.copy().T: Fortran order
    strided = (x[:, ::2], weight[::2], bias[::2], dy[:, ::2])
    for arrays in (views, strided):
        want = run(*(np.ascontiguousarray(a) for a in arrays), 1e-5, "cpu:native", np.float32)
        got = run(*arrays, 1e-5, "cpu:native", np.float32)
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)


def test_front_end_errors_name_kernel_and_shapes():
    x = np.zeros((4, 6), np.float32)
    with pytest.raises(ValueError, match=r"layer_norm_forward: weight must have shape \(6,\).*x \(4, 6\)"):
        kernels.layer_norm_forward(x, np.ones(5, np.float32), None, 1e-5)
    with pytest.raises(ValueError, match=r"layer_norm_forward: x must be \(rows, n\)"):
        kernels.layer_norm_forward(np.zeros((4, 0), np.float32), None, None, 1e-5)
    with pytest.raises(TypeError, match="layer_norm_forward: all arrays must share one floating dtype"):
        kernels.layer_norm_forward(x, np.ones(6), None, 1e-5)
    with pytest.raises(ValueError, match="layer_norm_forward: eps must be >= 0"):
        kernels.layer_norm_forward(x, None, None, float("nan"))
    with pytest.raises(ValueError, match=r"layer_norm_backward: mean must have shape \(4,\)"):
        kernels.layer_norm_backward(x, x, np.zeros(3, np.float32), np.zeros(4, np.float32), None)


@needs_native
def test_native_rejects_bad_arrays_without_crashing():
    cpu = native().cpu
    x = np.zeros((4, 6), np.float32)
    with pytest.raises(ValueError, match="cpu.layer_norm_forward: x must be float32"):
        cpu.layer_norm_forward(x.astype(np.float64), None, None, 1e-5)
    with pytest.raises(ValueError, match="cpu.layer_norm_forward: x must be C-contiguous"):
        cpu.layer_norm_forward(x[:, ::2], None, None, 1e-5)
    with pytest.raises(ValueError, match=r"cpu.layer_norm_forward: bias must have shape \(6,\), got \(5,\)"):
        cpu.layer_norm_forward(x, None, np.zeros(5, np.float32), 1e-5)
    with pytest.raises(ValueError, match="cpu.layer_norm_forward: x must have at least one column"):
        cpu.layer_norm_forward(np.zeros((3, 0), np.float32), None, None, 1e-5)
    with pytest.raises(ValueError, match="cpu.layer_norm_forward: eps must be >= 0"):
        cpu.layer_norm_forward(x, None, None, -1.0)
    with pytest.raises(ValueError, match=r"cpu.layer_norm_backward: dy \(4, 5\) must have x's shape \(4, 6\)"):
        cpu.layer_norm_backward(np.zeros((4, 5), np.float32), x, np.zeros(4, np.float32),
                                np.zeros(4, np.float32), None)
    with pytest.raises(ValueError, match="cpu.layer_norm_backward: mean .* and rstd .* must have one entry"):
        cpu.layer_norm_backward(x, x, np.zeros(4, np.float32), np.zeros(2, np.float32), None)
