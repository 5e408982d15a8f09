"""``zengrad.linalg``, as ``torch.linalg``: the linear-algebra ops (their math is in
:mod:`zengrad.ops.linalg`, :mod:`zengrad.ops.decompositions` and :mod:`zengrad.ops.statistics`)."""

from .errors import OpError
from .ops.assembly import vander as _vander
from .ops.decompositions import (cholesky, cond, eigh, eigvalsh, lstsq, matrix_rank, multi_dot, pinv, qr,
                                 solve_triangular, svd, svdvals, vecdot)
from .ops.layout import diagonal as _diagonal
from .ops.linalg import det, inv, matrix_norm, matrix_power, slogdet, solve
from .ops.matmul import matmul
from .ops.products import cross, tensordot
from .ops.statistics import vector_norm


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


def diagonal(a, *, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """The diagonals of a batch of matrices (``torch.linalg.diagonal``: the last two dims by default)."""
    return _diagonal(a, offset, dim1, dim2)


def vander(x, *, N: int | None = None):
    """The Vandermonde matrix with increasing powers along the last dim: out[..., j] = x^j."""
    return _vander(x, N=N, increasing=True)


__all__ = ["cholesky", "cond", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "lstsq", "matmul",
           "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve",
           "solve_triangular", "svd", "svdvals", "tensordot", "vander", "vecdot", "vector_norm"]
