"""The LU factorisation with partial pivoting, P A = L U, and what is built on it: ``lu_factor``
(L and U packed in one matrix, LAPACK's layout), ``lu`` (P, L, U apart), ``lu_solve``,
``lu_unpack``, and the ``_ex`` variants of ``inv`` and ``solve`` that report a singular matrix in
an ``info`` tensor instead of raising.

The algorithm (Gaussian elimination, one column j at a time, vectorised over the batch):

    pick the row p ≥ j with the largest |a_pj| (the pivot), swap rows j and p, record p + 1;
    l_ij = a_ij / a_jj for i > j  (the multipliers, stored where the zeros of U would be);
    a_ik −= l_ij a_jk for i, k > j  (the rank-1 update of the trailing block).

Pivots are 1-based row numbers as LAPACK's getrf gives them (row j was swapped with row
pivots[j] − 1, in order); ``info`` is 0, or the 1-based index of the first zero on U's diagonal.

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
from .linalg import Inverse, _square, solve
from .shape import cat, matrix_transpose

LUFactor = collections.namedtuple("linalg_lu_factor", ["LU", "pivots"])
LUFactorEx = collections.namedtuple("linalg_lu_factor_ex", ["LU", "pivots", "info"])
PLU = collections.namedtuple("linalg_lu", ["P", "L", "U"])
LUUnpack = collections.namedtuple("lu_unpack", ["P", "L", "U"])
InvEx = collections.namedtuple("linalg_inv_ex", ["inverse", "info"])
SolveEx = collections.namedtuple("linalg_solve_ex", ["result", "info"])


def _matrices(op: str, a: Tensor) -> None:
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(a).__name__}")
    if a.ndim < 2:
        raise OpError(f"{op}: expected a tensor with 2 or more dimensions, got shape {tuple(a.shape)}")
    if a.dtype.kind != "f":
        raise DtypeError(f"{op}: expects a floating-point tensor, got {a.dtype}")


def factor_arrays(a, pivot: bool = True):
    """(LU, pivots, info) of a batch of m×n arrays by Gaussian elimination with partial pivoting."""
    xp = np if isinstance(a, np.ndarray) else __import__("cupy")
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    count = int(np.prod(batch))
    lu = a.reshape((count, m, n)).copy()
    pivots = xp.tile(xp.arange(1, k + 1, dtype=np.int32), (count, 1))
    info = xp.zeros(count, dtype=np.int32)
    rows = xp.arange(count)
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(k):
            if pivot:
                p = j + xp.abs(lu[:, j:, j]).argmax(axis=-1)
                pivots[:, j] = p + 1
                swapped = lu[rows, p].copy()
                lu[rows, p] = lu[:, j]
                lu[:, j] = swapped
            diagonal = lu[:, j, j]
            info = xp.where((info == 0) & (diagonal == 0), j + 1, info)
            lu[:, j + 1:, j] /= xp.where(diagonal == 0, 1, diagonal)[:, None]
            lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j:j + 1] * lu[:, j:j + 1, j + 1:]
    return lu.reshape(batch + (m, n)), pivots.reshape(batch + (k,)), info.reshape(batch)


def permutation_arrays(pivots, m: int, dtype):
    """P (m×m) from getrf's pivots: A = P L U, i.e. row i of L U is row perm[i] of A."""
    xp = np if isinstance(pivots, np.ndarray) else __import__("cupy")
    batch = pivots.shape[:-1]
    count = int(np.prod(batch))
    flat = pivots.reshape((count, pivots.shape[-1])).astype(np.int64) - 1
    if count and ((flat < 0).any() or (flat >= m).any()):
        raise IndexError(f"lu_unpack: the pivots must be between 1 and {m}, got {pivots.tolist()}")
    perm = xp.tile(xp.arange(m), (count, 1))
    rows = xp.arange(count)
    for j in range(flat.shape[-1]):
        target = flat[:, j]
        current, other = perm[:, j].copy(), perm[rows, target].copy()
        perm[:, j], perm[rows, target] = other, current
    p = xp.zeros((count, m, m), dtype=dtype)
    p[rows[:, None], perm, xp.arange(m)] = 1
    return p.reshape(batch + (m, m))


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
    lu, pivots, info = factor_arrays(A.data, pivot)
    permutation = permutation_arrays(pivots, A.shape[-2], A.dtype)
    if check_errors:
        _raise_if_singular("linalg.lu_factor_ex", info)
    return LUFactorEx(PackedLU.apply(A, lu=lu, permutation=permutation), Tensor(pivots), Tensor(info))


def lu_factor(A: Tensor, *, pivot: bool = True) -> LUFactor:
    """(LU, pivots) as :func:`lu_factor_ex`; an error if U has a zero on its diagonal (A singular)."""
    lu, pivots, info = lu_factor_ex(A, pivot=pivot)
    if info.data.size and bool((info.data != 0).any()):
        first = int(info.data[info.data != 0].reshape(-1)[0])
        raise LinAlgError(f"linalg.lu_factor: U[{first},{first}] is zero and using it on lu_solve would result "
                          "in a division by zero; linalg.lu_factor_ex factors it without raising")
    return LUFactor(lu, pivots)


def _raise_if_singular(op: str, info) -> None:
    bad = np.flatnonzero(np.asarray(info).reshape(-1))
    if bad.size:
        where = f"(batch element {bad[0]}) " if np.ndim(info) else ""
        raise LinAlgError(f"{op}: {where}the diagonal element {int(np.asarray(info).reshape(-1)[bad[0]])} is zero, "
                          "the input matrix is singular")


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
    p = Tensor(permutation_arrays(LU_pivots.data, m, LU_data.dtype)) if unpack_pivots else empty
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


def _substitute(lu, permutation, b):
    """U⁻¹ L⁻¹ Pᵀ B on arrays, by forward and back substitution: the ±inf and NaN a singular U gives,
    where NumPy's solvers raise (for the ``_ex`` variants, which report singularity in ``info``)."""
    n = lu.shape[-1]
    x = np.swapaxes(permutation, -1, -2) @ b
    x = x.copy()
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i in range(1, n):
            x[..., i, :] -= (lu[..., i, :i, None] * x[..., :i, :]).sum(axis=-2)
        for i in range(n - 1, -1, -1):
            x[..., i, :] -= (lu[..., i, i + 1:, None] * x[..., i + 1:, :]).sum(axis=-2)
            x[..., i, :] /= lu[..., i, i, None]
    return x


def _solve_ex(op: str, a: Tensor, rhs, exact, check_errors: bool):
    """(X, info) for A X = rhs (an array of matrices): ``exact()`` (with its gradient) when every
    matrix is invertible, else substitution, without a gradient."""
    lu, pivots, info = factor_arrays(a.data)
    if check_errors:
        _raise_if_singular(op, info)
    if not info.any():
        return exact(), Tensor(info)
    permutation = permutation_arrays(pivots, a.shape[-1], a.dtype)
    shape = np.broadcast_shapes(lu.shape[:-2], rhs.shape[:-2])
    x = _substitute(np.broadcast_to(lu, shape + lu.shape[-2:]), np.broadcast_to(permutation, shape + lu.shape[-2:]),
                    np.broadcast_to(rhs, shape + rhs.shape[-2:]))
    return Tensor(x.astype(a.dtype)), Tensor(info)


def inv_ex(A: Tensor, *, check_errors: bool = False) -> InvEx:
    """(A⁻¹, info) with info as :func:`lu_factor_ex`'s: 0 where A is invertible; a singular A gives
    ±inf/NaN entries (and no gradient) instead of an error, unless ``check_errors``."""
    _square("linalg.inv_ex", A)
    identity = np.broadcast_to(np.eye(A.shape[-1], dtype=A.dtype), A.shape)
    return InvEx(*_solve_ex("linalg.inv_ex", A, identity, lambda: Inverse.apply(A), check_errors))


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False) -> SolveEx:
    """(X, info): X with A X = B (``left``) or X A = B, info as :func:`inv_ex`'s."""
    _square("linalg.solve_ex", A)
    vector = B.ndim == A.ndim - 1 or B.ndim == 1
    rhs = B.data[..., None] if vector else B.data
    a = A if left else matrix_transpose(A)
    rhs = rhs if left else np.swapaxes(rhs, -1, -2)
    x, info = _solve_ex("linalg.solve_ex", a, rhs, lambda: solve(A, B, left=left), check_errors)
    if x.grad_fn is not None or not info.data.any():
        return SolveEx(x, info)
    x = x if left else matrix_transpose(x)
    return SolveEx(x.squeeze(-1) if vector else x, info)


__all__ = ["inv_ex", "lu", "lu_factor", "lu_factor_ex", "lu_solve", "lu_unpack", "solve_ex"]
