"""Batch normalisation per channel over all other dimensions: BatchNorm1d and BatchNorm2d."""

from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd import Function, increment_version
from ..grad_mode import is_grad_enabled
from ..ops.activation import rectify_in_place
from ..ops.convolution import column_sums
from ..tensor import Tensor
from . import functional as F
from . import init
from ._factory import empty_parameter
from .module import Module


def _standardized(x: Tensor, dims: tuple, eps: float) -> tuple[Tensor, Tensor]:
    """(x̂, 1/σ) in Tensor ops: x̂ = (x − μ)/σ with μ and the biased σ² = mean((x − μ)²) over
    ``dims`` (kept), σ = √(σ² + eps)."""
    centered = x - x.mean(dim=dims, keepdim=True)
    inverse_std = 1 / ((centered * centered).mean(dim=dims, keepdim=True) + eps).sqrt()
    return centered * inverse_std, inverse_std


def channel_rows(x):
    """x (N, C, *) as rows (M, C), M = N·∏*: the channels last, a view when x is stored channels
    last (as the convolutions leave it), else one copy."""
    return x.reshape(x.shape[0], x.shape[1], -1).transpose(0, 2, 1).reshape(-1, x.shape[1])


def from_channel_rows(rows, shape: tuple):
    """The inverse of :func:`channel_rows`: rows (M, C) as an array of ``shape`` (N, C, *), a view
    stored channels last."""
    n, c = shape[0], shape[1]
    return rows.reshape(n, -1, c).transpose(0, 2, 1).reshape(shape)


def batch_statistics(x):
    """(x − μ as rows (M, C), μ, biased σ²): the batch's per-channel mean and variance."""
    xp = backend.array_module(backend.device_of(x))
    rows = channel_rows(x)
    count = rows.shape[0]
    mean = column_sums(xp, rows) / count
    centered = rows - mean
    return centered, mean, column_sums(xp, centered * centered) / count


class BatchNormTraining(Function):
    """y = x̂·γ + β with x̂ = (x − μ)/√(σ² + eps), μ and σ² the batch's per-channel mean and biased
    variance (given, with x − μ as rows (M, C) over every dimension but the channel one):
    training-mode batch normalisation as one node, as PyTorch's, instead of some thirteen. The
    inputs are x, then γ and β when the layer has them.

    With ĝ = g·γ and n = M the elements per channel,
        ∂L/∂β = Σ g,   ∂L/∂γ = Σ g·x̂,   ∂L/∂x = (γ/σ)·(g − Σg/n − x̂·Σ(g·x̂)/n),
    sums and means over ``dims``. Without a graph the forward and backward run on the rows (two
    column sums, each one BLAS matrix-vector product, and four elementwise passes each way); with
    one (double backward) backward is written in Tensor ops, x̂ and 1/σ recomputed from x so that
    their dependence on x is differentiated too. The result is stored channels last, as the
    convolutions' are.

    ``negative_slope`` fuses the activation that follows into the node (None: none): 0 is ReLU,
    y = max(z, 0) with gradient 0 where y ≤ 0, as :class:`~zengrad.ops.elementwise.ReLU`; another
    value s is LeakyReLU, y = m·z with the slope m = 1 where z > 0, else s, as
    :class:`~zengrad.ops.elementwise.LeakyReLU`. Backward first multiplies g by that derivative
    (piecewise constant: nothing to differentiate again), then proceeds as above.
    """

    def __init__(self, dims: tuple, eps: float, centered, var, has_weight: bool, has_bias: bool,
                 negative_slope: float | None = None):
        self.dims, self.eps, self.centered, self.var = dims, eps, centered, var
        self.has_weight, self.has_bias, self.negative_slope = has_weight, has_bias, negative_slope
        self.saved_inputs = (0, 1) if has_weight else (0,)  # β's value is never read

    def _channel_shape(self, ndim: int) -> tuple:
        return (1, -1) + (1,) * (ndim - 2)

    def forward(self, x, *affine):
        xp = backend.array_module(backend.device_of(x))
        self.inverse_std = 1 / xp.sqrt(self.var + x.dtype.type(self.eps))
        scale = self.inverse_std * affine[0] if self.has_weight else self.inverse_std
        out = self.centered * scale
        if self.has_bias:
            out += affine[-1]
        if self.negative_slope is not None:
            self.passes = rectify_in_place(xp, out, self.negative_slope)
        return from_channel_rows(out, x.shape)

    def backward(self, g):
        if self.negative_slope is not None:
            self.output()  # raises if the result was changed in place since
        if is_grad_enabled():
            if self.negative_slope is not None:
                g = g * Tensor(from_channel_rows(self.passes, g.shape).astype(g.dtype))
            return self._graph_backward(g)
        xp = g.xp
        g_rows = channel_rows(g.data)
        if self.negative_slope is not None:
            g_rows = g_rows * self.passes
        count = g_rows.shape[0]
        grad_shift = column_sums(xp, g_rows)
        grad_scale = column_sums(xp, g_rows * self.centered) * self.inverse_std  # Σ g·x̂
        grads = []
        if self.needs_grad(0):
            scale = self.inverse_std * self.inputs[1].data if self.has_weight else self.inverse_std
            rows = self.centered * (grad_scale * self.inverse_std / count)
            rows += grad_shift / count
            rows = g_rows - rows
            rows *= scale
            grads.append(Tensor(from_channel_rows(rows, g.shape)))
        else:
            grads.append(None)
        if self.has_weight:
            grads.append(Tensor(grad_scale) if self.needs_grad(1) else None)
        if self.has_bias:
            grads.append(Tensor(grad_shift) if self.needs_grad(len(grads)) else None)
        return tuple(grads)

    def _graph_backward(self, g):
        """The gradients in Tensor ops, x̂ and 1/σ recomputed from x (for double backward)."""
        x = self.inputs[0]
        dims, shape = self.dims, self._channel_shape(x.ndim)
        normalized, inverse_std = _standardized(x, dims, self.eps)
        grads = []
        scaled = g * self.inputs[1].reshape(shape) if self.has_weight else g
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
        return self.forward_activated(input, None)

    def forward_activated(self, input, negative_slope: float | None):
        """The layer followed by ReLU (``negative_slope`` 0) or LeakyReLU (another slope), as one
        node in training (:class:`BatchNormTraining`); None: the layer alone. Containers whose
        layers allow it call this for a BatchNorm and the activation after it (see
        :func:`zengrad.models.dcgan.fused_forward`)."""
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
            centered, mean, var = batch_statistics(input.data)
            if self.training and self.track_running_stats:
                self._update_running_stats(mean, var, count)
            affine = [p for p in (self.weight, self.bias) if p is not None]
            return BatchNormTraining.apply(input, *affine, dims=dims, eps=self.eps, centered=centered, var=var,
                                           has_weight=self.weight is not None, has_bias=self.bias is not None,
                                           negative_slope=negative_slope)
        mean = self.running_mean.reshape(shape)
        var = self.running_var.reshape(shape)
        out = (input - mean) / (var + self.eps).sqrt()
        if self.weight is not None:
            out = out * self.weight.reshape(shape)
        if self.bias is not None:
            out = out + self.bias.reshape(shape)
        if negative_slope is not None:
            out = F.relu(out) if negative_slope == 0 else F.leaky_relu(out, negative_slope)
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
