"""ASGD: SGD with a decaying learning rate that also keeps a running average of the weights."""

from __future__ import annotations

from ..tensor import Tensor
from .optimizer import USUAL_SWITCHES, Optimizer, followed_gradient


class ASGD(Optimizer):
    """PyTorch's averaged SGD (Polyak–Ruppert averaging). At step t, with g = ∇θ (−∇θ with
    ``maximize``) + weight_decay·θ, and η, μ from the previous step (η₀ = lr, μ₀ = 1):

        θ ← θ·(1 − λ·η) − η·g                  (a step with weight decay λ)
        ā ← ā + μ·(θ − ā)                       (the average; ā = θ while μ = 1)
        η ← lr / (1 + λ·lr·t)^α                 μ ← 1 / max(1, t − t₀)

    Averaging starts after t₀ steps; ``state["ax"]`` holds the averaged weights ā (copy them into
    the model to evaluate the average, as with PyTorch's ASGD).
    """

    switches = USUAL_SWITCHES

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75, t0: float = 1e6,
                 weight_decay: float = 0.0, *, maximize: bool = False):
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      maximize=maximize))

    def _update(self, param: Tensor, grad, group: dict, state: dict) -> None:
        xp = param.xp
        grad = followed_gradient(param, grad, group)
        if not state:
            state["step"] = 0
            state["eta"] = group["lr"]
            state["mu"] = 1.0
            state["ax"] = Tensor(xp.zeros_like(param._data))
        state["step"] += 1
        eta, lambd = state["eta"], group["lambd"]
        param._data *= param.dtype.type(1 - lambd * eta)
        param._data -= (eta * grad).astype(param.dtype, copy=False)
        average = state["ax"]._data
        if state["mu"] != 1:
            average += (param._data - average) * param.dtype.type(state["mu"])
        else:
            average[...] = param._data
        step, lr = state["step"], group["lr"]
        state["eta"] = lr / ((1 + lambd * lr * step) ** group["alpha"])
        state["mu"] = 1 / max(1, step - group["t0"])
