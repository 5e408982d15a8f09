"""Products under PyTorch's specific names, all built on ``matmul``, broadcasting and sums (so their
gradients, and gradients of gradients, come from those ops):

    mm, bmm      matrix and batched matrix products without broadcasting
    outer        z[i, j] = a[i]·b[j]
    dot, mv      Σ_i a[i]·b[i];  z[i] = Σ_j M[i, j]·v[j]
    addmm        β·c + α·(a @ b);  baddbmm the same with batches
    tensordot    Σ over the paired dims of a and b
    kron         z[i·p + k, j·q + l] = a[i, j]·b[k, l]
    cross        the 3-vector cross product along a dim of size 3
    chain_matmul A₁ A₂ ⋯ Aₖ of 2-d matrices
"""

from __future__ import annotations

from ..errors import OpError
from ..tensor import Tensor
from ._util import normalize_dim
from .matmul import matmul
from .shape import cat, getitem, permute, reshape


def mm(a: Tensor, b: Tensor) -> Tensor:
    """The matrix product of two 2-d tensors (no broadcasting)."""
    if a.ndim != 2 or b.ndim != 2:
        raise OpError(f"mm: expects two matrices, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def bmm(a: Tensor, b: Tensor) -> Tensor:
    """Batched matrix products of (B, n, k) and (B, k, m) tensors (no broadcasting)."""
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise OpError(f"bmm: expects two 3-d tensors with one batch size, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def outer(a: Tensor, b: Tensor) -> Tensor:
    """z[i, j] = a[i]·b[j] for 1-d a and b."""
    if a.ndim != 1 or b.ndim != 1:
        raise OpError(f"outer: expects two 1-d tensors, got shapes {a.shape} and {b.shape}")
    return a.reshape(-1, 1) * b.reshape(1, -1)


def dot(a: Tensor, b: Tensor) -> Tensor:
    """Σ_i a[i]·b[i] for two 1-d tensors of one length (a 0-d result)."""
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape:
        raise OpError(f"dot: expects two 1-d tensors of one length, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def mv(matrix: Tensor, vector: Tensor) -> Tensor:
    """z[i] = Σ_j M[i, j]·v[j] for a (n, m) matrix and an m-vector."""
    if matrix.ndim != 2 or vector.ndim != 1 or matrix.shape[1] != vector.shape[0]:
        raise OpError(f"mv: expects a (n, m) matrix and an m-vector, got shapes {matrix.shape} and {vector.shape}")
    return matmul(matrix, vector)


def addmm(c: Tensor, a: Tensor, b: Tensor, *, beta=1, alpha=1) -> Tensor:
    """β·c + α·(a @ b), with c broadcast to the product's (n, m) shape."""
    product = mm(a, b)
    return _added(c, product, beta, alpha, "addmm")


def baddbmm(c: Tensor, a: Tensor, b: Tensor, *, beta=1, alpha=1) -> Tensor:
    """β·c + α·(a @ b) for batches of matrices, c broadcast to the product's (B, n, m) shape."""
    product = bmm(a, b)
    return _added(c, product, beta, alpha, "baddbmm")


def _added(c: Tensor, product: Tensor, beta, alpha, op: str) -> Tensor:
    """β·c + α·product (the add* ops' shared form), c broadcast to the product's shape."""
    return _scaled(c, beta, product.shape, op) + (product if alpha == 1 else product * alpha)


def _scaled(c: Tensor, beta, shape: tuple, op: str) -> Tensor:
    try:
        c.xp.broadcast_shapes(c.shape, shape)
    except ValueError:
        raise OpError(f"{op}: input of shape {c.shape} does not broadcast to the product's {shape}") from None
    if beta == 0:  # c is ignored then, NaN and inf included (PyTorch's rule)
        return Tensor(c.xp.zeros((), dtype=c.dtype))
    return c if beta == 1 else c * beta


def tensordot(a: Tensor, b: Tensor, dims=2) -> Tensor:
    """Σ over paired dims: ``dims=n`` pairs a's last n dims with b's first n; ``dims=(da, db)`` pairs
    da[i] with db[i]. The result has a's other dims, then b's. One matmul after permuting."""
    if isinstance(dims, int):
        if dims < 0 or dims > min(a.ndim, b.ndim):
            raise OpError(f"tensordot: dims={dims} for shapes {a.shape} and {b.shape}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
        da = [normalize_dim(d, a.ndim, "tensordot") for d in da]
        db = [normalize_dim(d, b.ndim, "tensordot") for d in db]
    if len(da) != len(db) or any(a.shape[i] != b.shape[j] for i, j in zip(da, db)):
        raise OpError(f"tensordot: dims {da} of {a.shape} and {db} of {b.shape} do not pair up")
    a_free = [d for d in range(a.ndim) if d not in da]
    b_free = [d for d in range(b.ndim) if d not in db]
    inner = 1
    for d in da:
        inner *= a.shape[d]
    left = reshape(permute(a, *a_free, *da), (-1, inner))
    right = reshape(permute(b, *db, *b_free), (inner, -1))
    return reshape(matmul(left, right), tuple(a.shape[d] for d in a_free) + tuple(b.shape[d] for d in b_free))


def kron(a: Tensor, b: Tensor) -> Tensor:
    """The Kronecker product: z[i·p + k, …] = a[i, …]·b[k, …] (the shorter shape padded with 1s in front)."""
    ndim = max(a.ndim, b.ndim)
    a = reshape(a, (1,) * (ndim - a.ndim) + a.shape)
    b = reshape(b, (1,) * (ndim - b.ndim) + b.shape)
    interleaved_a = reshape(a, tuple(n for size in a.shape for n in (size, 1)))
    interleaved_b = reshape(b, tuple(n for size in b.shape for n in (1, size)))
    return reshape(interleaved_a * interleaved_b, tuple(x * y for x, y in zip(a.shape, b.shape)))


def cross(a: Tensor, b: Tensor, dim: int | None = None) -> Tensor:
    """The cross product a × b along ``dim`` (size 3; the first such dim when None, as torch.cross
    did): z = (a₂b₃ − a₃b₂, a₃b₁ − a₁b₃, a₁b₂ − a₂b₁). a and b broadcast."""
    shape = tuple(a.xp.broadcast_shapes(a.shape, b.shape))
    if dim is None:
        dim = next((d for d, size in enumerate(shape) if size == 3), None)
        if dim is None:
            raise OpError(f"cross: no dimension of size 3 in shapes {a.shape} and {b.shape}")
    dim = normalize_dim(dim, len(shape), "cross")
    if shape[dim] != 3:
        raise OpError(f"cross: dim {dim} must have size 3, shapes {a.shape} and {b.shape}")
    a, b = a.expand(*shape), b.expand(*shape)

    def part(x, i):
        return getitem(x, (slice(None),) * dim + (slice(i, i + 1),))

    return cat([part(a, 1) * part(b, 2) - part(a, 2) * part(b, 1),
                part(a, 2) * part(b, 0) - part(a, 0) * part(b, 2),
                part(a, 0) * part(b, 1) - part(a, 1) * part(b, 0)], dim=dim)


def inner(a: Tensor, b: Tensor) -> Tensor:
    """Σ over the last dims of a and b (for vectors the dot product): z[i…, j…] = Σₖ a[i…, k]·b[j…, k]."""
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise OpError(f"inner: last dims differ, shapes {a.shape} and {b.shape}")
    return tensordot(a, b, dims=([a.ndim - 1], [b.ndim - 1]))


def vdot(a: Tensor, b: Tensor) -> Tensor:
    """Σᵢ aᵢ·bᵢ for two 1-d tensors (the conjugate of a is a itself for real numbers)."""
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape:
        raise OpError(f"vdot: expects two 1-d tensors of one length, got shapes {a.shape} and {b.shape}")
    return dot(a, b)


ger = outer


def addmv(c: Tensor, matrix: Tensor, vector: Tensor, *, beta=1, alpha=1) -> Tensor:
    """β·c + α·(M @ v), c broadcast to the product's (n,) shape."""
    product = mv(matrix, vector)
    return _added(c, product, beta, alpha, "addmv")


def addr(c: Tensor, u: Tensor, v: Tensor, *, beta=1, alpha=1) -> Tensor:
    """β·c + α·(u ⊗ v) (the outer product uᵢvⱼ), c broadcast to its (n, m) shape."""
    product = outer(u, v)
    return _added(c, product, beta, alpha, "addr")


def addbmm(c: Tensor, a: Tensor, b: Tensor, *, beta=1, alpha=1) -> Tensor:
    """β·c + α·Σ_b (a_b @ b_b): the batch of matrix products summed into one (n, m) matrix."""
    product = bmm(a, b).sum(dim=0)
    return _added(c, product, beta, alpha, "addbmm")


def chain_matmul(*matrices) -> Tensor:
    """A₁ A₂ ⋯ Aₖ of 2-d matrices (PyTorch's deprecated form of ``linalg.multi_dot``); one matrix
    comes back as a copy. The gradient is matmul's, through each product."""
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise OpError("chain_matmul: expected one or more matrices")
    for m in matrices:
        if m.ndim != 2:
            raise OpError(f"chain_matmul: tensor dimension is {m.ndim}, expected 2 instead (shapes "
                          f"{[t.shape for t in matrices]})")
    out = matrices[0] * 1
    for m in matrices[1:]:
        out = matmul(out, m)
    return out
