"""RMSprop, Adagrad and Adadelta: each parameter's step divided by a running size of its own gradients."""

from __future__ import annotations

from ..tensor import Tensor
from .optimizer import USUAL_SWITCHES, Optimizer, followed_gradient


def _check(name: str, value: float, what: str) -> None:
    if not 0.0 <= value:  # NaN fails too
        raise ValueError(f"Invalid {what}: {value}")




class RMSprop(Optimizer):
    """PyTorch's RMSprop. With g = ∇θ (+ weight_decay·θ):

        v ← α·v + (1 − α)·g²                       (centered: also ḡ ← α·ḡ + (1 − α)·g, v − ḡ² below)
        u = g / (√v + eps)                          (momentum μ > 0: b ← μ·b + u, u = b)
        θ ← θ − lr·u
    """

    switches = USUAL_SWITCHES

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0,
                 momentum: float = 0.0, centered: bool = False, *, maximize: bool = False):
        for value, what in ((lr, "learning rate"), (eps, "epsilon value"), (momentum, "momentum value"),
                            (weight_decay, "weight_decay value"), (alpha, "alpha value")):
            _check("RMSprop", value, what)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered, maximize=maximize))

    def _update(self, param: Tensor, grad, group: dict, state: dict) -> None:
        xp = param.xp
        grad = followed_gradient(param, grad, group)
        if not state:
            state["step"] = 0
            state["square_avg"] = Tensor(xp.zeros_like(param._data))
            if group["momentum"] > 0:
                state["momentum_buffer"] = Tensor(xp.zeros_like(param._data))
            if group["centered"]:
                state["grad_avg"] = Tensor(xp.zeros_like(param._data))
        state["step"] += 1
        alpha = group["alpha"]
        square_avg = state["square_avg"]._data
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state["grad_avg"]._data
            grad_avg += (grad - grad_avg) * (1 - alpha)
            denom = xp.sqrt(square_avg - grad_avg * grad_avg) + group["eps"]
        else:
            denom = xp.sqrt(square_avg) + group["eps"]
        step = grad / denom
        if group["momentum"] > 0:
            buffer = state["momentum_buffer"]._data
            buffer *= group["momentum"]
            buffer += step
            step = buffer
        param._data -= (group["lr"] * step).astype(param.dtype, copy=False)


class Adagrad(Optimizer):
    """PyTorch's Adagrad. At step t, with g = ∇θ (+ weight_decay·θ):

        lr_t = lr / (1 + (t − 1)·lr_decay)
        s ← s + g²                                 (s starts at initial_accumulator_value)
        θ ← θ − lr_t · g / (√s + eps)
    """

    switches = ("foreach", "differentiable", "fused")

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, *, maximize: bool = False):
        for value, what in ((lr, "learning rate"), (lr_decay, "lr_decay value"), (eps, "epsilon value"),
                            (weight_decay, "weight_decay value"),
                            (initial_accumulator_value, "initial_accumulator_value value")):
            _check("Adagrad", value, what)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay, eps=eps,
                                      initial_accumulator_value=initial_accumulator_value, maximize=maximize))

    def _update(self, param: Tensor, grad, group: dict, state: dict) -> None:
        xp = param.xp
        grad = followed_gradient(param, grad, group)
        if not state:
            state["step"] = 0
            state["sum"] = Tensor(xp.full_like(param._data, group["initial_accumulator_value"]))
        state["step"] += 1
        rate = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        total = state["sum"]._data
        total += grad * grad
        param._data -= (rate * grad / (xp.sqrt(total) + group["eps"])).astype(param.dtype, copy=False)


class Adadelta(Optimizer):
    """PyTorch's Adadelta (Zeiler 2012), default lr 1.0. With g = ∇θ (+ weight_decay·θ):

        v ← ρ·v + (1 − ρ)·g²
        Δ = √(u + eps) / √(v + eps) · g             (u: the running average of past Δ²)
        u ← ρ·u + (1 − ρ)·Δ²
        θ ← θ − lr·Δ
    """

    switches = USUAL_SWITCHES

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0.0,
                 *, maximize: bool = False):
        for value, what in ((lr, "learning rate"), (eps, "epsilon value"), (weight_decay, "weight_decay value")):
            _check("Adadelta", value, what)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize))

    def _update(self, param: Tensor, grad, group: dict, state: dict) -> None:
        xp = param.xp
        grad = followed_gradient(param, grad, group)
        if not state:
            state["step"] = 0
            state["square_avg"] = Tensor(xp.zeros_like(param._data))
            state["acc_delta"] = Tensor(xp.zeros_like(param._data))
        state["step"] += 1
        rho, eps = group["rho"], group["eps"]
        square_avg, acc_delta = state["square_avg"]._data, state["acc_delta"]._data
        square_avg *= rho
        square_avg += (1 - rho) * grad * grad
        delta = xp.sqrt(acc_delta + eps) / xp.sqrt(square_avg + eps) * grad
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        param._data -= (group["lr"] * delta).astype(param.dtype, copy=False)
