"""Losses (module and functional forms) against PyTorch, gradcheck, and their input checks."""

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
import zengrad.nn.functional as F
from torch_bridge import assert_close

torch = pytest.importorskip("torch")

REDUCTIONS = ["mean", "sum", "none"]


def _compare(rng, make, inputs, grad_inputs=(0,), rtol=1e-5, atol=1e-6):
    """Run ``make(lib)(*inputs)`` on both libraries; compare the loss and input gradients."""
    ours = [zg.tensor(a, requires_grad=i in grad_inputs) for i, a in enumerate(inputs)]
    theirs = [torch.tensor(a, requires_grad=i in grad_inputs) for i, a in enumerate(inputs)]
    out, expected = make(zg)(*ours), make(torch)(*theirs)
    assert_close(out, expected, rtol, atol, what="loss")
    seed = rng.standard_normal(out.shape).astype(out.dtype)
    out.backward(zg.tensor(seed))
    expected.backward(torch.tensor(seed))
    for i in grad_inputs:
        assert_close(ours[i].grad, theirs[i].grad, rtol, atol, what=f"grad of input {i}")


def _probabilities(rng, shape):
    return rng.uniform(0.02, 0.98, shape).astype(np.float32)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse(rng, reduction):
    x, y = rng.standard_normal((2, 4, 3)).astype(np.float32)
    _compare(rng, lambda lib: lib.nn.MSELoss(reduction=reduction), [x, y], grad_inputs=(0, 1))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce(rng, reduction, weighted):
    x, y = _probabilities(rng, (5, 3)), _probabilities(rng, (5, 3))
    w = rng.uniform(0.5, 2, (5, 3)).astype(np.float32)
    make = lambda lib: lambda a, b: lib.nn.BCELoss(
        weight=lib.tensor(w) if weighted else None, reduction=reduction)(a, b)
    _compare(rng, make, [x, y], grad_inputs=(0, 1))


def test_bce_clamps_log_at_saturated_probabilities(rng):
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.5], dtype=np.float32)
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0], dtype=np.float32)
    _compare(rng, lambda lib: lib.nn.BCELoss(reduction="none"), [x, y])
    assert np.isfinite(F.binary_cross_entropy(zg.tensor(x), zg.tensor(y)).item())


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("extra", ["plain", "weight", "pos_weight"])
def test_bce_with_logits(rng, reduction, extra):
    x = (rng.standard_normal((6, 3)) * 3).astype(np.float32)
    y = _probabilities(rng, (6, 3))
    w = rng.uniform(0.5, 2, (6, 3)).astype(np.float32)
    pw = rng.uniform(0.5, 3, (3,)).astype(np.float32)

    def make(lib):
        def loss(a, b):
            return lib.nn.BCEWithLogitsLoss(weight=lib.tensor(w) if extra == "weight" else None,
                                            pos_weight=lib.tensor(pw) if extra == "pos_weight" else None,
                                            reduction=reduction)(a, b)
        return loss

    _compare(rng, make, [x, y], grad_inputs=(0, 1))


def test_bce_with_logits_is_stable_for_huge_logits(rng):
    x = np.array([-200.0, -50.0, 0.0, 50.0, 200.0], dtype=np.float32)
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0], dtype=np.float32)
    _compare(rng, lambda lib: lib.nn.BCEWithLogitsLoss(reduction="none"), [x, y])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(5, 4), (3, 4, 2, 2)])
@pytest.mark.parametrize("options", ["plain", "weight", "ignore_index"])
def test_cross_entropy_and_nll(rng, reduction, shape, options):
    logits = rng.standard_normal(shape).astype(np.float32)
    target_shape = (shape[0],) + shape[2:]
    target = rng.integers(0, shape[1], target_shape)
    weight = rng.uniform(0.5, 2, shape[1]).astype(np.float32)
    if options == "ignore_index":
        target.reshape(-1)[::3] = 2
    kwargs = lambda lib: dict(weight=lib.tensor(weight) if options == "weight" else None,
                              ignore_index=2 if options == "ignore_index" else -100, reduction=reduction)
    _compare(rng, lambda lib: lambda a, t: lib.nn.CrossEntropyLoss(**kwargs(lib))(a, t), [logits, target])
    _compare(rng, lambda lib: lambda a, t: lib.nn.NLLLoss(**kwargs(lib))(a.log_softmax(1), t), [logits, target])


def test_cross_entropy_unbatched_and_probability_targets(rng):
    logits = rng.standard_normal(5).astype(np.float32)
    _compare(rng, lambda lib: lambda a, t: lib.nn.functional.cross_entropy(a, t), [logits, np.array(3)])
    logits = rng.standard_normal((4, 5)).astype(np.float32)
    probs = rng.dirichlet(np.ones(5), 4).astype(np.float32)
    for reduction in REDUCTIONS:
        _compare(rng, lambda lib: lambda a, t: lib.nn.functional.cross_entropy(a, t, reduction=reduction),
                 [logits, probs], grad_inputs=(0, 1))


def test_functional_forms_equal_modules(rng):
    x = zg.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    p = zg.tensor(_probabilities(rng, (4, 3)))
    t = zg.tensor(rng.integers(0, 3, 4))
    pairs = [(nn.MSELoss()(x, p), F.mse_loss(x, p)), (nn.BCELoss()(p, p), F.binary_cross_entropy(p, p)),
             (nn.BCEWithLogitsLoss()(x, p), F.binary_cross_entropy_with_logits(x, p)),
             (nn.CrossEntropyLoss()(x, t), F.cross_entropy(x, t)),
             (nn.NLLLoss()(x, t), F.nll_loss(x, t))]
    for module_form, functional_form in pairs:
        assert module_form.item() == functional_form.item()


def _double(rng, shape, low=None, high=None):
    data = rng.standard_normal(shape) if low is None else rng.uniform(low, high, shape)
    return zg.tensor(data, dtype=zg.float64, requires_grad=True)


def test_losses_gradcheck(rng):
    gradcheck = zg.autograd.gradcheck
    x, y = _double(rng, (3, 2)), _double(rng, (3, 2))
    assert gradcheck(lambda a, b: F.mse_loss(a, b, reduction="none"), [x, y])
    p, q = _double(rng, (3, 2), 0.1, 0.9), _double(rng, (3, 2), 0.1, 0.9)
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b, reduction="none"), [p, q])
    pw = _double(rng, (2,), 0.5, 2.0)
    assert gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction="none"), [x, q])
    assert gradcheck(lambda a, b, c: F.binary_cross_entropy_with_logits(a, b, pos_weight=c, reduction="sum"),
                     [x, q, pw])
    logits = _double(rng, (4, 3, 2))
    target = zg.tensor(rng.integers(0, 3, (4, 2)))
    weight = zg.tensor(rng.uniform(0.5, 2, 3))
    assert gradcheck(lambda a: F.cross_entropy(a, target, weight=weight), [logits])
    assert gradcheck(lambda a: F.nll_loss(a, target, ignore_index=1, reduction="none"), [logits])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_fused_losses_have_second_derivatives(rng, reduction):
    """BCE with logits and cross-entropy are single nodes whose backward is written in Tensor ops:
    their second derivatives must match finite differences of the first ones."""
    gradgradcheck = zg.autograd.gradgradcheck
    x, q, pw = _double(rng, (3, 2)), _double(rng, (3, 2), 0.1, 0.9), _double(rng, (2,), 0.5, 2.0)
    assert gradgradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction), [x, q])
    assert gradgradcheck(lambda a, b, c: F.binary_cross_entropy_with_logits(a, b, pos_weight=c, reduction=reduction),
                         [x, q, pw])
    logits = _double(rng, (5, 3, 2))
    target = zg.tensor(rng.integers(0, 3, (5, 2)))
    weight = zg.tensor(rng.uniform(0.5, 2, 3))
    assert gradgradcheck(lambda a: F.cross_entropy(a, target, weight=weight, ignore_index=1, reduction=reduction),
                         [logits])


def test_fused_cross_entropy_double_backward_matches_pytorch(rng):
    """The gradient of a gradient-norm penalty through cross-entropy, against PyTorch."""
    logits = rng.standard_normal((7, 5))
    target = rng.integers(0, 5, 7)
    ours = zg.tensor(logits, requires_grad=True)
    theirs = torch.tensor(logits, requires_grad=True)
    for lib, x in ((zg, ours), (torch, theirs)):
        loss = lib.nn.functional.cross_entropy(x, lib.tensor(target))
        (g,) = lib.autograd.grad(loss, [x], create_graph=True)
        (g * g).sum().backward()
    assert_close(ours.grad, theirs.grad, 1e-10, 1e-12, what="second derivative")


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_array_backward_matches_graph_backward_and_repeats(rng, reduction):
    """The backward on forward's saved e^{x − max} (no graph asked for) equals the Tensor-op one
    (create_graph), and running it twice (retain_graph) does not change what forward kept."""
    logits = rng.standard_normal((13, 7)) * 5
    target = rng.integers(0, 7, 13)
    target[::4] = 2
    weight = zg.tensor(rng.uniform(0.5, 2, 7))
    x = zg.tensor(logits, requires_grad=True)
    loss = F.cross_entropy(x, zg.tensor(target), weight=weight, ignore_index=2, reduction=reduction)
    seed = zg.tensor(rng.standard_normal(loss.shape))
    (graph,) = zg.autograd.grad(loss, [x], seed, create_graph=True, retain_graph=True)
    (first,) = zg.autograd.grad(loss, [x], seed, retain_graph=True)
    (second,) = zg.autograd.grad(loss, [x], seed)
    np.testing.assert_allclose(first._data, graph._data, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(second._data, first._data)


def test_loss_errors_are_clear():
    x = zg.randn(4, 3)
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="average")
    with pytest.raises(ValueError, match=r"target shape \(4,\) differs from input shape \(4, 3\)"):
        F.mse_loss(x, zg.randn(4))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(x, zg.rand(4, 3))
    with pytest.raises(IndexError, match="target 3 is out of bounds"):
        F.cross_entropy(x, zg.tensor([0, 1, 2, 3]))
    with pytest.raises(TypeError, match="integer"):
        F.nll_loss(x, zg.tensor([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match="target shape"):
        F.cross_entropy(x, zg.tensor([0, 1]))
