"""Module forward pre-hooks, spectral_norm against torch.nn.utils.spectral_norm, and the WGAN-GP
gradient penalty against finite differences and against the same computation in torch."""

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
import zengrad.nn.functional as F
from zengrad.autograd import gradcheck
from zengrad.nn.utils import gradient_penalty, remove_spectral_norm, spectral_norm
from torch_bridge import assert_close, load_from_torch

torch = pytest.importorskip("torch")


def test_forward_pre_hook_replaces_arguments_and_can_be_removed():
    layer = nn.Linear(2, 1)
    calls = []

    def double(module, args):
        calls.append(module)
        return args[0] * 2

    handle = layer.register_forward_pre_hook(double)
    x = zg.randn(3, 2)
    assert_close(layer(x), (layer.forward(x * 2)).detach())
    assert calls == [layer]
    handle.remove()
    assert_close(layer(x), layer.forward(x).detach())
    assert len(calls) == 1


def test_power_iteration_finds_the_largest_singular_value():
    zg.manual_seed(0)
    layer = spectral_norm(nn.Linear(12, 8), n_power_iterations=3)
    for _ in range(5):
        layer(zg.randn(2, 12))
    normalized = layer.weight.detach().numpy()
    assert np.linalg.svd(normalized, compute_uv=False)[0] == pytest.approx(1.0, abs=1e-3)
    original = layer.weight_orig.detach().numpy()
    np.testing.assert_allclose(normalized, original / np.linalg.svd(original, compute_uv=False)[0], rtol=1e-3)


@pytest.mark.parametrize("make, shape", [
    (lambda lib: lib.nn.Linear(5, 4), (3, 5)),
    (lambda lib: lib.nn.Conv2d(2, 3, 3, stride=2, padding=1), (2, 2, 6, 6)),
    (lambda lib: lib.nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1), (2, 3, 3, 3)),
])
def test_spectral_norm_matches_torch(rng, make, shape):
    torch.manual_seed(0)
    reference = torch.nn.utils.spectral_norm(make(torch), n_power_iterations=2)
    mine = spectral_norm(make(zg), n_power_iterations=2)
    assert list(mine.state_dict()) == list(reference.state_dict())
    load_from_torch(mine, reference)
    for step in range(3):
        data = rng.standard_normal(shape).astype(np.float32)
        zx, tx = zg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        zy, ty = mine(zx), reference(tx)
        assert_close(zy, ty, rtol=1e-4, atol=1e-5, what=f"output at step {step}")
        (zy ** 2).sum().backward()
        (ty ** 2).sum().backward()
    assert_close(mine.weight, reference.weight, rtol=1e-4, atol=1e-6, what="normalized weight")
    assert_close(mine.weight_orig.grad, reference.weight_orig.grad, rtol=1e-3, atol=1e-4, what="weight_orig grad")
    assert_close(zx.grad, tx.grad, rtol=1e-4, atol=1e-5, what="input grad")
    for name in ("weight_u", "weight_v"):
        assert_close(getattr(mine, name), getattr(reference, name), rtol=1e-4, atol=1e-5, what=name)
    mine.eval()
    reference.eval()
    u_before = mine.weight_u.detach().numpy().copy()
    data = rng.standard_normal(shape).astype(np.float32)
    assert_close(mine(zg.tensor(data)), reference(torch.tensor(data)), rtol=1e-4, atol=1e-5, what="eval output")
    np.testing.assert_array_equal(mine.weight_u.detach().numpy(), u_before)


def test_spectral_norm_state_dict_round_trip_and_removal():
    zg.manual_seed(1)
    layer = spectral_norm(nn.Linear(4, 3))
    layer(zg.randn(2, 4))
    copy = spectral_norm(nn.Linear(4, 3))
    copy.load_state_dict(layer.state_dict())
    layer.eval()
    copy.eval()
    x = zg.randn(2, 4)
    assert_close(copy(x), layer(x).detach())
    with pytest.raises(RuntimeError, match="two spectral_norm"):
        spectral_norm(layer)
    expected = layer(x).detach()
    remove_spectral_norm(layer)
    assert sorted(layer.state_dict()) == ["bias", "weight"]
    assert_close(layer(x), expected, rtol=1e-5, atol=1e-6)


def _critic(lib_f, params):
    """A small conv critic written functionally, so its parameters can be gradcheck inputs."""
    w1, b1, w2, b2 = params

    def critic(x):
        hidden = lib_f.conv2d(x, w1, b1, stride=2, padding=1).tanh()
        return lib_f.linear(hidden.flatten(1), w2, b2)
    return critic


def _params(rng):
    return [rng.standard_normal(shape) * 0.7 for shape in ((3, 1, 3, 3), (3,), (1, 12), (1,))]


def test_gradient_penalty_gradient_matches_finite_differences(rng):
    real, fake = (zg.tensor(rng.random((2, 1, 4, 4))) for _ in range(2))
    alpha = zg.tensor(rng.random(2))
    params = [zg.tensor(p, requires_grad=True) for p in _params(rng)]

    def penalty(*ps):
        return gradient_penalty(_critic(F, ps), real, fake, lambda_=10.0, alpha=alpha)

    assert gradcheck(penalty, params)


def test_gradient_penalty_matches_torch(rng):
    real, fake = rng.random((3, 1, 4, 4)), rng.random((3, 1, 4, 4))
    alpha = rng.random(3)
    initial = _params(rng)
    params = [zg.tensor(p, requires_grad=True) for p in initial]
    mine = gradient_penalty(_critic(F, params), zg.tensor(real), zg.tensor(fake), lambda_=7.0,
                            alpha=zg.tensor(alpha))
    mine.backward()

    theirs_params = [torch.tensor(p, requires_grad=True) for p in initial]
    mixed = (torch.tensor(alpha).reshape(3, 1, 1, 1) * torch.tensor(real)
             + (1 - torch.tensor(alpha).reshape(3, 1, 1, 1)) * torch.tensor(fake)).requires_grad_(True)
    scores = _critic(torch.nn.functional, theirs_params)(mixed)
    (gradients,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
    theirs = 7.0 * ((gradients.reshape(3, -1).norm(dim=1) - 1) ** 2).mean()
    theirs.backward()
    assert mine.item() == pytest.approx(theirs.item(), rel=1e-9)
    for ours, reference in zip(params[:3], theirs_params[:3]):
        assert_close(ours.grad, reference.grad, rtol=1e-8, atol=1e-10)
    assert params[3].grad is None and theirs_params[3].grad is None  # the last bias leaves ∇ₓD alone


def test_gradient_penalty_draws_alpha_and_checks_shapes():
    critic = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1))
    real, fake = zg.randn(5, 1, 2, 2), zg.randn(5, 1, 2, 2)
    zg.manual_seed(3)
    first = gradient_penalty(critic, real, fake).item()
    zg.manual_seed(3)
    assert gradient_penalty(critic, real, fake).item() == first
    zg.manual_seed(4)
    assert gradient_penalty(critic, real, fake).item() != first
    with pytest.raises(ValueError, match="gradient_penalty"):
        gradient_penalty(critic, real, zg.randn(4, 1, 2, 2))
