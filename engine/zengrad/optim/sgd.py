"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from ..tensor import Tensor
from .optimizer import Optimizer


class SGD(Optimizer):
    """PyTorch's SGD. With g = ∇θ (+ weight_decay·θ), momentum μ and dampening τ:

        b ← g at the first step, then b ← μ·b + (1 − τ)·g
        g ← g + μ·b  (nesterov)   or   g ← b  (otherwise)       [when μ ≠ 0]
        θ ← θ − lr·g          (θ ← θ + lr·g with maximize=True)
    """

    switches = ("foreach", "differentiable", "fused")

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov, maximize=maximize))

    def _update(self, param: Tensor, grad, group: dict, state: dict) -> None:
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param._data
        momentum = group["momentum"]
        if momentum != 0:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = Tensor(grad.copy())
                state["momentum_buffer"] = buffer
            else:
                buffer._data *= momentum
                buffer._data += (1 - group["dampening"]) * grad
            grad = grad + momentum * buffer._data if group["nesterov"] else buffer._data
        param._data -= (group["lr"] * grad).astype(param.dtype, copy=False)
