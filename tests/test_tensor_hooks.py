"""Tensor.register_hook, retain_grad and retains_grad, as in PyTorch: the same script run on both
libraries gives the same gradients, hook calls and flags."""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")


def _script(lib, values, log):
    x = lib.tensor(values, requires_grad=True)
    w = lib.tensor(values[::-1].copy(), requires_grad=True)
    y = x * w
    y.retain_grad()
    h = y.register_hook(lambda g: log.append(np.array(g.detach().numpy() if lib is torch else g._data)) or g * 3)
    x.register_hook(lambda g: g + 1)
    z = y.tanh()
    z.retain_grad()
    loss = (z * z).sum() + y.sum()
    loss.backward(retain_graph=True)
    first = [t.grad.detach().numpy().copy() if lib is torch else t.grad._data.copy() for t in (x, w, y, z)]
    h.remove()
    loss.backward()
    second = [t.grad.detach().numpy().copy() if lib is torch else t.grad._data.copy() for t in (x, w, y, z)]
    return first, second, (y.retains_grad, z.retains_grad, x.retains_grad)


def test_hooks_and_retained_gradients_match_torch():
    values = np.array([0.5, -1.25, 2.0, 0.1])
    ours_log, theirs_log = [], []
    ours = _script(zg, values, ours_log)
    theirs = _script(torch, values, theirs_log)
    for mine, reference in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        np.testing.assert_allclose(mine, reference, rtol=1e-12)
    assert ours[2] == theirs[2] == (True, True, False)
    assert len(ours_log) == len(theirs_log) == 1
    np.testing.assert_allclose(ours_log[0], theirs_log[0], rtol=1e-12)


def test_hooks_apply_to_autograd_grad_too():
    x = zg.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g * 0)
    (grad,) = zg.autograd.grad((x * x).sum(), [x])
    np.testing.assert_array_equal(grad._data, [0.0, 0.0])


def test_bad_hooks_are_refused():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        zg.ones(2).register_hook(lambda g: g)
    with pytest.raises(RuntimeError, match="requires_grad=False"):
        zg.ones(2).retain_grad()
    x = zg.ones(3, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g[:2])
    with pytest.raises(RuntimeError, match="gradient hook returned"):
        y.sum().backward()


def test_post_accumulate_grad_hooks_as_pytorch():
    torch = pytest.importorskip("torch")
    seen = {}
    for module in (zg, torch):
        w = module.ones(3, requires_grad=True)
        calls = []
        handle = w.register_post_accumulate_grad_hook(lambda p: calls.append(p.grad.tolist()))
        (w * 2).sum().backward()
        (w * 3).sum().backward(inputs=[w])
        handle.remove()
        (w * 4).sum().backward()
        seen[module] = (calls, w.grad.tolist())
        with pytest.raises(RuntimeError, match="non-leaf"):
            (w * 2).register_post_accumulate_grad_hook(lambda p: None)
    assert seen[zg] == seen[torch]


def test_an_optimizer_step_inside_backward():
    net = zg.nn.Linear(3, 2)
    reference = zg.nn.Linear(3, 2)
    reference.load_state_dict(net.state_dict())
    optimizers = {p: zg.optim.SGD([p], lr=0.1) for p in net.parameters()}

    def step(p):
        optimizers[p].step()
        optimizers[p].zero_grad()
    for p in net.parameters():
        p.register_post_accumulate_grad_hook(step)
    x = zg.randn(4, 3)
    net(x).pow(2).sum().backward()
    whole = zg.optim.SGD(reference.parameters(), lr=0.1)
    reference(x).pow(2).sum().backward()
    whole.step()
    for a, b in zip(net.parameters(), reference.parameters()):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)
        assert a.grad is None
