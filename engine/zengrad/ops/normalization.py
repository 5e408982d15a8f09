"""Normalisation over the trailing dimensions: layer normalisation as one graph node, and the
composed form (mean, subtract, square, mean, square root, divide) that it stands for.

The composed form records about nine nodes per call and as many again in backward; the fused
node records one, runs the ``layer_norm_forward`` / ``layer_norm_backward`` kernels (C++ on the
CPU in float32, NumPy or CuPy otherwise: ``zengrad.kernels``) and keeps μ and 1/σ for its backward.
"""

from __future__ import annotations

import math

import numpy as np

from .. import kernels
from ..errors import OpError
from ..tensor import Tensor
from .fused import FusedNode


def normalize(input: Tensor, dims: tuple, eps: float) -> Tensor:
    """(x − μ) / √(σ² + eps) with μ and the biased σ² taken over ``dims`` (σ² = mean of squares
    of x − μ, composed from mean so the graph is the ops a reader already knows)."""
    centered = input - input.mean(dim=dims, keepdim=True)
    var = (centered * centered).mean(dim=dims, keepdim=True)
    return centered / (var + eps).sqrt()


def composed_layer_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, ndim: int,
                        eps: float) -> Tensor:
    """normalize(x) · γ + β over the last ``ndim`` dimensions, in ordinary ops."""
    out = normalize(input, tuple(range(input.ndim - ndim, input.ndim)), eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


class LayerNorm(FusedNode):
    """y = x̂ · γ + β,  x̂ = (x − μ) · r,  r = 1/√(σ² + eps), with μ and the biased variance σ² of
    each row: x seen as (rows, n), n the size of the last ``ndim`` dimensions.

    Backward, per row, with ĝ = g · γ:

        ∂x = r · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)),   ∂γ = Σ_rows g · x̂,   ∂β = Σ_rows g.

    (The two means take out of ĝ its parts along 1 and along x̂: shifting x, or scaling x − μ,
    leaves x̂ unchanged.) Inputs are x, then γ if ``has_weight``, then β if ``has_bias``.
    """

    node_name = "NativeLayerNormBackward0"

    def __init__(self, ndim: int, eps: float, has_weight: bool, has_bias: bool):
        super().__init__()
        self.ndim, self.eps, self.has_weight, self.has_bias = ndim, eps, has_weight, has_bias

    def forward(self, x, *affine):
        rows = x.reshape(-1, math.prod(x.shape[x.ndim - self.ndim:]))
        weight = affine[0].reshape(-1) if self.has_weight else None
        bias = affine[-1].reshape(-1) if self.has_bias else None
        out, self.mean, self.rstd = kernels.layer_norm_forward(rows, weight, bias, self.eps)
        return out.reshape(x.shape)

    def kernel_backward(self, g):
        x = self.inputs[0]._data
        n = math.prod(x.shape[x.ndim - self.ndim:])
        weight = self.inputs[1]._data.reshape(n) if self.has_weight else None
        dx, dweight, dbias = kernels.layer_norm_backward(g._data.reshape(-1, n), x.reshape(-1, n), self.mean,
                                                         self.rstd, weight)
        affine_shape = x.shape[x.ndim - self.ndim:]
        grads = [Tensor(dx.reshape(x.shape)) if self.needs_grad(0) else None]
        if self.has_weight:
            grads.append(Tensor(dweight.reshape(affine_shape)) if self.needs_grad(1) else None)
        if self.has_bias:
            grads.append(Tensor(dbias.reshape(affine_shape)) if self.needs_grad(len(grads)) else None)
        return tuple(grads)

    def composed(self, x, *affine):
        weight = affine[0] if self.has_weight else None
        bias = affine[-1] if self.has_bias else None
        return composed_layer_norm(x, weight, bias, self.ndim, self.eps)


def layer_norm(input: Tensor, ndim: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """:class:`LayerNorm` over the last ``ndim`` dimensions of ``input`` (the caller has checked that
    γ and β, if given, have the shape of those dimensions)."""
    affine = tuple(t for t in (weight, bias) if t is not None)
    return LayerNorm.apply(input, *affine, ndim=ndim, eps=eps, has_weight=weight is not None,
                           has_bias=bias is not None)


def trailing_shape(op: str, input: Tensor, normalized_shape, *params: Tensor | None) -> tuple:
    """``normalized_shape`` as a tuple, once ``input`` is known to end in it and every parameter
    given (γ, β) to have exactly that shape; an OpError naming ``op`` and the shapes otherwise."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if not shape or input.ndim < len(shape) or input.shape[input.ndim - len(shape):] != shape:
        raise OpError(f"{op}: input of shape {input.shape} does not end in normalized_shape {shape}")
    for name, param in zip(("weight", "bias"), params):
        if param is not None and param.shape != shape:
            raise OpError(f"{op}: {name} of shape {param.shape} does not match normalized_shape {shape}")
    return shape


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """y = x / √(mean(x²) + eps) · γ, the mean over the last len(normalized_shape) dimensions of
    each sample (root-mean-square normalisation: LayerNorm without centring and without β), as
    ``torch.nn.functional.rms_norm``; ``eps=None`` takes the machine epsilon of x's dtype. Composed
    of ordinary ops, so its gradient is theirs:
    ∂y/∂x = γ·r·(g − x̂·mean(g·x̂)) for upstream g, with r = 1/√(mean(x²) + eps) and x̂ = x·r."""
    shape = trailing_shape("rms_norm", input, normalized_shape, weight)
    if eps is None:
        eps = float(np.finfo(input.dtype).eps) if np.dtype(input.dtype).kind == "f" else float(np.finfo(np.float32).eps)
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    out = input * ((input * input).mean(dim=dims, keepdim=True) + eps).rsqrt()
    return out * weight if weight is not None else out
