"""Ready-made parametrizations (``torch.nn.utils.parametrizations``), built on :mod:`.parametrize`.

* ``weight_norm``:  W = g · V / ‖V‖, the norm taken over every dim but ``dim`` (all dims for
  ``dim=None``): magnitude g and direction V trained apart (Salimans & Kingma, 2016). The originals
  are ``original0`` = g and ``original1`` = V.
* ``spectral_norm``: W / σ(W), σ the largest singular value of W as a matrix (``dim`` first),
  estimated by power iteration on buffers u, v refined at each read in training mode — the same
  estimate as :func:`zengrad.nn.utils.spectral_norm` (``nn/spectral_norm.py``), stored as the
  parametrization's buffers ``_u`` and ``_v``.
"""

from __future__ import annotations

from ...grad_mode import no_grad
from ...tensor import Tensor
from ..module import Module
from ..spectral_norm import SpectralNorm, output_dim, power_iteration, spectral_vectors
from ..weight_norm import norm_except_dim
from .parametrize import register_parametrization

__all__ = ["spectral_norm", "weight_norm"]


class _WeightNorm(Module):
    """W = g · V / ‖V‖ (over every dim but ``dim``; all of them for dim = −1)."""

    def __init__(self, dim: int | None = 0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Parametrize ``module.<name>`` as g · V / ‖V‖; returns the module."""
    return register_parametrization(module, name, _WeightNorm(dim), unsafe=True)


class _SpectralNorm(Module):
    """W / σ(W) with σ ≈ uᵀ W v (a 1-d W is divided by its norm)."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12):
        super().__init__()
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + weight.ndim
        self.eps, self.n_power_iterations = eps, n_power_iterations
        self.estimate = SpectralNorm("weight", n_power_iterations, self.dim, eps)
        if weight.ndim > 1:
            u, v = spectral_vectors(self.estimate.reshape_weight_to_matrix(weight), eps)
            self.register_buffer("_u", Tensor(u))
            self.register_buffer("_v", Tensor(v))
            with no_grad():
                power_iteration(self.estimate.reshape_weight_to_matrix(weight), self._u, self._v, 15, eps)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return weight / weight.norm().clamp(min=self.eps)
        matrix = self.estimate.reshape_weight_to_matrix(weight)
        if self.training:
            with no_grad():
                power_iteration(matrix, self._u, self._v, self.n_power_iterations, self.eps)
        u, v = self._u.clone(), self._v.clone()
        return weight / (u * (matrix @ v)).sum()

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12,
                  dim: int | None = None) -> Module:
    """Parametrize ``module.<name>`` as W / σ(W); ``dim`` is the output dim (1 for transposed
    convolutions, else 0). Returns the module."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    dim = output_dim(module) if dim is None else dim
    return register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
