"""Similarities and distances between vectors: cosine similarity, pairwise p-norm distance, the
distances between all rows of a matrix (pdist) and p-norm normalisation."""

from __future__ import annotations

import math
import numpy as np

from ...errors import OpError
from ...tensor import Tensor


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """cos θ = Σ (x1 / max(‖x1‖, eps)) · (x2 / max(‖x2‖, eps)) along ``dim`` (x1 and x2 broadcast).

    Each vector is divided by its norm first (the result stays within [−1, 1]). As in PyTorch the
    clamp at eps changes the value only: the gradient is that of the unclamped norm."""
    try:
        np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise OpError(f"cosine_similarity: shapes {x1.shape} and {x2.shape} do not broadcast") from None

    def unit(x):
        norm = (x * x).sum(dim=dim, keepdim=True).sqrt()
        clamped = Tensor(x.xp.maximum(norm._data, eps))
        return x / (norm + (clamped - norm).detach())

    return (unit(x1) * unit(x2)).sum(dim=dim)


def _p_norm(x: Tensor, p: float, dim, keepdim: bool) -> Tensor:
    """(Σ |x|ᵖ)^(1/p) along ``dim`` (p = inf: the largest |x|)."""
    if p == math.inf:
        return x.abs().amax(dim=dim, keepdim=keepdim)
    return x.norm(p=p, dim=dim, keepdim=keepdim)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(‖x‖_p, eps) along ``dim``: unit vectors (a zero vector stays zero)."""
    norm = _p_norm(input, p, dim, keepdim=True)
    return input / norm.clamp(min=eps)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """‖x1 − x2 + eps‖_p along the last dim (x1 and x2 broadcast), as ``torch.pairwise_distance``."""
    try:
        np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise OpError(f"pairwise_distance: shapes {x1.shape} and {x2.shape} do not broadcast") from None
    difference = x1 - x2 + eps
    return _p_norm(difference, p, -1 if difference.ndim else None, keepdim)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """The p-norm distance ‖xᵢ − xⱼ‖_p between every pair of rows i < j of an (N, M) input, in the
    order of the upper triangle (row by row): N(N − 1)/2 values, as ``torch.nn.functional.pdist``.
    The gradient of ‖xᵢ − xⱼ‖ is that of the norm, zero where two rows are equal (as PyTorch)."""
    if input.ndim != 2:
        raise OpError(f"pdist only supports 2D tensors, got: {input.ndim}D (shape {input.shape})")
    if p < 0:
        raise OpError(f"pdist only supports non-negative p values, got {p}")
    first, second = np.triu_indices(input.shape[0], 1)
    difference = input[first] - input[second]
    if p == 0:  # the number of coordinates that differ (no gradient, as in PyTorch)
        return (difference != 0).to(input.dtype).sum(dim=-1)
    return _p_norm(difference, p, -1, keepdim=False)
