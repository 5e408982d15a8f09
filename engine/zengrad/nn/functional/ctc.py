"""Connectionist temporal classification (CTC) loss, as ``torch.nn.functional.ctc_loss``.

A label sequence l = (l₁ … l_L) is read from T frames of class log-probabilities by any path that
emits, per frame, a class or the blank, and that collapses to l once repeats are merged and blanks
dropped. The loss is −log p(l | x), p the sum over all such paths of Π_t y_t(path_t), computed
with the forward (α) and backward (β) recursions over the extended label
l' = (blank, l₁, blank, l₂, …, l_L, blank) of S = 2L + 1 states, in log space:

    α_0(0) = lp_0(blank),  α_0(1) = lp_0(l₁)
    α_t(s) = lp_t(l'_s) + logsumexp(α_{t−1}(s), α_{t−1}(s − 1), α_{t−1}(s − 2) if l'_s ≠ blank and l'_s ≠ l'_{s−2})
    −loss  = logsumexp(α_{T−1}(S − 1), α_{T−1}(S − 2))

and β the same from the end. Σ_s α_t(s)β_t(s) over the states of class c counts lp_t(c) twice,
so the posterior of class c at frame t is γ_t(c) = exp(logsumexp_{s: l'_s = c}(α_t(s) + β_t(s)) −
lp_t(c) + loss). The gradient of the loss with respect to lp_t(c) is −γ_t(c); PyTorch returns
exp(lp_t(c)) − γ_t(c) instead — the gradient with respect to the logits when lp = log_softmax(logits),
which log_softmax's backward passes on unchanged (its entries sum to 0 over c) — and so does this
module, so that gradients match PyTorch's whether or not a log_softmax comes first. Frames past a
sample's input length get no gradient.
"""

from __future__ import annotations

import numpy as np

from ...autograd import Function
from ...errors import OpError
from ...tensor import Tensor
from .losses import resolve_reduction


def _logsumexp(*terms):
    """log Σ exp over arrays of one shape, −inf where every term is −inf."""
    stacked = np.stack(terms)
    top = stacked.max(axis=0)
    finite = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.exp(stacked - finite).sum(axis=0)) + finite


def _extended(target: np.ndarray, blank: int) -> np.ndarray:
    """l' = (blank, l₁, blank, …, l_L, blank)."""
    extended = np.full(2 * len(target) + 1, blank, dtype=np.int64)
    extended[1::2] = target
    return extended


def _recursion(lp: np.ndarray, labels: np.ndarray, blank: int) -> np.ndarray:
    """α (T, S) for frames lp (T, C) and the extended label ``labels`` (reverse both for β)."""
    steps, states = lp.shape[0], len(labels)
    skip = np.zeros(states, dtype=bool)
    skip[2:] = (labels[2:] != blank) & (labels[2:] != labels[:-2])
    alpha = np.full((steps, states), -np.inf)
    alpha[0, :min(2, states)] = lp[0, labels[:2]]
    for t in range(1, steps):
        previous = alpha[t - 1]
        one_back = np.concatenate(([-np.inf], previous))[:states]
        two_back = np.where(skip, np.concatenate(([-np.inf, -np.inf], previous))[:states], -np.inf)
        alpha[t] = lp[t, labels] + _logsumexp(previous, one_back, two_back)
    return alpha


def _one_sample(lp: np.ndarray, target: np.ndarray, blank: int) -> tuple[float, np.ndarray]:
    """The loss −log p(target | lp) of one sample's frames lp (T, C), and PyTorch's gradient (T, C)."""
    labels = _extended(target, blank)
    alpha = _recursion(lp, labels, blank)
    beta = _recursion(lp[::-1], labels[::-1], blank)[::-1, ::-1]
    loss = -float(_logsumexp(alpha[-1, -1], alpha[-1, -2]) if len(labels) > 1 else alpha[-1, -1])
    both = alpha + beta  # (T, S): log of α_t(s)·β_t(s)
    per_class = np.full(lp.shape, -np.inf)
    for c in np.unique(labels):
        per_class[:, c] = _logsumexp(*both[:, labels == c].T)
    with np.errstate(over="ignore", invalid="ignore"):
        grad = np.exp(lp) - np.exp(per_class + loss - lp)
    return loss, grad


class CTCLoss(Function):
    """The per-sample CTC losses (N,) of log_probs (T, N, C); backward: PyTorch's gradient (see the
    module docstring), zero past each input length, and zero for an infinite loss with
    ``zero_infinity``. Not differentiable twice (neither is PyTorch's)."""

    def __init__(self, targets, input_lengths, target_lengths, blank: int, zero_infinity: bool):
        self.targets, self.input_lengths, self.target_lengths = targets, input_lengths, target_lengths
        self.blank, self.zero_infinity = blank, zero_infinity

    def forward(self, log_probs):
        lp = np.asarray(log_probs, dtype=np.float64)
        losses, self.grad = np.zeros(lp.shape[1]), np.zeros(lp.shape)
        for n, (length, target) in enumerate(zip(self.input_lengths, self.targets)):
            losses[n], self.grad[:length, n] = _one_sample(lp[:length, n], target, self.blank)
            if self.zero_infinity and np.isinf(losses[n]):
                losses[n], self.grad[:, n] = 0.0, 0.0
        return losses.astype(log_probs.dtype)

    def backward(self, g):
        return g.reshape(1, -1, 1) * Tensor(self.grad.astype(g.dtype))


def _lengths(name: str, lengths, count: int) -> np.ndarray:
    """Input or target lengths given as a tensor, a list or an int, as a (count,) int array."""
    values = np.asarray(lengths._data if isinstance(lengths, Tensor) else lengths).reshape(-1)
    if values.size != count or (values.size and not np.issubdtype(values.dtype, np.integer)):
        raise OpError(f"ctc_loss: {name} must be {count} integers, got {lengths!r}")
    return values.astype(np.int64)


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """The CTC loss −log p(target | log_probs) (see the module docstring for the recursion and the
    gradient), as ``torch.nn.functional.ctc_loss``: log_probs (T, N, C) (log-softmax outputs) or
    (T, C) for one sample; targets (N, S) padded, or all targets concatenated (1-D), or (S,) for
    one sample; input_lengths and target_lengths per sample. 'mean' divides each loss by its
    target length (at least 1) and averages over the batch; ``zero_infinity`` turns the infinite
    losses of impossible alignments (and their gradients) into zeros."""
    reduction = resolve_reduction("ctc_loss", reduction)
    if log_probs.ndim not in (2, 3):
        raise OpError(f"ctc_loss: log_probs must be (T, N, C) or (T, C), got shape {log_probs.shape}")
    unbatched = log_probs.ndim == 2
    batch = log_probs.unsqueeze(1) if unbatched else log_probs
    steps, count, classes = batch.shape
    if not 0 <= blank < classes:
        raise OpError(f"ctc_loss: blank must be in label range, got blank {blank} for {classes} classes")
    in_lengths = _lengths("input_lengths", input_lengths, count)
    out_lengths = _lengths("target_lengths", target_lengths, count)
    if in_lengths.size and (in_lengths.max() > steps or in_lengths.min() < 0):
        raise OpError(f"ctc_loss: Expected input_lengths to have value at most {steps}, but got {in_lengths.tolist()}")
    labels = np.asarray(targets._data if isinstance(targets, Tensor) else targets)
    if not np.issubdtype(labels.dtype, np.integer):
        raise OpError(f"ctc_loss: targets must be integers, got {labels.dtype}")
    if unbatched:
        labels = labels.reshape(1, -1)
    if labels.ndim == 2:  # padded (N, S)
        if labels.shape[0] != count or (out_lengths.size and out_lengths.max() > labels.shape[1]):
            raise OpError(f"ctc_loss: padded targets of shape {labels.shape} do not hold target_lengths "
                          f"{out_lengths.tolist()} for a batch of {count}")
        rows = [labels[n, :length] for n, length in enumerate(out_lengths)]
    else:  # concatenated
        if out_lengths.sum() != labels.size:
            raise OpError(f"ctc_loss: concatenated targets of size {labels.size} do not hold target_lengths "
                          f"{out_lengths.tolist()}")
        rows = np.split(labels, np.cumsum(out_lengths)[:-1])
    if any(row.size and (row.min() < 0 or row.max() >= classes) for row in rows):
        raise OpError(f"ctc_loss: a target is outside the class range [0, {classes})")
    losses = CTCLoss.apply(batch, targets=rows, input_lengths=in_lengths, target_lengths=out_lengths, blank=blank,
                           zero_infinity=zero_infinity)
    if reduction == "mean":
        return (losses / Tensor(np.maximum(out_lengths, 1).astype(losses.dtype))).mean()
    if reduction == "sum":
        return losses.sum()
    return losses.squeeze(0) if unbatched else losses
