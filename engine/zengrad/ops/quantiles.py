"""Quantiles: ``quantile``, ``nanquantile`` and ``nanmedian``, as PyTorch computes them.

The q-quantile of n sorted values v₀ ≤ … ≤ v_{n−1} sits at the rank r = q·(n − 1). Between the
neighbours i = ⌊r⌋ and j = ⌈r⌉ the ``interpolation`` decides: ``linear`` vᵢ + (r − i)·(vⱼ − vᵢ),
``lower`` vᵢ, ``higher`` vⱼ, ``midpoint`` (vᵢ + vⱼ)/2, ``nearest`` the value at r rounded half to
even. ``quantile`` of a slice holding NaN is NaN; ``nanquantile`` and ``nanmedian`` skip the NaNs
(n counts the others). The values are picked from a sort, so the gradient goes to the one or two
elements each quantile was interpolated from, weighted as the interpolation weighs them.
"""

from __future__ import annotations

import numpy as np

from .. import backend
from ..errors import OpError
from ..tensor import Tensor
from ._util import normalize_dim
from .elementwise import where
from .indexing import Sorted, sort, take_along_dim

INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _levels(op: str, q, a: Tensor) -> tuple[np.ndarray, bool]:
    """(q as a float64 vector, whether q was a scalar), once every level is in [0, 1]."""
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise OpError(f"{op}() q must be a scalar or 1D tensor, got shape {q.shape}")
        if q.dtype != a.dtype:
            raise OpError(f"{op}() q tensor must be same dtype as the input tensor ({q.dtype} vs {a.dtype})")
        levels, scalar = np.asarray(backend.to_device(q._data, "cpu"), dtype=np.float64).reshape(-1), q.ndim == 0
    else:
        levels, scalar = np.array([float(q)]), True
    for level in levels:
        if not 0 <= level <= 1:
            raise OpError(f"{op}() q must be in the range [0, 1] but got {level}")
    return levels, scalar


def _interpolate(lower: Tensor, upper: Tensor, weight) -> Tensor:
    """PyTorch's lerp: lower + w·(upper − lower) for w < 0.5, upper − (upper − lower)·(1 − w) else
    (each form exact at its own end)."""
    span = upper - lower
    return where(Tensor(weight < 0.5), lower + span * Tensor(weight), upper - span * Tensor(1 - weight))


def _quantile(op: str, a: Tensor, q, dim, keepdim: bool, interpolation: str, skip_nan: bool) -> Tensor:
    if a.dtype.kind != "f":
        raise OpError(f"{op}() input tensor must be either float or double dtype, got {a.dtype}")
    if a.numel() == 0:
        raise OpError(f"{op}() input tensor must be non-empty (shape {a.shape})")
    if interpolation not in INTERPOLATIONS:
        raise OpError(f"{op}() interpolation must be one of {', '.join(INTERPOLATIONS)}. Got {interpolation!r}")
    levels, scalar = _levels(op, q, a)
    if dim is None:
        rows, out_shape = a.reshape(1, -1), (1,) * a.ndim if keepdim else ()
    else:
        dim = normalize_dim(dim, a.ndim, op)
        moved = a.unsqueeze(0) if a.ndim == 0 else a.movedim(dim, -1)
        rows = moved.reshape(-1, moved.shape[-1])
        kept = list(a.shape)
        if a.ndim:
            kept[dim] = 1
        out_shape = tuple(kept) if keepdim else tuple(s for i, s in enumerate(a.shape) if i != dim)
    ordered = sort(rows, dim=-1).values  # NaNs last
    size = rows.shape[-1]
    nans = np.isnan(np.asarray(backend.to_device(rows._data, "cpu"))).sum(axis=-1, keepdims=True)
    if skip_nan:
        ranks = levels * (size - nans - 1)
        ranks = np.where(nans == size, size - 1, ranks)  # all NaN: pick a NaN
    else:
        ranks = np.where(nans > 0, size - 1, levels * (size - 1) + np.zeros_like(nans))
    low, high = np.floor(ranks), np.ceil(ranks)
    if interpolation == "nearest":
        low = high = np.round(ranks)
    xp = rows.xp

    def picked(positions):
        return take_along_dim(ordered, Tensor(xp.asarray(positions.astype(np.int64))), dim=-1)

    if interpolation == "lower":
        values = picked(low)
    elif interpolation in ("higher", "nearest"):
        values = picked(high)
    else:
        weight = ranks - low if interpolation == "linear" else np.where(high > low, 0.5, 0.0)
        values = _interpolate(picked(low), picked(high), xp.asarray(weight.astype(a.dtype)))
    values = values.transpose(0, 1).reshape((len(levels),) + out_shape)
    return values[0] if scalar else values


def quantile(input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear") -> Tensor:
    """The q-quantiles of ``input`` (all elements for ``dim=None``, else along ``dim``); a vector q
    adds a leading dimension of its length. NaN where a slice holds NaN. See the module docstring."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, skip_nan=False)


def nanquantile(input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear") -> Tensor:
    """:func:`quantile` of the values that are not NaN (NaN only where a slice is all NaN)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, skip_nan=True)


def nanmedian(input: Tensor, dim=None, keepdim: bool = False):
    """The lower median of the values that are not NaN (the ⌈k/2⌉-th smallest of k): one value
    for ``dim=None``, else (values, indices) along ``dim``, as :func:`~zengrad.ops.statistics.median`
    but skipping NaNs (NaN only where a slice is all NaN). The gradient goes to the element picked."""
    if dim is None:
        if input.numel() == 0:
            return Tensor(input.xp.full((), input.xp.nan, dtype=input.dtype))
        return nanmedian(input.reshape(-1), 0).values
    dim = normalize_dim(dim, input.ndim, "nanmedian")
    if input.ndim == 0:
        return Sorted(input * 1, Tensor(input.xp.zeros((), dtype=input.xp.int64)))
    if input.shape[dim] == 0:
        raise IndexError(f"nanmedian: the reduction dim {dim} of shape {input.shape} has no elements")
    xp = input.xp
    ordered = sort(input, dim, stable=True)  # NaNs last
    counts = (~xp.isnan(input._data)).sum(axis=dim, keepdims=True)
    position = Tensor(xp.maximum(counts - 1, 0) // 2)
    values = take_along_dim(ordered.values, position, dim)
    indices = Tensor(xp.take_along_axis(ordered.indices._data, position._data, axis=dim))
    if not keepdim:
        values, indices = values.squeeze(dim), Tensor(indices._data.squeeze(dim))
    return Sorted(values, indices)
