"""Forward values and gradients match PyTorch (CPU) on the same inputs, in float32 and float64."""

import zlib

import numpy as np
import pytest

import zengrad as zg
from conftest import to_numpy
from op_table import CASES, draw

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_matches_torch(case, dtype, device):
    rng = np.random.default_rng(zlib.crc32(case.name.encode()))  # str hash() changes per process
    arrays = [draw(rng, shape, case.domain).astype(dtype) for shape in case.shapes]
    ours = [zg.tensor(a, device=device, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]

    out = case.fn(zg, *ours)
    expected = case.fn(torch, *theirs)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    tol["rtol"] = max(tol["rtol"], case.torch_rtol)
    assert out.shape == tuple(expected.shape)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(to_numpy(out), expected.detach().numpy(), **tol)

    seed = rng.standard_normal(out.shape).astype(dtype)
    out.backward(zg.tensor(seed, device=device))
    expected.backward(torch.tensor(seed))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(to_numpy(mine.grad), reference.grad.numpy(), **tol)


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # -inf·0 is NaN on both sides
@pytest.mark.parametrize("slope", [0.2, 0.0, -0.5, 1.0, 3.0, 5e3, 3e7, -3e7])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_leaky_relu_special_values_match_torch_exactly(slope, dtype, device):
    values = np.array([-2.0, -0.0, 0.0, 1.5, 100.0, np.nan, -np.inf, np.inf, 1e-40, -3.25], dtype=dtype)
    ours = zg.tensor(values, device=device, requires_grad=True)
    if abs(slope) > float(np.finfo(dtype).max):
        with pytest.raises(ValueError, match="leaky_relu: negative_slope must be a finite number"):
            zg.nn.functional.leaky_relu(ours, slope)
        return
    theirs = torch.tensor(values, requires_grad=True)
    out = zg.nn.functional.leaky_relu(ours, slope)
    expected = torch.nn.functional.leaky_relu(theirs, slope)
    out.sum().backward()
    expected.sum().backward()
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(np.signbit(to_numpy(out)), np.signbit(expected.detach().numpy()))
    np.testing.assert_array_equal(to_numpy(out), expected.detach().numpy())
    np.testing.assert_array_equal(to_numpy(ours.grad), theirs.grad.numpy())


@pytest.mark.parametrize("slope", [0.2, -0.5, 3.0])
def test_gradient_penalty_through_leaky_relu_matches_torch(slope, device):
    """d/dw of ‖∂L/∂x‖² with L = Σ leaky_relu(x W)²: the gradient that reaches leaky_relu depends on
    W, so its backward must keep the graph to it."""
    rng = np.random.default_rng(5)
    x_np, w_np = rng.standard_normal((4, 3)), rng.standard_normal((3, 5))
    results = []
    for lib, make in ((zg, lambda a: zg.tensor(a, device=device, requires_grad=True)),
                      (torch, lambda a: torch.tensor(a, requires_grad=True))):
        x, w = make(x_np), make(w_np)
        loss = (lib.nn.functional.leaky_relu(x @ w, slope) ** 2).sum()
        (grad_x,) = (zg.autograd.grad if lib is zg else torch.autograd.grad)(loss, [x], create_graph=True)
        (grad_x * grad_x).sum().backward()
        results.append(to_numpy(w.grad) if lib is zg else w.grad.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("x_shape", [(4, 3), (3,), (2, 1, 4, 3), (0, 3)])
@pytest.mark.parametrize("bias_shape", [(5,), (1,), (), None])
@pytest.mark.parametrize("wants", ["xwb", "w", "x"])
def test_linear_matches_torch(x_shape, bias_shape, wants, device):
    rng = np.random.default_rng(len(x_shape) + len(wants))
    arrays = [rng.standard_normal(x_shape), rng.standard_normal((5, 3))]
    if bias_shape is not None:
        arrays.append(rng.standard_normal(bias_shape))
    grads = [name in wants for name in "xwb"[:len(arrays)]]
    ours = [zg.tensor(a, device=device, requires_grad=g) for a, g in zip(arrays, grads)]
    theirs = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    out = zg.nn.functional.linear(*ours)
    expected = torch.nn.functional.linear(*theirs)
    np.testing.assert_allclose(to_numpy(out), expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    seed = rng.standard_normal(tuple(expected.shape))
    if any(grads):
        out.backward(zg.tensor(seed, device=device))
        expected.backward(torch.tensor(seed))
    for mine, reference in zip(ours, theirs):
        if reference.requires_grad:
            np.testing.assert_allclose(to_numpy(mine.grad), reference.grad.numpy(), rtol=1e-10, atol=1e-12)
        else:
            assert mine.grad is None


def test_linear_refuses_shapes_it_cannot_use():
    x = zg.randn(4, 3)
    with pytest.raises(ValueError, match=r"linear: expected a 2-D weight \(out, in\), got shape \(3,\)"):
        zg.nn.functional.linear(x, zg.randn(3))
    with pytest.raises(ValueError, match=r"linear: input of shape \(4, 3\) does not fit weight of shape \(5, 2\)"):
        zg.nn.functional.linear(x, zg.randn(5, 2))
