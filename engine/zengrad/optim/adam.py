"""Adam and AdamW: adaptive moment estimation, with L2 or decoupled weight decay."""

from __future__ import annotations

import math

from ..tensor import Tensor
from .optimizer import Optimizer


class Adam(Optimizer):
    """PyTorch's Adam. At step t, with g = ∇θ (+ weight_decay·θ for Adam's L2 form):

        m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²
        (amsgrad: v̂ ← max(v̂, v), used in place of v below)
        θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + eps)

    With ``decoupled_weight_decay=True`` it is AdamW: θ ← θ·(1 − lr·weight_decay) before the step,
    and no decay term in g.
    """

    switches = ("foreach", "capturable", "differentiable", "fused")
    _options_added_later = ("decoupled_weight_decay",)

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _update(self, param: Tensor, grad, group: dict, state: dict) -> None:
        xp = param.xp
        if group["maximize"]:
            grad = -grad
        lr, (beta1, beta2), eps, decay = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = Tensor(xp.zeros_like(param._data))
            state["exp_avg_sq"] = Tensor(xp.zeros_like(param._data))
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = Tensor(xp.zeros_like(param._data))
        state["step"] += 1
        step = state["step"]
        if decay != 0:
            if group["decoupled_weight_decay"]:
                param._data *= 1 - lr * decay
            else:
                grad = grad + decay * param._data
        exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
        scratch = xp.empty_like(exp_avg)  # reused for each pass below, all in place: two temporaries in all
        xp.subtract(grad, exp_avg, out=scratch)  # (out=: on a 0-d parameter NumPy would return a scalar)
        scratch *= 1 - beta1
        exp_avg += scratch
        exp_avg_sq *= beta2
        xp.multiply(grad, 1 - beta2, out=scratch)
        scratch *= grad
        exp_avg_sq += scratch
        if group["amsgrad"]:
            second = state["max_exp_avg_sq"]._data
            xp.maximum(second, exp_avg_sq, out=second)
        else:
            second = exp_avg_sq
        denom = xp.sqrt(second, out=scratch)
        denom /= math.sqrt(1 - beta2 ** step)
        denom += eps
        update = xp.multiply(exp_avg, lr / (1 - beta1 ** step))
        update /= denom
        param._data -= update


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): before the Adam step,
    θ ← θ·(1 − lr·weight_decay), and the gradient itself carries no decay term. Default
    weight_decay = 0.01, as in PyTorch."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize, decoupled_weight_decay=True)
