"""Parametrizations (zengrad.nn.utils.parametrize / parametrizations) and the older weight_norm,
against PyTorch's: state_dict keys and values, outputs, gradients of the originals, reprs,
right_inverse on assignment, chaining, removal, caching and copying."""

import copy

import numpy as np
import pytest

import zengrad as zg
from zengrad.nn.utils import parametrizations as zps
from zengrad.nn.utils import parametrize as zp

torch = pytest.importorskip("torch")
from torch.nn.utils import parametrizations as tps  # noqa: E402
from torch.nn.utils import parametrize as tp  # noqa: E402

X = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)


def pair(name, *args):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(*args)
    ours = getattr(zg.nn, name)(*args)
    ours.load_state_dict({k: zg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def same_state(ours, theirs, atol=1e-6):
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), atol=atol, err_msg=key)


def symmetric(module_class):
    class Symmetric(module_class):
        def forward(self, X):
            return X.triu() + X.triu(1).T
    return Symmetric()


def doubling(module_class):
    class Double(module_class):
        def forward(self, X):
            return X * 2

        def right_inverse(self, X):
            return X / 2
    return Double()


def test_a_parametrized_weight_reads_through_the_parametrization():
    ours, theirs = pair("Linear", 3, 3)
    weight = ours.weight
    zp.register_parametrization(ours, "weight", symmetric(zg.nn.Module))
    tp.register_parametrization(theirs, "weight", symmetric(torch.nn.Module))
    assert type(ours).__name__ == "ParametrizedLinear" and ours.parametrizations.weight.original is weight
    same_state(ours, theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert str(ours) == str(theirs)
    y, ty = ours(zg.tensor(X)), theirs(torch.tensor(X))
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), atol=1e-6)
    y.sum().backward(), ty.sum().backward()
    np.testing.assert_allclose(weight.grad.numpy(), theirs.parametrizations.weight.original.grad.numpy(), atol=1e-6)
    assert zp.is_parametrized(ours) and zp.is_parametrized(ours, "weight") and not zp.is_parametrized(ours, "bias")
    assert zp.type_before_parametrizations(ours) is zg.nn.Linear
    with pytest.raises(RuntimeError, match="right_inverse"):
        ours.weight = zg.eye(3)
    zp.remove_parametrizations(ours, "weight"), tp.remove_parametrizations(theirs, "weight")
    assert type(ours) is zg.nn.Linear and ours.weight is weight
    same_state(ours, theirs)


def test_right_inverse_on_assignment_chaining_and_caching():
    ours, theirs = pair("Linear", 2, 2)
    zp.register_parametrization(ours, "weight", doubling(zg.nn.Module))
    tp.register_parametrization(theirs, "weight", doubling(torch.nn.Module))
    same_state(ours, theirs)
    ours.weight, theirs.weight = zg.ones(2, 2), torch.ones(2, 2)
    same_state(ours, theirs)
    zp.register_parametrization(ours, "weight", doubling(zg.nn.Module))
    tp.register_parametrization(theirs, "weight", doubling(torch.nn.Module))
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    assert str(ours.parametrizations.weight) == "ParametrizationList(\n  (0-1): 2 x Double()\n)"
    with zp.cached():
        assert ours.weight is ours.weight
    assert ours.weight is not ours.weight
    copied = copy.deepcopy(ours)
    zp.remove_parametrizations(copied, "weight")
    assert zp.is_parametrized(ours, "weight") and not zp.is_parametrized(copied)
    np.testing.assert_allclose(copied.weight.detach().numpy(), ours.weight.detach().numpy())


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_parametrization_matches_pytorch(dim):
    ours, theirs = pair("Linear", 3, 2)
    zps.weight_norm(ours, dim=dim), tps.weight_norm(theirs, dim=dim)
    same_state(ours, theirs)
    y, ty = ours(zg.tensor(X)), theirs(torch.tensor(X))
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), atol=1e-6)
    y.pow(2).sum().backward(), ty.pow(2).sum().backward()
    for k in ("original0", "original1"):
        np.testing.assert_allclose(getattr(ours.parametrizations.weight, k).grad.numpy(),
                                   getattr(theirs.parametrizations.weight, k).grad.numpy(), atol=1e-5)


def test_spectral_norm_parametrization_normalises_the_largest_singular_value():
    ours, theirs = pair("Linear", 5, 4)
    zps.spectral_norm(ours), tps.spectral_norm(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for _ in range(20):
        ours(zg.zeros(1, 5))
    np.testing.assert_allclose(np.linalg.norm(ours.weight.detach().numpy(), 2), 1.0, rtol=1e-4)
    with pytest.raises(ValueError, match="n_power_iterations"):
        zps.spectral_norm(zg.nn.Linear(2, 2), n_power_iterations=0)


@pytest.mark.parametrize("dim", [0, 1, None])
def test_the_older_weight_norm_matches_pytorch(dim):
    ours, theirs = pair("Conv1d", 2, 3, 3)
    zg.nn.utils.weight_norm(ours, dim=dim), torch.nn.utils.weight_norm(theirs, dim=dim)
    same_state(ours, theirs)
    x = np.random.default_rng(1).standard_normal((2, 2, 7)).astype(np.float32)
    y, ty = ours(zg.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), atol=1e-5)
    y.pow(2).sum().backward(), ty.pow(2).sum().backward()
    np.testing.assert_allclose(ours.weight_g.grad.numpy(), theirs.weight_g.grad.numpy(), atol=1e-4)
    np.testing.assert_allclose(ours.weight_v.grad.numpy(), theirs.weight_v.grad.numpy(), atol=1e-4)
    zg.nn.utils.remove_weight_norm(ours), torch.nn.utils.remove_weight_norm(theirs)
    same_state(ours, theirs, atol=1e-5)
    with pytest.raises(ValueError):
        zg.nn.utils.remove_weight_norm(ours)
