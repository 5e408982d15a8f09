"""Positional embeddings: attention by itself ignores order, so each position gets a vector added.

``LearnedPositionalEmbedding`` learns one vector per position (GPT's choice); ``SinusoidalPositionalEncoding``
adds the fixed sines and cosines of "Attention Is All You Need" (see
:func:`~zengrad.nn.functional.sinusoidal_positions`), which need no training.
"""

from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from . import init
from ._factory import empty_parameter
from .module import Module


def _check(name: str, x: Tensor, offset: int, max_len: int, dim: int) -> None:
    if x.ndim < 2 or x.shape[-1] != dim:
        raise ValueError(f"{name}: expected input (…, T, {dim}), got shape {x.shape}")
    if offset < 0 or offset + x.shape[-2] > max_len:
        raise ValueError(f"{name}: positions {offset}…{offset + x.shape[-2] - 1} exceed max_len={max_len} "
                         f"(input shape {x.shape})")


class LearnedPositionalEmbedding(Module):
    """y[…, t, :] = x[…, t, :] + P[offset + t, :] for input (…, T, dim); P (weight) is a learned
    (max_len, dim) table, initialised N(0, 0.02²)."""

    def __init__(self, max_len: int, dim: int, device=None, dtype=None):
        super().__init__()
        self.max_len, self.dim = max_len, dim
        self.weight = init.normal_(empty_parameter(max_len, dim, device=device, dtype=dtype), std=0.02)

    def forward(self, x: Tensor, offset: int = 0) -> Tensor:
        _check("LearnedPositionalEmbedding", x, offset, self.max_len, self.dim)
        return x + self.weight[offset:offset + x.shape[-2]]

    def extra_repr(self) -> str:
        return f"{self.max_len}, {self.dim}"


class SinusoidalPositionalEncoding(Module):
    """y[…, t, :] = x[…, t, :] + P[offset + t, :] with P the fixed sinusoidal table (a buffer
    that is not saved in the state dict)."""

    def __init__(self, dim: int, max_len: int = 5000, base: float = 10000.0, device=None, dtype=None):
        super().__init__()
        self.max_len, self.dim = max_len, dim
        table = F.sinusoidal_positions(max_len, dim, base, device=device, **({"dtype": dtype} if dtype else {}))
        self.register_buffer("table", table, persistent=False)

    def forward(self, x: Tensor, offset: int = 0) -> Tensor:
        _check("SinusoidalPositionalEncoding", x, offset, self.max_len, self.dim)
        return x + self.table[offset:offset + x.shape[-2]].to(dtype=x.dtype)

    def extra_repr(self) -> str:
        return f"{self.dim}, max_len={self.max_len}"
