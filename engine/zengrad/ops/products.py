"""Products under PyTorch's specific names: mm, bmm, outer (all through matmul or broadcasting)."""

from __future__ import annotations

from ..tensor import Tensor
from .matmul import matmul


def mm(a: Tensor, b: Tensor) -> Tensor:
    """The matrix product of two 2-d tensors (no broadcasting)."""
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"mm: expects two matrices, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def bmm(a: Tensor, b: Tensor) -> Tensor:
    """Batched matrix products of (B, n, k) and (B, k, m) tensors (no broadcasting)."""
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise ValueError(f"bmm: expects two 3-d tensors with one batch size, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def outer(a: Tensor, b: Tensor) -> Tensor:
    """z[i, j] = a[i]·b[j] for 1-d a and b."""
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"outer: expects two 1-d tensors, got shapes {a.shape} and {b.shape}")
    return a.reshape(-1, 1) * b.reshape(1, -1)
