"""Utilities (``zengrad.nn.utils``): clip_grad_norm_, clip_grad_value_, parameters_to_vector and
vector_to_parameters, spectral_norm and remove_spectral_norm, and WGAN-GP's gradient_penalty (a
zengrad addition)."""

from __future__ import annotations

import math

import numpy as np

from .. import backend
from ..autograd import increment_version
from ..grad_mode import no_grad
from ..ops.shape import cat
from ..tensor import Tensor
from .gradient_penalty import gradient_penalty
from .spectral_norm import remove_spectral_norm, spectral_norm

__all__ = ["clip_grad_norm_", "clip_grad_value_", "gradient_penalty", "parameters_to_vector", "remove_spectral_norm",
           "spectral_norm", "vector_to_parameters"]


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


def _parameter_list(where: str, parameters) -> list:
    """The parameters as a list of Tensors, all on one device."""
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for i, p in enumerate(parameters):
        if not isinstance(p, Tensor):
            raise TypeError(f"{where}: parameter {i} is a {type(p).__name__}, not a Tensor")
    devices = sorted({p.device for p in parameters})
    if len(devices) > 1:
        raise ValueError(f"{where}: the parameters are on different devices {devices}; they must share one")
    return parameters


def parameters_to_vector(parameters) -> Tensor:
    """One 1-D Tensor: every parameter flattened (row-major) and concatenated in order, so
    v[o_i : o_i + n_i] = p_i.reshape(−1) with o_i = n_1 + … + n_{i−1}. Differentiable: the
    gradient of v reaches each parameter."""
    parameters = _parameter_list("parameters_to_vector", parameters)
    if not parameters:
        raise ValueError("parameters_to_vector: got no parameters")
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """The inverse of :func:`parameters_to_vector`: p_i ← vec[o_i : o_i + n_i] reshaped to p_i's
    shape, copied into each parameter's data in place (in its dtype, outside the graph), so
    optimizers holding the parameters see the new values. ``vec`` must be a 1-D Tensor whose
    length is the parameters' total size."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, but got {type(vec).__name__}")
    parameters = _parameter_list("vector_to_parameters", parameters)
    total = sum(p.numel() for p in parameters)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise ValueError(f"vector_to_parameters: vec has shape {vec.shape}, the parameters need a 1-D "
                         f"vector of {total} elements")
    offset = 0
    with no_grad():
        for p in parameters:
            n = p.numel()
            values = vec.data[offset:offset + n].reshape(p.shape)
            p.data[...] = backend.to_device(values, p.device).astype(p.dtype, copy=False)
            increment_version(p)
            offset += n
