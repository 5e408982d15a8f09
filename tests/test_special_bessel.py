"""The modified Bessel functions (i0, i0e, i1, i1e, modified_bessel_i0/i1/k0/k1, their scaled forms),
erfcx and log_ndtr of ``zengrad.special`` against PyTorch, in value over a wide range (tiny, the
switch points between series, quadrature and asymptotic expansions, huge, ±0, ±inf, NaN) in float64
and float32; gradients are in tests/op_table.py (gradcheck, parity, special values)."""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")

X = np.concatenate([-np.logspace(-30, 3, 67), np.logspace(-30, 3, 67), np.linspace(-30, 30, 121),
                    [0.0, -0.0, np.inf, -np.inf, np.nan, 2.0, 2 + 1e-12, 25.0, 25 + 1e-12, 700.0, 709.0, 715.0,
                     1e10, 1e300]])
NAMES = ["i0", "i0e", "i1", "i1e", "erfcx", "log_ndtr", "modified_bessel_i0", "modified_bessel_i1",
         "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1"]
DIFFERENTIABLE = {"i0", "i0e", "i1", "i1e", "erfcx", "log_ndtr"}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 5e-6)])
def test_values_match_torch(name, dtype, rtol):
    with np.errstate(over="ignore"):
        x = X.astype(dtype)
    ours = getattr(zg.special, name)(zg.tensor(x)).numpy()
    theirs = getattr(torch.special, name)(torch.tensor(x)).numpy()
    assert ours.dtype == theirs.dtype
    if name in ("erfcx", "log_ndtr"):  # PyTorch's float32 erfcx loses x²·2⁻²⁴ for x < 0, erfc(x/√2) a little
        rtol *= 10
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-44 if dtype == np.float32 else 0)


@pytest.mark.parametrize("name", NAMES)
def test_graph_ints_and_views_as_torch(name):
    x = np.arange(12).reshape(3, 4) * 1.5 - 4
    results = []
    for m in (zg, torch):
        a = m.tensor(x, requires_grad=True)
        out = getattr(m.special, name)(a.T[::2])  # a strided view
        results.append((out, getattr(m.special, name)(m.tensor([1, 2, 3]))))
    (ours, ours_int), (theirs, theirs_int) = results
    assert ours.requires_grad == theirs.requires_grad == (name in DIFFERENTIABLE)
    assert ours_int.dtype == zg.float32 and theirs_int.dtype == torch.float32
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(ours_int.numpy(), theirs_int.numpy(), rtol=2e-6)


def test_erfc_keeps_its_right_tail_as_torch():
    x = np.array([-30.0, -5.0, -0.0, 0.3, 5.0, 10.0, 27.0, np.inf, -np.inf, np.nan])
    for dtype in (np.float64, np.float32):
        ours = zg.special.erfc(zg.tensor(x.astype(dtype))).numpy()
        theirs = torch.special.erfc(torch.tensor(x.astype(dtype))).numpy()
        assert ours.dtype == theirs.dtype
        np.testing.assert_allclose(ours, theirs, rtol=1e-14 if dtype == np.float64 else 1e-6, atol=0)
