"""The Gamma family and what is built from Gamma draws: Gamma, Chi2, Beta, Dirichlet and StudentT.

Their draws come from NumPy's Gamma sampler (zengrad's generator). ``rsample`` is differentiable
with respect to the concentration α through *implicit reparameterisation*: a draw x of
Gamma(α, 1) satisfies F(x; α) = u for a fixed uniform u, so

    dx/dα = −(∂F/∂α)(x; α) / p(x; α),

where F is the regularised lower incomplete Gamma function P(α, x) and p the density. P comes
from its power series below x = α + 1 and from the continued fraction of Q = 1 − P above, both in
log space (so the tails keep their relative precision); ∂P/∂α is a central difference of those
(step 10⁻⁵·max(α, 1), about 10⁻⁹ relative error in float64). Beta and Dirichlet draws are
normalised Gamma draws, StudentT's a Normal over the root of a Chi2, so their ``rsample`` carry
the same gradients."""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Function
from ..creation import generator
from ..ops import digamma, lgamma, stack, where, xlogy
from ..tensor import Tensor
from .base import Distribution, broadcast, finfo, standard_normal


def _lgamma(a: np.ndarray) -> np.ndarray:
    return lgamma(Tensor(a))._data


def _log_lower(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log P(a, x) = a log x − x − log Γ(a + 1) + log Σ_n xⁿ/((a + 1)⋯(a + n)); for x < a + 1 the
    terms shrink from the first on."""
    term, total = np.ones_like(x), np.ones_like(x)
    for n in range(1, 100_000):
        term = term * x / (a + n)
        total = total + term
        if not (term > total * 1e-17).any():
            break
    return a * np.log(x) - x - _lgamma(a + 1) + np.log(total)


def _log_upper(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log Q(a, x) = a log x − x − log Γ(a) + log CF, CF = 1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − ⋯))
    evaluated by Lentz's method (converges fast for x ≥ a + 1)."""
    tiny = 1e-300
    b = x + 1 - a
    c = np.full_like(x, 1 / tiny)
    d = 1 / b
    h = d.copy()
    for i in range(1, 10_000):
        an = -i * (i - a)
        b = b + 2
        d = an * d + b
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1 / d
        step = d * c
        h = h * step
        if not (np.abs(step - 1) > 1e-15).any():
            break
    return a * np.log(x) - x - _lgamma(a) + np.log(h)


def regularized_gamma(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(a, x) = γ(a, x)/Γ(a), the CDF of Gamma(a, 1) at x (float64 arrays, x ≥ 0)."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    out = np.zeros(a.shape)
    lower, upper = (x > 0) & (x < a + 1), x >= a + 1
    out[lower] = np.exp(_log_lower(a[lower], x[lower]))
    out[upper] = -np.expm1(_log_upper(a[upper], x[upper]))
    return out


def gamma_cdf_slope(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """(∂P/∂a)(a, x) / p(x; a): a central difference in a of log P (below a + 1) or log Q
    (above), each divided by the density in log space. −1 times this is dx/da."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    out = np.zeros(a.shape)
    for region, log_f, sign in ((x > 0) & (x < a + 1), _log_lower, 1.0), (x >= a + 1, _log_upper, -1.0):
        ar, xr = a[region], x[region]
        step = 1e-5 * np.maximum(ar, 1.0)
        step = np.minimum(step, ar / 2)
        log_density = (ar - 1) * np.log(xr) - xr - _lgamma(ar)
        above, below = np.exp(log_f(ar + step, xr) - log_density), np.exp(log_f(ar - step, xr) - log_density)
        out[region] = sign * (above - below) / (2 * step)
    return out


class StandardGamma(Function):
    """x ~ Gamma(α, 1), drawn from NumPy's sampler (kept ≥ the dtype's tiny, as PyTorch does);
    ∂x/∂α = −(∂P/∂α)(α, x)/p(x; α), the implicit reparameterisation gradient."""

    def __init__(self, device: str = "cpu"):
        self.device = device

    def forward(self, alpha):
        drawn = generator(self.device).standard_gamma(np.asarray(alpha, np.float64))
        return np.maximum(drawn, np.finfo(alpha.dtype).tiny).astype(alpha.dtype)

    def backward(self, g):
        alpha = self.inputs[0]._data
        slope = -gamma_cdf_slope(alpha, self.out_data).astype(alpha.dtype)
        return g * Tensor(slope)


class RegularizedGamma(Function):
    """P(α, x), the regularised lower incomplete Gamma function;  ∂P/∂x = p(x; α) = x^{α−1}e^{−x}/Γ(α),
    ∂P/∂α by the central difference of :func:`gamma_cdf_slope`."""

    def forward(self, alpha, x):
        return regularized_gamma(alpha, np.maximum(x, 0)).astype(alpha.dtype)

    def backward(self, g):
        alpha, x = (t.detach() for t in self.inputs)
        inside = x > 0
        density = where(inside, (xlogy(alpha - 1, x) - x - lgamma(alpha)).exp(), 0.0)
        slope = Tensor(gamma_cdf_slope(alpha._data, np.maximum(x._data, 0)).astype(alpha.dtype))
        return g * density * slope, g * density


class Gamma(Distribution):
    """Gamma(α, β) (concentration α, rate β):  log p(x) = α log β + (α − 1) log x − βx − log Γ(α),
    mean α/β,  variance α/β²,  H = α − log β + log Γ(α) + (1 − α)ψ(α),  F(x) = P(α, βx);
    rsample = StandardGamma(α)/β (implicit reparameterisation in α)."""

    has_rsample = True
    parameters = ("concentration", "rate")

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast(concentration, rate)
        super().__init__(self.concentration.shape, (), validate_args)
        self._check(self.concentration > 0, "concentration must be positive")
        self._check(self.rate > 0, "rate must be positive")

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate ** 2

    def _in_support(self, value):
        return value >= 0

    def rsample(self, sample_shape=()):
        shape = self._extended(sample_shape)
        return StandardGamma.apply(self.concentration.expand(shape), device=self.concentration.device) / \
            self.rate.expand(shape)

    def log_prob(self, value):
        value = self._value(value, self.concentration)
        alpha, rate = self.concentration, self.rate
        return xlogy(alpha, rate) + xlogy(alpha - 1, value) - rate * value - lgamma(alpha)

    def entropy(self):
        alpha = self.concentration
        return alpha - self.rate.log() + lgamma(alpha) + (1 - alpha) * digamma(alpha)

    def cdf(self, value):
        x = self.rate * self._value(value, self.concentration)
        shape = tuple(np.broadcast_shapes(x.shape, self.concentration.shape))
        return RegularizedGamma.apply(self.concentration.expand(shape), x.expand(shape))


class Chi2(Gamma):
    """χ²(k) = Gamma(k/2, ½):  log p(x) = (k/2 − 1) log x − x/2 − (k/2) log 2 − log Γ(k/2),
    mean k,  variance 2k."""

    parameters = ("df",)

    def __init__(self, df, validate_args=None):
        (df,) = broadcast(df)
        super().__init__(0.5 * df, 0.5, validate_args)

    @property
    def df(self):
        return self.concentration * 2


class Dirichlet(Distribution):
    """Dirichlet(α) on the simplex (the last dim, K entries):
    log p(x) = Σ_k (α_k − 1) log x_k + log Γ(α₀) − Σ_k log Γ(α_k), α₀ = Σ_k α_k,
    mean α/α₀,  variance α(α₀ − α)/(α₀²(α₀ + 1)),
    H = Σ log Γ(α_k) − log Γ(α₀) − (K − α₀)ψ(α₀) − Σ (α_k − 1)ψ(α_k);  rsample = g/Σg, g_k ~ Gamma(α_k, 1)."""

    has_rsample = True
    parameters = ("concentration",)

    def __init__(self, concentration, validate_args=None):
        (concentration,) = broadcast(concentration)
        if concentration.ndim < 1:
            raise ValueError("Dirichlet: concentration must have at least one dim")
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args)
        self._check(concentration > 0, "concentration must be positive")
        self.concentration = concentration

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self):
        """(α − 1)₊ normalised; where every α < 1 the density is unbounded at every vertex: the
        first one (as PyTorch)."""
        excess = (self.concentration - 1).clamp(min=0)
        interior = excess / excess.sum(-1, keepdim=True).clamp(min=float(finfo(excess).tiny))
        first = (self.concentration.xp.arange(self.concentration.shape[-1]) == 0).astype(self.concentration.dtype)
        return where((self.concentration < 1).all(-1, keepdim=True), Tensor(first), interior)

    @property
    def variance(self):
        total = self.concentration.sum(-1, keepdim=True)
        return self.concentration * (total - self.concentration) / (total ** 2 * (total + 1))

    def _in_support(self, value):
        tolerance = float(finfo(value).eps) ** 0.5
        return (value >= 0).all(-1) & ((value.sum(-1) - 1).abs() <= tolerance * value.shape[-1])

    def rsample(self, sample_shape=()):
        shape = self._extended(sample_shape)
        drawn = StandardGamma.apply(self.concentration.expand(shape), device=self.concentration.device)
        tiny = float(finfo(drawn).tiny)
        return (drawn / drawn.sum(-1, keepdim=True)).clamp(min=tiny, max=1 - float(finfo(drawn).eps))

    def log_prob(self, value):
        value = self._value(value, self.concentration)
        alpha = self.concentration
        return xlogy(alpha - 1, value).sum(-1) + lgamma(alpha.sum(-1)) - lgamma(alpha).sum(-1)

    def entropy(self):
        alpha = self.concentration
        total, k = alpha.sum(-1), alpha.shape[-1]
        return lgamma(alpha).sum(-1) - lgamma(total) - (k - total) * digamma(total) - \
            ((alpha - 1) * digamma(alpha)).sum(-1)


class Beta(Distribution):
    """Beta(a, b) (``concentration1`` a, ``concentration0`` b) on [0, 1]:
    log p(x) = (a − 1) log x + (b − 1) log(1 − x) − log B(a, b),  mean a/(a + b),
    variance ab/((a + b)²(a + b + 1)),  H = log B(a, b) − (a − 1)ψ(a) − (b − 1)ψ(b) + (a + b − 2)ψ(a + b);
    the first coordinate of a Dirichlet((a, b)) draw."""

    has_rsample = True
    parameters = ("concentration1", "concentration0")

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast(concentration1, concentration0)
        super().__init__(self.concentration1.shape, (), validate_args)
        self._check(self.concentration1 > 0, "concentration1 must be positive")
        self._check(self.concentration0 > 0, "concentration0 must be positive")

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def variance(self):
        a, b = self.concentration1, self.concentration0
        return a * b / ((a + b) ** 2 * (a + b + 1))

    def _in_support(self, value):
        return (value >= 0) & (value <= 1)

    @property
    def mode(self):
        return Dirichlet(stack([self.concentration1, self.concentration0], -1), validate_args=False).mode[..., 0]

    def _log_normaliser(self):
        a, b = self.concentration1, self.concentration0
        return lgamma(a) + lgamma(b) - lgamma(a + b)

    def rsample(self, sample_shape=()):
        pair = Dirichlet(stack([self.concentration1, self.concentration0], -1), validate_args=False)
        return pair.rsample(sample_shape)[..., 0]

    def log_prob(self, value):
        value = self._value(value, self.concentration1)
        a, b = self.concentration1, self.concentration0
        return xlogy(a - 1, value) + xlogy(b - 1, 1 - value) - self._log_normaliser()

    def entropy(self):
        a, b = self.concentration1, self.concentration0
        return self._log_normaliser() - (a - 1) * digamma(a) - (b - 1) * digamma(b) + (a + b - 2) * digamma(a + b)


class StudentT(Distribution):
    """Student's t (df ν, loc μ, scale σ):  log p(x) = −(ν + 1)/2 · log(1 + z²/ν) − log σ − ½ log ν
    − ½ log π − log Γ(ν/2) + log Γ((ν + 1)/2), z = (x − μ)/σ;  mean μ (ν > 1, else NaN),
    variance σ²ν/(ν − 2) (ν > 2; ∞ for 1 < ν ≤ 2; NaN below);
    H = log σ + (ν + 1)/2 · (ψ((ν + 1)/2) − ψ(ν/2)) + ½ log ν + log B(ν/2, ½);  rsample = μ + σ·ε/√(c/ν),
    ε ~ N(0, 1), c ~ χ²(ν)."""

    has_rsample = True
    parameters = ("df", "loc", "scale")

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast(df, loc, scale)
        super().__init__(self.df.shape, (), validate_args)
        self._check(self.df > 0, "df must be positive")
        self._check(self.scale > 0, "scale must be positive")

    @property
    def mean(self):
        return where(self.df > 1, self.loc, math.nan)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        finite = self.scale ** 2 * self.df / (self.df - 2).clamp(min=float(finfo(self.df).tiny))
        return where(self.df > 2, finite, where(self.df > 1, math.inf, math.nan))

    def rsample(self, sample_shape=()):
        noise = standard_normal(self._extended(sample_shape), self.loc)
        chi2 = Chi2(self.df, validate_args=False).rsample(sample_shape)
        return self.loc + self.scale * noise * (chi2 / self.df).rsqrt()

    def log_prob(self, value):
        z = (self._value(value, self.loc) - self.loc) / self.scale
        df = self.df
        normaliser = self.scale.log() + 0.5 * df.log() + 0.5 * math.log(math.pi) + lgamma(0.5 * df) - lgamma(0.5 * (df + 1))
        return -0.5 * (df + 1) * (z ** 2 / df).log1p() - normaliser

    def entropy(self):
        df = self.df
        log_beta = lgamma(0.5 * df) + math.lgamma(0.5) - lgamma(0.5 * (df + 1))
        return self.scale.log() + 0.5 * (df + 1) * (digamma(0.5 * (df + 1)) - digamma(0.5 * df)) + \
            0.5 * df.log() + log_beta


