"""``cdist``: the p-norm distance between every row of one batch of points and every row of another.

For x₁ of shape (…, P, M) and x₂ of shape (…, R, M) (batch dims broadcast), with d = x₁ᵢ − x₂ⱼ:

    out[…, i, j] = ‖d‖_p = (Σₖ |dₖ|ᵖ)^(1/p)       p = 0: the count of dₖ ≠ 0;  p = ∞: maxₖ |dₖ|

    ∂‖d‖_p/∂dₖ = sign(dₖ)·|dₖ|^(p−1) / ‖d‖_p^(p−1)     (p = 2: dₖ/‖d‖; p = 1: sign(dₖ))

p = 0 counts, so it has no gradient; for p = ∞ tied largest coordinates share the gradient evenly
(as ``amax`` shares it; PyTorch gives each the whole). Where two points coincide (‖d‖ = 0) the
gradient is 0, as PyTorch defines it, and so is the term
of a coordinate with dₖ = 0 when p < 1 (where |dₖ|^(p−1) is infinite). The ops below are arranged
so that no infinity is formed even in the unused branch of a ``where``, which keeps the first and
second derivatives finite.
"""

from __future__ import annotations

import math

from ..errors import OpError
from ..tensor import Tensor
from .elementwise import abs, where
from .reduction import sum
from .statistics import amax


def _nonzero_power(a: Tensor, p: float) -> Tensor:
    """aᵖ for a ≥ 0 (or NaN), and 0 where a = 0 (with gradient 0 there)."""
    nonzero = Tensor(a._data != 0)
    return where(nonzero, where(nonzero, a, 1.0) ** p, 0.0)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str | None = None) -> Tensor:
    """Pairwise p-norm distances (see the module docstring): (…, P, M) and (…, R, M) → (…, P, R).
    ``compute_mode`` is accepted for PyTorch's signature; the result is always computed directly."""
    if x1.ndim < 2 or x2.ndim < 2:
        raise OpError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D (shape {x1.shape}), "
                      f"X2 got: {x2.ndim}D (shape {x2.shape})")
    if x1.shape[-1] != x2.shape[-1]:
        raise OpError(f"cdist: X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: "
                      f"{x2.shape[-1]} (shapes {x1.shape} and {x2.shape})")
    if x1.dtype.kind != "f" or x2.dtype.kind != "f":
        raise OpError(f"cdist only supports floating-point dtypes, X1 got: {x1.dtype}, X2 got: {x2.dtype}")
    if not p >= 0:
        raise OpError(f"cdist only supports non-negative p values, got {p}")
    difference = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    if p == 0:
        return Tensor((difference._data != 0).sum(axis=-1).astype(difference.dtype))
    size = abs(difference)
    if math.isinf(p):
        return amax(size, dim=-1) if size.shape[-1] else sum(size, dim=-1)
    if p == 1:
        return sum(size, dim=-1)
    total = sum(size * size if p == 2 else _nonzero_power(size, p), dim=-1)
    return _nonzero_power(total, 1.0 / p)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """The p-norm distances between every pair of rows i < j of an (N, M) input, in row-major
    order of the pairs (N·(N − 1)/2 values): the upper triangle of cdist(x, x)."""
    if input.ndim != 2:
        raise OpError(f"pdist only supports 2D tensors, got: {input.ndim}D (shape {input.shape})")
    rows, cols = input.xp.triu_indices(input.shape[0], 1)
    return cdist(input, input, p)[Tensor(rows), Tensor(cols)]
