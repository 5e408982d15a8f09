"""LU on arrays (NumPy or CuPy), the numerical core of :mod:`zengrad.ops.lu` and of the ``_ex``
variants in :mod:`zengrad.ops.linalg`: Gaussian elimination with partial pivoting, the permutation
matrix from LAPACK-style pivots, and forward/back substitution. No Tensors, no gradients.

Elimination, one column j at a time, vectorised over the batch:

    pick the row p ≥ j with the largest |a_pj| (the pivot), swap rows j and p, record p + 1;
    l_ij = a_ij / a_jj for i > j  (the multipliers, stored where the zeros of U would be);
    a_ik −= l_ij a_jk for i, k > j  (the rank-1 update of the trailing block).

Pivots are 1-based row numbers as LAPACK's getrf gives them (row j was swapped with row
pivots[j] − 1, in order); ``info`` is 0, or the 1-based index of the first zero on U's diagonal.
"""

from __future__ import annotations

import numpy as np


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


def substitute(lu, permutation, b):
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
