"""Convolutions as PyTorch lays them out: ``conv1d``, ``conv2d`` (with ``padding='same'|'valid'``,
dilation, groups), ``conv_transpose2d``, and ``conv2d_activated`` (convolution, bias and activation in
one node). The math lives in :mod:`zengrad.ops.convolution` (im2col: ``unfold`` then one matmul)."""

from __future__ import annotations

from ...errors import OpError
from ...ops import cat
from ...ops import convolution
from ...ops import leaky_relu
from ...ops import relu
from ...ops.conv import _check_geometry, _single
from ...ops.conv import _pair
from ...ops.conv import fold
from ...ops.conv import named_padding
from ...ops.conv import unfold
from ...ops.conv import window_positions
from ...ops.layout import pad
from ...tensor import Tensor



def _batched(op: str, input: Tensor) -> tuple[Tensor, bool]:
    """A 3-D (C, H, W) input as a batch of one; anything else but 4-D is an error."""
    if input.ndim == 3:
        return input.unsqueeze(0), True
    if input.ndim != 4:
        raise OpError(f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {input.shape}")
    return input, False


def _check_groups(op: str, groups: int, channels: int, other: int, input_shape, weight_shape) -> None:
    if not isinstance(groups, int) or groups < 1:
        raise OpError(f"{op}: groups must be a positive int, got {groups!r}")
    if channels % groups or other % groups:
        raise OpError(f"{op}: groups={groups} must divide the input channels and the output channels "
                      f"(input shape {tuple(input_shape)}, weight shape {tuple(weight_shape)})")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """2-D cross-correlation, as ``torch.nn.functional.conv2d``:

        y[n, o, oy, ox] = b[o] + Σ_{c, i, j} W[o, c, i, j] · x_padded[n, g(o)·C/g + c, oy·s + i·d, ox·s + j·d]

    for x of shape (N, C, H, W), W of shape (O, C/groups, kh, kw), output (N, O, H_out, W_out) with
    H_out = ⌊(H + 2p − d(kh − 1) − 1)/s⌋ + 1. ``padding`` is an int, a pair, or PyTorch's 'valid' (0)
    or 'same' (H_out = H; see :func:`zengrad.ops.conv.named_padding`). Computed as im2col + one matrix product per group:
    cols = unfold(x) has shape (N, C·kh·kw, L) and y = W.reshape(O, C·kh·kw) @ cols. The gradients
    follow from the ops used: the weight's is Σ_n g colsᵀ, the input's is fold(Wᵀ g). Without
    groups the product is one GEMM over the whole batch, the patches taken as rows (a Linear node),
    instead of one small product per sample.
    """
    return conv2d_activated(input, weight, bias, stride, padding, dilation, groups, None)


def conv2d_activated(input: Tensor, weight: Tensor, bias, stride, padding, dilation, groups: int,
                     negative_slope: float | None) -> Tensor:
    """:func:`conv2d` followed by ReLU (``negative_slope`` 0) or LeakyReLU (another slope), the
    activation inside the convolution's node when there are no groups; None: no activation."""
    input, unbatched = _batched("conv2d", input)
    if weight.ndim != 4:
        raise OpError(f"conv2d: expected a 4-D weight (out, in/groups, kh, kw), got shape {weight.shape}")
    n, channels, height, width = input.shape
    out_channels, group_channels, kh, kw = weight.shape
    if isinstance(padding, str):
        padding, extra = named_padding(padding, (kh, kw), dilation, stride, "conv2d")
        if any(extra):
            input = pad(input, (0, extra[1], 0, extra[0]))
            height, width = input.shape[2:]
    _check_groups("conv2d", groups, channels, out_channels, input.shape, weight.shape)
    if group_channels * groups != channels:
        raise OpError(f"conv2d: input of shape {input.shape} has {channels} channels but weight of shape "
                      f"{weight.shape} expects {group_channels * groups} (in/groups = {group_channels}, "
                      f"groups = {groups})")
    if bias is not None and bias.shape != (out_channels,):
        raise OpError(f"conv2d: bias of shape {bias.shape} does not fit {out_channels} output channels")
    stride, padding, dilation = (_pair(stride, "stride", "conv2d"), _pair(padding, "padding", "conv2d"),
                                 _pair(dilation, "dilation", "conv2d"))
    _check_geometry("conv2d", input.shape, (kh, kw), dilation, padding, stride)
    out_h = window_positions(height, kh, dilation[0], padding[0], stride[0])
    out_w = window_positions(width, kw, dilation[1], padding[1], stride[1])
    if groups == 1:  # one node, the whole batch in one GEMM (zengrad.ops.convolution)
        out = convolution.conv2d(input, weight, bias, stride, padding, dilation, (out_h, out_w), negative_slope)
        return out.squeeze(0) if unbatched else out
    cols = unfold(input, (kh, kw), dilation, padding, stride)
    cols = cols.reshape(n, groups, group_channels * kh * kw, out_h * out_w)
    out = weight.reshape(groups, out_channels // groups, group_channels * kh * kw) @ cols
    out = out.reshape(n, out_channels, out_h, out_w)
    if bias is not None:
        out = out + bias.reshape(1, out_channels, 1, 1)
    if negative_slope is not None:
        out = relu(out) if negative_slope == 0 else leaky_relu(out, negative_slope)
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
    input, unbatched = _batched("conv_transpose2d", input)
    if weight.ndim != 4:
        raise OpError(f"conv_transpose2d: expected a 4-D weight (in, out/groups, kh, kw), got shape "
                      f"{weight.shape}")
    n, channels, height, width = input.shape
    weight_channels, group_out, kh, kw = weight.shape
    out_channels = group_out * groups
    _check_groups("conv_transpose2d", groups, channels, out_channels, input.shape, weight.shape)
    if weight_channels != channels:
        raise OpError(f"conv_transpose2d: input of shape {input.shape} has {channels} channels but weight "
                      f"of shape {weight.shape} expects {weight_channels}")
    if bias is not None and bias.shape != (out_channels,):
        raise OpError(f"conv_transpose2d: bias of shape {bias.shape} does not fit {out_channels} output "
                      "channels")
    op = "conv_transpose2d"
    stride, padding = _pair(stride, "stride", op), _pair(padding, "padding", op)
    dilation = _pair(dilation, "dilation", op)
    output_padding = _pair(output_padding, "output_padding", op)
    _check_geometry(op, (n, channels, 1, 1), (1, 1), dilation, padding, stride)
    for axis in (0, 1):
        if not 0 <= output_padding[axis] < max(stride[axis], dilation[axis]):
            raise OpError(f"{op}: output_padding {output_padding} must be smaller than either stride "
                          f"{stride} or dilation {dilation}")
    full = tuple((size - 1) * s + d * (k - 1) + 1 for size, s, d, k in
                 zip((height, width), stride, dilation, (kh, kw)))
    out_size = tuple(f - 2 * p + extra for f, p, extra in zip(full, padding, output_padding))
    if min(out_size) < 1:
        raise OpError(f"{op}: input of shape {input.shape} with kernel {(kh, kw)}, stride {stride}, "
                      f"padding {padding} and dilation {dilation} gives an empty output {out_size}")
    if groups == 1:  # one node, the whole batch in one GEMM (zengrad.ops.convolution)
        out = convolution.conv_transpose2d(input, weight, bias, stride, padding, dilation, full, out_size)
        return out.squeeze(0) if unbatched else out
    x = input.reshape(n, groups, channels // groups, height * width)
    columns = weight.reshape(groups, channels // groups, group_out * kh * kw).mT @ x
    out = fold(columns.reshape(n, out_channels * kh * kw, height * width), full, (kh, kw), dilation, 0, stride)
    out = _zero_pad_end(out, tuple(max(0, extra - p) for extra, p in zip(output_padding, padding)))
    if padding != (0, 0) or output_padding != (0, 0):
        out = out[:, :, padding[0]:padding[0] + out_size[0], padding[1]:padding[1] + out_size[1]]
    if bias is not None:
        out = out + bias.reshape(1, out_channels, 1, 1)
    return out.squeeze(0) if unbatched else out


def _zero_pad_end(x: Tensor, extra) -> Tensor:
    """x with extra[0] rows of zeros below and extra[1] columns of zeros to the right (output_padding
    beyond the padding)."""
    for axis, count in zip((2, 3), extra):
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
