"""Gradient checkpointing (zengrad.utils.checkpoint): the gradients are those without it (against
the plain forward and against PyTorch's torch.utils.checkpoint), the activations inside a segment
are not kept between forward and backward, and dropout draws the same masks when recomputed."""

import gc
import weakref

import numpy as np
import pytest

import zengrad as zg
from zengrad.utils.checkpoint import CheckpointError, checkpoint, checkpoint_sequential

torch = pytest.importorskip("torch")

X = np.random.default_rng(7).standard_normal((4, 5)).astype(np.float32)


def models():
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Tanh(), torch.nn.Linear(7, 7), torch.nn.ReLU(),
                                 torch.nn.Linear(7, 3))
    ours = zg.nn.Sequential(zg.nn.Linear(5, 7), zg.nn.Tanh(), zg.nn.Linear(7, 7), zg.nn.ReLU(), zg.nn.Linear(7, 3))
    ours.load_state_dict({k: zg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def assert_same_gradients(ours, theirs):
    for (name, a), b in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-5, err_msg=name)


@pytest.mark.parametrize("use_reentrant", [True, False])
@pytest.mark.parametrize("input_requires_grad", [True, False])
def test_gradients_are_those_without_checkpointing(use_reentrant, input_requires_grad):
    ours, theirs = models()
    x, tx = zg.tensor(X, requires_grad=input_requires_grad), torch.tensor(X, requires_grad=input_requires_grad)
    y = checkpoint(ours, x, use_reentrant=use_reentrant)
    y.pow(2).sum().backward()
    theirs(tx).pow(2).sum().backward()  # the plain forward: what checkpointing must reproduce
    np.testing.assert_allclose(y.detach().numpy(), theirs(tx).detach().numpy(), atol=1e-5)
    assert_same_gradients(ours, theirs)
    if input_requires_grad:
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), atol=1e-5)


def test_autograd_grad_reaches_the_parameters_inside_and_matches_pytorch():
    ours, theirs = models()
    x, tx = zg.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    grads = zg.autograd.grad(checkpoint(ours, x, use_reentrant=False).sum(), list(ours.parameters()) + [x])
    expected = torch.autograd.grad(torch.utils.checkpoint.checkpoint(theirs, tx, use_reentrant=False).sum(),
                                   list(theirs.parameters()) + [tx])
    for a, b in zip(grads, expected):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5)
    assert all(p.grad is None for p in ours.parameters())


def test_checkpoint_sequential_matches_pytorch():
    ours, theirs = models()
    x, tx = zg.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    checkpoint_sequential(ours, 2, x, use_reentrant=False).sum().backward()
    torch.utils.checkpoint.checkpoint_sequential(theirs, 2, tx, use_reentrant=False).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), atol=1e-5)
    assert_same_gradients(ours, theirs)


def test_activations_inside_the_segment_are_not_kept():
    kept = []

    def segment(x, w):
        inner = (x * w).tanh()
        kept.append(weakref.ref(inner))
        return (inner * w).sum(dim=1)

    x, w = zg.tensor(X, requires_grad=True), zg.randn(5, requires_grad=True)
    plain = segment(x, w)
    gc.collect()
    assert kept[0]() is not None  # the plain graph holds the activation for backward
    checkpointed = checkpoint(segment, x, w, use_reentrant=False)
    gc.collect()
    assert kept[1]() is None  # the checkpointed one does not
    plain.sum().backward()
    expected = x.grad.clone(), w.grad.clone()
    x.grad = w.grad = None
    checkpointed.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), expected[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(w.grad.numpy(), expected[1].numpy(), atol=1e-6)


def test_dropout_draws_the_same_mask_when_computed_again():
    layer = zg.nn.Sequential(zg.nn.Linear(5, 9), zg.nn.Dropout(0.5), zg.nn.Linear(9, 2))
    x = zg.tensor(X, requires_grad=True)
    zg.manual_seed(11)
    checkpoint(layer, x, use_reentrant=False).sum().backward()
    checkpointed = x.grad.clone(), layer[0].weight.grad.clone()
    x.grad = None
    layer.zero_grad()
    zg.manual_seed(11)
    layer(x).sum().backward()
    np.testing.assert_allclose(checkpointed[0].numpy(), x.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(checkpointed[1].numpy(), layer[0].weight.grad.numpy(), atol=1e-6)


def test_several_outputs_keyword_arguments_and_second_derivatives():
    def f(t, k, scale=1.0):
        return t * k * scale, (t + 1).exp()

    a = zg.tensor([0.5, 1.0], requires_grad=True)
    first, second = checkpoint(f, a, 3, scale=2.0, use_reentrant=False)
    (first.sum() + second.sum()).backward()
    np.testing.assert_allclose(a.grad.numpy(), 6 + np.exp([1.5, 2.0]), rtol=1e-6)
    b = zg.tensor([1.5, -0.5], requires_grad=True)
    (g,) = zg.autograd.grad(checkpoint(lambda t: (t ** 3).sum(), b, use_reentrant=False), b, create_graph=True)
    (gg,) = zg.autograd.grad(g.sum(), b)
    np.testing.assert_allclose(g.detach().numpy(), 3 * np.array([1.5, -0.5]) ** 2, rtol=1e-6)
    np.testing.assert_allclose(gg.numpy(), 6 * np.array([1.5, -0.5]), rtol=1e-6)


def test_a_segment_that_computes_something_else_the_second_time_is_an_error():
    calls = []

    def changing(x):
        calls.append(1)
        return x * 2 if len(calls) == 1 else x.sum()

    y = checkpoint(changing, zg.ones(3, requires_grad=True), use_reentrant=False)
    with pytest.raises(CheckpointError):
        y.sum().backward()


def test_without_grad_it_is_the_plain_call():
    ours, _ = models()
    with zg.no_grad():
        y = checkpoint(ours, zg.tensor(X), use_reentrant=False)
    assert not y.requires_grad and y.grad_fn is None
