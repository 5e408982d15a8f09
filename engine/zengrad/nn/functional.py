"""Functional forms (``zengrad.nn.functional``, as ``torch.nn.functional``).

Activations come from :mod:`zengrad.ops`; this module adds ``linear``, ``dropout``,
``embedding`` and the losses. Loss reductions follow PyTorch: ``reduction='mean'`` (default)
averages the per-element losses, ``'sum'`` adds them, ``'none'`` returns them unreduced.
Elementwise losses require input and target of one shape (PyTorch broadcasts with a warning).
"""

from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd import Function
from ..creation import generator
from ..ops import leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from ..ops._util import unbroadcast
from ..tensor import Tensor

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "dropout",
           "embedding", "leaky_relu", "linear", "log_softmax", "mse_loss", "nll_loss", "relu",
           "sigmoid", "softmax", "tanh"]

_REDUCTIONS = ("mean", "sum", "none")


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b for x of shape (*, in), W of shape (out, in), b of shape (out,)."""
    if input.shape[-1:] != weight.shape[1:]:
        raise ValueError(f"linear: input of shape {input.shape} does not fit weight of shape "
                         f"{weight.shape} (expected last dimension {weight.shape[1]})")
    out = input @ weight.mT
    return out if bias is None else out + bias


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
