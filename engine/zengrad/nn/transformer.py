"""The transformer encoder block: TransformerEncoderLayer and TransformerEncoder (PyTorch's names).

One layer is self-attention then a position-wise feed-forward network, each wrapped in a
residual connection and a LayerNorm — after the residual (post-norm, the 2017 paper and
PyTorch's default) or before the sublayer (pre-norm, ``norm_first=True``, what GPT-style models use):

    post-norm:  x ← LN₁(x + SA(x));      x ← LN₂(x + FF(x))
    pre-norm:   x ← x + SA(LN₁(x));      x ← x + FF(LN₂(x))

with SA(x) = dropout(MultiheadAttention(x, x, x)) and FF(x) = dropout(W₂ dropout(act(W₁x + b₁)) + b₂).
"""

from __future__ import annotations

import copy

from . import functional as F
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .norms import LayerNorm


def _activation(activation):
    """'relu' (F.relu), 'gelu' (F.gelu, the exact x·Φ(x)) or any callable, as PyTorch takes them."""
    if callable(activation):
        return activation
    if activation in ("relu", "gelu"):
        return getattr(F, activation)
    raise ValueError(f"TransformerEncoderLayer: activation should be relu/gelu or a callable, got {activation!r}")


class TransformerEncoderLayer(Module):
    """Self-attention and feed-forward with residuals and LayerNorm (see the module docstring).

    Sub-modules, as PyTorch names them: self_attn, linear1 (d_model → dim_feedforward), dropout,
    linear2, norm1, norm2, dropout1, dropout2. ``forward(src, src_mask=None,
    src_key_padding_mask=None, is_causal=False)`` takes (S, N, E) ((N, S, E) with batch_first).
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation="relu", layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device=None, dtype=None):
        super().__init__()
        make = dict(device=device, dtype=dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            **make)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **make)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **make)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **make)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **make)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = _activation(activation)

    def _self_attention(self, x, mask, key_padding_mask, is_causal):
        out, _ = self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=key_padding_mask, need_weights=False,
                                is_causal=is_causal)
        return self.dropout1(out)

    def _feed_forward(self, x):
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal: bool = False):
        x = src
        if self.norm_first:
            x = x + self._self_attention(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._feed_forward(self.norm2(x))
        x = self.norm1(x + self._self_attention(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._feed_forward(x))


class TransformerEncoder(Module):
    """``num_layers`` copies of ``encoder_layer`` (sub-modules layers.0 … layers.{n−1}) applied in
    turn, then the optional ``norm``."""

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True):
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"TransformerEncoder: num_layers must be at least 1, got {num_layers}")
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal: bool = False):
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=is_causal)
        return x if self.norm is None else self.norm(x)
