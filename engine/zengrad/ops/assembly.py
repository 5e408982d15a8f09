"""Tensors assembled from others: ``atleast_1d/2d/3d``, ``broadcast_tensors``, ``block_diag``,
``cartesian_prod``, ``vander``, and the index lists ``tril_indices`` / ``triu_indices``.

Each is built from ops with known gradients (reshape, expand, pad, cat, products, indexing), so
the gradient of every output element goes back to the input element it came from.
"""

from __future__ import annotations

import builtins
import itertools

from .. import backend
from ..creation import int64, zeros
from ..errors import OpError
from ..tensor import Size, Tensor
from .layout import _at_least, meshgrid, pad
from .shape import cat, expand, reshape, stack


def _each(op: str, tensors, at_least: int):
    """PyTorch's calling convention: one tensor in, one out; several (or one list) in, a tuple out."""
    many = len(tensors) != 1 or isinstance(tensors[0], (list, tuple))
    tensors = tuple(tensors[0]) if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected Tensors, got {type(t).__name__}")
    shaped = tuple(_at_least(t, at_least) for t in tensors)
    return shaped if many else shaped[0]


def atleast_1d(*tensors):
    """Each tensor with at least 1 dim: a 0-d x becomes (1,)."""
    return _each("atleast_1d", tensors, 1)


def atleast_2d(*tensors):
    """Each tensor with at least 2 dims: 0-d → (1, 1), (n,) → (1, n)."""
    return _each("atleast_2d", tensors, 2)


def atleast_3d(*tensors):
    """Each tensor with at least 3 dims: 0-d → (1, 1, 1), (n,) → (1, n, 1), (m, n) → (m, n, 1)."""
    return _each("atleast_3d", tensors, 3)


def broadcast_tensors(*tensors) -> tuple:
    """The tensors expanded to their common broadcast shape (views; the gradient of each sums
    over the dims it was broadcast along)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    try:
        shape = tuple(builtins.max(tensors, key=lambda t: t.ndim).xp.broadcast_shapes(*(t.shape for t in tensors))) \
            if tensors else ()
    except ValueError:
        raise OpError(f"broadcast_tensors: shapes {[t.shape for t in tensors]} do not broadcast") from None
    return tuple(expand(t, *shape) for t in tensors)


def broadcast_shapes(*shapes):
    """The shape tensors of these shapes broadcast to (each an int, for a 1-d shape, or a sequence
    of sizes): aligned from the right, every size 1 or equal to the largest. PyTorch's RuntimeError
    when two sizes differ and neither is 1."""
    given = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    for shape in given:
        if any(not isinstance(n, int) or isinstance(n, bool) for n in shape):
            raise TypeError(f"broadcast_shapes: shapes must be ints or sequences of ints, got {shapes}")
        if any(n < 0 for n in shape):
            raise OpError(f"broadcast_shapes: sizes must be non-negative, got {shapes}")
    out: list[int] = []
    for shape in given:
        out = [1] * (len(shape) - len(out)) + out
        for i, n in enumerate(shape, start=len(out) - len(shape)):
            if n != out[i] and 1 not in (n, out[i]):
                raise OpError(f"broadcast_shapes: shapes {given} do not broadcast (size {n} against {out[i]} "
                              f"at dim {i - len(out)})")
            out[i] = out[i] if n == 1 else n
    return Size(out)


def block_diag(*tensors) -> Tensor:
    """The matrices on the diagonal of one larger matrix, zeros elsewhere: 0-d tensors count as
    1×1, 1-d ones of length n as 1×n. Every block padded with zeros to the full width, then the
    rows joined (dtype promoted as ``cat`` promotes)."""
    for t in tensors:
        if t.ndim > 2:
            raise OpError(f"block_diag: input tensors must have 2 or fewer dimensions, got shape {t.shape}")
    blocks = [reshape(t, (1, 1)) if t.ndim == 0 else reshape(t, (1, -1)) if t.ndim == 1 else t for t in tensors]
    if not blocks:
        return zeros(1, 0)
    width = builtins.sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for block in blocks:
        rows.append(pad(block, (left, width - left - block.shape[1])))
        left += block.shape[1]
    return cat(rows, dim=0)


def cartesian_prod(*tensors) -> Tensor:
    """All tuples (a_i, b_j, …) of elements of the 1-d tensors, in row-major order, as rows of a
    (∏ lengths, k) tensor (one tensor in: itself)."""
    for t in tensors:
        if t.ndim != 1:
            raise OpError(f"cartesian_prod: expects 1-d tensors, got shapes {[t.shape for t in tensors]}")
    if len(tensors) == 1:
        return tensors[0] * 1
    return stack([reshape(grid, (-1,)) for grid in meshgrid(*tensors, indexing="ij")], dim=1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The r-element combinations of the 1-d ``input``'s elements, as rows of a (C, r) tensor in
    lexicographic order of positions (``itertools.combinations``; ``with_replacement``:
    ``combinations_with_replacement``). C = n!/(r!(n−r)!) without replacement, (n+r−1)!/(r!(n−1)!)
    with; r = 0 gives an empty 1-d tensor. A gather, so each element's gradient sums over the rows
    it appears in."""
    if not isinstance(input, Tensor) or input.ndim != 1:
        raise OpError(f"combinations: expect a 1D vector, but got shape {getattr(input, 'shape', type(input).__name__)}")
    if not isinstance(r, int) or r < 0:
        raise OpError(f"combinations: expect a non-negative number of elements r, but got {r}")
    if r == 0:
        return input[:0] * 1
    choose = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = list(choose(range(input.shape[0]), r))
    index = input.xp.asarray(rows, dtype=input.xp.int64).reshape(len(rows), r)
    return input[index]


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of the 1-d x: column j is x^(N−1−j) (``increasing``: x^j), N = len(x)
    by default. Built by repeated multiplication (1, x, x·x, …) so the gradient stays finite at
    x = 0: ∂(xᵏ)/∂x = k·xᵏ⁻¹."""
    if x.ndim != 1:
        raise OpError(f"vander: x must be a 1-d tensor, got shape {x.shape}")
    columns = x.shape[0] if N is None else N
    if columns < 0:
        raise OpError(f"vander: N must be non-negative, got {N}")
    if x.dtype.kind == "b":
        x = x.to(int64)
    powers = [Tensor(x.xp.ones_like(x._data))]
    for _ in range(1, columns):
        powers.append(powers[-1] * x)
    powers = powers[:columns]
    if not increasing:
        powers.reverse()
    return stack(powers, dim=1) if powers else Tensor(x.xp.zeros((x.shape[0], 0), dtype=x.dtype))


def _triangle_indices(op: str, row: int, col: int, offset: int, lower: bool, dtype, device) -> Tensor:
    if row < 0 or col < 0:
        raise OpError(f"{op}: row and col must be non-negative, got {row} and {col}")
    xp = backend.array_module(backend.normalize_device(device))
    rows, cols = xp.indices((row, col)).reshape(2, -1)
    keep = cols - rows <= offset if lower else cols - rows >= offset
    return Tensor(xp.stack([rows[keep], cols[keep]]).astype(dtype or int64))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None) -> Tensor:
    """(2, K): the row and column indices of the lower triangle of a row×col matrix (the
    diagonal ``offset`` and below: j − i ≤ offset), in row-major order."""
    return _triangle_indices("tril_indices", row, col, offset, True, dtype, device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None) -> Tensor:
    """(2, K): the indices of the upper triangle (j − i ≥ offset), in row-major order."""
    return _triangle_indices("triu_indices", row, col, offset, False, dtype, device)


def _scatter_into(op: str, input: Tensor, src: Tensor, index) -> Tensor:
    """``input`` with ``src`` written at ``index`` (a new node: the gradient of input is zero
    there, src's is the gradient read at index)."""
    from .indexing import setitem_result
    target_shape = input[index].shape
    if src.shape != target_shape:
        raise OpError(f"{op}: src of shape {src.shape} does not fit the slice of shape {target_shape} "
                      f"(input shape {input.shape})")
    return setitem_result(input, index, src)


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """``input`` with the slice input.select(dim, index) replaced by ``src``, out of place."""
    dim = dim % input.ndim if input.ndim else 0
    return _scatter_into("select_scatter", input, src, (slice(None),) * dim + (index,))


def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None, end: int | None = None,
                  step: int = 1) -> Tensor:
    """``input`` with input[start:end:step] along ``dim`` replaced by ``src``, out of place."""
    dim = dim % input.ndim if input.ndim else 0
    return _scatter_into("slice_scatter", input, src, (slice(None),) * dim + (slice(start, end, step),))


def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """``input`` with its diagonal (offset, dim1, dim2) replaced by ``src``, out of place."""
    xp = input.xp
    dim1, dim2 = dim1 % input.ndim, dim2 % input.ndim
    length = builtins.max(0, builtins.min(input.shape[dim1] - builtins.max(-offset, 0),
                                          input.shape[dim2] - builtins.max(offset, 0)))
    steps = xp.arange(length)
    index = [slice(None)] * input.ndim
    index[dim1], index[dim2] = steps + builtins.max(-offset, 0), steps + builtins.max(offset, 0)
    expected = tuple(s for d, s in enumerate(input.shape) if d not in (dim1, dim2)) + (length,)
    if src.shape != expected:
        raise OpError(f"diagonal_scatter: src of shape {src.shape} does not fit the diagonal of shape {expected} "
                      f"(input shape {input.shape})")
    from .indexing import setitem_result
    from .layout import movedim
    # NumPy puts the diagonal's axis where the two indexed dims were when they are neighbours, else first
    where = builtins.min(dim1, dim2) if builtins.abs(dim1 - dim2) == 1 else 0
    return setitem_result(input, tuple(index), movedim(src, -1, where))
