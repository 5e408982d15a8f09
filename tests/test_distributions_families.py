"""The distribution families beyond the first ones (Gamma family, discrete counts, MultivariateNormal,
transforms, relaxed, mixtures) against torch.distributions: every property and method PyTorch has
(values, shapes, NotImplementedError where PyTorch has none), gradients of log_prob, rsample's
gradient (finite differences of reseeded draws; the Gamma family's implicit gradient against
finite differences of the CDF), kl_divergence, argument checks, and the moments of many draws."""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")


def _families(rng, n):
    pos = lambda *shape: rng.random(shape or (n,)) + 0.5  # noqa: E731
    real = lambda *shape: rng.standard_normal(shape or (n,))  # noqa: E731
    a = rng.standard_normal((n, 3, 3))
    cov = a @ a.transpose(0, 2, 1) + np.eye(3)
    simplex = rng.random((n, 4))
    simplex /= simplex.sum(-1, keepdims=True)
    return {
        "Cauchy": (lambda d, p: d.Cauchy(p[0], p[1]), [real(), pos()], real()),
        "Gumbel": (lambda d, p: d.Gumbel(p[0], p[1]), [real(), pos()], real()),
        "HalfNormal": (lambda d, p: d.HalfNormal(p[0]), [pos()], pos()),
        "HalfCauchy": (lambda d, p: d.HalfCauchy(p[0]), [pos()], pos()),
        "Weibull": (lambda d, p: d.Weibull(p[0], p[1]), [pos(), 2 * pos()], pos()),
        "LogNormal": (lambda d, p: d.LogNormal(p[0], p[1]), [real(), pos()], pos()),
        "Gamma": (lambda d, p: d.Gamma(p[0], p[1]), [pos(), pos()], pos()),
        "Chi2": (lambda d, p: d.Chi2(p[0]), [3 * pos()], pos()),
        "Multinomial": (lambda d, p: d.Multinomial(6, logits=p[0]), [real(n, 4)],
                        np.stack([np.bincount(rng.integers(0, 4, 6), minlength=4) for _ in range(n)]).astype(float)),
        "Beta": (lambda d, p: d.Beta(p[0], p[1]), [pos(), pos()], rng.random(n)),
        "Dirichlet": (lambda d, p: d.Dirichlet(p[0]), [pos(n, 4)], simplex),
        "StudentT": (lambda d, p: d.StudentT(p[0], p[1], p[2]), [3 * pos(), real(), pos()], real()),
        "StudentT small df": (lambda d, p: d.StudentT(p[0], p[1], p[2]),
                              [np.resize([0.5, 1.0, 1.5, 2.0, 3.0], n), real(), pos()], real()),
        "Poisson": (lambda d, p: d.Poisson(p[0]), [3 * pos()], np.floor(3 * pos())),
        "Binomial probs": (lambda d, p: d.Binomial(10, probs=p[0]), [rng.random(n)], np.floor(10 * rng.random(n))),
        "Binomial logits": (lambda d, p: d.Binomial(7, logits=p[0]), [real()], np.floor(7 * rng.random(n))),
        "Geometric probs": (lambda d, p: d.Geometric(probs=p[0]), [0.9 * rng.random(n) + 0.05], np.floor(3 * pos())),
        "Geometric logits": (lambda d, p: d.Geometric(logits=p[0]), [real()], np.floor(3 * pos())),
        "MVN covariance": (lambda d, p: d.MultivariateNormal(p[0], covariance_matrix=p[1]), [real(n, 3), cov],
                           real(n, 3)),
        "MVN precision": (lambda d, p: d.MultivariateNormal(p[0], precision_matrix=p[1]), [real(n, 3), cov],
                          real(n, 3)),
        "MVN scale_tril": (lambda d, p: d.MultivariateNormal(p[0], scale_tril=p[1]),
                           [real(n, 3), np.linalg.cholesky(cov)], real(2, n, 3)),
        "MVN one matrix": (lambda d, p: d.MultivariateNormal(p[0], covariance_matrix=p[1]), [real(n, 3), cov[0]],
                           real(n, 3)),
        "Independent": (lambda d, p: d.Independent(d.Normal(p[0], p[1]), 1), [real(n, 3), pos(n, 3)], real(n, 3)),
        "RelaxedBernoulli": (lambda d, p: d.RelaxedBernoulli(p[0], logits=p[1]), [pos(), real()], rng.random(n)),
        "RelaxedOneHotCategorical": (lambda d, p: d.RelaxedOneHotCategorical(p[0], logits=p[1]),
                                     [np.array(0.7), real(n, 4)], simplex),
        "MixtureSameFamily": (lambda d, p: d.MixtureSameFamily(d.Categorical(logits=p[0]), d.Normal(p[1], p[2])),
                              [real(n, 4), real(n, 4), pos(n, 4)], real()),
        "Mixture of Independent": (lambda d, p: d.MixtureSameFamily(d.Categorical(logits=p[0]),
                                                                    d.Independent(d.Normal(p[1], p[2]), 1)),
                                   [real(4), real(4, 2), pos(4, 2)], real(n, 2)),
        "Tanh of Normal": (lambda d, p: d.TransformedDistribution(d.Normal(p[0], p[1]), [d.transforms.TanhTransform()]),
                           [real(), pos()], 1.8 * rng.random(n) - 0.9),
        "Sigmoid of affine": (lambda d, p: d.TransformedDistribution(
            d.Normal(p[0], p[1]), [d.transforms.AffineTransform(1.0, -2.0), d.transforms.SigmoidTransform()]),
            [real(), pos()], rng.random(n)),
        "Compose": (lambda d, p: d.TransformedDistribution(d.Normal(p[0], p[1]), d.transforms.ComposeTransform(
            [d.transforms.ExpTransform(), d.transforms.AffineTransform(0.5, 3.0)])), [real(), pos()], pos() + 0.5),
        "Affine over an event": (lambda d, p: d.TransformedDistribution(
            d.Independent(d.Normal(p[0], p[1]), 1), [d.transforms.AffineTransform(p[0].detach(), p[1].detach() + 1,
                                                                                   event_dim=1)]),
            [real(n, 3), pos(n, 3)], real(n, 3)),
    }


_METHODS = ("log_prob", "entropy", "mean", "mode", "variance", "stddev", "cdf", "icdf")


def _evaluated(lib, make, params, value, cdf_gradient=True):
    tensors = [lib.tensor(p, requires_grad=True) for p in params]
    dist = make(lib.distributions, tensors)
    results = {}
    for method in _METHODS:
        try:
            if method in ("log_prob", "cdf"):
                results[method] = getattr(dist, method)(lib.tensor(value))
            elif method == "icdf":
                results[method] = dist.icdf(lib.tensor(np.full(np.shape(value), 0.3)))
            elif method == "entropy":
                results[method] = dist.entropy()
            else:
                results[method] = getattr(dist, method)
        except NotImplementedError:
            results[method] = None
    differentiable = [r for k, r in results.items() if r is not None and r.requires_grad
                      and (cdf_gradient or k != "cdf")]
    sum(r.sum() for r in differentiable if bool(lib.isfinite(r).all())).backward()
    grads = [t.grad.numpy() if t.grad is not None else None for t in tensors]
    shapes = (tuple(dist.batch_shape), tuple(dist.event_shape), tuple(dist.sample((2, 3)).shape),
              tuple(dist.expand((2,) + tuple(dist.batch_shape)).sample().shape), dist.has_rsample)
    return {k: None if v is None else v.detach().numpy() for k, v in results.items()}, grads, shapes


@pytest.mark.parametrize("n", [1, 5])
@pytest.mark.parametrize("family", list(_families(np.random.default_rng(0), 1)))
def test_values_gradients_and_shapes_match_torch(rng, family, n):
    make, params, value = _families(rng, n)[family]
    cdf_gradient = family not in ("Gamma", "Chi2")  # PyTorch's gammainc has no gradient in the concentration
    ours, theirs = (_evaluated(lib, make, params, value, cdf_gradient) for lib in (zg, torch))
    for method in _METHODS:
        a, b = ours[0][method], theirs[0][method]
        assert (a is None) == (b is None), f"{method}: {a} vs {b}"
        if a is not None:
            assert a.shape == b.shape and a.dtype == b.dtype, method
            np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9, err_msg=method)
    for a, b in zip(ours[1], theirs[1]):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
    assert ours[2] == theirs[2]


def test_modes_match_torch():
    for make in (lambda d, t: d.Bernoulli(probs=t([0.2, 0.5, 0.7])), lambda d, t: d.Binomial(5, probs=t([0.2, 0.7])),
                 lambda d, t: d.Categorical(probs=t([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])),
                 lambda d, t: d.OneHotCategorical(probs=t([0.2, 0.5, 0.3])), lambda d, t: d.Poisson(t([2.5, 3.0])),
                 lambda d, t: d.Geometric(probs=t([0.3])), lambda d, t: d.Dirichlet(t([[2.0, 3.0, 0.5], [0.5, 0.7, 0.2]])),
                 lambda d, t: d.Beta(t([2.0, 0.5, 3.0]), t([2.0, 0.7, 0.5])), lambda d, t: d.Exponential(t([2.0])),
                 lambda d, t: d.Uniform(t(0.0), t(1.0)), lambda d, t: d.MultivariateNormal(t([1.0, 2.0]), t(np.eye(2)))):
        ours = make(zg.distributions, lambda v: zg.tensor(v, dtype=zg.float64)).mode.numpy()
        theirs = make(torch.distributions, lambda v: torch.tensor(v, dtype=torch.float64)).mode.numpy()
        assert ours.dtype == theirs.dtype
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_float32_parameters_stay_float32():
    d = zg.distributions
    for dist in (d.Gamma(zg.tensor([1.0, 2.0]), 1.0), d.Beta(0.5, 2.0), d.Dirichlet(zg.tensor([1.0, 2.0])),
                 d.StudentT(zg.tensor(3.0)), d.MultivariateNormal(zg.zeros(2), zg.eye(2)),
                 d.RelaxedOneHotCategorical(0.5, logits=zg.zeros(3)), d.Poisson(zg.tensor(2.0))):
        assert dist.sample().dtype == np.float32
        assert dist.log_prob(dist.sample()).dtype == np.float32


def _kl_pairs(rng, n):
    pos = lambda *shape: rng.random(shape or (n,)) + 0.5  # noqa: E731
    real = lambda *shape: rng.standard_normal(shape or (n,))  # noqa: E731
    a, b = rng.standard_normal((2, n, 3, 3))
    covs = [a @ a.transpose(0, 2, 1) + np.eye(3), b @ b.transpose(0, 2, 1) + np.eye(3)]
    unit = lambda: 0.8 * rng.random(n) + 0.1  # noqa: E731
    return {
        "Cauchy": (lambda d, p: d.Cauchy(p[0], p[1]), [real(), pos()], [real(), pos()]),
        "Gumbel": (lambda d, p: d.Gumbel(p[0], p[1]), [real(), pos()], [real(), pos()]),
        "HalfNormal": (lambda d, p: d.HalfNormal(p[0]), [pos()], [pos()]),
        "LogNormal": (lambda d, p: d.LogNormal(p[0], p[1]), [real(), pos()], [real(), pos()]),
        "Gamma": (lambda d, p: d.Gamma(p[0], p[1]), [pos(), pos()], [pos(), pos()]),
        "Chi2": (lambda d, p: d.Chi2(p[0]), [pos()], [pos()]),
        "Beta": (lambda d, p: d.Beta(p[0], p[1]), [pos(), pos()], [pos(), pos()]),
        "Dirichlet": (lambda d, p: d.Dirichlet(p[0]), [pos(n, 4)], [pos(n, 4)]),
        "Poisson": (lambda d, p: d.Poisson(p[0]), [pos()], [pos()]),
        "Binomial": (lambda d, p: d.Binomial(5, probs=p[0]), [unit()], [unit()]),
        "Geometric": (lambda d, p: d.Geometric(probs=p[0]), [unit()], [unit()]),
        "MultivariateNormal": (lambda d, p: d.MultivariateNormal(p[0], covariance_matrix=p[1]),
                               [real(n, 3), covs[0]], [real(n, 3), covs[1]]),
        "Independent": (lambda d, p: d.Independent(d.Normal(p[0], p[1]), 1), [real(n, 3), pos(n, 3)],
                        [real(n, 3), pos(n, 3)]),
        "OneHotCategorical": (lambda d, p: d.OneHotCategorical(logits=p[0]), [real(n, 4)], [real(n, 4)]),
    }


@pytest.mark.parametrize("n", [1, 4])
@pytest.mark.parametrize("pair", list(_kl_pairs(np.random.default_rng(0), 1)))
def test_kl_divergence_matches_torch(rng, pair, n):
    make, p_params, q_params = _kl_pairs(rng, n)[pair]
    results = []
    for lib in (zg, torch):
        tensors = [lib.tensor(p, requires_grad=True) for p in p_params]
        kl = lib.distributions.kl_divergence(make(lib.distributions, tensors),
                                             make(lib.distributions, [lib.tensor(q) for q in q_params]))
        kl.sum().backward()
        results.append([kl.detach().numpy()] + [t.grad.numpy() for t in tensors])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)


def test_register_kl_picks_the_most_specific_pair():
    d = zg.distributions

    class Mine(d.Gamma):
        pass

    gamma, mine = d.Gamma(zg.tensor(2.0), zg.tensor(1.0)), Mine(zg.tensor(3.0), zg.tensor(1.0))
    general = float(d.kl_divergence(mine, gamma))
    d.register_kl(Mine, d.Gamma)(lambda p, q: zg.tensor(-1.0))
    try:
        assert float(d.kl_divergence(mine, gamma)) == -1.0
        assert float(d.kl_divergence(gamma, mine)) != -1.0
    finally:
        del d.kl._KL_TABLE[Mine, d.Gamma]
    assert float(d.kl_divergence(mine, gamma)) == general
    for p, q in ((gamma, d.Normal(0.0, 1.0)), (d.Categorical(logits=zg.zeros(3)), d.OneHotCategorical(logits=zg.zeros(3)))):
        with pytest.raises(NotImplementedError):
            d.kl_divergence(p, q)
    with pytest.raises(RuntimeError):  # a shape mismatch, as PyTorch's
        d.MultivariateNormal(zg.zeros(3, 2), zg.eye(2).expand(4, 2, 2))


_INVALID = [
    lambda d, t: d.Gamma(t(-1.0), t(1.0)), lambda d, t: d.Gamma(t(1.0), t(0.0)),
    lambda d, t: d.Beta(t(0.0), t(1.0)), lambda d, t: d.Dirichlet(t([1.0, -1.0])), lambda d, t: d.Dirichlet(t(1.0)),
    lambda d, t: d.Poisson(t(-1.0)), lambda d, t: d.Binomial(t(-1.0), probs=t(0.5)),
    lambda d, t: d.Binomial(t(2.5), probs=t(0.5)), lambda d, t: d.Binomial(3, probs=t(1.5)),
    lambda d, t: d.Geometric(probs=t(0.0)), lambda d, t: d.Cauchy(t(0.0), t(0.0)),
    lambda d, t: d.Gumbel(t(0.0), t(-1.0)), lambda d, t: d.HalfNormal(t(-1.0)), lambda d, t: d.StudentT(t(-1.0)),
    lambda d, t: d.Chi2(t(0.0)), lambda d, t: d.LogNormal(t(0.0), t(0.0)),
    lambda d, t: d.MultivariateNormal(t([0.0, 0.0]), covariance_matrix=t([[1.0, 2.0], [2.0, 1.0]])),
    lambda d, t: d.MultivariateNormal(t([0.0, 0.0]), covariance_matrix=t([[1.0, 0.5], [0.0, 1.0]])),
    lambda d, t: d.MultivariateNormal(t([0.0, 0.0]), scale_tril=t([[1.0, 0.0], [0.0, -1.0]])),
    lambda d, t: d.MultivariateNormal(t([0.0, 0.0])),
    lambda d, t: d.Independent(d.Normal(t([0.0, 1.0]), t(1.0)), 2),
    lambda d, t: d.MixtureSameFamily(d.Categorical(logits=t([0.0, 0.0, 0.0])), d.Normal(t([0.0, 1.0]), t(1.0))),
    lambda d, t: d.Gamma(t(1.0), t(1.0)).log_prob(t(-1.0)), lambda d, t: d.Beta(t(1.0), t(1.0)).log_prob(t(1.5)),
    lambda d, t: d.Poisson(t(1.0)).log_prob(t(1.5)), lambda d, t: d.Binomial(3, probs=t(0.5)).log_prob(t(4.0)),
    lambda d, t: d.Dirichlet(t([1.0, 1.0])).log_prob(t([0.3, 0.3])),
    lambda d, t: d.HalfNormal(t(1.0)).log_prob(t(-1.0)), lambda d, t: d.LogNormal(t(0.0), t(1.0)).log_prob(t(-1.0)),
    lambda d, t: d.Geometric(probs=t(0.5)).log_prob(t(-1.0)), lambda d, t: d.Exponential(t(1.0)).log_prob(t(-1.0)),
    lambda d, t: d.Exponential(t(1.0)).cdf(t(-1.0)), lambda d, t: d.Uniform(t(0.0), t(1.0)).cdf(t(2.0)),
    lambda d, t: d.LogNormal(t(0.0), t(1.0)).cdf(t(-1.0)), lambda d, t: d.HalfCauchy(t(0.0)),
    lambda d, t: d.Weibull(t(1.0), t(-1.0)), lambda d, t: d.Multinomial(3, probs=t([0.5, 0.5])).log_prob(t([3.0, 1.0])),
    lambda d, t: d.Multinomial(3, probs=t([0.5, -0.5])),
]


@pytest.mark.parametrize("make", _INVALID)
def test_invalid_parameters_and_values_raise_value_error_as_torch(make):
    for lib in (zg, torch):
        with pytest.raises(ValueError):
            make(lib.distributions, lib.tensor)


def test_validate_args_false_skips_the_checks():
    values = [lib.distributions.Gamma(lib.tensor(1.0), lib.tensor(2.0), validate_args=False).log_prob(lib.tensor(-1.0))
              for lib in (zg, torch)]
    assert float(values[0]) == float(values[1])
    zg.distributions.Distribution.set_default_validate_args(False)
    try:
        zg.distributions.Poisson(zg.tensor(-1.0))
    finally:
        zg.distributions.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        zg.distributions.Poisson(zg.tensor(-1.0))


def _gamma_cdf_slope_by_torch(alpha, x, step=1e-6):
    """−(∂P/∂α)/p by a central difference of PyTorch's regularised incomplete Gamma function."""
    a, xs = torch.tensor(alpha), torch.tensor(x)
    dp = (torch.special.gammainc(a + step, xs) - torch.special.gammainc(a - step, xs)) / (2 * step)
    density = torch.distributions.Gamma(a, torch.ones_like(a)).log_prob(xs).exp()
    return (-dp / density).numpy()


@pytest.mark.parametrize("alpha", [0.03, 0.7, 1.0, 3.5, 40.0, 900.0])
def test_gamma_rsample_gradient_is_the_implicit_one(alpha):
    zg.manual_seed(3)
    concentration, rate = zg.tensor(np.full(300, alpha), requires_grad=True), zg.tensor(2.0, dtype=zg.float64)
    draws = zg.distributions.Gamma(concentration, rate).rsample()
    draws.sum().backward()
    standard = draws.detach().numpy() * 2.0
    inside = (standard > np.quantile(standard, 0.01)) & (standard < np.quantile(standard, 0.99))
    expected = _gamma_cdf_slope_by_torch(np.full(300, alpha), standard) / 2.0
    np.testing.assert_allclose(concentration.grad.numpy()[inside], expected[inside], rtol=2e-5)
    theirs = torch._standard_gamma_grad(torch.tensor(np.full(300, alpha)), torch.tensor(standard)).numpy() / 2.0
    np.testing.assert_allclose(concentration.grad.numpy(), theirs, rtol=2e-2)


def test_gamma_cdf_gradient_in_the_concentration_matches_finite_differences():
    alpha = zg.tensor([[0.3, 2.0, 7.0], [1.0, 15.0, 60.0]], dtype=zg.float64, requires_grad=True)
    x = np.array([0.5, 2.5, 50.0])
    zg.distributions.Gamma(alpha, 1.0).cdf(zg.tensor(x)).sum().backward()
    a = alpha.detach().numpy()
    step = 1e-6
    expected = (torch.special.gammainc(torch.tensor(a + step), torch.tensor(x))
                - torch.special.gammainc(torch.tensor(a - step), torch.tensor(x))).numpy() / (2 * step)
    np.testing.assert_allclose(alpha.grad.numpy(), expected, rtol=1e-5, atol=1e-12)


def _reparameterised(rng):
    real = lambda *shape: rng.standard_normal(shape)  # noqa: E731
    pos = lambda *shape: rng.random(shape) + 0.5  # noqa: E731
    a = rng.standard_normal((3, 3))
    return {
        "LogNormal": (lambda d, p: d.LogNormal(p[0], p[1]), [real(3), pos(3)]),
        "Cauchy": (lambda d, p: d.Cauchy(p[0], p[1]), [real(3), pos(3)]),
        "Gumbel": (lambda d, p: d.Gumbel(p[0], p[1]), [real(3), pos(3)]),
        "HalfCauchy": (lambda d, p: d.HalfCauchy(p[0]), [pos(3)]),
        "Weibull": (lambda d, p: d.Weibull(p[0], p[1]), [pos(3), pos(3)]),
        "HalfNormal": (lambda d, p: d.HalfNormal(p[0]), [pos(3)]),
        "MultivariateNormal": (lambda d, p: d.MultivariateNormal(p[0], scale_tril=p[1]),
                               [real(3), np.tril(a, -1) + np.diag(pos(3))]),
        "RelaxedBernoulli": (lambda d, p: d.RelaxedBernoulli(p[0], logits=p[1]), [pos(3), real(3)]),
        "RelaxedOneHotCategorical": (lambda d, p: d.RelaxedOneHotCategorical(p[0], logits=p[1]),
                                     [np.array(0.6), real(2, 4)]),
        "Tanh of Normal": (lambda d, p: d.TransformedDistribution(d.Normal(p[0], p[1]),
                                                                  [d.transforms.TanhTransform()]), [real(3), pos(3)]),
        "Independent": (lambda d, p: d.Independent(d.Laplace(p[0], p[1]), 1), [real(3), pos(3)]),
    }


@pytest.mark.parametrize("family", list(_reparameterised(np.random.default_rng(0))))
def test_rsample_gradient_matches_finite_differences_of_reseeded_draws(rng, family):
    make, params = _reparameterised(rng)[family]
    weights = rng.standard_normal(make(zg.distributions, [zg.tensor(p) for p in params]).sample((4,)).shape)

    def loss(values):
        zg.manual_seed(11)
        draws = make(zg.distributions, values).rsample((4,))
        return (draws * zg.tensor(weights)).sum()

    tensors = [zg.tensor(p, requires_grad=True) for p in params]
    loss(tensors).backward()
    step = 1e-6
    for i, p in enumerate(params):
        numeric = np.zeros(p.shape)
        for index in np.ndindex(p.shape):
            if p[index] == 0:  # the zeros above a scale_tril's diagonal stay zero
                continue
            shifted = [[q.copy() for q in params] for _ in range(2)]
            shifted[0][i][index] += step
            shifted[1][i][index] -= step
            numeric[index] = (float(loss([zg.tensor(q) for q in shifted[0]]))
                              - float(loss([zg.tensor(q) for q in shifted[1]]))) / (2 * step)
        moved = p != 0
        np.testing.assert_allclose(tensors[i].grad.numpy()[moved], numeric[moved], rtol=1e-5, atol=1e-6)


def test_samples_have_the_distributions_moments():
    zg.manual_seed(0)
    d, t, n = zg.distributions, zg.tensor, 20000
    cases = [d.Gamma(t([0.3, 2.0, 50.0]), t([1.0, 0.5, 3.0])), d.Chi2(t([1.0, 4.0])), d.Beta(t([0.5, 2.0]), t([0.7, 5.0])),
             d.Dirichlet(t([[0.5, 1.0, 2.0], [3.0, 3.0, 3.0]])), d.StudentT(t([5.0, 10.0]), t([1.0, -1.0]), t([2.0, 0.5])),
             d.Poisson(t([0.5, 4.0, 30.0])), d.Binomial(t([5.0, 20.0]), probs=t([0.3, 0.8])),
             d.Geometric(probs=t([0.2, 0.7])), d.Multinomial(9, probs=t([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]])),
             d.Weibull(t([1.0, 2.0]), t([0.8, 3.0])), d.Gumbel(t([0.0, 2.0]), t([1.0, 0.5])), d.HalfNormal(t([1.0, 2.0])),
             d.LogNormal(t([0.0, 0.5]), t([0.3, 0.5])),
             d.MultivariateNormal(t([1.0, -1.0, 0.0]), t([[2.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 0.5]])),
             d.MixtureSameFamily(d.Categorical(probs=t([0.3, 0.7])), d.Normal(t([-2.0, 2.0]), t([0.5, 1.0])))]
    for dist in cases:
        draws = dist.sample((n,)).numpy().astype(np.float64)
        assert draws.shape == (n,) + tuple(dist.batch_shape) + tuple(dist.event_shape)
        mean, variance = dist.mean.numpy(), dist.variance.numpy()
        assert (np.abs(draws.mean(0) - mean) < 5 * np.sqrt(variance / n)).all(), type(dist).__name__
        np.testing.assert_allclose(draws.var(0), variance, rtol=0.1, err_msg=type(dist).__name__)
    mvn = cases[13]
    np.testing.assert_allclose(np.cov(mvn.sample((n,)).numpy().T), mvn.covariance_matrix.numpy(), atol=0.06)
    relaxed = d.RelaxedOneHotCategorical(t(0.1), probs=t([0.2, 0.3, 0.5])).sample((n,)).numpy()
    np.testing.assert_allclose(relaxed.sum(-1), 1, rtol=1e-5)
    np.testing.assert_allclose(np.bincount(relaxed.argmax(-1), minlength=3) / n, [0.2, 0.3, 0.5], atol=0.02)
    assert abs(np.median(d.Cauchy(t(1.0), t(2.0)).sample((n,)).numpy()) - 1.0) < 0.1


def test_gamma_family_rsample_gradients_are_right_on_average():
    zg.manual_seed(1)
    d, n = zg.distributions, 20000
    alpha, rate = zg.tensor([0.3, 2.0, 50.0], requires_grad=True), zg.tensor([1.0, 0.5, 3.0], requires_grad=True)
    d.Gamma(alpha, rate).rsample((n,)).mean(0).sum().backward()  # E[x] = α/β
    np.testing.assert_allclose(alpha.grad.numpy(), 1 / rate.detach().numpy(), rtol=0.05)
    np.testing.assert_allclose(rate.grad.numpy(), -alpha.detach().numpy() / rate.detach().numpy() ** 2, rtol=0.05)
    a, b = zg.tensor([0.5, 2.0], requires_grad=True), zg.tensor([0.7, 5.0], requires_grad=True)
    d.Beta(a, b).rsample((n,)).mean(0).sum().backward()  # E[x] = a/(a + b)
    total = (a + b).detach().numpy()
    np.testing.assert_allclose(a.grad.numpy(), b.detach().numpy() / total ** 2, rtol=0.05)
    np.testing.assert_allclose(b.grad.numpy(), -a.detach().numpy() / total ** 2, rtol=0.05)
    df = zg.tensor([8.0], requires_grad=True)
    (d.StudentT(df).rsample((n,)) ** 2).mean().backward()  # E[x²] = ν/(ν − 2)
    np.testing.assert_allclose(df.grad.numpy(), -2 / 36, rtol=0.15)


@pytest.mark.parametrize("name", ["ExpTransform", "SigmoidTransform", "TanhTransform", "AffineTransform",
                                  "SoftmaxTransform", "ComposeTransform"])
def test_transforms_match_torch(rng, name):
    x = rng.standard_normal((3, 5))
    results = []
    for lib in (zg, torch):
        t = lib.distributions.transforms
        transform = {"AffineTransform": lambda: t.AffineTransform(lib.tensor(x[0]), -2.5),
                     "ComposeTransform": lambda: t.ComposeTransform([t.AffineTransform(0.3, 2.0), t.TanhTransform()])
                     }.get(name, lambda: getattr(t, name)())()
        xs = lib.tensor(x, requires_grad=True)
        y = transform(xs)
        back = transform.inv(y)
        out = [y, back]
        if name != "SoftmaxTransform":
            out.append(transform.log_abs_det_jacobian(xs, y))
            out.append(transform.inv.log_abs_det_jacobian(y, xs))
        sum(o.sum() for o in out).backward()
        results.append([o.detach().numpy() for o in out] + [xs.grad.numpy()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)


def test_enumerate_support_and_binomial_entropy_match_torch():
    for make in (lambda d, t: d.Bernoulli(probs=t([0.2, 0.5])), lambda d, t: d.Binomial(3, probs=t([0.2, 0.5])),
                 lambda d, t: d.Categorical(logits=t(np.zeros((2, 3)))),
                 lambda d, t: d.OneHotCategorical(logits=t(np.zeros((2, 3))))):
        ours, theirs = make(zg.distributions, zg.tensor), make(torch.distributions, torch.tensor)
        for expand in (True, False):
            a, b = ours.enumerate_support(expand).numpy(), theirs.enumerate_support(expand).numpy()
            assert a.shape == b.shape and a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(zg.distributions.Binomial(6, probs=zg.tensor([0.1, 0.7])).entropy().numpy(),
                               torch.distributions.Binomial(6, probs=torch.tensor([0.1, 0.7])).entropy().numpy(),
                               rtol=1e-6)


def test_every_distribution_states_its_density():
    for name in zg.distributions.__all__:
        thing = getattr(zg.distributions, name)
        if isinstance(thing, type):
            assert thing.__doc__ and len(thing.__doc__) > 40, name
