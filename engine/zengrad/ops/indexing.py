"""Indexing along one dim with an index tensor: gather, the scatters, index_select, take_along_dim,
masked_fill, masked_scatter, put, index_reduce, sort/argsort/topk/msort, nonzero, unravel_index; and SetItem, the op behind ``x[index] = value``.

gather and "scatter-add into zeros" are each other's gradient:

    gather:   z[i][j][k] = a[i][index[i][j][k]][k]            (dim = 1)
    scatter:  z[i][index[i][j][k]][k] += g[i][j][k]

so each one's backward is the other, and second derivatives come for free. The rest are built
on these two, on ``where`` and on basic indexing.
"""

from __future__ import annotations

import builtins
import collections

import numpy as np

from ..errors import DtypeError, IndexOutOfBounds, OpError
from .. import backend
from ..autograd import Function, named
from ..tensor import Tensor
from ._util import as_tensor_like, normalize_dim, unbroadcast
from .elementwise import where
from .layout import clone
from .shape import getitem
from .shape import scatter_add as add_at


def _coordinates(xp, index, dim: int) -> tuple:
    """The full integer index that picks, for each position p of ``index``, the element at p with
    coordinate ``dim`` replaced by index[p] (open grids, broadcast by NumPy/CuPy)."""
    ndim = index.ndim
    coords = [xp.arange(n).reshape((1,) * d + (n,) + (1,) * (ndim - d - 1)) for d, n in enumerate(index.shape)]
    coords[dim] = index
    return tuple(coords)


def _check_index(op: str, a: Tensor, dim: int, index: Tensor, others_at_most: bool = True) -> int:
    if not isinstance(index, Tensor) or index.dtype.kind not in "iu":
        raise DtypeError(f"{op}: index must be an integer tensor, got "
                        f"{index.dtype if isinstance(index, Tensor) else type(index).__name__}")
    dim = normalize_dim(dim, a.ndim, op)
    if index.ndim != builtins.max(a.ndim, 1) and not (a.ndim == 0 and index.ndim == 0):
        raise OpError(f"{op}: index of shape {index.shape} must have as many dims as the input of shape {a.shape}")
    if others_at_most and any(index.shape[d] > a.shape[d] for d in range(a.ndim) if d != dim):
        raise OpError(f"{op}: index of shape {index.shape} is larger than the input of shape {a.shape} "
                      f"outside dim {dim}")
    size = a.shape[dim] if a.ndim else 1
    if index.numel() and (int(index._data.min()) < 0 or int(index._data.max()) >= size):  # no negatives, as in PyTorch
        raise IndexOutOfBounds(f"{op}: index {int(index._data.max() if index._data.max() >= size else index._data.min())} "
                               f"is out of bounds for dim {dim} of size {size} (input shape {a.shape})")
    return dim


class Gather(Function):
    """z[p] = a[p with coordinate ``dim`` replaced by index[p]];  the gradient scatters g back,
    adding where an index repeats."""

    saved_inputs = ()  # backward reads no input values (shapes or the output only)

    def __init__(self, dim, index):
        super().__init__()
        self.dim, self.index = dim, index

    def forward(self, a):
        xp = backend.array_module(backend.device_of(a))
        return a[_coordinates(xp, self.index, self.dim)]

    def backward(self, g):
        return ScatterAddIntoZeros.apply(g, shape=self.inputs[0].shape, dim=self.dim, index=self.index)


class ScatterAddIntoZeros(Function):
    """z = zeros(shape); z[p with coordinate ``dim`` replaced by index[p]] += src[p];
    the gradient is gather(g, dim, index)."""

    saved_inputs = ()  # backward reads no input values (shapes or the output only)

    def __init__(self, shape, dim, index):
        super().__init__()
        self.shape, self.dim, self.index = shape, dim, index

    def forward(self, src):
        xp = backend.array_module(backend.device_of(src))
        out = backend.zeros_for_accumulation(xp, self.shape, src.dtype)
        add_at(out, _coordinates(xp, self.index, self.dim), src)
        return out

    def backward(self, g):
        return Gather.apply(g, dim=self.dim, index=self.index)


class Scatter(Function):
    """z = a, then z[p with coordinate ``dim`` replaced by index[p]] = src[p] (with repeated
    targets one of the writes wins, as in PyTorch);  ∂z/∂a = 1 where nothing was written, else 0;
    the gradient of src is gather(g, dim, index)."""

    saved_inputs = ()  # backward reads no input values (shapes or the output only)

    def __init__(self, dim, index):
        super().__init__()
        self.dim, self.index = dim, index

    def forward(self, a, src):
        xp = backend.array_module(backend.device_of(a))
        out = a.copy()
        out[_coordinates(xp, self.index, self.dim)] = src
        return out

    def backward(self, g):
        a, _ = self.inputs
        written = a.xp.zeros(a.shape, dtype=bool)
        written[_coordinates(a.xp, self.index, self.dim)] = True
        return (where(Tensor(written), 0, g) if self.needs_grad(0) else None,
                Gather.apply(g, dim=self.dim, index=self.index) if self.needs_grad(1) else None)


class SetItem(Function):
    """z = a with z[index] = value (``value`` broadcast to the indexed shape);
    ∂z/∂a = 1 outside the indexed elements, 0 inside; the gradient of value is g[index], summed
    over what broadcasting repeated."""

    saved_inputs = ()  # backward reads no input values (shapes or the output only)

    def __init__(self, index):
        super().__init__()
        self.index = index

    def forward(self, a, value):
        out = backend.array_module(backend.device_of(a)).array(a, copy=True)  # an array even for a NumPy scalar
        out[self.index] = value
        return out

    def backward(self, g):
        a, value = self.inputs
        return (setitem_result(g, self.index, Tensor(g.xp.zeros((), dtype=g.dtype))) if self.needs_grad(0) else None,
                unbroadcast(_own_copy(getitem(g, self.index)), value.shape) if self.needs_grad(1) else None)


def _own_copy(part: Tensor) -> Tensor:
    """``part`` in memory of its own when it is a view: a gradient that waits in the backward pass
    as a view of a full-size g would keep all of g alive (T rows written into ``out`` kept T copies
    of ``out``'s gradient)."""
    return part.clone() if part._base is not None else part


# ---- functional forms -----------------------------------------------------------------------

def _one_element(a: Tensor, index, *srcs) -> list:
    """A 0-d index (and 0-d src) on a 1-d input as one-element vectors, as PyTorch reads them
    (``torch.zeros(10).scatter_(0, torch.tensor(y), value=1)``: the tutorials' one-hot)."""
    if a.ndim != 1 or not isinstance(index, Tensor) or index.ndim != 0:
        return [index, *srcs]
    return [t.reshape(1) if isinstance(t, Tensor) and t.ndim == 0 else t for t in (index, *srcs)]


def gather(a: Tensor, dim: int, index: Tensor) -> Tensor:
    """z[p] = a[p with coordinate ``dim`` replaced by index[p]], z of index's shape (which may be
    smaller than a's outside ``dim``), as ``torch.gather``."""
    (lifted,) = _one_element(a, index)
    if lifted is not index:
        return gather(a, dim, lifted).reshape(())
    dim = _check_index("gather", a, dim, index)
    if a.ndim == 0:
        return clone(a)
    return Gather.apply(a, dim=dim, index=index._data)


def _src_part(src: Tensor, index: Tensor, op: str) -> Tensor:
    if src.ndim != index.ndim or any(i > s for i, s in zip(index.shape, src.shape)):
        raise OpError(f"{op}: src of shape {src.shape} must cover the index of shape {index.shape}")
    if src.shape == index.shape:
        return src
    return getitem(src, tuple(slice(0, n) for n in index.shape))


def scatter_add(a: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """z = a, then z[p with coordinate ``dim`` replaced by index[p]] += src[p], repeats adding up."""
    if a.ndim == 0:
        return scatter_add(a.reshape(1), 0, index.reshape(1), src.reshape(1)).reshape(())
    index, src = _one_element(a, index, src)
    dim = _check_index("scatter_add", a, dim, index)
    src = _src_part(src, index, "scatter_add")
    return a + ScatterAddIntoZeros.apply(src, shape=a.shape, dim=dim, index=index._data)


def scatter(a: Tensor, dim: int, index: Tensor, src=None, value=None, *, reduce=None) -> Tensor:
    """z = a with z[p with coordinate ``dim`` replaced by index[p]] = src[p] (or ``value``).

    ``reduce='add'``/``'multiply'`` (PyTorch's legacy flag) are scatter_reduce's 'sum'/'prod'."""
    if src is None:
        src, value = value, None
    if src is None:
        raise OpError("scatter: give src (a tensor) or value (a number)")
    index, src = _one_element(a, index, src)
    dim = _check_index("scatter", a, dim, index)
    if not isinstance(src, Tensor):
        src = Tensor(a.xp.full(index.shape, src, dtype=a.dtype))
    src = _src_part(src, index, "scatter")
    if reduce is not None:
        legacy = {"add": "sum", "multiply": "prod"}
        if reduce not in legacy:
            raise OpError(f"scatter: reduce must be 'add' or 'multiply', got {reduce!r}")
        return scatter_reduce(a, dim, index, src, legacy[reduce])
    return Scatter.apply(a, src, dim=dim, index=index._data)


_REDUCE = ("sum", "prod", "mean", "amax", "amin")


def scatter_reduce(a: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str,
                   *, include_self: bool = True) -> Tensor:
    """z = a, then every src[p] is combined into z at (p with coordinate ``dim`` = index[p]) with
    ``reduce``: 'sum', 'prod', 'mean', 'amax' or 'amin'. With ``include_self=False`` the targets'
    own values of a are left out of the combination (untouched elements keep a's value).

    Gradients: sum → g to both; mean → g/count; prod → g·z/x for each factor x (undefined at 0,
    as noted in PyTorch); amax/amin → g to every element equal to the result, split evenly.
    """
    if reduce not in _REDUCE:
        raise OpError(f"scatter_reduce: reduce must be one of {_REDUCE}, got {reduce!r}")
    if a.ndim == 0:
        return scatter_reduce(a.reshape(1), 0, index.reshape(1), src.reshape(1), reduce,
                              include_self=include_self).reshape(())
    index, src = _one_element(a, index, src)
    dim = _check_index("scatter_reduce", a, dim, index)
    src = _src_part(src, index, "scatter_reduce")
    xp = a.xp
    coords = _coordinates(xp, index._data, dim)
    targeted = xp.zeros(a.shape, dtype=bool)
    targeted[coords] = True
    own = Tensor(~targeted) if not include_self else Tensor(xp.ones(a.shape, dtype=bool))
    own_f = own.to(a.dtype)
    arrivals = ScatterAddIntoZeros.apply(Tensor(xp.ones(index.shape, dtype=a.dtype)), shape=a.shape, dim=dim,
                                         index=index._data)
    if reduce in ("sum", "mean"):
        total = where(own, a, 0) + ScatterAddIntoZeros.apply(src, shape=a.shape, dim=dim, index=index._data)
        if reduce == "sum":
            return total
        count = own_f + arrivals
        mean = total / where(count == 0, 1, count)
        return mean if a.dtype.kind == "f" else Tensor(xp.floor_divide(total._data, xp.maximum(count._data, 1)))
    return _ScatterCombine.apply(a, src, dim=dim, index=index._data, reduce=reduce, own=own._data)


class _ScatterCombine(Function):
    """scatter_reduce with 'prod', 'amax' or 'amin' (see :func:`scatter_reduce`)."""

    _UFUNC = {"prod": "multiply", "amax": "maximum", "amin": "minimum"}

    def __init__(self, dim, index, reduce, own):
        super().__init__()
        self.dim, self.index, self.reduce, self.own = dim, index, reduce, own

    def forward(self, a, src):
        xp = backend.array_module(backend.device_of(a))
        coords = _coordinates(xp, self.index, self.dim)
        out = a.copy()
        if not self.own.all():
            identity = {"prod": 1, "amax": -xp.inf, "amin": xp.inf}[self.reduce]
            if a.dtype.kind in "iu" and self.reduce != "prod":
                info = xp.iinfo(a.dtype)
                identity = info.min if self.reduce == "amax" else info.max
            out[~self.own] = identity
        if xp.__name__ == "numpy":
            getattr(xp, self._UFUNC[self.reduce]).at(out, coords, src)
        elif self.reduce == "prod":  # CuPy has no scatter-multiply: combine on the host
            host = out.get()
            np.multiply.at(host, tuple(c.get() for c in coords), src.get())
            out = xp.asarray(host)
        else:
            import cupyx
            getattr(cupyx, "scatter_max" if self.reduce == "amax" else "scatter_min")(out, coords, src)
        return out

    def backward(self, g):
        a, src = self.inputs
        z = self.output()
        own = Tensor(self.own)
        at_src = Gather.apply(z, dim=self.dim, index=self.index)
        if self.reduce == "prod":  # an element no index reaches keeps a's value: its gradient is g
            targeted = a.xp.zeros(a.shape, dtype=bool)
            targeted[_coordinates(a.xp, self.index, self.dim)] = True
            grad_a = where(Tensor(targeted), where(own, g * z / a, 0), g)
            grad_src = Gather.apply(g * z, dim=self.dim, index=self.index) / src
            return grad_a, grad_src
        hit_self = ((a == z) & own).to(g.dtype)
        hit_src = (src == at_src).to(g.dtype)
        ties = hit_self + ScatterAddIntoZeros.apply(hit_src, shape=a.shape, dim=self.dim, index=self.index)
        share = g / where(ties == 0, 1, ties)
        return share * hit_self, Gather.apply(share, dim=self.dim, index=self.index) * hit_src


def index_select(a: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices of ``a`` along ``dim`` listed in the 1-D ``index`` (repeats allowed)."""
    if not isinstance(index, Tensor) or index.dtype.kind not in "iu" or index.ndim > 1:
        raise TypeError(f"index_select: index must be a 0-d or 1-d integer tensor, got "
                        f"{getattr(index, 'shape', type(index).__name__)}")
    dim = normalize_dim(dim, a.ndim, "index_select")
    size = a.shape[dim] if a.ndim else 1
    if index.numel() and (int(index._data.min()) < 0 or int(index._data.max()) >= size):
        raise IndexOutOfBounds(f"index_select: index out of range for dim {dim} of size {size} (input shape {a.shape})")
    if a.ndim == 0:
        return getitem(a.reshape(1), index._data.reshape(-1)).reshape(())
    return getitem(a, (slice(None),) * dim + (index._data.reshape(-1),))


def take_along_dim(a: Tensor, indices: Tensor, dim=None) -> Tensor:
    """``torch.take_along_dim``: gather after broadcasting a and indices against each other
    outside ``dim``; with ``dim=None`` both are flattened first."""
    if dim is None:
        return gather(a.reshape(-1), 0, indices.reshape(-1))
    dim = normalize_dim(dim, a.ndim, "take_along_dim")
    if indices.ndim != a.ndim:
        raise OpError(f"take_along_dim: indices of shape {indices.shape} need as many dims as input {a.shape}")
    try:
        shape = list(backend.array_module(a.device).broadcast_shapes(
            a.shape[:dim] + (1,) + a.shape[dim + 1:], indices.shape[:dim] + (1,) + indices.shape[dim + 1:]))
    except ValueError:
        raise OpError(f"take_along_dim: input {a.shape} and indices {indices.shape} do not broadcast "
                      f"outside dim {dim}") from None
    a_shape = tuple(shape[:dim] + [a.shape[dim]] + shape[dim + 1:])
    i_shape = tuple(shape[:dim] + [indices.shape[dim]] + shape[dim + 1:])
    expanded = Tensor(a.xp.broadcast_to(indices._data, i_shape))
    return gather(a.expand(*a_shape), dim, expanded)


def masked_fill(a: Tensor, mask: Tensor, value) -> Tensor:
    """z = value where mask else a (mask broadcasts to a's shape); the gradient of a is g outside
    the mask, and of a tensor ``value`` the sum of g inside it."""
    if not isinstance(mask, Tensor) or mask.dtype.kind != "b":
        raise DtypeError(f"masked_fill: mask must be a boolean tensor, got "
                        f"{mask.dtype if isinstance(mask, Tensor) else type(mask).__name__}")
    if isinstance(value, Tensor) and value.ndim:
        raise OpError(f"masked_fill: value must be a number or a 0-d tensor, got shape {value.shape}")
    out = where(mask, as_tensor_like(value, a), a)
    if out.shape != a.shape:
        raise OpError(f"masked_fill: mask of shape {mask.shape} does not broadcast to input {a.shape}")
    return named(out, "MaskedFillBackward0") if out.dtype == a.dtype else out.to(a.dtype)


def nonzero(a: Tensor, *, as_tuple: bool = False):
    """Coordinates of the nonzero elements: an (N, ndim) int64 tensor, or one 1-d tensor per dim
    with ``as_tuple=True``. No gradient (integer output)."""
    xp = a.xp
    coords = xp.nonzero(a._data) if a.ndim else xp.nonzero(a._data.reshape(1))
    coords = tuple(c.astype(xp.int64) for c in coords)
    if as_tuple:
        return tuple(Tensor(c) for c in coords)
    return Tensor(xp.stack(coords, axis=1) if a.ndim else xp.zeros((len(coords[0]), 0), dtype=xp.int64))


def argwhere(a: Tensor) -> Tensor:
    """``nonzero(a)`` (the (N, ndim) form)."""
    return nonzero(a)


Sorted = collections.namedtuple("Sorted", ["values", "indices"])


def argsort(a: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort ``a`` along ``dim`` (NaN counts as largest, as in PyTorch).
    Equal elements keep their order (always stable here)."""
    dim = normalize_dim(dim, a.ndim, "argsort")  # a 0-d tensor takes dim 0 or -1 only
    if a.ndim == 0:
        return Tensor(a.xp.zeros((), dtype=a.xp.int64))
    xp = a.xp
    data = a._data
    if descending:
        flipped = xp.flip(data, axis=dim)
        order = xp.argsort(flipped, axis=dim, kind="stable")
        order = xp.flip(order, axis=dim)
        return Tensor((data.shape[dim] - 1 - order).astype(xp.int64))
    return Tensor(xp.argsort(data, axis=dim, kind="stable").astype(xp.int64))


def sort(a: Tensor, dim: int = -1, descending: bool = False, stable: bool = False):
    """(values, indices) sorted along ``dim``; values = gather(a, dim, indices), so the gradient
    goes back to each element's original place."""
    indices = argsort(a, dim, descending, stable)
    values = clone(a) if a.ndim == 0 else gather(a, dim, indices)  # clone keeps a bool a bool
    return Sorted(values, indices)


def topk(a: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """(values, indices) of the k largest (or smallest) elements along ``dim``, in sorted order
    (not of bools, as PyTorch's CPU topk)."""
    if a.dtype.kind == "b":
        raise DtypeError(f"topk: does not support bool dtypes (input shape {a.shape})")
    axis = normalize_dim(dim, a.ndim, "topk")  # a 0-d tensor takes dim 0 or -1 only
    size = a.shape[axis] if a.ndim else 1
    if not 0 <= k <= size:
        raise OpError(f"topk: k={k} is out of range for dim {dim} of size {size} (input shape {a.shape})")
    if a.ndim == 0:
        return Sorted(clone(a), Tensor(a.xp.zeros((), dtype=a.xp.int64)))
    indices = argsort(a, axis, descending=largest)
    indices = Tensor(indices._data[(slice(None),) * axis + (slice(0, k),)])
    return Sorted(gather(a, axis, indices), indices)


def setitem_result(a: Tensor, index, value) -> Tensor:
    """``a`` with ``a[index] = value`` applied, as a new graph node (see :class:`SetItem`)."""
    from .shape import _normalize_index
    index = _normalize_index(index, a)
    value = as_tensor_like(value, a)
    if value.dtype != a.dtype:
        value = value.to(a.dtype)
    try:
        return SetItem.apply(a, value, index=index)
    except ValueError as error:
        raise OpError(f"setitem: {error}") from None


# ---- index_add / index_copy / index_fill / take: one index per slice along a dim ---------------

def _slice_index(op: str, a: Tensor, dim: int, index: Tensor, source: Tensor | None) -> tuple:
    """(dim, the scatter index): index[i] repeated over source's slice i along ``dim``, checked."""
    if not isinstance(index, Tensor) or index.dtype.kind not in "iu" or index.ndim > 1:
        raise DtypeError(f"{op}: index must be a 0-d or 1-d integer tensor, got "
                        f"{getattr(index, 'shape', type(index).__name__)}")
    dim = normalize_dim(dim, a.ndim, op)
    size = a.shape[dim] if a.ndim else 1
    flat = index._data.reshape(-1)
    if flat.size and (int(flat.min()) < -size or int(flat.max()) >= size):
        raise IndexOutOfBounds(f"{op}: index out of range for dim {dim} of size {size} (input shape {a.shape})")
    flat = flat % builtins.max(size, 1)
    if source is None:
        return dim, flat
    wanted = a.shape[:dim] + (flat.size,) + a.shape[dim + 1:]
    if source.shape != wanted:
        raise OpError(f"{op}: source of shape {source.shape} must have shape {wanted} (input {a.shape}, "
                      f"{flat.size} indices along dim {dim})")
    view = (1,) * dim + (flat.size,) + (1,) * (a.ndim - dim - 1)
    return dim, Tensor(a.xp.broadcast_to(flat.reshape(view), wanted))


def index_add(a: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """z = a, then z[…, index[i], …] += alpha·source[…, i, …] along ``dim`` (repeats add up):
    a scatter_add, so ∂z/∂a = 1 and ∂z/∂source[i] = alpha·g[…, index[i], …]."""
    if a.ndim == 0:
        return index_add(a.reshape(1), 0, index, source.reshape(-1), alpha=alpha).reshape(())
    dim, spread = _slice_index("index_add", a, dim, index, source)
    return scatter_add(a, dim, spread, source if alpha == 1 else source * alpha)


def index_copy(a: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """z = a with z[…, index[i], …] = source[…, i, …] along ``dim`` (a scatter: the gradient of a
    is g outside the copied slices, of source the slices of g it landed in)."""
    if a.ndim == 0:
        return index_copy(a.reshape(1), 0, index, source.reshape(-1)).reshape(())
    dim, spread = _slice_index("index_copy", a, dim, index, source)
    return scatter(a, dim, spread, source)


def index_fill(a: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """z = a with the slices index[i] along ``dim`` set to ``value`` (a number or 0-d tensor)."""
    dim, flat = _slice_index("index_fill", a, dim, index, None)
    chosen = a.xp.zeros(a.shape[dim] if a.ndim else 1, dtype=bool)
    chosen[flat] = True
    mask = chosen.reshape((1,) * dim + (-1,) + (1,) * (a.ndim - dim - 1)) if a.ndim else chosen.reshape(())
    return masked_fill(a, Tensor(mask), value)


def take(a: Tensor, index: Tensor) -> Tensor:
    """a read as 1-d at ``index`` (negative counts from the end): z has index's shape."""
    if not isinstance(index, Tensor) or index.dtype.kind not in "iu":
        raise DtypeError(f"take: index must be an integer tensor, got {getattr(index, 'dtype', type(index).__name__)}")
    size = a.numel()
    if index.numel() and (int(index._data.min()) < -size or int(index._data.max()) >= size):
        raise IndexError(f"take: index out of range for a tensor of {size} elements (shape {a.shape})")
    return getitem(a.reshape(-1), index._data % builtins.max(size, 1))


def _broadcast_mask(op: str, a: Tensor, mask: Tensor) -> tuple:
    """(the broadcast shape of a and the boolean ``mask``, the mask's array at that shape)."""
    if not isinstance(mask, Tensor) or mask.dtype.kind != "b":
        raise DtypeError(f"{op}: mask must be a boolean tensor, got "
                         f"{mask.dtype if isinstance(mask, Tensor) else type(mask).__name__}")
    try:
        shape = tuple(a.xp.broadcast_shapes(a.shape, mask.shape))
    except ValueError:
        raise OpError(f"{op}: mask of shape {mask.shape} does not broadcast with input {a.shape}") from None
    return shape, a.xp.broadcast_to(mask._data, shape)


def masked_select(a: Tensor, mask: Tensor) -> Tensor:
    """The elements of ``a`` where the boolean ``mask`` (broadcast with a) is True, as a 1-d tensor
    in row-major order; the gradient goes back to those positions."""
    shape, chosen = _broadcast_mask("masked_select", a, mask)
    return getitem(a.expand(*shape) if shape != a.shape else a, chosen)


def index_put(a: Tensor, indices: tuple, values, accumulate: bool = False) -> Tensor:
    """z = a with z[indices] = values (``accumulate``: z[indices] += values, repeats adding up);
    ``indices`` is a tuple of index tensors, as a[indices] reads."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put: indices must be a tuple of tensors, got {type(indices).__name__}")
    index = tuple(i._data if isinstance(i, Tensor) else i for i in indices)
    if isinstance(values, Tensor) and values.dtype != a.dtype:
        raise OpError(f"index_put: the values' dtype {values.dtype} must be the tensor's, {a.dtype}")
    values = as_tensor_like(values, a, "index_put")
    if accumulate:
        positions = a.xp.arange(a.numel()).reshape(a.shape)[index]
        flat = values.expand(*positions.shape).reshape(-1)
        return index_add(a.reshape(-1), 0, Tensor(positions.reshape(-1)), flat).reshape(a.shape)
    return setitem_result(a, index, values)


def msort(a: Tensor) -> Tensor:
    """``a`` sorted along its first dim (ascending, NaN last): ``sort(a, dim=0).values``."""
    return sort(a, 0).values


def unravel_index(indices: Tensor, shape) -> tuple:
    """The coordinates in a tensor of ``shape`` of each flat (row-major) index: for the last dim
    c = i mod n, then i ← ⌊i / n⌋ for the dim before, and so on (so, as in PyTorch, an index
    beyond the tensor wraps around and a negative one counts from its end). One int64 tensor of
    indices' shape per dim of ``shape``."""
    if not isinstance(indices, Tensor):
        raise TypeError(f"unravel_index: expected 'indices' to be a Tensor, got {type(indices).__name__}")
    if indices.dtype.kind not in "iu":
        raise TypeError(f"unravel_index: expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if any(not isinstance(n, int) or n < 0 for n in shape):
        raise OpError(f"unravel_index: 'shape' must be non-negative ints, got {shape}")
    if 0 in shape and shape:
        raise OpError(f"unravel_index: 'shape' {shape} has a zero size: no index lies in it")
    rest = indices._data.astype(np.int64)
    coordinates = []
    for n in reversed(shape):
        coordinates.append(Tensor(rest % n))
        rest = rest // n
    return tuple(reversed(coordinates))


def masked_scatter(a: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """z = a with the positions where the boolean ``mask`` (broadcast with a) is True filled, in
    row-major order, by the first k = Σ mask elements of ``source`` (read flat). The gradient of a
    is g where the mask is False; of source, g at the filled positions in its first k elements
    and 0 beyond."""
    if not isinstance(source, Tensor) or source.dtype != a.dtype:
        raise DtypeError(f"masked_scatter: expected self and source to have same dtypes but got {a.dtype} and "
                         f"{getattr(source, 'dtype', type(source).__name__)}")
    shape, chosen = _broadcast_mask("masked_scatter", a, mask)
    count = int(chosen.sum())
    if count > source.numel():
        raise OpError(f"masked_scatter: number of elements of source ({source.numel()}) < number of ones in "
                      f"mask ({count})")
    base = a.expand(*shape) if shape != a.shape else a
    return setitem_result(base, chosen, source.reshape(-1)[:count])


def put(a: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """z = a read as 1-d with z[index[i]] = source[i] (``accumulate``: += , repeats adding up),
    back in a's shape; a negative index counts from the end. index_copy / index_add of the
    flattened tensor, so the gradients are theirs."""
    if not isinstance(index, Tensor) or index.dtype != np.int64:
        raise DtypeError(f"put: expected a long tensor for index, but got "
                         f"{getattr(index, 'dtype', type(index).__name__)}")
    if not isinstance(source, Tensor) or source.dtype != a.dtype:
        raise DtypeError(f"put: self and source expected to have the same dtype, but got self.dtype = {a.dtype} "
                         f"and source.dtype = {getattr(source, 'dtype', type(source).__name__)}")
    if source.numel() != index.numel():
        raise IndexError(f"put: expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source.numel()}, index.numel() = {index.numel()}")
    size = a.numel()
    if index.numel() and (int(index._data.min()) < -size or int(index._data.max()) >= size):
        raise IndexOutOfBounds(f"put: index out of range for a tensor of {size} elements (shape {a.shape})")
    combine = index_add if accumulate else index_copy
    return combine(a.reshape(-1), 0, index.reshape(-1), source.reshape(-1)).reshape(a.shape)


_INDEX_REDUCE = ("prod", "mean", "amax", "amin")


def index_reduce(a: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,
                 include_self: bool = True) -> Tensor:
    """z = a, then each slice source[…, i, …] along ``dim`` is combined into the slice
    z[…, index[i], …] with ``reduce`` ('prod', 'mean', 'amax' or 'amin'; ``include_self=False``
    leaves a's own values of the targeted slices out). :func:`scatter_reduce` with index[i]
    spread over source's slice i, so the gradients are scatter_reduce's."""
    if reduce not in _INDEX_REDUCE:
        raise OpError(f"index_reduce: expected reduce to be one of {', '.join(_INDEX_REDUCE)} but got {reduce!r}")
    if not isinstance(index, Tensor) or index.dtype not in (np.int32, np.int64):
        raise DtypeError(f"index_reduce: expected dtype int32/int64 for index but got "
                         f"{getattr(index, 'dtype', type(index).__name__)}")
    if not isinstance(source, Tensor) or source.dtype != a.dtype:
        raise DtypeError(f"index_reduce: self ({a.dtype}) and source "
                         f"({getattr(source, 'dtype', type(source).__name__)}) must have the same dtype")
    if a.ndim == 0:
        return index_reduce(a.reshape(1), 0, index, source.reshape(-1), reduce,
                            include_self=include_self).reshape(())
    if index.numel() and int(index._data.min()) < 0:
        raise IndexOutOfBounds(f"index_reduce: index {int(index._data.min())} out of range for dim {dim} of "
                               f"input shape {a.shape}")
    dim, spread = _slice_index("index_reduce", a, dim, index, source)
    return scatter_reduce(a, dim, spread, source, reduce, include_self=include_self)
