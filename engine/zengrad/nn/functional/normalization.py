"""Normalisation over features: ``layer_norm``, ``group_norm`` and ``local_response_norm``
(per-channel statistics — batch, instance and RMS norm — live in :mod:`zengrad.ops`)."""

from __future__ import annotations

from ...errors import OpError
from ...ops.layout import pad
from ...ops.normalization import layer_norm as layer_norm_node
from ...ops.normalization import normalize as normalize_over
from ...ops.normalization import trailing_shape
from ...tensor import Tensor


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """y = (x − μ) / √(σ² + eps) · γ + β, with μ and the biased variance σ² taken over the last
    len(normalized_shape) dimensions of each sample (which must equal ``normalized_shape``);
    γ (weight) and β (bias) have shape ``normalized_shape``. One graph node
    (:class:`zengrad.ops.normalization.LayerNorm`, where the backward's math is)."""
    shape = trailing_shape("layer_norm", input, normalized_shape, weight, bias)
    return layer_norm_node(input, len(shape), weight, bias, eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Channels (dimension 1 of (N, C, *)) split into ``num_groups`` groups of C/G; each sample's
    group is normalised by its own mean and biased variance over its channels and positions:
    y = (x − μ_{n,g}) / √(σ²_{n,g} + eps) · γ_c + β_c, with γ and β of shape (C,)."""
    if input.ndim < 2 or num_groups < 1 or input.shape[1] % num_groups:
        raise OpError(f"group_norm: expected input (N, C, *) with C divisible by num_groups={num_groups}, "
                      f"got shape {input.shape}")
    n, channels = input.shape[:2]
    grouped = input.reshape(n, num_groups, -1)
    out = normalize_over(grouped, (2,), eps).reshape(input.shape)
    shape = (1, channels) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """Normalisation across neighbouring channels (AlexNet): y_c = x_c / (k + α/n · Σ x²_{c'})^β,
    the sum over the n = ``size`` channels c' from c − ⌊n/2⌋ to c + ⌈n/2⌉ − 1 (zeros past the edges)."""
    if input.ndim < 3:
        raise OpError(f"local_response_norm: expects (N, C, *) input with at least 3 dims, got shape {input.shape}")
    n, c = input.shape[:2]
    squares = (input * input).reshape(n, 1, c, -1)
    padded = pad(squares, (0, 0, size // 2, (size - 1) // 2))
    window_sums = padded.unfold(2, size, 1).sum(dim=-1)
    denominator = (window_sums * (alpha / size) + k) ** beta
    return input / denominator.reshape(input.shape)
