"""MultiheadAttention, with PyTorch's arguments, shapes and parameter names.

The math (in :func:`~zengrad.nn.functional.scaled_dot_product_attention`) is softmax(Q Kᵀ/√d) V
on each of h heads of width d = E/h; this module adds the learned projections around it:

    Q = query W_qᵀ + b_q,  K = key W_kᵀ + b_k,  V = value W_vᵀ + b_v   (W_q, W_k, W_v stacked
    in ``in_proj_weight`` (3E, E), their biases in ``in_proj_bias`` (3E))
    headᵢ = softmax(Qᵢ Kᵢᵀ/√d + M) Vᵢ,  out = [head₁ … head_h] W_oᵀ + b_o   (``out_proj``)

Self-attention (one tensor as query, key and value) that asks for no weights, as
TransformerEncoderLayer's, runs the heads as one graph node (:class:`~zengrad.ops.attention.SelfAttention`).
"""

from __future__ import annotations

import math

import numpy as np

from ..creation import zeros
from ..ops.attention import self_attention
from ..ops.shape import cat
from ..tensor import Tensor
from . import functional as F
from .functional.attention import _additive_mask
from . import init
from ._factory import empty_parameter
from .linear import NonDynamicallyQuantizableLinear
from .module import Module


def _blocking_mask(mask: Tensor | None, like: Tensor) -> Tensor | None:
    """MultiheadAttention's masks as additive ones: a boolean mask is True where attention is
    *not* allowed (the opposite of scaled_dot_product_attention's), a float mask is added."""
    if mask is None:
        return None
    if mask.dtype == np.bool_:
        return Tensor(like.xp.where(mask._data, -np.inf, 0.0).astype(like.dtype))
    return mask


class MultiheadAttention(Module):
    """Multi-head attention (see the module docstring for the math), as ``torch.nn.MultiheadAttention``.

    ``forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False)`` takes (L, N, E) queries and (S, N, E) keys and
    values ((N, L, E) with ``batch_first``, (L, E) unbatched) and returns (output, weights):
    output like the query, weights (N, L, S) averaged over heads ((N, h, L, S) with
    ``average_attn_weights=False``; None unless ``need_weights``). ``attn_mask`` (L, S) or
    (N·h, L, S) and ``key_padding_mask`` (N, S) are True (or −∞) where attention is blocked;
    ``is_causal`` without a mask blocks the future. Dropout on the attention weights in training.

    Parameters: in_proj_weight (3E, E) U(±√(6/(4E))) (Xavier), in_proj_bias (3E) zeros, out_proj
    (a Linear, bias zeros); with kdim or vdim ≠ E, q_proj_weight, k_proj_weight and v_proj_weight
    replace in_proj_weight. ``add_bias_kv`` appends one learned key and value (bias_k, bias_v, each
    (1, 1, E), Xavier normal) to every sequence of keys and values, ``add_zero_attn`` one zero key and
    value per head after the projections; the masks let every query see both.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim=None, vdim=None,
                 batch_first: bool = False, device=None, dtype=None):
        super().__init__()
        if embed_dim < 1 or num_heads < 1 or embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by num_heads "
                             f"({num_heads})")
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.kdim, self.vdim = kdim or embed_dim, vdim or embed_dim
        self.dropout, self.batch_first, self.add_zero_attn = dropout, batch_first, add_zero_attn
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        make = dict(device=device, dtype=dtype)
        if self._qkv_same_embed_dim:
            self.in_proj_weight = empty_parameter(3 * embed_dim, embed_dim, **make)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.register_parameter("in_proj_weight", None)
            self.q_proj_weight = empty_parameter(embed_dim, embed_dim, **make)
            self.k_proj_weight = empty_parameter(embed_dim, self.kdim, **make)
            self.v_proj_weight = empty_parameter(embed_dim, self.vdim, **make)
        self.register_parameter("in_proj_bias", empty_parameter(3 * embed_dim, **make) if bias else None)
        if add_bias_kv:
            self.bias_k, self.bias_v = (empty_parameter(1, 1, embed_dim, **make) for _ in range(2))
        else:
            self.bias_k = self.bias_v = None  # plain attributes, as in PyTorch
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **make)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for weight in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def _project(self, query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Q, K, V: one matmul against in_proj_weight for self-attention, three otherwise."""
        e, bias = self.embed_dim, self.in_proj_bias
        if self._qkv_same_embed_dim and query is key and key is value:
            return F.linear(query, self.in_proj_weight, bias).chunk(3, dim=-1)
        weights = ((self.in_proj_weight[:e], self.in_proj_weight[e:2 * e], self.in_proj_weight[2 * e:])
                   if self._qkv_same_embed_dim else (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight))
        biases = (None,) * 3 if bias is None else (bias[:e], bias[e:2 * e], bias[2 * e:])
        return tuple(F.linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))

    def _split_heads(self, x: Tensor) -> Tensor:
        """(N, L, E) -> (N, h, L, d)."""
        n, length, _ = x.shape
        return x.reshape(n, length, self.num_heads, self.head_dim).permute(0, 2, 1, 3)

    def _mask(self, attn_mask, key_padding_mask, is_causal, n: int, length: int, source: int, like: Tensor):
        """All masks as one additive (N, h, L, S)-broadcastable tensor, or None."""
        mask = _blocking_mask(attn_mask, like)
        if mask is None and is_causal:
            mask = _additive_mask(None, True, length, source, like)
        if mask is not None and mask.ndim == 3:
            mask = mask.reshape(n, self.num_heads, length, source)
        padding = _blocking_mask(key_padding_mask, like)
        if padding is not None:
            if padding.shape != (n, source):
                raise ValueError(f"MultiheadAttention: key_padding_mask of shape {padding.shape}, expected "
                                 f"{(n, source)}")
            padding = padding.reshape(n, 1, 1, source)
            mask = padding if mask is None else mask + padding
        return mask

    def _fused(self, query: Tensor, key: Tensor, value: Tensor, mask: Tensor | None, need_weights: bool) -> bool:
        """Whether the one-node :func:`~zengrad.ops.attention.self_attention` computes this call:
        self-attention with packed projections, no weights asked for, no dropout, no gradient to the mask."""
        return (self._qkv_same_embed_dim and query is key and key is value and not need_weights
                and self.bias_k is None and not self.add_zero_attn
                and (self.dropout == 0.0 or not self.training) and (mask is None or not mask.requires_grad))

    def _extra_keys(self, k: Tensor, v: Tensor, mask: Tensor | None):
        """(N, h, S, d) keys and values with bias_k/bias_v and the zero key/value appended along S,
        and the additive mask padded with 0 (attend) for each."""
        n, extra = k.shape[0], (self.bias_k is not None) + self.add_zero_attn
        if self.bias_k is not None:
            k, v = (cat([x, self._split_heads(b.expand(n, 1, self.embed_dim))], dim=2)
                    for x, b in ((k, self.bias_k), (v, self.bias_v)))
        if self.add_zero_attn:
            k, v = (cat([x, zeros(n, self.num_heads, 1, self.head_dim, dtype=x.dtype, device=x.device)], dim=2)
                    for x in (k, v))
        return k, v, (mask if mask is None or not extra else F.pad(mask, (0, extra)))

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None = None,
                need_weights: bool = True, attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False):
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim or \
                query.shape[-1] != self.embed_dim or key.shape[-1] != self.kdim or value.shape[-1] != self.vdim:
            raise ValueError(f"MultiheadAttention: query {query.shape}, key {key.shape} and value {value.shape} "
                             f"do not fit embed_dim={self.embed_dim}, kdim={self.kdim}, vdim={self.vdim}")
        batched = query.ndim == 3
        if batched and self.batch_first:
            to_batch_first = None
        else:
            to_batch_first = (lambda x: x.transpose(0, 1)) if batched else (lambda x: x.unsqueeze(0))
        if not batched and key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
        if to_batch_first is not None:  # self-attention stays recognisable: one tensor, one projection
            same = query is key and key is value
            query = to_batch_first(query)
            key, value = (query, query) if same else (to_batch_first(key), to_batch_first(value))
        n, length, source = query.shape[0], query.shape[1], key.shape[1]
        mask = self._mask(attn_mask, key_padding_mask, is_causal, n, length, source, query)
        scale = 1.0 / math.sqrt(self.head_dim)
        if self._fused(query, key, value, mask, need_weights):
            out = self_attention(F.linear(query, self.in_proj_weight, self.in_proj_bias), self.num_heads, scale, mask)
        else:
            q, k, v = (self._split_heads(x) for x in self._project(query, key, value))
            k, v, mask = self._extra_keys(k, v, mask)
            weights = F.dropout(F.attention_weights(q, k, mask, scale), self.dropout, self.training)
            out = (weights @ v).permute(0, 2, 1, 3).reshape(n, length, self.embed_dim)
        out = self.out_proj(out)
        if not batched:
            out = out.squeeze(0)
        elif not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = weights.mean(dim=1)
        return out, (weights if batched else weights.squeeze(0))

