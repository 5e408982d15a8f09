"""Convolutions as PyTorch lays them out: ``conv1d``, ``conv2d``, ``conv3d`` (with
``padding='same'|'valid'``, dilation, groups), ``conv_transpose1d/2d/3d``, and ``conv2d_activated``
(convolution, bias and activation in one node).

One implementation serves every number of spatial axes: :func:`_convolution` and
:func:`_transposed_convolution` unfold the input over its spatial axes (im2col, any dimension:
:func:`zengrad.ops.conv.unfold_nd`) and multiply by the weight. The common 2-d case without groups
takes the faster channels-last node of :mod:`zengrad.ops.convolution`, and the 1-d functions run
as 2-d ones on a height of 1 so that they take it too."""

from __future__ import annotations

import math

from ...errors import OpError
from ...ops import cat
from ...ops import convolution
from ...ops import leaky_relu
from ...ops import relu
from ...ops.conv import _check_geometry, _ntuple, _single
from ...ops.conv import fold_nd
from ...ops.conv import named_padding
from ...ops.conv import unfold_nd
from ...ops.conv import window_positions
from ...ops.layout import pad
from ...tensor import Tensor


def _batched(op: str, input: Tensor, spatial: int) -> tuple[Tensor, bool]:
    """An input without the batch dimension as a batch of one; any other rank is an error."""
    if input.ndim == spatial + 1:
        return input.unsqueeze(0), True
    if input.ndim != spatial + 2:
        axes = ("L", "H, W", "D, H, W")[spatial - 1]
        raise OpError(f"{op}: expected a {spatial + 1}-D (C, {axes}) or {spatial + 2}-D (N, C, {axes}) input, "
                      f"got shape {input.shape}")
    return input, False


def _check_groups(op: str, groups: int, channels: int, other: int, input_shape, weight_shape) -> None:
    if not isinstance(groups, int) or groups < 1:
        raise OpError(f"{op}: groups must be a positive int, got {groups!r}")
    if channels % groups or other % groups:
        raise OpError(f"{op}: groups={groups} must divide the input channels and the output channels "
                      f"(input shape {tuple(input_shape)}, weight shape {tuple(weight_shape)})")


def _convolution(op: str, spatial: int, input: Tensor, weight: Tensor, bias, stride, padding, dilation,
                 groups: int, negative_slope: float | None = None) -> Tensor:
    """The cross-correlation over ``spatial`` axes (see :func:`conv2d` and :func:`conv3d` for the
    math), followed by ReLU/LeakyReLU when ``negative_slope`` is not None.

    cols = unfold(x) has shape (N, C·Πk, L) and y = W.reshape(O, C·Πk) @ cols, per group; the
    gradients follow from the ops used: the weight's is Σ_n g colsᵀ, the input's fold(Wᵀ g)."""
    input, unbatched = _batched(op, input, spatial)
    if weight.ndim != spatial + 2:
        raise OpError(f"{op}: expected a {spatial + 2}-D weight (out, in/groups, *kernel), got shape {weight.shape}")
    n, channels = input.shape[:2]
    out_channels, group_channels, *kernel = weight.shape
    kernel = tuple(kernel)
    if isinstance(padding, str):
        padding, extra = named_padding(padding, kernel, dilation, stride, op)
        if any(extra):  # the odd one of 'same' goes at the end of each axis
            input = pad(input, tuple(side for e in reversed(extra) for side in (0, e)))
    _check_groups(op, groups, channels, out_channels, input.shape, weight.shape)
    if group_channels * groups != channels:
        raise OpError(f"{op}: input of shape {input.shape} has {channels} channels but weight of shape "
                      f"{weight.shape} expects {group_channels * groups} (in/groups = {group_channels}, "
                      f"groups = {groups})")
    if bias is not None and bias.shape != (out_channels,):
        raise OpError(f"{op}: bias of shape {bias.shape} does not fit {out_channels} output channels")
    stride, padding, dilation = (_ntuple(stride, spatial, "stride", op), _ntuple(padding, spatial, "padding", op),
                                 _ntuple(dilation, spatial, "dilation", op))
    _check_geometry(op, input.shape, kernel, dilation, padding, stride)
    out_size = tuple(window_positions(size, k, d, p, s)
                     for size, k, d, p, s in zip(input.shape[2:], kernel, dilation, padding, stride))
    if groups == 1 and spatial == 2:  # one node, the whole batch in one GEMM (zengrad.ops.convolution)
        out = convolution.conv2d(input, weight, bias, stride, padding, dilation, out_size, negative_slope)
        return out.squeeze(0) if unbatched else out
    window = math.prod(kernel)
    cols = unfold_nd(input, kernel, dilation, padding, stride)
    cols = cols.reshape(n, groups, group_channels * window, math.prod(out_size))
    out = weight.reshape(groups, out_channels // groups, group_channels * window) @ cols
    out = out.reshape((n, out_channels) + out_size)
    if bias is not None:
        out = out + bias.reshape((1, out_channels) + (1,) * spatial)
    if negative_slope is not None:
        out = relu(out) if negative_slope == 0 else leaky_relu(out, negative_slope)
    return out.squeeze(0) if unbatched else out


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """2-D cross-correlation, as ``torch.nn.functional.conv2d``:

        y[n, o, oy, ox] = b[o] + Σ_{c, i, j} W[o, c, i, j] · x_padded[n, g(o)·C/g + c, oy·s + i·d, ox·s + j·d]

    for x of shape (N, C, H, W), W of shape (O, C/groups, kh, kw), output (N, O, H_out, W_out) with
    H_out = ⌊(H + 2p − d(kh − 1) − 1)/s⌋ + 1. ``padding`` is an int, a pair, or PyTorch's 'valid' (0)
    or 'same' (H_out = H; see :func:`zengrad.ops.conv.named_padding`). Computed as im2col + one matrix
    product per group: cols = unfold(x) has shape (N, C·kh·kw, L) and y = W.reshape(O, C·kh·kw) @ cols.
    Without groups the product is one GEMM over the whole batch, the patches taken as rows, instead
    of one small product per sample.
    """
    return _convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """3-D cross-correlation, as ``torch.nn.functional.conv3d``:

        y[n, o, z, y, x] = b[o] + Σ_{c, i, j, k} W[o, c, i, j, k] · x_pad[n, g(o)·C/g + c, z·s₀ + i·d₀, y·s₁ + j·d₁, x·s₂ + k·d₂]

    for x of shape (N, C, D, H, W) or (C, D, H, W) and W of shape (O, C/groups, kd, kh, kw); each
    output size is ⌊(size + 2p − d(k − 1) − 1)/s⌋ + 1, or the input's with padding='same'. The
    same im2col + matrix product as :func:`conv2d`, the blocks now kd×kh×kw."""
    return _convolution("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv2d_activated(input: Tensor, weight: Tensor, bias, stride, padding, dilation, groups: int,
                     negative_slope: float | None) -> Tensor:
    """:func:`conv2d` followed by ReLU (``negative_slope`` 0) or LeakyReLU (another slope), the
    activation inside the convolution's node when there are no groups; None: no activation."""
    return _convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups, negative_slope)


def _transposed_convolution(op: str, spatial: int, input: Tensor, weight: Tensor, bias, stride, padding,
                            output_padding, groups: int, dilation) -> Tensor:
    """The transposed convolution over ``spatial`` axes (see :func:`conv_transpose2d` for the math)."""
    input, unbatched = _batched(op, input, spatial)
    if weight.ndim != spatial + 2:
        raise OpError(f"{op}: expected a {spatial + 2}-D weight (in, out/groups, *kernel), got shape {weight.shape}")
    n, channels, *size = input.shape
    weight_channels, group_out, *kernel = weight.shape
    kernel = tuple(kernel)
    out_channels = group_out * groups
    _check_groups(op, groups, channels, out_channels, input.shape, weight.shape)
    if weight_channels != channels:
        raise OpError(f"{op}: input of shape {input.shape} has {channels} channels but weight "
                      f"of shape {weight.shape} expects {weight_channels}")
    if bias is not None and bias.shape != (out_channels,):
        raise OpError(f"{op}: bias of shape {bias.shape} does not fit {out_channels} output channels")
    stride, padding = _ntuple(stride, spatial, "stride", op), _ntuple(padding, spatial, "padding", op)
    dilation = _ntuple(dilation, spatial, "dilation", op)
    output_padding = _ntuple(output_padding, spatial, "output_padding", op)
    _check_geometry(op, (n, channels) + (1,) * spatial, (1,) * spatial, dilation, padding, stride)
    for extra, s, d in zip(output_padding, stride, dilation):
        if not 0 <= extra < max(s, d):
            raise OpError(f"{op}: output_padding {output_padding} must be smaller than either stride "
                          f"{stride} or dilation {dilation}")
    full = tuple((n_in - 1) * s + d * (k - 1) + 1 for n_in, s, d, k in zip(size, stride, dilation, kernel))
    out_size = tuple(f - 2 * p + extra for f, p, extra in zip(full, padding, output_padding))
    if min(out_size) < 1:
        raise OpError(f"{op}: input of shape {input.shape} with kernel {kernel}, stride {stride}, "
                      f"padding {padding} and dilation {dilation} gives an empty output {out_size}")
    if groups == 1 and spatial == 2:  # one node, the whole batch in one GEMM (zengrad.ops.convolution)
        out = convolution.conv_transpose2d(input, weight, bias, stride, padding, dilation, full, out_size)
        return out.squeeze(0) if unbatched else out
    window, length = math.prod(kernel), math.prod(size)
    x = input.reshape(n, groups, channels // groups, length)
    columns = weight.reshape(groups, channels // groups, group_out * window).mT @ x
    out = fold_nd(columns.reshape(n, out_channels * window, length), full, kernel, dilation, (0,) * spatial, stride)
    out = _zero_pad_end(out, tuple(max(0, extra - p) for extra, p in zip(output_padding, padding)))
    if any(padding) or any(output_padding):
        out = out[(slice(None), slice(None)) + tuple(slice(p, p + m) for p, m in zip(padding, out_size))]
    if bias is not None:
        out = out + bias.reshape((1, out_channels) + (1,) * spatial)
    return out.squeeze(0) if unbatched else out


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """The transposed convolution (the gradient of conv2d with respect to its input), as
    ``torch.nn.functional.conv_transpose2d``.

    Every input pixel x[n, c, y, x] adds W[c, o, i, j]·x to output position (y·s − p + i·d,
    x·s − p + j·d): cols = W.reshape(C, O·kh·kw)ᵀ @ x.reshape(N, C, H·W) holds each pixel's
    contribution, and fold (col2im) sums them into the full, uncropped image of
    F = (H − 1)·s + d(kh − 1) + 1 rows. The output is its rows p … p + H_out − 1 with
    H_out = F − 2p + output_padding: ``output_padding`` (smaller than the stride or the dilation)
    keeps output_padding more of the rows that padding would crop, and rows past F are zeros.
    W has shape (C, O/groups, kh, kw).
    """
    return _transposed_convolution("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding,
                                   groups, dilation)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """The 3-D transposed convolution (the gradient of conv3d with respect to its input), as
    ``torch.nn.functional.conv_transpose3d``: every x[n, c, z, y, x] adds W[c, o, i, j, k]·x to output
    position (z·s₀ − p₀ + i·d₀, y·s₁ − p₁ + j·d₁, x·s₂ − p₂ + k·d₂), and each output size is
    (size − 1)·s − 2p + d(k − 1) + output_padding + 1. Input (N, C, D, H, W) or (C, D, H, W), W of
    shape (C, O/groups, kd, kh, kw); computed as :func:`conv_transpose2d` is, with 3-d blocks."""
    return _transposed_convolution("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding,
                                   groups, dilation)


def _zero_pad_end(x: Tensor, extra) -> Tensor:
    """x with extra[a] zeros appended along spatial axis a (output_padding beyond the padding)."""
    for axis, count in enumerate(extra, start=2):
        if count:
            shape = list(x.shape)
            shape[axis] = count
            x = cat([x, Tensor(x.xp.zeros(shape, dtype=x.dtype))], dim=axis)
    return x


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """1-D cross-correlation: y[n, o, t] = b[o] + Σ_{c, k} W[o, c, k] · x_pad[n, g(o)·C/g + c, t·s + k·d],
    input (N, C, L) or (C, L), weight (O, C/groups, k): :func:`conv2d` on a height of 1."""
    if input.ndim not in (2, 3) or weight.ndim != 3:
        raise OpError(f"conv1d: expected a 2-D or 3-D input and a 3-D weight, got shapes {input.shape} "
                      f"and {weight.shape}")
    rows_and_columns = padding if isinstance(padding, str) else (0, _single(padding))  # 'same'/'valid' as is
    out = conv2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, _single(stride)), rows_and_columns,
                 (1, _single(dilation)), groups)
    return out.squeeze(-2)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """The 1-D transposed convolution (the gradient of conv1d with respect to its input): input
    (N, C, L) or (C, L), weight (C, O/groups, k); every x[n, c, t] adds W[c, o, i]·x to output
    position t·s − p + i·d, and L_out = (L − 1)·s − 2p + d(k − 1) + output_padding + 1.
    :func:`conv_transpose2d` on a height of 1."""
    if input.ndim not in (2, 3) or weight.ndim != 3:
        raise OpError(f"conv_transpose1d: expected a 2-D or 3-D input and a 3-D weight, got shapes {input.shape} "
                      f"and {weight.shape}")
    out = conv_transpose2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, _single(stride)),
                           (0, _single(padding)), (0, _single(output_padding)), groups, (1, _single(dilation)))
    return out.squeeze(-2)
