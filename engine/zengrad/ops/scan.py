"""Running (cumulative) ops along one dim: cumsum, cumprod, cummax/cummin, logcumsumexp.

zᵢ = aₒ ∘ a₁ ∘ … ∘ aᵢ for an associative ∘. Each output depends on every earlier input, so every
backward below is a *reverse* running sum of the incoming gradient: ∂L/∂aⱼ = Σ_{i ≥ j} gᵢ ∂zᵢ/∂aⱼ.
"""

from __future__ import annotations

import collections

import numpy as np

from .. import backend
from ..errors import DtypeError
from ..autograd import Function
from ..tensor import Tensor
from .elementwise import where
from .layout import clone
from ._util import normalize_dim
from .layout import flip


def accumulate(ufunc: str, array, axis: int):
    """``numpy.<ufunc>.accumulate`` along ``axis`` (a copy for an empty axis). CuPy arrays make a
    round trip through the host, since CuPy's ufuncs do not all have ``accumulate``."""
    if array.shape[axis] == 0:
        return array.copy()
    if backend.device_of(array) == "cpu":
        return getattr(np, ufunc).accumulate(array, axis=axis)
    return backend.to_device(getattr(np, ufunc).accumulate(array.get(), axis=axis), "cuda")


def reverse_cumsum(g: Tensor, dim: int) -> Tensor:
    """rᵢ = Σ_{k ≥ i} g_k along ``dim``."""
    return flip(cumsum(flip(g, dim), dim), dim)


class CumSum(Function):
    """zᵢ = Σ_{k ≤ i} a_k;  ∂L/∂aⱼ = Σ_{i ≥ j} gᵢ (a reverse cumsum of g)."""

    node_name = "CumsumBackward0"

    saved_inputs = ()  # backward reads no input values (shapes or the output only)

    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, a):
        return _accumulated(a, "cumsum", self.dim)

    def backward(self, g):
        return reverse_cumsum(g, self.dim)


def _accumulated(a, scan: str, dim: int):
    """a.cumsum or a.cumprod along ``dim``, a float32 (or float16) one accumulated in float64 and
    rounded once per element, as PyTorch's CPU kernels do: the running product of tiny numbers
    does not underflow to 0 before an inf arrives (0·inf would be NaN), a long sum drifts less."""
    if a.dtype.kind == "f" and a.dtype.itemsize < 8:
        return getattr(a.astype(np.float64), scan)(axis=dim).astype(a.dtype)
    return getattr(a, scan)(axis=dim)


class CumProd(Function):
    """zᵢ = Π_{k ≤ i} a_k;  ∂L/∂aⱼ = Σ_{i ≥ j} gᵢ Π_{k ≤ i, k ≠ j} a_k.

    Without zeros the product of the others is zᵢ/aⱼ, so ∂L/∂aⱼ = (Σ_{i ≥ j} gᵢ zᵢ)/aⱼ. With a zero
    in ``a`` the division fails; then the products are formed explicitly: for every j, the cumprod
    of a with aⱼ replaced by 1 (an n × n table per slice, so memory grows as n² there).
    """

    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, a):
        return _accumulated(a, "cumprod", self.dim)

    def backward(self, g):
        (a,) = self.inputs
        if not (a == 0)._data.any():
            return reverse_cumsum(g * self.output(), self.dim) / a
        last = a.movedim(self.dim, -1)
        n = last.shape[-1]
        eye = Tensor(a.xp.eye(n, dtype=bool))
        without_j = where(eye, 1, last.unsqueeze(-2))            # [..., j, k] = a_k, or 1 at k = j
        products = cumprod(without_j, -1)                        # [..., j, i] = Π_{k ≤ i, k ≠ j} a_k
        later = Tensor(a.xp.triu(a.xp.ones((n, n), dtype=bool)))  # i ≥ j
        grad = (where(later, products, 0) * g.movedim(self.dim, -1).unsqueeze(-2)).sum(dim=-1)
        return grad.movedim(-1, self.dim)


class LogCumSumExp(Function):
    """zᵢ = log Σ_{k ≤ i} exp(a_k), computed with ``logaddexp.accumulate`` (no overflow);
    ∂zᵢ/∂aⱼ = exp(aⱼ − zᵢ) for j ≤ i, so ∂L/∂aⱼ = Σ_{i ≥ j} gᵢ exp(aⱼ − zᵢ).

    That sum is exp(aⱼ − c) · Σ_{i ≥ j} gᵢ exp(c − zᵢ) with c = the slice's last (largest) z.
    When the z along a slice span more than the dtype's exp range (some exp(c − zᵢ) overflows),
    the exponents are formed pairwise instead: an n × n table per slice, every exponent ≤ 0.
    """

    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, a):
        return accumulate("logaddexp", a, self.dim)

    def backward(self, g):
        (a,) = self.inputs
        z = self.output()
        n = a.shape[self.dim]
        if n == 0:
            return g
        c = z.detach()[(slice(None),) * self.dim + (slice(n - 1, n),)]
        limit = float(a.xp.log(a.xp.finfo(a.dtype).max)) - 1
        span = (c - z.detach())._data
        if not (span[a.xp.isfinite(span)] > limit).any():
            shift = where(c.isfinite(), c, 0)
            return (a - shift).exp() * reverse_cumsum(g * (shift - z).exp(), self.dim)
        a_last, z_last, g_last = (t.movedim(self.dim, -1) for t in (a, z, g))
        later = Tensor(a.xp.triu(a.xp.ones((n, n), dtype=bool)))  # [j, i]: i ≥ j
        exponents = where(later, a_last.unsqueeze(-1) - z_last.unsqueeze(-2), -float("inf"))
        grad = (exponents.exp() * g_last.unsqueeze(-2)).sum(dim=-1)
        return grad.movedim(-1, self.dim)


CumExtreme = collections.namedtuple("CumExtreme", ["values", "indices"])


def _running_extreme(a: Tensor, dim, largest: bool, op: str):
    """(values, indices): the running max (or min) and, for each position, where that value was
    last reached (PyTorch's choice on ties). The gradient of a value goes to the element it came
    from: values = the input's elements picked by ``indices``, so it is a gather."""
    dim = normalize_dim(dim, a.ndim, op)
    xp = a.xp
    data = a._data if a.ndim else a._data.reshape(1)
    axis = dim if a.ndim else 0
    running = accumulate("maximum" if largest else "minimum", data, axis)
    positions = xp.arange(data.shape[axis]).reshape((-1,) + (1,) * (data.ndim - axis - 1))
    reached = (data == running) | xp.isnan(data)
    indices = accumulate("maximum", xp.where(reached, positions, 0), axis)
    indices = indices.astype(xp.int64).reshape(a.shape)
    values = a.gather(dim, Tensor(indices)) if a.ndim else clone(a)  # clone keeps a bool a bool
    return CumExtreme(values, Tensor(indices))


# ---- functional forms -----------------------------------------------------------------------

def _running(cls, a: Tensor, dim: int, dtype) -> Tensor:
    """Apply a running sum or product; integer and boolean inputs give int64, as in PyTorch."""
    if dtype is not None:
        a = a.to(dtype)
    elif a.dtype.kind in "biu":
        a = a.long()
    dim = normalize_dim(dim, a.ndim, cls.__name__.lower())  # a 0-d tensor takes dim 0 or -1 only
    return a * 1 if a.ndim == 0 else cls.apply(a, dim=dim)


def cumsum(a: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running sum along ``dim``."""
    return _running(CumSum, a, dim, dtype)


def cumprod(a: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running product along ``dim``."""
    return _running(CumProd, a, dim, dtype)


def logcumsumexp(a: Tensor, dim: int) -> Tensor:
    """log Σ_{k ≤ i} exp(a_k) along ``dim``, without overflow."""
    if a.dtype.kind != "f":
        raise DtypeError(f"logcumsumexp: expected a floating-point tensor, got {a.dtype} of shape {a.shape}")
    dim = normalize_dim(dim, a.ndim, "logcumsumexp")
    return a * 1 if a.ndim == 0 else LogCumSumExp.apply(a, dim=dim)


def cummax(a: Tensor, dim: int):
    """(values, indices) of the running maximum along ``dim``; NaN propagates, as in PyTorch."""
    return _running_extreme(a, dim, True, "cummax")


def cummin(a: Tensor, dim: int):
    """(values, indices) of the running minimum along ``dim``."""
    return _running_extreme(a, dim, False, "cummin")

