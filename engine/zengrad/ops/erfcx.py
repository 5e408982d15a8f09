"""The scaled complementary error function erfcx(x) = e^(x²) erfc(x), and on it the logarithm of the
standard normal CDF, log Φ(x): both keep their digits where erfc(x) and Φ(x) underflow.

erfcx is computed in float64 on the host as

* x < 25:  e^(x²)·erfc(x), with x² = h + l split exactly (Dekker: x = x_hi + x_lo with 26-bit
  halves, l = ((x_hi² − h) + 2 x_hi x_lo) + x_lo²) and e^(x²) = e^h (1 + l): the rounding of x²
  alone would cost x²·2⁻⁵³ of relative accuracy (1e−13 near 25); erfc is the C library's;
* x ≥ 25:  the asymptotic series 1/(x√π) Σₖ (−1)ᵏ (2k − 1)!!/(2x²)ᵏ (twelve terms: the last is
  below 1e−25 of the first at x = 25);

so it overflows to inf below about −26.6, as e^(x²) does, and tends to 0 as 1/(x√π) at +inf.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Function
from ..tensor import Tensor
from .elementwise import where
from .math import _float_input
from .special import _ERFC, _on_cpu

_ASYMPTOTIC_FROM = 25.0
_ASYMPTOTIC = [1.0]
for _k in range(1, 12):
    _ASYMPTOTIC.append(-_ASYMPTOTIC[-1] * (2 * _k - 1) / 2)  # (−1)ᵏ (2k − 1)!!/2ᵏ, the coefficient of x^(−2k)


def _exp_square(x):
    """e^(x²) with x² taken exactly as h + l (see the module's docstring)."""
    h = x * x
    split = x * 134217729.0  # 2²⁷ + 1
    high = split - (split - x)
    low = x - high
    l_ = ((high * high - h) + 2 * high * low) + low * low
    return np.exp(h) * (1 + np.where(np.isfinite(l_), l_, 0.0))


def erfcx_array(x):
    """e^(x²) erfc(x) on a float64 array (see the module's docstring)."""
    near = x < _ASYMPTOTIC_FROM
    inside = np.where(near, x, 0.0)
    with np.errstate(all="ignore"):
        direct = _exp_square(inside) * _ERFC(inside).astype(np.float64)
        far = np.where(near, 1.0, x)
        tail = np.polynomial.polynomial.polyval(1 / (far * far), _ASYMPTOTIC) / (far * math.sqrt(math.pi))
    return np.where(near, direct, tail)


@_on_cpu
def _erfcx(x):
    return erfcx_array(x)


@_on_cpu
def _log_ndtr(x):
    """log Φ(x) = log1p(−½ erfc(x/√2)) for x ≥ 0, log(½ erfcx(−x/√2)) − x²/2 below."""
    with np.errstate(all="ignore"):
        right = np.log1p(-0.5 * _ERFC(np.where(x >= 0, x, 0.0) / math.sqrt(2)).astype(np.float64))
        left = np.log(0.5 * erfcx_array(-np.where(x < 0, x, 0.0) / math.sqrt(2))) - x * x / 2
    return np.where(x >= 0, right, left)


class Erfcx(Function):
    """z = erfcx(a) = e^(a²) erfc(a);  ∂z/∂a = 2a·erfcx(a) − 2/√π."""

    def forward(self, a):
        return _erfcx(a)

    def backward(self, g):
        a = self.inputs[0]
        return g * (2 * a * erfcx(a) - 2 / math.sqrt(math.pi))


class LogNdtr(Function):
    """z = log Φ(a), Φ the standard normal CDF;  ∂z/∂a = φ(a)/Φ(a) = √(2/π) / erfcx(−a/√2) (0 where
    erfcx overflows, for a above about 37, where φ/Φ underflows too; NaN for a < 0 where a² overflows,
    as PyTorch gives: below −1.8e19 in float32, −1.3e154 in float64, and at −inf)."""

    def forward(self, a):
        return _log_ndtr(a)

    def backward(self, g):
        a = self.inputs[0]
        slope = math.sqrt(2 / math.pi) / erfcx(a * (-1 / math.sqrt(2)))
        return g * where((a < 0) & (a * a).isinf(), math.nan, slope)


def erfcx(a: Tensor) -> Tensor:
    """e^(a²) erfc(a) elementwise (see :class:`Erfcx`)."""
    return Erfcx.apply(_float_input("erfcx", a))


def log_ndtr(a: Tensor) -> Tensor:
    """log Φ(a) elementwise, Φ the standard normal CDF (see :class:`LogNdtr`)."""
    return LogNdtr.apply(_float_input("log_ndtr", a))
