"""isin, gcd, lcm, mode and ldexp against PyTorch on generated integer and float inputs, and
exact zero gradients through where / rounding when the upstream gradient is ±inf or NaN."""

import numpy as np
import pytest

import zengrad as zg
from conftest import to_numpy

torch = pytest.importorskip("torch")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

INTEGERS = hnp.arrays(np.int64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=st.integers(-30, 30))
FEW_VALUES = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6),
                        elements=st.sampled_from([0.0, -0.0, 1.0, 2.5, -3.0, np.inf, np.nan]))


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(INTEGERS, INTEGERS)
def test_gcd_lcm_isin_match_torch(a, b):
    b = b.reshape(-1)[: a.shape[-1]] if b.size >= a.shape[-1] else np.resize(b, a.shape[-1])
    for name in ("gcd", "lcm"):
        np.testing.assert_array_equal(to_numpy(getattr(zg, name)(zg.tensor(a), zg.tensor(b))),
                                      getattr(torch, name)(torch.tensor(a), torch.tensor(b)).numpy())
    for invert in (False, True):
        np.testing.assert_array_equal(to_numpy(zg.isin(zg.tensor(a), zg.tensor(b), invert=invert)),
                                      torch.isin(torch.tensor(a), torch.tensor(b), invert=invert).numpy())


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(FEW_VALUES, st.booleans(), st.data())
def test_mode_matches_torch(values, keepdim, data):
    values = np.nan_to_num(values, nan=7.0, posinf=np.inf)  # with NaN, PyTorch's choice depends on its sort
    dim = data.draw(st.integers(-values.ndim, values.ndim - 1))
    mine = zg.mode(zg.tensor(values), dim, keepdim)
    theirs = torch.mode(torch.tensor(values), dim, keepdim)
    np.testing.assert_array_equal(to_numpy(mine.values), theirs.values.numpy())
    np.testing.assert_array_equal(to_numpy(mine.indices), theirs.indices.numpy())


def test_gcd_refuses_floats_and_isin_takes_numbers():
    with pytest.raises(RuntimeError, match="integer"):
        zg.gcd(zg.tensor([1.0]), zg.tensor([2.0]))
    np.testing.assert_array_equal(to_numpy(zg.isin(zg.tensor([1, 2, 3]), 2)), [False, True, False])
    assert not bool(zg.isin(zg.tensor([np.nan]), zg.tensor([np.nan])).any())


def test_ldexp_gradient_is_two_to_the_exponent():
    """PyTorch 2.13 gives 0 for a negative integer exponent (it raises 2 to it in integers)."""
    x = zg.tensor([1.0, 3.0, -2.0], requires_grad=True)
    zg.ldexp(x, zg.tensor([2, -3, 0])).sum().backward()
    np.testing.assert_array_equal(to_numpy(x.grad), [4.0, 0.125, 1.0])


@pytest.mark.parametrize("upstream", [np.inf, -np.inf, np.nan])
def test_unselected_and_piecewise_constant_gradients_are_exact_zeros(upstream):
    x = zg.tensor([1.5, -2.0, 0.5], requires_grad=True)
    y = zg.tensor([4.0, 5.0, 6.0], requires_grad=True)
    out = zg.where(zg.tensor([True, False, True]), x, y) + x.round() + x.floor() + zg.copysign(y, x)
    out.backward(zg.full((3,), upstream))
    tx = torch.tensor([1.5, -2.0, 0.5], requires_grad=True)
    ty = torch.tensor([4.0, 5.0, 6.0], requires_grad=True)
    expected = torch.where(torch.tensor([True, False, True]), tx, ty) + tx.round() + tx.floor() + torch.copysign(ty, tx)
    expected.backward(torch.full((3,), upstream))
    np.testing.assert_array_equal(to_numpy(x.grad), tx.grad.numpy())
    np.testing.assert_array_equal(to_numpy(y.grad), ty.grad.numpy())
