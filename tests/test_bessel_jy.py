"""bessel_j0/j1/y0/y1, spherical_bessel_j0 and airy_ai of ``zengrad.special``: against mpmath in float64 (to
about 1e−13 away from the zeros: PyTorch 2.13's own float64 values are off by up to 4e−5 there), and
against PyTorch for the edge values, dtypes and float32."""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")
mpmath = pytest.importorskip("mpmath")

X = np.concatenate([np.logspace(-30, 3, 34), np.linspace(0.05, 40, 97), [5.0, 5 + 1e-12, 25.0, 25 + 1e-12, 1e10]])
REFERENCE = {"bessel_j0": lambda v: mpmath.besselj(0, v), "bessel_j1": lambda v: mpmath.besselj(1, v),
             "bessel_y0": lambda v: mpmath.bessely(0, v), "bessel_y1": lambda v: mpmath.bessely(1, v),
             "spherical_bessel_j0": lambda v: mpmath.sin(v) / v, "airy_ai": mpmath.airyai}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_float64_values_match_mpmath(name):
    expected = np.array([float(REFERENCE[name](mpmath.mpf(v))) for v in X])
    ours = getattr(zg.special, name)(zg.tensor(X)).numpy()
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=5e-15)
    if name == "airy_ai":  # the negative axis, where Ai oscillates, through all three methods
        mirrored = np.array([float(mpmath.airyai(mpmath.mpf(-v))) for v in X[X < 200]])
        np.testing.assert_allclose(zg.special.airy_ai(zg.tensor(-X[X < 200])).numpy(), mirrored, rtol=1e-11, atol=5e-15)
    if name in ("bessel_j0", "bessel_j1", "spherical_bessel_j0"):  # even / odd
        mirrored = getattr(zg.special, name)(zg.tensor(-X)).numpy()
        np.testing.assert_allclose(mirrored, -ours if name == "bessel_j1" else ours, rtol=1e-15)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_edges_float32_and_graph_as_torch(name):
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -2.5, 1e-20, 3.0, 12.0, 30.0], dtype=np.float32)
    results = [getattr(m.special, name)(m.tensor(x, requires_grad=True)) for m in (zg, torch)]
    assert not results[0].requires_grad and not results[1].requires_grad
    assert results[0].dtype == zg.float32
    np.testing.assert_allclose(results[0].numpy(), results[1].detach().numpy(), rtol=1e-4, atol=1e-5)
    ints = [getattr(m.special, name)(m.tensor([[1, 2, 7]]).T[1:]) for m in (zg, torch)]
    assert ints[0].dtype == zg.float32 and tuple(ints[0].shape) == (2, 1)
    np.testing.assert_allclose(ints[0].numpy(), ints[1].numpy(), rtol=1e-4, atol=1e-5)
