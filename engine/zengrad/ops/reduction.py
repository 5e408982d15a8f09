"""Reductions over dimensions: sum, mean, max/min, logsumexp, and softmax built on them."""

from __future__ import annotations

import builtins
import collections

from ..autograd import Function
from ..tensor import Tensor
from .shape import expand


def normalize_dims(dim, ndim: int) -> tuple:
    """``dim`` (None, an int or a sequence, negatives allowed) as a sorted tuple of axes."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    normalized = []
    for d in dims:
        if not -builtins.max(ndim, 1) <= d < builtins.max(ndim, 1):
            raise IndexError(f"dimension {d} out of range for a tensor with {ndim} dimensions")
        normalized.append(d % ndim if ndim else 0)
    return tuple(sorted(set(normalized)))


def _keepdim_shape(shape: tuple, dims: tuple) -> tuple:
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


class Sum(Function):
    """z = Σ_{dims} a;  ∂z/∂a = 1 for every summed element: the gradient is g broadcast back."""

    def __init__(self, dims, keepdim):
        super().__init__()
        self.dims, self.keepdim = dims, keepdim

    def forward(self, a):
        return a.sum(axis=self.dims, keepdims=self.keepdim)

    def backward(self, g):
        (a,) = self.inputs
        return expand(g.reshape(_keepdim_shape(a.shape, self.dims)), a.shape)


class MaxOrMin(Function):
    """z = max (or min) of a over dims;  the gradient goes to the elements equal to z, split evenly."""

    def __init__(self, dims, keepdim, largest):
        super().__init__()
        self.dims, self.keepdim, self.largest = dims, keepdim, largest

    def forward(self, a):
        if a.size == 0:
            raise ValueError("max/min of an empty tensor")
        reduce = a.max if self.largest else a.min
        return reduce(axis=self.dims, keepdims=self.keepdim)

    def backward(self, g):
        (a,) = self.inputs
        shape = _keepdim_shape(a.shape, self.dims)
        hits = (a == self.output().detach().reshape(shape)).to(g.dtype)
        share = hits / hits.sum(dim=self.dims, keepdim=True)
        return g.reshape(shape) * share


# NOTE: this module's ``sum``, ``max`` and ``min`` are the Tensor ops (PyTorch's names); Python's
# own functions of those names are reached as ``builtins.sum`` etc. here.

def sum(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Σ a over the dimensions ``dim`` (all by default); see :class:`Sum` for the gradient."""
    return Sum.apply(a, dims=normalize_dims(dim, a.ndim), keepdim=keepdim)


def mean(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Σ a / n over the dimensions, n being the number of elements summed."""
    dims = normalize_dims(dim, a.ndim)
    count = 1
    for d in dims:
        count *= a.shape[d]
    return sum(a, dims, keepdim) / count


MaxMin = collections.namedtuple("MaxMin", ["values", "indices"])


def _extreme(a: Tensor, dim, keepdim: bool, largest: bool):
    """With ``dim=None``: the max (or min) of all elements. With an int ``dim``: PyTorch's
    ``(values, indices)`` pair along that dimension."""
    values = MaxOrMin.apply(a, dims=normalize_dims(dim, a.ndim), keepdim=keepdim, largest=largest)
    if dim is None:
        return values
    pick = a.xp.argmax if largest else a.xp.argmin
    indices = pick(a.data, axis=normalize_dims(dim, a.ndim)[0])
    if keepdim:
        indices = a.xp.expand_dims(indices, dim)
    return MaxMin(values, Tensor(indices))


def max(a: Tensor, dim=None, keepdim: bool = False):
    """The largest element (``dim=None``), or PyTorch's ``(values, indices)`` along ``dim``."""
    return _extreme(a, dim, keepdim, largest=True)


def min(a: Tensor, dim=None, keepdim: bool = False):
    """The smallest element (``dim=None``), or PyTorch's ``(values, indices)`` along ``dim``."""
    return _extreme(a, dim, keepdim, largest=False)


def argmax(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return _arg(a, dim, keepdim, a.xp.argmax)


def argmin(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return _arg(a, dim, keepdim, a.xp.argmin)


def _arg(a, dim, keepdim, pick):
    if dim is None:
        return Tensor(pick(a.data.reshape(-1)))
    indices = pick(a.data, axis=dim)
    return Tensor(a.xp.expand_dims(indices, dim) if keepdim else indices)


def logsumexp(a: Tensor, dim, keepdim: bool = False) -> Tensor:
    """log Σ exp(a) over ``dim``, computed as m + log Σ exp(a − m) with m = max a (no overflow).

    The shift m is treated as a constant: the result does not depend on it, so neither does the
    gradient, which is softmax(a).
    """
    dims = normalize_dims(dim, a.ndim)
    xp = a.xp
    shift = a.data.max(axis=dims, keepdims=True) if a.numel() else a.data.sum(axis=dims, keepdims=True)
    shift = Tensor(xp.where(xp.isfinite(shift), shift, 0))
    out = (a - shift).exp().sum(dim=dims, keepdim=True).log() + shift
    return out if keepdim else out.reshape(tuple(n for i, n in enumerate(a.shape) if i not in dims))


def log_softmax(a: Tensor, dim: int) -> Tensor:
    """log softmax(a)_i = a_i − log Σ_j exp(a_j) along ``dim`` (stable via logsumexp)."""
    return a - logsumexp(a, dim, keepdim=True)


def softmax(a: Tensor, dim: int) -> Tensor:
    """softmax(a)_i = exp(a_i) / Σ_j exp(a_j) along ``dim``; = exp(log_softmax) for stability."""
    return log_softmax(a, dim).exp()
