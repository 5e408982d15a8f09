"""lgamma, digamma, polygamma and erfinv against PyTorch (values in float64 and float32, gradients)
and against finite differences (gradcheck and gradgradcheck in float64)."""

import math

import numpy as np
import pytest

import zengrad as zg
from zengrad.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

# away from the poles: negative non-integers (close to poles too), tiny, moderate and huge values
GAMMA_POINTS = np.array([-100.3, -3.7, -2.5, -1.0001, -0.9999, -0.5, -1e-5, 1e-30, 1e-5, 7e-3, 0.5, 1.0, 1.5,
                         2.0, 3.7, 10.0, 20.5, 150.0, 1e5 + 0.5, 1e300])
ERFINV_POINTS = np.array([-(1 - 2 ** -52), -0.999999, -0.95, -0.9, -0.3, -1e-10, 0.0, 1e-10, 0.1, 0.5, 0.7,
                          0.85, 0.9, 0.9000001, 0.99, 0.9999999999, 0.999999999999999, 1 - 2 ** -53])


def _assert_like(ours, theirs, rtol):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=0)


@pytest.mark.parametrize("name", ["lgamma", "digamma", "erfinv"])
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-11), (np.float32, 2e-6)])  # 1e-11: digamma by -1 + 1e-4 (PyTorch's reflection loses digits there)
def test_values_match_torch(name, dtype, rtol):
    points = ERFINV_POINTS if name == "erfinv" else GAMMA_POINTS
    points = points[np.abs(points) < np.finfo(dtype).max].astype(dtype)
    ours = getattr(zg, name)(zg.tensor(points))._data
    theirs = getattr(torch, name)(torch.tensor(points)).numpy()
    _assert_like(ours, theirs, rtol)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_polygamma_matches_torch_and_the_series(n):
    points = GAMMA_POINTS[np.abs(GAMMA_POINTS) < 1e200]
    ours = zg.polygamma(n, zg.tensor(points))._data
    rtol = 1e-9 if n == 1 else 1e-12  # PyTorch's float64 trigamma is itself off by up to 5e-10 (ψ'(1) = π²/6)
    _assert_like(ours, torch.polygamma(n, torch.tensor(points)).numpy(), rtol)
    if n == 1:
        assert ours[list(points).index(1.0)] == pytest.approx(math.pi ** 2 / 6, rel=1e-15)


def test_values_at_poles_infinities_and_nan_match_torch():
    x = np.array([0.0, -0.0, -1.0, -2.0, -1e20, np.inf, -np.inf, np.nan])
    for name in ("lgamma", "digamma"):
        ours, theirs = getattr(zg, name)(zg.tensor(x))._data, getattr(torch, name)(torch.tensor(x)).numpy()
        np.testing.assert_array_equal(ours, theirs, err_msg=name)
    y = np.array([1.0, -1.0, 1.5, -2.0, np.nan, 0.0, -0.0])
    ours, theirs = zg.erfinv(zg.tensor(y))._data, torch.erfinv(torch.tensor(y)).numpy()
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(np.signbit(ours), np.signbit(theirs))
    assert zg.polygamma(1, zg.tensor([0.0])).item() == torch.polygamma(1, torch.tensor([0.0])).item() == math.inf


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_int_and_bool_inputs_give_float32_as_in_pytorch(dtype):
    values = np.array([1, 2, 5]).astype(dtype)
    for name in ("lgamma", "digamma"):
        ours, theirs = getattr(zg, name)(zg.tensor(values)), getattr(torch, name)(torch.tensor(values))
        _assert_like(ours._data, theirs.numpy(), 1e-6)
    _assert_like(zg.erfinv(zg.tensor(values * 0))._data, torch.erfinv(torch.tensor(values * 0)).numpy(), 0)


@pytest.mark.parametrize("name", ["lgamma", "digamma", "erfinv"])
def test_gradients_match_torch(name, rng):
    points = ERFINV_POINTS[np.abs(ERFINV_POINTS) < 0.9999] if name == "erfinv" else \
        GAMMA_POINTS[np.abs(GAMMA_POINTS) < 1e4]
    ours, theirs = zg.tensor(points, requires_grad=True), torch.tensor(points, requires_grad=True)
    seed = rng.standard_normal(points.shape)
    getattr(zg, name)(ours).backward(zg.tensor(seed))
    getattr(torch, name)(theirs).backward(torch.tensor(seed))
    _assert_like(ours.grad._data, theirs.grad.numpy(), 1e-8 if name == "digamma" else 1e-12)


@pytest.mark.parametrize("fn, low, high", [(zg.lgamma, -3.0, 6.0), (zg.digamma, -3.0, 6.0),
                                           (lambda a: zg.polygamma(2, a), 0.3, 6.0), (zg.erfinv, -0.95, 0.95)])
def test_gradcheck_and_gradgradcheck(fn, low, high, rng):
    x = zg.tensor(rng.uniform(low, high, (2, 5)), requires_grad=True)
    if low < 0 and fn is not zg.erfinv:
        x._data[np.abs(x._data - np.round(x._data)) < 0.1] += 0.3  # away from the poles at 0, −1, −2 …
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_tensor_methods_and_argument_checks():
    x = zg.tensor([0.5, 2.5])
    np.testing.assert_array_equal(x.lgamma()._data, zg.lgamma(x)._data)
    np.testing.assert_array_equal(x.polygamma(1)._data, zg.polygamma(1, x)._data)
    np.testing.assert_array_equal(zg.tensor([0.5]).erfinv()._data, zg.erfinv(zg.tensor([0.5]))._data)
    with pytest.raises(RuntimeError, match="polygamma"):
        zg.polygamma(-1, x)
