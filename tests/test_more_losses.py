"""Margin and likelihood losses against PyTorch: SoftMarginLoss, HingeEmbeddingLoss,
MultiMarginLoss, MultiLabelMarginLoss, MultiLabelSoftMarginLoss, PoissonNLLLoss, GaussianNLLLoss —
values and gradients for every reduction, unbatched inputs, weights, and the errors."""

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
from torch_bridge import assert_close

torch = pytest.importorskip("torch")


def _compare(make, inputs, constants=(), rtol=1e-5, atol=1e-6):
    """Build the loss on both sides from float64 ``inputs`` (differentiable) and ``constants``."""
    ours = [zg.tensor(a, requires_grad=True) for a in inputs]
    theirs = [torch.tensor(a, requires_grad=True) for a in inputs]
    loss = make(zg, *ours, *[zg.tensor(c) for c in constants])
    reference = make(torch, *theirs, *[torch.tensor(c) for c in constants])
    assert_close(loss, reference, rtol, atol, what="loss")
    seed = np.random.default_rng(1).standard_normal(tuple(reference.shape))
    (loss * zg.tensor(seed)).sum().backward()
    (reference * torch.tensor(seed)).sum().backward()
    for i, (mine, expected) in enumerate(zip(ours, theirs)):
        assert_close(mine.grad, expected.grad, rtol, atol, what=f"gradient {i}")


REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(4, 3), (5,), ()])
def test_soft_margin_and_hinge_embedding(rng, reduction, shape):
    x = rng.standard_normal(shape) * 3
    y = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    _compare(lambda m, a, t: m.nn.SoftMarginLoss(reduction=reduction)(a, t), [x], [y])
    _compare(lambda m, a, t: m.nn.HingeEmbeddingLoss(margin=0.7, reduction=reduction)(a, t), [x], [y])


def test_soft_margin_stays_finite_where_torch_overflows():
    x = zg.tensor([-200.0, 200.0], requires_grad=True)
    loss = nn.functional.soft_margin_loss(x, zg.ones(2), reduction="sum")
    loss.backward()
    np.testing.assert_allclose(float(loss), 200.0, rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), [-1.0, 0.0], atol=1e-30)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p, margin, weighted", [(1, 1.0, False), (2, 0.5, True), (1, 2.0, True)])
def test_multi_margin(rng, reduction, p, margin, weighted):
    x = rng.standard_normal((5, 7))
    y = rng.integers(0, 7, 5)
    weight = rng.random(7) + 0.5 if weighted else None
    _compare(lambda m, a, t: m.nn.MultiMarginLoss(p=p, margin=margin, reduction=reduction,
                                                  weight=None if weight is None else m.tensor(weight))(a, t), [x], [y])
    _compare(lambda m, a, t: m.nn.functional.multi_margin_loss(a, t, p=p, margin=margin, reduction=reduction),
             [x[0]], [y[0]])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin(rng, reduction):
    x = rng.standard_normal((4, 5))
    y = np.array([[3, 0, -1, 1, 2], [1, 1, 4, -1, 0], [-1, 2, 3, 4, 0], [0, 1, 2, 3, 4]])
    _compare(lambda m, a, t: m.nn.MultiLabelMarginLoss(reduction=reduction)(a, t), [x], [y])
    _compare(lambda m, a, t: m.nn.functional.multilabel_margin_loss(a, t, reduction=reduction), [x[0]], [y[0]])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin(rng, reduction, weighted):
    x = rng.standard_normal((4, 6)) * 4
    y = (rng.random((4, 6)) < 0.4).astype(np.float64)
    weight = rng.random(6) if weighted else None
    _compare(lambda m, a, t: m.nn.MultiLabelSoftMarginLoss(reduction=reduction,
                                                           weight=None if weight is None else m.tensor(weight))(a, t),
             [x], [y])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input, full", [(True, False), (False, False), (True, True), (False, True)])
def test_poisson_nll(rng, reduction, log_input, full):
    x = rng.standard_normal((3, 4)) if log_input else rng.random((3, 4)) * 3 + 0.1
    y = rng.poisson(2.0, (3, 4)).astype(np.float64)
    _compare(lambda m, a, t: m.nn.PoissonNLLLoss(log_input=log_input, full=full, reduction=reduction)(a, t), [x], [y])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1)])
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_nll(rng, reduction, var_shape, full):
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    var = rng.random(var_shape) + 1e-7  # some below eps: clamped, the gradient still flows
    var.reshape(-1)[0] = 1e-8
    _compare(lambda m, a, v, t: m.nn.GaussianNLLLoss(full=full, reduction=reduction)(a, t, v), [x, var], [y])
    _compare(lambda m, a, t: m.nn.functional.gaussian_nll_loss(a, t, 0.5, reduction=reduction), [x], [y])


def test_loss_errors_name_the_problem():
    F = nn.functional
    with pytest.raises(ValueError, match="incorrect size"):
        F.gaussian_nll_loss(zg.ones(3, 2), zg.ones(3, 2), zg.ones(3, 3))
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(zg.ones(3, 2), zg.ones(3, 2), -zg.ones(3, 2))
    with pytest.raises(ValueError, match="p == 1 and p == 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(IndexError, match="out of range"):
        F.multi_margin_loss(zg.ones(2, 3), zg.tensor([0, 3]))
    with pytest.raises(ValueError, match=r"target shape \(2, 2\) must match input shape \(2, 3\)"):
        F.multilabel_margin_loss(zg.ones(2, 3), zg.zeros(2, 2, dtype=zg.int64))
    with pytest.raises(ValueError, match="reduction"):
        nn.SoftMarginLoss(reduction="avg")
    with pytest.raises(ValueError, match=r"target shape \(3,\) differs"):
        F.soft_margin_loss(zg.ones(2), zg.ones(3))
