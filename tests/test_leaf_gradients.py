"""A leaf's .grad after backward is a tensor of its own, as in PyTorch: it can be changed in place
(gradient clipping, loss-scale unscaling, ``p.grad.zero_()``) without touching the caller's seed,
another leaf's gradient, or failing on a read-only broadcast."""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")

CASES = {
    "sum of a leaf (a broadcast gradient)": lambda m, x, y: x.sum(),
    "mean of a sum (the same gradient to both leaves)": lambda m, x, y: (x + y).mean(),
    "a reshape of a leaf": lambda m, x, y: (x.reshape(3, 2) * 1).sum() + y.sum(),
    "a leaf used twice": lambda m, x, y: (x + x + y).sum(),
}


@pytest.mark.parametrize("name", CASES)
def test_gradients_can_be_changed_in_place_independently(name):
    grads = {}
    for m in (zg, torch):
        x = m.tensor(np.arange(6.0, dtype=np.float32), requires_grad=True)
        y = m.tensor(np.ones(6, np.float32), requires_grad=True)
        CASES[name](m, x, y).backward()
        x.grad.mul_(3.0)  # must not change y.grad
        if y.grad is not None:
            y.grad.clamp_(max=0.1)
        grads[m] = (x.grad.numpy().copy(), y.grad.numpy().copy() if y.grad is not None else None)
    np.testing.assert_allclose(grads[zg][0], grads[torch][0])
    if grads[torch][1] is not None:
        np.testing.assert_allclose(grads[zg][1], grads[torch][1])


@pytest.mark.parametrize("inputs", [None, "both"])
def test_the_callers_seed_is_not_the_leafs_gradient(inputs):
    x, y = zg.ones(3, requires_grad=True), zg.ones(3, requires_grad=True)
    seed = zg.tensor([1.0, 2.0, 3.0])
    (x + y).backward(seed, inputs=None if inputs is None else [x, y])
    x.grad.zero_()
    assert seed.tolist() == [1.0, 2.0, 3.0] and y.grad.tolist() == [1.0, 2.0, 3.0]


def test_a_gradient_kept_across_backward_calls_accumulates_into_its_own_memory():
    w = zg.ones(4, requires_grad=True)
    w.sum().backward()
    first = w.grad
    w.sum().backward()
    assert w.grad.tolist() == [2.0] * 4
    w.grad.zero_()
    assert w.grad.tolist() == [0.0] * 4 and first is not None
