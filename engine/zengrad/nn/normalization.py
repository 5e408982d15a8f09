"""Batch normalisation per channel over all other dimensions: BatchNorm1d and BatchNorm2d."""

from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd import Function, increment_version
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from . import init
from ._factory import empty_parameter
from .module import Module


def _standardized(x: Tensor, dims: tuple, eps: float) -> tuple[Tensor, Tensor]:
    """(x̂, 1/σ) in Tensor ops: x̂ = (x − μ)/σ with μ and the biased σ² = mean((x − μ)²) over
    ``dims`` (kept), σ = √(σ² + eps)."""
    centered = x - x.mean(dim=dims, keepdim=True)
    inverse_std = 1 / ((centered * centered).mean(dim=dims, keepdim=True) + eps).sqrt()
    return centered * inverse_std, inverse_std


class BatchNormTraining(Function):
    """y = x̂·γ + β with x̂ = (x − μ)/√(σ² + eps), μ and σ² the batch's per-channel mean and biased
    variance (given, over ``dims``): training-mode batch normalisation as one node, as PyTorch's,
    instead of some thirteen. The inputs are x, then γ and β when the layer has them.

    With ĝ = g·γ and n the elements per channel,
        ∂L/∂β = Σ g,   ∂L/∂γ = Σ g·x̂,   ∂L/∂x = (1/σ)·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),
    sums and means over ``dims``. Backward is written in Tensor ops; when it builds a graph
    (double backward), x̂ and 1/σ are recomputed from x in Tensor ops so that their dependence
    on x is differentiated too; otherwise the forward's x̂ and 1/σ are used as they are.
    """

    def __init__(self, dims: tuple, eps: float, mean, var, has_weight: bool, has_bias: bool):
        self.dims, self.eps, self.mean, self.var = dims, eps, mean, var
        self.has_weight, self.has_bias = has_weight, has_bias
        self.saved_inputs = (0, 1) if has_weight else (0,)  # β's value is never read

    def _channel_shape(self, ndim: int) -> tuple:
        return (1, -1) + (1,) * (ndim - 2)

    def forward(self, x, *affine):
        xp = backend.array_module(backend.device_of(x))
        self.inverse_std = 1 / xp.sqrt(self.var + x.dtype.type(self.eps))
        self.normalized = (x - self.mean) * self.inverse_std
        shape = self._channel_shape(x.ndim)
        out = self.normalized * affine[0].reshape(shape) if self.has_weight else self.normalized.copy()
        if self.has_bias:
            out += affine[-1].reshape(shape)
        return out

    def backward(self, g):
        x = self.inputs[0]
        dims, shape = self.dims, self._channel_shape(x.ndim)
        if is_grad_enabled():
            normalized, inverse_std = _standardized(x, dims, self.eps)
        else:
            normalized, inverse_std = Tensor(self.normalized), Tensor(self.inverse_std)
        grads = []
        scaled = g
        if self.has_weight:
            weight = self.inputs[1]
            scaled = g * weight.reshape(shape)
        if self.needs_grad(0):
            spread = scaled - scaled.mean(dim=dims, keepdim=True)
            grads.append(inverse_std * (spread - normalized * (scaled * normalized).mean(dim=dims, keepdim=True)))
        else:
            grads.append(None)
        if self.has_weight:
            grads.append((g * normalized).sum(dim=dims) if self.needs_grad(1) else None)
        if self.has_bias:
            grads.append(g.sum(dim=dims) if self.needs_grad(len(grads)) else None)
        return tuple(grads)


class _BatchNorm(Module):
    """y = (x − μ) / √(σ² + eps) · γ + β per channel c = dimension 1 of x.

    Training: μ and σ² are the batch's mean and *biased* variance over every dimension but the
    channel one (N, and L or H and W), and the running statistics move towards the batch's,
    using the *unbiased* variance (× n/(n − 1)):
    running ← (1 − momentum)·running + momentum·batch. With momentum=None the running values are
    the cumulative average over all batches seen. Evaluation (and ``track_running_stats=False``
    never) uses the running statistics instead. γ (weight) starts at 1, β (bias) at 0; with
    ``affine=False`` neither exists, and ``bias=False`` (keyword-only, as in PyTorch 2.13) drops β.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None, dtype=None, *,
                 bias: bool = True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = init.ones_(empty_parameter(num_features, device=device, dtype=dtype))
            if bias:
                self.bias = empty_parameter(num_features, device=device, dtype=dtype)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            xp = backend.array_module(backend.normalize_device(device))
            float_dtype = np.dtype(dtype or np.float32)
            self.register_buffer("running_mean", Tensor(xp.zeros(num_features, dtype=float_dtype)))
            self.register_buffer("running_var", Tensor(xp.ones(num_features, dtype=float_dtype)))
            self.register_buffer("num_batches_tracked", Tensor(xp.zeros((), dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0
            for buffer in (self.running_mean, self.running_var, self.num_batches_tracked):
                increment_version(buffer)

    #: the numbers of input dimensions a subclass accepts
    ndims: tuple = ()

    def forward(self, input):
        name = type(self).__name__
        if input.ndim not in self.ndims:
            expected = " or ".join(f"{n}D" for n in self.ndims)
            raise ValueError(f"{name}: expected {expected} input (got {input.ndim}D input of shape {input.shape})")
        if input.shape[1] != self.num_features:
            raise ValueError(f"{name}: input has {input.shape[1]} channels (shape {input.shape}), "
                             f"expected num_features={self.num_features}")
        dims = (0,) + tuple(range(2, input.ndim))
        shape = (1, -1) + (1,) * (input.ndim - 2)
        use_batch_stats = self.training or not self.track_running_stats
        if use_batch_stats:
            count = input.numel() // self.num_features
            if count <= 1 and self.training:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
            mean = input.data.mean(axis=dims, keepdims=True)
            centered = input.data - mean
            var = (centered * centered).mean(axis=dims, keepdims=True)
            if self.training and self.track_running_stats:
                self._update_running_stats(mean.reshape(-1), var.reshape(-1), count)
            affine = [p for p in (self.weight, self.bias) if p is not None]
            return BatchNormTraining.apply(input, *affine, dims=dims, eps=self.eps, mean=mean, var=var,
                                           has_weight=self.weight is not None, has_bias=self.bias is not None)
        mean = self.running_mean.reshape(shape)
        var = self.running_var.reshape(shape)
        out = (input - mean) / (var + self.eps).sqrt()
        if self.weight is not None:
            out = out * self.weight.reshape(shape)
        if self.bias is not None:
            out = out + self.bias.reshape(shape)
        return out

    def _update_running_stats(self, mean, biased_var, count: int) -> None:
        self.num_batches_tracked.data += 1
        if self.momentum is None:
            factor = 1.0 / float(self.num_batches_tracked.data)
        else:
            factor = self.momentum
        unbiased_var = biased_var * (count / (count - 1))
        self.running_mean.data[...] = (1 - factor) * self.running_mean.data + factor * mean
        self.running_var.data[...] = (1 - factor) * self.running_var.data + factor * unbiased_var
        increment_version(self.running_mean)
        increment_version(self.running_var)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs: statistics over N (and L) per channel."""

    ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs: statistics over N, H and W per channel."""

    ndims = (4,)
