"""Probability distributions, as ``torch.distributions``: the ones a course meets first — Normal,
Uniform, Laplace, Exponential, Bernoulli, Categorical and OneHotCategorical — with ``sample``,
``rsample`` (differentiable through the parameters: the reparameterisation trick), ``log_prob``,
``entropy``, ``mean``/``variance``/``stddev``, ``cdf`` where it is closed-form, and
:func:`kl_divergence` between two of one family.

Every density is written in Tensor ops, so ``log_prob`` and ``entropy`` differentiate with
respect to the parameters (as a VAE's or a policy gradient's loss needs). Draws come from
zengrad's global generator (``manual_seed`` repeats them). Parameters broadcast together into
``batch_shape``; ``sample(sample_shape)`` returns ``sample_shape + batch_shape + event_shape``.
Invalid parameters or values raise ValueError, as PyTorch's ``validate_args`` does.

Formulas (x a value; for Normal μ, σ; Laplace μ, b; Exponential λ; Uniform [a, b)):

    Normal        log p = −(x − μ)²/(2σ²) − log σ − ½ log 2π      H = ½ + ½ log 2π + log σ
                  rsample = μ + σ·ε, ε ~ N(0, 1)
                  KL(p‖q) = log(σq/σp) + (σp² + (μp − μq)²)/(2σq²) − ½
    Laplace       log p = −|x − μ|/b − log 2b                      H = 1 + log 2b
    Exponential   log p = log λ − λx                               H = 1 − log λ,  rsample = −log(1 − u)/λ
    Uniform       log p = −log(b − a) inside                       H = log(b − a),  rsample = a + (b − a)·u
    Bernoulli     log p = x·log p + (1 − x)·log(1 − p), from logits l: −softplus(−l)·x − softplus(l)·(1 − x)
    Categorical   log p(k) = log_softmax(l)_k                      H = −Σ p_k log p_k
"""

from __future__ import annotations

import math

from .creation import generator
from .ops import clamp, log_softmax, sigmoid, where
from .ops.activation import softplus
from .tensor import Tensor


def _tensor(value, like: Tensor | None = None) -> Tensor:
    """A parameter or value as a float tensor in ``like``'s dtype (without ``like``: its own float
    dtype, or the default one for numbers and integers)."""
    if not isinstance(value, Tensor):
        from .creation import tensor
        value = tensor(float(value)) if isinstance(value, (int, float)) else tensor(value)
    if like is not None and value.dtype != like.dtype:
        return value.to(like.dtype)
    return value if value.dtype.kind == "f" else value.float()


def _broadcast(*values) -> list[Tensor]:
    """The parameters as tensors of one dtype, expanded to their common (batch) shape."""
    like = next((v for v in values if isinstance(v, Tensor) and v.dtype.kind == "f"), None)
    tensors = [_tensor(v, like) for v in values]
    shape = tuple(tensors[0].xp.broadcast_shapes(*(t.shape for t in tensors)))
    return [t.expand(shape) if t.shape != shape else t for t in tensors]


class Distribution:
    """The common interface: ``batch_shape``, ``event_shape``, ``sample``, ``rsample``,
    ``log_prob``, ``entropy``, ``mean``, ``variance`` and ``stddev``."""

    has_rsample = False
    batch_shape: tuple = ()
    event_shape: tuple = ()

    def _extended(self, sample_shape) -> tuple:
        sample_shape = (sample_shape,) if isinstance(sample_shape, int) else tuple(sample_shape)
        return sample_shape + tuple(self.batch_shape) + tuple(self.event_shape)

    def sample(self, sample_shape=()) -> Tensor:
        """A draw of shape sample_shape + batch_shape + event_shape, detached from the graph."""
        return self.rsample(sample_shape).detach()

    def rsample(self, sample_shape=()) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no reparameterised sample (rsample)")

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def _check(self, condition: Tensor, what: str) -> None:
        if not bool(condition.all()):
            raise ValueError(f"{type(self).__name__}: {what}")

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}: {getattr(self, name).shape if getattr(self, name).ndim else getattr(self, name)}"
                          for name in self.parameters)
        return f"{type(self).__name__}({shown})"


class _LocationScale(Distribution):
    """A family of densities f((x − μ)/b)/b: a location μ (``loc``, the mean) and a positive scale b."""

    has_rsample = True
    parameters = ("loc", "scale")

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = _broadcast(loc, scale)
        if validate_args is not False:
            self._check(self.scale > 0, "scale must be positive")
        self.batch_shape = self.loc.shape

    @property
    def mean(self) -> Tensor:
        return self.loc


class Normal(_LocationScale):
    """N(loc, scale²)."""

    @property
    def variance(self) -> Tensor:
        return self.scale ** 2

    def rsample(self, sample_shape=()) -> Tensor:
        shape = self._extended(sample_shape)
        noise = Tensor(generator(self.loc.device).standard_normal(shape).astype(self.loc.dtype))
        return self.loc + self.scale * noise

    def log_prob(self, value) -> Tensor:
        value = _tensor(value, self.loc)
        return -((value - self.loc) ** 2) / (2 * self.variance) - self.scale.log() - 0.5 * math.log(2 * math.pi)

    def entropy(self) -> Tensor:
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()

    def cdf(self, value) -> Tensor:
        return 0.5 * (1 + ((_tensor(value, self.loc) - self.loc) / (self.scale * math.sqrt(2))).erf())


class Laplace(_LocationScale):
    """Laplace(loc, scale): density e^{−|x − μ|/b} / 2b."""

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale ** 2

    def rsample(self, sample_shape=()) -> Tensor:
        shape = self._extended(sample_shape)
        lowest = float(self.loc.xp.finfo(self.loc.dtype).eps) - 1  # keeps log1p(−|u|) finite
        u = Tensor((generator(self.loc.device).random(shape) * 2 - 1).astype(self.loc.dtype)).clamp(min=lowest)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value) -> Tensor:
        return -(_tensor(value, self.loc) - self.loc).abs() / self.scale - (2 * self.scale).log()

    def entropy(self) -> Tensor:
        return 1 + (2 * self.scale).log()


class Exponential(Distribution):
    """Exponential(rate λ): density λe^{−λx} on x ≥ 0."""

    has_rsample = True
    parameters = ("rate",)

    def __init__(self, rate, validate_args=None):
        (self.rate,) = _broadcast(rate)
        if validate_args is not False:
            self._check(self.rate > 0, "rate must be positive")
        self.batch_shape = self.rate.shape

    @property
    def mean(self) -> Tensor:
        return 1 / self.rate

    @property
    def variance(self) -> Tensor:
        return self.rate ** -2

    def rsample(self, sample_shape=()) -> Tensor:
        u = Tensor(generator(self.rate.device).random(self._extended(sample_shape)).astype(self.rate.dtype))
        return -(-u).log1p() / self.rate

    def log_prob(self, value) -> Tensor:
        return self.rate.log() - self.rate * _tensor(value, self.rate)

    def entropy(self) -> Tensor:
        return 1 - self.rate.log()

    def cdf(self, value) -> Tensor:
        return 1 - (-self.rate * _tensor(value, self.rate)).exp()


class Uniform(Distribution):
    """Uniform on [low, high)."""

    has_rsample = True
    parameters = ("low", "high")

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = _broadcast(low, high)
        if validate_args is not False:
            self._check(self.low < self.high, "low must be below high")
        self.batch_shape = self.low.shape

    @property
    def mean(self) -> Tensor:
        return (self.low + self.high) / 2

    @property
    def variance(self) -> Tensor:
        return (self.high - self.low) ** 2 / 12

    def rsample(self, sample_shape=()) -> Tensor:
        u = Tensor(generator(self.low.device).random(self._extended(sample_shape)).astype(self.low.dtype))
        return self.low + (self.high - self.low) * u

    def log_prob(self, value) -> Tensor:
        value = _tensor(value, self.low)
        inside = (value >= self.low) & (value < self.high)
        return where(inside, -(self.high - self.low).log(), -math.inf)

    def entropy(self) -> Tensor:
        return (self.high - self.low).log()

    def cdf(self, value) -> Tensor:
        return clamp((_tensor(value, self.low) - self.low) / (self.high - self.low), 0.0, 1.0)


def _probs_or_logits(name: str, probs, logits) -> tuple[Tensor | None, Tensor | None]:
    """Exactly one of ``probs`` and ``logits``, as a float tensor (the other None)."""
    if (probs is None) == (logits is None):
        raise ValueError(f"{name}: give either probs or logits, not both or neither")
    return (_tensor(probs), None) if probs is not None else (None, _tensor(logits))


class Bernoulli(Distribution):
    """1 with probability p, 0 otherwise; from ``probs`` p or ``logits`` l = log(p/(1 − p))."""

    parameters = ("probs",)

    def __init__(self, probs=None, logits=None, validate_args=None):
        probs, logits = _probs_or_logits("Bernoulli", probs, logits)
        if probs is not None:
            if validate_args is not False:
                self._check((probs >= 0) & (probs <= 1), "probs must be in [0, 1]")
            eps = float(probs.xp.finfo(probs.dtype).eps)
            logits = clamp(probs, eps, 1 - eps).log() - clamp(1 - probs, eps, 1 - eps).log()
        else:
            probs = sigmoid(logits)
        self.probs, self.logits = probs, logits
        self.batch_shape = self.probs.shape

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()) -> Tensor:
        shape = self._extended(sample_shape)
        u = generator(self.probs.device).random(shape)
        return Tensor((u < self.probs.detach()._data).astype(self.probs.dtype))

    def log_prob(self, value) -> Tensor:
        value = _tensor(value, self.probs)
        return -softplus(-self.logits) * value - softplus(self.logits) * (1 - value)

    def entropy(self) -> Tensor:
        return softplus(self.logits) - self.logits * self.probs


class Categorical(Distribution):
    """One of K classes, class k with probability p_k; from ``probs`` (normalised along the last
    dim) or ``logits`` (p = softmax(logits)). The last dim indexes the classes."""

    parameters = ("probs",)

    def __init__(self, probs=None, logits=None, validate_args=None):
        probs, logits = _probs_or_logits("Categorical", probs, logits)
        if probs is not None:
            if validate_args is not False:
                self._check(probs >= 0, "probs must be non-negative")
                self._check(probs.sum(-1) > 0, "probs must have a positive sum")
            probs = probs / probs.sum(-1, keepdim=True)
            logits = probs.clamp(min=float(probs.xp.finfo(probs.dtype).tiny)).log()
        else:
            logits = log_softmax(logits, -1)
            probs = logits.exp()
        self.probs, self.logits = probs, logits
        self.batch_shape = self.probs.shape[:-1]
        self.num_classes = self.probs.shape[-1]

    @property
    def mean(self) -> Tensor:
        return Tensor(self.probs.xp.full(self.batch_shape, math.nan, dtype=self.probs.dtype))

    @property
    def variance(self) -> Tensor:
        return self.mean

    def sample(self, sample_shape=()) -> Tensor:
        sample_shape = (sample_shape,) if isinstance(sample_shape, int) else tuple(sample_shape)
        rows = self.probs.detach()._data.reshape(-1, self.num_classes)
        xp = self.probs.xp
        count = math.prod(sample_shape)
        u = generator(self.probs.device).random((count, rows.shape[0], 1))
        cumulative = xp.cumsum(rows, axis=-1)
        drawn = (u * cumulative[:, -1:] >= cumulative).sum(axis=-1).clip(max=self.num_classes - 1)
        return Tensor(drawn.reshape(sample_shape + tuple(self.batch_shape)).astype(xp.int64))

    def log_prob(self, value) -> Tensor:
        value = value if isinstance(value, Tensor) else Tensor(self.logits.xp.asarray(value))
        if value.dtype.kind not in "iu":
            raise ValueError(f"Categorical.log_prob: expected integer class indices, got {value.dtype}")
        if bool((value < 0).any()) or bool((value >= self.num_classes).any()):
            raise ValueError(f"Categorical.log_prob: class indices must be in [0, {self.num_classes})")
        shape = tuple(value.xp.broadcast_shapes(value.shape, tuple(self.batch_shape)))
        logits = self.logits.expand(shape + (self.num_classes,))
        return logits.gather(-1, value.expand(shape).unsqueeze(-1).long()).squeeze(-1)

    def entropy(self) -> Tensor:
        return -(self.probs * self.logits).sum(-1)


class OneHotCategorical(Categorical):
    """Categorical with one-hot values: samples and ``log_prob`` arguments are (..., K) one-hot."""

    @property
    def event_shape(self) -> tuple:
        return (self.num_classes,)

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()) -> Tensor:
        indices = super().sample(sample_shape)
        xp = self.probs.xp
        return Tensor((indices._data[..., None] == xp.arange(self.num_classes)).astype(self.probs.dtype))

    def log_prob(self, value) -> Tensor:
        return (_tensor(value, self.probs) * self.logits).sum(-1)


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p ‖ q) = E_p[log p − log q], closed-form for two distributions of one family
    (Normal, Bernoulli, Categorical/OneHotCategorical, Exponential, Laplace, Uniform)."""
    if type(p) is not type(q):
        raise NotImplementedError(f"kl_divergence: no closed form for {type(p).__name__} and {type(q).__name__}")
    if isinstance(p, Normal):
        ratio = p.scale / q.scale
        return (ratio ** 2 + ((p.loc - q.loc) / q.scale) ** 2 - 1) / 2 - ratio.log()
    if isinstance(p, Categorical):
        return (p.probs * (p.logits - q.logits)).sum(-1)
    if isinstance(p, Bernoulli):
        return p.probs * (softplus(-q.logits) - softplus(-p.logits)) + \
            (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    if isinstance(p, Exponential):
        ratio = q.rate / p.rate
        return ratio - ratio.log() - 1
    if isinstance(p, Laplace):
        ratio = p.scale / q.scale
        distance = (p.loc - q.loc).abs() / q.scale
        return -ratio.log() + distance + ratio * (-(p.loc - q.loc).abs() / p.scale).exp() - 1
    if isinstance(p, Uniform):
        inside = (q.low <= p.low) & (p.high <= q.high)
        return where(inside, ((q.high - q.low) / (p.high - p.low)).log(), math.inf)
    raise NotImplementedError(f"kl_divergence: no closed form for {type(p).__name__}")


__all__ = ["Bernoulli", "Categorical", "Distribution", "Exponential", "Laplace", "Normal", "OneHotCategorical",
           "Uniform", "kl_divergence"]
