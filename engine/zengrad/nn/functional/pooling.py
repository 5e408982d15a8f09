"""Pooling over windows: max, average and power-average (Lᵖ) pooling, adaptive max pooling, and
max unpooling. Windows come from :func:`zengrad.ops.conv.window_positions`, as for convolution."""

from __future__ import annotations

import math
import numpy as np

from ...errors import OpError
from ...ops import cat
from ...ops import relu
from ...ops.conv import _pair, _single
from ...ops.conv import unfold
from ...tensor import Tensor


def _pad_with(x: Tensor, pads, value: float) -> Tensor:
    """(N, C, H, W) with pads = (top, bottom, left, right) rows/columns of ``value`` around it
    (composed from cat, so the gradient simply drops the border)."""
    for axis, before, after in ((2, pads[0], pads[1]), (3, pads[2], pads[3])):
        parts = []
        for count in (before, after):
            shape = list(x.shape)
            shape[axis] = count
            parts.append(Tensor(x.xp.full(shape, value, dtype=x.dtype)) if count else None)
        pieces = [p for p in (parts[0], x, parts[1]) if p is not None]
        if len(pieces) > 1:
            x = cat(pieces, dim=axis)
    return x


def _pool_geometry(op: str, size: tuple, kernel, stride, padding, dilation, ceil_mode: bool):
    """Output size and the extra bottom/right padding ceil_mode needs, per spatial axis.

    out = ⌊(size + 2p − d(k − 1) − 1)/s⌋ + 1 (⌈·⌉ with ceil_mode, minus one if the last window
    would start in the right padding), as in PyTorch."""
    outs, extras = [], []
    for n, k, s, p, d in zip(size, kernel, stride, padding, dilation):
        if k < 1 or s < 1 or d < 1 or p < 0:
            raise OpError(f"{op}: kernel_size {kernel}, stride {stride} and dilation {dilation} must be "
                          f"positive and padding {padding} non-negative")
        if 2 * p > k:
            raise OpError(f"{op}: pad should be at most half of effective kernel size, but got pad={p}, "
                          f"kernel_size={k}")
        span = n + 2 * p - d * (k - 1) - 1
        out = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (out - 1) * s >= n + p:
            out -= 1
        if out < 1:
            raise OpError(f"{op}: input of spatial size {size} is too small for kernel {kernel} with "
                          f"padding {padding} and dilation {dilation}")
        outs.append(out)
        extras.append(max(0, (out - 1) * s + d * (k - 1) + 1 - (n + 2 * p)))
    return tuple(outs), tuple(extras)


def _windows(op: str, input: Tensor, kernel_size, stride, padding, dilation, ceil_mode, fill):
    """Every pooling window as a column: (N·C, kh·kw, L) from (N, C, H, W), the padding (and the
    extra border ceil_mode reaches into) filled with ``fill``; returns (cols, out_hw, pads)."""
    kernel = _pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None else _pair(stride, "stride", op)
    padding, dilation = _pair(padding, "padding", op), _pair(dilation, "dilation", op)
    n, c, h, w = input.shape
    out_hw, extra = _pool_geometry(op, (h, w), kernel, stride, padding, dilation, ceil_mode)
    pads = (padding[0], padding[0] + extra[0], padding[1], padding[1] + extra[1])
    x = _pad_with(input.reshape(n * c, 1, h, w), pads, fill)
    return unfold(x, kernel, dilation, 0, stride), out_hw, pads


def _pool_input(op: str, input: Tensor, spatial: int) -> tuple[Tensor, tuple]:
    """The input as (N, C, H, W) and the shape to give the output back in: 1-d pooling takes
    (N, C, L) or (C, L), 2-d pooling (N, C, H, W) or (C, H, W)."""
    if input.ndim not in (spatial + 1, spatial + 2):
        raise OpError(f"{op}: expected a {spatial + 1}-D or {spatial + 2}-D input, got shape {input.shape}")
    lead = input.shape[:input.ndim - spatial]
    x = input.reshape((-1,) + input.shape[input.ndim - spatial:])
    x = x.reshape(x.shape[0], 1, *((1,) * (2 - spatial)), *x.shape[1:])
    return x, lead


def _max_pool(op, input, spatial, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    x, lead = _pool_input(op, input, spatial)
    cols, out_hw, pads = _windows(op, x, kernel_size, stride, padding, dilation, ceil_mode, -np.inf)
    out = cols.max(dim=1).values
    shape = lead + out_hw[2 - spatial:]
    if not return_indices:
        return out.reshape(shape)
    xp, (h, w) = input.xp, x.shape[2:]
    positions = xp.pad(xp.arange(h * w, dtype=np.int64).reshape(1, 1, h, w),
                       ((0, 0), (0, 0), pads[:2], pads[2:]), constant_values=-1).astype(input.dtype)
    position_cols, _, _ = _windows(op, Tensor(positions), kernel_size, stride, (0, 0), dilation, False, -1)
    best = xp.argmax(cols._data, axis=1)
    indices = xp.take_along_axis(position_cols._data.astype(np.int64), best[:, None, :], axis=1)[:, 0]
    return out.reshape(shape), Tensor(indices.reshape(shape))


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """y[n, c, i, j] = max over the window x_pad[n, c, i·s + a·d, j·s + b·d], 0 ≤ a < kh, 0 ≤ b < kw,
    x padded with −∞ (stride defaults to the kernel size). The windows are im2col columns
    (``unfold``) and the max is the engine's max: its gradient goes to the maximum of each window
    (split evenly between exact ties, where PyTorch picks one). ``return_indices`` also returns
    each maximum's flat position h·W + w in the input."""
    return _max_pool("max_pool2d", input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """y[n, c, i] = max over x_pad[n, c, i·s + a·d], 0 ≤ a < k, of (N, C, L) or (C, L) input:
    :func:`max_pool2d` on a height of 1."""
    stride = None if stride is None else (1, _single(stride))
    return _max_pool("max_pool1d", input, 1, (1, _single(kernel_size)), stride, (0, _single(padding)),
                     (1, _single(dilation)), ceil_mode, return_indices)


def _avg_pool(op, input, spatial, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    x, lead = _pool_input(op, input, spatial)
    cols, out_hw, pads = _windows(op, x, kernel_size, stride, padding, 1, ceil_mode, 0.0)
    total = cols.sum(dim=1)
    if divisor_override:
        return (total / divisor_override).reshape(lead + out_hw[2 - spatial:])
    xp, (h, w) = input.xp, x.shape[2:]
    inside = xp.zeros((1, 1, h + pads[0] + pads[1], w + pads[2] + pads[3]), dtype=input.dtype)
    if count_include_pad:  # the symmetric padding counts, the extra border of ceil_mode does not
        pad_h, pad_w = _pair(padding, "padding", op)
        inside[:, :, :h + 2 * pad_h, :w + 2 * pad_w] = 1
    else:
        inside[:, :, pads[0]:pads[0] + h, pads[2]:pads[2] + w] = 1
    kernel = _pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None else _pair(stride, "stride", op)
    counts = unfold(Tensor(inside), kernel, 1, 0, stride)._data.sum(axis=1)
    return (total / Tensor(counts)).reshape(lead + out_hw[2 - spatial:])


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None) -> Tensor:
    """y[n, c, i, j] = Σ_window x_pad / m: the mean of each kh×kw window of the zero-padded input,
    m = kh·kw with ``count_include_pad`` (the padding counts, PyTorch's default), else the number
    of input elements in the window; ``divisor_override`` fixes m."""
    return _avg_pool("avg_pool2d", input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """y[n, c, i] = Σ_{a<k} x_pad[n, c, i·s + a] / m (see :func:`avg_pool2d`), for (N, C, L) or (C, L)."""
    stride = None if stride is None else (1, _single(stride))
    return _avg_pool("avg_pool1d", input, 1, (1, _single(kernel_size)), stride, (0, _single(padding)), ceil_mode,
                     count_include_pad, None)


def _adaptive_bins(size: int, out: int):
    """Each of the ``out`` bins' indices into an axis of ``size`` (PyTorch's ⌊i·size/out⌋ …
    ⌈(i+1)·size/out⌉ − 1), padded to the widest bin by repeating its last index."""
    starts = (np.arange(out) * size) // out
    ends = -(-((np.arange(out) + 1) * size) // out)
    width = int((ends - starts).max())
    return np.minimum(starts[:, None] + np.arange(width)[None, :], ends[:, None] - 1)


def _adaptive_max(op: str, input: Tensor, sizes: tuple, return_indices: bool):
    spatial = len(sizes)
    if input.ndim not in (spatial + 1, spatial + 2):
        raise OpError(f"{op}: expected a {spatial + 1}-D or {spatial + 2}-D input, got shape {input.shape}")
    dims = input.shape[input.ndim - spatial:]
    sizes = tuple(d if s is None else s for s, d in zip(sizes, dims))
    if min(sizes) < 1 or min(dims) < 1:
        raise OpError(f"{op}: output size {sizes} and input shape {input.shape} must be positive")
    lead = input.shape[:input.ndim - spatial]
    x = input.reshape((-1,) + dims)
    bins = [_adaptive_bins(d, s) for d, s in zip(dims, sizes)]
    if spatial == 1:
        flat_positions = bins[0]
        windows = x[:, flat_positions]  # (B, o, w)
    else:
        rows, cols = bins
        flat_positions = (rows[:, None, :, None] * dims[1] + cols[None, :, None, :]).reshape(
            sizes[0], sizes[1], -1)
        windows = x.reshape(x.shape[0], -1)[:, flat_positions]  # (B, oh, ow, wh·ww)
    best = windows.max(dim=-1)
    out = best.values.reshape(lead + sizes)
    if not return_indices:
        return out
    xp = input.xp
    positions = xp.broadcast_to(xp.asarray(flat_positions), windows.shape)
    picked = xp.take_along_axis(positions, best.indices._data[..., None], axis=-1)[..., 0]
    return out, Tensor(picked.astype(np.int64).reshape(lead + sizes))


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """y[n, c, i] = max of x[n, c, ⌊i·L/o⌋ : ⌈(i+1)·L/o⌉] for (N, C, L) or (C, L) input; the
    gradient goes to each bin's maximum; ``return_indices`` also gives its position."""
    size = output_size[0] if isinstance(output_size, (tuple, list)) else output_size
    return _adaptive_max("adaptive_max_pool1d", input, (size,), return_indices)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """y[n, c, i, j] = max of the bin rows ⌊i·H/oh⌋ … ⌈(i+1)·H/oh⌉ − 1, columns likewise, for
    (N, C, H, W) or (C, H, W) input; ``return_indices`` gives each maximum's flat position h·W + w."""
    sizes = (output_size, output_size) if isinstance(output_size, int) or output_size is None else tuple(output_size)
    return _adaptive_max("adaptive_max_pool2d", input, sizes, return_indices)


def _lp_pool(input: Tensor, norm_type: float, kernel_size, stride, ceil_mode: bool, spatial: int) -> Tensor:
    kernel = (kernel_size,) * spatial if isinstance(kernel_size, int) else tuple(kernel_size)
    window = math.prod(kernel)
    pool = avg_pool1d if spatial == 1 else avg_pool2d
    means = pool(input ** norm_type, kernel_size, stride, 0, ceil_mode)
    return (means.sign() * relu(means.abs()) * window) ** (1.0 / norm_type)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """Power-average pooling: y = (Σ_window xᵖ)^(1/p) over each kh×kw window (p = ``norm_type``:
    p = 1 is sum pooling, p → ∞ approaches max pooling), as PyTorch computes it from avg_pool2d."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride=None, ceil_mode: bool = False) -> Tensor:
    """:func:`lp_pool2d` along one dim: y = (Σ_window xᵖ)^(1/p) over windows of ``kernel_size``."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1)


def _max_unpool(op: str, input: Tensor, indices: Tensor, kernel_size, stride, padding, output_size, spatial: int):
    if input.shape != indices.shape or input.ndim not in (spatial + 1, spatial + 2):
        raise OpError(f"{op}: input {input.shape} and indices {indices.shape} must be one ({spatial + 1}- or "
                      f"{spatial + 2}-D) shape")
    pair = (lambda v: (v,) * spatial if isinstance(v, int) else tuple(v))
    kernel = pair(kernel_size)
    stride, padding = (kernel if stride is None else pair(stride)), pair(padding)
    size_in = input.shape[-spatial:]
    default = tuple((n - 1) * s - 2 * p + k for n, s, p, k in zip(size_in, stride, padding, kernel))
    size = default if output_size is None else tuple(output_size)[-spatial:]
    lead = input.shape[:-spatial]
    flat_out = math.prod(size)
    index = indices._data.reshape(lead + (-1,))
    if index.size and (int(index.min()) < 0 or int(index.max()) >= flat_out):
        raise OpError(f"{op}: an index is out of range for an output of size {size} (Found an invalid max index)")
    out = Tensor(input.xp.zeros(lead + (flat_out,), dtype=input.dtype))
    return out.scatter(-1, Tensor(index), input.reshape(lead + (-1,))).reshape(lead + size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """The partial inverse of max_pool2d: each value goes back to the flat position h·W + w its
    ``indices`` (from max_pool2d's return_indices) name, zeros elsewhere; the output is
    (H − 1)·s − 2p + k high (likewise wide) unless ``output_size`` says otherwise."""
    return _max_unpool("max_unpool2d", input, indices, kernel_size, stride, padding, output_size, 2)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """:func:`max_unpool2d` along one dim."""
    return _max_unpool("max_unpool1d", input, indices, kernel_size, stride, padding, output_size, 1)
