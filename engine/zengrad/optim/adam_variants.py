"""Adamax, NAdam and RAdam: Adam's two running moments, each with another step.

All three follow PyTorch's update rules and defaults. With g = ∇θ (negated with ``maximize``;
plus weight_decay·θ for the L2 form of weight decay) at step t:

    m ← β₁·m + (1 − β₁)·g          (Adam's first moment, in all three)
"""

from __future__ import annotations

import math

from ..tensor import Tensor
from .optimizer import USUAL_SWITCHES, Optimizer, followed_gradient
from .rmsprop import _check


def _check_adam_options(name: str, lr: float, betas: tuple, eps: float, weight_decay: float) -> None:
    for value, what in ((lr, "learning rate"), (eps, "epsilon value"), (weight_decay, "weight_decay value")):
        _check(name, value, what)
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")


def _moments(param: Tensor, grad, beta1: float, beta2: float | None, state: dict):
    """Advance the step count and m (and v ← β₂·v + (1 − β₂)·g² when β₂ is given), in place."""
    xp = param.xp
    if "exp_avg" not in state:
        state.setdefault("step", 0)
        state["exp_avg"] = Tensor(xp.zeros_like(param._data))
        state["exp_avg_sq" if beta2 is not None else "exp_inf"] = Tensor(xp.zeros_like(param._data))
    state["step"] += 1
    exp_avg = state["exp_avg"]._data
    exp_avg += (grad - exp_avg) * (1 - beta1)
    if beta2 is not None:
        exp_avg_sq = state["exp_avg_sq"]._data
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
    return state["step"], exp_avg


def _decayed_gradient(param: Tensor, grad, group: dict):
    """The gradient followed, with decoupled weight decay (θ ← θ·(1 − lr·weight_decay) first) when
    the group asks for it, else weight decay's L2 form inside the gradient."""
    if group.get("decoupled_weight_decay") and group["weight_decay"] != 0:
        param._data *= 1 - group["lr"] * group["weight_decay"]
        return -grad if group["maximize"] else grad
    return followed_gradient(param, grad, group)


class Adamax(Optimizer):
    """PyTorch's Adamax (Adam with the infinity norm), default lr 2e-3:

        u ← max(β₂·u, |g| + eps)
        θ ← θ − (lr / (1 − β₁ᵗ)) · m / u
    """

    switches = USUAL_SWITCHES

    def __init__(self, params, lr: float = 2e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, *, maximize: bool = False):
        _check_adam_options("Adamax", lr, betas, eps, weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _update(self, param: Tensor, grad, group: dict, state: dict) -> None:
        xp = param.xp
        grad = followed_gradient(param, grad, group)
        beta1, beta2 = group["betas"]
        step, exp_avg = _moments(param, grad, beta1, None, state)
        exp_inf = state["exp_inf"]._data
        exp_inf *= beta2
        xp.maximum(exp_inf, xp.abs(grad) + group["eps"], out=exp_inf)
        param._data -= (group["lr"] / (1 - beta1 ** step)) * exp_avg / exp_inf


class NAdam(Optimizer):
    """PyTorch's NAdam (Adam with Nesterov momentum, Dozat 2016), default lr 2e-3. With the momentum
    schedule μₜ = β₁·(1 − ½·0.96^(t·ψ)), ψ = momentum_decay, and Πₜ = μ₁···μₜ:

        v ← β₂·v + (1 − β₂)·g²          d = √(v / (1 − β₂ᵗ)) + eps
        θ ← θ − lr·(1 − μₜ)/(1 − Πₜ) · g/d − lr·μₜ₊₁/(1 − Πₜ·μₜ₊₁) · m/d
    """

    switches = USUAL_SWITCHES

    def __init__(self, params, lr: float = 2e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum_decay: float = 4e-3, *, decoupled_weight_decay: bool = False,
                 maximize: bool = False):
        _check_adam_options("NAdam", lr, betas, eps, weight_decay)
        _check("NAdam", momentum_decay, "momentum_decay value")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize))

    def _update(self, param: Tensor, grad, group: dict, state: dict) -> None:
        xp = param.xp
        grad = _decayed_gradient(param, grad, group)
        beta1, beta2 = group["betas"]
        if not state:
            state.update(step=0, mu_product=1.0)
        step, exp_avg = _moments(param, grad, beta1, beta2, state)
        mu = beta1 * (1 - 0.5 * 0.96 ** (step * group["momentum_decay"]))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * group["momentum_decay"]))
        state["mu_product"] = mu_product = state["mu_product"] * mu
        denom = xp.sqrt(state["exp_avg_sq"]._data / (1 - beta2 ** step)) + group["eps"]
        lr = group["lr"]
        param._data -= (lr * (1 - mu) / (1 - mu_product)) * grad / denom
        param._data -= (lr * mu_next / (1 - mu_product * mu_next)) * exp_avg / denom


class RAdam(Optimizer):
    """PyTorch's RAdam (rectified Adam, Liu et al. 2019), default lr 1e-3. With ρ∞ = 2/(1 − β₂) − 1 and
    ρₜ = ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ), the length of the moving average v approximates:

        v ← β₂·v + (1 − β₂)·g²          m̂ = m / (1 − β₁ᵗ)
        ρₜ > 5:  r = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ)),  θ ← θ − lr·m̂·r·√(1 − β₂ᵗ)/(√v + eps)
        else:    θ ← θ − lr·m̂   (v is too short an average to trust: SGD with momentum)
    """

    switches = USUAL_SWITCHES

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, *, decoupled_weight_decay: bool = False, maximize: bool = False):
        _check_adam_options("RAdam", lr, betas, eps, weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize))

    def _update(self, param: Tensor, grad, group: dict, state: dict) -> None:
        xp = param.xp
        grad = _decayed_gradient(param, grad, group)
        beta1, beta2 = group["betas"]
        step, exp_avg = _moments(param, grad, beta1, beta2, state)
        corrected = exp_avg / (1 - beta1 ** step)
        correction2 = 1 - beta2 ** step
        rho_inf = 2 / (1 - beta2) - 1
        rho = rho_inf - 2 * step * beta2 ** step / correction2
        if rho > 5:
            rect = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            adaptive = math.sqrt(correction2) / (xp.sqrt(state["exp_avg_sq"]._data) + group["eps"])
            param._data -= corrected * group["lr"] * adaptive * rect
        else:
            param._data -= corrected * group["lr"]
