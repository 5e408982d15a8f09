"""Pooling over windows: max, average and power-average (Lᵖ) pooling, adaptive max pooling, and
max unpooling, over 1, 2 or 3 spatial axes. One code path serves every dimension: each channel of
each sample is one image (B, 1, *S), whose windows are im2col columns
(:func:`zengrad.ops.conv.unfold_nd`), as for convolution."""

from __future__ import annotations

import math
import numpy as np

from ...errors import OpError
from ...ops import cat
from ...ops import relu
from ...ops.conv import _ntuple
from ...ops.conv import unfold_nd
from ...tensor import Tensor


def _pad_with(x: Tensor, pads, value: float) -> Tensor:
    """(N, C, *S) with pads[a] = (before, after) elements of ``value`` around spatial axis a
    (composed from cat, so the gradient simply drops the border)."""
    for axis, (before, after) in enumerate(pads, start=2):
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
    """Output size and the extra padding at the end that ceil_mode needs, per spatial axis.

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


def _kernel_and_stride(op: str, spatial: int, kernel_size, stride) -> tuple[tuple, tuple]:
    """The kernel and the stride as ``spatial``-tuples; no stride (None or empty) is the kernel's."""
    kernel = _ntuple(kernel_size, spatial, "kernel_size", op)
    none = stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)
    return kernel, kernel if none else _ntuple(stride, spatial, "stride", op)


def _windows(op: str, input: Tensor, kernel, stride, padding, dilation, ceil_mode, fill):
    """Every pooling window of (B, 1, *S) as a column: (B, Πk, L), the padding (and the extra
    border ceil_mode reaches into) filled with ``fill``; returns (cols, out_size, pads)."""
    out_size, extra = _pool_geometry(op, input.shape[2:], kernel, stride, padding, dilation, ceil_mode)
    pads = tuple((p, p + e) for p, e in zip(padding, extra))
    x = _pad_with(input, pads, fill)
    return unfold_nd(x, kernel, dilation, (0,) * len(kernel), stride), out_size, pads


def _pool_input(op: str, input: Tensor, spatial: int) -> tuple[Tensor, tuple]:
    """The input as (B, 1, *S), every channel of every sample one image, and the leading shape to
    give the output back in: (N, C, *S) or (C, *S) with ``spatial`` axes S."""
    if input.ndim not in (spatial + 1, spatial + 2):
        raise OpError(f"{op}: expected a {spatial + 1}-D or {spatial + 2}-D input, got shape {input.shape}")
    lead = input.shape[:input.ndim - spatial]
    return input.reshape((-1, 1) + input.shape[input.ndim - spatial:]), lead


def _max_pool(op, input, spatial, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    x, lead = _pool_input(op, input, spatial)
    kernel, stride = _kernel_and_stride(op, spatial, kernel_size, stride)
    padding, dilation = _ntuple(padding, spatial, "padding", op), _ntuple(dilation, spatial, "dilation", op)
    cols, out_size, pads = _windows(op, x, kernel, stride, padding, dilation, ceil_mode, -np.inf)
    out = cols.max(dim=1).values.reshape(lead + out_size)
    if not return_indices:
        return out
    xp, size = input.xp, x.shape[2:]
    positions = xp.pad(xp.arange(math.prod(size), dtype=np.int64).reshape((1, 1) + size),
                       ((0, 0), (0, 0)) + pads, constant_values=-1).astype(input.dtype)
    position_cols = unfold_nd(Tensor(positions), kernel, dilation, (0,) * spatial, stride)
    best = xp.argmax(cols._data, axis=1)
    indices = xp.take_along_axis(position_cols._data.astype(np.int64), best[:, None, :], axis=1)[:, 0]
    return out, Tensor(indices.reshape(lead + out_size))


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
    """y[n, c, i] = max over x_pad[n, c, i·s + a·d], 0 ≤ a < k, of (N, C, L) or (C, L) input
    (see :func:`max_pool2d`); indices are positions along L."""
    return _max_pool("max_pool1d", input, 1, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """y[n, c, i, j, k] = max over x_pad[n, c, i·s₀ + a·d₀, j·s₁ + b·d₁, k·s₂ + e·d₂] of (N, C, D, H, W)
    or (C, D, H, W) input (see :func:`max_pool2d`); indices are flat positions d·H·W + h·W + w."""
    return _max_pool("max_pool3d", input, 3, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
                            return_indices: bool = False):
    """:func:`max_pool1d` returning (values, indices) whatever ``return_indices`` says (PyTorch's twin)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
                            return_indices: bool = False):
    """:func:`max_pool2d` returning (values, indices) whatever ``return_indices`` says (PyTorch's twin)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
                            return_indices: bool = False):
    """:func:`max_pool3d` returning (values, indices) whatever ``return_indices`` says (PyTorch's twin)."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _avg_pool(op, input, spatial, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    x, lead = _pool_input(op, input, spatial)
    kernel, stride = _kernel_and_stride(op, spatial, kernel_size, stride)
    padding, ones = _ntuple(padding, spatial, "padding", op), (1,) * spatial
    cols, out_size, pads = _windows(op, x, kernel, stride, padding, ones, ceil_mode, 0.0)
    total = cols.sum(dim=1)
    if divisor_override:
        return (total / divisor_override).reshape(lead + out_size)
    xp, size = input.xp, x.shape[2:]
    inside = xp.zeros((1, 1) + tuple(n + sum(p) for n, p in zip(size, pads)), dtype=input.dtype)
    if count_include_pad:  # the symmetric padding counts, the extra border of ceil_mode does not
        inside[(..., *(slice(0, n + 2 * p) for n, p in zip(size, padding)))] = 1
    else:
        inside[(..., *(slice(p, p + n) for n, (p, _) in zip(size, pads)))] = 1
    counts = unfold_nd(Tensor(inside), kernel, ones, (0,) * spatial, stride)._data.sum(axis=1)
    return (total / Tensor(counts)).reshape(lead + out_size)


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
    return _avg_pool("avg_pool1d", input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None) -> Tensor:
    """y[n, c, i, j, k] = Σ_window x_pad / m over kd×kh×kw windows of (N, C, D, H, W) or (C, D, H, W)
    input, m as in :func:`avg_pool2d`."""
    return _avg_pool("avg_pool3d", input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


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
    x = input.reshape((-1, math.prod(dims)))
    flat_positions = 0  # (o₀, …, w₀, …): the flat input position of every element of every bin
    for axis, bins in enumerate(_adaptive_bins(d, s) for d, s in zip(dims, sizes)):
        shape = [1] * (2 * spatial)
        shape[axis], shape[spatial + axis] = bins.shape
        flat_positions = flat_positions + bins.reshape(shape) * math.prod(dims[axis + 1:])
    flat_positions = flat_positions.reshape(sizes + (-1,))
    windows = x[:, flat_positions]  # (B, *sizes, Πw)
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
    return _adaptive_max("adaptive_max_pool2d", input, output_sizes(output_size, 2), return_indices)


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):
    """y[n, c, i, j, k] = max of the bin ⌊i·D/od⌋ … ⌈(i+1)·D/od⌉ − 1 along depth, likewise along height
    and width, for (N, C, D, H, W) or (C, D, H, W) input; indices are flat positions d·H·W + h·W + w."""
    return _adaptive_max("adaptive_max_pool3d", input, output_sizes(output_size, 3), return_indices)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size, return_indices: bool = False):
    """:func:`adaptive_max_pool1d` returning (values, indices) (PyTorch's twin)."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size, return_indices: bool = False):
    """:func:`adaptive_max_pool2d` returning (values, indices) (PyTorch's twin)."""
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input: Tensor, output_size, return_indices: bool = False):
    """:func:`adaptive_max_pool3d` returning (values, indices) (PyTorch's twin)."""
    return adaptive_max_pool3d(input, output_size, True)


def output_sizes(output_size, spatial: int) -> tuple:
    """An adaptive pool's output size as a ``spatial``-tuple: an int (or None, the input's size) for
    every axis, or one entry per axis."""
    if isinstance(output_size, int) or output_size is None:
        return (output_size,) * spatial
    sizes = tuple(output_size)
    if len(sizes) != spatial:
        raise OpError(f"adaptive pooling: output_size must be an int or {spatial} values, got {output_size!r}")
    return sizes


def _lp_pool(input: Tensor, norm_type: float, kernel_size, stride, ceil_mode: bool, spatial: int) -> Tensor:
    op = f"lp_pool{spatial}d"
    window = math.prod(_ntuple(kernel_size, spatial, "kernel_size", op))
    means = _avg_pool(op, input ** norm_type, spatial, kernel_size, stride, 0, ceil_mode, True, None)
    return (means.sign() * relu(means.abs()) * window) ** (1.0 / norm_type)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """Power-average pooling: y = (Σ_window xᵖ)^(1/p) over each kh×kw window (p = ``norm_type``:
    p = 1 is sum pooling, p → ∞ approaches max pooling), as PyTorch computes it from avg_pool2d."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride=None, ceil_mode: bool = False) -> Tensor:
    """:func:`lp_pool2d` along one dim: y = (Σ_window xᵖ)^(1/p) over windows of ``kernel_size``."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """:func:`lp_pool2d` over kd×kh×kw windows: y = (Σ_window xᵖ)^(1/p)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3)


def _max_unpool(op: str, input: Tensor, indices: Tensor, kernel_size, stride, padding, output_size, spatial: int):
    if input.shape != indices.shape or input.ndim not in (spatial + 1, spatial + 2):
        raise OpError(f"{op}: input {input.shape} and indices {indices.shape} must be one ({spatial + 1}- or "
                      f"{spatial + 2}-D) shape")
    kernel, stride = _kernel_and_stride(op, spatial, kernel_size, stride)
    padding = _ntuple(padding, spatial, "padding", op)
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


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """:func:`max_unpool2d` over three axes: each value goes to the flat position d·H·W + h·W + w its
    index names (from max_pool3d's return_indices)."""
    return _max_unpool("max_unpool3d", input, indices, kernel_size, stride, padding, output_size, 3)
