"""zengrad.distributions against torch.distributions: log_prob, entropy, cdf and kl_divergence
(values and gradients with respect to the parameters, on drawn parameters), the moments of
many samples, rsample's gradient, and the parameters each refuses."""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")


def _families(rng, n):
    loc, scale, other = rng.standard_normal(n), rng.random(n) + 0.3, rng.standard_normal(n)
    positive, logits = np.abs(other) + 0.1, rng.standard_normal((n, 5))
    return {
        "Normal": (lambda d, p: d.Normal(p[0], p[1]), [loc, scale], other),
        "Laplace": (lambda d, p: d.Laplace(p[0], p[1]), [loc, scale], other),
        "Exponential": (lambda d, p: d.Exponential(p[0]), [scale], positive),
        "Uniform": (lambda d, p: d.Uniform(p[0], p[0] + p[1]), [loc, scale], loc + scale / 2),
        "Bernoulli logits": (lambda d, p: d.Bernoulli(logits=p[0]), [other], (other > 0) * 1.0),
        "Bernoulli probs": (lambda d, p: d.Bernoulli(probs=p[0]), [scale / 2], (other > 0) * 1.0),
        "Categorical logits": (lambda d, p: d.Categorical(logits=p[0]), [logits], np.arange(n) % 5),
        "Categorical probs": (lambda d, p: d.Categorical(probs=p[0]), [np.exp(logits)], np.arange(n) % 5),
        "OneHotCategorical": (lambda d, p: d.OneHotCategorical(logits=p[0]), [logits],
                              np.eye(5)[np.arange(n) % 5]),
    }


def _evaluated(lib, make, params, value, with_cdf):
    tensors = [lib.tensor(p, requires_grad=True) for p in params]
    dist = make(lib.distributions, tensors)
    results = [dist.log_prob(lib.tensor(value)), dist.entropy()]
    if with_cdf:
        results.append(dist.cdf(lib.tensor(value)))
    other = make(lib.distributions, [t.detach() * 0.5 + 0.1 for t in tensors])
    results.append(lib.distributions.kl_divergence(dist, other))
    sum(r.sum() for r in results).backward()
    return [r.detach().numpy() for r in results] + [t.grad.numpy() for t in tensors]


@pytest.mark.parametrize("n", [1, 7])
@pytest.mark.parametrize("family", list(_families(np.random.default_rng(0), 1)))
def test_densities_and_divergences_match_torch(rng, family, n):
    make, params, value = _families(rng, n)[family]
    with_cdf = family in ("Normal", "Exponential", "Uniform")
    ours, theirs = _evaluated(zg, make, params, value, with_cdf), _evaluated(torch, make, params, value, with_cdf)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_samples_have_the_distributions_moments():
    zg.manual_seed(0)
    d = zg.distributions
    cases = [(d.Normal(zg.tensor([1.0, -2.0]), zg.tensor([0.5, 2.0])), (1000, 2)),
             (d.Laplace(zg.tensor(0.5), zg.tensor(1.5)), (4000,)), (d.Exponential(zg.tensor([2.0, 0.5])), (3000, 2)),
             (d.Uniform(zg.tensor(-1.0), zg.tensor(3.0)), (4000,)), (d.Bernoulli(probs=zg.tensor([0.2, 0.9])), (4000, 2))]
    for dist, shape in cases:
        draws = dist.sample(shape[:1])
        assert draws.shape == shape
        np.testing.assert_allclose(draws.numpy().mean(0), dist.mean.numpy(), atol=0.15)
        np.testing.assert_allclose(draws.numpy().var(0), dist.variance.numpy(), rtol=0.2, atol=0.02)
    classes = d.Categorical(probs=zg.tensor([[0.1, 0.2, 0.7], [0.6, 0.4, 0.0]])).sample((5000,))
    assert classes.shape == (5000, 2) and classes.dtype == np.int64
    np.testing.assert_allclose(np.bincount(classes.numpy()[:, 0], minlength=3) / 5000, [0.1, 0.2, 0.7], atol=0.03)
    assert not (classes.numpy()[:, 1] == 2).any()
    one_hot = d.OneHotCategorical(logits=zg.zeros(4)).sample((6,))
    assert one_hot.shape == (6, 4) and (one_hot.numpy().sum(-1) == 1).all()


def test_rsample_carries_the_gradient_to_the_parameters():
    loc, scale = zg.tensor([0.3], requires_grad=True), zg.tensor([2.0], requires_grad=True)
    draws = zg.distributions.Normal(loc, scale).rsample((50,))
    draws.sum().backward()
    assert float(loc.grad) == 50.0
    noise = (draws.detach() - 0.3) / 2.0
    np.testing.assert_allclose(float(scale.grad), noise.numpy().sum(), rtol=1e-5)
    with pytest.raises(NotImplementedError, match="rsample"):
        zg.distributions.Bernoulli(probs=zg.tensor(0.5)).rsample()


@pytest.mark.parametrize("make", [lambda d, lib: d.Normal(lib.tensor(0.0), lib.tensor(-1.0)),
                                  lambda d, lib: d.Exponential(lib.tensor(0.0)),
                                  lambda d, lib: d.Uniform(lib.tensor(1.0), lib.tensor(0.0)),
                                  lambda d, lib: d.Bernoulli(probs=lib.tensor(1.5)),
                                  lambda d, lib: d.Bernoulli(probs=lib.tensor(0.5), logits=lib.tensor(0.0)),
                                  lambda d, lib: d.Categorical(probs=lib.tensor([-0.1, 1.1]))])
def test_invalid_parameters_raise_value_error_as_torch(make):
    for lib in (zg, torch):
        with pytest.raises(ValueError):
            make(lib.distributions, lib)
