"""Rprop: each weight's step grows while its gradient keeps its sign and shrinks when it flips."""

from __future__ import annotations

from ..tensor import Tensor
from .optimizer import USUAL_SWITCHES, Optimizer, followed_gradient


class Rprop(Optimizer):
    """PyTorch's Rprop (resilient backpropagation, the iRprop⁻ variant). Only the gradient's sign
    is used; every weight keeps its own step size Δ (starting at ``lr``). With g = ∇θ (−∇θ with
    ``maximize``) and g_prev the previous step's (zeroed) gradient:

        Δ ← clamp(Δ · η₊, Δmin, Δmax)   where g·g_prev > 0   (same sign: speed up)
        Δ ← clamp(Δ · η₋, Δmin, Δmax)   where g·g_prev < 0   (sign flipped: overshot, slow down,
                                                              and take no step: g ← 0 there)
        θ ← θ − sign(g) · Δ              g_prev ← g

    ``etas`` = (η₋, η₊) with 0 < η₋ < 1 < η₊; ``step_sizes`` = (Δmin, Δmax). Rprop suits full-batch
    training: a noisy mini-batch gradient flips sign often and keeps shrinking the steps.
    """

    switches = USUAL_SWITCHES

    def __init__(self, params, lr: float = 1e-2, etas: tuple = (0.5, 1.2), step_sizes: tuple = (1e-6, 50), *,
                 maximize: bool = False):
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), maximize=maximize))

    def _update(self, param: Tensor, grad, group: dict, state: dict) -> None:
        xp = param.xp
        grad = followed_gradient(param, grad, group)
        if not state:
            state["step"] = 0
            state["prev"] = Tensor(xp.zeros_like(param._data))
            state["step_size"] = Tensor(xp.full_like(param._data, group["lr"]))
        state["step"] += 1
        eta_minus, eta_plus = group["etas"]
        smallest, largest = group["step_sizes"]
        agreement = grad * state["prev"]._data
        factor = xp.where(agreement > 0, eta_plus, xp.where(agreement < 0, eta_minus, 1.0))
        step_size = state["step_size"]._data
        step_size *= factor.astype(step_size.dtype, copy=False)
        xp.clip(step_size, smallest, largest, out=step_size)
        grad = xp.where(factor == eta_minus, 0, grad).astype(param.dtype, copy=False)
        param._data -= xp.sign(grad) * step_size
        state["prev"]._data[...] = grad
