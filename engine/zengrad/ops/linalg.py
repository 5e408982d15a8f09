"""Linear algebra on square matrices (batched over leading dims): inverse, determinant,
log-determinant, solve, matrix powers, and ``inv_ex``/``solve_ex``, which report a singular matrix
in an ``info`` tensor (from the LU of :mod:`zengrad.ops.lu_arrays`) instead of raising. Forward
calls NumPy's / CuPy's LAPACK; each backward
is written in Tensor ops (so second derivatives work), from the differential of the matrix
identity behind the op:

    Y = A⁻¹        dY = −Y dA Y                       ⇒  ∂/∂A = −Yᵀ G Yᵀ
    d = det A      dd = d · tr(A⁻¹ dA)                ⇒  ∂/∂A = g · d · A⁻ᵀ
    ℓ = ln|det A|  dℓ = tr(A⁻¹ dA)                    ⇒  ∂/∂A = g · A⁻ᵀ
    X = A⁻¹B       A dX = dB − dA X                   ⇒  ∂/∂B = A⁻ᵀ G,  ∂/∂A = −(A⁻ᵀ G) Xᵀ

A singular matrix has no inverse: ``inv`` and ``solve`` raise (:class:`~zengrad.errors.LinAlgError`),
``det`` returns 0, and its gradient there is the cofactor matrix from the SVD (first order only;
PyTorch's first-order backward gives 0 for a matrix of rank n − 1, its double backward the cofactors).
"""

from __future__ import annotations

import collections

import numpy as np

from ..errors import DtypeError, LinAlgError, OpError
from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from ._util import unbroadcast
from .lu_arrays import factor_arrays, permutation_arrays, substitute
from .matmul import matmul
from .shape import matrix_transpose


InvEx = collections.namedtuple("linalg_inv_ex", ["inverse", "info"])
SolveEx = collections.namedtuple("linalg_solve_ex", ["result", "info"])


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
        if bool((self.out_data == 0).any()):
            return g.reshape(g.shape + (1, 1)) * Tensor(cofactor_arrays(a._data))
        scale = (g * self.output()).reshape(g.shape + (1, 1))
        return scale * matrix_transpose(inv(a))


def cofactor_arrays(a):
    """The cofactor matrix adj(A)ᵀ = ∂ det A / ∂A, also where A is singular (no gradient of its own):
    from A = U diag(s) Vᵀ, adj(A)ᵀ = det(U) det(V) · U diag(∏_{j≠i} s_j) Vᵀ."""
    xp = _xp(a)
    u, s, vh = xp.linalg.svd(a)
    ones = xp.ones(s.shape[:-1] + (1,), dtype=s.dtype)
    before = xp.cumprod(xp.concatenate([ones, s[..., :-1]], axis=-1), axis=-1)
    after = xp.flip(xp.cumprod(xp.concatenate([ones, xp.flip(s, -1)[..., :-1]], axis=-1), axis=-1), -1)
    alpha = xp.linalg.det(u) * xp.linalg.det(vh)
    return alpha[..., None, None] * (u * (before * after)[..., None, :]) @ vh


class LogAbsDet(Function):
    """ℓ = ln |det A| (second output of slogdet);  ∂/∂A = g · A⁻ᵀ (±inf and NaN where A is singular,
    as PyTorch's)."""

    def forward(self, a):
        return _xp(a).linalg.slogdet(a)[1]

    def backward(self, g):
        (a,) = self.inputs
        return g.reshape(g.shape + (1, 1)) * matrix_transpose(inv_ex(a).inverse)


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
    sign = Tensor(_xp(a._data).linalg.slogdet(a._data)[0])
    return sign, LogAbsDet.apply(a)


def logdet(a: Tensor) -> Tensor:
    """ln det A: ln|det A| where det A > 0, NaN where it is negative, −inf where it is 0."""
    from .elementwise import where
    sign, log_abs = slogdet(a)
    return where(Tensor(sign._data < 0), Tensor(np.array(np.nan, dtype=a.dtype)), log_abs)


def solve(a: Tensor, b: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B for square A (*, n, n) and B (*, n, k) or (*, n) — without forming A⁻¹;
    ``left=False``: X with X A = B, i.e. Aᵀ Xᵀ = Bᵀ."""
    _square("solve", a)
    if a.dtype != b.dtype:
        raise OpError(f"linalg.solve: expected A and B to have the same dtype, got {a.dtype} and {b.dtype}")
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and tuple(b.shape) == tuple(a.shape[:-1]))  # as PyTorch reads B
    if not left:  # B must be matrices: vectors have no X A = B
        if vector or b.shape[-1] != a.shape[-1]:
            raise OpError(f"linalg.solve: A of shape {a.shape} and B of shape {b.shape} do not fit X A = B")
        return matrix_transpose(Solve.apply(matrix_transpose(a), matrix_transpose(b)))
    if vector:
        if b.shape[-1] != a.shape[-1]:
            raise OpError(f"solve: A of shape {a.shape} and B of shape {b.shape} do not fit")
        return Solve.apply(a, b.unsqueeze(-1)).squeeze(-1)
    if b.ndim < 2 or b.shape[-2] != a.shape[-1]:
        raise OpError(f"solve: A of shape {a.shape} and B of shape {b.shape} do not fit (B needs {a.shape[-1]} rows)")
    return Solve.apply(a, b)


def matrix_power(a: Tensor, n: int) -> Tensor:
    """Aⁿ for an integer n (n < 0: (A⁻¹)^|n|), by repeated squaring; A⁰ = I (gradient 0)."""
    from .elementwise import where
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise OpError(f"matrix_power: expects square matrices (*, n, n), got shape {a.shape}")
    if n < 0:
        _square("matrix_power", a)
        a, n = inv(a), -n
    if n == 0:
        eye = a.xp.broadcast_to(a.xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
        return where(Tensor(a.xp.ones(a.shape, dtype=bool)), Tensor(eye.copy()), a)
    result = None
    base = a
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


def raise_if_singular(op: str, info) -> None:
    bad = np.flatnonzero(np.asarray(info).reshape(-1))
    if bad.size:
        where = f"(batch element {bad[0]}) " if np.ndim(info) else ""
        raise LinAlgError(f"{op}: {where}the diagonal element {int(np.asarray(info).reshape(-1)[bad[0]])} is zero, "
                          "the input matrix is singular")


def _solve_ex(op: str, a: Tensor, rhs, exact, check_errors: bool):
    """(X, info) for A X = rhs (an array of matrices): ``exact()`` (with its gradient) when every
    matrix is invertible, else substitution, without a gradient."""
    lu, pivots, info = factor_arrays(a._data)
    if check_errors:
        raise_if_singular(op, info)
    if not info.any():
        return exact(), Tensor(info)
    permutation = permutation_arrays(pivots, a.shape[-1], a.dtype)
    shape = np.broadcast_shapes(lu.shape[:-2], rhs.shape[:-2])
    x = substitute(np.broadcast_to(lu, shape + lu.shape[-2:]), np.broadcast_to(permutation, shape + lu.shape[-2:]),
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
    rhs = B._data[..., None] if vector else B._data
    a = A if left else matrix_transpose(A)
    rhs = rhs if left else np.swapaxes(rhs, -1, -2)
    x, info = _solve_ex("linalg.solve_ex", a, rhs, lambda: solve(A, B, left=left), check_errors)
    if x.grad_fn is not None or not info._data.any():
        return SolveEx(x, info)
    x = x if left else matrix_transpose(x)
    return SolveEx(x.squeeze(-1) if vector else x, info)
