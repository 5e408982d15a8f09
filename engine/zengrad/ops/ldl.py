"""The LDLᵀ factorisation of a symmetric (possibly indefinite) matrix, P A Pᵀ = L D Lᵀ, by the
Bunch–Kaufman diagonal pivoting of LAPACK's sytf2 (lower triangle): ``ldl_factor_ex``,
``ldl_factor`` and ``ldl_solve``. No gradients (PyTorch has none for these either).

Column k at a time, on the lower triangle (α = (1 + √17) / 8 ≈ 0.64 bounds the growth of entries):

    c = max_{i>k} |a_ik| (in row r);  if |a_kk| ≥ α c: a 1×1 pivot a_kk
    else with ρ = the largest off-diagonal |·| in row/column r:
        |a_kk| ≥ α c² / ρ  → 1×1 pivot a_kk;   |a_rr| ≥ α ρ → swap k and r, 1×1 pivot;
        otherwise swap k + 1 and r and take the 2×2 pivot [[a_kk, a_rk], [a_rk, a_rr]];
    then eliminate below the pivot: A₂₂ −= A₂₁ D⁻¹ A₂₁ᵀ, and store L's column(s) A₂₁ D⁻¹.

LD holds D on and next to the diagonal (a 2×2 block's off-diagonal below it) and L's multipliers
below; pivots are 1-based: ``p > 0`` a 1×1 block whose row was swapped with row p, ``−p, −p`` a
2×2 block whose second row was swapped with row p. ``info`` is the first zero pivot (1-based).
"""

from __future__ import annotations

import collections

import numpy as np

from ..errors import LinAlgError, OpError
from ..tensor import Tensor
from .linalg import _square

LDLFactor = collections.namedtuple("linalg_ldl_factor", ["LD", "pivots"])
LDLFactorEx = collections.namedtuple("linalg_ldl_factor_ex", ["LD", "pivots", "info"])
_ALPHA = (1 + np.sqrt(17.0)) / 8


def _swap(a, k: int, p: int) -> None:
    """Swap rows/columns k < p of the symmetric matrix held in a's lower triangle."""
    n = a.shape[0]
    if p + 1 < n:
        a[p + 1:, [k, p]] = a[p + 1:, [p, k]]
    between = a[k + 1:p, k].copy()
    a[k + 1:p, k] = a[p, k + 1:p]
    a[p, k + 1:p] = between
    a[k, k], a[p, p] = a[p, p], a[k, k]


def _factor_one(a):
    """sytf2 on one matrix (its lower triangle, in place): the pivots and info."""
    n = a.shape[0]
    pivots = np.zeros(n, dtype=np.int32)
    info = 0
    k = 0
    while k < n:
        step = 1
        diagonal = abs(a[k, k])
        r = k + 1 + int(np.argmax(np.abs(a[k + 1:, k]))) if k + 1 < n else k
        column_max = abs(a[r, k]) if k + 1 < n else 0.0
        if max(diagonal, column_max) == 0 or np.isnan(diagonal):  # nothing to eliminate (or NaN): skip
            info = info or k + 1
            pivots[k] = k + 1
            k += 1
            continue
        if diagonal >= _ALPHA * column_max:
            p = k
        else:
            row_max = np.abs(a[r, k:r]).max()
            if r + 1 < n:
                row_max = max(row_max, np.abs(a[r + 1:, r]).max())
            if diagonal >= _ALPHA * column_max * (column_max / row_max):
                p = k
            elif abs(a[r, r]) >= _ALPHA * row_max:
                p = r
            else:
                p, step = r, 2
        kk = k + step - 1
        if p != kk:
            _swap(a, kk, p)
            if step == 2:
                a[k + 1, k], a[p, k] = a[p, k], a[k + 1, k]
        if step == 1 and k + 1 < n:
            x, reciprocal = a[k + 1:, k].copy(), 1 / a[k, k]
            a[k + 1:, k + 1:] -= np.tril(np.outer(x, reciprocal * x))  # LAPACK's order of rounding
            a[k + 1:, k] = reciprocal * x
        elif step == 2 and k + 2 < n:
            d21 = a[k + 1, k]
            d11, d22 = a[k + 1, k + 1] / d21, a[k, k] / d21
            t = 1 / (d11 * d22 - 1)
            d21 = t / d21
            wk = d21 * (d11 * a[k + 2:, k] - a[k + 2:, k + 1])
            wk1 = d21 * (d22 * a[k + 2:, k + 1] - a[k + 2:, k])
            a[k + 2:, k + 2:] -= np.tril(np.outer(a[k + 2:, k], wk) + np.outer(a[k + 2:, k + 1], wk1))
            a[k + 2:, k], a[k + 2:, k + 1] = wk, wk1
        if step == 1:
            pivots[k] = p + 1
        else:
            pivots[k] = pivots[k + 1] = -(p + 1)
        k += step
    return np.tril(a), pivots, info


def ldl_factor_ex(A: Tensor, *, hermitian: bool = False, check_errors: bool = False) -> LDLFactorEx:
    """(LD, pivots, info): P A Pᵀ = L D Lᵀ for symmetric A (its lower triangle is read), as
    LAPACK's sytrf lays it out (see the module docstring); ``check_errors`` raises where info ≠ 0."""
    _square("linalg.ldl_factor_ex", A)
    n = A.shape[-1]
    batch = tuple(A.shape[:-2])
    flat = np.array(A._data, dtype=A.dtype).reshape((int(np.prod(batch)), n, n))
    results = [_factor_one(matrix.copy()) for matrix in flat]
    ld = np.stack([r[0] for r in results]) if results else flat.copy()
    pivots = np.stack([r[1] for r in results]) if results else np.zeros((0, n), dtype=np.int32)
    info = np.array([r[2] for r in results], dtype=np.int32)
    if check_errors and info.any():
        raise LinAlgError(f"linalg.ldl_factor_ex: the factorization failed: D[{int(info[info != 0][0])}] is zero "
                          f"(input shape {tuple(A.shape)})")
    return LDLFactorEx(Tensor(ld.reshape(batch + (n, n))), Tensor(pivots.reshape(batch + (n,))),
                       Tensor(info.reshape(batch)))


def ldl_factor(A: Tensor, *, hermitian: bool = False) -> LDLFactor:
    """(LD, pivots) as :func:`ldl_factor_ex`; an error where D has a zero pivot."""
    ld, pivots, _ = ldl_factor_ex(A, hermitian=hermitian, check_errors=True)
    return LDLFactor(ld, pivots)


def _explicit_factors(ld, pivots):
    """M and D with A = M D Mᵀ: M = P₁ L₁ P₂ L₂ ⋯ (each Lₖ unit lower with block k's multipliers,
    each Pₖ the swap of its step) and D block diagonal with 1×1 and 2×2 blocks."""
    n = ld.shape[-1]
    m, d = np.eye(n, dtype=ld.dtype), np.zeros((n, n), dtype=ld.dtype)
    k = 0
    while k < n:
        step = 1 if pivots[k] > 0 else 2
        p = abs(int(pivots[k])) - 1
        swap = np.eye(n, dtype=ld.dtype)
        swap[[k + step - 1, p]] = swap[[p, k + step - 1]]
        lower = np.eye(n, dtype=ld.dtype)
        lower[k + step:, k:k + step] = ld[k + step:, k:k + step]
        d[k:k + step, k:k + step] = ld[k:k + step, k:k + step]
        if step == 2:
            d[k, k + 1] = ld[k + 1, k]
            d[k + 1, k] = ld[k + 1, k]
        m = m @ swap @ lower
        k += step
    return m, d


def ldl_solve(LD: Tensor, pivots: Tensor, B: Tensor, *, hermitian: bool = False) -> Tensor:
    """X with A X = B from A's (LD, pivots): A = M D Mᵀ (see :func:`_explicit_factors`), so
    X = M⁻ᵀ D⁻¹ M⁻¹ B, three solves."""
    _square("linalg.ldl_solve", LD)
    n = LD.shape[-1]
    if B.ndim < 2 or B.shape[-2] != n or tuple(pivots.shape) != tuple(LD.shape[:-1]):
        raise OpError(f"linalg.ldl_solve: LD of shape {tuple(LD.shape)}, pivots of shape {tuple(pivots.shape)} and "
                      f"B of shape {tuple(B.shape)} do not fit")
    batch = np.broadcast_shapes(tuple(LD.shape[:-2]), tuple(B.shape[:-2]))
    count = int(np.prod(batch))
    ld = np.broadcast_to(LD._data, batch + (n, n)).reshape((count, n, n))
    piv = np.broadcast_to(pivots._data, batch + (n,)).reshape((count, n))
    b = np.broadcast_to(B._data, batch + tuple(B.shape[-2:])).reshape((count,) + tuple(B.shape[-2:]))
    out = np.empty(b.shape, dtype=np.result_type(LD.dtype, B.dtype))
    for i in range(ld.shape[0]):
        m, d = _explicit_factors(ld[i], piv[i])
        out[i] = np.linalg.solve(m.T, np.linalg.solve(d, np.linalg.solve(m, b[i])))
    return Tensor(out.reshape(batch + tuple(B.shape[-2:])))
