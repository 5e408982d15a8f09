"""im2col and col2im: the two rearrangements that turn a convolution into a matrix product.

Unfold (im2col) copies every block that a sliding kernel visits into one column. In 2-d, with a
kh×kw kernel:

    cols[n, (c, i, j), l] = x_padded[n, c, oy·s + i·d, ox·s + j·d]      for block l = (oy, ox)

with s the stride, d the dilation and x_padded the input with ``padding`` zeros on each side.
The result has shape (N, C·kh·kw, L), L = H_out·W_out, where
H_out = ⌊(H + 2p − d·(kh − 1) − 1) / s⌋ + 1 (the same for the width). Nothing here depends on
there being two spatial axes: the same code unfolds (N, C, L) and (N, C, D, H, W) inputs, one
kernel offset (i, …) per axis, which is how conv3d and the 3-d pools are built.

Fold (col2im) is its adjoint: it scatters every column back to the positions it came from,
summing where blocks overlap, and drops the padding. Because ⟨unfold(x), c⟩ = ⟨x, fold(c)⟩ for
all x and c, each is the other's gradient: the backward of Unfold is a Fold and the backward of
Fold is an Unfold. Both are linear, so gradients of any order follow.

The implementation loops over the kernel offsets (i, j, …); for each, one strided slice of
the padded array holds that offset's pixel of every block at once. This works unchanged on NumPy
and CuPy arrays.
"""

from __future__ import annotations

import numpy as np

from ..errors import OpError
from .. import backend
from ..autograd import Function
from ..tensor import Tensor


def _ntuple(value, count: int, name: str, op: str) -> tuple:
    """An int repeated ``count`` times, or a tuple/list of ``count`` ints (PyTorch's _ntuple): a
    value that is not an int raises TypeError, a tuple of the wrong length OpError, as in PyTorch."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * count
    kind = {1: "an int", 2: "an int or a pair of ints"}.get(count, f"an int or a tuple of {count} ints")
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{op}: {name} must be {kind}, got {value!r}")
    if len(values) != count:
        raise OpError(f"{op}: {name} must be {kind}, got {value!r}")
    return tuple(int(v) for v in values)


def _pair(value, name: str, op: str) -> tuple[int, int]:
    return _ntuple(value, 2, name, op)


def _single(value) -> int:
    """A 1-d size given as an int or a 1-tuple (PyTorch accepts both)."""
    return value[0] if isinstance(value, (tuple, list)) and len(value) == 1 else value


def named_padding(padding: str, kernel: tuple, dilation, stride, op: str) -> tuple[tuple, tuple]:
    """PyTorch's ``padding='valid'`` (no padding) and ``padding='same'`` (the output as large as the
    input; stride 1 only) as (padding on each side, extra padding at the end of each axis).

    'same' pads d·(k − 1) in all along an axis: ⌊d(k − 1)/2⌋ on each side, and where d(k − 1) is
    odd one more at the end (bottom, right), as PyTorch does, so that
    H_out = H + d(k − 1) − d(k − 1) − 1 + 1 = H.
    """
    count = len(kernel)
    if padding == "valid":
        return (0,) * count, (0,) * count
    if padding != "same":
        raise OpError(f"{op}: invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
    if any(s != 1 for s in _ntuple(stride, count, "stride", op)):
        raise OpError(f"{op}: padding='same' is not supported for strided convolutions (stride {stride})")
    totals = [d * (k - 1) for d, k in zip(_ntuple(dilation, count, "dilation", op), kernel)]
    return tuple(t // 2 for t in totals), tuple(t % 2 for t in totals)


def window_positions(size: int, kernel: int, dilation: int, padding: int, stride: int) -> int:
    """How many positions a kernel takes along one axis: ⌊(size + 2p − d(k − 1) − 1) / s⌋ + 1."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _out_size(size, geometry: dict) -> tuple:
    """The number of blocks along each spatial axis of an input of spatial ``size``."""
    return tuple(window_positions(n, k, d, p, s) for n, k, d, p, s in
                 zip(size, geometry["kernel_size"], geometry["dilation"], geometry["padding"], geometry["stride"]))


def _offset_slices(offset: tuple, out_size, dilation, stride) -> tuple:
    """Per spatial axis, the strided slice of the padded array that holds kernel offset
    ``offset`` = (i, j, …) of every block."""
    return tuple(slice(i * d, i * d + s * (o - 1) + 1, s) for i, o, d, s in zip(offset, out_size, dilation, stride))


def _padded_window(padding, size) -> tuple:
    """The slices that crop ``padding`` off each spatial axis of a padded array."""
    return tuple(slice(p, p + n) for p, n in zip(padding, size))


class Unfold(Function):
    """(N, C, *S) -> (N, C·Πk, L): every block the kernel visits as one column (im2col), for any
    number of spatial axes S.

    The gradient is Fold of the incoming gradient: each pixel gets the sum over the blocks (and
    kernel offsets) that copied it.
    """

    def __init__(self, kernel_size, dilation, padding, stride):
        super().__init__()
        self.geometry = dict(kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)

    def forward(self, x):
        kernel, dilation, padding, stride = self.geometry.values()
        xp = backend.array_module(backend.device_of(x))
        n, c = x.shape[:2]
        out_size = _out_size(x.shape[2:], self.geometry)
        if c > out_size[-1]:
            return self._channels_last(xp, x, out_size)
        padded = xp.pad(x, ((0, 0), (0, 0)) + tuple((p, p) for p in padding)) if any(padding) else x
        cols = xp.empty((n, c) + kernel + out_size, dtype=x.dtype)
        for offset in np.ndindex(*kernel):
            cols[(slice(None), slice(None)) + offset] = padded[(..., *_offset_slices(offset, out_size, dilation, stride))]
        return cols.reshape(n, c * int(np.prod(kernel)), int(np.prod(out_size)))

    def _channels_last(self, xp, x, out_size: tuple):
        """The same columns when there are more channels than output columns: copied from an
        (N, *S, C) image, each copy running along C instead of along a short, strided image
        row, into rows (N, L, C·Πk) returned transposed — the layout a GEMM over the rows
        (conv2d) reads without copying, and that Fold, the backward, takes the fast way."""
        kernel, dilation, padding, stride = self.geometry.values()
        n, c, *size = x.shape
        padded = xp.zeros((n,) + tuple(s + 2 * p for s, p in zip(size, padding)) + (c,), dtype=x.dtype)
        padded[(slice(None),) + _padded_window(padding, size)] = xp.moveaxis(x, 1, -1)
        rows = xp.empty((n,) + out_size + (c,) + kernel, dtype=x.dtype)
        for offset in np.ndindex(*kernel):
            rows[(...,) + offset] = padded[(slice(None), *_offset_slices(offset, out_size, dilation, stride))]
        return rows.reshape(n, int(np.prod(out_size)), c * int(np.prod(kernel))).transpose(0, 2, 1)

    def backward(self, g):
        return Fold.apply(g, output_size=tuple(self.inputs[0].shape[2:]), **self.geometry)


class Fold(Function):
    """(N, C·Πk, L) -> (N, C, *S): each column added back where its block lies (col2im).

    Overlapping blocks sum; values that land in the padding are dropped. The gradient is Unfold
    of the incoming gradient.
    """

    def __init__(self, output_size, kernel_size, dilation, padding, stride):
        super().__init__()
        self.output_size = output_size
        self.geometry = dict(kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)

    def forward(self, cols):
        kernel, dilation, padding, stride = self.geometry.values()
        xp = backend.array_module(backend.device_of(cols))
        out_size = _out_size(self.output_size, self.geometry)
        n, rows, length = cols.shape
        window = int(np.prod(kernel))
        if rows % window or length != int(np.prod(out_size)):
            raise OpError(f"fold: input of shape {cols.shape} does not fit kernel {kernel} and "
                          f"output size {self.output_size}: expected (N, C·{window}, {int(np.prod(out_size))})")
        c = rows // window
        if cols.strides[1] < cols.strides[2] and c > out_size[-1]:
            return self._channels_last(xp, cols, c, out_size)
        blocks_view = cols.reshape((n, c) + kernel + out_size)
        padded_size = tuple(s + 2 * p for s, p in zip(self.output_size, padding))
        padded = backend.zeros_for_accumulation(xp, (n, c) + padded_size, cols.dtype)
        for offset in np.ndindex(*kernel):
            padded[(..., *_offset_slices(offset, out_size, dilation, stride))] += blocks_view[(slice(None), slice(None)) + offset]
        return padded[(..., *_padded_window(padding, self.output_size))].copy()

    def _channels_last(self, xp, cols, c: int, out_size: tuple):
        """The same sums when ``cols`` is the transpose of rows (N, L, C·Πk) — a GEMM's result,
        as in conv_transpose2d and conv2d's backward: accumulated into an (N, *S, C) image, so
        every addition runs along C in memory order instead of along a short, strided image row
        (several times faster for small images), then moved back to (N, C, *S)."""
        kernel, dilation, padding, stride = self.geometry.values()
        n = cols.shape[0]
        blocks = cols.transpose(0, 2, 1).reshape((n,) + out_size + (c,) + kernel)
        padded_size = tuple(s + 2 * p for s, p in zip(self.output_size, padding))
        padded = backend.zeros_for_accumulation(xp, (n,) + padded_size + (c,), cols.dtype)
        for offset in np.ndindex(*kernel):
            padded[(slice(None), *_offset_slices(offset, out_size, dilation, stride))] += blocks[(...,) + offset]
        return xp.moveaxis(padded[(slice(None), *_padded_window(padding, self.output_size))], -1, 1).copy()

    def backward(self, g):
        return Unfold.apply(g, **self.geometry)


def unfold_nd(input: Tensor, kernel_size: tuple, dilation: tuple, padding: tuple, stride: tuple) -> Tensor:
    """im2col over every spatial axis of (N, C, *S) (one geometry tuple entry per axis), checked:
    (N, C·Πk, L). What convolutions and pools of any dimension unfold through."""
    _check_geometry("unfold", input.shape, kernel_size, dilation, padding, stride)
    return Unfold.apply(input, kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)


def fold_nd(input: Tensor, output_size: tuple, kernel_size: tuple, dilation: tuple, padding: tuple,
            stride: tuple) -> Tensor:
    """col2im onto (N, C, *output_size), the adjoint of :func:`unfold_nd`."""
    _check_geometry("fold", (input.shape[0], 1) + tuple(output_size), kernel_size, dilation, padding, stride)
    return Fold.apply(input, output_size=tuple(output_size), kernel_size=kernel_size, dilation=dilation,
                      padding=padding, stride=stride)


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """im2col (``torch.nn.functional.unfold``): (N, C, H, W) -> (N, C·kh·kw, L)."""
    if input.ndim != 4:
        raise OpError(f"unfold: expected a 4-D input (N, C, H, W), got shape {input.shape}")
    return unfold_nd(input, _pair(kernel_size, "kernel_size", "unfold"), _pair(dilation, "dilation", "unfold"),
                     _pair(padding, "padding", "unfold"), _pair(stride, "stride", "unfold"))


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """col2im (``torch.nn.functional.fold``): (N, C·kh·kw, L) -> (N, C, H, W), overlaps summed."""
    if input.ndim != 3:
        raise OpError(f"fold: expected a 3-D input (N, C·kh·kw, L), got shape {input.shape}")
    return fold_nd(input, _pair(output_size, "output_size", "fold"), _pair(kernel_size, "kernel_size", "fold"),
                   _pair(dilation, "dilation", "fold"), _pair(padding, "padding", "fold"),
                   _pair(stride, "stride", "fold"))


def _check_geometry(op: str, shape, kernel_size, dilation, padding, stride) -> None:
    """Positive kernel, stride and dilation, non-negative padding, and a kernel that fits."""
    if min(kernel_size) < 1 or min(stride) < 1 or min(dilation) < 1 or min(padding) < 0:
        raise OpError(f"{op}: kernel_size {kernel_size}, stride {stride} and dilation {dilation} must be "
                      f"positive and padding {padding} non-negative")
    for axis in range(len(kernel_size)):
        size = shape[2 + axis]
        reach = dilation[axis] * (kernel_size[axis] - 1) + 1
        if size + 2 * padding[axis] < reach:
            raise OpError(f"{op}: kernel size {kernel_size} (dilation {dilation}) spans {reach} pixels along "
                          f"axis {2 + axis}, more than the padded input size {size + 2 * padding[axis]} "
                          f"(input shape {tuple(shape)}, padding {padding})")
