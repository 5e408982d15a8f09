"""The matrix exponential exp(A) = Σₖ Aᵏ / k! of a batch of square matrices, by scaling and squaring:

    exp(A) = (exp(A / 2ˢ))^(2ˢ),   s the least with ‖A‖₁ / 2ˢ ≤ 1,

where exp(A / 2ˢ) is the Taylor series to degree 18 (its remainder is below 1/19! ≈ 8·10⁻¹⁸ of
e‖A/2ˢ‖, under float64's rounding), summed by Horner's rule, then squared s times. Each matrix of
the batch takes its own s.

The gradient, from the derivative of exp along a direction E (Fréchet's L(A, E)), which is the
upper-right block of the exponential of a block matrix (Mathias, 1996):

    exp([[A, E], [0, A]]) = [[exp(A), L(A, E)], [0, exp(A)]],   and   Ā = L(Aᵀ, G),

so the backward is one more matrix_exp, of the 2n×2n matrix [[Aᵀ, G], [0, Aᵀ]], in Tensor ops
(second derivatives work).
"""

from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from .linalg import _square
from .shape import cat, matrix_transpose

_DEGREE = 18
_MAX_SQUARINGS = 1100  # 2¹¹⁰⁰ exceeds any finite float64 norm: more squarings only overflow


def exp_arrays(a):
    """exp(A) of a batch of square arrays by scaling and squaring."""
    xp = backend.array_module(backend.device_of(a))
    with np.errstate(over="ignore", invalid="ignore"):
        norm = xp.abs(a).sum(axis=-2).max(axis=-1, initial=0.0)
        finite = xp.isfinite(norm)
        squarings = xp.where(finite & (norm > 1), xp.ceil(xp.log2(xp.where(finite & (norm > 1), norm, 1.0))), 0)
        squarings = xp.minimum(squarings, _MAX_SQUARINGS).astype(np.int64)
        scaled = a / xp.exp2(squarings.astype(a.dtype))[..., None, None]
        eye = xp.eye(a.shape[-1], dtype=a.dtype)
        result = eye + scaled / _DEGREE
        for k in range(_DEGREE - 1, 0, -1):
            result = eye + (scaled @ result) / k
        for step in range(int(squarings.max(initial=0))):
            result = xp.where((squarings > step)[..., None, None], result @ result, result)
    return result.astype(a.dtype, copy=False)


class MatrixExp(Function):
    """exp(A);  Ā = the upper-right block of exp([[Aᵀ, G], [0, Aᵀ]])."""

    def forward(self, a):
        return exp_arrays(a)

    def backward(self, g):
        (a,) = self.inputs
        a_t = matrix_transpose(a)
        zeros = Tensor(g.xp.zeros(g.shape, dtype=g.dtype))
        block = cat([cat([a_t, g], dim=-1), cat([zeros, a_t], dim=-1)], dim=-2)
        n = a.shape[-1]
        return matrix_exp(block)[..., :n, n:]


def matrix_exp(A: Tensor) -> Tensor:
    """exp(A) = Σₖ Aᵏ / k! of each square matrix (see the module docstring for the method)."""
    _square("linalg.matrix_exp", A)
    return MatrixExp.apply(A)
