"""Ops that move elements without computing on them: reshape, permute, expand, indexing, cat."""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import OpError
from .. import backend
from ..autograd import Function, named
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from ._util import normalize_dim, unbroadcast


class Reshape(Function):
    """z = a with a new shape (same elements, row-major order);  the gradient is reshaped back."""

    saved_inputs = ()
    makes_view = True
    node_name = "ViewBackward0"

    def __init__(self, shape, name=None):
        super().__init__()
        self.shape = shape
        if name is not None:  # squeeze and unsqueeze are nodes of their own in PyTorch
            self.node_name = name

    def forward(self, a):
        return a.reshape(self.shape)

    def backward(self, g):
        return g.reshape(self.inputs[0].shape)


class Permute(Function):
    """z = a with its axes reordered (z.shape[i] = a.shape[dims[i]]);  the gradient is permuted back."""

    saved_inputs = ()
    makes_view = True

    def __init__(self, dims, name=None):
        super().__init__()
        self.dims = dims
        if name is not None:  # t() and transpose() are nodes of their own in PyTorch
            self.node_name = name

    def forward(self, a):
        return a.transpose(self.dims)

    def backward(self, g):
        inverse = [0] * len(self.dims)
        for position, axis in enumerate(self.dims):
            inverse[axis] = position
        return g.permute(*inverse)


class Expand(Function):
    """z = a broadcast to a larger shape (a view);  the gradient sums over the copies."""

    saved_inputs = ()
    makes_view = True

    def __init__(self, shape):
        super().__init__()
        self.shape = shape

    def forward(self, a):
        xp = backend.array_module(backend.device_of(a))
        return xp.broadcast_to(a, self.shape)

    def backward(self, g):
        return unbroadcast(g, self.inputs[0].shape)


class GetItem(Function):
    """z = a[index] (ints, slices, None, Ellipsis, integer arrays, boolean masks);
    the gradient is scattered back into zeros of a's shape, adding where indices repeat."""

    saved_inputs = ()
    makes_view = True

    sparse_grad = True

    def __init__(self, index):
        super().__init__()
        self.index = index

    def forward(self, a):
        out = a[self.index]
        if isinstance(out, np.generic):  # an integer for every dim: NumPy's scalar is a copy, PyTorch's 0-d
            out = a[(self.index if isinstance(self.index, tuple) else (self.index,)) + (Ellipsis,)]  # a view
        return out

    def name(self) -> str:
        """PyTorch's node for the index: IndexBackward0 for index arrays and masks, else the node of
        its last part (PyTorch applies the parts one by one): Select for an int, Slice for a slice,
        Unsqueeze for None."""
        if self.node_name is not None:
            return self.node_name
        parts = self.index if isinstance(self.index, tuple) else (self.index,)
        if any(hasattr(part, "dtype") and not _is_integer(part) for part in parts):
            return "IndexBackward0"
        for part in reversed(parts):
            if part is None:
                return "UnsqueezeBackward0"
            if _is_integer(part):
                return "SelectBackward0"
            if isinstance(part, slice) and part != slice(None):
                return "SliceBackward0"
        return "SliceBackward0" if slice(None) in parts else "AliasBackward0"

    def backward(self, g):
        return ScatterAdd.apply(g, shape=self.inputs[0].shape, index=self.index)

    def add_grad_into(self, buffer, g) -> None:
        """buffer[index] += g in place: the same gradient without a full-size temporary."""
        scatter_add(buffer, self.index, g)


class ScatterAdd(Function):
    """z = zeros(shape) with z[index] += g, repeated indices adding up;  the gradient is g'[index]."""

    saved_inputs = ()

    def __init__(self, shape, index):
        super().__init__()
        self.shape, self.index = shape, index

    def forward(self, g):
        out = backend.zeros_for_accumulation(backend.array_module(backend.device_of(g)), self.shape, g.dtype)
        scatter_add(out, self.index, g)
        return out

    def backward(self, gg):
        return GetItem.apply(gg, index=self.index)


class Cat(Function):
    """z = the inputs joined along ``dim``;  each input's gradient is its slice of g."""

    saved_inputs = ()

    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, *arrays):
        xp = backend.array_module(backend.device_of(arrays[0]))
        return xp.concatenate(arrays, axis=self.dim)

    def backward(self, g):
        grads, start = [], 0
        for t in self.inputs:
            index = (slice(None),) * self.dim + (slice(start, start + t.shape[self.dim]),)
            grads.append(g[index] if t.requires_grad else None)
            start += t.shape[self.dim]
        return tuple(grads)


def scatter_add(out, index, values) -> None:
    """out[index] += values in place, adding up repeated indices (np.add.at semantics).

    On NumPy, many values into a small array (an embedding's gradient: every token of a batch
    into a few hundred rows) are summed by one ``bincount`` over the flat positions they land
    on, several times faster than ``np.add.at``, which visits one element at a time.
    """
    xp = backend.array_module(backend.device_of(out))
    if _is_basic(index):
        out[index] += values
    elif xp.__name__ == "numpy" and out.size <= 8 * np.size(values):
        positions = np.arange(out.size).reshape(out.shape)[index]
        weights = np.broadcast_to(values, positions.shape).ravel()
        sums = np.bincount(positions.ravel(), weights=weights, minlength=out.size)
        out += sums.reshape(out.shape).astype(out.dtype, copy=False)
    elif xp.__name__ == "numpy":
        xp.add.at(*_integer_index(xp, out, index), values)
    else:
        import cupyx
        cupyx.scatter_add(*_integer_index(xp, out, index), values)


def _is_basic(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, slice)) or p is None or p is Ellipsis for p in parts)


def _integer_index(xp, out, index) -> tuple:
    """(out, index) for add.at: boolean masks replaced by their integer coordinates; a 0-d mask
    (``x[True]``, a new dim of size 1 or 0) becomes a 1-d one along a new size-1 dim of ``out``
    (a view, so the sums still land in ``out``)."""
    parts = index if isinstance(index, tuple) else (index,)
    converted, dim = [], 0
    for part in parts:
        if hasattr(part, "dtype") and part.dtype == bool:
            if part.ndim == 0:
                out, part = xp.expand_dims(out, dim), part.reshape(1)
            converted.extend(xp.nonzero(part))
            dim += part.ndim
        else:
            converted.append(part)
            dim += part is not None
    return out, tuple(converted)


def _normalize_index(index, a: Tensor):
    """``index`` as a NumPy/CuPy index of ``a`` that selects what PyTorch's ``a[index]`` selects, in
    PyTorch's layout.

    Tensors and lists become arrays of a's module; a slice's step must be positive (PyTorch's
    ValueError: ``flip`` reverses a dimension, NumPy's ``[::-1]`` does not apply). Index tensors are
    int64, int32 or bool, as in PyTorch (IndexError otherwise), and a uint8 one is a mask, as
    PyTorch still reads it (with its deprecation warning); an empty list selects nothing.

    Where index arrays are present, PyTorch's rule differs from NumPy's in two ways: an Ellipsis
    that stands for no dimension does not separate the arrays around it, and integers select first,
    so they never join the index arrays. ``x[0, :, [0, 2]]`` on (3, 4, 5) is ``x[0][:, [0, 2]]``,
    (4, 2); NumPy would count the 0 as an index array separated from ``[0, 2]`` by a slice and put
    the indexed dimension first, (2, 4). Such an index becomes one coordinate array per dim of
    ``a``, each of the result's shape: read, written and scattered into alike.

    A list of fewer than 32 items holding a tensor, a sequence, a slice, None or Ellipsis is read as
    a tuple (``x[[[0, 1], [1, 2]]]`` is ``x[[0, 1], [1, 2]]``), as PyTorch (and NumPy before 1.23) do."""
    if isinstance(index, list) and len(index) < 32 and any(
            isinstance(p, (Tensor, list, tuple, slice, np.ndarray)) or p is None or p is Ellipsis for p in index):
        index = tuple(index)
    parts = index if isinstance(index, tuple) else (index,)
    normalized = []
    for part in parts:
        if isinstance(part, slice) and part.step is not None and part.step <= 0:
            raise ValueError(f"index: step must be greater than zero, got {part.step} (flip() reverses a dimension)")
        if isinstance(part, str):
            raise TypeError(f"index: a string ({part!r}) is not an index")
        if isinstance(part, Tensor):
            part = _index_array(part)
        elif isinstance(part, list):
            part = a.xp.asarray(part, dtype=np.int64 if not part else None)
        elif isinstance(part, bool):
            part = a.xp.asarray(part)
        normalized.append(part)
    if not any(hasattr(p, "dtype") and not _is_integer(p) for p in normalized):
        return tuple(normalized) if isinstance(index, tuple) else normalized[0]
    normalized = _without_ellipsis(normalized, a.ndim)
    basic, advanced = _split_integers_from_arrays(tuple(normalized))
    if advanced is None:
        return tuple(normalized)
    xp = a.xp
    return tuple(xp.broadcast_to(xp.arange(n).reshape((n,) + (1,) * (a.ndim - d - 1)), a.shape)[basic][advanced]
                 for d, n in enumerate(a.shape))


def _without_ellipsis(parts: list, ndim: int) -> list:
    """``parts`` with an Ellipsis written out as the full slices it stands for."""
    if not any(p is Ellipsis for p in parts):
        return parts
    used = sum(0 if p is None or p is Ellipsis else p.ndim if getattr(p, "dtype", None) == bool else 1 for p in parts)
    at = next(i for i, p in enumerate(parts) if p is Ellipsis)
    return parts[:at] + [slice(None)] * max(ndim - used, 0) + parts[at + 1:]


def _index_array(part: Tensor):
    if part.dtype == np.uint8:
        warnings.warn("indexing with dtype uint8 is deprecated, please use a dtype bool instead", UserWarning,
                      stacklevel=4)
        return part._data.astype(bool)
    if part.dtype not in (np.int64, np.int32, np.bool_):
        raise IndexError(f"index: tensors used as indices must be long, int, byte or bool tensors, got {part.dtype}")
    return part._data


# ---- functional forms -----------------------------------------------------------------------

def _shape_arg(shape) -> tuple:
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else tuple(shape)


def reshape(a: Tensor, *shape) -> Tensor:
    """``a`` with a new shape (a view where the strides allow it, a copy otherwise); one -1 stands
    for the size that makes the element count match."""
    shape = _shape_arg(shape)
    if shape and min(shape) < -1:
        raise OpError(f"reshape: invalid size {min(shape)} in shape {shape} for a tensor of shape {a.shape}")
    return reshaped(a, shape)


def reshaped(a: Tensor, shape: tuple, name: str | None = None) -> Tensor:
    """``a`` reshaped, its node named ``name`` (for squeeze and unsqueeze). As in PyTorch the result
    is a new tensor with a node of its own even when the shape is unchanged, when a graph is
    recorded; otherwise ``a`` itself then."""
    if shape == a.shape and not (a.requires_grad and is_grad_enabled()):
        return a
    return Reshape.apply(a, shape=shape, name=name)


def view(a: Tensor, *shape) -> Tensor:
    """``a`` with a new shape, sharing its memory: PyTorch's RuntimeError when a's strides allow no
    such view (a transposed tensor flattened, say), where ``reshape`` would copy.
    ``view(dtype)``: the same bytes read as another dtype (the last dim scales by the ratio of the
    item sizes; no gradient), as PyTorch's."""
    if len(shape) == 1 and isinstance(shape[0], (np.dtype, type)):
        return _view_as_dtype(a, np.dtype(shape[0]))
    out = reshape(a, *shape)
    if a.numel() and not out.xp.may_share_memory(out._data, a._data):
        raise OpError(f"view: shape {tuple(out.shape)} is not a view of the strided tensor of shape {a.shape} "
                      f"(strides {a._data.strides}); use .reshape(...) or .contiguous().view(...)")
    return out


def _view_as_dtype(a: Tensor, dtype: np.dtype) -> Tensor:
    if dtype.itemsize != a.dtype.itemsize and (a.ndim == 0 or a._data.strides[-1] != a.dtype.itemsize
                                               or a.shape[-1] * a.dtype.itemsize % dtype.itemsize):
        raise OpError(f"view: cannot read a tensor of shape {a.shape} and dtype {a.dtype} as {dtype}: the last "
                      "dim must be contiguous and its bytes a multiple of the new item size")
    out = Tensor(a._data.view(dtype))
    out._version_counter = a._version_counter
    return out


def permute(a: Tensor, *dims) -> Tensor:
    """``a`` with its dims reordered."""
    return permuted(a, _shape_arg(dims))


def permuted(a: Tensor, given: tuple, name: str | None = None) -> Tensor:
    """``a`` with its dims reordered, its node named ``name`` (for t() and transpose())."""
    dims = tuple(normalize_dim(d, a.ndim, "permute") for d in given)
    if sorted(dims) != list(range(a.ndim)):
        raise OpError(f"permute: {given} is not a permutation of the {a.ndim} dimensions of shape {a.shape}")
    return Permute.apply(a, dims=dims, name=name)


def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    dim0, dim1 = normalize_dim(dim0, a.ndim, "transpose"), normalize_dim(dim1, a.ndim, "transpose")
    if a.ndim == 0:
        return a
    dims = list(range(a.ndim))
    dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
    return permuted(a, tuple(dims), "TransposeBackward0")


def matrix_transpose(a: Tensor) -> Tensor:
    """The transpose of the last two dimensions (PyTorch's ``.mT``; a matrix or a batch of them; a
    0-d tensor stays itself)."""
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        raise OpError(f"mT: only supported on matrices or batches of matrices, got a {a.ndim}-D tensor")
    return transpose(a, -2, -1)


def full_transpose(a: Tensor) -> Tensor:
    """``.T``: all dimensions reversed."""
    return permute(a, *reversed(range(a.ndim))) if a.ndim > 1 else a


def expand(a: Tensor, *shape) -> Tensor:
    """``a`` broadcast to ``shape`` (a view); -1 keeps a dimension's size, and only an existing one."""
    given = _shape_arg(shape)
    if -1 in given[:len(given) - a.ndim]:
        raise OpError(f"expand: -1 is not allowed in a new leading dimension (shape {given} for a tensor of {a.shape})")
    shape = tuple(old if new == -1 else new for old, new in zip((None,) * (len(given) - a.ndim) + a.shape, given))
    if shape == a.shape:
        return a
    return Expand.apply(a, shape=shape)


def squeeze(a: Tensor, dim=None) -> Tensor:
    """``a`` without its size-1 dims (all of them, or those among ``dim``, an int or a tuple)."""
    if dim is None:
        return reshaped(a, tuple(n for n in a.shape if n != 1), "SqueezeBackward0")
    several = isinstance(dim, (tuple, list))
    given = [normalize_dim(d, a.ndim, "squeeze") for d in (dim if several else (dim,))]
    dims = set(given)
    if len(dims) != len(given):
        raise OpError(f"squeeze: a dim appears more than once in {dim} (shape {a.shape})")
    if a.ndim == 0:
        return a
    return reshaped(a, tuple(n for d, n in enumerate(a.shape) if not (d in dims and n == 1)),
                     "SqueezeBackward2" if several else "SqueezeBackward1")


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    dim = normalize_dim(dim, a.ndim + 1, "unsqueeze")
    return reshaped(a, a.shape[:dim] + (1,) + a.shape[dim:], "UnsqueezeBackward0")


def flatten(a: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    start, end = normalize_dim(start_dim, a.ndim, "flatten"), normalize_dim(end_dim, a.ndim, "flatten")
    if a.ndim == 0:
        return reshape(a, (1,))
    if start > end:
        raise OpError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} (shape {a.shape})")
    if start == end:
        return a  # as PyTorch: nothing to merge, no node
    merged = 1
    for n in a.shape[start:end + 1]:
        merged *= n
    return reshape(a, a.shape[:start] + (merged,) + a.shape[end + 1:])


def getitem(a: Tensor, index) -> Tensor:
    """``a[index]`` with PyTorch's rules where they differ from NumPy's (see :func:`_normalize_index`)."""
    return GetItem.apply(a, index=_normalize_index(index, a))


def _is_integer(part) -> bool:
    """A Python/NumPy integer or a 0-d integer array: it selects one position and removes the dimension."""
    if isinstance(part, bool):
        return False
    return isinstance(part, (int, np.integer)) or (hasattr(part, "dtype") and part.ndim == 0 and part.dtype != bool)


def _split_integers_from_arrays(index):
    """(basic, advanced) such that ``a[basic][advanced]`` is PyTorch's ``a[index]``, when the index
    mixes integers with index arrays; (index, None) when NumPy's rule already gives PyTorch's."""
    parts = index if isinstance(index, tuple) else (index,)
    arrays = [p for p in parts if hasattr(p, "dtype") and not _is_integer(p)]
    if not arrays or not any(_is_integer(p) for p in parts):
        return index, None
    basic, advanced = [], []
    for part in parts:
        if _is_integer(part):
            basic.append(int(part))  # the dimension is removed: nothing of it in the second step
        elif hasattr(part, "dtype"):  # an index array (or mask) keeps its dimensions for the second step
            basic.extend([slice(None)] * (part.ndim if part.dtype == bool else 1))
            advanced.append(part)
        else:  # slice, None (a new dimension of size 1) or Ellipsis
            basic.append(part)
            advanced.append(Ellipsis if part is Ellipsis else slice(None))
    return tuple(basic), tuple(advanced)


def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension (PyTorch's ``torch.cat``)."""
    tensors = list(tensors)
    if not tensors:
        raise OpError("cat: expected a non-empty sequence of tensors")
    for position, t in enumerate(tensors):
        if isinstance(t, Tensor) and t.ndim == 0:
            raise OpError(f"cat: zero-dimensional tensor (at position {position}) cannot be concatenated; "
                          "use stack, or reshape it to (1,)")
    shaped = [t for t in tensors if not (isinstance(t, Tensor) and t.shape == (0,))]
    if shaped and len(shaped) < len(tensors):
        # PyTorch lets a 1-d empty tensor join any shape (it still counts for the result's dtype):
        # it becomes the empty slice of the others' shape
        reference = shaped[0].shape
        along = normalize_dim(dim, len(reference), "cat")
        empty_slice = reference[:along] + (0,) + reference[along + 1:]
        tensors = [reshape(t, empty_slice) if isinstance(t, Tensor) and t.shape == (0,) else t for t in tensors]
    ndim = tensors[0].ndim
    for t in tensors:
        if t.ndim != ndim:
            raise OpError(f"cat: tensors must have the same number of dimensions, got shapes "
                          f"{[tuple(x.shape) for x in tensors]}")
    return Cat.apply(*tensors, dim=normalize_dim(dim, ndim, "cat"))


def stack(tensors, dim: int = 0) -> Tensor:
    """Join tensors along a new dimension (PyTorch's ``torch.stack``)."""
    tensors = list(tensors)
    if not tensors:
        raise OpError("stack: expected a non-empty sequence of tensors")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise OpError(f"stack: tensors must all have the same shape, got {[t.shape for t in tensors]}")
    dim = normalize_dim(dim, tensors[0].ndim + 1, "stack")
    return named(cat([unsqueeze(t, dim) for t in tensors], dim=dim), "StackBackward0")


def split(a: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Pieces of ``a`` along ``dim``: equal pieces of a given size (the last may be smaller), or
    pieces of the listed sizes."""
    if a.ndim == 0:
        raise OpError("split: expects at least a 1-dimensional tensor, got a 0-d one")
    dim = normalize_dim(dim, a.ndim, "split")
    length = a.shape[dim]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size < 0 or size == 0 and length:
            raise OpError(f"split: split_size must be positive (0 only for an empty dim), got {size} for dim "
                          f"{dim} of shape {a.shape}")
        sizes = [min(size, length - start) for start in range(0, length, size or 1)] or [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != length:
            raise OpError(f"split: sizes {sizes} do not sum to dimension {dim} of shape {a.shape}")
    pieces, start = [], 0
    node = "SplitBackward0" if isinstance(split_size_or_sections, int) else "SplitWithSizesBackward0"
    for size in sizes:
        pieces.append(named(getitem(a, (slice(None),) * dim + (slice(start, start + size),)), node))
        start += size
    return tuple(pieces)


def chunk(a: Tensor, chunks: int, dim: int = 0) -> tuple:
    """``chunks`` pieces of nearly equal size along ``dim`` (PyTorch's rounding: ceil)."""
    if chunks <= 0:
        raise OpError(f"chunk: chunks must be positive, got {chunks}")
    if a.ndim == 0:
        raise OpError("chunk: expects at least a 1-dimensional tensor, got a 0-d one")
    length = a.shape[normalize_dim(dim, a.ndim, "chunk")]
    if length == 0:  # PyTorch: as many empty pieces as asked for
        return split(a, [0] * chunks, dim)
    return split(a, -(-length // chunks), dim)
