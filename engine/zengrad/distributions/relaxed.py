"""Continuous relaxations of discrete draws (the Gumbel-softmax / Concrete distributions): as the
temperature τ → 0 a draw approaches a Bernoulli or one-hot Categorical draw, and for τ > 0 it is
differentiable in the logits, so a discrete choice can be trained by backpropagation."""

from __future__ import annotations

import math

from ..ops import logsumexp
from ..ops.activation import softplus
from .base import Distribution, as_tensor, broadcast, finfo, uniform
from .discrete import Bernoulli, Categorical
from .transformed import TransformedDistribution
from .transforms import ExpTransform, SigmoidTransform


class LogitRelaxedBernoulli(Distribution):
    """The logit of a RelaxedBernoulli draw: y = (l + log u − log(1 − u))/τ, u ~ U(0, 1);
    log p(y) = log τ + (l − τy) − 2·softplus(l − τy)."""

    has_rsample = True
    parameters = ("temperature", "probs")

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self._bernoulli = Bernoulli(probs, logits, validate_args)
        self.temperature, self.logits = broadcast(temperature, self._bernoulli.logits)
        self.probs = self._bernoulli.probs.expand(self.logits.shape)
        super().__init__(self.logits.shape, (), validate_args)

    def rsample(self, sample_shape=()):
        eps, tiny = float(finfo(self.logits).eps), float(finfo(self.logits).tiny)
        u = uniform(self._extended(sample_shape), self.logits, tiny).clamp(max=1 - eps)
        return (self.logits + u.log() - (-u).log1p()) / self.temperature

    def log_prob(self, value):
        diff = self.logits - as_tensor(value, self.logits) * self.temperature
        return self.temperature.log() + diff - 2 * softplus(diff)


class _Relaxed(TransformedDistribution):
    """A relaxed distribution's parameters are its base's."""

    has_rsample = True

    @property
    def temperature(self):
        return self.base_dist.temperature

    @property
    def logits(self):
        return self.base_dist.logits

    @property
    def probs(self):
        return self.base_dist.probs


class RelaxedBernoulli(_Relaxed):
    """σ(y), y ~ LogitRelaxedBernoulli(τ, l): a draw in (0, 1) that tends to Bernoulli(σ(l)) as τ → 0;
    log p(x) = log p_logit(logit x) − log x − log(1 − x)."""

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        super().__init__(LogitRelaxedBernoulli(temperature, probs, logits, validate_args), SigmoidTransform(),
                         validate_args)


class ExpRelaxedCategorical(Distribution):
    """The log of a RelaxedOneHotCategorical draw over K classes: y = s − logsumexp(s),
    s = (l + g)/τ with Gumbel noise g = −log(−log u);
    log p(y) = log Γ(K) + (K − 1) log τ + Σ_k (l_k − τy_k) − K·logsumexp_k(l_k − τy_k)."""

    has_rsample = True
    parameters = ("temperature", "probs")
    _unexpanded = ("temperature",)

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits, validate_args)
        self.logits, self.probs = self._categorical.logits, self._categorical.probs
        self.temperature = as_tensor(temperature, self.logits)
        super().__init__(self._categorical.batch_shape, (self._categorical.num_classes,), validate_args)

    def rsample(self, sample_shape=()):
        eps, tiny = float(finfo(self.logits).eps), float(finfo(self.logits).tiny)
        u = uniform(self._extended(sample_shape), self.logits, tiny).clamp(max=1 - eps)
        scores = (self.logits - (-u.log()).log()) / self.temperature
        return scores - logsumexp(scores, -1, keepdim=True)

    def log_prob(self, value):
        k = self.event_shape[0]
        log_scale = math.lgamma(k) + (k - 1) * self.temperature.log()
        score = self.logits - as_tensor(value, self.logits) * self.temperature
        return (score - logsumexp(score, -1, keepdim=True)).sum(-1) + log_scale


class RelaxedOneHotCategorical(_Relaxed):
    """exp(y), y ~ ExpRelaxedCategorical(τ, l): a point of the simplex that tends to a one-hot
    Categorical(softmax(l)) draw as τ → 0 (the Gumbel-softmax);  log p(x) = log p_exp(log x) − Σ_k log x_k."""

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        super().__init__(ExpRelaxedCategorical(temperature, probs, logits, validate_args), ExpTransform(),
                         validate_args)


