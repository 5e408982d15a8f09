"""PyTorch's linear-algebra names from before ``torch.linalg``, still in users' code, as thin
layers over :mod:`zengrad.linalg`'s ops (their math is there):

    svd(A, some, compute_uv)      → (U, S, V) with A = U diag(S) Vᵀ — V, not Vᵀ
    cholesky(A, upper)            → linalg.cholesky
    lu(A, pivot, get_infos)       → (LU, pivots[, infos]) as linalg.lu_factor_ex
    lu_solve(b, LU, pivots)       → linalg.lu_solve(LU, pivots, b)   (b first)
    orgqr(A, tau)                 → linalg.householder_product
    cholesky_solve(B, L, upper)   → X with (L Lᵀ) X = B, by two triangular solves
    cholesky_inverse(L, upper)    → (L Lᵀ)⁻¹
"""

from __future__ import annotations

import collections

from .. import backend
from ..tensor import Tensor
from .decompositions import cholesky as _cholesky, householder_product, solve_triangular, svd as _svd
from .lu import LUFactor, lu_factor_ex, lu_solve as _lu_solve
from .shape import matrix_transpose

SVD = collections.namedtuple("svd", ["U", "S", "V"])


def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> SVD:
    """(U, S, V) with A = U diag(S) Vᵀ: the reduced U (m×k) and V (n×k) with ``some``, else the full
    ones (m×m, n×n); with ``compute_uv=False``, U and V are zero-filled m×m and n×n matrices."""
    u, s, vh = _svd(input, full_matrices=not some)
    if not compute_uv:
        xp = backend.array_module(backend.device_of(input._data))
        m, n = input.shape[-2:]
        batch = tuple(input.shape[:-2])
        return SVD(Tensor(xp.zeros(batch + (m, m), dtype=input.dtype)), s.detach(),
                   Tensor(xp.zeros(batch + (n, n), dtype=input.dtype)))
    return SVD(u, s, matrix_transpose(vh))


def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """The Cholesky factor of the symmetric positive-definite A: L with A = L Lᵀ, or U = Lᵀ."""
    return _cholesky(input, upper=upper)


def lu(A: Tensor, pivot: bool = True, get_infos: bool = False):
    """(LU, pivots), the packed LU of :func:`zengrad.linalg.lu_factor_ex`, and its info with
    ``get_infos``; without it, a singular matrix is an error."""
    factored = lu_factor_ex(A, pivot=pivot, check_errors=not get_infos)
    return factored if get_infos else LUFactor(factored.LU, factored.pivots)


def lu_solve(b: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
    """X with A X = b from A's packed LU (the arguments in the old order: b first)."""
    return _lu_solve(LU_data, LU_pivots, b)


def orgqr(input: Tensor, tau: Tensor) -> Tensor:
    """Q from Householder reflectors, as :func:`zengrad.linalg.householder_product`."""
    return householder_product(input, tau)


def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False) -> Tensor:
    """X with A X = B for A = L Lᵀ (``upper``: A = Uᵀ U), given the factor: L Y = B, then Lᵀ X = Y."""
    lower = matrix_transpose(L) if upper else L
    y = solve_triangular(lower, B, upper=False)
    return solve_triangular(matrix_transpose(lower), y, upper=True)


def cholesky_inverse(L: Tensor, upper: bool = False) -> Tensor:
    """A⁻¹ for A = L Lᵀ (``upper``: A = Uᵀ U), given the factor."""
    xp = backend.array_module(backend.device_of(L._data))
    eye = Tensor(xp.broadcast_to(xp.eye(L.shape[-1], dtype=L.dtype), L.shape).copy())
    return cholesky_solve(eye, L, upper)


__all__ = ["cholesky", "cholesky_inverse", "cholesky_solve", "lu", "lu_solve", "orgqr", "svd"]
