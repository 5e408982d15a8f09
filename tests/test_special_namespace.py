"""``zengrad.special`` against ``torch.special``: values and gradients on awkward inputs, the names
that are aliases of other ops, and the seeds."""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")

VALUES = [-30.0, -5.5, -1.0, -1e-3, 0.0, 1e-3, 0.5, 1.0, 2.0, 7.25, 40.0]
PROBABILITIES = [1e-6, 0.01, 0.25, 0.5, 0.75, 0.99, 0.999999]


@pytest.mark.parametrize("name,values", [
    ("ndtr", VALUES), ("ndtri", PROBABILITIES), ("i0", VALUES + [-85.0, 85.0]), ("entr", [0.0, 1e-3, 0.5, 1.0, 7.0]),
    ("expit", VALUES), ("gammaln", [0.1, 0.5, 3.0, 40.0]), ("psi", [0.1, 0.5, 3.0, 40.0]),
], ids=lambda v: v if isinstance(v, str) else "")
def test_special_functions_match_torch_in_value_and_gradient(name, values):
    results = []
    for m in (zg, torch):
        x = m.tensor(np.array(values), requires_grad=True)
        out = getattr(m.special, name)(x)
        out.sum().backward()
        results.append((out.detach().numpy(), x.grad.numpy()))
    (value, grad), (expected, expected_grad) = results
    np.testing.assert_allclose(value, expected, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-5, atol=1e-12)


def test_binary_and_multivariate_special_functions_match_torch(rng):
    x, y = rng.uniform(-0.9, 3.0, (2, 7)), rng.uniform(1.6, 6.0, 7)
    x[0, :3] = 0.0
    results = []
    for m in (zg, torch):
        a, b = m.tensor(x, requires_grad=True), m.tensor(y, requires_grad=True)
        out = m.special.xlog1py(a, a.detach().abs()) .sum() + m.special.multigammaln(b, 3).sum() + m.mvlgamma(b, 2).sum()
        out.backward()
        results.append((out.item(), a.grad.numpy(), b.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9)
    below = [m.special.multigammaln(m.tensor([0.5, 2.0]), 3).numpy() for m in (zg, torch)]
    np.testing.assert_allclose(*below, rtol=1e-6)


def test_special_i0_at_the_edges_and_in_float32_is_torchs():
    x = [0.0, -0.0, float("inf"), -float("inf"), float("nan"), 1e38, 85.0]
    np.testing.assert_allclose(zg.special.i0(zg.tensor(x)).numpy(), torch.special.i0(torch.tensor(x)).numpy(),
                               rtol=1e-6)
    assert zg.i0(zg.tensor([1.5])).dtype == zg.float32


def test_seed_and_initial_seed_restart_the_draws():
    chosen = zg.seed()
    assert zg.initial_seed() == chosen
    first = zg.rand(3).numpy()
    zg.manual_seed(chosen)
    np.testing.assert_array_equal(zg.rand(3).numpy(), first)
    zg.manual_seed(7)
    assert zg.initial_seed() == 7
