"""Losses. Reductions follow PyTorch: ``reduction='mean'`` (default) averages the per-element
losses, ``'sum'`` adds them, ``'none'`` returns them unreduced. Elementwise losses require input and
target of one shape (PyTorch broadcasts with a warning). Cross-entropy and BCE-with-logits are one
fused node each (softmax/sigmoid and log in one stable pass, gradient p − y)."""

from __future__ import annotations

import math
import warnings

import numpy as np

from ... import backend, kernels
from ...autograd import Function, named
from ...errors import DtypeError, OpError
from ...grad_mode import is_grad_enabled
from ...ops import log_softmax
from ...ops import where
from ...ops._util import unbroadcast
from ...ops.activation import logsigmoid
from ...tensor import Tensor
from .attention import MaskedSoftmax
from .distance import pairwise_distance


_REDUCTIONS = ("mean", "sum", "none")


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def resolve_reduction(name: str, reduction: str, size_average=None, reduce=None) -> str:
    """``reduction``, checked; or, where PyTorch's deprecated flags ``size_average``/``reduce`` are
    given (either unset counts as True), the reduction they name there: 'none' unless ``reduce``,
    else 'mean' if ``size_average``, else 'sum'."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
        warnings.warn(f"{name}: size_average and reduce are deprecated, please use reduction={reduction!r} instead",
                      UserWarning, stacklevel=3)
    if reduction not in _REDUCTIONS:
        raise OpError(f"{name}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    return reduction


def _reduce_weighted(name: str, losses: Tensor, weight: Tensor | None, reduction: str,
                     mean_over_weights: bool = True) -> Tensor:
    """wᵢℓᵢ reduced, for w of the losses' shape: 'mean' is Σ wᵢℓᵢ / Σ wᵢ (``mean_over_weights``, as
    PyTorch's mse and l1 losses) or Σ wᵢℓᵢ / n (as its huber loss), 'sum' Σ wᵢℓᵢ."""
    if weight is None:
        return _reduce(losses, reduction)
    if weight.shape != losses.shape:
        raise ValueError(f"{name}: weight shape {weight.shape} must equal the input shape {losses.shape}")
    weighted = losses * weight
    if reduction == "mean" and mean_over_weights:
        return weighted.sum() / weight.sum()
    return _reduce(weighted, reduction)


def _check_same_shape(name: str, input: Tensor, target: Tensor) -> None:
    if input.shape != target.shape:
        raise OpError(f"{name}: target shape {target.shape} differs from input shape {input.shape}")


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """ℓᵢ = (xᵢ − yᵢ)² (times wᵢ with ``weight``, 'mean' then dividing by Σ wᵢ).

    Input and target must have the same shape: zengrad raises ValueError where PyTorch would
    broadcast with a warning (a frequent silent bug, e.g. (N, 1) against (N,)).
    """
    reduction = resolve_reduction("mse_loss", reduction, size_average, reduce)
    _check_same_shape("mse_loss", input, target)
    return named(_reduce_weighted("mse_loss", (input - target) ** 2, weight, reduction), "MseLossBackward0")


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


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """ℓᵢ = −wᵢ [yᵢ log xᵢ + (1 − yᵢ) log(1 − xᵢ)] for probabilities xᵢ ∈ [0, 1] (logs clamped ≥ −100)."""
    reduction = resolve_reduction("binary_cross_entropy", reduction, size_average, reduce)
    _check_same_shape("binary_cross_entropy", input, target)
    data = input._data
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


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                                     reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """BCE on logits: ℓᵢ = wᵢ [max(xᵢ, 0) − xᵢyᵢ + log(1 + e^−|xᵢ|)] = wᵢ BCE(σ(xᵢ), yᵢ), computed stably.

    ``pos_weight`` (broadcast over the last dimension) multiplies the positive term. Without
    ``weight`` the loss and its reduction are one node.
    """
    reduction = resolve_reduction("binary_cross_entropy_with_logits", reduction, size_average, reduce)
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
        raise DtypeError(f"{name}: class targets must be an integer tensor (int64), got {target.dtype}")
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
    if weight is not None and tuple(weight.shape) != (classes,):
        raise OpError(f"{name}: weight tensor should be defined either for all {classes} classes or no classes "
                      f"but got weight tensor of shape {tuple(weight.shape)}")
    xp = input.xp
    flat_target = target._data.reshape(-1)
    keep = flat_target != ignore_index
    bad = flat_target[keep & ((flat_target < 0) | (flat_target >= classes))]
    if bad.size:
        raise IndexError(f"{name}: target {int(bad[0])} is out of bounds for {classes} classes")
    safe_target = xp.where(keep, flat_target, 0)
    class_weight = xp.ones(classes, dtype=input.dtype) if weight is None else weight._data.astype(input.dtype)
    return _class_last(input), safe_target, class_weight[safe_target] * keep, unbatched


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C) or (N, C, d...) for class
    indices ``target`` (N) or (N, d...):  ℓᵢ = −w[yᵢ]·input[i, yᵢ], and ℓᵢ = 0 where yᵢ = ignore_index.

    'mean' divides by Σ w[yᵢ] over the targets not ignored (by their count without ``weight``).
    An input of shape (C,) with a 0-d target is one unbatched sample.
    """
    reduction = resolve_reduction("nll_loss", reduction, size_average, reduce)
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
    The log Σ exp is taken after subtracting each row's maximum (no overflow), in one kernel
    (:func:`zengrad.kernels.cross_entropy_forward`: C++ on the CPU).

    ∂ℓ/∂x = (softmax(x) − onehot(y)) ⊙ w·g  (w·g/Σw for 'mean'). When no graph of the gradient
    is asked for, backward reads softmax(x) = e^{x − max} / Σ e^{x − max} off what forward kept and
    works on that one array; with ``create_graph`` it is Tensor ops on one softmax node, so the
    loss can be differentiated twice. The targets and weights are settings: nothing flows back to
    them.
    """

    node_name = "NllLossBackward0"  # PyTorch's cross_entropy ends in nll_loss

    def __init__(self, target, sample_weight, reduction: str):
        self.target, self.sample_weight, self.reduction = target, sample_weight, reduction

    def forward(self, x):
        self.exp_shifted, self.exp_sums, losses = kernels.cross_entropy_forward(x, self.target)
        losses *= self.sample_weight
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
            scale = weight * g._data  # g: a scalar, or one value per row for 'none'
            grad = self.exp_shifted * (scale / self.exp_sums)[:, None]  # a new array: backward may run again
            grad[rows, self.target] -= scale
            return (Tensor(grad),)
        onehot = xp.zeros(x.shape, dtype=x.dtype)
        onehot[rows, self.target] = 1
        scale = (g.reshape(-1, 1) if self.reduction == "none" else g) * Tensor(weight.reshape(-1, 1))
        return (MaskedSoftmax.apply(x) - Tensor(onehot)) * scale


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
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
    reduction = resolve_reduction("cross_entropy", reduction, size_average, reduce)
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
    keep = target._data != ignore_index
    losses = -log_probs.sum(dim=class_dim) * Tensor(keep.astype(log_probs.dtype)) / classes
    if reduction == "mean":
        kept = target._data[keep]
        divisor = weight._data[kept].sum() if weight is not None else kept.size
        return losses.sum() / Tensor(log_probs.xp.asarray(divisor, dtype=log_probs.dtype))
    return _reduce(losses, reduction)


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """Kullback–Leibler divergence with ``input`` = log q:  ℓᵢ = yᵢ·(log yᵢ − log qᵢ), taken as 0
    where yᵢ = 0; with ``log_target`` the target is log y and ℓᵢ = e^{yᵢ}·(yᵢ − log qᵢ).
    'batchmean' divides the sum by the batch size input.shape[0] (the true KL per sample);
    'mean' divides by the number of elements, as PyTorch does."""
    if reduction != "batchmean":
        reduction = resolve_reduction("kl_div", reduction, size_average, reduce)
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


def _piecewise_quadratic(name, input, target, reduction, width: float, linear_slope: float,
                         weight: Tensor | None = None) -> Tensor:
    """The quadratic-near-zero, linear-far loss shared by huber and smooth_l1, of d = x − y:
    ½d²·(slope/width) where |d| < width, slope·(|d| − ½width) elsewhere."""
    _check_same_shape(name, input, target)
    if width < 0:
        raise OpError(f"{name}: the width (delta or beta) must be non-negative, got {width}")
    diff = input - target
    size = diff.abs()
    if width == 0:
        return _reduce_weighted(name, size * linear_slope, weight, reduction, mean_over_weights=False)
    losses = where(size < width, diff * diff * (0.5 * linear_slope / width),
                   (size - 0.5 * width) * linear_slope)
    return _reduce_weighted(name, losses, weight, reduction, mean_over_weights=False)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """ℓᵢ = ½dᵢ² if |dᵢ| < δ, else δ(|dᵢ| − ½δ), for dᵢ = xᵢ − yᵢ: squared error near zero,
    absolute error (slope δ) far from it."""
    reduction = resolve_reduction("huber_loss", reduction)
    return _piecewise_quadratic("huber_loss", input, target, reduction, delta, delta, weight)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """ℓᵢ = ½dᵢ²/β if |dᵢ| < β, else |dᵢ| − ½β: huber_loss(δ = β)/β, an L1 loss with a rounded tip
    (β = 0 is the plain L1 loss)."""
    reduction = resolve_reduction("smooth_l1_loss", reduction, size_average, reduce)
    return _piecewise_quadratic("smooth_l1_loss", input, target, reduction, beta, 1.0)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """ℓᵢ = |xᵢ − yᵢ| (the gradient at xᵢ = yᵢ is 0, sign's value there), times wᵢ with ``weight``."""
    reduction = resolve_reduction("l1_loss", reduction, size_average, reduce)
    _check_same_shape("l1_loss", input, target)
    return _reduce_weighted("l1_loss", (input - target).abs(), weight, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """ℓᵢ = max(0, −yᵢ·(x1ᵢ − x2ᵢ) + margin), y = 1 when x1 should rank higher, −1 when x2 should."""
    reduction = resolve_reduction("margin_ranking_loss", reduction, size_average, reduce)
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """ℓᵢ = 1 − cos(x1ᵢ, x2ᵢ) where yᵢ = 1, max(0, cos(x1ᵢ, x2ᵢ) − margin) where yᵢ = −1
    (cosine over the last dim, the norms kept ≥ √1e-12 as PyTorch keeps them)."""
    reduction = resolve_reduction("cosine_embedding_loss", reduction, size_average, reduce)
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
    reduction = resolve_reduction("triplet_margin_loss", reduction, size_average, reduce)
    to_positive = pairwise_distance(anchor, positive, p, eps)
    to_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        to_negative = to_negative.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((to_positive - to_negative + margin).clamp(min=0), reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *, distance_function=None,
                                      margin: float = 1.0, swap: bool = False, reduction: str = "mean") -> Tensor:
    """ℓᵢ = max(0, d(aᵢ, pᵢ) − d(aᵢ, nᵢ) + margin) for any distance function d (default: the
    pairwise 2-norm distance); with ``swap`` the negative's distance is min(d(a, n), d(p, n)).
    The gradient is d's, through the max."""
    reduction = resolve_reduction("triplet_margin_with_distance_loss", reduction, None, None)
    if margin <= 0:
        raise ValueError(f"triplet_margin_with_distance_loss: expected margin to be greater than 0, got {margin} "
                         f"instead")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise OpError(f"triplet_margin_with_distance_loss: The anchor, positive, and negative tensors are expected to "
                      f"have the same number of dimensions, but got: anchor {anchor.ndim}D, positive "
                      f"{positive.ndim}D, and negative {negative.ndim}D inputs")
    distance = pairwise_distance if distance_function is None else distance_function
    to_positive, to_negative = distance(anchor, positive), distance(anchor, negative)
    if swap:
        to_negative = to_negative.minimum(distance(positive, negative))
    return _reduce((to_positive - to_negative + margin).clamp(min=0), reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """ℓᵢ = log(1 + e^(−yᵢxᵢ)) = −log σ(yᵢxᵢ) for labels y = ±1 (a logistic loss), computed as
    −logsigmoid so that it stays finite for large |x| (PyTorch's exp overflows to inf, and its
    gradient to NaN, for yx < −88 in float32)."""
    reduction = resolve_reduction("soft_margin_loss", reduction, size_average, reduce)
    _check_same_shape("soft_margin_loss", input, target)
    return _reduce(-logsigmoid(input * target), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """ℓᵢ = xᵢ where yᵢ = 1, max(0, margin − xᵢ) where yᵢ = −1 (x is typically a distance between
    two inputs that should be small for similar pairs, at least ``margin`` for dissimilar ones)."""
    reduction = resolve_reduction("hinge_embedding_loss", reduction, size_average, reduce)
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
    reduction = resolve_reduction("multi_margin_loss", reduction, size_average, reduce)
    if p not in (1, 2):
        raise OpError(f"multi_margin_loss: only p == 1 and p == 2 supported, got {p}")
    scores, target, single = _class_scores("multi_margin_loss", input, target)
    target = target.reshape(-1)
    if target.shape[0] != scores.shape[0]:
        raise OpError(f"multi_margin_loss: target of shape {target.shape} for input of shape {input.shape}")
    classes = scores.shape[1]
    if target.numel() and (int(target._data.min()) < 0 or int(target._data.max()) >= classes):
        raise IndexError(f"multi_margin_loss: target out of range for {classes} classes")
    true_score = scores.gather(1, target.reshape(-1, 1))
    hinge = (margin - true_score + scores).clamp(min=0)
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * weight[target._data].reshape(-1, 1)
    others = Tensor(scores.xp.arange(classes)[None, :] != target._data.reshape(-1, 1))
    losses = where(others, hinge, hinge * 0).sum(dim=1) / classes
    return _reduce(losses.reshape(()) if single else losses, reduction)


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """Multi-label hinge loss: each row of ``target`` lists the true classes of its sample, ended
    by the first −1. ℓₙ = Σ_{j listed} Σ_{i not listed} max(0, 1 − (x[j] − x[i])) / C."""
    reduction = resolve_reduction("multilabel_margin_loss", reduction, size_average, reduce)
    scores, target, single = _class_scores("multilabel_margin_loss", input, target)
    if target.shape != scores.shape:
        raise OpError(f"multilabel_margin_loss: target shape {target.shape} must match input shape {input.shape}")
    xp, classes = scores.xp, scores.shape[1]
    labels = target._data
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
    reduction = resolve_reduction("multilabel_soft_margin_loss", reduction, size_average, reduce)
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
    reduction = resolve_reduction("poisson_nll_loss", reduction, size_average, reduce)
    losses = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        xp = target.xp
        y = target._data
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
    reduction = resolve_reduction("gaussian_nll_loss", reduction)
    number = not isinstance(var, Tensor)
    if number:
        var = Tensor(input.xp.full((), var, dtype=input.dtype))
    if var.shape != input.shape and not number:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif var.shape != input.shape[:-1] + (1,):
            raise ValueError(f"gaussian_nll_loss: var is of incorrect size: {var.shape} for input {input.shape}")
    if bool((var._data < 0).any()):
        raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    clamped = var + Tensor(var.xp.maximum(var._data, eps) - var._data)
    losses = 0.5 * (clamped.log() + (input - target) ** 2 / clamped)
    if full:
        losses = losses + 0.5 * math.log(2 * math.pi)
    return _reduce(losses, reduction)
