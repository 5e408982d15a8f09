"""Reductions beyond sum/mean/max: var, std, prod, norm, amax/amin, nansum/nanmean, median and
kthvalue, and the counting/boolean count_nonzero, any, all.

var and std are compositions of mean, subtraction and sum, so their gradients (and second
derivatives) follow from those ops. prod and the 2-norm are Functions, because their textbook
gradients (z/aᵢ and a/‖a‖) divide by zero where the true gradient is finite.
"""

from __future__ import annotations

import builtins
import collections
import math
import warnings

import numpy as np

from ..errors import DtypeError, OpError
from .. import backend
from ..autograd import Function, named
from ..tensor import Tensor
from .elementwise import abs, where
from ._util import normalize_dim, require_float
from .reduction import MaxOrMin, _keepdim_shape, normalize_dims, sum
from .shape import expand


def _dims(dim, a: Tensor) -> tuple:
    """The reduced axes; a 0-d tensor accepts dim 0 or −1 (as in PyTorch) and has none."""
    dims = normalize_dims(dim, a.ndim)
    return dims if a.ndim else ()


def _count(a: Tensor, dims: tuple) -> int:
    count = 1
    for d in dims:
        count *= a.shape[d]
    return count


def _correction(op: str, unbiased, correction) -> float:
    if unbiased is not None and correction is not None:
        raise OpError(f"{op}: give either unbiased or correction, not both")
    if unbiased is not None:
        return 1 if unbiased else 0
    return 1 if correction is None else correction


def var(a: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> Tensor:
    """Σ (a − ā)² / (N − correction) over ``dim`` (all by default), ā the mean over the same dims.

    correction=1 (default) is Bessel's unbiased estimate, 0 the population variance; the legacy
    ``unbiased`` flag means correction 1 or 0. N − correction ≤ 0 gives inf or NaN, as in PyTorch.
    The gradient is 2(a − ā)/(N − correction), from the ops used.
    """
    return _variance("var", a, dim, unbiased, keepdim, correction)


def _variance(op: str, a: Tensor, dim, unbiased, keepdim: bool, correction) -> Tensor:
    """:func:`var` for ``op`` (var or std), which PyTorch's warning names when N − correction ≤ 0."""
    if isinstance(dim, bool):  # var(x, True): the legacy positional unbiased flag
        dim, unbiased = None, dim
    require_float(a, op)
    dims = normalize_dims(dim, a.ndim)
    correction = _correction(op, unbiased, correction)
    if a.dtype == np.float16:  # computed in float32, PyTorch's accumulator, as mean is
        return _variance(op, a.float(), dims, None, keepdim, correction).to(np.float16)
    if _count(a, dims) - correction <= 0:
        warnings.warn(f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      "reduction factor (input numel divided by output numel).", UserWarning, stacklevel=4)
    centred = a - a.mean(dim=dims, keepdim=True)
    return named(sum(centred * centred, dims, keepdim) / builtins.max(_count(a, dims) - correction, 0),
                 "VarBackward0")


class StdOfVar(Function):
    """z = √v for a variance v;  ∂z/∂v = 1/(2z), taken as 0 where z = 0 (PyTorch's std backward):
    a slice of equal values has std 0 and gradient 0, where √'s 1/(2·0) = inf times var's 0 is NaN."""

    node_name = "StdBackward0"

    saved_inputs = ()  # backward reads the output

    def forward(self, v):
        return backend.array_module(backend.device_of(v)).sqrt(v)

    def backward(self, g):
        z = self.output()
        return where(z == 0, 0, g / (z * 2))


def std(a: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> Tensor:
    """√var (see :func:`var` and :class:`StdOfVar`); its gradient is (a − ā)/((N − correction)·std), and
    0 where std = 0, as in PyTorch. float16 is computed in float32, as :func:`var` is."""
    if a.dtype == np.float16:
        return std(a.float(), dim, unbiased, keepdim, correction=correction).to(np.float16)
    return StdOfVar.apply(_variance("std", a, dim, unbiased, keepdim, correction))


def var_mean(a: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """(var, mean) over the same dims."""
    return var(a, dim, unbiased, keepdim, correction=correction), a.mean(dim=dim, keepdim=keepdim)


def std_mean(a: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """(std, mean) over the same dims."""
    return std(a, dim, unbiased, keepdim, correction=correction), a.mean(dim=dim, keepdim=keepdim)


class Prod(Function):
    """z = Π_{dims} a;  ∂z/∂aᵢ = Π_{j≠i} aⱼ, the product of the others.

    Without a zero in ``a`` that is z/aᵢ. Once ``a`` holds a zero the division fails, and (as
    PyTorch does) the product of the others is formed directly as the product of the elements
    before i times the product of those after it — two exclusive cumulative products, so the zero's
    own gradient is the product of the rest and, with two zeros in a slice, every gradient is 0.
    Both forms are Tensor expressions, so second derivatives work.
    """

    def __init__(self, dims, keepdim):
        super().__init__()
        self.dims, self.keepdim = dims, keepdim

    def forward(self, a):  # ints and bools multiply in int64, as in PyTorch (NumPy: uint8 in uint64)
        return a.prod(axis=self.dims, keepdims=self.keepdim, dtype=np.int64 if a.dtype.kind in "biu" else None)

    def backward(self, g):
        (a,) = self.inputs
        if a.ndim == 0:  # the product of one number is itself: ∂z/∂a = 1, also at ±inf, as in PyTorch
            return g
        shape = _keepdim_shape(a.shape, self.dims)
        g = expand(g.reshape(shape), a.shape)
        if not (a._data == 0).any():
            return g * expand(self.output().reshape(shape), a.shape) / a
        if len(self.dims) == 1:
            return g * _others_product(a, self.dims[0])
        if (a._data == 0).sum() > 1:  # the product over everything, with two zeros: PyTorch returns zeros
            return Tensor(a.xp.zeros(a.shape, dtype=g.dtype))
        return g * _others_product(a.reshape(-1), 0).reshape(a.shape)


def _others_product(a: Tensor, dim: int) -> Tensor:
    """Π_{j≠i} a_j along ``dim`` for every i: (Π_{j<i} a_j)·(Π_{j>i} a_j), from two cumprods."""
    from .scan import cumprod
    from .shape import cat, getitem
    last = a.movedim(dim, -1)
    one = Tensor(a.xp.ones(last.shape[:-1] + (1,), dtype=a.dtype))
    n = last.shape[-1]
    before = cumprod(cat([one, getitem(last, (Ellipsis, slice(0, n - 1)))], dim=-1), -1)
    after = cumprod(cat([getitem(last, (Ellipsis, slice(1, n))), one], dim=-1).flip(-1), -1).flip(-1)
    return (before * after).movedim(-1, dim)


def prod(a: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Π a over ``dim`` (one int, as in PyTorch; all elements when None)."""
    if dtype is not None:
        a = a.to(dtype)
    return Prod.apply(a, dims=_dims(dim, a), keepdim=keepdim)


class Norm2(Function):
    """z = ‖a‖₂ = √(Σ aᵢ²) over dims;  ∂z/∂aᵢ = aᵢ/z, taken as 0 where z = 0 (PyTorch's subgradient)."""

    node_name = "LinalgVectorNormBackward0"

    def __init__(self, dims, keepdim):
        super().__init__()
        self.dims, self.keepdim = dims, keepdim

    def forward(self, a):
        return ((a * a).sum(axis=self.dims, keepdims=self.keepdim)) ** a.dtype.type(0.5)

    def backward(self, g):
        (a,) = self.inputs
        shape = _keepdim_shape(a.shape, self.dims)
        z = self.output().reshape(shape)
        return g.reshape(shape) * a / where(z == 0, 1, z)


def norm(a: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """The vector p-norm over ``dim`` (all elements by default; 'fro' means p = 2):

        ‖a‖_p = (Σ |aᵢ|^p)^{1/p};  p = ∞: max |aᵢ|;  p = −∞: min |aᵢ|;  p = 0: the count of aᵢ ≠ 0.
    """
    if dtype is not None:
        a = a.to(dtype)
    if a.dtype.kind != "f":
        raise DtypeError(f"norm: expected a floating-point tensor, got {a.dtype} of shape {a.shape}")
    if p == "fro" or p == 2:
        return Norm2.apply(a, dims=normalize_dims(dim, a.ndim), keepdim=keepdim)
    if isinstance(p, str) or not isinstance(p, (int, float)):
        raise OpError(f"norm: unsupported p={p!r} (use a number, inf or 'fro')")
    dims = normalize_dims(dim, a.ndim)
    if p in (math.inf, -math.inf):
        return MaxOrMin.apply(abs(a), dims=dims, keepdim=keepdim, largest=p > 0)
    if p == 0:
        return Tensor((a._data != 0).sum(axis=dims, keepdims=keepdim).astype(a.dtype))
    if p == 1:
        return sum(abs(a), dims, keepdim)
    total = sum(abs(a) ** p, dims, keepdim)
    empty = total == 0  # an all-zero slice: norm 0 with gradient 0 (the root's slope is infinite there)
    return where(empty, 0, where(empty, 1, total) ** (1.0 / p))


def vector_norm(a: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.linalg.vector_norm``: :func:`norm` with the order called ``ord``."""
    return norm(a, ord, dim, keepdim, dtype)


def _logical_dims(dim, a: Tensor) -> tuple:
    """The axes ``any`` and ``all`` reduce: none for an empty ``dim`` sequence, where the other
    reductions take every axis (PyTorch's any/all return ``a != 0`` unreduced for ``dim=()``)."""
    return () if isinstance(dim, (tuple, list)) and not dim else _dims(dim, a)


def any(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Whether any element over ``dim`` is nonzero (a boolean tensor, no gradient; uint8 for a uint8
    tensor, as in PyTorch)."""
    return _truth(a, a._data.any(axis=_logical_dims(dim, a), keepdims=keepdim))


def _truth(a: Tensor, result) -> Tensor:
    return Tensor(a.xp.asarray(result, dtype=np.uint8 if a.dtype == np.uint8 else bool))


def all(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Whether every element over ``dim`` is nonzero (as :func:`any`, bool or uint8)."""
    return _truth(a, a._data.all(axis=_logical_dims(dim, a), keepdims=keepdim))


def amax(a: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """The largest element over ``dim`` (all dims for () or None); ties share the gradient evenly (a slice
    whose maximum is NaN gets NaN gradients, as in PyTorch)."""
    return MaxOrMin.apply(a, dims=_dims(dim, a), keepdim=keepdim, largest=True,
                          nan_shares=False)


def amin(a: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """The smallest element over ``dim`` (all dims for () or None); ties share the gradient evenly (a slice
    whose minimum is NaN gets NaN gradients, as in PyTorch)."""
    return MaxOrMin.apply(a, dims=_dims(dim, a), keepdim=keepdim, largest=False,
                          nan_shares=False)


def nansum(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Σ a over ``dim`` with NaNs counted as 0 (they receive no gradient)."""
    return sum(where(a.isnan(), 0, a), _dims(dim, a), keepdim)


def nanmean(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """The mean over ``dim`` of the elements that are not NaN."""
    require_float(a, "nanmean")
    dims = _dims(dim, a)
    present = Tensor(~a.xp.isnan(a._data)).to(a.dtype)
    return nansum(a, dims, keepdim) / sum(present, dims, keepdim)


def count_nonzero(a: Tensor, dim=None) -> Tensor:
    """How many elements over ``dim`` are not 0 (int64, no gradient)."""
    return Tensor(a.xp.asarray((a._data != 0).sum(axis=_dims(dim, a))).astype(a.xp.int64))


def kthvalue(a: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    """(values, indices) of the k-th smallest element along ``dim`` (k counts from 1); the
    gradient goes to the element picked."""
    from .indexing import Sorted, sort
    size = a.shape[dim] if a.ndim else 1
    if not 1 <= k <= size:
        raise OpError(f"kthvalue: k={k} is out of range for dim {dim} of size {size} (input shape {a.shape})")
    if a.ndim == 0:
        return Sorted(a * 1, Tensor(a.xp.zeros((), dtype=a.xp.int64)))
    dim = dim % a.ndim
    ordered = sort(a, dim)
    pick = (slice(None),) * dim + (slice(k - 1, k),)
    values, indices = ordered.values[pick], Tensor(ordered.indices._data[pick])
    if not keepdim:
        values, indices = values.squeeze(dim), Tensor(indices._data.squeeze(dim))
    return Sorted(values, indices)


class MedianOfAll(MaxOrMin):
    """z = the lower median of all elements of a (NaN if one is NaN); the gradient is shared evenly
    by the elements equal to z (the NaNs when z is NaN), as PyTorch's ``median()`` shares it and
    :class:`MaxOrMin` does."""

    def __init__(self, ndim: int):
        super().__init__(dims=tuple(range(ndim)), keepdim=False, largest=True)

    def forward(self, a):
        xp = backend.array_module(backend.device_of(a))
        flat = a.reshape(-1)
        if xp.isnan(flat).any():
            return xp.full((), xp.nan, dtype=a.dtype)
        k = (flat.size - 1) // 2
        return xp.partition(flat, k)[k:k + 1].reshape(())


def median(a: Tensor, dim=None, keepdim: bool = False):
    """The lower median (the ⌈n/2⌉-th smallest, as in PyTorch): one value for ``dim=None`` (NaN for
    an empty tensor), else (values, indices) along ``dim``. A slice holding NaN has median NaN, at
    its first NaN, as in PyTorch (``nanmedian`` is the one that skips them). The gradient goes to
    the element picked."""
    from .indexing import Sorted, argsort, gather
    if dim is None:
        if a.numel() == 0:
            return Tensor(a.xp.full((), a.xp.nan, dtype=a.dtype))
        return MedianOfAll.apply(a, ndim=a.ndim)
    dim = normalize_dim(dim, a.ndim, "median")
    if a.ndim == 0:
        return kthvalue(a, 1, dim, keepdim)
    size = a.shape[dim]
    if size == 0:
        raise IndexError(f"median: the reduction dim {dim} of shape {a.shape} has no elements")
    xp = a.xp
    nans = xp.isnan(a._data).sum(axis=dim, keepdims=True)
    position = xp.where(nans > 0, size - nans, (size - 1) // 2)  # a stable sort puts NaNs last, in order
    indices = Tensor(xp.take_along_axis(argsort(a, dim, stable=True)._data, position, axis=dim))
    values = gather(a, dim, indices)
    if not keepdim:
        values, indices = values.squeeze(dim), Tensor(indices._data.squeeze(dim))
    return Sorted(values, indices)


_MinMax = collections.namedtuple("aminmax", ["min", "max"])


def dist(a: Tensor, b: Tensor, p: float = 2) -> Tensor:
    """‖a − b‖_p over all elements (a and b broadcast)."""
    return norm(a - b, p)


def aminmax(a: Tensor, *, dim=None, keepdim: bool = False):
    """(amin, amax) over ``dim`` (all elements when None), as a named pair ``.min``, ``.max``."""
    return _MinMax(amin(a, () if dim is None else dim, keepdim), amax(a, () if dim is None else dim, keepdim))


def cov(a: Tensor, correction: int = 1, fweights=None, aweights=None) -> Tensor:
    """The covariance matrix of the variables in a's rows (observations in columns):
    C = (X − μ)(X − μ)ᵀ / (N − correction). One variable (a 1-d input, or one row) gives a 0-d
    result, as in PyTorch. Ints are
    computed in the default float dtype, bools refused, as in PyTorch."""
    if fweights is not None or aweights is not None:
        raise OpError("cov: fweights and aweights are not supported")
    if a.ndim > 2:
        raise OpError(f"cov: expects a 1-d or 2-d tensor, got shape {a.shape}")
    if a.dtype.kind == "b":
        raise DtypeError(f"cov(): bool dtype is not supported for input (shape {tuple(a.shape)})")
    x = a.reshape(1, -1) if a.ndim < 2 else a
    x = x if x.dtype.kind == "f" else x.to(backend.DEFAULT_DTYPE)
    centered = x - x.mean(dim=1, keepdim=True)
    out = (centered @ centered.mT) / builtins.max(x.shape[1] - correction, 0)
    return out.reshape(()) if x.shape[0] == 1 else out


def corrcoef(a: Tensor) -> Tensor:
    """Pearson correlation coefficients of a's rows: C_ij / √(C_ii C_jj) for C = cov(a), clipped to
    [−1, 1] as NumPy does."""
    c = cov(a)
    if c.ndim == 0:
        return c / c
    scale = c.diagonal().sqrt()
    return (c / scale.reshape(-1, 1) / scale.reshape(1, -1)).clamp(-1, 1)


def mode(a: Tensor, dim: int = -1, keepdim: bool = False):
    """(values, indices): along ``dim``, the value occurring most often (the smallest of those
    tied) and the index of its last occurrence, as PyTorch's CPU result; the gradient goes to
    that element. Found from the sorted slice, where equal values form runs: the first longest run."""
    from .indexing import Sorted, gather
    if a.ndim == 0:
        return Sorted(a * 1, Tensor(a.xp.zeros((), dtype=a.xp.int64)))
    dim = normalize_dim(dim, a.ndim, "mode")
    size = a.shape[dim]
    if size == 0:
        raise IndexError(f"mode: the reduction dim {dim} of shape {a.shape} has no elements")
    xp = a.xp
    moved = xp.moveaxis(a._data, dim, -1)
    rows = moved.reshape(-1, size)
    ordered = xp.sort(rows, axis=1)
    position = xp.arange(size)
    starts = xp.ones(rows.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    run_start = xp.maximum.accumulate(xp.where(starts, position, 0), axis=1)
    next_start = xp.minimum.accumulate(xp.where(starts, position, size)[:, ::-1], axis=1)[:, ::-1]
    run_end = xp.concatenate([next_start[:, 1:], xp.full((rows.shape[0], 1), size)], axis=1)
    longest = xp.argmax(run_end - run_start, axis=1)
    value = xp.take_along_axis(ordered, longest[:, None], axis=1)
    last = size - 1 - xp.argmax((rows == value)[:, ::-1], axis=1)
    positions = xp.moveaxis(last.reshape(moved.shape[:-1] + (1,)).astype(xp.int64), -1, dim)
    values, indices = gather(a, dim, Tensor(positions)), Tensor(positions)
    if not keepdim:
        values, indices = values.squeeze(dim), Tensor(indices._data.squeeze(dim))
    return Sorted(values, indices)


def renorm(a: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Each slice along ``dim`` (a.select(dim, i)) whose p-norm exceeds ``maxnorm`` scaled down to
    it: a_i · maxnorm / (‖a_i‖_p + 1e-7); the others unchanged. Composed, so the gradient includes
    the scale's dependence on the norm."""
    if a.ndim == 0:
        raise OpError("renorm: input needs at least 1 dimension")
    if p <= 0 or maxnorm < 0:
        raise OpError(f"renorm: needs p > 0 and maxnorm >= 0, got p={p}, maxnorm={maxnorm}")
    dim = normalize_dim(dim, a.ndim, "renorm")
    others = tuple(i for i in range(a.ndim) if i != dim)
    norms = vector_norm(a, p, dim=others, keepdim=True) if others else abs(a)
    too_long = Tensor(norms._data > maxnorm)
    return a * where(too_long, maxnorm / (where(too_long, norms, 1.0) + 1e-7), 1.0)
