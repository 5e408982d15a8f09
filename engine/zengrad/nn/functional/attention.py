"""Attention: masks, ``attention_weights`` = softmax(QKᵀ·scale + mask), and
``scaled_dot_product_attention`` = attention_weights · V, plus sinusoidal position tables."""

from __future__ import annotations

import math
import numpy as np

from ... import backend
from ... import kernels
from ...autograd import Function
from ...errors import OpError
from ...ops._util import unbroadcast
from ...tensor import Tensor
from .stochastic import dropout


def _additive_mask(mask: Tensor | None, is_causal: bool, length: int, source: int, like: Tensor):
    """The mask as something to add to the scores: 0 where attention may go, −∞ where not.

    A boolean mask is True where attention is allowed (PyTorch's convention); a float mask is
    added as it is; ``is_causal`` allows position i to see positions j ≤ i only."""
    xp = like.xp
    if is_causal:
        if mask is not None:
            raise OpError("scaled_dot_product_attention: attn_mask and is_causal cannot both be set")
        allowed = xp.tril(xp.ones((length, source), dtype=bool))
        return Tensor(xp.where(allowed, 0.0, -np.inf).astype(like.dtype))
    if mask is None:
        return None
    if mask.dtype == np.bool_:
        return Tensor(xp.where(mask._data, 0.0, -np.inf).astype(like.dtype))
    return mask


class MaskedSoftmax(Function):
    """w = softmax(s + m) over the last axis, as one node: the attention weights from the scores s
    and an additive mask m (0 or −∞, or any float; broadcast to s).

    Forward is the softmax kernel (:func:`zengrad.kernels.softmax_forward`) on one copy of s + m.
    Backward is the softmax's Jacobian in Tensor ops (so it can be differentiated again):
    ∂s = w ⊙ (g − Σ_j g_j w_j), and ∂m = ∂s summed over m's broadcast axes. A row masked
    everywhere gives NaN, as PyTorch's softmax does (its fused scaled_dot_product_attention gives 0).
    """

    def forward(self, scores, mask=None):
        return kernels.softmax_forward(scores + mask if mask is not None else scores.copy())

    def backward(self, g):
        weights = self.output()
        grad = weights * (g - (g * weights).sum(dim=-1, keepdim=True))
        if len(self.inputs) == 1:
            return (grad,)
        return (grad if self.needs_grad(0) else None,
                unbroadcast(grad, self.inputs[1].shape) if self.needs_grad(1) else None)


def attention_weights(query: Tensor, key: Tensor, mask=None, scale: float | None = None) -> Tensor:
    """softmax(q kᵀ · scale + mask) over the key axis, with ``mask`` additive (see _additive_mask)."""
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query * scale) @ key.mT
    if mask is None:
        return MaskedSoftmax.apply(scores)
    return MaskedSoftmax.apply(scores, mask)


def _shared_heads(query: Tensor, kv: Tensor) -> Tensor:
    """Grouped-query attention: H_kv key/value heads serve H_q = g·H_kv query heads, each kv head
    repeated for g consecutive query heads (``enable_gqa``)."""
    heads, kv_heads = query.shape[-3], kv.shape[-3]
    if kv_heads == 0 or heads % kv_heads:
        raise OpError(f"scaled_dot_product_attention: with enable_gqa the number of query heads ({heads}) must be "
                      f"a multiple of the number of key/value heads ({kv_heads})")
    return kv.repeat_interleave(heads // kv_heads, dim=-3)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """Attention(Q, K, V) = dropout(softmax(Q Kᵀ · scale + M)) V, as PyTorch's function: Q (…, L, E),
    K (…, S, E), V (…, S, Ev), output (…, L, Ev), scale 1/√E by default. M is 0 where a query may
    attend and −∞ where not: a boolean ``attn_mask`` is True where attention is allowed, a float
    one is added to the scores, ``is_causal`` masks the future (j > i). The dropout (probability
    ``dropout_p``) is applied whenever dropout_p > 0, as in PyTorch; pass 0 in evaluation. With
    ``enable_gqa`` K and V may have fewer heads (dim −3) than Q, a divisor of its count.
    """
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2 or query.shape[-1] != key.shape[-1] or \
            key.shape[-2] != value.shape[-2]:
        raise OpError(f"scaled_dot_product_attention: query {query.shape}, key {key.shape} and value "
                      f"{value.shape} do not fit (…, L, E), (…, S, E), (…, S, Ev)")
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        key, value = _shared_heads(query, key), _shared_heads(query, value)
    mask = _additive_mask(attn_mask, is_causal, query.shape[-2], key.shape[-2], query)
    weights = dropout(attention_weights(query, key, mask, scale), dropout_p, training=dropout_p > 0)
    return weights @ value


def sinusoidal_positions(length: int, dim: int, base: float = 10000.0, dtype=np.float32, device=None) -> Tensor:
    """The fixed positional encodings of "Attention Is All You Need":
    P[t, 2i] = sin(t / base^{2i/dim}),  P[t, 2i + 1] = cos(t / base^{2i/dim}); shape (length, dim)."""
    if length < 0 or dim < 1:
        raise OpError(f"sinusoidal_positions: need length >= 0 and dim >= 1, got {length} and {dim}")
    angles = np.arange(length)[:, None] / base ** (np.arange(0, dim, 2) / dim)
    table = np.zeros((length, dim))
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles[:, :dim // 2])
    xp = backend.array_module(backend.normalize_device(device))
    return Tensor(xp.asarray(table.astype(dtype)))
