"""Utilities (``zengrad.nn.utils``): clip_grad_norm_, clip_grad_value_, spectral_norm and
remove_spectral_norm, and WGAN-GP's gradient_penalty (a zengrad addition)."""

from __future__ import annotations

import math

import numpy as np

from ..grad_mode import no_grad
from ..tensor import Tensor
from .gradient_penalty import gradient_penalty
from .spectral_norm import remove_spectral_norm, spectral_norm

__all__ = ["clip_grad_norm_", "clip_grad_value_", "gradient_penalty", "remove_spectral_norm", "spectral_norm"]


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> Tensor:
    """Scale all gradients together so their joint norm is at most ``max_norm``; return the norm.

    total = ‖(‖g₁‖, ‖g₂‖, …)‖ₚ over every parameter with a gradient (p = norm_type, inf allowed);
    each gradient is multiplied by min(1, max_norm / (total + 1e-6)). The scaled gradient
    replaces ``.grad`` (a gradient may be a read-only broadcast view, so it is not written into).
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    parameters = [p for p in parameters if p.grad is not None]
    grads = [p.grad for p in parameters]
    norm_type = float(norm_type)
    if not grads:
        return Tensor(np.zeros((), dtype=np.float32))
    xp = grads[0].xp
    if math.isinf(norm_type):
        norms = [xp.abs(g.data).max() if g.numel() else xp.zeros((), g.dtype) for g in grads]
        total = xp.max(xp.stack(norms))
    else:
        norms = [(xp.abs(g.data) ** norm_type).sum() ** (1.0 / norm_type) for g in grads]
        total = (xp.stack(norms) ** norm_type).sum() ** (1.0 / norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is "
                           "non-finite, so it cannot be clipped. To disable this error and scale the "
                           "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    factor = min(1.0, float(max_norm) / (float(total) + 1e-6))
    with no_grad():
        for p in parameters:
            p.grad = Tensor(p.grad.data * p.grad.dtype.type(factor))
    return Tensor(xp.asarray(total, dtype=grads[0].dtype))


def clip_grad_value_(parameters, clip_value: float) -> None:
    """Clamp every gradient element into [−clip_value, clip_value] (replacing ``.grad``)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    with no_grad():
        for p in parameters:
            if p.grad is not None:
                p.grad = Tensor(p.xp.clip(p.grad.data, -clip_value, clip_value))
