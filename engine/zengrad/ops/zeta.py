"""The Hurwitz zeta function ζ(x, q) = Σ_{k≥0} (q + k)^(−x) (``torch.special.zeta``; ζ(x, 1) is
Riemann's), computed in float64 on the host by the Euler–Maclaurin formula with N = 12 terms summed
directly:

  ζ(x, q) = Σ_{k<N} (q + k)^(−x) + w^(1−x)/(x − 1) + w^(−x)/2
            + Σ_{j=1..7} B₂ⱼ/(2j)! · x(x + 1)…(x + 2j − 2) · w^(−x−2j+1),   w = q + N,

B₂ⱼ the Bernoulli numbers. At the edges, PyTorch's values: inf at x = 1 and at q a non-positive
integer; NaN for x < 1, for q < 0 with x not an integer, for q = inf; at x = inf: inf for q < 1,
1 at q = 1, NaN above (where PyTorch's sum meets 0·inf).
∂ζ/∂q = −x·ζ(x + 1, q); the derivative in x is not implemented (nor in PyTorch).
"""

from __future__ import annotations

import math

import numpy as np

from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from ._util import as_tensor_like, promote_types, unbroadcast
from .elementwise import weak_zero_dim
from .special import _BERNOULLI

_DIRECT_TERMS = 12


def _hurwitz(x, q):
    """ζ(x, q) on float64 arrays of one shape (see the module's docstring)."""
    with np.errstate(all="ignore"):
        total = np.zeros_like(x)
        for k in range(_DIRECT_TERMS):
            total += (q + k) ** -x
        w = q + _DIRECT_TERMS
        total += w ** (1 - x) / (x - 1) + 0.5 * w ** -x
        rising = x.copy()  # x(x + 1)…(x + 2j − 2)
        power = w ** (-x - 1)
        for j, b in enumerate(_BERNOULLI, start=1):
            total += b / math.factorial(2 * j) * rising * power
            rising = rising * (x + 2 * j - 1) * (x + 2 * j)
            power = power / (w * w)
    total = np.where(x == np.inf, np.where(q < 1, np.inf, np.where(q == 1, 1.0, np.nan)), total)
    undefined = ((q < 0) & (x != np.floor(x))) | np.isinf(q) | np.isnan(x) | np.isnan(q)
    out = np.where((q <= 0) & (q == np.floor(q)), np.inf, np.where(undefined, np.nan, total))
    return np.where(x == 1, np.inf, np.where(x < 1, np.nan, out))  # PyTorch's order of the tests


class Zeta(Function):
    """z = ζ(x, q);  ∂z/∂q = −x·ζ(x + 1, q)."""

    def forward(self, x, q):
        device = backend.device_of(x)
        host = np.broadcast_arrays(*(np.asarray(backend.to_device(v, "cpu"), dtype=np.float64) for v in (x, q)))
        values = _hurwitz(*host).astype(np.result_type(x.dtype, q.dtype))
        return backend.to_device(values, device)

    def backward(self, g):
        x, q = self.inputs
        if self.needs_grad(0):
            raise NotImplementedError("the derivative of zeta with respect to x is not implemented")
        return None, unbroadcast(-g * x * zeta(x + 1, q), q.shape)


def zeta(x, q) -> Tensor:
    """ζ(x, q), the Hurwitz zeta function (see the module's docstring); x or q may be a number."""
    if not isinstance(x, Tensor) and not isinstance(q, Tensor):
        raise TypeError(f"zeta: expected x or q to be a Tensor, got {type(x).__name__} and {type(q).__name__}")
    x = as_tensor_like(x, q, "zeta") if not isinstance(x, Tensor) else x
    q = as_tensor_like(q, x, "zeta")
    if x.dtype != q.dtype:
        x, q = weak_zero_dim(x, q)
    dtype = promote_types(x.dtype, q.dtype)
    if dtype.kind != "f":
        dtype = backend.DEFAULT_DTYPE
    return Zeta.apply(x.to(dtype), q.to(dtype))
