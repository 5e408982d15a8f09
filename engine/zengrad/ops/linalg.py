"""Linear algebra on square matrices (batched over leading dims): inverse, determinant,
log-determinant, solve, and the matrix norms. Forward calls NumPy's / CuPy's LAPACK; each backward
is written in Tensor ops (so second derivatives work), from the differential of the matrix
identity behind the op:

    Y = A⁻¹        dY = −Y dA Y                       ⇒  ∂/∂A = −Yᵀ G Yᵀ
    d = det A      dd = d · tr(A⁻¹ dA)                ⇒  ∂/∂A = g · d · A⁻ᵀ
    ℓ = ln|det A|  dℓ = tr(A⁻¹ dA)                    ⇒  ∂/∂A = g · A⁻ᵀ
    X = A⁻¹B       A dX = dB − dA X                   ⇒  ∂/∂B = A⁻ᵀ G,  ∂/∂A = −(A⁻ᵀ G) Xᵀ

A singular matrix has no inverse: ``inv`` and ``solve`` raise, ``det`` returns 0 (its gradient
there is taken from the adjugate only where A⁻¹ exists, so it is NaN-free only for invertible A).
"""

from __future__ import annotations

import numpy as np

from ..errors import DtypeError, LinAlgError, OpError
from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from ._util import unbroadcast
from .matmul import matmul
from .shape import matrix_transpose


def _xp(a):
    return backend.array_module(backend.device_of(a))


def _square(op: str, a: Tensor) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise OpError(f"{op}: expects square matrices (*, n, n), got shape {a.shape}")
    if a.dtype.kind != "f":
        raise DtypeError(f"{op}: expects a floating-point tensor, got {a.dtype}")


def _lapack(op: str, fn, *arrays):
    try:
        return fn(*arrays)
    except np.linalg.LinAlgError as error:
        raise LinAlgError(f"{op}: {error}: the input matrix is singular "
                          f"(input shapes {[tuple(x.shape) for x in arrays]})") from None


class Inverse(Function):
    """Y = A⁻¹;  ∂/∂A = −Yᵀ G Yᵀ."""

    saved_inputs = ()

    def forward(self, a):
        return _lapack("inv", _xp(a).linalg.inv, a)

    def backward(self, g):
        inverse_t = matrix_transpose(self.output())
        return -(inverse_t @ g @ inverse_t)


class Det(Function):
    """d = det A;  ∂/∂A = g · d · A⁻ᵀ."""

    def forward(self, a):
        return _xp(a).linalg.det(a)

    def backward(self, g):
        (a,) = self.inputs
        scale = (g * self.output()).reshape(g.shape + (1, 1))
        return scale * matrix_transpose(inv(a))


class LogAbsDet(Function):
    """ℓ = ln |det A| (second output of slogdet);  ∂/∂A = g · A⁻ᵀ."""

    def forward(self, a):
        return _xp(a).linalg.slogdet(a)[1]

    def backward(self, g):
        (a,) = self.inputs
        return g.reshape(g.shape + (1, 1)) * matrix_transpose(inv(a))


class Solve(Function):
    """X = A⁻¹ B (B a batch of matrices);  ∂/∂B = A⁻ᵀ G,  ∂/∂A = −(A⁻ᵀ G) Xᵀ."""

    def forward(self, a, b):
        return _lapack("solve", _xp(a).linalg.solve, a, b)

    def backward(self, g):
        a, b = self.inputs
        grad_b = solve(matrix_transpose(a), g)
        grad_a = -(grad_b @ matrix_transpose(self.output())) if self.needs_grad(0) else None
        return (unbroadcast(grad_a, a.shape) if grad_a is not None else None,
                unbroadcast(grad_b, b.shape) if self.needs_grad(1) else None)


def inv(a: Tensor) -> Tensor:
    """The inverse A⁻¹ of each square matrix (ValueError if one is singular)."""
    _square("inv", a)
    return Inverse.apply(a)


def det(a: Tensor) -> Tensor:
    """The determinant of each square matrix."""
    _square("det", a)
    return Det.apply(a)


def slogdet(a: Tensor) -> tuple:
    """(sign, ln|det A|) of each square matrix: the log-determinant without overflow; the sign
    carries no gradient."""
    _square("slogdet", a)
    sign = Tensor(_xp(a.data).linalg.slogdet(a.data)[0])
    return sign, LogAbsDet.apply(a)


def logdet(a: Tensor) -> Tensor:
    """ln det A: ln|det A| where det A > 0, NaN where it is negative, −inf where it is 0."""
    sign, log_abs = slogdet(a)
    xp = a.xp
    return log_abs + Tensor(xp.where(sign.data < 0, np.nan, 0.0).astype(a.dtype))


def solve(a: Tensor, b: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B for square A (*, n, n) and B (*, n, k) or (*, n) — without forming A⁻¹;
    ``left=False``: X with X A = B, i.e. Aᵀ Xᵀ = Bᵀ."""
    _square("solve", a)
    if not left:
        if b.ndim == a.ndim - 1 or b.ndim == 1:
            return solve(matrix_transpose(a), b)
        return matrix_transpose(solve(matrix_transpose(a), matrix_transpose(b)))
    if b.ndim == a.ndim - 1:
        if b.shape[-1] != a.shape[-1]:
            raise OpError(f"solve: A of shape {a.shape} and B of shape {b.shape} do not fit")
        return Solve.apply(a, b.unsqueeze(-1)).squeeze(-1)
    if b.ndim < 2 or b.shape[-2] != a.shape[-1]:
        raise OpError(f"solve: A of shape {a.shape} and B of shape {b.shape} do not fit (B needs {a.shape[-1]} rows)")
    return Solve.apply(a, b)


def matrix_norm(a: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False) -> Tensor:
    """Matrix norms over the two dims ``dim``: 'fro' = √(Σ aᵢⱼ²); 1 = the largest column sum of |a|;
    inf = the largest row sum of |a| (−1, −inf: the smallest)."""
    from .statistics import amax, amin, norm
    if a.ndim < 2:
        raise OpError(f"matrix_norm: expects at least 2 dims, got shape {a.shape}")
    rows, cols = (d % a.ndim for d in dim)
    if ord == "fro":
        return norm(a, 2, (rows, cols), keepdim)
    if ord not in (1, -1, np.inf, -np.inf):
        raise OpError(f"matrix_norm: ord must be 'fro', 1, -1, inf or -inf, got {ord!r}")
    summed_dim, other = (rows, cols) if ord in (1, -1) else (cols, rows)
    sums = a.abs().sum(dim=summed_dim, keepdim=True)
    out = (amax if ord > 0 else amin)(sums, dim=other, keepdim=True)
    if keepdim:
        return out
    return out.reshape(tuple(n for d, n in enumerate(a.shape) if d not in (rows, cols)))


def matrix_power(a: Tensor, n: int) -> Tensor:
    """Aⁿ for an integer n (n < 0: (A⁻¹)^|n|), by repeated squaring."""
    _square("matrix_power", a)
    if n < 0:
        a, n = inv(a), -n
    result = None
    base = a
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    if result is None:
        return Tensor(a.xp.broadcast_to(a.xp.eye(a.shape[-1], dtype=a.dtype), a.shape).copy())
    return result
