"""The orthogonal polynomials of ``zengrad.special`` (Chebyshev T/U/V/W and their shifted forms,
Hermite H/He, Laguerre, Legendre) against PyTorch: values on a grid of x (ends of the interval, ±0,
±inf, large) and degrees (negative, fractional, NaN, past the closed-form thresholds), dtypes,
numbers for x or n, and no gradient."""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")

NAMES = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
         "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
         "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
         "laguerre_polynomial_l", "legendre_polynomial_p"]
X = np.concatenate([np.linspace(-2.5, 2.5, 41), [0.0, -0.0, 1.0, -1.0, 0.5, np.inf, -np.inf, 1e-20,
                                                  1 - 1e-16, -1 + 1e-16, 40.0, -40.0]])
N = np.array([-2, -1, 0, 1, 2, 3, 5, 6, 7, 8, 9, 12, 25, 2.7, -0.5, np.nan, 1e19])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-10), (np.float32, 1e-4)])
def test_polynomial_values_match_torch(name, dtype, rtol):
    x, n = (a.astype(dtype) for a in np.meshgrid(X, N))
    ours = getattr(zg.special, name)(zg.tensor(x), zg.tensor(n)).numpy()
    theirs = getattr(torch.special, name)(torch.tensor(x), torch.tensor(n)).numpy()
    assert ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("name", NAMES[::3] + ["hermite_polynomial_he", "legendre_polynomial_p"])
def test_polynomial_number_operands_dtypes_and_no_gradient(name):
    rng = np.random.default_rng(3)
    x = rng.uniform(-1.2, 1.2, (3, 5))
    calls = [lambda m: (m.tensor(x.T, requires_grad=True), 4),  # non-contiguous x, int degree
             lambda m: (0.3, m.tensor([0, 1, 2, 11])),  # a number for x, an int tensor for n
             lambda m: (m.tensor([1, 2, -1]), m.tensor(3)),  # ints only: the default float dtype
             lambda m: (m.tensor(x, dtype=m.float32), m.tensor([[2.0], [3.0], [10.0]], dtype=m.float64))]
    for make in calls:
        ours, theirs = (getattr(m.special, name)(*make(m)) for m in (zg, torch))
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        assert not ours.requires_grad and not theirs.requires_grad
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_shapes_that_do_not_broadcast_raise_runtime_error():
    for m in (zg, torch):
        with pytest.raises(RuntimeError):
            m.special.legendre_polynomial_p(m.tensor([0.5, 0.25]), m.tensor([1.0, 2.0, 3.0]))
