"""``zengrad.linalg``, as ``torch.linalg``: the linear-algebra ops (their math is in
:mod:`zengrad.ops.linalg` and :mod:`zengrad.ops.statistics`)."""

from .errors import OpError
from .ops.linalg import det, inv, matrix_norm, matrix_power, slogdet, solve
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


__all__ = ["cross", "det", "inv", "matrix_norm", "matrix_power", "norm", "slogdet", "solve", "tensordot",
           "vector_norm"]
