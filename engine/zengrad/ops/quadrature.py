"""Calculus on samples: integration by the trapezoidal rule (``trapezoid``,
``cumulative_trapezoid``) and differentiation by finite differences (``gradient``).

With samples yᵢ at points xᵢ along ``dim`` (spacing Δxᵢ = xᵢ₊₁ − xᵢ, or the constant ``dx``):

    ∫ y dx ≈ Σᵢ Δxᵢ·(yᵢ + yᵢ₊₁)/2          (``cumulative_trapezoid``: the running sums of the terms)

Composed of slicing, products and ``sum`` / ``cumsum``, so the gradient with respect to y (and to
x) is that of the sum: ∂/∂yᵢ = (Δxᵢ₋₁ + Δxᵢ)/2 inside, Δx/2 at the ends.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import backend
from ..errors import OpError
from ..tensor import Tensor
from ._util import normalize_dim
from .layout import diff, narrow
from .shape import cat
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


def _spacings(spacing, dims: tuple) -> list:
    """One spacing per dim in ``dims``: a number (a constant step) or a 1-d array of coordinates."""
    def one(s):
        if isinstance(s, Tensor):
            return s.item() if s.ndim == 0 else s._data
        if isinstance(s, numbers.Number) and not isinstance(s, bool):
            return s
        raise TypeError(f"gradient: spacing must be a number, a 0-d tensor or a 1-d tensor of coordinates, got {s!r}")
    if not isinstance(spacing, (list, tuple)):
        return [one(spacing)] * len(dims)
    if len(spacing) != len(dims):
        raise OpError(f"gradient: expected spacing to be unspecified, a scalar, or a list of length equal to the "
                      f"number of dims ({len(dims)}), but got a list of length {len(spacing)}")
    return [one(s) for s in spacing]


def _edge_weights(h0: float, h1: float) -> tuple:
    """The second-order one-sided weights (w₀, w₁, w₂) of f₀, f₁, f₂ for f'(x₀), steps h0 = x₁ − x₀
    and h1 = x₂ − x₁ (from the quadratic through the three points)."""
    return (-(2 * h0 + h1) / (h0 * (h0 + h1)), (h0 + h1) / (h0 * h1), -h0 / (h1 * (h0 + h1)))


def _derivative(f: Tensor, dim: int, step, edge_order: int) -> Tensor:
    """∂f/∂x along ``dim`` for a constant step or 1-d coordinates (see :func:`gradient`)."""
    n = f.shape[dim]
    xp = f.xp
    if isinstance(step, numbers.Number):
        steps = xp.full(n - 1, float(step))
    else:
        if step.ndim != 1 or step.shape[0] != n:
            raise OpError(f"gradient: coordinates of shape {tuple(step.shape)} for dim {dim} of size {n} "
                          f"(input shape {f.shape})")
        steps = xp.diff(step.astype(np.float64))
    along = (-1,) + (1,) * (f.ndim - 1 - dim)

    def part(start: int, length: int = 1) -> Tensor:
        return narrow(f, dim, start, length)

    def weight(values) -> Tensor:
        return Tensor(xp.asarray(values).astype(f.dtype).reshape(along))

    if isinstance(step, numbers.Number):  # equal steps: the central difference
        inside = (part(2, n - 2) - part(0, n - 2)) / (2.0 * step)
    else:
        left, right = steps[:-1], steps[1:]
        inside = (part(2, n - 2) * weight(left ** 2 / (left * right * (left + right)))
                  - part(0, n - 2) * weight(right ** 2 / (left * right * (left + right)))
                  + part(1, n - 2) * weight((right ** 2 - left ** 2) / (left * right * (left + right))))
    if edge_order == 1:
        first = (part(1) - part(0)) / float(steps[0])
        last = (part(n - 1) - part(n - 2)) / float(steps[-1])
    else:
        w = _edge_weights(float(steps[0]), float(steps[1]))
        first = part(0) * w[0] + part(1) * w[1] + part(2) * w[2]
        w = _edge_weights(-float(steps[-1]), -float(steps[-2]))  # the same quadratic, read from the end
        last = part(n - 1) * w[0] + part(n - 2) * w[1] + part(n - 3) * w[2]
    return cat([first, inside, last], dim=dim)


def gradient(input: Tensor, *, spacing=1, dim=None, edge_order: int = 1) -> tuple:
    """∂f/∂xₖ of the samples f = ``input`` along each dim k in ``dim`` (all dims when None), by
    finite differences (``numpy.gradient``): one tensor of input's shape per dim.

    Inside, with steps hₗ = xᵢ − xᵢ₋₁ and hᵣ = xᵢ₊₁ − xᵢ (second order, exact for quadratics):

        f'(xᵢ) ≈ (hₗ²·fᵢ₊₁ − hᵣ²·fᵢ₋₁ + (hᵣ² − hₗ²)·fᵢ) / (hₗ·hᵣ·(hₗ + hᵣ))      (= (fᵢ₊₁ − fᵢ₋₁)/2h for hₗ = hᵣ)

    At the ends one-sided differences: (f₁ − f₀)/h₀ for ``edge_order=1``, the derivative of the
    quadratic through the first (last) three samples for ``edge_order=2``. ``spacing``: a number
    (the step of every dim), a list of numbers (one per dim) or a list of 1-d coordinate tensors.
    Linear in f, built from slices and weighted sums, so the gradient flows back through it.
    Integer input gives the default float dtype."""
    if edge_order not in (1, 2):
        raise OpError(f"gradient: only supports edge_order=1 and edge_order=2, got {edge_order}")
    if input.ndim == 0:
        return ()
    dims = tuple(range(input.ndim)) if dim is None else (dim,) if isinstance(dim, int) else tuple(dim)
    dims = tuple(normalize_dim(d, input.ndim, "gradient") for d in dims)
    steps = _spacings(spacing, dims)
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise OpError(f"gradient: expected each dimension size to be at least edge_order+1 = {edge_order + 1}, "
                          f"got shape {input.shape} along dim {d}")
    f = input if input.dtype.kind == "f" else input.to(backend.DEFAULT_DTYPE)
    return tuple(_derivative(f, d, step, edge_order) for d, step in zip(dims, steps))
