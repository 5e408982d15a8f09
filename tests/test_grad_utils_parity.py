"""nn.utils' gradient clipping against PyTorch's: the returned norm, the clipped gradients (in
place: references to ``.grad`` see them), every norm type, NaN and infinite norms."""

import numpy as np
import pytest

import zengrad as zg
from conftest import to_numpy

torch = pytest.importorskip("torch")
from hypothesis import given, settings, strategies as st  # noqa: E402

SHAPES = [(3, 4), (), (5,), (1, 7)]


def _parameters(lib, grads, dtype):
    params = []
    for shape, grad in grads:
        p = lib.nn.Parameter(lib.zeros(shape, dtype=getattr(lib, dtype)))
        if grad is not None:
            p.grad = lib.tensor(grad.astype(dtype))
        params.append(p)
    return params


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(norm_type=st.sampled_from([2, 2.0, 1, 0, 0.5, 3, float("inf"), -float("inf"), "inf"]),
       max_norm=st.sampled_from([0.0, 0.1, 1.0, 100.0]), dtype=st.sampled_from(["float32", "float64"]),
       scale=st.sampled_from([1e-3, 1.0, 10.0]), missing=st.integers(0, 3), seed=st.integers(0, 2 ** 16))
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype, scale, missing, seed):
    rng = np.random.default_rng(seed)
    grads = [(s, None if i == missing else rng.standard_normal(s) * scale) for i, s in enumerate(SHAPES)]
    theirs, ours = _parameters(torch, grads, dtype), _parameters(zg, grads, dtype)
    held = [p.grad for p in ours]
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    total = zg.nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    assert str(total.dtype).split(".")[-1] == str(expected.dtype).split(".")[-1]
    np.testing.assert_allclose(to_numpy(total), expected.numpy(), rtol=1e-6)
    for t, z, before in zip(theirs, ours, held):
        assert z.grad is before  # clipped in place
        if t.grad is not None:
            np.testing.assert_allclose(to_numpy(z.grad), t.grad.numpy(), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_norms_clip_like_torch(bad):
    grads = [((2,), np.array([1.0, bad])), ((3,), np.ones(3))]
    theirs, ours = _parameters(torch, grads, "float32"), _parameters(zg, grads, "float32")
    torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    zg.nn.utils.clip_grad_norm_(ours, 1.0)
    for t, z in zip(theirs, ours):
        np.testing.assert_array_equal(to_numpy(z.grad), t.grad.numpy())
    for lib, params in ((torch, theirs), (zg, ours)):
        with pytest.raises(RuntimeError, match="non-finite"):
            lib.nn.utils.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)


def test_clip_grad_value_clamps_in_place_like_torch():
    grads = [((3, 4), np.linspace(-2, 2, 12).reshape(3, 4)), ((), np.array(0.7)), ((5,), None)]
    theirs, ours = _parameters(torch, grads, "float32"), _parameters(zg, grads, "float32")
    held = [p.grad for p in ours]
    torch.nn.utils.clip_grad_value_(theirs, 0.5)
    zg.nn.utils.clip_grad_value_(ours, 0.5)
    for t, z, before in zip(theirs, ours, held):
        assert z.grad is before
        if t.grad is not None:
            np.testing.assert_array_equal(to_numpy(z.grad), t.grad.numpy())


def test_read_only_gradients_are_replaced_not_written():
    """sum()'s gradient is a read-only broadcast of ones: clipping and zero_grad still give torch's
    values (in a new gradient)."""
    x = zg.nn.Parameter(zg.ones(3))
    x.sum().backward()
    zg.nn.utils.clip_grad_norm_([x], 0.5)
    np.testing.assert_allclose(to_numpy(x.grad), np.full(3, 0.5 / (3 ** 0.5 + 1e-6)), rtol=1e-6)
    x.grad = None
    x.sum().backward()
    zg.nn.utils.clip_grad_value_([x], 0.1)
    np.testing.assert_allclose(to_numpy(x.grad), np.full(3, 0.1), rtol=1e-6)
    x.grad = None
    x.sum().backward()
    zg.optim.SGD([x], lr=0.1).zero_grad(set_to_none=False)
    np.testing.assert_array_equal(to_numpy(x.grad), np.zeros(3))
