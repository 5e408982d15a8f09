"""Functional forms (``zengrad.nn.functional``, as ``torch.nn.functional``).

Activations come from :mod:`zengrad.ops`; this module adds ``linear``, ``dropout``,
``embedding``, the convolutions (``conv2d``, ``conv_transpose2d``, built on ``unfold``/``fold``)
and the losses. Loss reductions follow PyTorch: ``reduction='mean'`` (default)
averages the per-element losses, ``'sum'`` adds them, ``'none'`` returns them unreduced.
Elementwise losses require input and target of one shape (PyTorch broadcasts with a warning).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import OpError
from .. import backend
from ..autograd import Function
from ..creation import generator
from ..grad_mode import is_grad_enabled
from ..ops import cat, leaky_relu, log_softmax, relu, sigmoid, softmax, tanh, where
from ..ops import convolution
from ..ops.conv import _check_geometry, _pair, fold, named_padding, unfold, window_positions
from ..ops.matmul import linear as linear_node
from ..ops.normalization import layer_norm as layer_norm_node, normalize as normalize_over, trailing_shape
from ..ops._util import unbroadcast
from ..tensor import Tensor

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "conv2d", "conv_transpose2d",
           "cross_entropy", "dropout", "embedding", "fold", "leaky_relu", "linear", "log_softmax",
           "mse_loss", "nll_loss", "relu", "sigmoid", "softmax", "tanh", "unfold"]
__all__ += [  # issue 13
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "attention_weights", "avg_pool1d", "avg_pool2d", "conv1d",
    "cosine_similarity", "einsum", "group_norm", "huber_loss", "interpolate", "kl_div", "layer_norm",
    "max_pool1d", "max_pool2d", "scaled_dot_product_attention", "sinusoidal_positions", "smooth_l1_loss"]

_REDUCTIONS = ("mean", "sum", "none")


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b for x of shape (*, in), W of shape (out, in), and b of shape (out,) or any shape
    that broadcasts to the output (a (out,) bias joins the one ``Linear`` node; others are added)."""
    if weight.ndim != 2:
        raise OpError(f"linear: expected a 2-D weight (out, in), got shape {weight.shape}")
    if input.ndim < 1 or input.shape[-1] != weight.shape[1]:
        raise OpError(f"linear: input of shape {input.shape} does not fit weight of shape "
                      f"{weight.shape} (expected last dimension {weight.shape[1]})")
    if bias is None or bias.shape == weight.shape[:1]:
        return linear_node(input, weight, bias)
    return linear_node(input, weight) + bias


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: each element is zeroed with probability p and the survivors scaled by
    1/(1 − p), so E[output] = input and evaluation needs no rescaling. Identity when not training.

    The mask is drawn from zengrad's global generator (``manual_seed`` repeats it).
    """
    if not 0.0 <= p <= 1.0:
        raise OpError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = generator(input.device).random(input.shape) >= p
    return input * Tensor((keep / (1.0 - p)).astype(input.dtype))


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of ``weight`` picked by the integer indices in ``input``: out[..., :] = weight[input[...]].

    Backward adds each output row's gradient into the row it came from, so repeated indices
    accumulate. The row ``padding_idx`` (negative counts from the end) gets no gradient: where the
    input is padding the output reads a detached copy of the weight.
    """
    if input.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be an integer tensor, got {input.dtype}")
    if input.numel():
        low, high = int(input.data.min()), int(input.data.max())
        if low < 0 or high >= weight.shape[0]:
            bad = low if low < 0 else high
            raise IndexError(f"embedding: index {bad} is out of range for an embedding of "
                             f"{weight.shape[0]} rows")
    if padding_idx is None:
        return weight[input]
    padding_idx = _padding_index(padding_idx, weight.shape[0])
    is_padding = (input.data == padding_idx)[..., None]
    return where(Tensor(is_padding), weight.detach()[input], weight[input])


def _padding_index(padding_idx: int, rows: int) -> int:
    """padding_idx in [−rows, rows) as a row number (PyTorch's rule)."""
    if not -rows <= padding_idx < rows:
        raise OpError(f"embedding: padding_idx {padding_idx} must be within num_embeddings ({rows})")
    return padding_idx % rows


# ---- convolutions ---------------------------------------------------------------------------

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


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y[…, o] = Σ_{i, j} x₁[…, i]·W[o, i, j]·x₂[…, j] + b[o], as ``torch.nn.functional.bilinear``, for
    x₁ of shape (*, in1), x₂ of shape (*, in2) (the same leading dims) and W of shape (out, in1, in2).

    Computed as one matrix product and a weighted sum: P = x₁ · W', with W' = W arranged as an
    (in1, out·in2) matrix, holds Σᵢ x₁ᵢ W[o, i, j] for every (o, j); y[…, o] = Σⱼ P[…, o, j]·x₂[…, j].
    The gradients follow from those ops: ∂y_o/∂x₁ = W[o] x₂, ∂y_o/∂x₂ = W[o]ᵀ x₁, ∂y_o/∂W[o] = x₁ x₂ᵀ.
    """
    if weight.ndim != 3:
        raise OpError(f"bilinear: expected a 3-D weight (out, in1, in2), got shape {weight.shape}")
    out_features, in1, in2 = weight.shape
    if input1.ndim < 1 or input1.shape[-1] != in1 or input2.ndim < 1 or input2.shape[-1] != in2 \
            or input1.shape[:-1] != input2.shape[:-1]:
        raise OpError(f"bilinear: inputs of shapes {input1.shape} and {input2.shape} do not fit weight of shape "
                      f"{weight.shape} (expected (*, {in1}) and (*, {in2}) with the same leading dims)")
    if bias is not None and bias.shape != (out_features,):
        raise OpError(f"bilinear: bias of shape {bias.shape} does not fit {out_features} outputs")
    projected = input1 @ weight.permute(1, 0, 2).reshape(in1, out_features * in2)
    out = (projected.reshape(*input1.shape[:-1], out_features, in2) * input2.unsqueeze(-2)).sum(dim=-1)
    return out if bias is None else out + bias


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


# ---- losses --------------------------------------------------------------------------------

def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _check_reduction(name: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise OpError(f"{name}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _check_same_shape(name: str, input: Tensor, target: Tensor) -> None:
    if input.shape != target.shape:
        raise OpError(f"{name}: target shape {target.shape} differs from input shape {input.shape}")


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """ℓᵢ = (xᵢ − yᵢ)².

    Input and target must have the same shape: zengrad raises ValueError where PyTorch would
    broadcast with a warning (a frequent silent bug, e.g. (N, 1) against (N,)).
    """
    _check_reduction("mse_loss", reduction)
    _check_same_shape("mse_loss", input, target)
    return _reduce((input - target) ** 2, reduction)


class BinaryCrossEntropy(Function):
    """ℓ = −[y·max(log x, −100) + (1 − y)·max(log(1 − x), −100)] elementwise.

    The log is clamped at −100 (as PyTorch does) so x = 0 or 1 gives a finite loss.
    ∂ℓ/∂x = (x − y) / max(x(1 − x), 1e-12);  ∂ℓ/∂y = max(log(1 − x), −100) − max(log x, −100).
    """

    EPS = 1e-12

    def forward(self, x, y):
        xp = backend.array_module(backend.device_of(x))
        with np.errstate(divide="ignore"):
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log(1 - x), -100)
        return -(y * log_x + (1 - y) * log_1mx)

    def backward(self, g):
        x, y = self.inputs
        grad_x = grad_y = None
        if self.needs_grad(0):
            grad_x = g * (x - y) / (x * (1 - x)).clamp(min=self.EPS)
        if self.needs_grad(1):
            grad_y = g * ((1 - x).log().clamp(min=-100) - x.log().clamp(min=-100))
        return grad_x, grad_y


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         reduction: str = "mean") -> Tensor:
    """ℓᵢ = −wᵢ [yᵢ log xᵢ + (1 − yᵢ) log(1 − xᵢ)] for probabilities xᵢ ∈ [0, 1] (logs clamped ≥ −100)."""
    _check_reduction("binary_cross_entropy", reduction)
    _check_same_shape("binary_cross_entropy", input, target)
    data = input.data
    if data.size and (bool((data < 0).any()) or bool((data > 1).any())):
        raise OpError("binary_cross_entropy: all elements of input should be between 0 and 1")
    losses = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        losses = losses * weight
    return _reduce(losses, reduction)


def _reduced(losses, reduction: str):
    """The per-element ``losses`` array reduced as ``reduction`` says ('mean', 'sum' or 'none')."""
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


class BinaryCrossEntropyWithLogits(Function):
    """ℓ = (1 − y)·x + (1 + (p − 1)·y)·softplus(−x), with softplus(−x) = max(−x, 0) + log(1 + e^−|x|),
    reduced by ``reduction`` in the same node (PyTorch's fused loss: one node, not a loss and a mean).

    Without ``pos_weight`` (p = 1) this is the stable max(x, 0) − x·y + log(1 + e^−|x|): no
    exp of a large positive number is ever taken.
    ∂ℓ/∂x = (1 − y) − (1 + (p − 1)y)·σ(−x)  (= σ(x) − y for p = 1);
    ∂ℓ/∂y = −x + (p − 1)·softplus(−x);  ∂ℓ/∂p = y·softplus(−x).
    The incoming gradient reaches every element as g (g/n for 'mean' over n elements); backward is
    written in Tensor ops, so the loss can be differentiated twice.
    """

    def __init__(self, reduction: str = "none"):
        self.reduction = reduction

    def forward(self, x, y, pos_weight=None):
        xp = backend.array_module(backend.device_of(x))
        softplus_neg = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))
        if pos_weight is None:
            losses = (1 - y) * x + softplus_neg
        else:
            losses = (1 - y) * x + (1 + (pos_weight - 1) * y) * softplus_neg
        return _reduced(losses, self.reduction)

    def backward(self, g):
        x, y = self.inputs[:2]
        if self.reduction == "mean":
            g = g / max(x.numel(), 1)
        if len(self.inputs) == 2:
            return (g * (x.sigmoid() - y) if self.needs_grad(0) else None,
                    g * -x if self.needs_grad(1) else None)
        pos_weight = self.inputs[2]
        softplus_neg = (-x).relu() + (1 + (-x.abs()).exp()).log()
        scale = 1 + (pos_weight - 1) * y
        return (g * ((1 - y) - scale * (-x).sigmoid()) if self.needs_grad(0) else None,
                g * ((pos_weight - 1) * softplus_neg - x) if self.needs_grad(1) else None,
                unbroadcast(g * y * softplus_neg, pos_weight.shape) if self.needs_grad(2) else None)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     reduction: str = "mean", pos_weight: Tensor | None = None) -> Tensor:
    """BCE on logits: ℓᵢ = wᵢ [max(xᵢ, 0) − xᵢyᵢ + log(1 + e^−|xᵢ|)] = wᵢ BCE(σ(xᵢ), yᵢ), computed stably.

    ``pos_weight`` (broadcast over the last dimension) multiplies the positive term. Without
    ``weight`` the loss and its reduction are one node.
    """
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    _check_same_shape("binary_cross_entropy_with_logits", input, target)
    fused = reduction if weight is None else "none"
    if pos_weight is None:
        losses = BinaryCrossEntropyWithLogits.apply(input, target, reduction=fused)
    else:
        losses = BinaryCrossEntropyWithLogits.apply(input, target, pos_weight, reduction=fused)
    if weight is None:
        return losses
    return _reduce(losses * weight, reduction)


def _class_last(input: Tensor) -> Tensor:
    """(N, C, d1, ..., dk) -> (N·d1···dk, C): the class dimension last, one row per prediction."""
    if input.ndim > 2:
        order = (0,) + tuple(range(2, input.ndim)) + (1,)
        input = input.permute(*order)
    return input.reshape(-1, input.shape[-1])


def _check_class_target(name: str, input: Tensor, target: Tensor) -> None:
    if target.dtype.kind not in "iu":
        raise TypeError(f"{name}: class targets must be an integer tensor (int64), got {target.dtype}")
    expected = (input.shape[0],) + input.shape[2:]
    if target.shape != expected:
        raise OpError(f"{name}: target shape {target.shape} does not fit input shape {input.shape} "
                      f"(expected {expected})")


def _class_rows(name: str, input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int):
    """The checked pieces of a loss over class indices: the input as rows (R, C) with the class
    last, each row's target (0 where ignored), and each row's weight w[yᵢ] (0 where ignored), as
    arrays; and whether the input was one unbatched sample (C,) with a 0-d target."""
    unbatched = input.ndim == 1
    if unbatched:
        input, target = input.unsqueeze(0), target.reshape(1)
    if input.ndim < 2:
        raise OpError(f"{name}: expected input of shape (N, C) or (N, C, d...), got {input.shape}")
    _check_class_target(name, input, target)
    classes = input.shape[1]
    xp = input.xp
    flat_target = target.data.reshape(-1)
    keep = flat_target != ignore_index
    bad = flat_target[keep & ((flat_target < 0) | (flat_target >= classes))]
    if bad.size:
        raise IndexError(f"{name}: target {int(bad[0])} is out of bounds for {classes} classes")
    safe_target = xp.where(keep, flat_target, 0)
    class_weight = xp.ones(classes, dtype=input.dtype) if weight is None else weight.data.astype(input.dtype)
    return _class_last(input), safe_target, class_weight[safe_target] * keep, unbatched


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C) or (N, C, d...) for class
    indices ``target`` (N) or (N, d...):  ℓᵢ = −w[yᵢ]·input[i, yᵢ], and ℓᵢ = 0 where yᵢ = ignore_index.

    'mean' divides by Σ w[yᵢ] over the targets not ignored (by their count without ``weight``).
    An input of shape (C,) with a 0-d target is one unbatched sample.
    """
    _check_reduction("nll_loss", reduction)
    rows, safe_target, sample_weight, unbatched = _class_rows("nll_loss", input, target, weight, ignore_index)
    xp = rows.xp
    picked = rows[xp.arange(rows.shape[0]), safe_target]
    losses = -picked * Tensor(sample_weight)
    if reduction == "none":
        return losses.reshape(()) if unbatched else losses.reshape(target.shape)
    if reduction == "sum":
        return losses.sum()
    total = sample_weight.sum()
    mean = losses.sum() / Tensor(xp.asarray(total if total != 0 else 1, dtype=input.dtype))
    return mean if total != 0 else mean + float("nan")  # every target ignored: PyTorch's NaN, zero gradients


class CrossEntropy(Function):
    """Cross-entropy of rows of logits x (R, C) against class indices y, reduced in the same node:

        ℓᵢ = −wᵢ·log softmax(xᵢ)[yᵢ] = wᵢ·(log Σ_c e^{xᵢ,c} − xᵢ,yᵢ),

    with wᵢ the weight of row i's class (0 for an ignored row); 'mean' divides Σ ℓᵢ by Σ wᵢ.
    One node, as PyTorch's fused loss, instead of a log-softmax, an index, a product and a mean.
    The log Σ exp is taken after subtracting each row's maximum (no overflow).

    ∂ℓ/∂x = (softmax(x) − onehot(y)) ⊙ w·g  (w·g/Σw for 'mean'). When no graph of the gradient
    is asked for, backward reads softmax(x) = e^{x − max} / Σ e^{x − max} off what forward kept and
    works on that one array; with ``create_graph`` it is Tensor ops on one softmax node, so the
    loss can be differentiated twice. The targets and weights are settings: nothing flows back to
    them.
    """

    def __init__(self, target, sample_weight, reduction: str):
        self.target, self.sample_weight, self.reduction = target, sample_weight, reduction

    def forward(self, x):
        xp = backend.array_module(backend.device_of(x))
        with np.errstate(invalid="ignore"):
            shifted = x - x.max(axis=1, keepdims=True)
        self.exp_shifted = xp.exp(shifted)
        self.exp_sums = xp.einsum("ij->i", self.exp_shifted)  # einsum: faster than sum over short rows
        losses = (xp.log(self.exp_sums) - shifted[xp.arange(x.shape[0]), self.target]) * self.sample_weight
        if self.reduction != "mean":
            return _reduced(losses, self.reduction)
        with np.errstate(invalid="ignore"):  # every row ignored: 0/0, PyTorch's NaN
            return losses.sum() / self.sample_weight.sum()

    def backward(self, g):
        (x,) = self.inputs
        xp = x.xp
        rows = xp.arange(x.shape[0])
        weight = self.sample_weight
        if self.reduction == "mean":  # every row ignored (Σw = 0): a NaN loss, as PyTorch's, but zero gradients
            total = weight.sum()
            weight = weight / (total if total != 0 else 1)
        if not is_grad_enabled():
            scale = weight * g.data  # g: a scalar, or one value per row for 'none'
            grad = self.exp_shifted * (scale / self.exp_sums)[:, None]  # a new array: backward may run again
            grad[rows, self.target] -= scale
            return (Tensor(grad),)
        onehot = xp.zeros(x.shape, dtype=x.dtype)
        onehot[rows, self.target] = 1
        scale = (g.reshape(-1, 1) if self.reduction == "none" else g) * Tensor(weight.reshape(-1, 1))
        return (MaskedSoftmax.apply(x) - Tensor(onehot)) * scale


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of logits ``input`` (N, C) or (N, C, d...) against ``target``.

    Class indices (integer target of shape (N) or (N, d...)): nll_loss(log_softmax(input, 1), target),
    i.e. ℓᵢ = −w[yᵢ]·(xᵢ,yᵢ − log Σ_c e^{xᵢ,c}), with ``ignore_index`` and weighted mean as in
    :func:`nll_loss`. Class probabilities (a float target of the input's shape):
    ℓᵢ = −Σ_c w_c yᵢ,c log softmax(xᵢ)_c, 'mean' dividing by the number of samples.

    ``label_smoothing`` ε mixes the target with the uniform distribution over the C classes:
    probabilities become (1 − ε)·y + ε/C; for class indices the loss is
    (1 − ε)·ℓ_nll + ε/C·Σᵢ(−Σ_c w_c log softmax(xᵢ)_c) / D, with D PyTorch's divisor (the summed
    weights of the kept targets with ``weight``, their number without, 1 for 'sum').

    Class indices without label smoothing take one :class:`CrossEntropy` node (as PyTorch fuses
    the loss); the other forms are composed from ``log_softmax``.
    """
    _check_reduction("cross_entropy", reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise OpError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    if target.dtype.kind != "f" and not label_smoothing:
        rows, safe_target, sample_weight, unbatched = _class_rows("cross_entropy", input, target, weight,
                                                                  ignore_index)
        losses = CrossEntropy.apply(rows, target=safe_target, sample_weight=sample_weight, reduction=reduction)
        if reduction != "none":
            return losses
        return losses.reshape(()) if unbatched else losses.reshape(target.shape)
    log_probs = log_softmax(input, dim=class_dim)
    if target.dtype.kind == "f":
        _check_same_shape("cross_entropy", input, target)
        if label_smoothing:
            target = target * (1.0 - label_smoothing) + label_smoothing / input.shape[class_dim]
        weighted = log_probs * target
        if weight is not None:
            shape = (-1,) + (1,) * (input.ndim - class_dim - 1)
            weighted = weighted * weight.reshape(shape)
        losses = -weighted.sum(dim=class_dim)
        return _reduce(losses, reduction)
    nll = nll_loss(log_probs, target, weight=weight, ignore_index=ignore_index, reduction=reduction)
    if not label_smoothing:
        return nll
    return (1.0 - label_smoothing) * nll + label_smoothing * _uniform_target_loss(
        log_probs, target, weight, ignore_index, reduction, class_dim)


def _uniform_target_loss(log_probs, target, weight, ignore_index, reduction, class_dim) -> Tensor:
    """The label-smoothing term of cross_entropy: −Σ_c w_c log p_c / C per sample (0 where the
    target is ignored), reduced as PyTorch does."""
    classes = log_probs.shape[class_dim]
    if weight is not None:
        log_probs = log_probs * weight.reshape((-1,) + (1,) * (log_probs.ndim - class_dim - 1))
    keep = target.data != ignore_index
    losses = -log_probs.sum(dim=class_dim) * Tensor(keep.astype(log_probs.dtype)) / classes
    if reduction == "mean":
        kept = target.data[keep]
        divisor = weight.data[kept].sum() if weight is not None else kept.size
        return losses.sum() / Tensor(log_probs.xp.asarray(divisor, dtype=log_probs.dtype))
    return _reduce(losses, reduction)


# ---- normalisation over features (issue 13) --------------------------------------------------

def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """y = (x − μ) / √(σ² + eps) · γ + β, with μ and the biased variance σ² taken over the last
    len(normalized_shape) dimensions of each sample (which must equal ``normalized_shape``);
    γ (weight) and β (bias) have shape ``normalized_shape``. One graph node
    (:class:`zengrad.ops.normalization.LayerNorm`, where the backward's math is)."""
    shape = trailing_shape("layer_norm", input, normalized_shape, weight, bias)
    return layer_norm_node(input, len(shape), weight, bias, eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Channels (dimension 1 of (N, C, *)) split into ``num_groups`` groups of C/G; each sample's
    group is normalised by its own mean and biased variance over its channels and positions:
    y = (x − μ_{n,g}) / √(σ²_{n,g} + eps) · γ_c + β_c, with γ and β of shape (C,)."""
    if input.ndim < 2 or num_groups < 1 or input.shape[1] % num_groups:
        raise OpError(f"group_norm: expected input (N, C, *) with C divisible by num_groups={num_groups}, "
                      f"got shape {input.shape}")
    n, channels = input.shape[:2]
    grouped = input.reshape(n, num_groups, -1)
    out = normalize_over(grouped, (2,), eps).reshape(input.shape)
    shape = (1, channels) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


# ---- pooling (issue 13) ----------------------------------------------------------------------

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


def _single(value) -> int:
    """A 1-d size given as an int or a 1-tuple (PyTorch accepts both)."""
    return value[0] if isinstance(value, (tuple, list)) and len(value) == 1 else value


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
    best = xp.argmax(cols.data, axis=1)
    indices = xp.take_along_axis(position_cols.data.astype(np.int64), best[:, None, :], axis=1)[:, 0]
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
    counts = unfold(Tensor(inside), kernel, 1, 0, stride).data.sum(axis=1)
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


# ---- resampling as one matrix per axis: adaptive pooling and interpolation (issue 13) ----------

def _adaptive_matrix(xp, size: int, out: int, dtype):
    """A (out, size) with row i averaging x[⌊i·size/out⌋ : ⌈(i + 1)·size/out⌉] (PyTorch's bins)."""
    matrix = xp.zeros((out, size), dtype=dtype)
    for i in range(out):
        start, end = (i * size) // out, -(-((i + 1) * size) // out)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def _resample(x: Tensor, matrices) -> Tensor:
    """Apply one (out, in) matrix to each of the last len(matrices) axes: y = A_h x A_wᵀ in 2-d.

    Each matrix is a constant, so the gradient is the transposed resampling Aᵀ g, for free."""
    if len(matrices) == 1:
        return x @ Tensor(matrices[0].T.copy())
    return Tensor(matrices[0]) @ x @ Tensor(matrices[1].T.copy())


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output size (oh, ow): y[n, c, i, j] is the mean of the bin
    rows ⌊i·H/oh⌋ … ⌈(i+1)·H/oh⌉ − 1 and columns likewise (bins may overlap). Each axis's binning
    is a constant (out, in) averaging matrix A, so y = A_h x A_wᵀ: two matrix products, and the
    gradient is A_hᵀ g A_w. ``None`` in ``output_size`` keeps that input size."""
    if input.ndim not in (3, 4):
        raise OpError(f"adaptive_avg_pool2d: expected a 3-D or 4-D input, got shape {input.shape}")
    sizes = (output_size, output_size) if isinstance(output_size, int) or output_size is None else tuple(output_size)
    if len(sizes) != 2:
        raise OpError(f"adaptive_avg_pool2d: output_size must be an int or a pair, got {output_size!r}")
    height, width = input.shape[-2:]
    sizes = tuple(n if s is None else s for s, n in zip(sizes, (height, width)))
    if min(sizes) < 1 or min(height, width) < 1:
        raise OpError(f"adaptive_avg_pool2d: output size {sizes} and input shape {input.shape} must be positive")
    return _resample(input, [_adaptive_matrix(input.xp, n, s, input.dtype) for n, s in zip((height, width), sizes)])


def adaptive_avg_pool1d(input: Tensor, output_size: int) -> Tensor:
    """y[n, c, i] = mean of x[n, c, ⌊i·L/o⌋ : ⌈(i+1)·L/o⌉], as y = x Aᵀ with the averaging matrix A."""
    if input.ndim not in (2, 3) or output_size < 1 or input.shape[-1] < 1:
        raise OpError(f"adaptive_avg_pool1d: expected a 2-D or 3-D input and a positive output size, "
                      f"got shape {input.shape} and {output_size!r}")
    return _resample(input, [_adaptive_matrix(input.xp, input.shape[-1], output_size, input.dtype)])


def _interpolation_matrix(xp, size: int, out: int, scale: float, mode: str, align_corners: bool, dtype):
    """(out, size) weights mapping input positions to output positions along one axis.

    nearest: y_i = x[min(⌊i·scale⌋, size − 1)].  linear: src = i·(size − 1)/(out − 1) with
    align_corners, else max((i + ½)·scale − ½, 0); y_i = (1 − λ)·x[⌊src⌋] + λ·x[⌊src⌋ + 1],
    λ = src − ⌊src⌋ (the last index clamped)."""
    matrix = np.zeros((out, size), dtype=np.float64)
    rows = np.arange(out)
    if mode == "nearest":
        matrix[rows, np.minimum(np.floor(rows * scale).astype(np.int64), size - 1)] = 1.0
        return xp.asarray(matrix.astype(dtype))
    if align_corners:
        src = rows * ((size - 1) / (out - 1)) if out > 1 else np.zeros(out)
    else:
        src = np.maximum((rows + 0.5) * scale - 0.5, 0.0)
    low = np.minimum(np.floor(src).astype(np.int64), size - 1)
    high = np.minimum(low + 1, size - 1)
    weight = src - low
    np.add.at(matrix, (rows, low), 1.0 - weight)
    np.add.at(matrix, (rows, high), weight)
    return xp.asarray(matrix.astype(dtype))


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                recompute_scale_factor=None, antialias: bool = False) -> Tensor:
    """Resize the spatial axes of (N, C, L) or (N, C, H, W) input, as ``torch.nn.functional.interpolate``
    for mode 'nearest' (1-d and 2-d), 'linear' (1-d) and 'bilinear' (2-d).

    Every mode is linear in x and separable, so each axis is one constant (out, in) matrix
    (see :func:`_interpolation_matrix` for the weights) and y = A_h x A_wᵀ; the gradient is
    A_hᵀ g A_w. The output size is ``size`` or ⌊in·scale_factor⌋; source coordinates use
    scale = in/out when the size was given (or ``recompute_scale_factor``), else 1/scale_factor.
    """
    modes = {3: ("nearest", "linear"), 4: ("nearest", "bilinear")}
    if input.ndim not in modes or mode not in modes[input.ndim]:
        raise OpError(f"interpolate: mode {mode!r} on input of shape {input.shape} is not supported "
                      f"(3-D: nearest/linear, 4-D: nearest/bilinear)")
    if antialias:
        raise OpError("interpolate: antialias=True is not supported")
    if mode == "nearest" and align_corners is not None:
        raise OpError("interpolate: align_corners option can only be set with the interpolating modes: "
                      "linear | bilinear")
    spatial = input.shape[2:]
    if (size is None) == (scale_factor is None):
        raise OpError("interpolate: either size or scale_factor should be defined (not both)")
    if size is not None:
        sizes = (size,) * len(spatial) if isinstance(size, int) else tuple(size)
        scales = [n / s for n, s in zip(spatial, sizes)] if len(sizes) == len(spatial) else []
    else:
        factors = (scale_factor,) * len(spatial) if isinstance(scale_factor, (int, float)) else tuple(scale_factor)
        sizes = tuple(int(np.floor(n * f)) for n, f in zip(spatial, factors))
        scales = ([n / s if s else 0.0 for n, s in zip(spatial, sizes)] if recompute_scale_factor
                  else [1.0 / f for f in factors])
    if len(sizes) != len(spatial) or min(sizes) < 1 or min(spatial) < 1:
        raise OpError(f"interpolate: output size {sizes} does not fit input of shape {input.shape}")
    matrices = [_interpolation_matrix(input.xp, n, s, scale, "nearest" if mode == "nearest" else "linear",
                                      bool(align_corners), input.dtype)
                for n, s, scale in zip(spatial, sizes, scales)]
    return _resample(input, matrices)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """1-D cross-correlation: y[n, o, t] = b[o] + Σ_{c, k} W[o, c, k] · x_pad[n, g(o)·C/g + c, t·s + k·d],
    input (N, C, L) or (C, L), weight (O, C/groups, k): :func:`conv2d` on a height of 1."""
    if input.ndim not in (2, 3) or weight.ndim != 3:
        raise OpError(f"conv1d: expected a 2-D or 3-D input and a 3-D weight, got shapes {input.shape} "
                      f"and {weight.shape}")
    out = conv2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, _single(stride)), (0, _single(padding)),
                 (1, _single(dilation)), groups)
    return out.squeeze(-2)


# ---- more losses and similarities (issue 13) -------------------------------------------------

def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """Kullback–Leibler divergence with ``input`` = log q:  ℓᵢ = yᵢ·(log yᵢ − log qᵢ), taken as 0
    where yᵢ = 0; with ``log_target`` the target is log y and ℓᵢ = e^{yᵢ}·(yᵢ − log qᵢ).
    'batchmean' divides the sum by the batch size input.shape[0] (the true KL per sample);
    'mean' divides by the number of elements, as PyTorch does."""
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise OpError(f"kl_div: reduction must be one of {_REDUCTIONS + ('batchmean',)}, got {reduction!r}")
    _check_same_shape("kl_div", input, target)
    if log_target:
        losses = target.exp() * (target - input)
    else:
        positive = target > 0
        safe = where(positive, target, 1.0)
        losses = where(positive, target * safe.log(), 0.0) - target * input
    if reduction == "batchmean":
        return losses.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(losses, reduction)


def _piecewise_quadratic(name, input, target, reduction, width: float, linear_slope: float) -> Tensor:
    """The quadratic-near-zero, linear-far loss shared by huber and smooth_l1, of d = x − y:
    ½d²·(slope/width) where |d| < width, slope·(|d| − ½width) elsewhere."""
    _check_reduction(name, reduction)
    _check_same_shape(name, input, target)
    if width < 0:
        raise OpError(f"{name}: the width (delta or beta) must be non-negative, got {width}")
    diff = input - target
    size = diff.abs()
    if width == 0:
        return _reduce(size * linear_slope, reduction)
    losses = where(size < width, diff * diff * (0.5 * linear_slope / width),
                   (size - 0.5 * width) * linear_slope)
    return _reduce(losses, reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """ℓᵢ = ½dᵢ² if |dᵢ| < δ, else δ(|dᵢ| − ½δ), for dᵢ = xᵢ − yᵢ: squared error near zero,
    absolute error (slope δ) far from it."""
    return _piecewise_quadratic("huber_loss", input, target, reduction, delta, delta)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """ℓᵢ = ½dᵢ²/β if |dᵢ| < β, else |dᵢ| − ½β: huber_loss(δ = β)/β, an L1 loss with a rounded tip
    (β = 0 is the plain L1 loss)."""
    return _piecewise_quadratic("smooth_l1_loss", input, target, reduction, beta, 1.0)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """cos θ = Σ (x1 / max(‖x1‖, eps)) · (x2 / max(‖x2‖, eps)) along ``dim`` (x1 and x2 broadcast).

    Each vector is divided by its norm first (the result stays within [−1, 1]). As in PyTorch the
    clamp at eps changes the value only: the gradient is that of the unclamped norm."""
    try:
        np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise OpError(f"cosine_similarity: shapes {x1.shape} and {x2.shape} do not broadcast") from None

    def unit(x):
        norm = (x * x).sum(dim=dim, keepdim=True).sqrt()
        clamped = Tensor(x.xp.maximum(norm.data, eps))
        return x / (norm + (clamped - norm).detach())

    return (unit(x1) * unit(x2)).sum(dim=dim)


# ---- distances between vectors, and the losses built on them --------------------------------

def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """ℓᵢ = |xᵢ − yᵢ| (the gradient at xᵢ = yᵢ is 0, sign's value there)."""
    _check_reduction("l1_loss", reduction)
    _check_same_shape("l1_loss", input, target)
    return _reduce((input - target).abs(), reduction)


def _p_norm(x: Tensor, p: float, dim, keepdim: bool) -> Tensor:
    """(Σ |x|ᵖ)^(1/p) along ``dim`` (p = inf: the largest |x|)."""
    if p == math.inf:
        return x.abs().amax(dim=dim, keepdim=keepdim)
    return x.norm(p=p, dim=dim, keepdim=keepdim)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(‖x‖_p, eps) along ``dim``: unit vectors (a zero vector stays zero)."""
    norm = _p_norm(input, p, dim, keepdim=True)
    return input / norm.clamp(min=eps)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """‖x1 − x2 + eps‖_p along the last dim (x1 and x2 broadcast), as ``torch.pairwise_distance``."""
    try:
        np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise OpError(f"pairwise_distance: shapes {x1.shape} and {x2.shape} do not broadcast") from None
    difference = x1 - x2 + eps
    return _p_norm(difference, p, -1 if difference.ndim else None, keepdim)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """ℓᵢ = max(0, −yᵢ·(x1ᵢ − x2ᵢ) + margin), y = 1 when x1 should rank higher, −1 when x2 should."""
    _check_reduction("margin_ranking_loss", reduction)
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """ℓᵢ = 1 − cos(x1ᵢ, x2ᵢ) where yᵢ = 1, max(0, cos(x1ᵢ, x2ᵢ) − margin) where yᵢ = −1
    (cosine over the last dim, the norms kept ≥ √1e-12 as PyTorch keeps them)."""
    _check_reduction("cosine_embedding_loss", reduction)
    dim = input1.ndim - 1
    product = (input1 * input2).sum(dim=dim)
    norms = ((input1 * input1).sum(dim=dim) + 1e-12) * ((input2 * input2).sum(dim=dim) + 1e-12)
    cos = product / norms.sqrt()
    losses = where(target == 1, 1 - cos, where(target == -1, (cos - margin).clamp(min=0), cos * 0))
    return _reduce(losses, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2.0,
                        eps: float = 1e-6, swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:
    """ℓᵢ = max(0, d(aᵢ, pᵢ) − d(aᵢ, nᵢ) + margin), d the pairwise distance; with ``swap`` the
    negative's distance is the smaller of d(a, n) and d(p, n)."""
    _check_reduction("triplet_margin_loss", reduction)
    to_positive = pairwise_distance(anchor, positive, p, eps)
    to_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        to_negative = to_negative.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((to_positive - to_negative + margin).clamp(min=0), reduction)


# ---- pixel shuffle, channel dropout ---------------------------------------------------------------

def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C·r², H, W) → (*, C, H·r, W·r): each group of r² channels becomes an r×r block of pixels
    (out[c, h·r + i, w·r + j] = in[c·r² + i·r + j, h, w]); a reshape and a permute."""
    r = upscale_factor
    if input.ndim < 3 or r < 1 or input.shape[-3] % (r * r):
        raise OpError(f"pixel_shuffle: input of shape {input.shape} needs >= 3 dims and channels divisible "
                      f"by upscale_factor² = {r * r}")
    *lead, c, h, w = input.shape
    k = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """The inverse of pixel_shuffle: (*, C, H·r, W·r) → (*, C·r², H, W)."""
    r = downscale_factor
    if input.ndim < 3 or r < 1 or input.shape[-2] % r or input.shape[-1] % r:
        raise OpError(f"pixel_unshuffle: input of shape {input.shape} needs >= 3 dims and height and width "
                      f"divisible by downscale_factor = {r}")
    *lead, c, hr, wr = input.shape
    k = len(lead)
    x = input.reshape(*lead, c, hr // r, r, wr // r, r)
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return x.reshape(*lead, c * r * r, hr // r, wr // r)


def _feature_dropout(op: str, input: Tensor, p: float, training: bool, spatial: int) -> Tensor:
    if not 0.0 <= p <= 1.0:
        raise OpError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (spatial + 1, spatial + 2):
        raise OpError(f"{op}: expects (N, C, {'L' if spatial == 1 else 'H, W'}) or without the batch dim, "
                      f"got shape {input.shape}")
    if not training or p == 0.0:
        return input
    channels = input.shape[:input.ndim - spatial]
    keep = generator(input.device).random(channels) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = (keep * scale).astype(input.dtype).reshape(channels + (1,) * spatial)
    return input * Tensor(mask)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Whole channels of (N, C, L) zeroed with probability p (the rest scaled by 1/(1 − p))."""
    return _feature_dropout("dropout1d", input, p, training, 1)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Whole channels (feature maps) of (N, C, H, W) zeroed with probability p, the rest scaled
    by 1/(1 − p): neighbouring pixels are correlated, so dropping single pixels regularises little."""
    return _feature_dropout("dropout2d", input, p, training, 2)


__all__ += ["cosine_embedding_loss", "dropout1d", "dropout2d", "l1_loss", "margin_ranking_loss", "normalize",
            "pairwise_distance", "pixel_shuffle", "pixel_unshuffle", "triplet_margin_loss"]


# ---- einsum: its math lives in zengrad.ops.einsum ------------------------------------------------

from ..ops.einsum import einsum  # noqa: E402


# ---- attention (issue 13) ----------------------------------------------------------------------

from .. import kernels  # noqa: E402


def _additive_mask(mask: Tensor | None, is_causal: bool, length: int, source: int, like: Tensor):
    """The mask as something to add to the scores: 0 where attention may go, −∞ where not.

    A boolean mask is True where attention is allowed (PyTorch's convention); a float mask is
    added as it is; ``is_causal`` allows position i to see positions j ≤ i only."""
    xp = like.xp
    if is_causal:
        if mask is not None:
            raise OpError("scaled_dot_product_attention: attn_mask and is_causal cannot both be set")
        allowed = xp.tril(xp.ones((length, source), dtype=bool))
        return Tensor(xp.where(allowed, 0.0, -np.inf).astype(like.dtype))
    if mask is None:
        return None
    if mask.dtype == np.bool_:
        return Tensor(xp.where(mask.data, 0.0, -np.inf).astype(like.dtype))
    return mask


class MaskedSoftmax(Function):
    """w = softmax(s + m) over the last axis, as one node: the attention weights from the scores s
    and an additive mask m (0 or −∞, or any float; broadcast to s).

    Forward is the softmax kernel (:func:`zengrad.kernels.softmax_forward`) on one copy of s + m.
    Backward is the softmax's Jacobian in Tensor ops (so it can be differentiated again):
    ∂s = w ⊙ (g − Σ_j g_j w_j), and ∂m = ∂s summed over m's broadcast axes. A row masked
    everywhere gives NaN, as PyTorch's softmax does (its fused scaled_dot_product_attention gives 0).
    """

    def forward(self, scores, mask=None):
        return kernels.softmax_forward(scores + mask if mask is not None else scores.copy())

    def backward(self, g):
        weights = self.output()
        grad = weights * (g - (g * weights).sum(dim=-1, keepdim=True))
        if len(self.inputs) == 1:
            return (grad,)
        return (grad if self.needs_grad(0) else None,
                unbroadcast(grad, self.inputs[1].shape) if self.needs_grad(1) else None)


def attention_weights(query: Tensor, key: Tensor, mask=None, scale: float | None = None) -> Tensor:
    """softmax(q kᵀ · scale + mask) over the key axis, with ``mask`` additive (see _additive_mask)."""
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query * scale) @ key.mT
    if mask is None:
        return MaskedSoftmax.apply(scores)
    return MaskedSoftmax.apply(scores, mask)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """Attention(Q, K, V) = dropout(softmax(Q Kᵀ · scale + M)) V, as PyTorch's function: Q (…, L, E),
    K (…, S, E), V (…, S, Ev), output (…, L, Ev), scale 1/√E by default. M is 0 where a query may
    attend and −∞ where not: a boolean ``attn_mask`` is True where attention is allowed, a float
    one is added to the scores, ``is_causal`` masks the future (j > i). The dropout (probability
    ``dropout_p``) is applied whenever dropout_p > 0, as in PyTorch; pass 0 in evaluation.
    """
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2 or query.shape[-1] != key.shape[-1] or \
            key.shape[-2] != value.shape[-2]:
        raise OpError(f"scaled_dot_product_attention: query {query.shape}, key {key.shape} and value "
                      f"{value.shape} do not fit (…, L, E), (…, S, E), (…, S, Ev)")
    if enable_gqa:
        raise OpError("scaled_dot_product_attention: enable_gqa is not supported")
    mask = _additive_mask(attn_mask, is_causal, query.shape[-2], key.shape[-2], query)
    weights = dropout(attention_weights(query, key, mask, scale), dropout_p, training=dropout_p > 0)
    return weights @ value


def sinusoidal_positions(length: int, dim: int, base: float = 10000.0, dtype=np.float32, device=None) -> Tensor:
    """The fixed positional encodings of "Attention Is All You Need":
    P[t, 2i] = sin(t / base^{2i/dim}),  P[t, 2i + 1] = cos(t / base^{2i/dim}); shape (length, dim)."""
    if length < 0 or dim < 1:
        raise OpError(f"sinusoidal_positions: need length >= 0 and dim >= 1, got {length} and {dim}")
    angles = np.arange(length)[:, None] / base ** (np.arange(0, dim, 2) / dim)
    table = np.zeros((length, dim))
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles[:, :dim // 2])
    xp = backend.array_module(backend.normalize_device(device))
    return Tensor(xp.asarray(table.astype(dtype)))


# ---- activations, pad and one_hot (their math lives in zengrad.ops) ------------------------

from ..ops.activation import (celu, elu, gelu, glu, hardshrink, hardsigmoid, hardswish, hardtanh,  # noqa: E402
                              logsigmoid, mish, one_hot, prelu, relu6, selu, silu, softmin, softplus,
                              softshrink, softsign, tanhshrink, threshold)
from ..ops.layout import pad  # noqa: E402

__all__ += ["celu", "elu", "gelu", "glu", "hardsigmoid", "hardswish", "hardtanh", "logsigmoid", "mish",
            "one_hot", "pad", "prelu", "relu6", "selu", "silu", "softplus", "softsign",
            "hardshrink", "softmin", "softshrink", "tanhshrink", "threshold"]


# ---- normalisation with per-channel statistics (their math lives in zengrad.ops) -----------

from ..ops.batch_norm import batch_norm, instance_norm  # noqa: E402
from ..ops.normalization import rms_norm  # noqa: E402

__all__ += ["batch_norm", "instance_norm", "rms_norm"]


# ---- margin and likelihood losses -----------------------------------------------------------------

def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """ℓᵢ = log(1 + e^(−yᵢxᵢ)) = −log σ(yᵢxᵢ) for labels y = ±1 (a logistic loss), computed as
    −logsigmoid so that it stays finite for large |x| (PyTorch's exp overflows to inf, and its
    gradient to NaN, for yx < −88 in float32)."""
    _check_reduction("soft_margin_loss", reduction)
    _check_same_shape("soft_margin_loss", input, target)
    return _reduce(-logsigmoid(input * target), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """ℓᵢ = xᵢ where yᵢ = 1, max(0, margin − xᵢ) where yᵢ = −1 (x is typically a distance between
    two inputs that should be small for similar pairs, at least ``margin`` for dissimilar ones)."""
    _check_reduction("hinge_embedding_loss", reduction)
    zero = input * 0
    losses = where(target != 1, (margin - input).clamp(min=0), zero) + where(target != -1, input, zero)
    return _reduce(losses, reduction)


def _class_scores(name: str, input: Tensor, target: Tensor) -> tuple[Tensor, Tensor, bool]:
    """(input as (N, C), target as rows, whether the input had no batch dim)."""
    if input.ndim not in (1, 2):
        raise OpError(f"{name}: expected input of shape (N, C) or (C,), got {input.shape}")
    single = input.ndim == 1
    return (input.unsqueeze(0) if single else input), (target.reshape(1, -1) if single else target), single


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                      size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss on scores x (N, C) with the true class yₙ:
    ℓₙ = Σ_{i ≠ yₙ} w[yₙ]·max(0, margin − x[yₙ] + x[i])ᵖ / C,  p ∈ {1, 2}."""
    _check_reduction("multi_margin_loss", reduction)
    if p not in (1, 2):
        raise OpError(f"multi_margin_loss: only p == 1 and p == 2 supported, got {p}")
    scores, target, single = _class_scores("multi_margin_loss", input, target)
    target = target.reshape(-1)
    if target.shape[0] != scores.shape[0]:
        raise OpError(f"multi_margin_loss: target of shape {target.shape} for input of shape {input.shape}")
    classes = scores.shape[1]
    if target.numel() and (int(target.data.min()) < 0 or int(target.data.max()) >= classes):
        raise IndexError(f"multi_margin_loss: target out of range for {classes} classes")
    true_score = scores.gather(1, target.reshape(-1, 1))
    hinge = (margin - true_score + scores).clamp(min=0)
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * weight[target.data].reshape(-1, 1)
    others = Tensor(scores.xp.arange(classes)[None, :] != target.data.reshape(-1, 1))
    losses = where(others, hinge, hinge * 0).sum(dim=1) / classes
    return _reduce(losses.reshape(()) if single else losses, reduction)


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """Multi-label hinge loss: each row of ``target`` lists the true classes of its sample, ended
    by the first −1. ℓₙ = Σ_{j listed} Σ_{i not listed} max(0, 1 − (x[j] − x[i])) / C."""
    _check_reduction("multilabel_margin_loss", reduction)
    scores, target, single = _class_scores("multilabel_margin_loss", input, target)
    if target.shape != scores.shape:
        raise OpError(f"multilabel_margin_loss: target shape {target.shape} must match input shape {input.shape}")
    xp, classes = scores.xp, scores.shape[1]
    labels = target.data
    listed = xp.cumprod(labels >= 0, axis=1).astype(bool)  # the entries before the first −1
    if (labels[listed] >= classes).any():
        raise IndexError(f"multilabel_margin_loss: target holds a class >= {classes}")
    counts = xp.zeros(scores.shape, dtype=scores.dtype)  # how often each class is listed
    rows = xp.nonzero(listed)[0]
    xp.add.at(counts, (rows, labels[listed]), 1)
    pairs = counts[:, :, None] * (counts == 0)[:, None, :]  # (j listed, i not listed)
    hinge = (1 - (scores.unsqueeze(2) - scores.unsqueeze(1))).clamp(min=0)
    losses = (hinge * Tensor(pairs)).sum(dim=(1, 2)) / classes
    return _reduce(losses.reshape(()) if single else losses, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                                reduce=None, reduction: str = "mean") -> Tensor:
    """One logistic loss per class, averaged over the C classes of each sample:
    ℓₙ = −(1/C)·Σ_c w_c·[y_c·log σ(x_c) + (1 − y_c)·log σ(−x_c)], targets y ∈ {0, 1}."""
    _check_reduction("multilabel_soft_margin_loss", reduction)
    _check_same_shape("multilabel_soft_margin_loss", input, target)
    losses = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        losses = losses * weight
    return _reduce(losses.mean(dim=input.ndim - 1) if input.ndim else losses, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False, size_average=None,
                     eps: float = 1e-8, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of counts y under a Poisson distribution of rate λ, dropping the
    term log(y!) that does not depend on λ:
    ℓ = e^x − y·x with ``log_input`` (x = log λ), else ℓ = x − y·log(x + eps) (x = λ);
    ``full`` adds Stirling's log(y!) ≈ y·log y − y + ½·log(2πy) where y > 1."""
    _check_reduction("poisson_nll_loss", reduction)
    losses = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        xp = target.xp
        y = target.data
        with np.errstate(divide="ignore", invalid="ignore"):
            stirling = xp.where(y > 1, y * xp.log(y) - y + 0.5 * xp.log(2 * math.pi * y), 0)
        losses = losses + Tensor(stirling.astype(losses.dtype))
    return _reduce(losses, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of y under a Gaussian of mean x and variance σ² (``var``, one per
    element, per sample with the last dim dropped or 1, or one number):
    ℓ = ½·(log max(σ², eps) + (x − y)² / max(σ², eps))  (+ ½·log 2π with ``full``).
    The clamp at eps does not stop the gradient to σ² (as in PyTorch, which clamps a copy without
    recording it)."""
    _check_reduction("gaussian_nll_loss", reduction)
    number = not isinstance(var, Tensor)
    if number:
        var = Tensor(input.xp.full((), var, dtype=input.dtype))
    if var.shape != input.shape and not number:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif var.shape != input.shape[:-1] + (1,):
            raise ValueError(f"gaussian_nll_loss: var is of incorrect size: {var.shape} for input {input.shape}")
    if bool((var.data < 0).any()):
        raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    clamped = var + Tensor(var.xp.maximum(var.data, eps) - var.data)
    losses = 0.5 * (clamped.log() + (input - target) ** 2 / clamped)
    if full:
        losses = losses + 0.5 * math.log(2 * math.pi)
    return _reduce(losses, reduction)


__all__ += ["gaussian_nll_loss", "hinge_embedding_loss", "multi_margin_loss", "multilabel_margin_loss",
            "multilabel_soft_margin_loss", "poisson_nll_loss", "soft_margin_loss"]


# ---- sampling activations, channel operations, adaptive max pooling ------------------------------

def gumbel_softmax(logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10, dim: int = -1) -> Tensor:
    """A differentiable sample from the categorical distribution softmax(logits):
    y = softmax((logits + g)/τ) along ``dim`` with Gumbel noise g = −log(−log u), u ~ U(0, 1).
    τ → 0 makes y one-hot. ``hard``: the one-hot of argmax y in forward, y's gradient in backward
    (the straight-through estimator: y_hard − stop_gradient(y) + y)."""
    uniform = generator(logits.device).random(logits.shape)
    gumbels = Tensor(logits.xp.asarray(-np.log(-np.log(np.clip(uniform, np.finfo(np.float64).tiny, 1.0))))
                     .astype(logits.dtype))
    soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return soft
    xp = logits.xp
    dim = dim % logits.ndim if logits.ndim else 0
    winner = xp.argmax(soft.data, axis=dim)
    one_hot_array = xp.zeros(soft.shape, dtype=soft.dtype)
    xp.put_along_axis(one_hot_array, xp.expand_dims(winner, dim), 1, axis=dim)
    return soft - soft.detach() + Tensor(one_hot_array)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: y = x for x ≥ 0, a·x otherwise, with a ~ U(lower, upper) drawn per
    element in training and a = (lower + upper)/2 in evaluation."""
    if training:
        draw = generator(input.device).random(input.shape)
        slopes = Tensor(input.xp.asarray(lower + (upper - lower) * draw).astype(input.dtype))
    else:
        slopes = (lower + upper) / 2
    return where(input >= 0, input, input * slopes)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, C, *) with its C channels, read as ``groups`` groups of C/groups, interleaved: channel
    g·(C/groups) + i goes to i·groups + g (ShuffleNet); a reshape, a transpose and a reshape."""
    if input.ndim < 3 or groups < 1 or input.shape[1] % groups:
        raise OpError(f"channel_shuffle: expects (N, C, *) with C divisible by groups={groups}, got shape "
                      f"{input.shape}")
    n, c = input.shape[:2]
    grouped = input.reshape((n, groups, c // groups) + input.shape[2:])
    return grouped.transpose(1, 2).reshape(input.shape)


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
    picked = xp.take_along_axis(positions, best.indices.data[..., None], axis=-1)[..., 0]
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


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """Normalisation across neighbouring channels (AlexNet): y_c = x_c / (k + α/n · Σ x²_{c'})^β,
    the sum over the n = ``size`` channels c' from c − ⌊n/2⌋ to c + ⌈n/2⌉ − 1 (zeros past the edges)."""
    if input.ndim < 3:
        raise OpError(f"local_response_norm: expects (N, C, *) input with at least 3 dims, got shape {input.shape}")
    n, c = input.shape[:2]
    squares = (input * input).reshape(n, 1, c, -1)
    padded = pad(squares, (0, 0, size // 2, (size - 1) // 2))
    window_sums = padded.unfold(2, size, 1).sum(dim=-1)
    denominator = (window_sums * (alpha / size) + k) ** beta
    return input / denominator.reshape(input.shape)


__all__ += ["adaptive_max_pool1d", "adaptive_max_pool2d", "channel_shuffle", "gumbel_softmax",
            "local_response_norm", "rrelu"]


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None, max_norm=None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """One vector per bag of indices, without forming the (bag, index, dim) tensor's every row
    separately: out[b] = Σ / mean / max over the indices i of bag b of weight[i] (times
    per_sample_weights[i] with mode 'sum'). Bags are the rows of a 2-D ``input``, or the runs of a
    1-D ``input`` starting at each of ``offsets``. Indices equal to ``padding_idx`` are left out
    (and not counted by 'mean'); an empty bag gives zeros. The sums are an index_add of the rows
    into their bag, so each row's gradient is its bag's (divided by the bag's size for 'mean')."""
    if mode not in ("sum", "mean", "max"):
        raise OpError(f"embedding_bag: mode must be 'sum', 'mean' or 'max', got {mode!r}")
    if max_norm is not None or scale_grad_by_freq:
        raise OpError("embedding_bag: max_norm and scale_grad_by_freq are not supported")
    if per_sample_weights is not None and mode != "sum":
        raise OpError(f"embedding_bag: per_sample_weights is only supported for mode='sum', got mode={mode!r}")
    xp = input.xp
    if input.ndim == 2:
        if offsets is not None:
            raise OpError("embedding_bag: offsets must be None when input is 2-D (each row is a bag)")
        bags, length = input.shape
        bag_of = xp.repeat(xp.arange(bags), length)
        flat = input.reshape(-1)
    elif input.ndim == 1:
        if offsets is None or offsets.ndim != 1:
            raise OpError(f"embedding_bag: a 1-D input needs 1-D offsets, got {None if offsets is None else offsets.shape}")
        starts = offsets.data.astype(np.int64)
        if include_last_offset:
            starts = starts[:-1]
        bags = starts.shape[0]
        if bags and (int(starts[0]) != 0 or bool((xp.diff(starts) < 0).any()) or int(starts[-1]) > input.shape[0]):
            raise OpError(f"embedding_bag: offsets must start at 0 and not decrease, up to the input's length "
                          f"{input.shape[0]}, got {offsets.data.tolist()}")
        bag_of = xp.searchsorted(starts, xp.arange(input.shape[0]), side="right") - 1
        flat = input
    else:
        raise OpError(f"embedding_bag: input must be 1-D (with offsets) or 2-D, got shape {input.shape}")
    keep = xp.ones(flat.shape[0], dtype=bool)
    if padding_idx is not None:
        keep = flat.data != _padding_index(padding_idx, weight.shape[0])
    rows = embedding(Tensor(flat.data[keep]), weight)
    bag_of = bag_of[keep]
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1)[Tensor(xp.flatnonzero(keep))].unsqueeze(-1)
    empty = Tensor(xp.zeros((bags, weight.shape[1]), dtype=weight.dtype))
    if mode == "max":
        index = Tensor(xp.broadcast_to(bag_of[:, None], rows.shape).copy())
        return empty.scatter_reduce(0, index, rows, "amax", include_self=False)
    total = empty.index_add(0, Tensor(bag_of), rows)
    if mode == "sum":
        return total
    counts = xp.bincount(bag_of, minlength=bags).astype(weight.dtype)
    return total / Tensor(xp.maximum(counts, 1)[:, None])


__all__ += ["embedding_bag"]


# ---- power-average pooling and max unpooling -------------------------------------------------------

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
    index = indices.data.reshape(lead + (-1,))
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


__all__ += ["lp_pool1d", "lp_pool2d", "max_unpool1d", "max_unpool2d"]
