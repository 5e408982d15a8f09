"""Discrete distributions: Bernoulli, Binomial, Geometric, Poisson, Categorical and
OneHotCategorical. Their draws are not differentiable (no ``rsample``); ``log_prob`` and
``entropy`` are, with respect to the parameters (what a policy gradient needs)."""

from __future__ import annotations

import math

from ..creation import generator
from ..ops import clamp, lgamma, log_softmax, sigmoid, where, xlogy
from ..ops.activation import softplus
from ..tensor import Tensor
from .base import Distribution, as_shape, broadcast, finfo, uniform


def _probs_or_logits(name: str, probs, logits, *others) -> tuple:
    """Exactly one of ``probs`` and ``logits``, broadcast with ``others`` (the missing one None)."""
    if (probs is None) == (logits is None):
        raise ValueError(f"{name}: give either probs or logits, not both or neither")
    given = broadcast(probs if probs is not None else logits, *others)
    return ((given[0], None) if probs is not None else (None, given[0])) + tuple(given[1:])


def _logits_of(probs: Tensor) -> Tensor:
    """log(p/(1 − p)) with p kept a dtype's eps away from 0 and 1 (as PyTorch's probs_to_logits)."""
    eps = float(finfo(probs).eps)
    p = clamp(probs, eps, 1 - eps)
    return p.log() - (-p).log1p()


def _success_probability(dist: Distribution, probs, logits, inside, what: str) -> tuple[Tensor, Tensor]:
    """(p, logit p) from whichever was given, p checked with ``inside``."""
    if probs is None:
        return sigmoid(logits), logits
    dist._check(inside(probs), what)
    return probs, _logits_of(probs)


def _is_integral(value: Tensor) -> Tensor:
    return value == value.floor()


def _support_values(count: int, like: Tensor, batch_shape: tuple, expand: bool) -> Tensor:
    """0, 1, …, count − 1 along a new first dim, in front of ``batch_shape`` (size-1 dims unless
    ``expand``), as ``enumerate_support`` returns them."""
    values = Tensor(like.xp.arange(count, dtype=like.dtype).reshape((-1,) + (1,) * len(batch_shape)))
    return values.expand((count,) + tuple(batch_shape)) if expand else values


class Bernoulli(Distribution):
    """1 with probability p, 0 otherwise; from ``probs`` p or ``logits`` l = log(p/(1 − p)):
    log P(x) = x·log p + (1 − x)·log(1 − p) = −softplus(−l)·x − softplus(l)·(1 − x),
    H = softplus(l) − l·p."""

    parameters = ("probs",)
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        probs, logits = _probs_or_logits("Bernoulli", probs, logits)
        super().__init__((probs if probs is not None else logits).shape, (), validate_args)
        self.probs, self.logits = _success_probability(self, probs, logits, lambda p: (p >= 0) & (p <= 1),
                                                       "probs must be in [0, 1]")

    @property
    def mean(self):
        return self.probs

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    @property
    def mode(self):
        return where(self.probs == 0.5, math.nan, (self.probs > 0.5).to(self.probs.dtype))

    def _in_support(self, value):
        return (value == 0) | (value == 1)

    def sample(self, sample_shape=()):
        u = generator(self.probs.device).random(self._extended(sample_shape))
        return Tensor((u < self.probs.detach()._data).astype(self.probs.dtype))

    def log_prob(self, value):
        value = self._value(value, self.probs)
        return -softplus(-self.logits) * value - softplus(self.logits) * (1 - value)

    def entropy(self):
        return softplus(self.logits) - self.logits * self.probs

    def enumerate_support(self, expand=True):
        return _support_values(2, self.probs, self.batch_shape, expand)


class Binomial(Distribution):
    """Successes in n Bernoulli(p) trials:  log P(k) = log C(n, k) + k·l − n·softplus(l)
    (l the logits),  mean np,  variance np(1 − p),  H = −Σ_k P(k) log P(k) over k = 0..n."""

    parameters = ("total_count", "probs")

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        probs, logits, total_count = _probs_or_logits("Binomial", probs, logits, total_count)
        super().__init__(total_count.shape, (), validate_args)
        self._check((total_count >= 0) & _is_integral(total_count), "total_count must be a non-negative integer")
        self.probs, self.logits = _success_probability(self, probs, logits, lambda p: (p >= 0) & (p <= 1),
                                                       "probs must be in [0, 1]")
        self.total_count = total_count

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    @property
    def mode(self):
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    def _in_support(self, value):
        return (value >= 0) & (value <= self.total_count) & _is_integral(value)

    def sample(self, sample_shape=()):
        shape = self._extended(sample_shape)
        n = self.total_count.detach()._data.astype("int64")
        drawn = generator(self.probs.device).binomial(n, self.probs.detach()._data, size=shape)
        return Tensor(drawn.astype(self.probs.dtype))

    def log_prob(self, value):
        value = self._value(value, self.probs)
        n = self.total_count
        log_choose = lgamma(n + 1) - lgamma(value + 1) - lgamma(n - value + 1)
        return log_choose + value * self.logits - n * softplus(self.logits)

    has_enumerate_support = True

    def enumerate_support(self, expand=True):
        counts = self.total_count.detach()._data
        if counts.size and (counts != counts.flat[0]).any():
            raise NotImplementedError("Binomial: the support is enumerated only for one total_count over the batch")
        return _support_values(int(counts.flat[0]) + 1 if counts.size else 1, self.probs, self.batch_shape, expand)

    def entropy(self):
        log_p = self.log_prob(self.enumerate_support(expand=False))
        return -(log_p.exp() * log_p).sum(0)


class Geometric(Distribution):
    """Failures before the first success, success probability p:  log P(k) = k·log(1 − p) + log p,
    mean 1/p − 1,  variance (1 − p)/p²,  H = −(p log p + (1 − p) log(1 − p))/p;
    a draw is ⌊log u / log(1 − p)⌋."""

    parameters = ("probs",)

    def __init__(self, probs=None, logits=None, validate_args=None):
        probs, logits = _probs_or_logits("Geometric", probs, logits)
        super().__init__((probs if probs is not None else logits).shape, (), validate_args)
        self.probs, self.logits = _success_probability(self, probs, logits, lambda p: (p > 0) & (p <= 1),
                                                       "probs must be in (0, 1]")

    @property
    def mean(self):
        return 1 / self.probs - 1

    @property
    def mode(self):
        return self.probs * 0

    @property
    def variance(self):
        return (1 / self.probs - 1) / self.probs

    def _in_support(self, value):
        return (value >= 0) & _is_integral(value)

    def sample(self, sample_shape=()):
        tiny = float(finfo(self.probs).tiny)
        u = uniform(self._extended(sample_shape), self.probs, tiny)
        return (u.log() / (-self.probs.detach()).log1p()).floor()

    def log_prob(self, value):
        value = self._value(value, self.probs)
        certain = (self.probs == 1) & (value == 0)  # 0·log 0 = 0
        return where(certain, 0.0, value * (-self.probs).log1p()) + self.probs.log()

    def entropy(self):
        return (softplus(self.logits) - self.logits * self.probs) / self.probs


class Poisson(Distribution):
    """Poisson(λ):  log P(k) = k log λ − λ − log k!,  mean = variance = λ."""

    parameters = ("rate",)

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast(rate)
        super().__init__(self.rate.shape, (), validate_args)
        self._check(self.rate >= 0, "rate must be non-negative")

    @property
    def mean(self):
        return self.rate

    @property
    def variance(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    def _in_support(self, value):
        return (value >= 0) & _is_integral(value)

    def sample(self, sample_shape=()):
        drawn = generator(self.rate.device).poisson(self.rate.detach()._data, size=self._extended(sample_shape))
        return Tensor(drawn.astype(self.rate.dtype))

    def log_prob(self, value):
        value = self._value(value, self.rate)
        return xlogy(value, self.rate) - self.rate - lgamma(value + 1)


class Categorical(Distribution):
    """One of K classes, class k with probability p_k; from ``probs`` (normalised along the last
    dim) or ``logits`` (p = softmax(logits)):  log P(k) = log_softmax(l)_k,  H = −Σ p_k log p_k.
    The last dim indexes the classes."""

    parameters = ("probs",)
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        probs, logits = _probs_or_logits("Categorical", probs, logits)
        given = probs if probs is not None else logits
        if given.ndim < 1:
            raise ValueError("Categorical: probs or logits must have at least one dim")
        super().__init__(given.shape[:-1], (), validate_args)
        if probs is not None:
            self._check(probs >= 0, "probs must be non-negative")
            self._check(probs.sum(-1) > 0, "probs must have a positive sum")
            probs = probs / probs.sum(-1, keepdim=True)
            logits = probs.clamp(min=float(finfo(probs).tiny)).log()
        else:
            logits = log_softmax(logits, -1)
            probs = logits.exp()
        self.probs, self.logits = probs, logits
        self.num_classes = self.probs.shape[-1]

    @property
    def mean(self):
        return Tensor(self.probs.xp.full(self.batch_shape, math.nan, dtype=self.probs.dtype))

    @property
    def variance(self):
        return self.mean

    @property
    def mode(self):
        return self.probs.argmax(-1)

    def sample(self, sample_shape=()):
        sample_shape = as_shape(sample_shape)
        probs = self.probs.detach()._data
        rows = self.probs.xp.broadcast_to(probs, tuple(self.batch_shape) + (self.num_classes,)).reshape(-1, self.num_classes)
        xp = self.probs.xp
        u = generator(self.probs.device).random((math.prod(sample_shape), rows.shape[0], 1))
        cumulative = xp.cumsum(rows, axis=-1)
        drawn = (u * cumulative[:, -1:] >= cumulative).sum(axis=-1).clip(max=self.num_classes - 1)
        return Tensor(drawn.reshape(sample_shape + tuple(self.batch_shape)).astype(xp.int64))

    def log_prob(self, value):
        value = value if isinstance(value, Tensor) else Tensor(self.logits.xp.asarray(value))
        if value.dtype.kind not in "iu":
            if not bool(_is_integral(value).all()):
                raise ValueError(f"Categorical.log_prob: expected integer class indices, got {value.dtype}")
            value = value.long()
        if bool((value < 0).any()) or bool((value >= self.num_classes).any()):
            raise ValueError(f"Categorical.log_prob: class indices must be in [0, {self.num_classes})")
        shape = tuple(value.xp.broadcast_shapes(value.shape, tuple(self.batch_shape)))
        logits = self.logits.expand(shape + (self.num_classes,))
        return logits.gather(-1, value.expand(shape).unsqueeze(-1).long()).squeeze(-1)

    def entropy(self):
        return -(self.probs * self.logits).sum(-1)

    def enumerate_support(self, expand=True):
        return _support_values(self.num_classes, self.probs, self.batch_shape, expand).long()


class Multinomial(Distribution):
    """Counts of n draws from K classes (``total_count`` n, an int; ``probs``/``logits`` over the
    last dim):  log P(x) = log n! − Σ_k log x_k! + Σ_k x_k log p_k,  mean np,  variance np(1 − p),
    H = n·H(p) − log n! + Σ_k Σ_{j=1..n} Binomial(n, p_k)(j) log j!."""

    parameters = ("probs",)

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int) or isinstance(total_count, bool):
            raise NotImplementedError("Multinomial: total_count must be a Python int (one count for the batch)")
        self._categorical = Categorical(probs, logits, validate_args)
        self.total_count = total_count
        self.probs, self.logits = self._categorical.probs, self._categorical.logits
        super().__init__(self._categorical.batch_shape, (self._categorical.num_classes,), validate_args)

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def _in_support(self, value):
        return (value >= 0).all(-1) & (value.sum(-1) <= self.total_count)  # as PyTorch's check

    def sample(self, sample_shape=()):
        shape = self._extended(sample_shape)
        rows = self.probs.xp.broadcast_to(self.probs.detach()._data, shape).reshape(-1, shape[-1])
        rng = generator(self.probs.device)
        drawn = [rng.multinomial(self.total_count, row / row.sum()) for row in rows.astype("float64")]
        return Tensor(self.probs.xp.asarray(drawn, dtype=self.probs.dtype).reshape(shape))

    def log_prob(self, value):
        value = self._value(value, self.probs)
        unused = (value == 0) & (self.logits == -math.inf)  # 0·log 0 = 0
        powers = where(unused, 0.0, self.logits * value).sum(-1)
        return math.lgamma(self.total_count + 1) - lgamma(value + 1).sum(-1) + powers

    def entropy(self):
        binomial = Binomial(self.total_count, probs=self.probs, validate_args=False)
        counts = binomial.enumerate_support(expand=False)[1:]
        weights = (binomial.log_prob(counts).exp() * lgamma(counts + 1)).sum((0, -1))
        return self.total_count * self._categorical.entropy() - math.lgamma(self.total_count + 1) + weights


class OneHotCategorical(Categorical):
    """Categorical with one-hot values: samples and ``log_prob`` arguments are (..., K) one-hot;
    log P(x) = Σ_k x_k log p_k,  mean p,  variance p(1 − p)."""

    def __init__(self, probs=None, logits=None, validate_args=None):
        super().__init__(probs, logits, validate_args)
        self.event_shape = (self.num_classes,)

    @property
    def mean(self):
        return self.probs

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    @property
    def mode(self):
        return Tensor((self.probs.detach()._data.argmax(-1)[..., None] == self.probs.xp.arange(self.num_classes))
                      .astype(self.probs.dtype))

    def _in_support(self, value):
        return ((value == 0) | (value == 1)).all(-1) & (value.sum(-1) == 1)

    def sample(self, sample_shape=()):
        indices = super().sample(sample_shape)
        xp = self.probs.xp
        return Tensor((indices._data[..., None] == xp.arange(self.num_classes)).astype(self.probs.dtype))

    def log_prob(self, value):
        return (self._value(value, self.probs) * self.logits).sum(-1)

    def enumerate_support(self, expand=True):
        xp = self.probs.xp
        values = Tensor(xp.eye(self.num_classes, dtype=self.probs.dtype).reshape(
            (self.num_classes,) + (1,) * len(self.batch_shape) + (self.num_classes,)))
        return values.expand((self.num_classes,) + tuple(self.batch_shape) + (self.num_classes,)) if expand else values
