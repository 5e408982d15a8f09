"""The graph walk itself: accumulation, retain_graph, no_grad, grad(), create_graph, deep graphs."""

import gc
import weakref

import numpy as np
import pytest

import zengrad as zg
from conftest import to_numpy


def test_readme_example(device):
    x = zg.randn(3, 4, requires_grad=True, device=device)
    (x @ x.T).tanh().sum().backward()
    data = to_numpy(x).astype(np.float64)
    y = np.tanh(data @ data.T)
    expected = 2 * (1 - y ** 2) @ data  # d/dx sum(tanh(x xᵀ)), the product being symmetric
    np.testing.assert_allclose(to_numpy(x.grad), expected, rtol=1e-4, atol=1e-5)


def test_gradients_accumulate_across_backward_calls(device):
    x = zg.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(to_numpy(x.grad), 2 * to_numpy(x) + 3)


def test_shared_subexpression_sums_both_paths(device):
    x = zg.tensor([0.5, -1.5], device=device, requires_grad=True)
    y = x.exp()
    (y * y + y).sum().backward()
    e = np.exp(to_numpy(x))
    np.testing.assert_allclose(to_numpy(x.grad), 2 * e * e + e, rtol=1e-6)


@pytest.mark.parametrize("layouts", ["TTT", "TCT", "CTC"])
def test_gradient_sums_mix_transposed_and_contiguous_contributions(device, layouts):
    """A weight used as w.mT (gradient arrives transposed) and as w (contiguous), in any order."""
    rng = np.random.default_rng(len(layouts) + layouts.count("T"))
    w_np = rng.standard_normal((7, 5))
    xs = [rng.standard_normal((3, 5 if use == "T" else 7)) for use in layouts]
    w = zg.tensor(w_np, device=device, requires_grad=True)
    loss = 0
    for use, x in zip(layouts, xs):
        product = zg.tensor(x, device=device) @ (w.mT if use == "T" else w)
        loss = loss + (product * product).sum()
    loss.backward()
    expected = np.zeros_like(w_np)
    for use, x in zip(layouts, xs):
        if use == "T":
            expected += (2 * x.T @ (x @ w_np.T)).T
        else:
            expected += 2 * x.T @ (x @ w_np)
    np.testing.assert_allclose(to_numpy(w.grad), expected, rtol=1e-10)


@pytest.mark.parametrize("shape_a,shape_b", [((2, 3, 0), (0, 5)), ((2, 3, 4), (4, 0)), ((2, 0, 4), (4, 5))])
def test_batched_matmul_with_an_empty_dimension_backpropagates(device, shape_a, shape_b):
    rng = np.random.default_rng(0)
    a_np, b_np = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    a = zg.tensor(a_np, device=device, requires_grad=True)
    b = zg.tensor(b_np, device=device, requires_grad=True)
    out = a @ b
    seed = rng.standard_normal(out.shape)
    (out * zg.tensor(seed, device=device)).sum().backward()
    np.testing.assert_allclose(to_numpy(out), a_np @ b_np)
    np.testing.assert_allclose(to_numpy(a.grad), seed @ b_np.T)
    np.testing.assert_allclose(to_numpy(b.grad), np.einsum("bik,bij->kj", a_np, seed))


def test_backward_twice_without_retain_graph_is_a_clear_error(device):
    x = zg.randn(4, requires_grad=True, device=device)
    loss = (x.tanh() * 2).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


def test_retain_graph_allows_a_second_backward(device):
    x = zg.randn(4, requires_grad=True, device=device)
    loss = x.sigmoid().sum()
    loss.backward(retain_graph=True)
    first = to_numpy(x.grad).copy()
    loss.backward()
    np.testing.assert_allclose(to_numpy(x.grad), 2 * first, rtol=1e-6)


def test_backward_frees_saved_arrays(device):
    x = zg.randn(100, requires_grad=True, device=device)
    y = x.exp()
    node = weakref.ref(y.grad_fn)
    y.sum().backward()
    assert node() is None or node().released


def test_non_scalar_backward_needs_a_gradient(device):
    x = zg.randn(3, requires_grad=True, device=device)
    with pytest.raises(RuntimeError, match="scalar outputs"):
        (x * 2).backward()
    with pytest.raises(ValueError, match=r"grad_output\[0\] has a shape of \(2,\) and output\[0\] has a shape of "
                                         r"\(3,\)"):
        (x * 2).backward(zg.ones(2, device=device))


def test_no_grad_records_nothing(device):
    x = zg.randn(3, requires_grad=True, device=device)
    with zg.no_grad():
        y = x * 2
        with zg.enable_grad():
            z = x * 3
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None


def test_detach_cuts_the_graph(device):
    x = zg.randn(3, requires_grad=True, device=device)
    y = (x.detach() * x).sum()
    y.backward()
    np.testing.assert_allclose(to_numpy(x.grad), to_numpy(x))


def test_grad_returns_gradients_without_touching_dot_grad(device):
    x = zg.randn(3, requires_grad=True, device=device)
    w = zg.randn(3, requires_grad=True, device=device)
    hidden = x * w
    (gx, gh) = zg.autograd.grad((hidden * hidden).sum(), [x, hidden])
    np.testing.assert_allclose(to_numpy(gh), 2 * to_numpy(hidden), rtol=1e-6)
    np.testing.assert_allclose(to_numpy(gx), 2 * to_numpy(hidden) * to_numpy(w), rtol=1e-6)
    assert x.grad is None and w.grad is None


def test_grad_of_unused_input(device):
    x = zg.randn(3, requires_grad=True, device=device)
    unused = zg.randn(3, requires_grad=True, device=device)
    with pytest.raises(RuntimeError, match="not used"):
        zg.autograd.grad(x.sum(), [x, unused])
    gx, gu = zg.autograd.grad(x.sum(), [x, unused], allow_unused=True)
    assert gu is None and np.all(to_numpy(gx) == 1)


def test_create_graph_gives_second_and_third_derivatives(device):
    x = zg.tensor([0.3, -1.2, 2.0], dtype=zg.float64, device=device, requires_grad=True)
    y = (x ** 4).sum()
    (g1,) = zg.autograd.grad(y, x, create_graph=True)
    (g2,) = zg.autograd.grad(g1.sum(), x, create_graph=True)
    (g3,) = zg.autograd.grad(g2.sum(), x)
    v = to_numpy(x)
    np.testing.assert_allclose(to_numpy(g1), 4 * v ** 3)
    np.testing.assert_allclose(to_numpy(g2), 12 * v ** 2)
    np.testing.assert_allclose(to_numpy(g3), 24 * v)


def test_backward_with_create_graph_keeps_grad_differentiable(device):
    x = zg.tensor([1.5, -0.5], dtype=zg.float64, device=device, requires_grad=True)
    x.tanh().sum().backward(create_graph=True)
    penalty = (x.grad ** 2).sum()
    (gp,) = zg.autograd.grad(penalty, x)
    t = np.tanh(to_numpy(x))
    d1 = 1 - t ** 2
    np.testing.assert_allclose(to_numpy(gp), 2 * d1 * (-2 * t * d1), rtol=1e-10)


def test_deep_chain_backpropagates_without_recursion(device):
    steps = 20_000
    x = zg.tensor([0.5], dtype=zg.float64, device=device, requires_grad=True)
    h = x
    for _ in range(steps):
        h = h * 0.9999 + 0.0001
    h.sum().backward()
    np.testing.assert_allclose(to_numpy(x.grad), [0.9999 ** steps], rtol=1e-9)
    del h
    gc.collect()


def test_deep_graph_is_freed_without_crashing():
    h = zg.randn(2, requires_grad=True)
    for _ in range(200_000):
        h = h + 1
    del h  # deallocation of a 200k-deep chain must not overflow the C stack
    gc.collect()


def test_leaf_checks():
    with pytest.raises(RuntimeError, match="floating point"):
        zg.tensor([1, 2, 3], requires_grad=True)
    x = zg.randn(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    with pytest.raises(RuntimeError, match="does not require grad"):
        zg.randn(2).sum().backward()


def test_dtype_default_and_float64_path():
    assert zg.tensor([1.0, 2.0]).dtype == zg.float32
    assert zg.tensor([1, 2]).dtype == zg.int64
    assert zg.randn(2, 2).dtype == zg.float32
    x = zg.randn(2, 3, dtype=zg.float64, requires_grad=True)
    y = (x @ x.T).exp().sum()
    assert y.dtype == zg.float64
    y.backward()
    assert x.grad.dtype == zg.float64


def test_python_scalars_do_not_promote():
    x = zg.randn(3)
    assert (x * 2.5).dtype == zg.float32
    assert (1 / (x + 1e-3)).dtype == zg.float32
    assert (x * np.float64(2)).dtype == zg.float32


def test_to_dtype_is_differentiable():
    x = zg.randn(3, requires_grad=True)
    x.double().sum().backward()
    assert x.grad.dtype == zg.float32
    np.testing.assert_array_equal(x.grad.numpy(), np.ones(3, np.float32))


def test_manual_seed_repeats_draws():
    zg.manual_seed(7)
    a = zg.randn(5).numpy().copy()
    zg.manual_seed(7)
    np.testing.assert_array_equal(a, zg.randn(5).numpy())
