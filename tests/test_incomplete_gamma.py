"""gammainc and gammaincc (the regularized incomplete gamma functions P and Q) against PyTorch: a grid
of a and x from 1e−6 to 1e6 (series, continued fraction and Temme's expansion), the edge values,
dtypes, the gradient in x and the error for a gradient in a."""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")

INF, NAN = float("inf"), float("nan")


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_values_match_torch_on_a_wide_grid(name):
    a, x = np.meshgrid(np.concatenate([np.logspace(-6, 6, 37), [0.5, 1, 2, 3, 10.5, 1e7, 1e10]]),
                       np.concatenate([np.logspace(-8, 6.5, 45), [0.5, 1, 2, 3, 10.5, 1e7, 1.0001e10]]))
    ours = getattr(zg.special, name)(zg.tensor(a), zg.tensor(x)).numpy()
    theirs = getattr(torch.special, name)(torch.tensor(a), torch.tensor(x)).numpy()
    counted = np.abs(theirs) > 1e-280
    np.testing.assert_allclose(ours[counted], theirs[counted], rtol=2e-8)
    np.testing.assert_allclose(ours[~counted], theirs[~counted], rtol=0, atol=1e-280)


def test_edges_dtypes_and_gradients_as_torch():
    a = [0.0, 0.0, 1.0, -1.0, 1.0, INF, INF, 2.0, NAN, 1.0, 0.0, 2.0, 3.5]
    x = [0.0, 1.0, 0.0, 1.0, -1.0, 1.0, INF, INF, 1.0, NAN, INF, -0.0, 2.25]
    for name in ("gammainc", "gammaincc"):
        ours, theirs = (getattr(m.special, name)(m.tensor(a), m.tensor(x)).numpy() for m in (zg, torch))
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
        assert ours.dtype == np.float32
        mixed = [getattr(m.special, name)(m.tensor([2, 3]), m.tensor([1.5, 0.5], dtype=m.float64)) for m in (zg, torch)]
        assert str(mixed[0].dtype).split(".")[-1] == str(mixed[1].dtype).split(".")[-1] == "float64"
        grads = []
        for m in (zg, torch):
            shape_a, xs = m.tensor([[0.5], [2.0], [7.0]], dtype=m.float64), m.tensor([0.3, 1.0, 4.0, 9.0], dtype=m.float64, requires_grad=True)
            getattr(m.special, name)(shape_a, xs[None]).sum().backward()
            grads.append(xs.grad.numpy())
        np.testing.assert_allclose(*grads, rtol=1e-12)
        with pytest.raises(NotImplementedError):
            getattr(zg.special, name)(zg.tensor([1.5], requires_grad=True), zg.tensor([1.0])).sum().backward()
        with pytest.raises(RuntimeError):
            getattr(zg.special, name)(zg.tensor([1, 2]), zg.tensor([1, 2]))


def test_igamma_and_igammac_names_and_in_place_methods():
    a, x = np.array([0.5, 2.0, 7.5]), np.array([1.0, 0.25, 9.0])
    for name in ("igamma", "igammac"):
        expected = getattr(torch, name)(torch.tensor(a), torch.tensor(x)).numpy()
        np.testing.assert_allclose(getattr(zg, name)(zg.tensor(a), zg.tensor(x)).numpy(), expected, rtol=1e-12)
        np.testing.assert_allclose(getattr(zg.tensor(a), name)(zg.tensor(x)).numpy(), expected, rtol=1e-12)
        t = zg.tensor(a)
        assert getattr(t, name + "_")(zg.tensor(x)) is t
        np.testing.assert_allclose(t.numpy(), expected, rtol=1e-12)
