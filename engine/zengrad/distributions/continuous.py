"""Continuous distributions with closed-form everything: Normal, Laplace, Cauchy, Gumbel,
HalfNormal, HalfCauchy, Weibull, Exponential and Uniform. Each ``rsample`` pushes parameter-free noise through a
differentiable map of the parameters (the reparameterisation trick); ``icdf`` is that map's
inverse-CDF form."""

from __future__ import annotations

import math

from ..ops import clamp, where
from .base import EULER_GAMMA, HALF_LOG_2PI, Distribution, as_tensor, broadcast, finfo, standard_normal, uniform


class _LocationScale(Distribution):
    """A family of densities f((x − μ)/b)/b: a location μ (``loc``) and a positive scale b."""

    has_rsample = True
    parameters = ("loc", "scale")

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast(loc, scale)
        super().__init__(self.loc.shape, (), validate_args)
        self._check(self.scale > 0, "scale must be positive")

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    def _standardised(self, value):
        return (as_tensor(value, self.loc) - self.loc) / self.scale


class Normal(_LocationScale):
    """N(μ, σ²):  log p(x) = −(x − μ)²/(2σ²) − log σ − ½ log 2π,  H = ½ + ½ log 2π + log σ,
    F(x) = ½(1 + erf((x − μ)/(σ√2))),  rsample = μ + σε with ε ~ N(0, 1)."""

    @property
    def variance(self):
        return self.scale ** 2

    @property
    def stddev(self):
        return self.scale

    def rsample(self, sample_shape=()):
        return self.loc + self.scale * standard_normal(self._extended(sample_shape), self.loc)

    def log_prob(self, value):
        value = self._value(value, self.loc)
        return -((value - self.loc) ** 2) / (2 * self.variance) - self.scale.log() - HALF_LOG_2PI

    def entropy(self):
        return 0.5 + HALF_LOG_2PI + self.scale.log()

    def cdf(self, value):
        return 0.5 * (1 + (self._standardised(value) / math.sqrt(2)).erf())

    def icdf(self, value):
        return self.loc + self.scale * (2 * as_tensor(value, self.loc) - 1).erfinv() * math.sqrt(2)


class Laplace(_LocationScale):
    """Laplace(μ, b):  log p(x) = −|x − μ|/b − log 2b,  H = 1 + log 2b,
    F(x) = ½ − ½ sign(x − μ)(e^{−|x − μ|/b} − 1);  rsample = μ − b·sign(u)·log(1 − |u|), u ~ U(−1, 1)."""

    @property
    def variance(self):
        return 2 * self.scale ** 2

    def rsample(self, sample_shape=()):
        lowest = float(finfo(self.loc).eps) - 1  # keeps log1p(−|u|) finite
        u = (uniform(self._extended(sample_shape), self.loc) * 2 - 1).clamp(min=lowest)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value):
        return -(self._value(value, self.loc) - self.loc).abs() / self.scale - (2 * self.scale).log()

    def entropy(self):
        return 1 + (2 * self.scale).log()

    def cdf(self, value):
        z = self._standardised(value)
        return 0.5 - 0.5 * z.sign() * (-z.abs()).expm1()

    def icdf(self, value):
        term = as_tensor(value, self.loc) - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()


class Cauchy(_LocationScale):
    """Cauchy(μ, γ):  log p(x) = −log π − log γ − log(1 + z²), z = (x − μ)/γ,  H = log 4πγ,
    F(x) = ½ + atan(z)/π;  no mean (NaN) or variance (∞);  rsample = μ + γ·tan(π(u − ½))."""

    @property
    def mean(self):
        return self.loc * math.nan

    @property
    def variance(self):
        return self.scale * 0 + math.inf

    def rsample(self, sample_shape=()):
        u = uniform(self._extended(sample_shape), self.loc)
        return self.loc + self.scale * (math.pi * (u - 0.5)).tan()

    def log_prob(self, value):
        z = (self._value(value, self.loc) - self.loc) / self.scale
        return -math.log(math.pi) - self.scale.log() - (z ** 2).log1p()

    def entropy(self):
        return math.log(4 * math.pi) + self.scale.log()

    def cdf(self, value):
        return self._standardised(value).atan() / math.pi + 0.5

    def icdf(self, value):
        return self.loc + self.scale * (math.pi * (as_tensor(value, self.loc) - 0.5)).tan()


class Gumbel(_LocationScale):
    """Gumbel(μ, β), the law of a maximum:  log p(x) = −z − e^{−z} − log β, z = (x − μ)/β,
    F(x) = exp(−e^{−z}),  mean μ + βγ (γ Euler's constant),  variance π²β²/6,  H = log β + 1 + γ;
    rsample = μ − β log(−log u)."""

    @property
    def mean(self):
        return self.loc + self.scale * EULER_GAMMA

    @property
    def variance(self):
        return (math.pi ** 2 / 6) * self.scale ** 2

    @property
    def stddev(self):
        return (math.pi / math.sqrt(6)) * self.scale

    def rsample(self, sample_shape=()):
        tiny, eps = float(finfo(self.loc).tiny), float(finfo(self.loc).eps)
        u = uniform(self._extended(sample_shape), self.loc, tiny).clamp(max=1 - eps)
        return self.loc - self.scale * (-u.log()).log()

    def log_prob(self, value):
        z = (self.loc - self._value(value, self.loc)) / self.scale
        return (z - z.exp()) - self.scale.log()

    def entropy(self):
        return self.scale.log() + (1 + EULER_GAMMA)

    def cdf(self, value):
        return (-(-self._standardised(value)).exp()).exp()

    def icdf(self, value):
        return self.loc - self.scale * (-as_tensor(value, self.loc).log()).log()


class HalfNormal(Distribution):
    """|X| for X ~ N(0, σ²):  log p(x) = log 2 − x²/(2σ²) − log σ − ½ log 2π on x ≥ 0,
    mean σ√(2/π),  variance σ²(1 − 2/π),  H = ½ log(πσ²/2) + ½,  F(x) = erf(x/(σ√2))."""

    has_rsample = True
    parameters = ("scale",)

    def __init__(self, scale, validate_args=None):
        (self.scale,) = broadcast(scale)
        super().__init__(self.scale.shape, (), validate_args)
        self._check(self.scale > 0, "scale must be positive")

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def mode(self):
        return self.scale * 0

    @property
    def variance(self):
        return self.scale ** 2 * (1 - 2 / math.pi)

    def _in_support(self, value):
        return value >= 0

    def rsample(self, sample_shape=()):
        return (self.scale * standard_normal(self._extended(sample_shape), self.scale)).abs()

    def log_prob(self, value):
        value = self._value(value, self.scale)
        inside = -(value ** 2) / (2 * self.scale ** 2) - self.scale.log() - HALF_LOG_2PI + math.log(2)
        return where(value >= 0, inside, -math.inf)

    def entropy(self):
        return 0.5 + HALF_LOG_2PI + self.scale.log() - math.log(2)

    def cdf(self, value):
        return (self._value(value, self.scale) / (self.scale * math.sqrt(2))).erf()

    def icdf(self, value):
        return self.scale * as_tensor(value, self.scale).erfinv() * math.sqrt(2)


class HalfCauchy(Distribution):
    """|X| for X ~ Cauchy(0, γ):  log p(x) = log 2 − log π − log γ − log(1 + (x/γ)²) on x ≥ 0,
    F(x) = (2/π) atan(x/γ),  H = log 2πγ;  no finite mean or variance (∞)."""

    has_rsample = True
    parameters = ("scale",)

    def __init__(self, scale, validate_args=None):
        (self.scale,) = broadcast(scale)
        super().__init__(self.scale.shape, (), validate_args)
        self._check(self.scale > 0, "scale must be positive")

    @property
    def mean(self):
        return self.scale * 0 + math.inf

    @property
    def mode(self):
        return self.scale * 0

    @property
    def variance(self):
        return self.scale * 0 + math.inf

    def _in_support(self, value):
        return value >= 0

    def rsample(self, sample_shape=()):
        u = uniform(self._extended(sample_shape), self.scale)
        return (self.scale * (math.pi * (u - 0.5)).tan()).abs()

    def log_prob(self, value):
        value = self._value(value, self.scale)
        inside = math.log(2 / math.pi) - self.scale.log() - ((value / self.scale) ** 2).log1p()
        return where(value >= 0, inside, -math.inf)

    def entropy(self):
        return math.log(2 * math.pi) + self.scale.log()

    def cdf(self, value):
        return (self._value(value, self.scale) / self.scale).atan() * (2 / math.pi)

    def icdf(self, value):
        return self.scale * (math.pi / 2 * as_tensor(value, self.scale)).tan()


class Weibull(Distribution):
    """Weibull(λ, k) (``scale`` λ, ``concentration`` k):  log p(x) = log(k/λ) + (k − 1) log(x/λ) − (x/λ)^k
    on x ≥ 0,  F(x) = 1 − e^{−(x/λ)^k},  mean λΓ(1 + 1/k),  variance λ²(Γ(1 + 2/k) − Γ(1 + 1/k)²),
    H = γ(1 − 1/k) + log(λ/k) + 1;  rsample = λ(−log(1 − u))^{1/k}."""

    has_rsample = True
    parameters = ("scale", "concentration")

    def __init__(self, scale, concentration, validate_args=None):
        self.scale, self.concentration = broadcast(scale, concentration)
        super().__init__(self.scale.shape, (), validate_args)
        self._check(self.scale > 0, "scale must be positive")
        self._check(self.concentration > 0, "concentration must be positive")

    @property
    def mean(self):
        return self.scale * (1 + 1 / self.concentration).lgamma().exp()

    @property
    def mode(self):
        k = self.concentration
        return self.scale * ((k - 1) / k) ** (1 / k)

    @property
    def variance(self):
        k = self.concentration
        return self.scale ** 2 * ((1 + 2 / k).lgamma().exp() - (1 + 1 / k).lgamma().exp() ** 2)

    def _in_support(self, value):
        return value >= 0

    def rsample(self, sample_shape=()):
        u = uniform(self._extended(sample_shape), self.scale)
        return self.scale * (-(-u).log1p()) ** (1 / self.concentration)

    def log_prob(self, value):
        z = self._value(value, self.scale) / self.scale
        k = self.concentration
        return (k / self.scale).log() + (k - 1) * z.log() - z ** k

    def entropy(self):
        k = self.concentration
        return EULER_GAMMA * (1 - 1 / k) + (self.scale / k).log() + 1

    def cdf(self, value):
        return 1 - (-(self._value(value, self.scale) / self.scale) ** self.concentration).exp()

    def icdf(self, value):
        return self.scale * (-(-as_tensor(value, self.scale)).log1p()) ** (1 / self.concentration)


class Exponential(Distribution):
    """Exponential(λ):  log p(x) = log λ − λx on x ≥ 0,  H = 1 − log λ,  F(x) = 1 − e^{−λx};
    rsample = −log(1 − u)/λ."""

    has_rsample = True
    parameters = ("rate",)

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast(rate)
        super().__init__(self.rate.shape, (), validate_args)
        self._check(self.rate > 0, "rate must be positive")

    @property
    def mean(self):
        return 1 / self.rate

    @property
    def mode(self):
        return self.rate * 0

    @property
    def variance(self):
        return self.rate ** -2

    @property
    def stddev(self):
        return 1 / self.rate

    def _in_support(self, value):
        return value >= 0

    def rsample(self, sample_shape=()):
        return -(-uniform(self._extended(sample_shape), self.rate)).log1p() / self.rate

    def log_prob(self, value):
        return self.rate.log() - self.rate * self._value(value, self.rate)

    def entropy(self):
        return 1 - self.rate.log()

    def cdf(self, value):
        return 1 - (-self.rate * self._value(value, self.rate)).exp()

    def icdf(self, value):
        return -(-as_tensor(value, self.rate)).log1p() / self.rate


class Uniform(Distribution):
    """Uniform on [a, b):  log p(x) = −log(b − a) inside,  H = log(b − a),  F(x) = (x − a)/(b − a)
    clamped to [0, 1];  rsample = a + (b − a)·u."""

    has_rsample = True
    parameters = ("low", "high")

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast(low, high)
        super().__init__(self.low.shape, (), validate_args)
        self._check(self.low < self.high, "low must be below high")

    @property
    def mean(self):
        return (self.low + self.high) / 2

    @property
    def mode(self):
        return self.low * math.nan

    @property
    def variance(self):
        return (self.high - self.low) ** 2 / 12

    @property
    def stddev(self):
        return (self.high - self.low) / 12 ** 0.5

    def _in_support(self, value):
        return (value >= self.low) & (value < self.high)

    def rsample(self, sample_shape=()):
        return self.low + (self.high - self.low) * uniform(self._extended(sample_shape), self.low)

    def log_prob(self, value):
        value = self._value(value, self.low)
        inside = (value >= self.low) & (value < self.high)
        return where(inside, -(self.high - self.low).log(), -math.inf)

    def entropy(self):
        return (self.high - self.low).log()

    def cdf(self, value):
        return clamp((self._value(value, self.low) - self.low) / (self.high - self.low), 0.0, 1.0)

    def icdf(self, value):
        return self.low + as_tensor(value, self.low) * (self.high - self.low)
