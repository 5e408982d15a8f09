"""Matrix factorisations with gradients: ``cholesky``, ``qr``, ``eigh`` and ``svd`` (batched over
leading dims), and what is built on them: ``eigvalsh``, ``svdvals``, ``pinv``, ``matrix_rank``,
``cond``, ``lstsq``, ``solve_triangular``, ``householder_product`` and the matrix norms.

Forward calls NumPy's / CuPy's LAPACK. A factorisation with several factors is one graph node whose
output packs them side by side (for eigh, the eigenvalues as one extra row above V); the factors
the caller sees are slices of it, so the node's backward receives every factor's gradient at once
(zero for a factor not used). Each backward is written in Tensor ops, from the differential of the
factorisation (real matrices; ᵀ is the transpose, ∘ the elementwise product):

    A = L Lᵀ        Ā = ½(S + Sᵀ),  S = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹          Φ: lower triangle, diagonal halved
    A = Q R         Ā = (Q̄ + Q·copyltu(M)) R⁻ᵀ,  M = R R̄ᵀ − Q̄ᵀ Q   (m ≥ n; copyltu mirrors the
                                                                     lower triangle to the upper)
                    m < n: A = [X | Y], R = [R_X | Qᵀ Y]; X takes the m ≥ n formula with
                    Q̄ + Y R̄_Yᵀ in place of Q̄, and Ȳ = Q R̄_Y
    A = V Λ Vᵀ      Ā = V (diag(Λ̄) + F ∘ ½(Vᵀ V̄ − V̄ᵀ V)) Vᵀ,  F_ij = 1/(λⱼ − λᵢ) (i ≠ j), 0 on the diagonal
                    (symmetric, as A is: a change of A can only be symmetric)
    A = U S Vᵀ      Ā = U [ (J_U ∘ E) S + S (J_V ∘ E) + diag(S̄) ] Vᵀ
                        + (I − U Uᵀ) Ū S⁻¹ Vᵀ + U S⁻¹ V̄ᵀ (I − V Vᵀ)
                    with J_U = Uᵀ Ū − Ū ᵀ U, J_V = Vᵀ V̄ − V̄ᵀ V, E_ij = 1/(sⱼ² − sᵢ²) (i ≠ j), 0 on the diagonal

These are PyTorch's formulas, so gradients agree with it; like PyTorch's they are undefined where
eigenvalues (singular values) repeat, since the factors themselves are not unique there.
"""

from __future__ import annotations

import collections

import numpy as np

from .. import backend
from ..autograd import Function
from ..errors import DtypeError, LinAlgError, OpError
from ..tensor import Tensor
from .elementwise import where
from .layout import tril, triu
from .linalg import inv_ex, solve
from .matmul import matmul
from .shape import cat, matrix_transpose

Eigh = collections.namedtuple("eigh", ["eigenvalues", "eigenvectors"])
QR = collections.namedtuple("qr", ["Q", "R"])
CholeskyEx = collections.namedtuple("linalg_cholesky_ex", ["L", "info"])
SVD = collections.namedtuple("svd", ["U", "S", "Vh"])
LeastSquares = collections.namedtuple("lstsq", ["solution", "residuals", "rank", "singular_values"])


def _xp(a):
    return backend.array_module(backend.device_of(a))


def _matrices(op: str, a: Tensor, square: bool = False) -> None:
    if a.ndim < 2 or (square and a.shape[-1] != a.shape[-2]):
        kind = "square matrices (*, n, n)" if square else "matrices (*, m, n)"
        raise OpError(f"{op}: expects {kind}, got shape {a.shape}")
    if a.dtype.kind != "f":
        raise DtypeError(f"{op}: expects a floating-point tensor, got {a.dtype}")


def _finite(op: str, array) -> None:
    """Refuse ±inf and NaN before an iterative LAPACK routine (SVD, symmetric eigensolver): on such
    input NumPy's SVD can loop forever, and PyTorch refuses it too."""
    if not bool(_xp(array).isfinite(array).all()):
        raise OpError(f"{op}: the input matrix contains non-finite values (inf or NaN), shape {tuple(array.shape)}")


def _lapack(op: str, fn, *arrays, **options):
    try:
        return fn(*arrays, **options)
    except np.linalg.LinAlgError as error:
        raise LinAlgError(f"{op}: {error} (input shape {tuple(arrays[0].shape)})") from None


def singular_values(array, op: str):
    """The singular values of a batch of matrices (an array; no gradient), finite input only."""
    _finite(op, array)
    return _lapack(op, _xp(array).linalg.svd, array, compute_uv=False)


def _eye_like(a: Tensor, n: int) -> Tensor:
    return Tensor(_xp(a._data).eye(n, dtype=a.dtype))


def _off_diagonal_reciprocal(values: Tensor, square: bool) -> Tensor:
    """E_ij = 1/(vⱼ − vᵢ) (of the squares with ``square``) off the diagonal and 0 on it, in Tensor
    ops so that second derivatives see its dependence on v."""
    v = values * values if square else values
    gaps = v.unsqueeze(-2) - v.unsqueeze(-1)
    diagonal = Tensor(_xp(v._data).eye(v.shape[-1], dtype=bool))
    return where(diagonal, 0.0, 1 / where(diagonal, 1.0, gaps))


class Cholesky(Function):
    """L with A = L Lᵀ, L lower triangular (A symmetric positive definite; its lower triangle is read)."""

    saved_inputs = ()

    def forward(self, a):
        return _lapack("cholesky", _xp(a).linalg.cholesky, a)

    def backward(self, g):
        lower = self.output()
        n = lower.shape[-1]
        phi = tril(matrix_transpose(lower) @ g) * (1 - 0.5 * _eye_like(g, n))
        lower_t = matrix_transpose(lower)
        s = solve(lower_t, matrix_transpose(solve(lower_t, matrix_transpose(phi))))
        return 0.5 * (s + matrix_transpose(s))


class PackedQR(Function):
    """[Q | R] side by side, R padded with zero rows to Q's height: Q (*, m, k) and R (*, k, n),
    k = min(m, n) (the reduced QR), or Q (*, m, m) and R (*, m, n) (``complete``)."""

    saved_inputs = ()

    def __init__(self, complete: bool):
        super().__init__()
        self.complete = complete

    def forward(self, a):
        q, r = _lapack("qr", _xp(a).linalg.qr, a, mode="complete" if self.complete else "reduced")
        self.columns = q.shape[-1]
        rows = a.shape[-2]
        padded_r = _xp(a).zeros(r.shape[:-2] + (rows, r.shape[-1]), dtype=a.dtype)
        padded_r[..., :r.shape[-2], :] = r
        return _xp(a).concatenate([q, padded_r], axis=-1)

    def backward(self, g):
        packed = self.output()
        columns = self.columns
        m, n = packed.shape[-2], packed.shape[-1] - columns
        k = min(m, n)
        if columns > k:
            raise OpError(f"qr: the gradient of mode='complete' is not defined for a tall {m}×{n} matrix "
                          "(the extra columns of Q are not unique); use mode='reduced'")
        q, r = packed[..., :, :k], packed[..., :k, k:]
        gq, gr = g[..., :, :k], g[..., :k, k:]
        if n == k:
            return _square_qr_backward(q, r, gq, gr)
        # A = [X | Y] with X square: X = Q R_X, and R's right block is Qᵀ Y, which moves with Q too.
        r_y, gr_y = r[..., :, k:], gr[..., :, k:]
        y = q @ r_y
        gx = _square_qr_backward(q, r[..., :, :k], gq + y @ matrix_transpose(gr_y), gr[..., :, :k])
        return cat([gx, q @ gr_y], dim=-1)


def _square_qr_backward(q: Tensor, r: Tensor, gq: Tensor, gr: Tensor) -> Tensor:
    """Ā = (Q̄ + Q·copyltu(M)) R⁻ᵀ with M = R R̄ᵀ − Q̄ᵀ Q, for R square (A with m ≥ n)."""
    m = r @ matrix_transpose(gr) - matrix_transpose(gq) @ q
    lower = tril(m, -1)
    copyltu = lower + matrix_transpose(lower) + m * _eye_like(m, m.shape[-1])
    b = gq + q @ copyltu
    return matrix_transpose(solve(r, matrix_transpose(b)))


class PackedEigh(Function):
    """[λᵀ; V]: the eigenvalues (ascending) as a first row above the eigenvectors V (columns)."""

    saved_inputs = ()

    def __init__(self, uplo: str):
        super().__init__()
        self.uplo = uplo

    def forward(self, a):
        _finite("eigh", a)
        w, v = _lapack("eigh", _xp(a).linalg.eigh, a, UPLO=self.uplo)
        return _xp(a).concatenate([w[..., None, :], v], axis=-2)

    def backward(self, g):
        packed = self.output()
        w, v = packed[..., 0, :], packed[..., 1:, :]
        gw, gv = g[..., 0, :], g[..., 1:, :]
        inner = gw.unsqueeze(-2) * _eye_like(g, w.shape[-1])
        if bool(_xp(gv._data).any(gv._data)):  # only the eigenvalues used: no 1/(λⱼ − λᵢ), finite at repeated λ
            vt_gv = matrix_transpose(v) @ gv
            inner = inner + _off_diagonal_reciprocal(w, square=False) * (0.5 * (vt_gv - matrix_transpose(vt_gv)))
        return v @ inner @ matrix_transpose(v)


class PackedSVD(Function):
    """[U | diag-free S row | Vᵀ] packed as (*, m + 1 + rows(Vᴴ), max(columns(U), n)): U in the first
    rows, S (k,) in one row, Vᴴ below: the reduced SVD (U m×k, Vᴴ k×n, k = min(m, n)) or, with
    ``full``, U m×m and Vᴴ n×n. The gradient, as PyTorch's, reads only the first k columns of U and
    rows of Vᴴ: the others are any orthonormal completion, not a function of A."""

    saved_inputs = ()

    def __init__(self, full: bool):
        super().__init__()
        self.full = full

    def forward(self, a):
        xp = _xp(a)
        _finite("svd", a)
        u, s, vh = _lapack("svd", xp.linalg.svd, a, full_matrices=self.full)
        m, n = a.shape[-2:]
        k = s.shape[-1]
        self.m, self.n, self.k = m, n, k
        packed = xp.zeros(a.shape[:-2] + (m + 1 + vh.shape[-2], max(u.shape[-1], n)), dtype=a.dtype)
        packed[..., :m, :u.shape[-1]] = u
        packed[..., m, :k] = s
        packed[..., m + 1:, :n] = vh
        return packed

    def backward(self, g):
        m, n, k = self.m, self.n, self.k
        packed = self.output()
        u, s, vt = packed[..., :m, :k], packed[..., m, :k], packed[..., m + 1:m + 1 + k, :n]
        gu, gs, gvt = g[..., :m, :k], g[..., m, :k], g[..., m + 1:m + 1 + k, :n]
        if not (bool(_xp(gu._data).any(gu._data)) or bool(_xp(gvt._data).any(gvt._data))):
            return (u * gs.unsqueeze(-2)) @ vt  # only S used: Ā = U diag(S̄) Vᵀ, finite at repeated s
        gv = matrix_transpose(gvt)
        e = _off_diagonal_reciprocal(s, square=True)
        s_row, s_col = s.unsqueeze(-2), s.unsqueeze(-1)
        ut_gu, vt_gv = matrix_transpose(u) @ gu, vt @ gv
        core = (e * (ut_gu - matrix_transpose(ut_gu))) * s_row + s_col * (e * (vt_gv - matrix_transpose(vt_gv)))
        core = core + gs.unsqueeze(-2) * _eye_like(g, k)
        grad = u @ core @ vt
        if m > k:
            grad = grad + (gu - u @ ut_gu) / s_row @ vt
        if n > k:
            grad = grad + (u / s_row) @ (gvt - matrix_transpose(vt_gv) @ vt)
        return grad


def cholesky(a: Tensor, *, upper: bool = False) -> Tensor:
    """L lower triangular with A = L Lᵀ (``upper``: U = Lᵀ with A = Uᵀ U), for symmetric positive
    definite A (an error naming the op if it is not)."""
    _matrices("cholesky", a, square=True)
    lower, info = cholesky_ex(a)
    if info._data.size and bool(info._data.any()):
        flat = info._data.reshape(-1)
        first = int(np.flatnonzero(flat)[0])
        where = f"(batch element {first}) " if info.ndim else ""
        raise LinAlgError(f"linalg.cholesky: {where}the factorization could not be completed because the input is not "
                          f"positive-definite (the leading minor of order {int(flat[first])} is not positive-definite)")
    return matrix_transpose(lower) if upper else lower


def cholesky_arrays(a):
    """(L, info) by the column-by-column (left-looking) Cholesky factorisation of arrays, as
    LAPACK's potf2 leaves them: for column j, d = a_jj − Σₖ l_jk², l_jj = √d and
    l_ij = (a_ij − Σₖ l_ik l_jk) / l_jj below it; at the first d ≤ 0 (or NaN) info = j + 1, d stays
    in l_jj and the columns after it keep A's lower triangle."""
    xp = _xp(a)
    n = a.shape[-1]
    lower = xp.tril(a).copy()
    info = xp.zeros(a.shape[:-2], dtype=np.int32)
    with np.errstate(invalid="ignore", divide="ignore"):
        for j in range(n):
            active = info == 0
            d = a[..., j, j] - (lower[..., j, :j] ** 2).sum(axis=-1)
            failed = active & ~(d > 0)
            info = xp.where(failed, j + 1, info)
            root = xp.sqrt(xp.where(failed, 1.0, d))
            dots = (lower[..., j + 1:, :j] * lower[..., j, None, :j]).sum(axis=-1)
            column = (a[..., j + 1:, j] - dots) / root[..., None]
            lower[..., j, j] = xp.where(active, xp.where(failed, d, root), lower[..., j, j])
            lower[..., j + 1:, j] = xp.where((active & ~failed)[..., None], column, lower[..., j + 1:, j])
    return lower, info


def cholesky_ex(a: Tensor, *, upper: bool = False, check_errors: bool = False) -> CholeskyEx:
    """(L, info): the Cholesky factor as :func:`cholesky`, and info = 0, or the order k of the first
    leading minor that is not positive definite (L then as :func:`cholesky_arrays` leaves it, with
    no gradient); ``check_errors`` raises instead."""
    _matrices("linalg.cholesky_ex", a, square=True)
    try:
        lower = Cholesky.apply(a)
        if bool(_xp(a._data).isnan(lower._data.diagonal(axis1=-2, axis2=-1)).any()):
            raise LinAlgError("cholesky: NaN on the diagonal")  # LAPACK's potrf stops at NaN; NumPy's may not
        info = Tensor(_xp(a._data).zeros(a.shape[:-2], dtype=np.int32))
    except LinAlgError:
        array, info_array = cholesky_arrays(a._data)
        lower, info = Tensor(array.astype(a.dtype, copy=False)), Tensor(info_array)
        if check_errors:
            return CholeskyEx(cholesky(a), info)
    return CholeskyEx(matrix_transpose(lower) if upper else lower, info)


def qr(a: Tensor, mode: str = "reduced") -> QR:
    """(Q, R) with A = Q R, Q with orthonormal columns and R upper triangular: 'reduced' (Q is
    m×k, R k×n, k = min(m, n)), 'complete' (Q m×m, R m×n) or 'r' (R only; Q empty)."""
    _matrices("qr", a)
    if mode not in ("reduced", "complete", "r"):
        raise OpError(f"qr: mode must be 'reduced', 'complete' or 'r', got {mode!r}")
    packed = PackedQR.apply(a, complete=mode == "complete")
    m, n = a.shape[-2:]
    columns = m if mode == "complete" else min(m, n)
    q, r = packed[..., :, :columns], packed[..., :columns, columns:]
    return QR(Tensor(_xp(a._data).zeros((0,), dtype=a.dtype)) if mode == "r" else q, r)


def eigh(a: Tensor, UPLO: str = "L") -> Eigh:
    """(eigenvalues ascending, eigenvectors as columns) of the symmetric A = V diag(λ) Vᵀ, reading
    the lower (``UPLO='L'``) or upper triangle."""
    _matrices("eigh", a, square=True)
    if UPLO not in ("L", "U"):
        raise OpError(f"eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    packed = PackedEigh.apply(a, uplo=UPLO)
    return Eigh(packed[..., 0, :], packed[..., 1:, :])


def eigvalsh(a: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues of the symmetric A, ascending."""
    return eigh(a, UPLO).eigenvalues


def svd(a: Tensor, full_matrices: bool = True) -> SVD:
    """(U, S, Vh) with A = U diag(S) Vh, S descending: U m×m and Vh n×n (``full_matrices``), or the
    reduced U m×k and Vh k×n, k = min(m, n)."""
    _matrices("svd", a)
    m, n = a.shape[-2:]
    full = full_matrices and m != n
    packed = PackedSVD.apply(a, full=full)
    k = min(m, n)
    return SVD(packed[..., :m, :m if full else k], packed[..., m, :k], packed[..., m + 1:, :n])


def svdvals(a: Tensor) -> Tensor:
    """The singular values of A, descending."""
    return svd(a, full_matrices=False).S


def pinv(a: Tensor, *, atol: float | None = None, rtol: float | None = None, hermitian: bool = False) -> Tensor:
    """The Moore–Penrose pseudo-inverse A⁺ = V diag(1/sᵢ) Uᵀ, singular values at or below
    max(atol, rtol·s_max) treated as 0 (default rtol = eps·max(m, n), as PyTorch)."""
    _matrices("pinv", a)
    u, s, vh = svd(a, full_matrices=False)
    cutoff = _cutoff(a, s, atol, rtol)
    kept = Tensor(s._data > cutoff)
    inverse = where(kept, 1 / where(kept, s, 1.0), 0.0)
    return matrix_transpose(vh) @ (inverse.unsqueeze(-1) * matrix_transpose(u))


def _cutoff(a: Tensor, s: Tensor, atol, rtol):
    xp = _xp(s._data)
    largest = s._data.max(axis=-1, keepdims=True) if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,), dtype=s.dtype)
    if rtol is None:
        rtol = np.finfo(a.dtype).eps * max(a.shape[-2:]) if atol is None or atol == 0 else 0.0
    return xp.maximum(atol or 0.0, rtol * largest)


def matrix_rank(a: Tensor, tol: float | None = None, hermitian: bool = False, *, atol: float | None = None,
                rtol: float | None = None) -> Tensor:
    """The number of singular values above max(atol, rtol·s_max) (int64; no gradient); ``tol``, the
    older name, is ``atol`` with ``rtol = 0``."""
    _matrices("matrix_rank", a)
    if tol is not None:
        atol, rtol = tol, 0.0
    s = singular_values(a._data, "matrix_rank")
    return Tensor((s > _cutoff(a, Tensor(s), atol, rtol)).sum(axis=-1).astype(np.int64))


def cond(a: Tensor, p=None) -> Tensor:
    """The condition number κ(A) = ‖A‖ ‖A⁻¹‖: in the 2-norm (``p`` None or 2) s_max / s_min, −2
    gives s_min / s_max; for p = 'fro', 'nuc', 1, −1, inf, −inf the matrix norms of A and A⁻¹
    (square A; inf where A is singular)."""
    if p not in (None, 2, -2):
        _matrices("cond", a, square=True)
        return matrix_norm(a, p) * matrix_norm(inv_ex(a).inverse, p)
    s = svdvals(a)
    largest, smallest = s[..., 0], s[..., -1]
    return smallest / largest if p == -2 else largest / smallest


def lstsq(a: Tensor, b: Tensor, rcond: float | None = None, *, driver: str | None = None) -> LeastSquares:
    """The X minimising ‖A X − B‖ (the minimum-norm one when A is rank-deficient): X = A⁺ B, with
    its gradient through the pseudo-inverse. Also, as PyTorch's 'gelsd' driver: the residual sums
    of squares (for a tall full-rank A), the rank and the singular values (no gradients)."""
    _matrices("lstsq", a)
    vector = b.ndim == a.ndim - 1
    rhs = b.unsqueeze(-1) if vector else b
    if rhs.shape[-2] != a.shape[-2]:
        raise OpError(f"lstsq: A of shape {a.shape} and B of shape {b.shape} do not fit")
    solution = pinv(a, rtol=rcond) @ rhs
    m, n = a.shape[-2:]
    singular = Tensor(singular_values(a._data, "lstsq"))
    rank = Tensor((singular._data > _cutoff(a, singular, None, rcond)).sum(axis=-1).astype(np.int64))
    full_rank = bool((rank._data == n).all()) and m > n
    residuals = ((matmul(a, solution) - rhs) ** 2).sum(dim=-2).detach() if full_rank else \
        Tensor(_xp(a._data).zeros((0,), dtype=a.dtype))
    return LeastSquares(solution.squeeze(-1) if vector else solution, residuals, rank, singular)


def solve_triangular(a: Tensor, b: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False) -> Tensor:
    """X with A X = B (``left``) or X A = B for triangular A: only A's upper (``upper``) or lower
    triangle is read, and the gradient to A stays in that triangle; ``unitriangular`` takes A's
    diagonal as ones."""
    _matrices("solve_triangular", a, square=True)
    triangle = triu(a) if upper else tril(a)
    if unitriangular:
        eye = _eye_like(a, a.shape[-1])
        triangle = triangle * (1 - eye) + eye
    if left:
        return solve(triangle, b)
    return matrix_transpose(solve(matrix_transpose(triangle), matrix_transpose(b)))


def multi_dot(tensors) -> Tensor:
    """A₁ A₂ ⋯ Aₖ (the first may be a vector, read as a row; the last a vector, read as a column)."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise OpError(f"multi_dot: expected at least 2 tensors, got {len(tensors)}")
    out = tensors[0]
    for t in tensors[1:]:
        out = matmul(out, t)
    return out


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """Σ over ``dim`` of x·y (broadcasting): the dot product of vectors along that dim."""
    return (x * y).sum(dim=dim)



def householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """The first n columns of Q = H₁ H₂ ⋯ H_k, Hᵢ = I − τᵢ vᵢ vᵢᵀ (LAPACK's orgqr): vᵢ is column i of
    A (m×n, m ≥ n ≥ k) below the diagonal, with a 1 on it and zeros above. Applied right to left
    on the first n columns of I, Q ← Q − τᵢ vᵢ (vᵢᵀ Q), in Tensor ops: gradients flow to A and τ."""
    _matrices("linalg.householder_product", A)
    m, n = A.shape[-2:]
    k = tau.shape[-1] if tau.ndim else -1
    if m < n or not 0 <= k <= n or tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise OpError(f"linalg.householder_product: expects A (*, m, n) with m >= n and tau (*, k) with k <= n and the "
                      f"same batch dims, got A {tuple(A.shape)} and tau {tuple(tau.shape)}")
    xp = _xp(A._data)
    q = Tensor(xp.broadcast_to(xp.eye(m, n, dtype=A.dtype), A.shape).copy())
    below = tril(A, -1) + Tensor(xp.eye(m, n, dtype=A.dtype))
    for i in range(k - 1, -1, -1):
        v = below[..., :, i:i + 1]
        q = q - tau[..., i, None, None] * (v @ (matrix_transpose(v) @ q))
    return q


def matrix_norm(a: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False) -> Tensor:
    """Matrix norms over the two dims ``dim``: 'fro' = √(Σ aᵢⱼ²); 1 = the largest column sum of |a|;
    inf = the largest row sum of |a| (−1, −inf: the smallest); 2 = the largest singular value
    (−2: the smallest), 'nuc' = the sum of the singular values."""
    from .statistics import amax, amin, norm
    if a.ndim < 2:
        raise OpError(f"matrix_norm: expects at least 2 dims, got shape {a.shape}")
    if a.dtype.kind != "f":
        raise DtypeError(f"linalg.matrix_norm: expects a floating-point tensor, got {a.dtype}")
    rows, cols = (d % a.ndim for d in dim)
    if rows == cols:
        raise OpError(f"matrix_norm: dim must name two different dims, got {dim}")
    if ord == "fro":
        return norm(a, 2, (rows, cols), keepdim)
    if ord in (2, -2, "nuc"):
        return _singular_value_norm(a, ord, rows, cols, keepdim)
    if ord not in (1, -1, np.inf, -np.inf):
        raise OpError(f"matrix_norm: ord must be 'fro', 'nuc', 1, -1, 2, -2, inf or -inf, got {ord!r}")
    summed_dim, other = (rows, cols) if ord in (1, -1) else (cols, rows)
    sums = a.abs().sum(dim=summed_dim, keepdim=True)
    out = (amax if ord > 0 else amin)(sums, dim=other, keepdim=True)
    if keepdim:
        return out
    return out.reshape(tuple(n for d, n in enumerate(a.shape) if d not in (rows, cols)))


def _singular_value_norm(a: Tensor, ord, rows: int, cols: int, keepdim: bool) -> Tensor:
    """‖A‖₂ = s_max, s_min for ord −2, ‖A‖_* = Σ s, over the dims ``rows`` and ``cols``."""
    from .statistics import amax, amin
    others = [d for d in range(a.ndim) if d not in (rows, cols)]
    s = svdvals(a.permute(*others, rows, cols))
    out = s.sum(dim=-1) if ord == "nuc" else (amax if ord == 2 else amin)(s, dim=-1)
    if keepdim:
        for d in sorted((rows, cols)):
            out = out.unsqueeze(d)
    return out
