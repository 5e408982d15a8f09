"""Matrix multiplication, the op whose forward runs through :mod:`zengrad.kernels`."""

from __future__ import annotations

import math

from .. import backend, kernels
from ..autograd import Function, named
from ..errors import DtypeError
from ..grad_mode import _state as _grad_mode
from ..tensor import Tensor
from ._util import factors_read, unbroadcast
from .shape import matrix_transpose, reshape, reshaped


#: PyTorch's node names for a product of operands of these dims
_NODE_NAMES = {(2, 2): "MmBackward0", (2, 1): "MvBackward0", (1, 1): "DotBackward0", (3, 3): "BmmBackward0"}


class MatMul(Function):
    """Z = A B over the last two dimensions, batch dimensions broadcast.

    ∂L/∂A = G Bᵀ and ∂L/∂B = Aᵀ G, each summed over the batch dimensions that were broadcast.
    The transposes are views; the kernel layer reads them without copying. When B is a matrix
    and A has batch dimensions (a Linear layer on a batch of sequences), the batch sum is part of
    one GEMM: ∂L/∂B = A₂ᵀ G₂ with A and G flattened to rows, instead of one small product per
    batch entry and a sum of them.
    """

    same_float_dtype = True  # PyTorch's refuses mixed dtypes too
    saved_inputs = property(factors_read)

    def forward(self, a, b):
        return kernels.matmul(a, b)

    def name(self) -> str:
        """PyTorch's node for the operands' dims: Mm (2-d·2-d), Mv, Dot, Bmm (3-d·3-d); Matmul else."""
        if self.node_name is not None:
            return self.node_name
        return _NODE_NAMES.get((self.inputs[0].ndim, self.inputs[1].ndim), "MatmulBackward0")

    def backward(self, g):
        a, b = self.inputs
        grad_a = unbroadcast(_product(g, b, transpose_y=True), a.shape) if self.needs_grad(0) else None
        if not self.needs_grad(1):
            return grad_a, None
        if b.ndim == 2 and a.ndim > 2:
            rows = math.prod(a.shape[:-1])  # not -1: that cannot be inferred when a row is empty
            rows_a, rows_g = reshape(a, (rows, a.shape[-1])), reshape(g, (rows, g.shape[-1]))
            return grad_a, _product(rows_a, rows_g, transpose_x=True)
        return grad_a, unbroadcast(_product(a, g, transpose_x=True), b.shape)


class Linear(Function):
    """z = x Wᵀ + b for x (…, in), W (out, in) and an optional b (out,): one node, as PyTorch's
    addmm, instead of a transpose, a matmul and a broadcast add.

    ∂L/∂x = G W,   ∂L/∂W = G₂ᵀ X₂,   ∂L/∂b = Σ_rows G₂,
    with X₂ and G₂ the input and the gradient flattened to rows (…, in) → (rows, in).
    X₂ is made once, in forward, and kept for ∂L/∂W: for an input that is not contiguous (a
    batch-first LSTM's output, a transposed view) it is a copy, which backward would otherwise
    make again (0.4 ms of CPU time a step in the char LSTM, benchmarks/results/lstm_2026-12-03b.md).
    """

    same_float_dtype = True  # PyTorch's refuses mixed dtypes too
    saved_inputs = property(factors_read)

    def forward(self, x, weight, bias=None):
        xp = backend.array_module(backend.device_of(x))
        self.rows = xp.ascontiguousarray(x).reshape(math.prod(x.shape[:-1]), x.shape[-1])
        out = kernels.matmul(self.rows, weight.T).reshape(x.shape[:-1] + weight.shape[:1])
        if bias is not None:
            out += bias
        return out

    def name(self) -> str:
        """PyTorch's node for a matrix input: Addmm with a bias, Mm without (LinearBackward0 else)."""
        if self.node_name is not None or self.inputs[0].ndim != 2:
            return self.node_name or "LinearBackward0"
        return "AddmmBackward0" if len(self.inputs) == 3 else "MmBackward0"

    def backward(self, g):
        x, weight = self.inputs[0], self.inputs[1]
        rows = self.rows.shape[0]
        g_rows = reshape(g, (rows, weight.shape[0]))
        grad_x = _product(g, weight) if self.needs_grad(0) else None
        grad_w = None
        if self.needs_grad(1):
            x_rows = reshape(x, self.rows.shape) if _recorded(x) else Tensor(self.rows)
            grad_w = _product(g_rows, x_rows, transpose_x=True)
        if len(self.inputs) == 2:
            return grad_x, grad_w
        return grad_x, grad_w, _column_sums(g_rows) if self.needs_grad(2) else None


def _recorded(*tensors: Tensor) -> bool:
    """Whether an op on these tensors records a node: graph recording is on (in backward: the
    gradient's own graph is being built, ``create_graph``) and one of them wants a gradient."""
    return _grad_mode.enabled and any(t.requires_grad for t in tensors)


def _product(x: Tensor, y: Tensor, transpose_x: bool = False, transpose_y: bool = False) -> Tensor:
    """op(x) @ op(y), op transposing the last two dimensions where asked: the backward formulas'
    products. As MatMul (and transpose) nodes when they are recorded (double backward); else the
    kernel runs on the arrays, transposes as views, without the nodes' bookkeeping."""
    if _recorded(x, y):
        return matmul(matrix_transpose(x) if transpose_x else x, matrix_transpose(y) if transpose_y else y)
    a, b = x._data, y._data
    return Tensor(kernels.matmul(a.swapaxes(-1, -2) if transpose_x else a, b.swapaxes(-1, -2) if transpose_y else b))


def _column_sums(g_rows: Tensor) -> Tensor:
    """Σ over the rows of a matrix (a bias gradient): a Sum node when recorded, else on the array."""
    if _recorded(g_rows):
        return g_rows.sum(dim=0)
    return Tensor(g_rows._data.sum(axis=0))


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x Wᵀ + b as one :class:`Linear` node; the caller has checked that x's last size is W's."""
    return Linear.apply(x, weight) if bias is None else Linear.apply(x, weight, bias)


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """``a @ b`` with NumPy's rules: 1-D operands are promoted to matrices and the added
    dimension removed from the result; other leading dimensions broadcast."""
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"matmul: expected two Tensors, got {type(a).__name__} and {type(b).__name__}")
    if a.dtype != b.dtype or a.dtype == bool:  # PyTorch promotes neither, nor multiplies bools
        raise DtypeError(f"matmul: dtypes differ or are bool: {tuple(a.shape)} {a.dtype}, {tuple(b.shape)} {b.dtype} "
                         "(PyTorch multiplies neither mixed dtypes nor bools; convert one with .to())")
    if a._data.ndim >= 2 and b._data.ndim >= 2:
        return MatMul.apply(a, b)  # zengrad.kernels.matmul checks the shapes
    kernels.check_matmul_shapes(a.shape, b.shape)  # before the 1-D operands are reshaped
    if a.ndim == 1 and b.ndim == 1:
        product = a * b
        return named(product.sum() if product.dtype.kind == "f" else product.sum(dtype=product.dtype), "DotBackward0")
    if a.ndim == 1:
        out = MatMul.apply(reshape(a, (1, a.shape[0])), b)
        return reshaped(out, out.shape[:-2] + out.shape[-1:], "SqueezeBackward4")
    out = MatMul.apply(a, reshape(b, (b.shape[0], 1)))
    return reshaped(out, out.shape[:-1], "MvBackward0" if a.ndim == 2 else "SqueezeBackward4")
