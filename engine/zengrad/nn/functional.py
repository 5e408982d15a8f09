"""Functional forms (``zengrad.nn.functional``, as ``torch.nn.functional``).

Activations come from :mod:`zengrad.ops`; this module adds ``linear``, ``dropout``,
``embedding``, the convolutions (``conv2d``, ``conv_transpose2d``, built on ``unfold``/``fold``)
and the losses. Loss reductions follow PyTorch: ``reduction='mean'`` (default)
averages the per-element losses, ``'sum'`` adds them, ``'none'`` returns them unreduced.
Elementwise losses require input and target of one shape (PyTorch broadcasts with a warning).
"""

from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd import Function
from ..creation import generator
from ..ops import cat, leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from ..ops.conv import _check_geometry, _pair, blocks, fold, unfold
from ..ops.matmul import linear as linear_node
from ..ops._util import unbroadcast
from ..tensor import Tensor

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "conv2d", "conv_transpose2d",
           "cross_entropy", "dropout", "embedding", "fold", "leaky_relu", "linear", "log_softmax",
           "mse_loss", "nll_loss", "relu", "sigmoid", "softmax", "tanh", "unfold"]

_REDUCTIONS = ("mean", "sum", "none")


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b for x of shape (*, in), W of shape (out, in), and b of shape (out,) or any shape
    that broadcasts to the output (a (out,) bias joins the one ``Linear`` node; others are added)."""
    if weight.ndim != 2:
        raise ValueError(f"linear: expected a 2-D weight (out, in), got shape {weight.shape}")
    if input.ndim < 1 or input.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: input of shape {input.shape} does not fit weight of shape "
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
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = generator(input.device).random(input.shape) >= p
    return input * Tensor((keep / (1.0 - p)).astype(input.dtype))


def embedding(input: Tensor, weight: Tensor) -> Tensor:
    """Rows of ``weight`` picked by the integer indices in ``input``: out[..., :] = weight[input[...]].

    Backward adds each output row's gradient into the row it came from, so repeated indices
    accumulate.
    """
    if input.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be an integer tensor, got {input.dtype}")
    if input.numel():
        low, high = int(input.data.min()), int(input.data.max())
        if low < 0 or high >= weight.shape[0]:
            bad = low if low < 0 else high
            raise IndexError(f"embedding: index {bad} is out of range for an embedding of "
                             f"{weight.shape[0]} rows")
    return weight[input]


# ---- convolutions ---------------------------------------------------------------------------

def _batched(op: str, input: Tensor) -> tuple[Tensor, bool]:
    """A 3-D (C, H, W) input as a batch of one; anything else but 4-D is an error."""
    if input.ndim == 3:
        return input.unsqueeze(0), True
    if input.ndim != 4:
        raise ValueError(f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {input.shape}")
    return input, False


def _check_groups(op: str, groups: int, channels: int, other: int, input_shape, weight_shape) -> None:
    if not isinstance(groups, int) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    if channels % groups or other % groups:
        raise ValueError(f"{op}: groups={groups} must divide the input channels and the output channels "
                         f"(input shape {tuple(input_shape)}, weight shape {tuple(weight_shape)})")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """2-D cross-correlation, as ``torch.nn.functional.conv2d``:

        y[n, o, oy, ox] = b[o] + Σ_{c, i, j} W[o, c, i, j] · x_padded[n, g(o)·C/g + c, oy·s + i·d, ox·s + j·d]

    for x of shape (N, C, H, W), W of shape (O, C/groups, kh, kw), output (N, O, H_out, W_out) with
    H_out = ⌊(H + 2p − d(kh − 1) − 1)/s⌋ + 1. Computed as im2col + one matrix product per group:
    cols = unfold(x) has shape (N, C·kh·kw, L) and y = W.reshape(O, C·kh·kw) @ cols. The gradients
    follow from the ops used: the weight's is Σ_n g colsᵀ, the input's is fold(Wᵀ g).
    """
    input, unbatched = _batched("conv2d", input)
    if weight.ndim != 4:
        raise ValueError(f"conv2d: expected a 4-D weight (out, in/groups, kh, kw), got shape {weight.shape}")
    n, channels, height, width = input.shape
    out_channels, group_channels, kh, kw = weight.shape
    _check_groups("conv2d", groups, channels, out_channels, input.shape, weight.shape)
    if group_channels * groups != channels:
        raise ValueError(f"conv2d: input of shape {input.shape} has {channels} channels but weight of shape "
                         f"{weight.shape} expects {group_channels * groups} (in/groups = {group_channels}, "
                         f"groups = {groups})")
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(f"conv2d: bias of shape {bias.shape} does not fit {out_channels} output channels")
    stride, padding, dilation = (_pair(stride, "stride", "conv2d"), _pair(padding, "padding", "conv2d"),
                                 _pair(dilation, "dilation", "conv2d"))
    _check_geometry("conv2d", input.shape, (kh, kw), dilation, padding, stride)
    out_h = blocks(height, kh, dilation[0], padding[0], stride[0])
    out_w = blocks(width, kw, dilation[1], padding[1], stride[1])
    cols = unfold(input, (kh, kw), dilation, padding, stride)
    cols = cols.reshape(n, groups, group_channels * kh * kw, out_h * out_w)
    out = weight.reshape(groups, out_channels // groups, group_channels * kh * kw) @ cols
    out = out.reshape(n, out_channels, out_h, out_w)
    if bias is not None:
        out = out + bias.reshape(1, out_channels, 1, 1)
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
        raise ValueError(f"conv_transpose2d: expected a 4-D weight (in, out/groups, kh, kw), got shape "
                         f"{weight.shape}")
    n, channels, height, width = input.shape
    weight_channels, group_out, kh, kw = weight.shape
    out_channels = group_out * groups
    _check_groups("conv_transpose2d", groups, channels, out_channels, input.shape, weight.shape)
    if weight_channels != channels:
        raise ValueError(f"conv_transpose2d: input of shape {input.shape} has {channels} channels but weight "
                         f"of shape {weight.shape} expects {weight_channels}")
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(f"conv_transpose2d: bias of shape {bias.shape} does not fit {out_channels} output "
                         "channels")
    op = "conv_transpose2d"
    stride, padding = _pair(stride, "stride", op), _pair(padding, "padding", op)
    dilation = _pair(dilation, "dilation", op)
    output_padding = _pair(output_padding, "output_padding", op)
    _check_geometry(op, (n, channels, 1, 1), (1, 1), dilation, padding, stride)
    for axis in (0, 1):
        if not 0 <= output_padding[axis] < max(stride[axis], dilation[axis]):
            raise ValueError(f"{op}: output_padding {output_padding} must be smaller than either stride "
                             f"{stride} or dilation {dilation}")
    full = tuple((size - 1) * s + d * (k - 1) + 1 for size, s, d, k in
                 zip((height, width), stride, dilation, (kh, kw)))
    out_size = tuple(f - 2 * p + extra for f, p, extra in zip(full, padding, output_padding))
    if min(out_size) < 1:
        raise ValueError(f"{op}: input of shape {input.shape} with kernel {(kh, kw)}, stride {stride}, "
                         f"padding {padding} and dilation {dilation} gives an empty output {out_size}")
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
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _check_same_shape(name: str, input: Tensor, target: Tensor) -> None:
    if input.shape != target.shape:
        raise ValueError(f"{name}: target shape {target.shape} differs from input shape {input.shape}")


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
        raise ValueError("binary_cross_entropy: all elements of input should be between 0 and 1")
    losses = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        losses = losses * weight
    return _reduce(losses, reduction)


class BinaryCrossEntropyWithLogits(Function):
    """ℓ = (1 − y)·x + (1 + (p − 1)·y)·softplus(−x), with softplus(−x) = max(−x, 0) + log(1 + e^−|x|).

    Without ``pos_weight`` (p = 1) this is the stable max(x, 0) − x·y + log(1 + e^−|x|): no
    exp of a large positive number is ever taken.
    ∂ℓ/∂x = (1 − y) − (1 + (p − 1)y)·σ(−x)  (= σ(x) − y for p = 1);
    ∂ℓ/∂y = −x + (p − 1)·softplus(−x);  ∂ℓ/∂p = y·softplus(−x).
    """

    def forward(self, x, y, pos_weight=None):
        xp = backend.array_module(backend.device_of(x))
        softplus_neg = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))
        if pos_weight is None:
            return (1 - y) * x + softplus_neg
        return (1 - y) * x + (1 + (pos_weight - 1) * y) * softplus_neg

    def backward(self, g):
        x, y = self.inputs[:2]
        pos_weight = self.inputs[2] if len(self.inputs) > 2 else None
        softplus_neg = (-x).relu() + (1 + (-x.abs()).exp()).log()
        grads = []
        if pos_weight is None:
            grads.append(g * ((1 - y) - (-x).sigmoid()) if self.needs_grad(0) else None)
            grads.append(g * -x if self.needs_grad(1) else None)
            return tuple(grads)
        scale = 1 + (pos_weight - 1) * y
        grads.append(g * ((1 - y) - scale * (-x).sigmoid()) if self.needs_grad(0) else None)
        grads.append(g * ((pos_weight - 1) * softplus_neg - x) if self.needs_grad(1) else None)
        grads.append(unbroadcast(g * y * softplus_neg, pos_weight.shape) if self.needs_grad(2) else None)
        return tuple(grads)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     reduction: str = "mean", pos_weight: Tensor | None = None) -> Tensor:
    """BCE on logits: ℓᵢ = wᵢ [max(xᵢ, 0) − xᵢyᵢ + log(1 + e^−|xᵢ|)] = wᵢ BCE(σ(xᵢ), yᵢ), computed stably.

    ``pos_weight`` (broadcast over the last dimension) multiplies the positive term.
    """
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    _check_same_shape("binary_cross_entropy_with_logits", input, target)
    if pos_weight is None:
        losses = BinaryCrossEntropyWithLogits.apply(input, target)
    else:
        losses = BinaryCrossEntropyWithLogits.apply(input, target, pos_weight)
    if weight is not None:
        losses = losses * weight
    return _reduce(losses, reduction)


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
        raise ValueError(f"{name}: target shape {target.shape} does not fit input shape {input.shape} "
                         f"(expected {expected})")


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C) or (N, C, d...) for class
    indices ``target`` (N) or (N, d...):  ℓᵢ = −w[yᵢ]·input[i, yᵢ], and ℓᵢ = 0 where yᵢ = ignore_index.

    'mean' divides by Σ w[yᵢ] over the targets not ignored (by their count without ``weight``).
    An input of shape (C,) with a 0-d target is one unbatched sample.
    """
    _check_reduction("nll_loss", reduction)
    if input.ndim == 1:
        input, target, unbatched = input.unsqueeze(0), target.reshape(1), True
    else:
        unbatched = False
    if input.ndim < 2:
        raise ValueError(f"nll_loss: expected input of shape (N, C) or (N, C, d...), got {input.shape}")
    _check_class_target("nll_loss", input, target)
    classes = input.shape[1]
    xp = input.xp
    flat_target = target.data.reshape(-1)
    keep = flat_target != ignore_index
    bad = flat_target[keep & ((flat_target < 0) | (flat_target >= classes))]
    if bad.size:
        raise IndexError(f"nll_loss: target {int(bad[0])} is out of bounds for {classes} classes")
    safe_target = xp.where(keep, flat_target, 0)
    rows = _class_last(input)
    picked = rows[xp.arange(rows.shape[0]), safe_target]
    class_weight = xp.ones(classes, dtype=input.dtype) if weight is None else weight.data.astype(input.dtype)
    sample_weight = class_weight[safe_target] * keep
    losses = -picked * Tensor(sample_weight)
    if reduction == "none":
        return losses.reshape(()) if unbatched else losses.reshape(target.shape)
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / Tensor(xp.asarray(sample_weight.sum(), dtype=input.dtype))


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, ignore_index: int = -100,
                  reduction: str = "mean") -> Tensor:
    """Cross-entropy of logits ``input`` (N, C) or (N, C, d...) against ``target``.

    Class indices (integer target of shape (N) or (N, d...)): nll_loss(log_softmax(input, 1), target),
    i.e. ℓᵢ = −w[yᵢ]·(xᵢ,yᵢ − log Σ_c e^{xᵢ,c}), with ``ignore_index`` and weighted mean as in
    :func:`nll_loss`. Class probabilities (a float target of the input's shape):
    ℓᵢ = −Σ_c w_c yᵢ,c log softmax(xᵢ)_c, 'mean' dividing by the number of samples.
    """
    _check_reduction("cross_entropy", reduction)
    class_dim = 0 if input.ndim == 1 else 1
    log_probs = log_softmax(input, dim=class_dim)
    if target.dtype.kind == "f":
        _check_same_shape("cross_entropy", input, target)
        weighted = log_probs * target
        if weight is not None:
            shape = (-1,) + (1,) * (input.ndim - class_dim - 1)
            weighted = weighted * weight.reshape(shape)
        losses = -weighted.sum(dim=class_dim)
        return _reduce(losses, reduction)
    return nll_loss(log_probs, target, weight=weight, ignore_index=ignore_index, reduction=reduction)


# ---- activations, pad and one_hot (their math lives in zengrad.ops) ------------------------

from ..ops.activation import (celu, elu, gelu, glu, hardsigmoid, hardswish, hardtanh, logsigmoid,  # noqa: E402
                              mish, one_hot, prelu, relu6, selu, silu, softplus, softsign)
from ..ops.layout import pad  # noqa: E402

__all__ += ["celu", "elu", "gelu", "glu", "hardsigmoid", "hardswish", "hardtanh", "logsigmoid", "mish",
            "one_hot", "pad", "prelu", "relu6", "selu", "silu", "softplus", "softsign"]
