"""Ops whose results are counts or positions, so they have no gradient (as in PyTorch): unique,
bincount, histc, searchsorted and bucketize. Each works on the arrays and returns a tensor
outside the graph.
"""

from __future__ import annotations

import collections

import numpy as np

from ..errors import OpError
from ..tensor import Tensor
from ._util import normalize_dim


def unique(a: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
           dim: int | None = None):
    """The distinct elements of ``a`` in ascending order (``sorted`` is accepted; the result is
    always sorted, as PyTorch's CPU result is); with ``return_inverse`` also where each element of
    ``a`` went (inverse has a's shape: a = unique[inverse]), with ``return_counts`` how often each
    occurs. ``dim`` picks distinct slices along that dim instead."""
    xp = a.xp
    if dim is not None and any(n == 0 for i, n in enumerate(a.shape) if i != normalize_dim(dim, a.ndim, "unique")):
        raise OpError(f"unique: there are zero-sized dimensions other than dim={dim}, so unique cannot be applied "
                      f"(shape {a.shape})")
    each_nan = {"equal_nan": False} if dim is None and xp is np else {}  # every NaN distinct, as in PyTorch
    values, inverse, counts = xp.unique(a._data, return_inverse=True, return_counts=True, axis=dim, **each_nan)
    inverse = inverse.reshape(a.shape if dim is None else (a.shape[dim],)).astype(np.int64)
    out = [Tensor(values)]
    if return_inverse:
        out.append(Tensor(inverse))
    if return_counts:
        out.append(Tensor(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(a: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """z[v] = how many elements of the 1-d non-negative integer ``a`` equal v (or the sum of their
    ``weights``), for v = 0 … max(max(a) + 1, minlength) − 1."""
    if a.ndim != 1 or a.dtype.kind not in "iu":
        raise OpError(f"bincount: expects a 1-d integer tensor, got shape {a.shape} of {a.dtype}")
    if a.numel() and int(a._data.min()) < 0:
        raise OpError("bincount: the input must not hold negative values")
    if weights is not None and weights.shape != a.shape:
        raise OpError(f"bincount: weights of shape {weights.shape} must match the input's {a.shape}")
    counts = a.xp.bincount(a._data, weights=None if weights is None else weights._data, minlength=minlength)
    if weights is None:
        return Tensor(counts.astype(np.int64))
    return Tensor(counts.astype(weights.dtype if weights.dtype.kind == "f" else np.float64))


def histc(a: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """Counts of a's elements in ``bins`` equal-width bins over [min, max] (the data's own range when
    min = max = 0); elements outside are left out, the top edge belongs to the last bin. An element
    x goes to bin ⌊(x − min)/(max − min)·bins⌋, computed in a's dtype as PyTorch computes it."""
    xp = a.xp
    data = a._data.reshape(-1)
    low, high = a.dtype.type(min), a.dtype.type(max)
    if low == high:
        finite = data[xp.isfinite(data)]
        low, high = (finite.min(), finite.max()) if finite.size else (a.dtype.type(0), a.dtype.type(0))
    if low == high:
        low, high = low - 1, high + 1
    if bins < 1 or low > high:
        raise OpError(f"histc: needs bins >= 1 and min <= max, got bins={bins}, min={min}, max={max}")
    inside = data[(data >= low) & (data <= high)]
    with np.errstate(over="ignore", invalid="ignore"):
        position = ((inside - low) / (high - low) * a.dtype.type(bins)).astype(np.int64)
    counts = xp.bincount(xp.minimum(position, bins - 1), minlength=bins)
    return Tensor(counts.astype(a.dtype))


def searchsorted(sorted_sequence: Tensor, values, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None, sorter: Tensor | None = None) -> Tensor:
    """For each value, the index at which it would be inserted into the ascending last dim of
    ``sorted_sequence`` keeping it sorted: the first such place, or the last with ``right=True``
    (``side='right'``). A 1-d sequence serves every value; otherwise one row per row of values.
    ``sorter``: the indices that sort an unsorted sequence along its last dim; the indices found
    are int64, or int32 with ``out_int32``, as in PyTorch."""
    side = side or ("right" if right else "left")
    if side not in ("left", "right"):
        raise OpError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
    xp = sorted_sequence.xp
    index_dtype = np.int32 if out_int32 else np.int64
    if sorter is not None:
        sorted_sequence = Tensor(xp.take_along_axis(sorted_sequence._data, sorter._data, axis=-1))
    values = values._data if isinstance(values, Tensor) else xp.asarray(values)
    if sorted_sequence.ndim == 1:
        return Tensor(xp.searchsorted(sorted_sequence._data, values, side=side).astype(index_dtype))
    if sorted_sequence.shape[:-1] != values.shape[:-1]:
        raise OpError(f"searchsorted: sequence of shape {sorted_sequence.shape} and values of shape "
                      f"{values.shape} must agree in every dim but the last")
    rows = sorted_sequence._data.reshape(-1, sorted_sequence.shape[-1])
    wanted = values.reshape(len(rows), -1)
    found = xp.stack([xp.searchsorted(row, v, side=side) for row, v in zip(rows, wanted)]) if len(rows) else wanted
    return Tensor(found.reshape(values.shape).astype(index_dtype))


def bucketize(a: Tensor, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:
    """The bucket of each element between the ascending 1-d ``boundaries``: i with
    boundaries[i−1] < x ≤ boundaries[i] (``right=False``) or boundaries[i−1] ≤ x < boundaries[i]
    (``right=True``) — PyTorch's convention, the opposite of searchsorted's flag (int32 buckets
    with ``out_int32``)."""
    if boundaries.ndim != 1:
        raise OpError(f"bucketize: boundaries must be 1-d, got shape {boundaries.shape}")
    return searchsorted(boundaries, a, out_int32=out_int32, right=right)


def unique_consecutive(a: Tensor, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None):
    """``a`` with each run of equal consecutive elements (slices along ``dim``) kept once, in order:
    [1, 1, 2, 2, 3, 1, 1, 2] → [1, 2, 3, 1, 2]. ``return_inverse``: the run each element belongs
    to (a's shape, or one per slice); ``return_counts``: each run's length. NaN never equals NaN,
    so every NaN starts its own run."""
    xp = a.xp
    if dim is None:
        rows = a._data.reshape(-1, 1)
    else:
        if a.ndim == 0:
            raise OpError(f"unique_consecutive: dim {dim} is out of range for a 0-d tensor")
        dim = dim % a.ndim
        rows = xp.moveaxis(a._data, dim, 0).reshape(a.shape[dim], -1)
    starts = xp.ones(rows.shape[0], dtype=bool)
    if rows.shape[0] > 1:
        starts[1:] = (rows[1:] != rows[:-1]).any(axis=1) if rows.shape[1] else False
    first = xp.flatnonzero(starts)
    values = a._data.reshape(-1)[first] if dim is None else xp.take(a._data, first, axis=dim)
    out = [Tensor(values)]
    if return_inverse:
        inverse = xp.cumsum(starts) - 1
        out.append(Tensor(inverse.reshape(a.shape if dim is None else (a.shape[dim],)).astype(np.int64)))
    if return_counts:
        out.append(Tensor(xp.diff(xp.append(first, rows.shape[0])).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Whether each element of ``elements`` occurs in ``test_elements`` (a bool tensor of elements'
    shape; ``invert`` negates it). Either may be a number. NaN is in nothing, as NaN ≠ NaN."""
    reference = elements if isinstance(elements, Tensor) else test_elements
    xp = reference.xp
    values = elements._data if isinstance(elements, Tensor) else xp.asarray(elements)
    tests = test_elements._data if isinstance(test_elements, Tensor) else xp.asarray(test_elements)
    return Tensor(xp.isin(values, tests, assume_unique=assume_unique, invert=invert))


Histogram = collections.namedtuple("histogram", ["hist", "bin_edges"])


def histogram(input: Tensor, bins=100, *, range=None, weight: Tensor | None = None, density: bool = False):
    """(hist, bin_edges) of the values of a float tensor: ``bins`` equal bins over ``range`` (the
    values' min and max by default) or the edges given as a 1-d tensor; the last bin includes its
    right edge. ``weight`` adds each value's weight instead of 1; ``density`` divides by the total
    and the bin widths so that the histogram integrates to 1."""
    if input.dtype.kind != "f":
        raise OpError(f"histogram: input must be a floating-point tensor, got {input.dtype}")
    xp = input.xp
    edges = bins._data if isinstance(bins, Tensor) else bins
    weights = None if weight is None else weight._data.reshape(-1)
    counts, bin_edges = xp.histogram(input._data.reshape(-1), bins=edges, range=range, weights=weights,
                                     density=density)
    return Histogram(Tensor(counts.astype(input.dtype)), Tensor(bin_edges.astype(input.dtype)))
