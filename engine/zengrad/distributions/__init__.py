"""Probability distributions, as ``torch.distributions``: ``sample``, ``rsample`` (differentiable
through the parameters: the reparameterisation trick, implicit for the Gamma family),
``log_prob``, ``entropy``, ``mean``/``variance``/``stddev``, ``cdf``/``icdf`` where closed-form,
``expand``, transforms and :func:`kl_divergence`.

Every density is written in Tensor ops, so ``log_prob`` and ``entropy`` differentiate with respect
to the parameters (as a VAE's or a policy gradient's loss needs). Draws come from zengrad's global
generator (``manual_seed`` repeats them). Parameters broadcast together into ``batch_shape``;
``sample(sample_shape)`` returns ``sample_shape + batch_shape + event_shape``. Invalid parameters
or values outside the support raise ValueError, as PyTorch's ``validate_args`` does.

Modules: ``base`` (the interface), ``continuous``, ``discrete``, ``gamma`` (Gamma, Chi2, Beta,
Dirichlet, StudentT), ``multivariate``, ``transforms``, ``transformed`` (TransformedDistribution,
LogNormal, Independent, MixtureSameFamily), ``relaxed`` (Gumbel-softmax) and ``kl``."""

from . import transforms
from .base import Distribution
from .continuous import Cauchy, Exponential, Gumbel, HalfCauchy, HalfNormal, Laplace, Normal, Uniform, Weibull
from .discrete import Bernoulli, Binomial, Categorical, Geometric, Multinomial, OneHotCategorical, Poisson
from .gamma import Beta, Chi2, Dirichlet, Gamma, StudentT
from .kl import kl_divergence, register_kl
from .multivariate import MultivariateNormal
from .relaxed import ExpRelaxedCategorical, LogitRelaxedBernoulli, RelaxedBernoulli, RelaxedOneHotCategorical
from .transformed import Independent, LogNormal, MixtureSameFamily, TransformedDistribution
from .transforms import (AffineTransform, ComposeTransform, ExpTransform, SigmoidTransform, SoftmaxTransform,
                         TanhTransform, Transform)

__all__ = ["AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2", "ComposeTransform",
           "Dirichlet", "Distribution", "ExpRelaxedCategorical", "ExpTransform", "Exponential", "Gamma", "Geometric",
           "Gumbel", "HalfCauchy", "HalfNormal", "Independent", "Laplace", "LogNormal", "LogitRelaxedBernoulli",
           "MixtureSameFamily", "Multinomial", "MultivariateNormal", "Normal", "OneHotCategorical", "Poisson", "RelaxedBernoulli",
           "RelaxedOneHotCategorical", "SigmoidTransform", "SoftmaxTransform", "StudentT", "TanhTransform",
           "Transform", "TransformedDistribution", "Uniform", "Weibull", "kl_divergence", "register_kl", "transforms"]
