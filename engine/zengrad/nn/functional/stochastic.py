"""Ops that draw random numbers from :func:`zengrad.creation.generator`: dropout (elementwise and
whole channels), ``gumbel_softmax`` and ``rrelu``. In evaluation (``training=False``) each is
deterministic."""

from __future__ import annotations

import numpy as np

from ...creation import generator
from ...errors import OpError
from ...ops import softmax
from ...ops import mul, where
from ...ops.inplace import in_place
from ...tensor import Tensor


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Inverted dropout: each element is zeroed with probability p and the survivors scaled by
    1/(1 − p), so E[output] = input and evaluation needs no rescaling. Identity when not training.
    ``inplace`` writes the result into ``input``.

    The mask is drawn from zengrad's global generator (``manual_seed`` repeats it).
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return _masked("dropout", input, 0.0, inplace)
    keep = generator(input.device).random(input.shape) >= p
    return _masked("dropout", input, Tensor((keep / (1.0 - p)).astype(input.dtype)), inplace)


def _masked(op: str, input: Tensor, mask, inplace: bool) -> Tensor:
    """input · mask, written into ``input`` when ``inplace``."""
    return in_place(f"{op}_", input, mul, mask) if inplace else input * mask


def _feature_dropout(op: str, input: Tensor, p: float, training: bool, spatial: int, inplace: bool) -> Tensor:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (spatial + 1, spatial + 2):
        raise OpError(f"{op}: expects (N, C, {('L', 'H, W', 'D, H, W')[spatial - 1]}) or without the batch dim, "
                      f"got shape {input.shape}")
    if not training or p == 0.0:
        return input
    channels = input.shape[:input.ndim - spatial]
    keep = generator(input.device).random(channels) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = (keep * scale).astype(input.dtype).reshape(channels + (1,) * spatial)
    return _masked(op, input, Tensor(mask), inplace)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Whole channels of (N, C, L) zeroed with probability p (the rest scaled by 1/(1 − p))."""
    return _feature_dropout("dropout1d", input, p, training, 1, inplace)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Whole channels (feature maps) of (N, C, H, W) zeroed with probability p, the rest scaled
    by 1/(1 − p): neighbouring pixels are correlated, so dropping single pixels regularises little."""
    return _feature_dropout("dropout2d", input, p, training, 2, inplace)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Whole channels (volumes) of (N, C, D, H, W) or (C, D, H, W) zeroed with probability p, the rest
    scaled by 1/(1 − p)."""
    return _feature_dropout("dropout3d", input, p, training, 3, inplace)


#: −λα of SELU: the value SELU tends to for x → −∞, which alpha dropout sets dropped units to
SELU_SATURATION = 1.7580993408473766


def _alpha_dropout(op: str, input: Tensor, p: float, training: bool, mask_shape: tuple) -> Tensor:
    if not 0.0 <= p <= 1.0:
        raise OpError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if p == 1.0:
        return input * 0.0
    alpha = SELU_SATURATION
    a = 1.0 / np.sqrt((alpha * alpha * p + 1) * (1 - p))
    keep = (generator(input.device).random(mask_shape) >= p).astype(input.dtype)
    shift = ((keep - 1) * alpha * a + alpha * a * p).astype(input.dtype)
    return input * Tensor((keep * a).astype(input.dtype)) + Tensor(shift)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Dropout for self-normalising (SELU) networks: it keeps a zero-mean, unit-variance input at
    zero mean and unit variance. Each element is dropped with probability p to α' = −λα ≈ −1.7581
    (SELU's negative saturation) instead of 0, then the whole is rescaled by an affine map:

        y = a·(x·m + α'(1 − m)) + b,  m ~ Bernoulli(1 − p),
        a = ((1 − p)(1 + p·α'²))^(−1/2),  b = −a·α'·p,

    i.e. y = a·x + a·α'·p where kept, and a·α'·(p − 1) where dropped (PyTorch's form); ∂y/∂x = a·m.
    Identity when not training; ``inplace`` is accepted, the result is a new tensor."""
    return _alpha_dropout("alpha_dropout", input, p, training, input.shape)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """:func:`alpha_dropout` with one mask value per channel: whole channels of (N, C, *) are dropped
    together (every element of a dropped channel becomes a·α'·(p − 1))."""
    if input.ndim < 2:
        raise OpError(f"feature_alpha_dropout: expects an input of at least 2 dimensions (N, C, *), "
                      f"got shape {input.shape}")
    return _alpha_dropout("feature_alpha_dropout", input, p, training,
                          input.shape[:2] + (1,) * (input.ndim - 2))


def gumbel_softmax(logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10, dim: int = -1) -> Tensor:
    """A differentiable sample from the categorical distribution softmax(logits):
    y = softmax((logits + g)/τ) along ``dim`` with Gumbel noise g = −log(−log u), u ~ U(0, 1).
    τ → 0 makes y one-hot. ``hard``: the one-hot of argmax y in forward, y's gradient in backward
    (the straight-through estimator: y_hard − stop_gradient(y) + y)."""
    xp = logits.xp
    uniform = generator(logits.device).random(logits.shape)
    gumbels = Tensor((-xp.log(-xp.log(xp.clip(uniform, np.finfo(np.float64).tiny, 1.0)))).astype(logits.dtype))
    soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return soft
    dim = dim % logits.ndim if logits.ndim else 0
    winner = xp.argmax(soft._data, axis=dim)
    one_hot_array = xp.zeros(soft.shape, dtype=soft.dtype)
    xp.put_along_axis(one_hot_array, xp.expand_dims(winner, dim), 1, axis=dim)
    return soft - soft.detach() + Tensor(one_hot_array)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: y = x for x ≥ 0, a·x otherwise, with a ~ U(lower, upper) drawn per
    element in training and a = (lower + upper)/2 in evaluation. ``inplace`` writes y into x."""
    if training:
        draw = generator(input.device).random(input.shape)
        slopes = Tensor((lower + (upper - lower) * draw).astype(input.dtype))
    else:
        slopes = (lower + upper) / 2
    return in_place("rrelu_", input, _leaky, slopes) if inplace else _leaky(input, slopes)


def _leaky(x: Tensor, slopes) -> Tensor:
    return where(x >= 0, x, x * slopes)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False) -> Tensor:
    return rrelu(input, lower, upper, training, inplace=True)
