"""Numerical integration by the trapezoidal rule: ``trapezoid`` and ``cumulative_trapezoid``.

With samples yᵢ at points xᵢ along ``dim`` (spacing Δxᵢ = xᵢ₊₁ − xᵢ, or the constant ``dx``):

    ∫ y dx ≈ Σᵢ Δxᵢ·(yᵢ + yᵢ₊₁)/2          (``cumulative_trapezoid``: the running sums of the terms)

Composed of slicing, products and ``sum`` / ``cumsum``, so the gradient with respect to y (and to
x) is that of the sum: ∂/∂yᵢ = (Δxᵢ₋₁ + Δxᵢ)/2 inside, Δx/2 at the ends.
"""

from __future__ import annotations

from ..errors import OpError
from ..tensor import Tensor
from ._util import normalize_dim
from .layout import diff, narrow
from .reduction import sum
from .scan import cumsum


def _terms(op: str, y: Tensor, x, dx, dim: int) -> tuple[Tensor, int]:
    """The trapezoids' areas Δxᵢ·(yᵢ + yᵢ₊₁)/2 along ``dim`` (normalised), and that dim."""
    if x is not None and dx is not None:
        raise OpError(f"{op}: pass x or dx, not both")
    dim = normalize_dim(dim, y.ndim, op)
    length = y.shape[dim]
    if length == 0:
        return narrow(y, dim, 0, 0), dim
    mean_heights = (narrow(y, dim, 1, length - 1) + narrow(y, dim, 0, length - 1)) / 2
    if x is None:
        return mean_heights * (1.0 if dx is None else dx), dim
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: x must be a Tensor, got {type(x).__name__}")
    if x.ndim == 1:
        if x.shape[0] != length:
            raise OpError(f"{op}: there must be one `x` value for each sample point: x has {x.shape[0]}, "
                          f"y has {length} along dim {dim} (shape {y.shape})")
        steps = diff(x).reshape((-1,) + (1,) * (y.ndim - 1 - dim))
    else:
        steps = diff(x, dim=dim - y.ndim if x.ndim <= y.ndim else dim)
    return mean_heights * steps, dim


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx: float | None = None, dim: int = -1) -> Tensor:
    """∫ y dx along ``dim`` by the trapezoidal rule (module docstring): x gives the sample points
    (1-d along ``dim``, or broadcasting with y), dx a constant spacing (1 by default)."""
    terms, dim = _terms("trapezoid", y, x, dx, dim)
    return sum(terms, dim=dim)


def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx: float | None = None, dim: int = -1) -> Tensor:
    """The running integral: one value fewer than y along ``dim``, the k-th the trapezoid sum up
    to sample k + 1."""
    terms, dim = _terms("cumulative_trapezoid", y, x, dx, dim)
    return cumsum(terms, dim=dim)
