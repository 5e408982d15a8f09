"""``zengrad.linalg``, as ``torch.linalg``: the linear-algebra ops (their math is in
:mod:`zengrad.ops.linalg`, :mod:`zengrad.ops.decompositions`, :mod:`zengrad.ops.lu`, :mod:`zengrad.ops.lu_arrays`,
:mod:`zengrad.ops.ldl`, :mod:`zengrad.ops.matrix_exp` and :mod:`zengrad.ops.statistics`)."""

from .errors import LinAlgError, OpError
from .ops.assembly import vander as _vander
from .ops.decompositions import (cholesky, cholesky_ex, cond, eigh, eigvalsh, householder_product, lstsq,
                                 matrix_norm, matrix_rank, multi_dot, pinv, qr, solve_triangular, svd, svdvals, vecdot)
from .ops.layout import diagonal as _diagonal
from .ops.ldl import ldl_factor, ldl_factor_ex, ldl_solve
from .ops.linalg import det, inv, inv_ex, matrix_power, slogdet, solve, solve_ex
from .ops.lu import lu, lu_factor, lu_factor_ex, lu_solve
from .ops.matrix_exp import matrix_exp
from .ops.matmul import matmul
from .ops.products import cross as _cross, tensordot
from .ops.shape import stack
from .ops.statistics import vector_norm
from .tensor import Tensor


def norm(a, ord=None, dim=None, keepdim: bool = False):
    """``torch.linalg.norm``: a vector norm (1-d input, or an int ``dim``), else a matrix norm
    over the last two dims or the two in ``dim``; ``ord=None`` is 2 for vectors and 'fro' for
    matrices."""
    if (dim is None and a.ndim == 1) or isinstance(dim, int):
        return vector_norm(a, 2 if ord is None else ord, dim, keepdim)
    if dim is None and a.ndim != 2 and ord is not None:
        raise OpError(f"linalg.norm: give dim for a {a.ndim}-d input with ord={ord!r}")
    if dim is None and ord is None:
        return vector_norm(a, 2, None, keepdim)
    return matrix_norm(a, "fro" if ord is None else ord, (-2, -1) if dim is None else dim, keepdim)


def tensorinv(A, ind: int = 2):
    """The tensor X with tensordot(A, X, ind) the identity: A of shape I + J (``ind`` dims in I) is
    read as a prod(I) × prod(J) matrix, which must be square, and inverted; X has shape J + I."""
    if ind <= 0:
        raise OpError(f"linalg.tensorinv: expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = A.shape[:ind], A.shape[ind:]
    if _prod(rows) != _prod(cols):
        raise OpError(f"linalg.tensorinv: expected self to satisfy the requirement prod(self.shape[ind:]) == "
                      f"prod(self.shape[:ind]), but got shape {tuple(A.shape)} and ind={ind}")
    return inv(A.reshape(_prod(rows), _prod(cols))).reshape(*cols, *rows)


def tensorsolve(A, B, dims=None):
    """The tensor X with tensordot(A, X, X.ndim) = B: A of shape B.shape + X.shape, read as a
    prod(B.shape) × prod(X.shape) matrix (square) and solved; ``dims`` of A are first moved to the end."""
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        A = A.permute(*[d for d in range(A.ndim) if d not in dims], *dims)
    x_shape = tuple(A.shape[B.ndim:])
    if tuple(A.shape[:B.ndim]) != tuple(B.shape) or _prod(x_shape) != _prod(B.shape):
        raise OpError(f"linalg.tensorsolve: expected A of shape B.shape + X.shape with prod(X.shape) == "
                      f"prod(B.shape), got A {tuple(A.shape)} and B {tuple(B.shape)}")
    return solve(A.reshape(_prod(B.shape), _prod(x_shape)), B.reshape(-1)).reshape(*x_shape)


def _prod(shape) -> int:
    out = 1
    for n in shape:
        out *= n
    return out


def diagonal(a, *, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """The diagonals of a batch of matrices (``torch.linalg.diagonal``: the last two dims by default)."""
    return _diagonal(a, offset, dim1, dim2)


def vander(x, *, N: int | None = None):
    """The Vandermonde matrices of a batch of vectors x (*, n), increasing powers along a new last
    dim: out[..., i, j] = xᵢʲ for j < N (N = n by default), built as 1, x, x·x, … so that the
    gradient is finite at x = 0."""
    if x.ndim < 1:
        raise OpError(f"linalg.vander: x must have at least one dimension, got shape {tuple(x.shape)}")
    columns = x.shape[-1] if N is None else N
    if columns <= 1:
        raise OpError(f"linalg.vander: N must be greater than 1, got {columns} (x of shape {tuple(x.shape)})")
    if x.ndim == 1:
        return _vander(x, N=N, increasing=True)
    powers = [Tensor(x.xp.ones(x.shape, dtype=x.dtype)), x]
    while len(powers) < columns:
        powers.append(powers[-1] * x)
    return stack(powers, dim=-1)


def cross(input, other, *, dim: int = -1):
    """The cross product a × b along ``dim`` (the last by default; it must have size 3):
    z = (a₂b₃ − a₃b₂, a₃b₁ − a₁b₃, a₁b₂ − a₂b₁); a and b broadcast (with the same number of dims)."""
    if input.ndim != other.ndim:
        raise OpError(f"linalg.cross: inputs must have the same number of dimensions, got shapes "
                      f"{tuple(input.shape)} and {tuple(other.shape)}")
    return _cross(input, other, dim)


__all__ = ["cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eigh", "eigvalsh",
           "householder_product", "inv", "inv_ex", "ldl_factor", "ldl_factor_ex", "ldl_solve",
           "LinAlgError", "lstsq", "lu", "lu_factor", "lu_factor_ex", "lu_solve", "matmul",
           "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv",
           "qr", "slogdet", "solve", "solve_ex", "solve_triangular", "svd", "svdvals", "tensordot",
           "tensorinv", "tensorsolve", "vander", "vecdot", "vector_norm"]
