"""Utilities (``zengrad.nn.utils``): clip_grad_norm_, clip_grad_value_, parameters_to_vector and
vector_to_parameters, spectral_norm and remove_spectral_norm, weight_norm and remove_weight_norm,
WGAN-GP's gradient_penalty (a zengrad addition), :mod:`.rnn` (padding and packing batches of
sequences), :mod:`.parametrize` / :mod:`.parametrizations` (parameters computed on every read) and
:mod:`.prune` (weights zeroed by a mask)."""

from __future__ import annotations

import inspect
import math
import warnings

import numpy as np

from ... import backend
from ...autograd import increment_version
from ...grad_mode import no_grad
from ...ops.shape import cat
from ...tensor import Tensor
from ..gradient_penalty import gradient_penalty
from ..spectral_norm import remove_spectral_norm, spectral_norm
from ..weight_norm import remove_weight_norm, weight_norm
from . import parametrizations, parametrize, prune, rnn, stateless
from .fusion import fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "fuse_conv_bn_eval",
           "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights", "get_total_norm", "gradient_penalty",
           "parameters_to_vector", "parametrizations", "parametrize", "prune", "remove_spectral_norm", "remove_weight_norm",
           "rnn", "skip_init", "spectral_norm", "stateless", "vector_to_parameters", "weight_norm"]


def _vector_norm(xp, values, p: float):
    """‖v‖ₚ of an array: max |vᵢ| for p = inf, min |vᵢ| for −inf, the count of non-zeros for 0,
    (Σ |vᵢ|ᵖ)^(1/p) otherwise (PyTorch's ``vector_norm``); 0 for an empty array."""
    if values.size == 0:
        return xp.zeros((), values.dtype)
    size = xp.abs(values)
    if math.isinf(p):
        return size.max() if p > 0 else size.min()
    if p == 0:
        return (size != 0).sum().astype(values.dtype)
    return (size ** p).sum() ** (1.0 / p)


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """‖(‖t₁‖ₚ, ‖t₂‖ₚ, …)‖ₚ over the given tensors (None entries skipped; p = norm_type, ±inf and
    0 allowed), a 0-d Tensor; 0 when there are none. ``error_if_nonfinite`` raises RuntimeError
    for a NaN or infinite norm."""
    tensors = [tensors] if isinstance(tensors, Tensor) else [t for t in tensors if t is not None]
    norm_type = float(norm_type)
    if not tensors:
        return Tensor(np.zeros((), dtype=np.float32))
    xp = tensors[0].xp
    total = _vector_norm(xp, xp.stack([_vector_norm(xp, t._data, norm_type) for t in tensors]), norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is "
                           "non-finite, so it cannot be clipped. To disable this error and scale the "
                           "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return Tensor(xp.asarray(total, dtype=tensors[0].dtype))


def write_grad(param: Tensor, values) -> None:
    """param.grad ← values (an array of its shape, or a number) in the gradient's own storage, so
    every reference to ``param.grad`` sees the change, as with PyTorch's in-place gradient updates;
    a read-only gradient (a broadcast view) is replaced by a new one instead."""
    array = param.grad._data
    if getattr(getattr(array, "flags", None), "writeable", True):
        array[...] = values
        increment_version(param.grad)
    else:
        param.grad = Tensor(param.xp.broadcast_to(values, array.shape).astype(array.dtype))


def clip_grads_with_norm_(parameters, max_norm: float, total_norm, foreach=None) -> None:
    """Multiply every gradient, in place, by min(1, max_norm / (total_norm + 1e-6)), computed in the
    norm's dtype; a NaN norm makes every gradient NaN, as in PyTorch."""
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    norm = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(total_norm, dtype=np.float32)
    max_norm = max_norm.item() if isinstance(max_norm, Tensor) else max_norm
    factor = norm.dtype.type(max_norm) / (norm + norm.dtype.type(1e-6))
    factor = factor.clip(None, 1.0)  # (keeps a NaN, unlike min())
    with no_grad(), np.errstate(invalid="ignore"):  # an infinite gradient times 0 is NaN, silently
        for p in parameters:
            if p.grad is not None:
                write_grad(p, p.grad._data * factor.astype(p.grad.dtype))


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Scale all gradients together so their joint norm is at most ``max_norm``; return the norm:
    :func:`get_total_norm` of the gradients, then :func:`clip_grads_with_norm_`."""
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    total = get_total_norm([p.grad for p in parameters], norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient element into [−clip_value, clip_value], in place."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    with no_grad():
        for p in parameters:
            if p.grad is not None:
                write_grad(p, p.xp.clip(p.grad._data, -clip_value, clip_value))


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
            values = vec._data[offset:offset + n].reshape(p.shape)
            p._data[...] = backend.to_device(values, p.device).astype(p.dtype, copy=False)
            increment_version(p)
            offset += n


def clip_grad_norm(parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach=None) -> Tensor:
    """The old name of :func:`clip_grad_norm_` (PyTorch warns it is deprecated; so does zengrad)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def skip_init(module_cls, *args, **kwargs):
    """``module_cls(*args, **kwargs)``. PyTorch skips the parameters' initialisation (leaving
    whatever the memory held); zengrad initialises them as usual, which is one of the values
    uninitialised memory may hold."""
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    return module_cls(*args, **kwargs)
