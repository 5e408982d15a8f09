"""The interface every distribution shares (shapes, sampling, checks, ``expand``) and the helpers
that turn parameters and values into tensors and draw raw noise from zengrad's generator."""

from __future__ import annotations

import copy
import math

from ..creation import generator
from ..tensor import Tensor


def as_tensor(value, like: Tensor | None = None) -> Tensor:
    """A parameter or value as a float tensor in ``like``'s dtype (without ``like``: its own float
    dtype, or the default one for numbers and integers)."""
    if not isinstance(value, Tensor):
        from ..creation import tensor
        value = tensor(float(value)) if isinstance(value, (int, float)) else tensor(value)
    if like is not None and value.dtype != like.dtype:
        return value.to(like.dtype)
    return value if value.dtype.kind == "f" else value.float()


def broadcast(*values) -> list[Tensor]:
    """The parameters as tensors of one dtype, expanded to their common (batch) shape."""
    like = next((v for v in values if isinstance(v, Tensor) and v.dtype.kind == "f"), None)
    tensors = [as_tensor(v, like) for v in values]
    shape = tuple(tensors[0].xp.broadcast_shapes(*(t.shape for t in tensors)))
    return [t.expand(shape) if t.shape != shape else t for t in tensors]


def uniform(shape, like: Tensor, low: float = 0.0) -> Tensor:
    """U[low, 1) draws of ``shape`` in ``like``'s dtype and device, never exactly 0 when ``low`` is
    the dtype's tiny (as PyTorch keeps log u finite)."""
    u = generator(like.device).random(shape).astype(like.dtype)
    return Tensor(like.xp.maximum(u, like.dtype.type(low)))


def standard_normal(shape, like: Tensor) -> Tensor:
    """N(0, 1) draws of ``shape`` in ``like``'s dtype and device."""
    return Tensor(generator(like.device).standard_normal(shape).astype(like.dtype))


def finfo(like: Tensor):
    return like.xp.finfo(like.dtype)


def sum_rightmost(value: Tensor, dims: int) -> Tensor:
    """``value`` summed over its last ``dims`` dims (as an Independent event sums log-densities)."""
    return value.sum(tuple(range(-dims, 0))) if dims > 0 else value


def as_shape(sample_shape) -> tuple:
    return (sample_shape,) if isinstance(sample_shape, int) else tuple(sample_shape)


class Distribution:
    """The common interface: ``batch_shape`` (independent, differently parameterised draws),
    ``event_shape`` (the shape of one draw), ``sample``/``rsample`` (shape sample_shape +
    batch_shape + event_shape), ``log_prob``, ``entropy``, ``mean``, ``variance``, ``stddev``,
    ``expand``. With ``validate_args`` (the default, as PyTorch's) parameters outside their
    range and values outside the support raise ValueError."""

    has_rsample = False
    has_enumerate_support = False
    parameters: tuple = ()
    #: attributes ``expand`` leaves as they are (they broadcast by themselves)
    _unexpanded: tuple = ()
    _default_validate_args = True
    batch_shape: tuple = ()
    event_shape: tuple = ()

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self.batch_shape, self.event_shape = tuple(batch_shape), tuple(event_shape)
        self._validate_args = Distribution._default_validate_args if validate_args is None else bool(validate_args)

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Whether distributions built without ``validate_args`` check their parameters and values."""
        if value not in (True, False):
            raise ValueError("set_default_validate_args: expected True or False")
        Distribution._default_validate_args = value

    def _extended(self, sample_shape) -> tuple:
        return as_shape(sample_shape) + tuple(self.batch_shape) + tuple(self.event_shape)

    def sample(self, sample_shape=()) -> Tensor:
        """A draw of shape sample_shape + batch_shape + event_shape, detached from the graph."""
        return self.rsample(sample_shape).detach()

    def rsample(self, sample_shape=()) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no reparameterised sample (rsample)")

    def sample_n(self, n: int) -> Tensor:
        return self.sample((n,))

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no closed-form mean")

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no closed-form mode")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no closed-form variance")

    def entropy(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no closed-form entropy")

    def cdf(self, value) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no closed-form cdf")

    def icdf(self, value) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no closed-form icdf")

    def perplexity(self) -> Tensor:
        return self.entropy().exp()

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def _check(self, condition: Tensor, what: str) -> None:
        if self._validate_args and not bool(condition.all()):
            raise ValueError(f"{type(self).__name__}: {what}")

    def _in_support(self, value: Tensor) -> Tensor | None:
        """Where ``value`` lies in the support (None: everywhere)."""
        return None

    def _value(self, value, like: Tensor) -> Tensor:
        """``value`` as a tensor in ``like``'s dtype, checked against the support."""
        value = as_tensor(value, like)
        inside = self._in_support(value) if self._validate_args else None
        if inside is not None and not bool(inside.all()):
            raise ValueError(f"{type(self).__name__}: value outside the support")
        return value

    def expand(self, batch_shape, _instance=None) -> "Distribution":
        """The same distribution repeated over a larger ``batch_shape`` (parameters broadcast, no copy)."""
        batch_shape = as_shape(batch_shape)
        new = copy.copy(self)
        old = len(self.batch_shape)
        for name, value in vars(self).items():
            if name in self._unexpanded:
                continue
            if isinstance(value, Tensor):
                setattr(new, name, value.expand(batch_shape + value.shape[old:]))
            elif isinstance(value, Distribution):
                setattr(new, name, value.expand(batch_shape + value.batch_shape[old:]))
        new.batch_shape = batch_shape
        return new

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}: {getattr(self, name).shape if getattr(self, name).ndim else getattr(self, name)}"
                          for name in self.parameters)
        return f"{type(self).__name__}({shown})"


EULER_GAMMA = 0.5772156649015329
HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
