"""The multivariate Normal N(μ, Σ), parameterised by its covariance Σ, its precision Σ⁻¹ or the
lower Cholesky factor L of Σ = LLᵀ (the form every computation uses)."""

from __future__ import annotations

import math

from ..errors import OpError
from ..linalg import cholesky, inv, solve_triangular
from .base import Distribution, as_tensor, standard_normal


def _mahalanobis(scale_tril, diff):
    """‖L⁻¹(x − μ)‖², L broadcast against the batch of differences."""
    shape = tuple(diff.xp.broadcast_shapes(scale_tril.shape[:-2], diff.shape[:-1]))
    k = scale_tril.shape[-1]
    solved = solve_triangular(scale_tril.expand(shape + (k, k)), diff.expand(shape + (k,)).unsqueeze(-1), upper=False)
    return (solved.squeeze(-1) ** 2).sum(-1)


class MultivariateNormal(Distribution):
    """N(μ, Σ) over vectors of k entries (``event_shape`` (k,)), Σ = LLᵀ:
    log p(x) = −½(x − μ)ᵀΣ⁻¹(x − μ) − Σ_i log L_ii − (k/2) log 2π,  H = (k/2)(1 + log 2π) + Σ_i log L_ii;
    rsample = μ + Lε, ε ~ N(0, I_k). Give exactly one of ``covariance_matrix``, ``precision_matrix``
    (L = chol(P⁻¹)) and ``scale_tril``."""

    has_rsample = True
    parameters = ("loc", "covariance_matrix")
    _unexpanded = ("_unbroadcasted_scale_tril",)

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        given = [m for m in (covariance_matrix, precision_matrix, scale_tril) if m is not None]
        if len(given) != 1:
            raise ValueError("MultivariateNormal: give exactly one of covariance_matrix, precision_matrix, scale_tril")
        loc = as_tensor(loc)
        matrix = as_tensor(given[0], loc)
        if loc.ndim < 1:
            raise ValueError("MultivariateNormal: loc must be at least one-dimensional")
        if matrix.ndim < 2 or matrix.shape[-1] != matrix.shape[-2]:
            raise ValueError(f"MultivariateNormal: the matrix must be square (…, k, k), got {matrix.shape}")
        k = loc.shape[-1]
        if matrix.shape[-1] != k:
            raise ValueError(f"MultivariateNormal: loc has {k} entries but the matrix is {matrix.shape[-2:]}")
        try:
            batch = tuple(loc.xp.broadcast_shapes(loc.shape[:-1], matrix.shape[:-2]))
        except ValueError:
            raise OpError(f"MultivariateNormal: loc {loc.shape} and matrix {matrix.shape} do not broadcast") from None
        super().__init__(batch, (k,), validate_args)
        self._check_matrix(matrix, scale_tril is not None)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = matrix
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = cholesky(inv(matrix))
        self.loc = loc.expand(batch + (k,))

    def _check_matrix(self, matrix, triangular):
        if not self._validate_args:
            return
        data = matrix.detach().numpy()
        xp = matrix.xp
        if triangular:
            diagonal = xp.diagonal(data, axis1=-2, axis2=-1)
            if not ((xp.triu(data, 1) == 0).all() and (diagonal > 0).all()):
                raise ValueError("MultivariateNormal: scale_tril must be lower triangular with a positive diagonal")
            return
        symmetric = xp.allclose(data, xp.swapaxes(data, -1, -2), atol=1e-6)
        if not symmetric or not (xp.linalg.eigvalsh(data) > 0).all():
            raise ValueError("MultivariateNormal: the matrix must be symmetric positive definite")

    @property
    def scale_tril(self):
        k = self.event_shape[0]
        return self._unbroadcasted_scale_tril.expand(tuple(self.batch_shape) + (k, k))

    @property
    def covariance_matrix(self):
        tril = self._unbroadcasted_scale_tril
        return (tril @ tril.transpose(-1, -2)).expand(tuple(self.batch_shape) + 2 * tuple(self.event_shape))

    @property
    def precision_matrix(self):
        return inv(self.covariance_matrix)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return (self._unbroadcasted_scale_tril ** 2).sum(-1).expand(tuple(self.batch_shape) + tuple(self.event_shape))

    def _half_log_det(self):
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def rsample(self, sample_shape=()):
        noise = standard_normal(self._extended(sample_shape), self.loc)
        return self.loc + (self._unbroadcasted_scale_tril @ noise.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value):
        diff = as_tensor(value, self.loc) - self.loc
        k = self.event_shape[0]
        return -0.5 * (k * math.log(2 * math.pi) + _mahalanobis(self._unbroadcasted_scale_tril, diff)) - self._half_log_det()

    def entropy(self):
        k = self.event_shape[0]
        value = 0.5 * k * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return value.expand(self.batch_shape) if value.shape != tuple(self.batch_shape) else value
