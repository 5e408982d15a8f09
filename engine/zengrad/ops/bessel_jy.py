"""Bessel functions of the first and second kinds of orders 0 and 1 (J₀, J₁, Y₀, Y₁), the spherical
j₀ and the Airy function Ai (see :func:`_airy_ai`), computed in float64 on the host and cast to the input's float dtype; outside the graph, as in
PyTorch (which gives them no derivative).

* |x| ≤ 5: the power series, with q = x²/4, H_k the harmonic numbers and ψ(k + 1) = H_k − γ,
  J_n(x) = (x/2)ⁿ Σₖ (−q)ᵏ/(k!(k + n)!),
  Y₀(x) = (2/π)(ln(x/2) + γ) J₀(x) − (2/π) Σ_{k≥1} H_k (−q)ᵏ/(k!)²,
  Y₁(x) = −2/(πx) + (2/π) ln(x/2) J₁(x) − (x/(2π)) Σ_{k≥0} (ψ(k+1) + ψ(k+2)) (−q)ᵏ/(k!(k+1)!)
  (the terms reach I_n(5) ≈ 27 at most: the sums lose under two digits);
* 5 < |x| ≤ 25: Bessel's integrals by Gauss–Legendre quadrature (80 nodes on [0, π], 60 on
  [0, T] with x sinh T = 40, beyond which the integrand is below e⁻⁴⁰):
  J_n(x) = (1/π) ∫₀^π cos(nθ − x sin θ) dθ,
  Y_n(x) = (1/π) ∫₀^π sin(x sin θ − nθ) dθ − (1/π) ∫₀^∞ (e^(nt) + (−1)ⁿ e^(−nt)) e^(−x sinh t) dt;
* |x| > 25: Hankel's expansions, with χ = x − (n/2 + ¼)π (cos χ and sin χ from cos x and sin x, so
  that a huge x keeps its phase) and aₖ = Πⱼ₌₁..ₖ (4n² − (2j − 1)²)/(k! 8ᵏ):
  J_n = √(2/(πx)) (P cos χ − Q sin χ),  Y_n = √(2/(πx)) (P sin χ + Q cos χ),
  P = Σₖ (−1)ᵏ a₂ₖ/x²ᵏ,  Q = Σₖ (−1)ᵏ a₂ₖ₊₁/x²ᵏ⁺¹  (the smallest term, near k = x, is below 1e−21).

The results are accurate to about 1e−16 absolutely (relatively, except near the zeros). J₀ is even,
J₁ odd; Y_n(0) = −inf, Y_n(x < 0) = NaN; NaN at ±inf, as PyTorch gives.  spherical_bessel_j0(x) = sin(x)/x, by
its Taylor series Σₖ (−x²)ᵏ/(2k + 1)! (ten terms) for |x| < 0.5.
"""

from __future__ import annotations

import math

import numpy as np

from .bessel import _outside_graph, hankel_coefficients, k_scaled_above_two
from .special import _on_cpu

_EULER = 0.57721566490153286061
_SERIES_UP_TO = 5.0
_ASYMPTOTIC_FROM = 25.0
_THETA, _THETA_WEIGHTS = np.polynomial.legendre.leggauss(80)
_THETA, _THETA_WEIGHTS = (_THETA + 1) * math.pi / 2, _THETA_WEIGHTS * math.pi / 2  # on [0, π]
_T, _T_WEIGHTS = np.polynomial.legendre.leggauss(60)


_HANKEL = {n: hankel_coefficients(n, 60) for n in (0, 1)}


def _series(x, n: int, second_kind: bool):
    """J_n(x) or Y_n(x) by the series (x > 0 for Y)."""
    q = x * x / 4
    term = np.ones_like(x)
    j_sum = term.copy()
    weighted = term * (0.0 if n == 0 else 1 - 2 * _EULER)  # H₀ = 0;  ψ(1) + ψ(2) = 1 − 2γ
    harmonic = 0.0
    for k in range(1, 30):
        term = -term * q / (k * (k + n))
        harmonic += 1 / k
        j_sum += term
        weighted += term * (harmonic if n == 0 else 2 * harmonic + 1 / (k + 1) - 2 * _EULER)
    j = j_sum * (x / 2) ** n
    if not second_kind:
        return j
    if n == 0:
        return 2 / math.pi * ((np.log(x / 2) + _EULER) * j - weighted)
    return -2 / (math.pi * x) + 2 / math.pi * np.log(x / 2) * j - x / (2 * math.pi) * weighted


def _integral(x, n: int, second_kind: bool):
    """J_n(x) or Y_n(x) by Bessel's integrals (x > 0)."""
    phase = x[:, None] * np.sin(_THETA) - n * _THETA
    if not second_kind:
        return np.cos(phase) @ _THETA_WEIGHTS / math.pi
    first = np.sin(phase) @ _THETA_WEIGHTS / math.pi
    top = np.arcsinh(40 / x)[:, None]
    t = (_T + 1) * top / 2
    integrand = (np.exp(n * t) + (-1) ** n * np.exp(-n * t)) * np.exp(-x[:, None] * np.sinh(t))
    return first - (integrand * (top / 2)) @ _T_WEIGHTS / math.pi


def _hankel(x, n: int, second_kind: bool):
    """J_n(x) or Y_n(x) by Hankel's expansions (x > 0)."""
    u = 1 / x
    a = _HANKEL[n]
    p = np.polynomial.polynomial.polyval(u * u, [(-1) ** k * c for k, c in enumerate(a[0::2])])
    q = u * np.polynomial.polynomial.polyval(u * u, [(-1) ** k * c for k, c in enumerate(a[1::2])])
    shift = (n / 2 + 0.25) * math.pi
    cos_chi = np.cos(x) * math.cos(shift) + np.sin(x) * math.sin(shift)
    sin_chi = np.sin(x) * math.cos(shift) - np.cos(x) * math.sin(shift)
    scale = np.sqrt(2 / (math.pi * x))
    return scale * (p * sin_chi + q * cos_chi) if second_kind else scale * (p * cos_chi - q * sin_chi)


def _bessel(x, n: int, second_kind: bool):
    """J_n or Y_n on a float64 array, by the method for each range of |x|."""
    size = np.abs(x)
    out = np.full_like(x, np.nan)
    ranges = [(size <= _SERIES_UP_TO) & (size > 0), (size > _SERIES_UP_TO) & (size <= _ASYMPTOTIC_FROM),
              (size > _ASYMPTOTIC_FROM) & np.isfinite(size)]
    with np.errstate(all="ignore"):
        for chosen, method in zip(ranges, (_series, _integral, _hankel)):
            out[chosen] = method(size[chosen], n, second_kind)
    if second_kind:
        return np.where(x == 0, -np.inf, np.where(x < 0, np.nan, out))
    out = np.where(x == 0, 1.0 if n == 0 else 0.0, out)
    return np.where(x < 0, -out, out) if n == 1 else out


@_on_cpu
def _j0(x):
    return _bessel(x, 0, False)


@_on_cpu
def _j1(x):
    return _bessel(x, 1, False)


@_on_cpu
def _y0(x):
    return _bessel(x, 0, True)


@_on_cpu
def _y1(x):
    return _bessel(x, 1, True)


@_on_cpu
def _spherical_j0(x):
    small = np.abs(x) < 0.5
    s = np.where(small, x * x, 0.0)
    taylor = np.polynomial.polynomial.polyval(s, [(-1) ** k / math.factorial(2 * k + 1) for k in range(10)])
    with np.errstate(all="ignore"):
        direct = np.where(np.isinf(x), 0.0, np.sin(x) / np.where(small, 1.0, x))
    return np.where(small, taylor, direct)


_AIRY_0, _AIRY_PRIME_0 = np.longdouble("0.35502805388781723926"), np.longdouble("-0.25881940379280679840")  # Ai(0), Ai′(0)


def _airy_series(x):
    """Ai(x) = Ai(0)·f(x) + Ai′(0)·g(x), f = Σₖ 3ᵏ(⅓)ₖ x³ᵏ/(3k)!, g = Σₖ 3ᵏ(⅔)ₖ x³ᵏ⁺¹/(3k + 1)!,
    summed in NumPy's long double (x87 extended precision, 11 more bits where the platform has it):
    for x < 0 the terms reach e^ζ (1e6 at x = −8) while Ai stays near 0.1."""
    x = x.astype(np.longdouble)
    cube = x * x * x
    f_term, g_term = np.ones_like(x), x.copy()
    f, g = f_term.copy(), g_term.copy()
    for k in range(1, 40):
        f_term = f_term * cube / ((3 * k - 1) * (3 * k))
        g_term = g_term * cube / ((3 * k) * (3 * k + 1))
        f += f_term
        g += g_term
    return (_AIRY_0 * f + _AIRY_PRIME_0 * g).astype(np.float64)


def _airy_oscillating(x):
    """Ai(−y) for y = −x > 8: y^(−¼)/√π · (sin(ζ + π/4) Σₖ (−1)ᵏ u₂ₖ/ζ²ᵏ − cos(ζ + π/4) Σₖ (−1)ᵏ u₂ₖ₊₁/ζ²ᵏ⁺¹),
    ζ = ⅔ y^(3/2), u₀ = 1, uₖ = uₖ₋₁ (6k − 5)(6k − 3)(6k − 1)/(216 k (2k − 1))."""
    y = -x
    zeta = 2 / 3 * y * np.sqrt(y)
    u = [1.0]
    for k in range(1, 30):
        u.append(u[-1] * (6 * k - 5) * (6 * k - 3) * (6 * k - 1) / (216 * k * (2 * k - 1)))
    w = 1 / (zeta * zeta)
    even = np.polynomial.polynomial.polyval(w, [(-1) ** k * c for k, c in enumerate(u[0::2])])
    odd = np.polynomial.polynomial.polyval(w, [(-1) ** k * c for k, c in enumerate(u[1::2])]) / zeta
    phase = zeta + math.pi / 4
    return (np.sin(phase) * even - np.cos(phase) * odd) / (np.sqrt(math.pi) * np.sqrt(np.sqrt(y)))


@_on_cpu
def _airy_ai(x):
    """Ai(x): the series for −8 ≤ x ≤ ∛9 (ζ ≤ 2), Ai(x) = (1/π)√(x/3)·K_⅓(ζ) beyond (K from the
    scaled e^ζ K_ν(ζ) of :mod:`zengrad.ops.bessel`), the oscillating expansion below −8."""
    series_part = (x >= -8) & (x <= 3 ** (2 / 3))
    with np.errstate(all="ignore"):
        series = _airy_series(np.where(series_part, x, 0.0))
        right = np.where(x > 3 ** (2 / 3), x, 3.0)
        zeta = 2 / 3 * right * np.sqrt(right)
        decaying = np.sqrt(right / 3) / math.pi * np.exp(-zeta) * k_scaled_above_two(zeta, 1 / 3)
        oscillating = _airy_oscillating(np.where(x < -8, x, -9.0))
    out = np.where(series_part, series, np.where(x > 0, decaying, oscillating))
    return np.where(np.isinf(x) | np.isnan(x), np.nan, out)  # NaN at ±inf, as PyTorch gives


airy_ai = _outside_graph("airy_ai", _airy_ai)
bessel_j0 = _outside_graph("bessel_j0", _j0)
bessel_j1 = _outside_graph("bessel_j1", _j1)
bessel_y0 = _outside_graph("bessel_y0", _y0)
bessel_y1 = _outside_graph("bessel_y1", _y1)
spherical_bessel_j0 = _outside_graph("spherical_bessel_j0", _spherical_j0)
