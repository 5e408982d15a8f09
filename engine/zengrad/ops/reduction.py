"""Reductions over dimensions: sum, mean, max/min, logsumexp, and softmax built on them."""

from __future__ import annotations

import collections

import numpy as np

from ..errors import DtypeError, OpError
from .. import backend
from ..autograd import Function, named
from ..tensor import Tensor
from ._util import float_array, normalize_dim, require_float
from .elementwise import where
from .shape import expand


def normalize_dims(dim, ndim: int, op: str = "reduction") -> tuple:
    """``dim`` (None, an int or a sequence, negatives allowed) as a sorted tuple of axes.

    None and an empty sequence both mean every axis, as in PyTorch's sum, mean, amax, var and the
    other reductions (``x.sum(dim=())`` is the sum of all elements). A 0-d tensor accepts ``dim``
    0 or -1, as in PyTorch, and has no axis to reduce: ``()``.
    """
    dims = (dim,) if isinstance(dim, (int, np.integer)) else None if dim is None else tuple(dim)
    if not dims:
        return tuple(range(ndim))
    normalized = {normalize_dim(d, ndim, op) for d in dims}
    if len(normalized) < len(dims) and ndim:
        raise OpError(f"{op}: dims {dims} name one dimension more than once (shape of {ndim} dimensions)")
    return tuple(sorted(normalized)) if ndim else ()


def _keepdim_shape(shape: tuple, dims: tuple) -> tuple:
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


class Sum(Function):
    """z = Σ_{dims} a;  ∂z/∂a = 1 for every summed element: the gradient is g broadcast back."""

    saved_inputs = ()

    def __init__(self, dims, keepdim, dtype=None):
        super().__init__()
        self.dims, self.keepdim, self.dtype = dims, keepdim, dtype

    def forward(self, a):  # ints and bools sum in int64 unless a dtype is asked for, as in PyTorch
        dtype = self.dtype or (np.int64 if a.dtype.kind in "biu" else None)  # (NumPy: uint8 in uint64)
        return a.sum(axis=self.dims, keepdims=self.keepdim, dtype=dtype)

    def backward(self, g):
        (a,) = self.inputs
        return expand(g.reshape(_keepdim_shape(a.shape, self.dims)), a.shape)


class MaxOrMin(Function):
    """z = max (or min) of a over dims (NaN if the slice holds a NaN);  the gradient is shared evenly
    by the elements equal to z. Where z is NaN, ``max()`` shares it among the NaNs, while
    ``amax``/``amin`` (``nan_shares=False``) compute g·[a = z]/Σ[a = z] literally, as PyTorch's do:
    no element equals NaN, so the whole slice's gradient is 0·(g/0) = NaN."""

    def __init__(self, dims, keepdim, largest, nan_shares=True):
        super().__init__()
        self.dims, self.keepdim, self.largest, self.nan_shares = dims, keepdim, largest, nan_shares

    def forward(self, a):
        if any(a.shape[d] == 0 for d in self.dims):  # PyTorch: IndexError along a dim, else RuntimeError
            if len(self.dims) < a.ndim:
                raise IndexError(f"max/min: reduction dims {self.dims} of shape {a.shape} include an empty one")
            raise OpError("max/min of an empty tensor: give a dim of non-zero size")
        reduce = a.max if self.largest else a.min
        return reduce(axis=self.dims, keepdims=self.keepdim)

    def name(self) -> str:
        """PyTorch's node: max()/min() of everything, or amax/amin."""
        if self.node_name is not None:
            return self.node_name
        if self.nan_shares:
            return "MaxBackward1" if self.largest else "MinBackward1"
        return "AmaxBackward0" if self.largest else "AminBackward0"

    def backward(self, g):
        (a,) = self.inputs
        shape = _keepdim_shape(a.shape, self.dims)
        value = self.output().detach().reshape(shape)
        xp = a.xp
        if not self.nan_shares:
            hits = Tensor((a._data == value._data).astype(g.dtype))
            return g.reshape(shape) / hits.sum(dim=self.dims, keepdim=True) * hits
        hits = Tensor((a._data == value._data) | (xp.isnan(a._data) & xp.isnan(value._data)))
        count = hits.sum(dim=self.dims, keepdim=True).to(g.dtype)
        return where(hits, g.reshape(shape) / count, 0)


class MaxOrMinAlong(Function):
    """z = a at ``indices`` (where the max or min along ``dim`` is: the first one, or the first NaN);
    the gradient goes to that one element, as PyTorch's ``max(dim)`` does (ties are not shared)."""

    saved_inputs = ()  # backward needs only the shape and the indices

    def __init__(self, dim, keepdim, indices):
        super().__init__()
        self.dim, self.keepdim, self.indices = dim, keepdim, indices  # indices keep the dimension

    def forward(self, a):
        if a.ndim == 0:
            return a.copy()
        values = backend.array_module(backend.device_of(a)).take_along_axis(a, self.indices, axis=self.dim)
        return values if self.keepdim else values.squeeze(self.dim)

    def backward(self, g):
        (a,) = self.inputs
        if a.ndim == 0:
            return g
        positions = a.xp.arange(a.shape[self.dim]).reshape([-1 if i == self.dim else 1 for i in range(a.ndim)])
        return where(Tensor(positions == self.indices), g.reshape(_keepdim_shape(a.shape, (self.dim,))), 0)


# NOTE: this module's ``sum``, ``max`` and ``min`` are the Tensor ops (PyTorch's names); Python's
# own functions of those names are reached as ``builtins.sum`` etc. here.

def sum(a: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Σ a over the dimensions ``dim`` (all by default), in ``dtype`` when given (a is converted
    first, and an int ``dtype`` wraps around: int8 100 + 100 is −56); see :class:`Sum` for the gradient."""
    if dtype is not None:
        dtype = np.dtype(dtype)
        a = a.to(dtype)
    out = Sum.apply(a, dims=normalize_dims(dim, a.ndim, "sum"), keepdim=keepdim, dtype=dtype)
    return out if dim is None else named(out, "SumBackward1")  # PyTorch's overload with dims


def mean(a: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Σ a / n over the dimensions, n being the number of elements summed (in ``dtype`` when given).

    Ints and bools are refused without a floating ``dtype``, as in PyTorch; float16 is summed in
    float32 (PyTorch's accumulator), so a mean of 3000 values of 30 is 30, not inf."""
    if dtype is not None:
        a = a.to(dtype)
    require_float(a, "mean")
    if a.dtype == np.float16:
        return mean(a.float(), dim, keepdim).to(np.float16)
    dims = normalize_dims(dim, a.ndim, "mean")
    count = 1
    for d in dims:
        count *= a.shape[d]
    return named(sum(a, dims, keepdim) / count, "MeanBackward0" if dim is None else "MeanBackward1")


MaxMin = collections.namedtuple("MaxMin", ["values", "indices"])


def _extreme(a: Tensor, dim, keepdim: bool, largest: bool):
    """With ``dim=None``: the max (or min) of all elements. With an int ``dim``: PyTorch's
    ``(values, indices)`` pair along that dimension."""
    op = "max" if largest else "min"
    if dim is None:
        return MaxOrMin.apply(a, dims=normalize_dims(dim, a.ndim, op), keepdim=keepdim, largest=largest)
    indices = _arg(a, dim, True, a.xp.argmax if largest else a.xp.argmin, op)
    values = MaxOrMinAlong.apply(a, dim=normalize_dim(dim, a.ndim, op), keepdim=keepdim, indices=indices._data)
    named(values, "MaxBackward0" if largest else "MinBackward0")
    return MaxMin(values, indices if keepdim or a.ndim == 0 else indices.squeeze(dim))


def max(a: Tensor, dim=None, keepdim: bool = False):
    """The largest element (``dim=None``), or PyTorch's ``(values, indices)`` along ``dim``."""
    return _extreme(a, dim, keepdim, largest=True)


def min(a: Tensor, dim=None, keepdim: bool = False):
    """The smallest element (``dim=None``), or PyTorch's ``(values, indices)`` along ``dim``."""
    return _extreme(a, dim, keepdim, largest=False)


def argmax(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    _refuse_bool("argmax", a)
    return _arg(a, dim, keepdim, a.xp.argmax, "argmax")


def argmin(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    _refuse_bool("argmin", a)
    return _arg(a, dim, keepdim, a.xp.argmin, "argmin")


def _refuse_bool(op: str, a: Tensor) -> None:
    """PyTorch's RuntimeError for argmax/argmin of a bool tensor (max/min along a dim take bools)."""
    if a.dtype == np.bool_:
        raise DtypeError(f"{op}(): does not support bool input (shape {tuple(a.shape)})")


def _arg(a, dim, keepdim, pick, op):
    """The index of the extreme element along ``dim`` (of the flattened tensor when ``dim`` is None);
    PyTorch's IndexError when that has no elements."""
    if dim is None:
        if a.numel() == 0:
            raise IndexError(f"{op}: an empty tensor (shape {a.shape}) has no extreme; give a dim of non-zero size")
        return Tensor(pick(a._data.reshape(-1)))
    dim = normalize_dim(dim, a.ndim, op)
    if a.ndim and a.shape[dim] == 0:
        raise IndexError(f"{op}: the reduction dim {dim} of shape {a.shape} has no elements")
    if a.ndim == 0:
        return Tensor(a.xp.zeros((), dtype=np.int64))
    indices = pick(a._data, axis=dim)
    return Tensor(a.xp.expand_dims(indices, dim) if keepdim else indices)


class LogSumExp(Function):
    """z = log Σ_{dims} exp(a), computed as m + log Σ exp(a − m) with m = max a (no overflow; an
    infinite m is replaced by 0, as PyTorch does, so a slice holding +inf gives +inf and a slice of
    −inf gives −inf);  ∂z/∂a = exp(a − z) = softmax(a), PyTorch's formula (0 for a finite element
    next to +inf, NaN for the +inf themselves)."""

    node_name = "LogsumexpBackward0"

    saved_inputs = (0,)

    def __init__(self, dims, keepdim):
        super().__init__()
        self.dims, self.keepdim = dims, keepdim

    def forward(self, a):
        xp = backend.array_module(backend.device_of(a))
        a = float_array(a)
        shift = _max_over(a, self.dims)
        shift = xp.where(xp.isfinite(shift), shift, a.dtype.type(0))
        out = xp.log(xp.exp(a - shift).sum(axis=self.dims, keepdims=True)) + shift
        return out if self.keepdim else out.squeeze(self.dims)

    def backward(self, g):
        (a,) = self.inputs
        shape = _keepdim_shape(a.shape, self.dims)
        return g.reshape(shape) * (a - self.output().reshape(shape)).exp()


def logsumexp(a: Tensor, dim, keepdim: bool = False) -> Tensor:
    """log Σ exp(a) over ``dim`` (see :class:`LogSumExp`)."""
    return LogSumExp.apply(a, dims=normalize_dims(dim, a.ndim, "logsumexp"), keepdim=keepdim)


def _max_over(array, dims: tuple):
    """max of an array over ``dims`` (kept); zeros for an empty array."""
    return array.max(axis=dims, keepdims=True) if array.size else array.sum(axis=dims, keepdims=True)


def log_softmax(a: Tensor, dim: int, *, dtype=None) -> Tensor:
    """log softmax(a)_i = a_i − log Σ_j exp(a_j) along ``dim``, as (a − m) − log Σ_j exp(a_j − m) with
    m = max a a constant (no overflow). As in PyTorch, m is not replaced when infinite: a slice
    holding +inf (or only −inf) gives NaN throughout, where logsumexp gives ±inf. Computed in
    ``dtype`` when given (a is converted first)."""
    if dtype is not None:
        a = a.to(dtype)
    shifted = a - Tensor(_max_over(a._data, normalize_dims(dim, a.ndim, "log_softmax")))
    return named(shifted - shifted.exp().sum(dim=dim, keepdim=True).log(), "LogSoftmaxBackward0")


def softmax(a: Tensor, dim: int, *, dtype=None) -> Tensor:
    """softmax(a)_i = exp(a_i) / Σ_j exp(a_j) along ``dim``; = exp(log_softmax) for stability (in
    ``dtype`` when given)."""
    return named(log_softmax(a, dim, dtype=dtype).exp(), "SoftmaxBackward0")
