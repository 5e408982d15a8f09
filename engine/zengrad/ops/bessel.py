"""Modified Bessel functions of orders 0 and 1: I₀, I₁ (and e^(−|x|)-scaled i0e, i1e), K₀, K₁ (and
e^x-scaled), computed in float64 on the host and cast to the input's float dtype.

* I_ν, |x| ≤ 25: the power series I_ν(x) = Σₖ (x/2)^(2k+ν) / (k!(k + ν)!) (75 terms, all positive,
  so no cancellation);  |x| > 25: Hankel's asymptotic expansion
  e^(−x) I_ν(x) ≈ (2πx)^(−½) Σₖ (−1)ᵏ aₖ(ν)/xᵏ,  aₖ(ν) = Πⱼ₌₁..ₖ (4ν² − (2j − 1)²) / (k! 8ᵏ),
  (50 terms: its smallest term at x = 25 is below 1e−20);  I₀ is even, I₁ odd;
* K_ν, 0 < x ≤ 2: the series
  K₀(x) = −(ln(x/2) + γ) I₀(x) + Σ_{k≥1} H_k (x²/4)ᵏ/(k!)²,
  K₁(x) = 1/x + ln(x/2) I₁(x) − (x/4) Σ_{k≥0} (ψ(k+1) + ψ(k+2)) (x²/4)ᵏ/(k!(k+1)!)
  (H_k the harmonic numbers, ψ(k+1) = H_k − γ);  2 < x ≤ 25: the integral
  e^x K_ν(x) = ∫₀^∞ e^(−x(cosh t − 1)) cosh νt dt = ∫₀^∞ e^(−2x sinh²(t/2)) cosh νt dt by the
  trapezoidal rule with step 0.1 on [0, 4.5] (the integrand is even and analytic in a strip, so the
  rule converges geometrically: its error is below 1e−16 here);  x > 25: the asymptotic
  e^x K_ν(x) ≈ √(π/(2x)) Σₖ aₖ(ν)/xᵏ.  K_ν(0) = inf, K_ν(x < 0) = NaN.

Derivatives (torch.special gives them for i0, i0e, i1, i1e only):  I₀′ = I₁,  I₁′ = I₀ − I₁/x (½ at 0),
(e^(−|x|) I₀)′ = i1e − sign(x)·i0e,  (e^(−|x|) I₁)′ = i0e − i1e·(sign(x) + 1/x) (½ at 0, taken
for |x| < 1e−30; the I₁ derivatives are ½ at NaN too, as in PyTorch).
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Function
from ..tensor import Tensor
from .elementwise import where
from .math import _float_input
from .special import _on_cpu

_EULER = 0.57721566490153286061
_SERIES_UP_TO = 25.0
_K_SERIES_UP_TO = 2.0
_TRAPEZOID_NODES = np.arange(46) * 0.1  # t in [0, 4.5]


def hankel_coefficients(nu: float, count: int = 50) -> list:
    """a₀(ν) … a_{count−1}(ν) of the Hankel expansions (see the module's docstring)."""
    a = [1.0]
    for k in range(1, count):
        a.append(a[-1] * (4 * nu * nu - (2 * k - 1) ** 2) / (8 * k))
    return a


_A = {nu: hankel_coefficients(nu) for nu in (0, 1)}
_A_ALTERNATING = {nu: [c * (-1) ** k for k, c in enumerate(a)] for nu, a in _A.items()}


def _i_scaled(x, nu: int):
    """e^(−|x|) I_ν(|x|), ν = 0 or 1."""
    size = np.abs(x)
    near = size <= _SERIES_UP_TO
    s = np.where(near, size, 0.0)
    quarter_square = s * s / 4
    term = np.ones_like(s) if nu == 0 else s / 2
    total = term.copy()
    for k in range(1, 75):
        term = term * quarter_square / (k * (k + nu))
        total += term
    far = np.where(near, 1.0, size)
    with np.errstate(all="ignore"):
        tail = np.polynomial.polynomial.polyval(1 / far, _A_ALTERNATING[nu]) / np.sqrt(2 * math.pi * far)
    return np.where(near, total * np.exp(-s), tail)


def _k_series(x, nu: int):
    """K_ν(x) by the series, for 0 < x ≤ 2 (other elements: any finite value)."""
    quarter_square = x * x / 4
    term = np.ones_like(x)
    i_sum = term.copy()  # Σ (x²/4)ᵏ/(k!(k+ν)!)
    weighted = term * (0.0 if nu == 0 else 1 - 2 * _EULER)
    harmonic = 0.0
    for k in range(1, 30):
        term = term * quarter_square / (k * (k + nu))
        harmonic += 1 / k
        i_sum += term
        weighted += term * (harmonic if nu == 0 else 2 * harmonic + 1 / (k + 1) - 2 * _EULER)
    if nu == 0:
        return -(np.log(x / 2) + _EULER) * i_sum + weighted
    return 1 / x + np.log(x / 2) * (x / 2) * i_sum - (x / 4) * weighted


def k_scaled_above_two(x, nu: float):
    """e^x K_ν(x) for x > 2 and any order ν (other elements: any value), by the trapezoidal rule to
    25 and the asymptotic expansion beyond (see the module's docstring)."""
    middle = x <= _SERIES_UP_TO
    with np.errstate(all="ignore"):
        m = np.where(middle, x, 3.0)[:, None]
        half = np.sinh(_TRAPEZOID_NODES / 2)
        integrand = np.exp(-2 * m * half * half) * np.cosh(nu * _TRAPEZOID_NODES)
        trapezoid = 0.1 * (integrand.sum(axis=1) - 0.5 * integrand[:, 0])
        far = np.where(middle, 1.0, x)
        coefficients = _A[nu] if nu in _A else hankel_coefficients(nu)
        tail = np.sqrt(math.pi / (2 * far)) * np.polynomial.polynomial.polyval(1 / far, coefficients)
    return np.where(middle, trapezoid, tail)


def _k_scaled(x, nu: int):
    """e^x K_ν(x) (see the module's docstring)."""
    series_part = (x > 0) & (x <= _K_SERIES_UP_TO)
    with np.errstate(all="ignore"):
        s = np.where(series_part, x, 1.0)
        series = _k_series(s, nu) * np.exp(s)
    out = np.where(series_part, series, k_scaled_above_two(x, nu))
    out = np.where(x == 0, np.inf, out)
    return np.where((x < 0) | np.isnan(x), np.nan, out)


def _unscale(scaled, x):
    """e^|x|·scaled: inf from |x| ≈ 709.8 on, where e^|x| overflows, as in PyTorch."""
    with np.errstate(over="ignore", invalid="ignore"):
        return scaled * np.exp(np.abs(x))


def _odd(value, x):
    """value (of |x|) with x's sign: −value for x < 0, +0 at ±0 as in PyTorch."""
    return np.where(x < 0, -value, value)


@_on_cpu
def _i0e(x):
    return _i_scaled(x, 0)


@_on_cpu
def _i1e(x):
    return _odd(_i_scaled(x, 1), x)


@_on_cpu
def _i0(x):
    return _unscale(_i_scaled(x, 0), x)


@_on_cpu
def _i1(x):
    return _odd(_unscale(_i_scaled(x, 1), x), x)


@_on_cpu
def _k0e(x):
    return _k_scaled(x, 0)


@_on_cpu
def _k1e(x):
    return _k_scaled(x, 1)


@_on_cpu
def _k0(x):
    with np.errstate(all="ignore"):
        return _k_scaled(x, 0) * np.exp(-x)


@_on_cpu
def _k1(x):
    with np.errstate(all="ignore"):
        return _k_scaled(x, 1) * np.exp(-x)


def _near_zero(a: Tensor):
    """|a| < 1e−30, where I₁(a)/a = ½ to within 1e−60 (and 1/a could overflow), or NaN, where
    PyTorch's I₁ derivatives give ½ too."""
    return (a.abs() < 1e-30) | (a != a)


def _where_zero(a: Tensor, at_zero: float, elsewhere: Tensor) -> Tensor:
    return where(_near_zero(a), at_zero, elsewhere)


def _nonzero(a: Tensor) -> Tensor:
    return where(_near_zero(a), 1.0, a)


class I0(Function):
    """z = I₀(a);  ∂z/∂a = I₁(a)."""

    def forward(self, a):
        return _i0(a)

    def backward(self, g):
        return g * i1(self.inputs[0])


class I0e(Function):
    """z = e^(−|a|) I₀(a);  ∂z/∂a = i1e(a) − sign(a)·z."""

    def forward(self, a):
        return _i0e(a)

    def backward(self, g):
        a = self.inputs[0]
        return g * (i1e(a) - a.sign() * i0e(a))


class I1(Function):
    """z = I₁(a);  ∂z/∂a = I₀(a) − I₁(a)/a, ½ at a = 0."""

    def forward(self, a):
        return _i1(a)

    def backward(self, g):
        a = self.inputs[0]
        return g * _where_zero(a, 0.5, i0e(a) * a.abs().exp() - i1(a) / _nonzero(a))


class I1e(Function):
    """z = e^(−|a|) I₁(a);  ∂z/∂a = i0e(a) − z·(sign(a) + 1/a), ½ at a = 0."""

    def forward(self, a):
        return _i1e(a)

    def backward(self, g):
        a = self.inputs[0]
        return g * _where_zero(a, 0.5, i0e(a) - i1e(a) * (a.sign() + 1 / _nonzero(a)))


def i0(a: Tensor) -> Tensor:
    """I₀(a) elementwise (see :class:`I0`)."""
    return I0.apply(_float_input("i0", a))


def i0e(a: Tensor) -> Tensor:
    """e^(−|a|) I₀(a) elementwise (see :class:`I0e`)."""
    return I0e.apply(_float_input("i0e", a))


def i1(a: Tensor) -> Tensor:
    """I₁(a) elementwise (see :class:`I1`)."""
    return I1.apply(_float_input("i1", a))


def i1e(a: Tensor) -> Tensor:
    """e^(−|a|) I₁(a) elementwise (see :class:`I1e`)."""
    return I1e.apply(_float_input("i1e", a))


def _outside_graph(op: str, fn):
    def function(a: Tensor) -> Tensor:
        a = _float_input(op, a)
        return Tensor(fn(a._data))
    function.__name__ = op
    function.__doc__ = f"``torch.special.{op}`` (see the module's docstring); outside the graph, as in PyTorch."
    return function


modified_bessel_i0 = _outside_graph("modified_bessel_i0", _i0)
modified_bessel_i1 = _outside_graph("modified_bessel_i1", _i1)
modified_bessel_k0 = _outside_graph("modified_bessel_k0", _k0)
modified_bessel_k1 = _outside_graph("modified_bessel_k1", _k1)
scaled_modified_bessel_k0 = _outside_graph("scaled_modified_bessel_k0", _k0e)
scaled_modified_bessel_k1 = _outside_graph("scaled_modified_bessel_k1", _k1e)
