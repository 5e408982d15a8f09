"""In-place changes to a tensor that a backward needs are detected, as in PyTorch (version counters)."""

import numpy as np
import pytest

import zengrad as zg
from zengrad import nn
from zengrad.autograd import increment_version


def _gan_pair(rng):
    zg.manual_seed(int(rng.integers(1 << 30)))
    generator, discriminator = nn.Linear(2, 3), nn.Linear(3, 1)
    return generator, discriminator, zg.tensor(rng.standard_normal((5, 2)).astype(np.float32))


def test_stepping_an_optimizer_before_the_backward_that_needs_its_weights_raises(rng):
    """The classic GAN mistake: step D's optimizer, then backward the generator's loss through D."""
    generator, discriminator, z = _gan_pair(rng)
    opt_d = zg.optim.SGD(discriminator.parameters(), lr=0.5)
    fake = generator(z)
    g_loss = discriminator(fake).sum()
    d_loss = discriminator(fake.detach()).sum()
    d_loss.backward()
    opt_d.step()
    with pytest.raises(RuntimeError, match=r"AddmmBackward0: .*modified by an inplace operation.*shape \(1, 3\)"):
        g_loss.backward()


def test_stepping_after_the_backward_gives_pytorchs_gradients(rng):
    torch = pytest.importorskip("torch")
    generator, discriminator, z = _gan_pair(rng)
    old = [torch.tensor(p._data.copy()) for p in (discriminator.weight, discriminator.bias)]
    (discriminator(generator(z)) ** 2).sum().backward()
    zg.optim.SGD(discriminator.parameters(), lr=0.5).step()  # after the backward: allowed
    w_g, b_g = (torch.tensor(p._data, requires_grad=True) for p in (generator.weight, generator.bias))
    (((torch.tensor(z._data) @ w_g.T + b_g) @ old[0].T + old[1]) ** 2).sum().backward()
    np.testing.assert_allclose(generator.weight.grad._data, w_g.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(generator.bias.grad._data, b_g.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("change", ["load_state_dict", "init", "data_assignment", "increment_version", "view"])
def test_every_in_place_path_bumps_the_version_and_backward_refuses(change, rng):
    layer = nn.Linear(4, 3)
    x = zg.tensor(rng.standard_normal((2, 4)).astype(np.float32), requires_grad=True)
    loss = (layer(x) ** 2).sum()
    before = layer.weight._version
    if change == "load_state_dict":
        layer.load_state_dict({"weight": rng.standard_normal((3, 4)), "bias": rng.standard_normal(3)})
    elif change == "init":
        nn.init.normal_(layer.weight)
    elif change == "data_assignment":
        layer.weight.data = layer.weight._data * 2
    elif change == "increment_version":
        layer.weight._data[...] *= 2
        increment_version(layer.weight)
    else:  # a change made through a view (detach shares the counter, as in PyTorch)
        view = layer.weight.detach()
        view._data[0] = 7
        increment_version(view)
    assert layer.weight._version > before
    with pytest.raises(RuntimeError, match=r"shape \(3, 4\)"):
        loss.backward()


def test_changing_an_input_whose_value_backward_does_not_need_is_allowed(rng):
    """add, reshape and sum only need shapes, as in PyTorch: no false alarm."""
    a = zg.tensor(rng.standard_normal((3, 2)).astype(np.float32), requires_grad=True)
    b = zg.tensor(rng.standard_normal(2).astype(np.float32))
    out = (a + b).reshape(6).sum()
    b.data = b._data + 1
    out.backward()
    np.testing.assert_array_equal(a.grad._data, np.ones((3, 2)))


def test_changing_an_output_that_backward_reads_raises(rng):
    """exp's gradient is its output: changing the output in place must be caught."""
    a = zg.tensor(rng.standard_normal(4).astype(np.float32), requires_grad=True)
    y = a.exp()
    loss = y.sum()
    increment_version(y)
    with pytest.raises(RuntimeError, match=r"ExpBackward0: .*its output, of shape \(4,\)"):
        loss.backward()


def test_views_share_the_counter(rng):
    a = zg.tensor(rng.standard_normal((2, 3)).astype(np.float32), requires_grad=True)
    v = a.reshape(3, 2)
    y = a.tanh()  # backward reads tanh's output, not a: fine
    w = a * a  # backward reads a
    increment_version(v)
    assert a._version == 1
    y.sum().backward()
    with pytest.raises(RuntimeError, match=r"MulBackward0: .*input 0, of shape \(2, 3\)"):
        w.sum().backward()


def test_optimizer_step_bumps_every_updated_parameter(rng):
    layer = nn.Linear(3, 2)
    optimizer = zg.optim.Adam(layer.parameters(), lr=1e-3)
    layer(zg.tensor(rng.standard_normal((4, 3)).astype(np.float32))).sum().backward()
    versions = [p._version for p in layer.parameters()]
    optimizer.step()
    assert all(p._version > v for p, v in zip(layer.parameters(), versions))
