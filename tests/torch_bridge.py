"""Moving weights between zengrad and PyTorch modules, and comparing their gradients."""

import numpy as np

import zengrad as zg
from conftest import to_numpy


def load_from_torch(ours, theirs):
    """Copy a torch module's state_dict into a zengrad module (names must match exactly)."""
    ours.load_state_dict({name: value.detach().numpy() for name, value in theirs.state_dict().items()})


def to_torch(torch, array, requires_grad=False):
    return torch.tensor(np.array(array), requires_grad=requires_grad)


def assert_close(mine, reference, rtol=1e-5, atol=1e-6, what=""):
    expected = reference.detach().numpy() if hasattr(reference, "detach") else np.asarray(reference)
    got = to_numpy(mine) if isinstance(mine, zg.Tensor) else np.asarray(mine)
    assert got.shape == expected.shape, f"{what}: shape {got.shape} != {expected.shape}"
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=what)


def assert_grads_match(ours, theirs, rtol=1e-5, atol=1e-6):
    """Every parameter's gradient equals torch's, name by name; both sides list the same names."""
    reference = dict(theirs.named_parameters())
    mine = dict(ours.named_parameters())
    assert sorted(mine) == sorted(reference)
    for name, param in mine.items():
        assert param.grad is not None, f"no gradient reached {name}"
        assert_close(param.grad, reference[name].grad, rtol, atol, what=f"grad of {name}")


def assert_same(ours, theirs, atol=1e-5, requires_grad=False):
    """A zengrad result equals PyTorch's: values (NaN equal to NaN, within ``atol`` and rtol 1e-5),
    shape and dtype, for a tensor or tuples, lists and dicts of them; with ``requires_grad`` also
    whether each one requires grad."""
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b, atol, requires_grad)
        return
    if isinstance(theirs, dict):
        assert set(ours) == set(theirs)
        for key in theirs:
            assert_same(ours[key], theirs[key], atol, requires_grad)
        return
    expected = theirs.detach().numpy()
    assert tuple(ours.shape) == expected.shape and ours.dtype == expected.dtype
    if requires_grad:
        assert ours.requires_grad == theirs.requires_grad
    np.testing.assert_allclose(ours.detach().numpy(), expected, atol=atol, rtol=1e-5, equal_nan=True)
