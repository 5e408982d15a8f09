"""Normalisation within each sample: LayerNorm, RMSNorm, GroupNorm and LocalResponseNorm (the math is in
``nn.functional``).

Unlike batch normalisation they keep no running statistics and behave the same in training and
evaluation: every sample is normalised by its own mean and variance.
"""

from __future__ import annotations

from . import functional as F
from . import init
from ._factory import empty_parameter, optional_parameter
from .module import Module


class LayerNorm(Module):
    """y = (x − μ) / √(σ² + eps) · γ + β over the last dimensions ``normalized_shape`` of x
    (μ and the biased σ² per sample, see :func:`~zengrad.nn.functional.layer_norm`).
    γ (weight) starts at 1 and β (bias) at 0, both of shape ``normalized_shape``;
    ``elementwise_affine=False`` drops both, ``bias=False`` drops β."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device=None, dtype=None):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        if not shape or min(shape) < 1:
            raise ValueError(f"LayerNorm: normalized_shape must be non-empty and positive, got {normalized_shape!r}")
        self.normalized_shape = shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        weight = init.ones_(empty_parameter(*shape, device=device, dtype=dtype)) if elementwise_affine else None
        self.register_parameter("weight", weight)
        self.register_parameter("bias", optional_parameter(elementwise_affine and bias, *shape, device=device,
                                                           dtype=dtype))

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """The C channels of (N, C, *) in ``num_groups`` groups, each sample's group normalised by its
    own mean and biased variance, then y·γ_c + β_c per channel (γ = 1, β = 0 at start; ``affine``;
    ``bias=False`` drops β)."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True, bias: bool = True,
                 device=None, dtype=None):
        super().__init__()
        if num_groups < 1 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        self.register_parameter("weight", init.ones_(empty_parameter(num_channels, device=device, dtype=dtype))
                                if affine else None)
        self.register_parameter("bias", optional_parameter(affine and bias, num_channels, device=device,
                                                           dtype=dtype))

    def forward(self, input):
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm: expected input (N, {self.num_channels}, *), got shape {input.shape}")
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    """y = x / √(mean(x²) + eps) · γ over the last dimensions ``normalized_shape`` of x (see
    :func:`~zengrad.ops.normalization.rms_norm`): LayerNorm without centring and without β, as in
    many recent language models. γ (weight) starts at 1; ``elementwise_affine=False`` drops it;
    ``eps=None`` takes the machine epsilon of the input's dtype."""

    def __init__(self, normalized_shape, eps: float | None = None, elementwise_affine: bool = True, device=None,
                 dtype=None):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        if not shape or min(shape) < 1:
            raise ValueError(f"RMSNorm: normalized_shape must be non-empty and positive, got {normalized_shape!r}")
        self.normalized_shape, self.eps, self.elementwise_affine = shape, eps, elementwise_affine
        self.register_parameter("weight", init.ones_(empty_parameter(*shape, device=device, dtype=dtype))
                                if elementwise_affine else None)

    def forward(self, input):
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class LocalResponseNorm(Module):
    """y_c = x_c / (k + α/n · Σ x²)^β over n = ``size`` neighbouring channels (see
    :func:`~zengrad.nn.functional.local_response_norm`); no parameters."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
