"""Batch normalisation as one graph node, and the function behind ``F.batch_norm``,
``F.instance_norm`` and the BatchNorm / InstanceNorm layers.

Batch normalisation standardises each channel c (dimension 1) over every other dimension:
y = (x − μ_c)/√(σ²_c + eps)·γ_c + β_c. In training μ and the biased σ² are the batch's own and the
running statistics move towards them; in evaluation the running statistics stand in for them.
Instance normalisation is the same with every (sample, channel) pair its own channel.
"""

from __future__ import annotations

from .. import backend
from ..autograd import Function, increment_version
from ..errors import OpError
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from .activation import rectify_in_place
from .convolution import column_sums
from .elementwise import leaky_relu, relu


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
        g_rows = channel_rows(g._data)
        if self.negative_slope is not None:
            g_rows = g_rows * self.passes
        count = g_rows.shape[0]
        grad_shift = column_sums(xp, g_rows)
        grad_scale = column_sums(xp, g_rows * self.centered) * self.inverse_std  # Σ g·x̂
        grads = []
        if self.needs_grad(0):
            scale = self.inverse_std * self.inputs[1]._data if self.has_weight else self.inverse_std
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


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1, eps: float = 1e-5,
               negative_slope: float | None = None) -> Tensor:
    """y = (x − μ)/√(σ² + eps)·γ + β per channel (dimension 1 of x, which is (N, C, *)), as
    ``torch.nn.functional.batch_norm``.

    ``training``: μ and σ² are the batch's mean and biased variance over every dimension but the
    channel one, and the running statistics given (if any) move towards the batch's, with the
    *unbiased* variance (× n/(n − 1), n values per channel):
    running ← (1 − momentum)·running + momentum·batch. Otherwise μ and σ² are ``running_mean`` and
    ``running_var``. ``negative_slope`` fuses a ReLU (0) or LeakyReLU after it (see
    :class:`BatchNormTraining`); None: none.
    """
    if input.ndim < 2:
        raise OpError(f"batch_norm: expected an input of shape (N, C, *), got shape {input.shape}")
    channels = input.shape[1]
    for name, tensor in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                         ("bias", bias)):
        if tensor is not None and tensor.shape != (channels,):
            raise OpError(f"batch_norm: {name} has shape {tensor.shape}, the input (shape {input.shape}) has "
                          f"{channels} channels")
    if not training:
        if running_mean is None or running_var is None:
            raise OpError("batch_norm: running_mean and running_var must be given when training=False")
        return _with_running_statistics(input, running_mean, running_var, weight, bias, eps, negative_slope)
    count = input.numel() // max(channels, 1)
    if count <= 1:
        raise OpError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
    centered, mean, var = batch_statistics(input._data)
    for running, batch in ((running_mean, mean), (running_var, var * (count / (count - 1)))):
        if running is not None:
            running._data[...] = (1 - momentum) * running._data + momentum * batch
            increment_version(running)
    affine = [p for p in (weight, bias) if p is not None]
    return BatchNormTraining.apply(input, *affine, dims=(0,) + tuple(range(2, input.ndim)), eps=eps,
                                   centered=centered, var=var, has_weight=weight is not None,
                                   has_bias=bias is not None, negative_slope=negative_slope)


def _with_running_statistics(input, mean, var, weight, bias, eps, negative_slope):
    """Evaluation mode in ordinary ops: (x − running μ)/√(running σ² + eps)·γ + β."""
    shape = (1, -1) + (1,) * (input.ndim - 2)
    out = (input - mean.reshape(shape)) / (var.reshape(shape) + eps).sqrt()
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    if negative_slope is not None:
        out = relu(out) if negative_slope == 0 else leaky_relu(out, negative_slope)
    return out


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """y = (x − μ_nc)/√(σ²_nc + eps)·γ_c + β_c, μ and σ² of each sample's channel over its spatial
    dimensions (x is (N, C, *)), as ``torch.nn.functional.instance_norm``: batch normalisation of
    x seen as (1, N·C, *). With ``use_input_stats=False`` the running statistics (per channel)
    are used instead; with running statistics given and ``use_input_stats``, they move towards
    the mean over the batch of the instances' statistics (momentum as in :func:`batch_norm`).
    """
    if input.ndim < 3:
        raise OpError(f"instance_norm: expected an input of shape (N, C, *) with spatial dimensions, got "
                      f"shape {input.shape}")
    n, c = input.shape[:2]
    if use_input_stats and input.numel() // max(n * c, 1) <= 1:
        raise OpError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    for name, tensor in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                         ("bias", bias)):
        if tensor is not None and tensor.shape != (c,):
            raise OpError(f"instance_norm: {name} has shape {tensor.shape}, the input (shape {input.shape}) has "
                          f"{c} channels")
    if not use_input_stats:
        return _with_running_statistics(input, running_mean, running_var, weight, bias, eps, None)
    per_instance = [None if t is None else t.repeat(n) for t in (running_mean, running_var, weight, bias)]
    stacked_mean, stacked_var = (None if t is None else Tensor(t._data.copy()) for t in per_instance[:2])
    out = batch_norm(input.reshape((1, n * c) + input.shape[2:]), stacked_mean, stacked_var, *per_instance[2:],
                     training=True, momentum=momentum, eps=eps)
    for running, stacked in ((running_mean, stacked_mean), (running_var, stacked_var)):
        if running is not None:
            running._data[...] = stacked._data.reshape(n, c).mean(axis=0)
            increment_version(running)
    return out.reshape(input.shape)
