"""im2col and col2im: the two rearrangements that turn a convolution into a matrix product.

Unfold (im2col) copies every kh×kw block that a sliding kernel visits into one column:

    cols[n, (c, i, j), l] = x_padded[n, c, oy·s + i·d, ox·s + j·d]      for block l = (oy, ox)

with s the stride, d the dilation and x_padded the input with ``padding`` zeros on each side.
The result has shape (N, C·kh·kw, L), L = H_out·W_out, where
H_out = ⌊(H + 2p − d·(kh − 1) − 1) / s⌋ + 1 (the same for the width).

Fold (col2im) is its adjoint: it scatters every column back to the positions it came from,
summing where blocks overlap, and drops the padding. Because ⟨unfold(x), c⟩ = ⟨x, fold(c)⟩ for
all x and c, each is the other's gradient: the backward of Unfold is a Fold and the backward of
Fold is an Unfold. Both are linear, so gradients of any order follow.

The implementation loops over the kh·kw kernel offsets (i, j); for each, one strided slice of
the padded array holds that offset's pixel of every block at once. This works unchanged on NumPy
and CuPy arrays.
"""

from __future__ import annotations

from ..errors import OpError
from .. import backend
from ..autograd import Function
from ..tensor import Tensor


def _pair(value, name: str, op: str) -> tuple[int, int]:
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(isinstance(v, int) for v in pair):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    return pair


def _single(value) -> int:
    """A 1-d size given as an int or a 1-tuple (PyTorch accepts both)."""
    return value[0] if isinstance(value, (tuple, list)) and len(value) == 1 else value


def named_padding(padding: str, kernel: tuple, dilation, stride, op: str) -> tuple[tuple, tuple]:
    """PyTorch's ``padding='valid'`` (no padding) and ``padding='same'`` (the output as large as the
    input; stride 1 only) as (padding on each side, extra padding on the bottom and right).

    'same' pads d·(k − 1) in all along an axis: ⌊d(k − 1)/2⌋ on each side, and where d(k − 1) is
    odd one more at the end (bottom, right), as PyTorch does, so that
    H_out = H + d(k − 1) − d(k − 1) − 1 + 1 = H.
    """
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding != "same":
        raise OpError(f"{op}: invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
    if any(s != 1 for s in _pair(stride, "stride", op)):
        raise OpError(f"{op}: padding='same' is not supported for strided convolutions (stride {stride})")
    totals = [d * (k - 1) for d, k in zip(_pair(dilation, "dilation", op), kernel)]
    return tuple(t // 2 for t in totals), tuple(t % 2 for t in totals)


def window_positions(size: int, kernel: int, dilation: int, padding: int, stride: int) -> int:
    """How many positions a kernel takes along one axis: ⌊(size + 2p − d(k − 1) − 1) / s⌋ + 1."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _offset_slices(i: int, j: int, out_hw, dilation, stride):
    """The strided slice of the padded array that holds kernel offset (i, j) of every block."""
    (oh, ow), (dh, dw), (sh, sw) = out_hw, dilation, stride
    return (slice(None), slice(None),
            slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
            slice(j * dw, j * dw + sw * (ow - 1) + 1, sw))


class Unfold(Function):
    """(N, C, H, W) -> (N, C·kh·kw, L): every block the kernel visits as one column (im2col).

    The gradient is Fold of the incoming gradient: each pixel gets the sum over the blocks (and
    kernel offsets) that copied it.
    """

    def __init__(self, kernel_size, dilation, padding, stride):
        super().__init__()
        self.geometry = dict(kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)

    def forward(self, x):
        kernel_size, dilation, padding, stride = self.geometry.values()
        xp = backend.array_module(backend.device_of(x))
        n, c, h, w = x.shape
        (kh, kw), (ph, pw) = kernel_size, padding
        out_hw = (window_positions(h, kh, dilation[0], ph, stride[0]),
                  window_positions(w, kw, dilation[1], pw, stride[1]))
        if c > out_hw[1]:
            return self._channels_last(xp, x, out_hw)
        padded = xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x
        cols = xp.empty((n, c, kh, kw) + out_hw, dtype=x.dtype)
        for i in range(kh):
            for j in range(kw):
                cols[:, :, i, j] = padded[_offset_slices(i, j, out_hw, dilation, stride)]
        return cols.reshape(n, c * kh * kw, out_hw[0] * out_hw[1])

    def _channels_last(self, xp, x, out_hw: tuple):
        """The same columns when there are more channels than output columns: copied from an
        (N, H, W, C) image, each copy running along C instead of along a short, strided image
        row, into rows (N, L, C·kh·kw) returned transposed — the layout a GEMM over the rows
        (conv2d) reads without copying, and that Fold, the backward, takes the fast way."""
        (kh, kw), (ph, pw) = self.geometry["kernel_size"], self.geometry["padding"]
        n, c, h, w = x.shape
        padded = xp.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=x.dtype)
        padded[:, ph:ph + h, pw:pw + w] = xp.moveaxis(x, 1, 3)
        rows = xp.empty((n,) + out_hw + (c, kh, kw), dtype=x.dtype)
        for i in range(kh):
            for j in range(kw):
                ys, xs = _offset_slices(i, j, out_hw, self.geometry["dilation"], self.geometry["stride"])[2:]
                rows[..., i, j] = padded[:, ys, xs]
        return rows.reshape(n, out_hw[0] * out_hw[1], c * kh * kw).transpose(0, 2, 1)

    def backward(self, g):
        return Fold.apply(g, output_size=tuple(self.inputs[0].shape[2:]), **self.geometry)


class Fold(Function):
    """(N, C·kh·kw, L) -> (N, C, H, W): each column added back where its block lies (col2im).

    Overlapping blocks sum; values that land in the padding are dropped. The gradient is Unfold
    of the incoming gradient.
    """

    def __init__(self, output_size, kernel_size, dilation, padding, stride):
        super().__init__()
        self.output_size = output_size
        self.geometry = dict(kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)

    def forward(self, cols):
        output_size = self.output_size
        kernel_size, dilation, padding, stride = self.geometry.values()
        xp = backend.array_module(backend.device_of(cols))
        (h, w), (kh, kw), (ph, pw) = output_size, kernel_size, padding
        out_hw = (window_positions(h, kh, dilation[0], ph, stride[0]),
                  window_positions(w, kw, dilation[1], pw, stride[1]))
        n, rows, length = cols.shape
        if rows % (kh * kw) or length != out_hw[0] * out_hw[1]:
            raise OpError(f"fold: input of shape {cols.shape} does not fit kernel {kernel_size} and "
                          f"output size {output_size}: expected (N, C·{kh * kw}, {out_hw[0] * out_hw[1]})")
        c = rows // (kh * kw)
        if cols.strides[1] < cols.strides[2] and c > out_hw[1]:
            return self._channels_last(xp, cols, c, out_hw)
        blocks_view = cols.reshape((n, c, kh, kw) + out_hw)
        padded = backend.zeros_for_accumulation(xp, (n, c, h + 2 * ph, w + 2 * pw), cols.dtype)
        for i in range(kh):
            for j in range(kw):
                padded[_offset_slices(i, j, out_hw, dilation, stride)] += blocks_view[:, :, i, j]
        return padded[:, :, ph:ph + h, pw:pw + w].copy()

    def _channels_last(self, xp, cols, c: int, out_hw: tuple):
        """The same sums when ``cols`` is the transpose of rows (N, L, C·kh·kw) — a GEMM's result,
        as in conv_transpose2d and conv2d's backward: accumulated into an (N, H, W, C) image, so
        every addition runs along C in memory order instead of along a short, strided image row
        (several times faster for small images), then moved back to (N, C, H, W)."""
        (h, w), (kh, kw), (ph, pw) = self.output_size, self.geometry["kernel_size"], self.geometry["padding"]
        n = cols.shape[0]
        blocks = cols.transpose(0, 2, 1).reshape((n,) + out_hw + (c, kh, kw))
        padded = backend.zeros_for_accumulation(xp, (n, h + 2 * ph, w + 2 * pw, c), cols.dtype)
        for i in range(kh):
            for j in range(kw):
                rows, columns = _offset_slices(i, j, out_hw, self.geometry["dilation"], self.geometry["stride"])[2:]
                padded[:, rows, columns] += blocks[..., i, j]
        return xp.moveaxis(padded[:, ph:ph + h, pw:pw + w], 3, 1).copy()

    def backward(self, g):
        return Unfold.apply(g, **self.geometry)


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """im2col (``torch.nn.functional.unfold``): (N, C, H, W) -> (N, C·kh·kw, L)."""
    if input.ndim != 4:
        raise OpError(f"unfold: expected a 4-D input (N, C, H, W), got shape {input.shape}")
    kernel_size, dilation, padding, stride = (_pair(kernel_size, "kernel_size", "unfold"),
                                              _pair(dilation, "dilation", "unfold"),
                                              _pair(padding, "padding", "unfold"),
                                              _pair(stride, "stride", "unfold"))
    _check_geometry("unfold", input.shape, kernel_size, dilation, padding, stride)
    return Unfold.apply(input, kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """col2im (``torch.nn.functional.fold``): (N, C·kh·kw, L) -> (N, C, H, W), overlaps summed."""
    if input.ndim != 3:
        raise OpError(f"fold: expected a 3-D input (N, C·kh·kw, L), got shape {input.shape}")
    output_size, kernel_size, dilation, padding, stride = (
        _pair(output_size, "output_size", "fold"), _pair(kernel_size, "kernel_size", "fold"),
        _pair(dilation, "dilation", "fold"), _pair(padding, "padding", "fold"), _pair(stride, "stride", "fold"))
    _check_geometry("fold", (input.shape[0], 1) + output_size, kernel_size, dilation, padding, stride)
    return Fold.apply(input, output_size=output_size, kernel_size=kernel_size, dilation=dilation,
                      padding=padding, stride=stride)


def _check_geometry(op: str, shape, kernel_size, dilation, padding, stride) -> None:
    """Positive kernel, stride and dilation, non-negative padding, and a kernel that fits."""
    if min(kernel_size) < 1 or min(stride) < 1 or min(dilation) < 1 or min(padding) < 0:
        raise OpError(f"{op}: kernel_size {kernel_size}, stride {stride} and dilation {dilation} must be "
                      f"positive and padding {padding} non-negative")
    for axis in (0, 1):
        size = shape[2 + axis]
        reach = dilation[axis] * (kernel_size[axis] - 1) + 1
        if size + 2 * padding[axis] < reach:
            raise OpError(f"{op}: kernel size {kernel_size} (dilation {dilation}) spans {reach} pixels along "
                          f"axis {2 + axis}, more than the padded input size {size + 2 * padding[axis]} "
                          f"(input shape {tuple(shape)}, padding {padding})")
