"""More ops that rearrange elements: clone, flip, roll, repeat/tile/repeat_interleave, tril/triu, pad,
movedim, meshgrid, the stacks (hstack, vstack, dstack, column_stack), sliding windows (unfold), and
PyTorch's named views and pieces (narrow, unbind, diagonal/diag, diff, expand_as, broadcast_to, ...).

Flip, Roll and ConstantPad are Functions of their own (each one's backward is its inverse
rearrangement of g); the rest are compositions of reshape, expand, indexing and ``where``, whose
gradients follow from those ops.
"""

from __future__ import annotations

import builtins

from ..errors import IndexOutOfBounds, OpError
from .. import backend
from ..autograd import Function, named
from ..tensor import Tensor
from ._util import normalize_dim
from .elementwise import where
from .shape import cat, expand, getitem, permute, permuted, reshape


def _dims(dims, ndim: int, op: str) -> tuple:
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    normalized = tuple(normalize_dim(d, ndim, op) for d in dims)
    if len(set(normalized)) != len(normalized):
        raise OpError(f"{op}: dimension listed twice in {dims}")
    return normalized


class Clone(Function):
    """z = a copied into new memory;  ∂z/∂a = 1."""

    saved_inputs = ()  # backward reads no input values (shapes or the output only)

    def forward(self, a):
        return a.copy()

    def backward(self, g):
        return g


class Flip(Function):
    """z[i] = a[n − 1 − i] along each of ``dims``;  the gradient is g flipped back."""

    saved_inputs = ()  # backward reads no input values (shapes or the output only)

    def __init__(self, dims):
        super().__init__()
        self.dims = dims

    def forward(self, a):
        return backend.array_module(backend.device_of(a)).flip(a, axis=self.dims).copy()

    def backward(self, g):
        return Flip.apply(g, dims=self.dims)


class Roll(Function):
    """z[(i + s) mod n] = a[i] along each dim (all elements, flattened, when ``dims`` is None);
    the gradient is g rolled by −s."""

    saved_inputs = ()  # backward reads no input values (shapes or the output only)

    def __init__(self, shifts, dims):
        super().__init__()
        self.shifts, self.dims = shifts, dims

    def forward(self, a):
        return backend.array_module(backend.device_of(a)).roll(a, self.shifts, axis=self.dims)

    def backward(self, g):
        back = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        return Roll.apply(g, shifts=back, dims=self.dims)


class ConstantPad(Function):
    """z = a surrounded by ``value``: ``widths[d] = (before, after)`` elements on each side of dim d
    (negative widths crop, as in PyTorch);  the gradient is the middle of g, cropped pieces 0."""

    saved_inputs = ()  # backward reads no input values (shapes or the output only)

    def __init__(self, widths, value):
        super().__init__()
        self.widths, self.value = widths, value

    def forward(self, a):
        xp = backend.array_module(backend.device_of(a))
        grow = [(builtins.max(b, 0), builtins.max(e, 0)) for b, e in self.widths]
        out = xp.pad(a, grow, mode="constant", constant_values=self.value)
        return out[self._crop()]

    def _crop(self):
        return tuple(slice(-b if b < 0 else 0, e if e < 0 else None) for b, e in self.widths)

    def backward(self, g):
        inverse = tuple((-b, -e) for b, e in self.widths)
        return ConstantPad.apply(g, widths=inverse, value=0)


# ---- functional forms -----------------------------------------------------------------------

def clone(a: Tensor) -> Tensor:
    """A copy of ``a`` in new memory, still connected to the graph."""
    return Clone.apply(a)


def contiguous(a: Tensor) -> Tensor:
    """``a`` itself when its array is C-contiguous, else a contiguous copy (PyTorch's rule)."""
    return a if a._data.flags.c_contiguous else Clone.apply(a)


def t(a: Tensor) -> Tensor:
    """The transpose of a matrix; a 0-d or 1-d tensor is returned as it is (PyTorch's ``.t()``)."""
    if a.ndim > 2:
        raise OpError(f"t: expects a tensor with <= 2 dimensions, got shape {a.shape}; use transpose or mT")
    return permuted(a, (1, 0), "TBackward0") if a.ndim == 2 else a


def flip(a: Tensor, *given, dims=None) -> Tensor:
    """``a`` reversed along each of ``dims`` (``flip(0, 2)``, ``flip((0, 2))`` or ``flip(dims=...)``)."""
    if dims is None:
        dims = given[0] if len(given) == 1 else given
    dims = _dims(dims, a.ndim, "flip")
    return Flip.apply(a, dims=dims if a.ndim else ())


def roll(a: Tensor, shifts, dims=None) -> Tensor:
    """Elements shifted cyclically by ``shifts`` along ``dims`` (the flattened tensor when None)."""
    if dims is None:
        if not isinstance(shifts, int):
            raise OpError(f"roll: without dims, shifts must be one int, got {shifts!r}")
        return Roll.apply(a, shifts=shifts, dims=None)
    dims = _dims(dims, a.ndim, "roll")
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if len(shifts) != len(dims):
        raise OpError(f"roll: {len(shifts)} shifts for {len(dims)} dims")
    return Roll.apply(a, shifts=shifts, dims=dims)


def _sizes(sizes) -> tuple:
    sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else tuple(sizes)
    if any(not isinstance(s, int) or s < 0 for s in sizes):
        raise OpError(f"repeat: sizes must be non-negative ints, got {sizes}")
    return sizes


def repeat(a: Tensor, *sizes) -> Tensor:
    """The tensor tiled ``sizes[d]`` times along each dim (``sizes`` may add leading dims):
    z[..., k·n + i, ...] = a[..., i, ...].  Built as unsqueeze → expand → reshape, so the gradient
    sums the copies."""
    sizes = _sizes(sizes)
    if len(sizes) < a.ndim:
        raise OpError(f"repeat: {len(sizes)} sizes for a tensor of shape {a.shape}; give at least "
                      f"{a.ndim} (use tile to repeat only the last dims)")
    shape = (1,) * (len(sizes) - a.ndim) + a.shape
    paired = reshape(a, tuple(n for size in shape for n in (1, size)))
    stretched = expand(paired, *(n for reps, size in zip(sizes, shape) for n in (reps, size)))
    return reshape(stretched, tuple(reps * size for reps, size in zip(sizes, shape)))


def tile(a: Tensor, dims) -> Tensor:
    """``repeat`` with fewer sizes than dims allowed: missing leading sizes are 1 (``torch.tile``)."""
    dims = _sizes((dims,) if isinstance(dims, int) else tuple(dims))
    return repeat(a, (1,) * (a.ndim - len(dims)) + dims)


def _triangle(a: Tensor, diagonal: int, lower: bool, op: str) -> Tensor:
    if a.ndim < 2:
        raise OpError(f"{op}: expects a tensor with at least 2 dimensions, got shape {a.shape}")
    xp = a.xp
    rows, cols = a.shape[-2:]
    offset = xp.arange(cols)[None, :] - xp.arange(rows)[:, None]
    keep = offset <= diagonal if lower else offset >= diagonal
    return where(Tensor(keep), a, 0)


def tril(a: Tensor, diagonal: int = 0) -> Tensor:
    """z[..., i, j] = a[..., i, j] if j − i ≤ diagonal else 0 (the gradient is g masked the same way)."""
    return _triangle(a, diagonal, True, "tril")


def triu(a: Tensor, diagonal: int = 0) -> Tensor:
    """z[..., i, j] = a[..., i, j] if j − i ≥ diagonal else 0."""
    return _triangle(a, diagonal, False, "triu")


def unflatten(a: Tensor, dim: int, sizes) -> Tensor:
    """Dim ``dim`` split into ``sizes`` (one may be −1): (2, 12, 5).unflatten(1, (3, 4)) is (2, 3, 4, 5)."""
    dim = normalize_dim(dim, a.ndim, "unflatten")
    sizes = tuple(sizes)
    known = 1
    for s in sizes:
        known *= s if s != -1 else 1
    if sizes.count(-1) > 1 or (sizes.count(-1) == 0 and known != a.shape[dim]) or \
            (sizes.count(-1) == 1 and (known == 0 or a.shape[dim] % known)):
        raise OpError(f"unflatten: sizes {sizes} do not multiply to dimension {dim} of shape {a.shape}")
    sizes = tuple(a.shape[dim] // known if s == -1 else s for s in sizes)
    return reshape(a, a.shape[:dim] + sizes + a.shape[dim + 1:])


def movedim(a: Tensor, source, destination) -> Tensor:
    """Dims ``source`` moved to positions ``destination``, the others keeping their order."""
    source = _dims(source, a.ndim, "movedim")
    destination = _dims(destination, a.ndim, "movedim")
    if len(source) != len(destination):
        raise OpError(f"movedim: {len(source)} source dims but {len(destination)} destinations")
    if a.ndim == 0:
        return a
    order = [None] * a.ndim
    for s, d in zip(source, destination):
        order[d] = s
    rest = iter(d for d in range(a.ndim) if d not in source)
    return permute(a, *(next(rest) if o is None else o for o in order))


_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """``torch.nn.functional.pad``: ``pad = (left_last, right_last, left_second_last, ...)`` pairs
    from the last dim backwards.

    constant: the new elements are ``value`` (0 by default); negative widths crop.
    reflect: mirrored without repeating the edge (…, a₂, a₁ | a₀, a₁, a₂ …); widths < n.
    replicate: the edge element repeated;  circular: wrapped around.
    The last three pick elements with an integer index per dim (z = a[idx]), so the gradient
    adds up over every copy of an element.
    """
    pad = tuple(pad)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise OpError(f"pad: padding {pad} must have an even length of at most 2·{input.ndim} "
                      f"(input shape {input.shape})")
    if mode not in _PAD_MODES:
        raise OpError(f"pad: mode must be one of {_PAD_MODES}, got {mode!r}")
    widths = [(0, 0)] * input.ndim
    for k in range(len(pad) // 2):
        widths[input.ndim - 1 - k] = (pad[2 * k], pad[2 * k + 1])
    if mode == "constant":
        return ConstantPad.apply(input, widths=tuple(widths), value=0 if value is None else value)
    if value is not None and value != 0:
        raise OpError(f"pad: a value is only used by mode='constant', got value={value} with mode={mode!r}")
    out = input
    for dim, (before, after) in enumerate(widths):
        if before or after:
            index = _pad_index(input.xp, input.shape[dim], before, after, mode, input.shape)
            out = getitem(out, (slice(None),) * dim + (index,))
    return out


def _pad_index(xp, n: int, before: int, after: int, mode: str, shape):
    if before < 0 or after < 0:
        raise OpError(f"pad: negative padding ({before}, {after}) is only allowed in mode='constant'")
    limit = n if mode == "circular" else n - 1 if mode == "reflect" else None
    if limit is not None and (before > limit or after > limit):
        raise OpError(f"pad: {mode} padding ({before}, {after}) must be at most {limit} for a dim of "
                      f"size {n} (input shape {shape})")
    if n == 0:
        raise OpError(f"pad: cannot {mode}-pad an empty dim (input shape {shape})")
    positions = xp.arange(-before, n + after)
    if mode == "replicate":
        return xp.clip(positions, 0, n - 1)
    if mode == "circular":
        return positions % n
    positions = xp.abs(positions)
    return xp.where(positions > n - 1, 2 * (n - 1) - positions, positions)


def meshgrid(*tensors, indexing: str = "ij") -> tuple:
    """Coordinate grids from 1-D tensors: with 'ij', ``out[k][i₀, i₁, …] = tensors[k][i_k]``;
    'xy' swaps the first two output dims (NumPy/Matlab convention)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise OpError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    if any(t.ndim > 1 for t in tensors):
        raise OpError(f"meshgrid: expects 0-d or 1-d tensors, got shapes {[t.shape for t in tensors]}")
    tensors = [reshape(t, (t.numel(),)) for t in tensors]
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        tensors[0], tensors[1] = tensors[1], tensors[0]
    shape = tuple(t.shape[0] for t in tensors)
    grids = [expand(reshape(t, tuple(-1 if d == k else 1 for d in range(len(shape)))), *shape)
             for k, t in enumerate(tensors)]
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


# ---- views and pieces named after their PyTorch methods ----------------------------------------

def expand_as(a: Tensor, other: Tensor) -> Tensor:
    return expand(a, *other.shape)


def reshape_as(a: Tensor, other: Tensor) -> Tensor:
    return reshape(a, other.shape)


def type_as(a: Tensor, other: Tensor) -> Tensor:
    return a.to(other.dtype)


def swapaxes(a: Tensor, axis0: int, axis1: int) -> Tensor:
    """``transpose`` under NumPy's name."""
    return a.transpose(axis0, axis1)


def narrow(a: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The slice start:start+length along ``dim``."""
    dim = normalize_dim(dim, a.ndim, "narrow")
    start = start + a.shape[dim] if start < 0 else start
    if start < 0 or length < 0 or start + length > a.shape[dim]:
        raise IndexOutOfBounds(f"narrow: start {start} and length {length} exceed dim {dim} of shape {a.shape}")
    return getitem(a, (slice(None),) * dim + (slice(start, start + length),))


def narrow_copy(a: Tensor, dim: int, start: int, length: int) -> Tensor:
    """:func:`narrow`'s slice as a new tensor (its own memory) rather than a view."""
    return clone(narrow(a, dim, start, length))


def unbind(a: Tensor, dim: int = 0) -> tuple:
    """The slices along ``dim``, each without that dim."""
    dim = normalize_dim(dim, a.ndim, "unbind")
    return tuple(named(getitem(a, (slice(None),) * dim + (i,)), "UnbindBackward0") for i in range(a.shape[dim]))


class Diagonal(Function):
    """z[..., k] = a[..., r + k, c + k] over a's last two dims, a view of a's memory (the strides of
    the two dims added up), as PyTorch's;  the gradient is g written onto that diagonal of zeros."""

    saved_inputs = ()
    makes_view = True

    def __init__(self, first_row: int, first_col: int):
        super().__init__()
        self.first_row, self.first_col = first_row, first_col

    def forward(self, a):
        corner = a[..., self.first_row:, self.first_col:]
        length = builtins.max(builtins.min(corner.shape[-2], corner.shape[-1]), 0)
        strides = corner.strides[:-2] + (corner.strides[-2] + corner.strides[-1],)
        xp = backend.array_module(backend.device_of(a))
        return xp.lib.stride_tricks.as_strided(corner, corner.shape[:-2] + (length,), strides)

    def backward(self, g):
        from .indexing import setitem_result
        steps = g.xp.arange(g.shape[-1])
        zeros = Tensor(g.xp.zeros(self.inputs[0].shape, dtype=g.dtype))
        return setitem_result(zeros, (Ellipsis, steps + self.first_row, steps + self.first_col), g)


def diagonal(a: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """z[..., k] = a[..., i + k, j + k] over dims dim1, dim2 (i = max(−offset, 0), j = max(offset, 0));
    the diagonal becomes the last dim, as in PyTorch, and z is a view of a (an in-place change of z
    changes a)."""
    dim1, dim2 = normalize_dim(dim1, a.ndim, "diagonal"), normalize_dim(dim2, a.ndim, "diagonal")
    if dim1 == dim2:
        raise OpError(f"diagonal: dim1 and dim2 cannot be the same dim ({dim1}, shape {a.shape})")
    moved = movedim(a, (dim1, dim2), (-2, -1))
    return Diagonal.apply(moved, first_row=builtins.max(-offset, 0), first_col=builtins.max(offset, 0))


_diagonal_of = diagonal  # ``diag`` has an argument named ``diagonal`` (PyTorch's signature)


class AsStrided(Function):
    """z[i₀, i₁, …] = storage[offset + Σ iₖ·strideₖ], where storage is all the memory ``a`` views
    (a view of it); the gradient adds each g element into the element of ``a`` at that storage
    position (none where z reads memory outside ``a``; overlapping windows add up)."""

    saved_inputs = ()
    makes_view = True

    def __init__(self, size, stride, offset):
        super().__init__()
        self.size, self.stride, self.offset = size, stride, offset

    def forward(self, a):
        xp = backend.array_module(backend.device_of(a))
        storage = backend.storage_of(a)
        return xp.lib.stride_tricks.as_strided(storage[self.offset:], self.size,
                                               tuple(s * a.itemsize for s in self.stride))

    def backward(self, g):
        from .shape import ScatterAdd
        a = self.inputs[0]._data
        xp = backend.array_module(backend.device_of(a))
        positions = xp.asarray(self.offset, dtype=xp.int64)
        for n, step in zip(self.size, self.stride):
            positions = positions[..., None] + xp.arange(n, dtype=xp.int64) * step
        in_storage = (backend.element_addresses(a) - backend.data_address(backend.storage_of(a))) // a.itemsize
        owner = xp.full(max(int(in_storage.max(initial=0)), int(positions.max(initial=0))) + 1, a.size, dtype=xp.int64)
        owner[in_storage.reshape(-1)] = xp.arange(a.size)  # storage position → a's element (a.size: none)
        sums = ScatterAdd.apply(g, shape=(a.size + 1,), index=owner[positions])
        return sums[:a.size].reshape(a.shape)


def as_strided(a: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    """A view of the memory under ``a`` with the given sizes and steps in elements (PyTorch's
    ``as_strided``): element i of the result is storage[storage_offset + Σ iₖ·strideₖ], the offset
    counted from the start of that memory (a's own by default)."""
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride) or any(n < 0 for n in size) or any(s < 0 for s in stride):
        raise OpError(f"as_strided: sizes {size} and strides {stride} must be as many, and non-negative")
    storage = backend.storage_of(a._data)
    offset = a.storage_offset() if storage_offset is None else storage_offset
    last = offset + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else offset - 1
    if storage is None or offset < 0 or last >= storage.size:
        raise OpError(f"as_strided: sizes {size}, strides {stride} and storage offset {offset} reach beyond "
                      f"the {0 if storage is None else storage.size} elements of the memory under the tensor")
    return AsStrided.apply(a, size=size, stride=stride, offset=offset)


def diag(a: Tensor, diagonal: int = 0) -> Tensor:
    """1-d ``a``: the square matrix with ``a`` on diagonal ``diagonal`` and 0 elsewhere;
    2-d ``a``: its diagonal ``diagonal`` as a 1-d tensor."""
    if a.ndim == 2:
        return _diagonal_of(a, diagonal)
    if a.ndim != 1:
        raise OpError(f"diag: expects a 1-d or 2-d tensor, got shape {a.shape}")
    from .indexing import setitem_result
    n = a.shape[0] + builtins.abs(diagonal)
    steps = a.xp.arange(a.shape[0])
    index = (steps + builtins.max(-diagonal, 0), steps + builtins.max(diagonal, 0))
    return setitem_result(Tensor(a.xp.zeros((n, n), dtype=a.dtype)), index, a)


def trace(a: Tensor) -> Tensor:
    """Σ a[i, i] of a matrix."""
    if a.ndim != 2:
        raise OpError(f"trace: expects a matrix, got shape {a.shape}")
    return diagonal(a).sum()


def diff(a: Tensor, n: int = 1, dim: int = -1) -> Tensor:
    """The n-th forward difference along ``dim``: z[i] = a[i + 1] − a[i], n times (for bools
    a[i + 1] ≠ a[i], PyTorch's logical xor)."""
    dim = normalize_dim(dim, a.ndim, "diff")
    out = a
    for _ in range(n):
        length = out.shape[dim]
        later = getitem(out, (slice(None),) * dim + (slice(1, length),))
        earlier = getitem(out, (slice(None),) * dim + (slice(0, builtins.max(length - 1, 0)),))
        out = later != earlier if out.dtype.kind == "b" else later - earlier
    return out


def broadcast_to(a: Tensor, shape) -> Tensor:
    """``a`` broadcast to ``shape`` (``expand`` under NumPy's name; −1 keeps a size)."""
    return expand(a, *tuple(shape))


def _at_least(a: Tensor, ndim: int) -> Tensor:
    """``a`` with dims of size 1 added as NumPy's atleast_2d/atleast_3d add them."""
    if a.ndim >= ndim:
        return a
    if ndim == 2 or a.ndim == 0:
        return reshape(a, (1,) * (ndim - a.ndim) + a.shape)
    return reshape(a, (1,) + a.shape + (1,) if a.ndim == 1 else a.shape + (1,))


def hstack(tensors) -> Tensor:
    """Join along dim 1, or along dim 0 when the tensors are 1-d (``torch.hstack``)."""
    tensors = [_at_least(t, 1) for t in tensors]
    return cat(tensors, dim=0 if tensors and tensors[0].ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    """Join along dim 0, 1-d tensors first made rows (1, n) (``torch.vstack``)."""
    return cat([_at_least(t, 2) for t in tensors], dim=0)


def dstack(tensors) -> Tensor:
    """Join along dim 2, tensors first made at least 3-d: (n,) → (1, n, 1), (m, n) → (m, n, 1)."""
    return cat([_at_least(t, 3) for t in tensors], dim=2)


def column_stack(tensors) -> Tensor:
    """Join along dim 1, 0-d and 1-d tensors first made columns (n, 1) (``torch.column_stack``)."""
    return cat([reshape(t, (-1, 1)) if t.ndim <= 1 else t for t in tensors], dim=1)


def repeat_interleave(a: Tensor, repeats=None, dim: int | None = None, *, output_size: int | None = None) -> Tensor:
    """Each element (each slice along ``dim``) repeated ``repeats`` times in place:
    [a, b] → [a, a, b, b]. ``repeats`` is an int or a 1-d tensor, one count per slice; without
    ``dim`` the tensor is flattened first. An index_select, so the gradient sums the copies.
    ``repeat_interleave(counts)`` alone repeats each position i of ``counts`` counts[i] times;
    ``output_size``, when given, must be the length of the result along ``dim``."""
    if repeats is None:
        a, repeats = arange_like(a), a
    if dim is None:
        a, dim = reshape(a, (-1,)), 0
    dim = normalize_dim(dim, a.ndim, "repeat_interleave")
    size = a.shape[dim] if a.ndim else 1
    counts = repeats._data if isinstance(repeats, Tensor) else repeats
    xp = a.xp
    if isinstance(counts, int):
        counts = xp.full(size, counts)
    counts = xp.asarray(counts).reshape(-1)
    if counts.shape[0] not in (1, size) or counts.dtype.kind not in "iu" or (counts.size and int(counts.min()) < 0):
        raise OpError(f"repeat_interleave: repeats must be one non-negative int or one per slice "
                      f"({size} along dim {dim} of shape {a.shape}), got {repeats!r}")
    index = xp.repeat(xp.arange(size), xp.broadcast_to(counts, (size,)))
    if output_size is not None and output_size != index.shape[0]:
        raise OpError(f"repeat_interleave: output_size {output_size} is not the {index.shape[0]} repeated slices")
    return getitem(a, (slice(None),) * dim + (index,))


def arange_like(counts: Tensor) -> Tensor:
    """0, 1, …, n − 1 for the n elements of a 1-d tensor, on its device."""
    if counts.ndim > 1:
        raise OpError(f"repeat_interleave: repeats must be 0-d or 1-d, got shape {counts.shape}")
    return Tensor(counts.xp.arange(counts.numel()))


def unfold(a: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Sliding windows (``Tensor.unfold``): along ``dimension``, slices a[i·step : i·step + size] for
    every window that fits; the window count replaces that dim and the window becomes a new last
    dim. A view of a's memory, as PyTorch's (:func:`as_strided`: the window dim steps like
    ``dimension``, the window count by ``step`` of those), so the gradient adds each window's share
    back (overlaps sum)."""
    dimension = normalize_dim(dimension, a.ndim, "unfold")
    length = a.shape[dimension] if a.ndim else 1
    if size < 0 or step <= 0 or size > length:
        raise OpError(f"unfold: size {size} and step {step} do not fit dim {dimension} of shape {a.shape}")
    if a.ndim == 0:
        return reshape(a, (1,))
    strides = a.stride()
    sizes = a.shape[:dimension] + ((length - size) // step + 1,) + a.shape[dimension + 1:] + (size,)
    steps = strides[:dimension] + (step * strides[dimension],) + strides[dimension + 1:] + (strides[dimension],)
    return named(as_strided(a, sizes, steps), "UnfoldBackward0")


# ---- more of PyTorch's named rearrangements ------------------------------------------------------

def ravel(a: Tensor) -> Tensor:
    """``a`` as one dimension (a copy only where a reshape needs one)."""
    return reshape(a, (-1,))


def fliplr(a: Tensor) -> Tensor:
    """Columns in reverse order (dim 1 flipped; needs at least 2 dims)."""
    if a.ndim < 2:
        raise OpError(f"fliplr: expects at least 2 dims, got shape {a.shape}")
    return flip(a, 1)


def flipud(a: Tensor) -> Tensor:
    """Rows in reverse order (dim 0 flipped)."""
    if a.ndim < 1:
        raise OpError("flipud: expects at least 1 dim, got a 0-d tensor")
    return flip(a, 0)


def rot90(a: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotated k quarter turns in the plane of ``dims``, from the first axis towards the second
    (k = 1: flip dims[1], then swap the two)."""
    if len(tuple(dims)) != 2 or a.ndim < 2:
        raise OpError(f"rot90: needs exactly two dims of a tensor with at least two, got {dims} for shape {a.shape}")
    d0, d1 = _dims(dims, a.ndim, "rot90")
    k %= 4
    if k == 0:
        return a
    if k == 2:
        return flip(a, (d0, d1))
    swapped = list(range(a.ndim))
    swapped[d0], swapped[d1] = swapped[d1], swapped[d0]
    if k == 1:
        return permute(flip(a, d1), *swapped)
    return flip(permute(a, *swapped), d1)


def tensor_split(a: Tensor, indices_or_sections, dim: int = 0) -> tuple:
    """Pieces along ``dim``: n nearly equal ones (the first n mod size one longer), or cut before
    each listed index (NumPy's array_split)."""
    from .shape import split
    if a.ndim == 0:
        raise OpError("tensor_split: expects at least a 1-dimensional tensor, got a 0-d one")
    if isinstance(indices_or_sections, Tensor):
        if indices_or_sections.dtype != "int64" or indices_or_sections.ndim > 1:
            raise OpError(f"tensor_split: a tensor of indices or sections must be int64 and 0-d or 1-d, got "
                          f"{indices_or_sections.dtype} of shape {indices_or_sections.shape}")
        indices_or_sections = indices_or_sections.tolist()
    dim = normalize_dim(dim, a.ndim, "tensor_split")
    length = a.shape[dim]
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        if n < 1:
            raise OpError(f"tensor_split: the number of sections must be positive, got {n}")
        sizes = [length // n + (1 if i < length % n else 0) for i in range(n)]
    else:
        cuts = [builtins.min(builtins.max(i if i >= 0 else i + length, 0), length) for i in indices_or_sections]
        bounds = [0] + cuts + [length]
        return tuple(getitem(a, (slice(None),) * dim + (slice(start, builtins.max(start, end)),))
                     for start, end in zip(bounds, bounds[1:]))
    return split(a, sizes, dim)


def hsplit(a: Tensor, sections) -> tuple:
    """tensor_split along dim 1 (dim 0 for 1-d tensors); an int must divide the size."""
    return _even_split("hsplit", a, sections, 1 if a.ndim > 1 else 0)


def vsplit(a: Tensor, sections) -> tuple:
    """tensor_split along dim 0 (at least 2 dims); an int must divide the size."""
    if a.ndim < 2:
        raise OpError(f"vsplit: expects at least 2 dims, got shape {a.shape}")
    return _even_split("vsplit", a, sections, 0)


def dsplit(a: Tensor, sections) -> tuple:
    """tensor_split along dim 2 (at least 3 dims); an int must divide the size."""
    if a.ndim < 3:
        raise OpError(f"dsplit: expects at least 3 dims, got shape {a.shape}")
    return _even_split("dsplit", a, sections, 2)


def _even_split(op: str, a: Tensor, sections, dim: int) -> tuple:
    if isinstance(sections, int) and (sections < 1 or a.shape[dim] % sections):
        raise OpError(f"{op}: {sections} sections do not divide dim {dim} of shape {a.shape}")
    return tensor_split(a, sections, dim)


def select(a: Tensor, dim: int, index: int) -> Tensor:
    """The slice at ``index`` along ``dim``, without that dim (a[..., index, ...])."""
    dim = normalize_dim(dim, a.ndim, "select")
    size = a.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select: index {index} out of range for dim {dim} of size {size} (shape {a.shape})")
    return getitem(a, (slice(None),) * dim + (index,))


def diag_embed(a: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Each last-dim vector of ``a`` placed on diagonal ``offset`` of a new square matrix in dims
    (dim1, dim2); the inverse of ``diagonal``."""
    from .indexing import setitem_result
    n = a.shape[-1] + builtins.abs(offset)
    out_ndim = a.ndim + 1
    d1, d2 = normalize_dim(dim1, out_ndim, "diag_embed"), normalize_dim(dim2, out_ndim, "diag_embed")
    if d1 == d2:
        raise OpError(f"diag_embed: dim1 and dim2 must differ, got {dim1} and {dim2}")
    steps = a.xp.arange(a.shape[-1])
    index = (Ellipsis, steps + builtins.max(-offset, 0), steps + builtins.max(offset, 0))
    square = setitem_result(Tensor(a.xp.zeros(a.shape[:-1] + (n, n), dtype=a.dtype)), index, a)
    return movedim(square, (-2, -1), (d1, d2))


def diagflat(a: Tensor, offset: int = 0) -> Tensor:
    """``a`` flattened and placed on diagonal ``offset`` of a square matrix."""
    return diag_embed(reshape(a, (-1,)), offset)
