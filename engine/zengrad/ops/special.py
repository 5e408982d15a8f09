"""Special functions: lgamma, digamma and polygamma, erfinv (computed in float64 on the CPU, with
CuPy's kernels on the GPU; results in the input's float dtype, float32 for ints and bools).

The gamma family rests on three identities and one series:

* Lanczos (g = 7, nine terms), for x ≥ ½:  ln Γ(x) = ½ ln 2π + (z + ½) ln t − t + ln A(z),
  z = x − 1, t = z + 7.5, A(z) = c₀ + Σᵢ cᵢ/(z + i)  (relative error about 1e−15);
* reflection, for x < ½:  ln|Γ(x)| = ln π − ln|sin πx| − ln Γ(1 − x), and for ψ⁽ⁿ⁾ = dⁿ⁺¹ ln Γ/dxⁿ⁺¹
  ψ⁽ⁿ⁾(x) = (−1)ⁿ ψ⁽ⁿ⁾(1 − x) − π·dⁿ/dxⁿ cot πx,  dⁿ/dxⁿ cot πx = πⁿ Pₙ(cot πx) with
  P₀(c) = c, Pₖ₊₁(c) = −(1 + c²) Pₖ′(c);
* recurrence:  ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x + 1) − (−1)ⁿ n!/xⁿ⁺¹, to move x above 15 + n;
* there, the asymptotic series with the Bernoulli numbers B₂ₖ:
  ψ(x) ≈ ln x − 1/(2x) − Σₖ B₂ₖ/(2k x²ᵏ),
  ψ⁽ⁿ⁾(x) ≈ (−1)ⁿ⁺¹ [(n − 1)!/xⁿ + n!/(2xⁿ⁺¹) + Σₖ B₂ₖ (2k + n − 1)!/((2k)! x²ᵏ⁺ⁿ)]  (n ≥ 1).

At the poles (0 and the negative integers) the values are PyTorch's: ln Γ = +inf; ψ(+0) = −inf,
ψ(−0) = +inf, ψ(−k) = NaN; ψ⁽ⁿ⁾ (n ≥ 1) is the signed inf of −(−1)ⁿ n!/x^(n+1) at ±0, and +inf (n odd)
or NaN (n even) at −k.
"""

from __future__ import annotations

import math

import numpy as np

from .. import backend
from ..autograd import Function
from ..errors import OpError
from ..tensor import Tensor
from .math import _ERFC, _float_input, erf_array

_LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7]
_BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6]  # B₂, B₄, …, B₁₄


def _cupy_special():
    import cupyx.scipy.special
    return cupyx.scipy.special


def _on_cpu(fn):
    """``fn`` (float64 NumPy math on a 1-d array) on an array of any shape (0-d included), float
    dtype and device (a CuPy array makes the round trip through the host), the result in that
    shape, dtype and device."""
    def run(a, *args):
        host = np.asarray(backend.to_device(a, "cpu"), dtype=np.float64).reshape(-1)
        with np.errstate(over="ignore"):  # a float64 result beyond float32's range becomes inf
            out = fn(host, *args).reshape(a.shape).astype(a.dtype, copy=False)
        return backend.to_device(out, backend.device_of(a))
    return run


def _is_pole(x):
    return (x <= 0) & (x == np.floor(x))


def _lgamma_positive(x):
    """ln Γ(x) for x ≥ ½ (Lanczos)."""
    z = x - 1
    series = np.full_like(z, _LANCZOS[0])
    for i, c in enumerate(_LANCZOS[1:], start=1):
        series += c / (z + i)
    t = z + 7.5
    out = 0.5 * math.log(2 * math.pi) + (z + 0.5) * np.log(t) - t + np.log(series)
    return np.where(x == np.inf, np.inf, out)


@_on_cpu
def _lgamma(x):
    reflect = x < 0.5
    out = _lgamma_positive(np.where(reflect, 1 - x, x))
    fraction = x - np.round(x)  # in [−½, ½]: sin πx up to sign, exactly, for any size of x
    reflected = math.log(math.pi) - np.log(np.abs(np.sin(math.pi * fraction))) - out
    out = np.where(reflect, reflected, out)
    out = np.where((x == 1) | (x == 2), 0.0, out)  # ln Γ(1) = ln Γ(2) = 0 exactly (Lanczos: within 1e−15)
    return np.where(_is_pole(x) | (x == -np.inf), np.inf, out)


def _cot_derivative_polynomials(n: int) -> list:
    """Coefficients (lowest power first) of P₀ … Pₙ, dᵏ/dθᵏ cot θ = Pₖ(cot θ)."""
    polys = [np.array([0.0, 1.0])]
    for _ in range(n):
        p = polys[-1]
        derivative = p[1:] * np.arange(1, len(p))
        polys.append(-np.polynomial.polynomial.polymul([1.0, 0.0, 1.0], derivative))
    return polys


def _polygamma_large(n: int, x):
    """ψ⁽ⁿ⁾(x) by the asymptotic series (x above 15 + n)."""
    if n == 0:
        out = np.log(x) - 0.5 / x
        for k, b in enumerate(_BERNOULLI, start=1):
            out -= b / (2 * k * x ** (2 * k))
        return out
    out = math.factorial(n - 1) / x ** n + math.factorial(n) / (2 * x ** (n + 1))
    for k, b in enumerate(_BERNOULLI, start=1):
        out += b * math.factorial(2 * k + n - 1) / math.factorial(2 * k) / x ** (2 * k + n)
    return (-1) ** (n + 1) * out


@_on_cpu
def _polygamma(x, n: int):
    reflect = x < 0.5
    y = np.where(reflect, 1 - x, x)  # ≥ ½ everywhere (NaN stays NaN)
    shifted = np.zeros_like(y)
    for _ in range(15 + n):
        small = y < 15 + n
        shifted -= np.where(small, (-1) ** n * math.factorial(n) / y ** (n + 1), 0.0)
        y = np.where(small, y + 1, y)
    out = _polygamma_large(n, y) + shifted
    out = np.where(y == np.inf, np.inf if n == 0 else 0.0, out)
    fraction = x - np.round(x)  # cot πx has period 1; near an integer, fraction is exact
    cot = 1 / np.tan(math.pi * fraction)
    derivative = math.pi ** n * np.polynomial.polynomial.polyval(cot, _cot_derivative_polynomials(n)[n])
    out = np.where(reflect, (-1) ** n * out - math.pi * derivative, out)
    poles = _is_pole(x) & (x != 0)
    out = np.where(poles, np.nan if n % 2 == 0 else np.inf, out)
    out = np.where(x == 0, -(-1) ** n * math.factorial(n) / x ** (n + 1), out)  # ∓inf by the sign of 0
    return np.where(x == -np.inf, np.nan, out)


class Lgamma(Function):
    """z = ln|Γ(a)|;  ∂z/∂a = ψ(a), the digamma function."""

    def forward(self, a):
        if backend.array_module(backend.device_of(a)) is not np:
            return _cupy_special().gammaln(a)
        return _lgamma(a)

    def backward(self, g):
        return g * polygamma(0, self.inputs[0])


class Polygamma(Function):
    """z = ψ⁽ⁿ⁾(a) = dⁿ⁺¹/daⁿ⁺¹ ln Γ(a) (n = 0: digamma);  ∂z/∂a = ψ⁽ⁿ⁺¹⁾(a)."""

    def __init__(self, n: int):
        super().__init__()
        self.n = n

    def forward(self, a):
        if backend.array_module(backend.device_of(a)) is not np:
            return _cupy_special().polygamma(self.n, a).astype(a.dtype, copy=False)
        return _polygamma(a, self.n)

    def backward(self, g):
        return g * polygamma(self.n + 1, self.inputs[0])


_GILES_CENTRAL = [2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                  -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]
_GILES_TAIL = [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
               -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]


@_on_cpu
def _erfinv(y):
    """Giles' single-precision polynomials (a first guess, to about 1e−7 for 1 − |y| > 1e−8), then
    Newton steps on erf(x) = y, each of which doubles the correct digits. Worked on |y| (erf⁻¹ is
    odd); where |y| > 0.9 the steps solve ln erfc(x) = ln(1 − |y|) instead: 1 − |y| is exact there,
    erfc keeps the digits that 1 − erf(x) would lose, and the logarithm makes Newton converge
    quadratically even from the rough guess for 1 − |y| down to 1e−16."""
    size = np.abs(y)
    w = -np.log((1 - size) * (1 + size))
    central = w < 5
    u = np.where(central, w - 2.5, np.sqrt(w) - 3)
    p = np.where(central, _GILES_CENTRAL[0], _GILES_TAIL[0])
    for c, t in zip(_GILES_CENTRAL[1:], _GILES_TAIL[1:]):
        p = np.where(central, c, t) + p * u
    finite = np.isfinite(w)
    x = np.where(finite, p * size, np.inf)
    tail = finite & (size > 0.9)
    for _ in range(4):
        inside = np.where(finite, x, 0.0)
        slope = 2 / math.sqrt(math.pi) * np.exp(-inside * inside)  # d erf/dx
        step = (erf_array(inside) - size) / slope
        erfc = _ERFC(inside[tail]).astype(np.float64)
        step[tail] = (np.log(1 - size[tail]) - np.log(erfc)) * erfc / slope[tail]
        x = np.where(finite, x - step, x)
    x = np.copysign(x, y)  # ±0 keeps its sign
    return np.where((size > 1) | np.isnan(y), np.nan, x)


class Erfinv(Function):
    """z = erf⁻¹(a) for a in [−1, 1] (±inf at ±1, NaN outside);  ∂z/∂a = (√π/2)·e^(z²)."""

    saved_inputs = ()  # backward reads the output

    def forward(self, a):
        if backend.array_module(backend.device_of(a)) is not np:
            return _cupy_special().erfinv(a)
        return _erfinv(a)

    def backward(self, g):
        z = self.output()
        return g * (math.sqrt(math.pi) / 2) * (z * z).exp()


def lgamma(a: Tensor) -> Tensor:
    """ln|Γ(a)| elementwise (see :class:`Lgamma`)."""
    return Lgamma.apply(_float_input("lgamma", a))


def polygamma(n: int, a: Tensor) -> Tensor:
    """ψ⁽ⁿ⁾(a), the n-th derivative of the digamma function (see :class:`Polygamma`)."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise OpError(f"polygamma: n must be a non-negative int, got {n!r}")
    return Polygamma.apply(_float_input("polygamma", a), n=int(n))


def digamma(a: Tensor) -> Tensor:
    """ψ(a) = d/da ln Γ(a) elementwise (``polygamma(0, a)``)."""
    return polygamma(0, a)


def erfinv(a: Tensor) -> Tensor:
    """erf⁻¹(a) elementwise (see :class:`Erfinv`)."""
    return Erfinv.apply(_float_input("erfinv", a))


class Entr(Function):
    """z = −a ln a for a > 0, 0 at a = 0, −inf for a < 0 (the entropy of one probability);
    ∂z/∂a = −(1 + ln a): +inf at 0, NaN below 0, as in PyTorch."""

    def forward(self, a):
        xp = backend.array_module(backend.device_of(a))
        return xp.where(a > 0, -a * xp.log(xp.where(a > 0, a, 1)), xp.where(a < 0, -xp.inf, a * 0))

    def backward(self, g):
        (a,) = self.inputs
        return g * -(a.log() + 1)


def entr(a: Tensor) -> Tensor:
    """−a ln a elementwise (see :class:`Entr`)."""
    return Entr.apply(_float_input("entr", a))
