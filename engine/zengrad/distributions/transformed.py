"""Distributions built from others: TransformedDistribution (y = f(x), x from a base
distribution), LogNormal (eˣ of a Normal), Independent (batch dims read as event dims) and
MixtureSameFamily (a Categorical choice among components of one family)."""

from __future__ import annotations

from ..ops import log_softmax, logsumexp
from ..tensor import Tensor
from .base import Distribution, as_tensor, sum_rightmost
from .continuous import Normal
from .discrete import Categorical
from .transforms import ComposeTransform, ExpTransform, Transform


class TransformedDistribution(Distribution):
    """y = f_n(…f_1(x)), x ~ base:  log p(y) = log p_base(x) − Σ_i log|det J_{f_i}| (the change of
    variables, at the intermediate values);  F(y) = F_base(f⁻¹(y)) for increasing f (1 − that for
    decreasing). ``rsample`` exists when the base has one."""

    def __init__(self, base_distribution: Distribution, transforms, validate_args=None):
        self.base_dist = base_distribution
        self.transforms = [transforms] if isinstance(transforms, Transform) else list(transforms)
        if not all(isinstance(t, Transform) for t in self.transforms):
            raise ValueError("TransformedDistribution: transforms must be Transform instances")
        shape = tuple(base_distribution.batch_shape) + tuple(base_distribution.event_shape)
        event_dim = max([len(base_distribution.event_shape)] + [t.codomain_event_dim for t in self.transforms])
        cut = len(shape) - event_dim
        super().__init__(shape[:cut], shape[cut:], validate_args)

    @property
    def has_rsample(self):
        return self.base_dist.has_rsample

    def _forward(self, x):
        for transform in self.transforms:
            x = transform(x)
        return x

    def rsample(self, sample_shape=()):
        return self._forward(self.base_dist.rsample(sample_shape))

    def sample(self, sample_shape=()):
        return self._forward(self.base_dist.sample(sample_shape)).detach()

    def log_prob(self, value):
        y = as_tensor(value)
        event_dim = len(self.event_shape)
        total = 0
        for transform in reversed(self.transforms):
            x = transform.inv(y)
            event_dim += transform.domain_event_dim - transform.codomain_event_dim
            total = total - sum_rightmost(transform.log_abs_det_jacobian(x, y), event_dim - transform.domain_event_dim)
            y = x
        return total + sum_rightmost(self.base_dist.log_prob(y), event_dim - len(self.base_dist.event_shape))

    def _monotone_sign(self):
        sign = ComposeTransform(self.transforms).sign
        if isinstance(sign, Tensor):
            raise NotImplementedError("cdf/icdf of a transform whose monotonicity varies over the batch")
        return sign

    def cdf(self, value):
        y = as_tensor(value)
        for transform in reversed(self.transforms):
            y = transform.inv(y)
        value = self.base_dist.cdf(y)
        return value if self._monotone_sign() == 1 else 1 - value

    def icdf(self, value):
        value = as_tensor(value)
        x = self.base_dist.icdf(value if self._monotone_sign() == 1 else 1 - value)
        return self._forward(x)


class LogNormal(TransformedDistribution):
    """eˣ for x ~ N(μ, σ²):  log p(y) = log N(log y; μ, σ²) − log y,  mean e^{μ + σ²/2},
    variance (e^{σ²} − 1)e^{2μ + σ²},  H = ½ + ½ log 2π + log σ + μ."""

    has_rsample = True
    parameters = ("loc", "scale")

    def __init__(self, loc, scale, validate_args=None):
        super().__init__(Normal(loc, scale, validate_args=validate_args), ExpTransform(), validate_args)

    @property
    def loc(self):
        return self.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mean(self):
        return (self.loc + self.scale ** 2 / 2).exp()

    @property
    def variance(self):
        return (self.scale ** 2).expm1() * (2 * self.loc + self.scale ** 2).exp()

    @property
    def mode(self):
        return (self.loc - self.scale ** 2).exp()

    def _in_support(self, value):
        return value > 0

    def log_prob(self, value):
        return super().log_prob(self._value(value, self.loc))

    def cdf(self, value):
        return super().cdf(self._value(value, self.loc))

    def entropy(self):
        return self.base_dist.entropy() + self.loc


class Independent(Distribution):
    """The base's last ``reinterpreted_batch_ndims`` batch dims read as event dims:
    log p(x) = Σ over those dims of log p_base(x),  H = Σ H_base (a diagonal Normal over a vector
    is ``Independent(Normal(μ, σ), 1)``)."""

    def __init__(self, base_distribution: Distribution, reinterpreted_batch_ndims: int, validate_args=None):
        batch = tuple(base_distribution.batch_shape)
        if not 0 <= reinterpreted_batch_ndims <= len(batch):
            raise ValueError(f"Independent: reinterpreted_batch_ndims must be in [0, {len(batch)}], "
                             f"got {reinterpreted_batch_ndims}")
        cut = len(batch) - reinterpreted_batch_ndims
        super().__init__(batch[:cut], batch[cut:] + tuple(base_distribution.event_shape), validate_args)
        self.base_dist, self.reinterpreted_batch_ndims = base_distribution, reinterpreted_batch_ndims

    @property
    def has_rsample(self):
        return self.base_dist.has_rsample

    @property
    def mean(self):
        return self.base_dist.mean

    @property
    def mode(self):
        return self.base_dist.mode

    @property
    def variance(self):
        return self.base_dist.variance

    def sample(self, sample_shape=()):
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape=()):
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value):
        return sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self):
        return sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)


class MixtureSameFamily(Distribution):
    """A mixture of K components of one family: pick k ~ Categorical(π) (``mixture_distribution``),
    then x ~ component k (the last batch dim of ``component_distribution``):
    log p(x) = logsumexp_k(log π_k + log p_k(x)),  mean Σ π_k μ_k,
    variance Σ π_k σ²_k + Σ π_k (μ_k − mean)²,  F(x) = Σ π_k F_k(x) (no rsample: the choice is discrete)."""

    def __init__(self, mixture_distribution: Categorical, component_distribution: Distribution, validate_args=None):
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError("MixtureSameFamily: mixture_distribution must be a Categorical")
        components = tuple(component_distribution.batch_shape)
        if not components:
            raise ValueError("MixtureSameFamily: component_distribution needs a batch dim for the components")
        if mixture_distribution.num_classes != components[-1]:
            raise ValueError(f"MixtureSameFamily: {mixture_distribution.num_classes} mixture weights for "
                             f"{components[-1]} components")
        mixture_batch = tuple(mixture_distribution.batch_shape)
        try:
            batch = tuple(mixture_distribution.probs.xp.broadcast_shapes(mixture_batch, components[:-1]))
        except ValueError:
            raise ValueError(f"MixtureSameFamily: mixture batch shape {mixture_batch} and component batch shape "
                             f"{components[:-1]} do not broadcast") from None
        super().__init__(batch, component_distribution.event_shape, validate_args)
        self.mixture_distribution, self.component_distribution = mixture_distribution, component_distribution
        self._event_ndims = len(self.event_shape)

    _unexpanded = ("mixture_distribution", "component_distribution")

    def expand(self, batch_shape, _instance=None):
        batch_shape = tuple(batch_shape)
        new = super().expand(batch_shape)
        new.component_distribution = self.component_distribution.expand(batch_shape + tuple(self.component_distribution.batch_shape[-1:]))
        new.mixture_distribution = self.mixture_distribution.expand(batch_shape)
        return new

    def _weights(self):
        """π with one trailing 1 per event dim, to broadcast against the components' (…, K, event)."""
        probs = self.mixture_distribution.probs
        return probs.reshape(probs.shape + (1,) * self._event_ndims)

    @property
    def mean(self):
        return (self._weights() * self.component_distribution.mean).sum(-1 - self._event_ndims)

    @property
    def variance(self):
        weights, dim = self._weights(), -1 - self._event_ndims
        within = (weights * self.component_distribution.variance).sum(dim)
        between = (weights * (self.component_distribution.mean - self.mean.unsqueeze(dim)) ** 2).sum(dim)
        return within + between

    def _pad(self, value):
        return as_tensor(value).unsqueeze(-1 - self._event_ndims)

    def log_prob(self, value):
        per_component = self.component_distribution.log_prob(self._pad(value))
        return logsumexp(per_component + log_softmax(self.mixture_distribution.logits, -1), -1)

    def cdf(self, value):
        return (self.component_distribution.cdf(self._pad(value)) * self.mixture_distribution.probs).sum(-1)

    def sample(self, sample_shape=()):
        components = self.component_distribution.expand(tuple(self.batch_shape) + tuple(self.component_distribution.batch_shape[-1:]))
        chosen = self.mixture_distribution.expand(self.batch_shape).sample(sample_shape)
        drawn = components.sample(sample_shape)
        dim = -1 - self._event_ndims
        index = chosen.reshape(chosen.shape + (1,) * (1 + self._event_ndims))
        return drawn.gather(dim, index.expand(chosen.shape + (1,) + tuple(self.event_shape))).squeeze(dim)
