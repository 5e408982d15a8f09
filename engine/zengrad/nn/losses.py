"""Loss modules: thin wrappers around :mod:`zengrad.nn.functional`, where the math lives.

``reduction`` is 'mean' (default), 'sum' or 'none', as in PyTorch.
"""

from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .module import Module


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        F._check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, reduction: str = "mean"):
        super().__init__(reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """ℓᵢ = (xᵢ − yᵢ)², reduced by ``reduction``."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """ℓᵢ = −wᵢ [yᵢ log xᵢ + (1 − yᵢ) log(1 − xᵢ)] on probabilities x ∈ [0, 1]; logs clamped ≥ −100."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """BCE of σ(x) computed from logits x stably: ℓᵢ = wᵢ [max(xᵢ, 0) − xᵢyᵢ + log(1 + e^−|xᵢ|)]."""

    def __init__(self, weight: Tensor | None = None, reduction: str = "mean", pos_weight: Tensor | None = None):
        super().__init__(weight, reduction)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class NLLLoss(_WeightedLoss):
    """ℓᵢ = −w[yᵢ]·x[i, yᵢ] on log-probabilities x (N, C) or (N, C, d...), targets ≠ ignore_index;
    'mean' divides by Σ w[yᵢ]."""

    def __init__(self, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """ℓᵢ = −w[yᵢ]·log softmax(xᵢ)[yᵢ] for logits x (N, C) or (N, C, d...) and int64 class targets
    (or class probabilities of x's shape); = NLLLoss(LogSoftmax(dim=1)(x), y)."""

    def __init__(self, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction)
