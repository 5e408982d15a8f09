"""The LU factorisation with partial pivoting, P A = L U, and what is built on it: ``lu_factor``
(L and U packed in one matrix, LAPACK's layout), ``lu`` (P, L, U apart), ``lu_solve`` and
``lu_unpack``.

The factorisation itself (Gaussian elimination with partial pivoting, LAPACK's 1-based pivots and
``info``) is computed on arrays by :mod:`zengrad.ops.lu_arrays`.

The gradient (A m×n, k = min(m, n), L m×k unit lower, U k×n upper; ∘1_L keeps the strictly lower
triangle, ∘1_U the upper one; PyTorch's formulas, so the two agree):

    m = n:  Ā = P L⁻ᵀ [Lᵀ L̄ ∘ 1_L + Ū Uᵀ ∘ 1_U] U⁻ᵀ
    m < n:  A = P L [U₁ | U₂]:  Ā = P L⁻ᵀ [Ū₁ ∘ 1_U + (Lᵀ L̄ − Ū Uᵀ) ∘ 1_L U₁⁻ᵀ | Ū₂]
    m > n:  A = P [L₁; L₂] U:   Ā = P [L̄₁ ∘ 1_L + L₁⁻ᵀ (Ū Uᵀ − Lᵀ L̄) ∘ 1_U; L̄₂] U⁻ᵀ

written in Tensor ops, so second derivatives work.
"""

from __future__ import annotations

import collections

import numpy as np

from ..autograd import Function
from ..errors import DtypeError, LinAlgError, OpError
from ..tensor import Tensor
from .decompositions import solve_triangular
from .layout import tril, triu
from .linalg import raise_if_singular
from .lu_arrays import factor_arrays, permutation_arrays
from .shape import cat, matrix_transpose

LUFactor = collections.namedtuple("linalg_lu_factor", ["LU", "pivots"])
LUFactorEx = collections.namedtuple("linalg_lu_factor_ex", ["LU", "pivots", "info"])
PLU = collections.namedtuple("linalg_lu", ["P", "L", "U"])
LUUnpack = collections.namedtuple("lu_unpack", ["P", "L", "U"])


def _matrices(op: str, a: Tensor) -> None:
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(a).__name__}")
    if a.ndim < 2:
        raise OpError(f"{op}: expected a tensor with 2 or more dimensions, got shape {tuple(a.shape)}")
    if a.dtype.kind != "f":
        raise DtypeError(f"{op}: expects a floating-point tensor, got {a.dtype}")


class PackedLU(Function):
    """The packed LU of A (computed by :func:`factor_arrays` before the node is recorded, passed in
    as ``lu``); the backward is the module docstring's, with L̄ = tril(Ḡ, −1) and Ū = triu(Ḡ)."""

    saved_inputs = ()

    def __init__(self, lu, permutation):
        super().__init__()
        self.lu, self.permutation = lu, permutation

    def forward(self, a):
        return self.lu

    def backward(self, g):
        packed = self.output()
        m, n = packed.shape[-2:]
        k = min(m, n)
        lower = tril(packed[..., :, :k], -1) + Tensor(np.eye(m, k, dtype=packed.dtype))
        upper = triu(packed[..., :k, :])
        grad_l, grad_u = tril(g[..., :, :k], -1), triu(g[..., :k, :])
        lt_gl = matrix_transpose(lower) @ grad_l
        gu_ut = grad_u @ matrix_transpose(upper)
        if m == n:
            inner = tril(lt_gl, -1) + triu(gu_ut)
            grad = _solve_lower_t(lower, _right_solve_upper_t(upper, inner))
        elif m < n:
            inner = _right_solve_upper_t(upper[..., :, :k], tril(lt_gl - gu_ut, -1))
            inner = cat([inner + triu(grad_u[..., :, :k]), grad_u[..., :, k:]], dim=-1)
            grad = _solve_lower_t(lower, inner)
        else:
            inner = _solve_lower_t(lower[..., :k, :], triu(gu_ut - lt_gl))
            inner = cat([inner + tril(grad_l[..., :k, :], -1), grad_l[..., k:, :]], dim=-2)
            grad = _right_solve_upper_t(upper, inner)
        return Tensor(self.permutation) @ grad


def _solve_lower_t(lower: Tensor, b: Tensor) -> Tensor:
    """X with Lᵀ X = B, L unit lower triangular."""
    return solve_triangular(matrix_transpose(lower), b, upper=True, unitriangular=True)


def _right_solve_upper_t(upper: Tensor, b: Tensor) -> Tensor:
    """X with X Uᵀ = B, U upper triangular."""
    return solve_triangular(matrix_transpose(upper), b, upper=False, left=False)


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False) -> LUFactorEx:
    """(LU, pivots, info): P A = L U packed in one matrix (U on and above the diagonal, L's
    multipliers below it; L's unit diagonal is implied), getrf's 1-based int32 pivots, and info = 0
    or the 1-based index of U's first zero diagonal entry (``check_errors`` raises instead)."""
    _matrices("linalg.lu_factor_ex", A)
    lu, pivots, info = factor_arrays(A._data, pivot)
    permutation = permutation_arrays(pivots, A.shape[-2], A.dtype)
    if check_errors:
        raise_if_singular("linalg.lu_factor_ex", info)
    return LUFactorEx(PackedLU.apply(A, lu=lu, permutation=permutation), Tensor(pivots), Tensor(info))


def lu_factor(A: Tensor, *, pivot: bool = True) -> LUFactor:
    """(LU, pivots) as :func:`lu_factor_ex`; an error if U has a zero on its diagonal (A singular)."""
    lu, pivots, info = lu_factor_ex(A, pivot=pivot)
    if info._data.size and bool((info._data != 0).any()):
        first = int(info._data[info._data != 0].reshape(-1)[0])
        raise LinAlgError(f"linalg.lu_factor: U[{first},{first}] is zero and using it on lu_solve would result "
                          "in a division by zero; linalg.lu_factor_ex factors it without raising")
    return LUFactor(lu, pivots)


def lu(A: Tensor, *, pivot: bool = True) -> PLU:
    """(P, L, U) with A = P L U: P a permutation matrix (m×m), L unit lower triangular (m×k) and U
    upper triangular (k×n), k = min(m, n). Gradients flow to A through L and U."""
    _matrices("linalg.lu", A)
    packed, pivots, _ = lu_factor_ex(A, pivot=pivot)
    return PLU(*lu_unpack(packed, pivots))


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True, unpack_pivots: bool = True) -> LUUnpack:
    """(P, L, U) from the packed LU of :func:`lu_factor` (empty tensors for the parts not asked for)."""
    _matrices("lu_unpack", LU_data)
    m, n = LU_data.shape[-2:]
    k = min(m, n)
    if tuple(LU_pivots.shape) != tuple(LU_data.shape[:-2]) + (k,) or LU_pivots.dtype.kind not in "iu":
        raise OpError(f"lu_unpack: the pivots must be an int tensor of shape {tuple(LU_data.shape[:-2]) + (k,)}, "
                      f"got {LU_pivots.dtype} of shape {tuple(LU_pivots.shape)}")
    empty = Tensor(np.zeros((0,), dtype=LU_data.dtype))
    p = Tensor(permutation_arrays(LU_pivots._data, m, LU_data.dtype)) if unpack_pivots else empty
    if not unpack_data:
        return LUUnpack(p, empty, empty)
    lower = tril(LU_data[..., :, :k], -1) + Tensor(np.eye(m, k, dtype=LU_data.dtype))
    return LUUnpack(p, lower, triu(LU_data[..., :k, :]))


def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True, adjoint: bool = False) -> Tensor:
    """X with A X = B (``left``) or X A = B, from A's packed LU (Aᵀ in place of A with ``adjoint``):

        A X = B   ⇒  X = U⁻¹ L⁻¹ Pᵀ B          Aᵀ X = B  ⇒  X = P L⁻ᵀ U⁻ᵀ B

    and X A = B is the transpose of Aᵀ Xᵀ = Bᵀ. Gradients flow to LU and B."""
    _matrices("linalg.lu_solve", LU)
    _matrices("linalg.lu_solve", B)
    n = LU.shape[-1]
    if LU.shape[-2] != n:
        raise OpError(f"linalg.lu_solve: LU must be square (*, n, n), got shape {tuple(LU.shape)}")
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise OpError(f"linalg.lu_solve: LU of shape {tuple(LU.shape)} and B of shape {tuple(B.shape)} do not fit "
                      f"(left={left})")
    if not left:
        return matrix_transpose(lu_solve(LU, pivots, matrix_transpose(B), adjoint=not adjoint))
    p, lower, upper = lu_unpack(LU, pivots)
    if adjoint:
        y = solve_triangular(matrix_transpose(upper), B, upper=False)
        return p @ _solve_lower_t(lower, y)
    y = solve_triangular(lower, matrix_transpose(p) @ B, upper=False, unitriangular=True)
    return solve_triangular(upper, y, upper=True)


__all__ = ["lu", "lu_factor", "lu_factor_ex", "lu_solve", "lu_unpack"]
