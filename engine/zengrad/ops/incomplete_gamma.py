"""The regularized incomplete gamma functions P(a, x) = γ(a, x)/Γ(a) = (1/Γ(a)) ∫₀ˣ t^(a−1) e^(−t) dt
(``gammainc``) and Q(a, x) = 1 − P(a, x) (``gammaincc``), computed in float64 on the host:

* the common factor  D = xᵃ e^(−x)/Γ(a + 1)  as  exp(−a·(t − ln(1 + t)) − r(a)) / √(2πa),
  t = x/a − 1, from Stirling's ln Γ(a + 1) = (a + ½) ln a − a + ½ ln 2π + r(a) (r by its series
  1/(12a) − 1/(360a³) + 1/(1260a⁵) − 1/(1680a⁷) for a ≥ 10, else ln Γ(a + 1) minus the rest):
  the large terms a ln x, x and ln Γ(a + 1) cancel on paper, not in floating point;
* x < a + 1 (unless 1 ≤ x and a < x, where the continued fraction keeps a small Q's digits):
  the series  P = D·Σ_{k≥0} xᵏ/((a + 1)(a + 2)…(a + k)),  Q = 1 − P;
* elsewhere:  the continued fraction (modified Lentz)
  Q = D·a/(x + 1 − a − 1·(1 − a)/(x + 3 − a − 2·(2 − a)/(x + 5 − a − …))),  P = 1 − Q;

each summed until the last step changes the result by less than 2⁻⁵³ (about 9√a steps where x is
near a); from a = 1e6 on, Temme's uniform asymptotic expansion instead (see :func:`_temme`). At the edges, PyTorch's values: NaN for a < 0, x < 0, a = x = 0 and
a = x = inf; P(0, x > 0) = 1; P(a, 0) = 0; P(inf, x) = 0; P(a, inf) = 1.

∂P/∂x = x^(a−1) e^(−x)/Γ(a) = −∂Q/∂x; the derivative in a is not implemented (nor in PyTorch).
"""

from __future__ import annotations

import math

import numpy as np

from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from ._util import as_tensor_like, promote_types, unbroadcast
from .elementwise import weak_zero_dim
from .special import _ERFC, _lgamma, lgamma

_EPS = 2.0 ** -53
_MAX_STEPS = 100000
_TEMME_FROM = 1e6  # a from which Temme's expansion replaces the series and the continued fraction


def _stirling_remainder(a):
    """r(a) = ln Γ(a + 1) − ((a + ½) ln a − a + ½ ln 2π)."""
    big = np.where(a >= 10, a, 10.0)
    series = 1 / (12 * big) - 1 / (360 * big ** 3) + 1 / (1260 * big ** 5) - 1 / (1680 * big ** 7)
    small = np.where(a >= 10, 1.0, a)
    direct = _lgamma(small + 1) - ((small + 0.5) * np.log(small) - small + 0.5 * math.log(2 * math.pi))
    return np.where(a >= 10, series, direct)


def _excess(a, x):
    """λ − 1 − ln λ for λ = x/a (ln λ by log1p near λ = 1, directly elsewhere, where λ − 1 would
    have lost the digits of a small λ)."""
    ratio = x / a
    t = ratio - 1
    near = np.abs(t) < 0.5
    return t - np.where(near, np.log1p(np.where(near, t, 0.0)), np.log(ratio))


def _prefactor(a, x):
    """D = xᵃ e^(−x)/Γ(a + 1) (see the module's docstring)."""
    return np.exp(-a * _excess(a, x) - _stirling_remainder(a)) / np.sqrt(2 * math.pi * a)


def _temme(a, x):
    """(P, Q) for large a by Temme's uniform expansion, to its first correction:
    Q = ½ erfc(η√(a/2)) + e^(−aη²/2)/√(2πa) · C₀(η),  P = ½ erfc(−η√(a/2)) − the same term,
    η = sign(λ − 1)·√(2(λ − 1 − ln λ)),  C₀(η) = 1/(λ − 1) − 1/η  (by its Taylor series
    −1/3 + η/12 − 2η²/135 + η³/864 for |η| < 0.01, where the two terms cancel); the next term is
    O(a^(−3/2)), below 1e−13 for a ≥ 1e6."""
    eta = np.sign(x - a) * np.sqrt(2 * _excess(a, x))
    small = np.abs(eta) < 0.01
    e = np.where(small, 1.0, eta)
    c0 = np.where(small, -1 / 3 + eta / 12 - 2 * eta ** 2 / 135 + eta ** 3 / 864,
                  1 / np.where(small, 1.0, x / a - 1) - 1 / e)
    term = np.exp(-a * eta * eta / 2) / np.sqrt(2 * math.pi * a) * c0
    z = eta * np.sqrt(a / 2)
    return 0.5 * _ERFC(-z).astype(np.float64) - term, 0.5 * _ERFC(z).astype(np.float64) + term


def _series(a, x):
    """Σ_{k≥0} xᵏ/((a + 1)…(a + k)), summed while any term still counts."""
    term = np.ones_like(a)
    total = term.copy()
    active = np.arange(a.size)
    for k in range(1, _MAX_STEPS):
        if not active.size:
            break
        term[active] *= x[active] / (a[active] + k)
        total[active] += term[active]
        active = active[term[active] > _EPS * total[active]]
    return total


def _continued_fraction(a, x):
    """1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − 2·(2 − a)/(x + 5 − a − …))) by the modified Lentz method."""
    tiny = 1e-300
    b = x + 1 - a
    c = np.full_like(a, 1 / tiny)
    d = 1 / b
    f = d.copy()
    active = np.arange(a.size)
    for k in range(1, _MAX_STEPS):
        if not active.size:
            break
        an = -k * (k - a[active])
        b[active] += 2
        d_ = an * d[active] + b[active]
        d_ = np.where(np.abs(d_) < tiny, tiny, d_)
        c_ = b[active] + an / c[active]
        c_ = np.where(np.abs(c_) < tiny, tiny, c_)
        d[active] = 1 / d_
        c[active] = c_
        delta = c_ * d[active]
        f[active] *= delta
        active = active[np.abs(delta - 1) > _EPS]
    return f


def _regularized(a, x, upper: bool):
    """P(a, x) (``upper`` False) or Q(a, x) on float64 arrays of one shape."""
    a, x = np.broadcast_arrays(a, x)
    a, x = a.reshape(-1).astype(np.float64), x.reshape(-1).astype(np.float64)
    finite = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
    out = np.empty_like(a)
    large = finite & (a >= _TEMME_FROM)
    with np.errstate(all="ignore"):
        out[large] = _temme(a[large], x[large])[1 if upper else 0]
    inside = finite & ~large
    ai, xi = a[inside], x[inside]
    with np.errstate(all="ignore"):
        by_series = (xi < ai + 1) & ~((xi >= 1) & (xi > ai))
        lower = np.empty_like(ai)
        sa, sx = ai[by_series], xi[by_series]
        lower[by_series] = _prefactor(sa, sx) * _series(sa, sx)
        fa, fx = ai[~by_series], xi[~by_series]
        upper_cf = _prefactor(fa, fx) * fa * _continued_fraction(fa, fx)
        values = np.empty_like(ai)
        values[by_series] = 1 - lower[by_series] if upper else lower[by_series]
        values[~by_series] = upper_cf if upper else 1 - upper_cf
    out[inside] = values
    p_edge = np.where((a == 0) & (x > 0), 1.0, np.where(x == 0, 0.0, np.where(np.isinf(a), 0.0, 1.0)))
    p_edge = np.where((a < 0) | (x < 0) | np.isnan(a) | np.isnan(x) | ((a == 0) & (x == 0))
                      | (np.isinf(a) & np.isinf(x)), np.nan, p_edge)
    out[~finite] = (1 - p_edge if upper else p_edge)[~finite]
    return out


class _IncompleteGamma(Function):
    """z = P(a, x) or Q(a, x) (see the module's docstring);  ∂z/∂x = ±x^(a−1) e^(−x)/Γ(a)."""

    upper = False

    def forward(self, a, x):
        device = backend.device_of(a)
        dtype = np.result_type(a.dtype, x.dtype)
        host = (np.asarray(backend.to_device(v, "cpu")) for v in (a, x))
        values = _regularized(*host, upper=self.upper)
        return backend.to_device(values.reshape(np.broadcast_shapes(a.shape, x.shape)).astype(dtype), device)

    def backward(self, g):
        a, x = self.inputs
        if self.needs_grad(0):
            raise NotImplementedError(f"the derivative of {self.op} with respect to its first argument (a) "
                                      f"is not implemented")
        density = ((a - 1) * x.log() - x - lgamma(a)).exp()
        return None, unbroadcast(g * density * (-1 if self.upper else 1), x.shape)


class _Lower(_IncompleteGamma):
    op = "gammainc"


class _Upper(_IncompleteGamma):
    op = "gammaincc"
    upper = True


def _apply(cls, a, x) -> Tensor:
    if not isinstance(a, Tensor) or not isinstance(x, Tensor):
        raise TypeError(f"{cls.op}: expected two Tensors, got {type(a).__name__} and {type(x).__name__}")
    a = as_tensor_like(a, x, cls.op)
    if a.dtype != x.dtype:
        a, x = weak_zero_dim(a, x)
    dtype = promote_types(a.dtype, x.dtype)
    if dtype.kind != "f":
        raise NotImplementedError(f"{cls.op}: not implemented for {dtype} (needs a floating-point operand)")
    return cls.apply(a.to(dtype), x.to(dtype))


def gammainc(a: Tensor, x: Tensor) -> Tensor:
    """P(a, x), the regularized lower incomplete gamma function (see the module's docstring)."""
    return _apply(_Lower, a, x)


def gammaincc(a: Tensor, x: Tensor) -> Tensor:
    """Q(a, x) = 1 − P(a, x), the regularized upper incomplete gamma function."""
    return _apply(_Upper, a, x)
