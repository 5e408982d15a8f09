"""KL(p ‖ q) = E_p[log p(x) − log q(x)] in closed form, looked up in a table of (type of p, type
of q) pairs that :func:`register_kl` fills; a pair matches through subclasses, the most specific
registered pair winning (as in PyTorch)."""

from __future__ import annotations

import math

from ..linalg import solve_triangular
from ..ops import digamma, lgamma, where
from ..ops.activation import softplus
from .base import EULER_GAMMA, Distribution, sum_rightmost
from .continuous import Cauchy, Exponential, Gumbel, HalfNormal, Laplace, Normal, Uniform
from .discrete import Bernoulli, Binomial, Categorical, Geometric, OneHotCategorical, Poisson
from .gamma import Beta, Dirichlet, Gamma
from .multivariate import MultivariateNormal, _mahalanobis
from .transformed import Independent, TransformedDistribution

_KL_TABLE: dict = {}


def register_kl(type_p, type_q):
    """Decorator: ``@register_kl(P, Q)`` makes the function f(p, q) the KL of a P from a Q."""
    if not (isinstance(type_p, type) and issubclass(type_p, Distribution)
            and isinstance(type_q, type) and issubclass(type_q, Distribution)):
        raise TypeError("register_kl: expected two Distribution subclasses")

    def decorator(fn):
        _KL_TABLE[type_p, type_q] = fn
        return fn
    return decorator


def kl_divergence(p: Distribution, q: Distribution):
    """KL(p ‖ q), from the most specific registered pair (by the distance of each type in the
    class hierarchies); NotImplementedError when no pair matches."""
    matches = [(type(p).__mro__.index(tp) + type(q).__mro__.index(tq), fn) for (tp, tq), fn in _KL_TABLE.items()
               if isinstance(p, tp) and isinstance(q, tq)]
    if not matches:
        raise NotImplementedError(f"kl_divergence: no closed form for {type(p).__name__} and {type(q).__name__}")
    return min(matches, key=lambda match: match[0])[1](p, q)


def _bernoulli_terms(p, q):
    """p log(p/q) + (1 − p) log((1 − p)/(1 − q)) in logits (softplus) form."""
    return p.probs * (softplus(-q.logits) - softplus(-p.logits)) + \
        (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))


@register_kl(Normal, Normal)
def _normal_normal(p, q):
    """log(σq/σp) + (σp² + (μp − μq)²)/(2σq²) − ½."""
    ratio = p.scale / q.scale
    return (ratio ** 2 + ((p.loc - q.loc) / q.scale) ** 2 - 1) / 2 - ratio.log()


@register_kl(Bernoulli, Bernoulli)
def _bernoulli_bernoulli(p, q):
    return _bernoulli_terms(p, q)


@register_kl(Binomial, Binomial)
def _binomial_binomial(p, q):
    """n·KL(Bernoulli(p) ‖ Bernoulli(q)) for equal n; ∞ where q has fewer trials (undefined where more)."""
    if bool((p.total_count < q.total_count).any()):
        raise NotImplementedError("kl_divergence: Binomial with fewer trials than q's")
    return where(p.total_count > q.total_count, math.inf, p.total_count * _bernoulli_terms(p, q))


@register_kl(Categorical, Categorical)
def _categorical_categorical(p, q):
    """Σ_k p_k (log p_k − log q_k) (none between a Categorical and a OneHotCategorical, as in PyTorch)."""
    if isinstance(p, OneHotCategorical) != isinstance(q, OneHotCategorical):
        raise NotImplementedError(f"kl_divergence: no closed form for {type(p).__name__} and {type(q).__name__}")
    return (p.probs * (p.logits - q.logits)).sum(-1)


@register_kl(Exponential, Exponential)
def _exponential_exponential(p, q):
    """λq/λp − log(λq/λp) − 1."""
    ratio = q.rate / p.rate
    return ratio - ratio.log() - 1


@register_kl(Laplace, Laplace)
def _laplace_laplace(p, q):
    ratio = p.scale / q.scale
    distance = (p.loc - q.loc).abs()
    return -ratio.log() + distance / q.scale + ratio * (-distance / p.scale).exp() - 1


@register_kl(Uniform, Uniform)
def _uniform_uniform(p, q):
    """log((bq − aq)/(bp − ap)) when [ap, bp) ⊆ [aq, bq), else ∞."""
    inside = (q.low <= p.low) & (p.high <= q.high)
    return where(inside, ((q.high - q.low) / (p.high - p.low)).log(), math.inf)


@register_kl(Cauchy, Cauchy)
def _cauchy_cauchy(p, q):
    """log((γp + γq)² + (μp − μq)²) − log(4γpγq)."""
    return ((p.scale + q.scale) ** 2 + (p.loc - q.loc) ** 2).log() - (4 * p.scale * q.scale).log()


@register_kl(Gumbel, Gumbel)
def _gumbel_gumbel(p, q):
    ratio, q_loc, p_loc = p.scale / q.scale, q.loc / q.scale, p.loc / q.scale
    return -ratio.log() - q_loc + p_loc + ratio * EULER_GAMMA + (q_loc + lgamma(1 + ratio) - p_loc).exp() - \
        (1 + EULER_GAMMA)


@register_kl(HalfNormal, HalfNormal)
def _halfnormal_halfnormal(p, q):
    """½(r − 1 − log r), r = σp²/σq²."""
    ratio = (p.scale / q.scale) ** 2
    return 0.5 * (ratio - 1 - ratio.log())


@register_kl(Poisson, Poisson)
def _poisson_poisson(p, q):
    """λp (log λp − log λq) − (λp − λq)."""
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(Geometric, Geometric)
def _geometric_geometric(p, q):
    """−H(p) − E_p[k]·log(1 − q) − log q, with E_p[k] = 1/p − 1 (written as −H − log(1 − q)/p − logit q)."""
    return -p.entropy() - (-q.probs).log1p() / p.probs - q.logits


@register_kl(Gamma, Gamma)
def _gamma_gamma(p, q):
    """αq log(βp/βq) + log Γ(αq) − log Γ(αp) + (αp − αq)ψ(αp) + (βq − βp)αp/βp."""
    return q.concentration * (p.rate / q.rate).log() + lgamma(q.concentration) - lgamma(p.concentration) + \
        (p.concentration - q.concentration) * digamma(p.concentration) + \
        (q.rate - p.rate) * (p.concentration / p.rate)


@register_kl(Beta, Beta)
def _beta_beta(p, q):
    """log B(aq, bq) − log B(ap, bp) + (ap − aq)ψ(ap) + (bp − bq)ψ(bp) + (aq + bq − ap − bp)ψ(ap + bp)."""
    total_p = p.concentration1 + p.concentration0
    total_q = q.concentration1 + q.concentration0
    return lgamma(q.concentration1) + lgamma(q.concentration0) + lgamma(total_p) - \
        (lgamma(p.concentration1) + lgamma(p.concentration0) + lgamma(total_q)) + \
        (p.concentration1 - q.concentration1) * digamma(p.concentration1) + \
        (p.concentration0 - q.concentration0) * digamma(p.concentration0) + \
        (total_q - total_p) * digamma(total_p)


@register_kl(Dirichlet, Dirichlet)
def _dirichlet_dirichlet(p, q):
    """log Γ(α₀p) − log Γ(α₀q) − Σ(log Γ(αp) − log Γ(αq)) + Σ(αp − αq)(ψ(αp) − ψ(α₀p))."""
    total_p, total_q = p.concentration.sum(-1), q.concentration.sum(-1)
    return lgamma(total_p) - lgamma(total_q) - (lgamma(p.concentration) - lgamma(q.concentration)).sum(-1) + \
        ((p.concentration - q.concentration) * (digamma(p.concentration) - digamma(total_p).unsqueeze(-1))).sum(-1)


@register_kl(MultivariateNormal, MultivariateNormal)
def _mvn_mvn(p, q):
    """Σ log diag Lq − Σ log diag Lp + ½(‖Lq⁻¹Lp‖²_F + ‖Lq⁻¹(μq − μp)‖² − k)."""
    if p.event_shape != q.event_shape:
        raise ValueError("kl_divergence: MultivariateNormals of different sizes")
    k = p.event_shape[0]
    half_log_dets = q._half_log_det() - p._half_log_det()
    shape = tuple(p.loc.xp.broadcast_shapes(p._unbroadcasted_scale_tril.shape[:-2], q._unbroadcasted_scale_tril.shape[:-2]))
    solved = solve_triangular(q._unbroadcasted_scale_tril.expand(shape + (k, k)),
                              p._unbroadcasted_scale_tril.expand(shape + (k, k)), upper=False)
    trace = (solved ** 2).sum((-2, -1))
    return half_log_dets + 0.5 * (trace + _mahalanobis(q._unbroadcasted_scale_tril, q.loc - p.loc) - k)


@register_kl(Independent, Independent)
def _independent_independent(p, q):
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError("kl_divergence: Independents reinterpreting different numbers of dims")
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


@register_kl(TransformedDistribution, TransformedDistribution)
def _transformed_transformed(p, q):
    """KL is invariant under one bijection applied to both: KL of the bases."""
    if p.transforms != q.transforms or p.event_shape != q.event_shape:
        raise NotImplementedError("kl_divergence: transformed distributions with different transforms")
    extra = len(p.event_shape) - len(p.base_dist.event_shape)
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist), extra)
