"""More elementwise math: trigonometry, logarithms near 1, rounding, remainders, erf, tests for
NaN/inf, and clamp with tensor bounds.

Each Function: forward on arrays, backward (the chain rule) in Tensor ops, so second derivatives
work. Rounding ops are piecewise constant: their gradient is 0 (PyTorch's choice).
"""

from __future__ import annotations

import collections
import math
import numbers

import numpy as np

from ..errors import DtypeError, OpError
from .. import backend
from ..autograd import Function, promoted
from ..tensor import Tensor
from ._util import as_tensor_like, float_array, unbroadcast
from .elementwise import _binary, clamp as clamp_numbers, exp, weak_zero_dim, where

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
# erf(x) = (2/√π) e^(−x²) Σ_n 2ⁿ x^(2n+1) / (1·3·5···(2n+1)): every term positive (no cancellation);
# 36 terms reach double precision for |x| < 2.5. Coefficients of the polynomial in x² (Horner order).
_ERF_SERIES = [1.0]
for _n in range(35):
    _ERF_SERIES.append(_ERF_SERIES[-1] * 2.0 / (2 * _n + 3))
_ERF_SERIES.reverse()
_ERF_SERIES_LIMIT = 2.5
_ERFC_FRACTION_TERMS = 30  # Laplace's continued fraction below, to double precision for |x| ≥ 2.5


def _xp(a):
    return backend.array_module(backend.device_of(a))


def erf_array(a):
    """erf on an array: CuPy's kernel on the GPU; on the CPU (NumPy has none) computed in float64 as

        |x| < 2.5:       (2/√π) e^(−x²) Σ_n 2ⁿ x^(2n+1) / (2n+1)!!
        2.5 ≤ |x| < 6:   1 − erfc|x|,  √π e^(x²) erfc x = 1/(x + ½/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
        |x| ≥ 6:         ±1 (erfc 6 ≈ 2e−17 is below half an ulp of 1)

    within a few ulp of the C library's erf (tests/test_breadth_ops.py compares against PyTorch).
    """
    xp = _xp(a)
    if xp is not np:
        import cupyx.scipy.special
        return cupyx.scipy.special.erf(a)
    x = np.asarray(a, dtype=np.float64).reshape(-1)
    out = np.empty_like(x)
    for start in range(0, x.size, _ERF_BLOCK):
        out[start:start + _ERF_BLOCK] = _erf_float64(x[start:start + _ERF_BLOCK])
    return out.reshape(a.shape).astype(a.dtype, copy=False)


_ERF_BLOCK = 16384  # elements per block: the 36 Horner steps then run on data held in cache


def _erf_float64(x):
    size = np.abs(x)
    out = np.sign(x)  # ±1 for |x| ≥ 6 and NaN at NaN; the rest is overwritten below
    near = size < _ERF_SERIES_LIMIT
    xs = x[near]
    x2 = xs * xs
    poly = np.full_like(xs, _ERF_SERIES[0])
    for coefficient in _ERF_SERIES[1:]:
        poly *= x2
        poly += coefficient
    out[near] = _TWO_OVER_SQRT_PI * np.exp(-x2) * xs * poly
    middle = (size >= _ERF_SERIES_LIMIT) & (size < 6.0)
    xm = size[middle]
    fraction = xm.copy()
    for k in range(_ERFC_FRACTION_TERMS, 0, -1):
        fraction = xm + (k / 2.0) / fraction
    erfc = np.exp(-xm * xm) / (math.sqrt(math.pi) * fraction)
    out[middle] = np.copysign(1.0 - erfc, x[middle])
    return out


class Sin(Function):
    """z = sin a;  ∂z/∂a = cos a."""

    def forward(self, a):
        return _xp(a).sin(a)

    def backward(self, g):
        return g * cos(self.inputs[0])


class Cos(Function):
    """z = cos a;  ∂z/∂a = −sin a."""

    def forward(self, a):
        return _xp(a).cos(a)

    def backward(self, g):
        return -g * sin(self.inputs[0])


class Tan(Function):
    """z = tan a;  ∂z/∂a = 1 + tan² a = 1 + z²."""

    saved_inputs = ()  # backward reads no input values (shapes or the output only)

    def forward(self, a):
        return _xp(a).tan(a)

    def backward(self, g):
        z = self.output()
        return g * (1 + z * z)


class Atan(Function):
    """z = arctan a;  ∂z/∂a = 1/(1 + a²)."""

    def forward(self, a):
        return _xp(a).arctan(a)

    def backward(self, g):
        a = self.inputs[0]
        return g / (1 + a * a)


class Asin(Function):
    """z = arcsin a;  ∂z/∂a = 1/√(1 − a²)."""

    def forward(self, a):
        return _xp(a).arcsin(a)

    def backward(self, g):
        a = self.inputs[0]
        return g / (1 - a * a).sqrt()


class Acos(Function):
    """z = arccos a;  ∂z/∂a = −1/√(1 − a²)."""

    def forward(self, a):
        return _xp(a).arccos(a)

    def backward(self, g):
        a = self.inputs[0]
        return -g / (1 - a * a).sqrt()


class Sinh(Function):
    """z = sinh a;  ∂z/∂a = cosh a."""

    def forward(self, a):
        return _xp(a).sinh(a)

    def backward(self, g):
        return g * cosh(self.inputs[0])


class Cosh(Function):
    """z = cosh a;  ∂z/∂a = sinh a."""

    def forward(self, a):
        return _xp(a).cosh(a)

    def backward(self, g):
        return g * sinh(self.inputs[0])


class Atan2(Function):
    """z = atan2(y, x), the angle of the point (x, y);
    ∂z/∂y = x/(x² + y²), ∂z/∂x = −y/(x² + y²), both taken as 0 (signed as x and −y) where x² + y²
    is 0, at the origin or by underflow, as PyTorch does: 1/(x² + y²) is set to 0 where it is inf."""

    computes_in_float = True

    def forward(self, y, x):
        return _xp(y).arctan2(y, x)

    def backward(self, g):
        y, x = self.inputs
        r2 = x * x + y * y
        recip = where(r2 == 0, 0, 1 / r2)
        return (unbroadcast(g * x * recip, y.shape) if self.needs_grad(0) else None,
                unbroadcast(-g * y * recip, x.shape) if self.needs_grad(1) else None)


class Log2(Function):
    """z = log₂ a;  ∂z/∂a = 1/(a ln 2)."""

    def forward(self, a):
        return _xp(a).log2(a)

    def backward(self, g):
        return g / (self.inputs[0] * math.log(2.0))


class Log10(Function):
    """z = log₁₀ a;  ∂z/∂a = 1/(a ln 10)."""

    def forward(self, a):
        return _xp(a).log10(a)

    def backward(self, g):
        return g / (self.inputs[0] * math.log(10.0))


class Log1p(Function):
    """z = ln(1 + a), accurate for tiny a;  ∂z/∂a = 1/(1 + a)."""

    def forward(self, a):
        return _xp(a).log1p(a)

    def backward(self, g):
        return g / (self.inputs[0] + 1)


class Expm1(Function):
    """z = eᵃ − 1, accurate for tiny a;  ∂z/∂a = eᵃ = z + 1."""

    saved_inputs = ()  # backward reads no input values (shapes or the output only)

    def forward(self, a):
        return _xp(a).expm1(a)

    def backward(self, g):
        return g * (self.output() + 1)


class Exp2(Function):
    """z = 2ᵃ;  ∂z/∂a = z ln 2."""

    saved_inputs = ()  # backward reads no input values (shapes or the output only)

    def forward(self, a):
        return _xp(a).exp2(a)

    def backward(self, g):
        return g * self.output() * math.log(2.0)


class Reciprocal(Function):
    """z = 1/a;  ∂z/∂a = −1/a² = −z²."""

    saved_inputs = ()  # backward reads no input values (shapes or the output only)

    def forward(self, a):
        return a.dtype.type(1) / a if a.dtype.kind == "f" else 1.0 / a

    def backward(self, g):
        z = self.output()
        return -g * z * z


class Rsqrt(Function):
    """z = 1/√a;  ∂z/∂a = −½ a^(−3/2) = −½ z³."""

    saved_inputs = ()  # backward reads no input values (shapes or the output only)

    def forward(self, a):
        return a.dtype.type(1) / _xp(a).sqrt(a)

    def backward(self, g):
        z = self.output()
        return g * z * z * z * -0.5


class Erf(Function):
    """z = erf a = (2/√π) ∫₀ᵃ e^(−t²) dt;  ∂z/∂a = (2/√π) e^(−a²)."""

    def forward(self, a):
        return erf_array(a)

    def backward(self, g):
        a = self.inputs[0]
        return g * exp(-(a * a)) * _TWO_OVER_SQRT_PI


class Rounding(Function):
    """z = floor, ceil, round (half to even, optionally to ``decimals`` places) or trunc of a;
    piecewise constant, so ∂z/∂a = 0 (PyTorch's convention, also at the jumps)."""

    saved_inputs = ()  # backward reads no input values (shapes or the output only)

    def __init__(self, kind, decimals=0):
        super().__init__()
        self.kind, self.decimals = kind, decimals

    def forward(self, a):
        xp = _xp(a)
        if self.kind == "round":
            return xp.round(a, self.decimals)
        return getattr(xp, self.kind)(a)

    def backward(self, g):
        return Tensor(_xp(g._data).zeros_like(g._data))  # exact zeros, also where g is ±inf or NaN


class TruncDivide(Function):
    """z = trunc(q) for the quotient q = a/b (computed by the caller, given first, detached): piecewise
    constant, so ∂z/∂a = ∂z/∂b = 0 — exact zeros, where the chain rule through a/b would give 0·∞ = NaN
    at b = 0."""

    saved_inputs = ()

    def forward(self, quotient, *operands):
        return _xp(quotient).trunc(quotient)

    def backward(self, g):
        return (None,) + tuple(Tensor(_xp(g._data).zeros(t.shape, dtype=t.dtype)) for t in self.inputs[1:])


def _refuse_integer_zero(op: str, a, b) -> None:
    """PyTorch's error for an integer quotient or remainder by 0 (NumPy gives 0 and a warning);
    ``a`` and ``b`` are arrays. A float operand makes the result float: ±inf or NaN, no error."""
    if a.dtype.kind in "iub" and b.dtype.kind in "iub" and a.size and b.size and not b.all():
        raise OpError(f"{op}: ZeroDivisionError, an integer divisor is 0 (shapes {tuple(a.shape)}, {tuple(b.shape)})")


class Remainder(Function):
    """z = a − ⌊a/b⌋·b (Python's %, the sign of b);  ∂z/∂a = 1, ∂z/∂b = −⌊a/b⌋, with ⌊a/b⌋ Python's
    floor division as PyTorch takes it (1 // −∞ = −1, ∞ // 1 = NaN), not floor of the quotient."""

    def forward(self, a, b):
        _refuse_integer_zero("remainder", a, b)
        return _xp(a).remainder(a, b)  # a float by 0: NaN

    def backward(self, g):
        a, b = self.inputs
        return (unbroadcast(g, a.shape) if self.needs_grad(0) else None,
                unbroadcast(-g * floor_divide(a, b), b.shape) if self.needs_grad(1) else None)


class Fmod(Function):
    """z = a − trunc(a/b)·b (C's fmod, the sign of a);  ∂z/∂a = 1, ∂z/∂b = −trunc(a/b)."""

    def forward(self, a, b):
        _refuse_integer_zero("fmod", a, b)
        return _xp(a).fmod(a, b)  # a float by 0: NaN

    def backward(self, g):
        a, b = self.inputs
        return (unbroadcast(g, a.shape) if self.needs_grad(0) else None,
                unbroadcast(-g * trunc(a / b), b.shape) if self.needs_grad(1) else None)


class Copysign(Function):
    """z = |a| with the sign of b (its sign bit, so −0 counts as negative);
    ∂z/∂a = z/a (±1; 0 at a = 0, as in PyTorch), ∂z/∂b = 0."""

    computes_in_float = True

    def forward(self, a, b):
        return _xp(a).copysign(a, b)

    def backward(self, g):
        a, b = self.inputs
        ratio = self.output() / where(a == 0, 1, a)
        return (unbroadcast(g * ratio.detach(), a.shape) if self.needs_grad(0) else None,
                Tensor(_xp(g._data).zeros(b.shape, dtype=g.dtype)) if self.needs_grad(1) else None)


# ---- functional forms -----------------------------------------------------------------------

def _float_input(op: str, a: Tensor) -> Tensor:
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(a).__name__}")
    return a if a.dtype.kind == "f" else a.to(np.float32)


def sin(a):
    return Sin.apply(_float_input("sin", a))


def cos(a):
    return Cos.apply(_float_input("cos", a))


def tan(a):
    return Tan.apply(_float_input("tan", a))


def atan(a):
    return Atan.apply(_float_input("atan", a))


def asin(a):
    return Asin.apply(_float_input("asin", a))


def acos(a):
    return Acos.apply(_float_input("acos", a))


def sinh(a):
    return Sinh.apply(_float_input("sinh", a))


def cosh(a):
    return Cosh.apply(_float_input("cosh", a))


def atan2(input, other):
    """The angle of (x = other, y = input), in (−π, π]."""
    return _binary(Atan2, input, other)


def log2(a):
    return Log2.apply(_float_input("log2", a))


def log10(a):
    return Log10.apply(_float_input("log10", a))


def log1p(a):
    return Log1p.apply(_float_input("log1p", a))


def expm1(a):
    return Expm1.apply(_float_input("expm1", a))


def exp2(a):
    return Exp2.apply(_float_input("exp2", a))


def reciprocal(a):
    return Reciprocal.apply(_float_input("reciprocal", a))


def rsqrt(a):
    return Rsqrt.apply(_float_input("rsqrt", a))


def erf(a):
    return Erf.apply(_float_input("erf", a))


def square(a):
    """a² (as a · a); a bool tensor squares as int64, as in PyTorch (its square is pow(a, 2))."""
    if a.dtype.kind == "b":
        a = a.to(np.int64)
    return a * a


def _rounded(kind: str, a: Tensor, decimals: int = 0) -> Tensor:
    """floor/ceil/trunc/round: an int tensor is its own rounding (a copy); PyTorch refuses bools,
    and ``decimals`` for ints."""
    if a.dtype.kind == "b" or (a.dtype.kind in "iu" and decimals):
        raise DtypeError(f"{kind}: not implemented for {a.dtype} tensors" + (" with decimals" if decimals else "")
                         + f" (shape {tuple(a.shape)}), as in PyTorch")
    if a.dtype.kind in "iu":
        return a * 1
    return Rounding.apply(a, kind=kind, decimals=decimals)


def floor(a):
    return _rounded("floor", a)


def ceil(a):
    return _rounded("ceil", a)


def trunc(a):
    return _rounded("trunc", a)


def round(a, *, decimals: int = 0):
    """Round half to even (2.5 → 2), to ``decimals`` places."""
    return _rounded("round", a, decimals)


def remainder(a, b):
    return _binary(Remainder, a, b)


def fmod(a, b):
    return _binary(Fmod, a, b)


def floor_divide(a, b):
    """⌊a/b⌋ elementwise. No gradient (PyTorch defines none): the result is outside the graph."""
    if not isinstance(a, Tensor):
        a = as_tensor_like(a, b)
    b = as_tensor_like(b, a)
    if a.dtype != b.dtype:
        a, b = weak_zero_dim(a, b)
    _refuse_integer_zero("floor_divide", a._data, b._data)
    try:
        with np.errstate(divide="ignore", invalid="ignore"):  # a float quotient by 0: ±inf or NaN, quietly
            out = a.xp.floor_divide(a._data, b._data)
    except ValueError as error:
        raise OpError(f"floor_divide: {error} (input shapes {tuple(a.shape)}, {tuple(b.shape)})") from None
    return Tensor(promoted(out, (a, b)) if out.dtype == np.float64 else out)


def copysign(a, b):
    return _binary(Copysign, a, b)


def isclose(a, b, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> Tensor:
    """|a − b| ≤ atol + rtol·|b| elementwise (infinities equal only to themselves); no gradient."""
    if rtol < 0 or atol < 0:
        raise OpError(f"isclose: rtol and atol must be greater than or equal to zero, got rtol={rtol}, atol={atol}")
    b = as_tensor_like(b, a)
    _same_dtype("isclose", a, b)
    try:
        return Tensor(a.xp.isclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan))
    except ValueError:
        raise OpError(f"isclose: shapes {tuple(a.shape)} and {tuple(b.shape)} do not broadcast") from None


def _same_dtype(op: str, a: Tensor, b: Tensor) -> None:
    """PyTorch's RuntimeError for ops that do not promote (isclose, heaviside): one dtype for both."""
    if a.dtype != b.dtype:
        raise DtypeError(f"{op}: {a.dtype} did not match {b.dtype} (shapes {tuple(a.shape)} and "
                         f"{tuple(b.shape)}); convert one with .to()")


def allclose(a, b, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> bool:
    """Whether ``isclose`` holds everywhere (a Python bool)."""
    return bool(isclose(a, b, rtol, atol, equal_nan)._data.all())


def isnan(a):
    return Tensor(a.xp.isnan(a._data))


def isinf(a):
    return Tensor(a.xp.isinf(a._data))


def isposinf(a):
    return Tensor(a.xp.isposinf(a._data))


def isneginf(a):
    return Tensor(a.xp.isneginf(a._data))


def nan_to_num(a, nan: float = 0.0, posinf=None, neginf=None):
    """NaN → ``nan``, ±inf → ``posinf``/``neginf`` (the dtype's extremes by default); the gradient
    passes where the element was finite, 0 elsewhere. An int or bool tensor has none: a copy."""
    if a.dtype.kind != "f":
        return Tensor(a._data.copy())
    info = a.xp.finfo(a.dtype)
    out = where(isnan(a), nan, a)
    out = where(isposinf(a), info.max if posinf is None else posinf, out)
    return where(isneginf(a), info.min if neginf is None else neginf, out)


def clamp(a, min=None, max=None):
    """min(max(a, min), max) elementwise; ``min`` and ``max`` may be numbers or tensors (broadcast).

    With tensor bounds the gradient goes to a where min ≤ a ≤ max, to min where a < min and to
    max where a > max (each bound's gradient summed over broadcasting), as in PyTorch. NaN stays NaN
    (a NaN input gets no gradient; a NaN bound takes it when it is the only bound). With both, as
    PyTorch routes it: max takes it also where max < min (the result is max), min only where
    min < max, and where a < min = max nothing does; a NaN anywhere makes the result NaN, and the
    gradient still goes where those rules send it.
    """
    if not isinstance(min, Tensor) and not isinstance(max, Tensor):
        return clamp_numbers(a, min, max)
    if min is not None and max is not None:
        min, max = as_tensor_like(min, a), as_tensor_like(max, a)
        xp = a.xp
        values = xp.minimum(xp.maximum(a._data, min._data), max._data)  # NaN from any of the three
        out = where((a >= min) & (a <= max), a, Tensor(values))
        out = where((a < min) & (min < max), min, out)
        out = where((a > max) | (max < min), max, out)
        unknown = xp.isnan(values)  # NaN, even where a bound takes the gradient (a > max, min NaN)
        return where(Tensor(unknown), out + math.nan, out) if unknown.any() else out
    out = a
    if min is not None:
        min = as_tensor_like(min, a)
        out = where((out < min) | isnan(min), min, out)
    if max is not None:
        max = as_tensor_like(max, a)
        out = where((out > max) | isnan(max), max, out)
    return where(isnan(a), Tensor(a._data), out)  # a NaN input stays NaN and, as in PyTorch, gets no gradient


clip = clamp


def logaddexp(a, b):
    """ln(eᵃ + eᵇ) = max(a, b) + ln(1 + e^(−|a − b|)), never overflowing; a where a = b = ±∞ (the
    formula would meet ∞ − ∞ there), as in PyTorch."""
    from .elementwise import isfinite, maximum
    b = as_tensor_like(b, a)
    both_infinite = (a == b) & ~isfinite(a)
    return where(both_infinite, a, maximum(a, b) + log1p((-(a - b).abs()).exp()))


def sgn(a):
    """The sign of each element (no gradient), PyTorch's name for complex-aware sign."""
    from .elementwise import sign
    return sign(a)


# ---- a few more of PyTorch's elementwise functions ----------------------------------------------

class Hypot(Function):
    """z = √(a² + b²) without overflow for large a, b (the C library's hypot);
    ∂z/∂a = a/z, ∂z/∂b = b/z."""

    computes_in_float = True

    def forward(self, a, b):
        return _xp(a).hypot(a, b)

    def backward(self, g):
        a, b = self.inputs
        z = self.output()
        return unbroadcast(g * a / z, a.shape), unbroadcast(g * b / z, b.shape)


class XLogY(Function):
    """z = x·ln y, and 0 where x = 0 (unless y is NaN): the term of an entropy or a KL divergence
    that vanishes with x.  ∂z/∂x = ln y, taken as 0 where x = 0 and y ≤ 0 (PyTorch's choice: the
    term is 0 there whatever y); ∂z/∂y = x/y."""

    computes_in_float = True

    def forward(self, x, y):
        xp = _xp(x)
        product = x * xp.log(y)
        return xp.where((x == 0) & ~xp.isnan(y), product.dtype.type(0), product)

    def backward(self, g):
        x, y = self.inputs
        dx = dy = None
        if self.needs_grad(0):
            vanishing = Tensor((x._data == 0) & (y._data <= 0))
            dx = unbroadcast(where(vanishing, Tensor(x.xp.zeros((), dtype=g.dtype)), xlogy(g, y)), x.shape)
        if self.needs_grad(1):
            dy = unbroadcast(g * x / y, y.shape)
        return dx, dy


class Sinc(Function):
    """z = sin(πa)/(πa), 1 at a = 0;  ∂z/∂a = (cos(πa) − z)/a, 0 at a = 0 (this form stays exact
    for tiny a, where the textbook (πa·cos πa − sin πa)/(πa²) divides 0 by an underflowed 0)."""

    def forward(self, a):
        xp, a = _xp(a), float_array(a)
        scaled = a * a.dtype.type(math.pi)
        return xp.where(a == 0, a.dtype.type(1), xp.sin(scaled) / scaled)

    def backward(self, g):
        a = self.inputs[0]
        zero = Tensor(a._data == 0)
        safe = where(zero, Tensor(a.xp.ones((), dtype=a.dtype)), a)
        slope = ((safe * math.pi).cos() - self.output()) / safe
        return g * where(zero, Tensor(a.xp.zeros((), dtype=a.dtype)), slope)


def hypot(a, b):
    """√(a² + b²), elementwise and broadcast, with no overflow in the squares."""
    return _binary(Hypot, a, b)


def xlogy(x, y):
    """x·ln y, with 0 where x = 0 (PyTorch's ``xlogy``)."""
    return _binary(XLogY, x, y)


def frac(a):
    """The fractional part a − trunc(a) (sign of a kept);  ∂/∂a = 1. Floating point only, as in PyTorch."""
    if a.dtype.kind != "f":
        raise DtypeError(f"frac: not implemented for {a.dtype} tensors (shape {tuple(a.shape)}), as in PyTorch")
    return a - trunc(a)


def sinc(a):
    """The normalised sinc sin(πa)/(πa), 1 at a = 0."""
    return Sinc.apply(a)


def heaviside(a, values):
    """The step function: ``values`` where a = 0, else 1 where a > 0 and 0 elsewhere (NaN too, as
    in PyTorch). Not differentiable (as in PyTorch): the result is outside the graph."""
    values = as_tensor_like(values, a, "heaviside")
    _same_dtype("heaviside", a, values)
    xp = a.xp
    step = (a._data > 0).astype(a.dtype)
    return Tensor(xp.where(a._data == 0, values._data, step))


def float_power(a, exponent):
    """aᵉ computed in float64 (PyTorch's ``float_power``), differentiable."""
    exponent = exponent.to(np.float64) if isinstance(exponent, Tensor) else exponent
    return a.to(np.float64) ** exponent


def divide(a, b, *, rounding_mode: str | None = None):
    """a / b; with ``rounding_mode='trunc'`` the quotient rounded toward zero, with ``'floor'``
    toward −∞ (as ``floor_divide``). Rounded quotients are piecewise constant: gradient 0."""
    from .elementwise import div
    if rounding_mode is None:
        return div(a, b)
    if rounding_mode == "floor":
        return floor_divide(a, b)
    if rounding_mode == "trunc":
        if isinstance(a, Tensor) or isinstance(b, Tensor):
            left = a if isinstance(a, Tensor) else as_tensor_like(a, b)
            _refuse_integer_zero("div", left._data, as_tensor_like(b, left)._data)
        quotient = div(a, b)
        operands = [x for x in (a, b) if isinstance(x, Tensor)]
        integers = [x.dtype for x in (weak_zero_dim(*operands) if len(operands) == 2 else operands)]
        if all(d.kind in "iub" for d in integers) and all(isinstance(x, (Tensor, int)) for x in (a, b)):
            dtype = np.result_type(*[d for d in integers if d.kind != "b"] or [np.int64])
            return Tensor(_xp(quotient._data).trunc(quotient._data).astype(dtype))
        return TruncDivide.apply(quotient.detach(), *[x for x in (a, b) if isinstance(x, Tensor)])
    raise OpError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")


def equal(a: Tensor, b: Tensor) -> bool:
    """Whether a and b have one shape and equal elements (a Python bool; NaN ≠ NaN)."""
    return tuple(a.shape) == tuple(b.shape) and bool((a._data == b._data).all())


class AddCDiv(Function):
    """z = a + v·t₁/t₂;  ∂z/∂a = 1, ∂z/∂t₁ = v/t₂, ∂z/∂t₂ = −v·t₁/(t₂·t₂) — with t₂² formed as
    PyTorch's addcdiv forms it (so where t₂² underflows to 0 the gradient is ±inf or NaN, as there)."""

    def __init__(self, value=1):
        super().__init__()
        self.value = value

    def forward(self, a, t1, t2):
        return a + self.value * (t1 / t2)

    def backward(self, g):
        a, t1, t2 = self.inputs
        return (unbroadcast(g, a.shape) if self.needs_grad(0) else None,
                unbroadcast(g * self.value / t2, t1.shape) if self.needs_grad(1) else None,
                unbroadcast(-g * self.value * t1 / (t2 * t2), t2.shape) if self.needs_grad(2) else None)


def addcdiv(a, tensor1, tensor2, *, value=1):
    """a + value·tensor1/tensor2, broadcast."""
    tensor1, tensor2 = as_tensor_like(tensor1, a, "addcdiv"), as_tensor_like(tensor2, a, "addcdiv")
    return AddCDiv.apply(a, tensor1, tensor2, value=value)


# ---- inverse hyperbolic functions, erfc, logit, and NaN-ignoring extremes ---------------------

class Asinh(Function):
    """z = arsinh a = ln(a + √(a² + 1));  ∂z/∂a = 1/√(a² + 1)."""

    def forward(self, a):
        return _xp(a).arcsinh(a)

    def backward(self, g):
        a = self.inputs[0]
        return g / (a * a + 1).sqrt()


class Acosh(Function):
    """z = arcosh a (a ≥ 1);  ∂z/∂a = 1/√(a² − 1)."""

    def forward(self, a):
        return _xp(a).arccosh(a)

    def backward(self, g):
        a = self.inputs[0]
        return g / (a * a - 1).sqrt()


class Atanh(Function):
    """z = artanh a (|a| < 1);  ∂z/∂a = 1/(1 − a²)."""

    def forward(self, a):
        return _xp(a).arctanh(a)

    def backward(self, g):
        a = self.inputs[0]
        return g / (1 - a * a)


def asinh(a):
    return Asinh.apply(_float_input("asinh", a))


def acosh(a):
    return Acosh.apply(_float_input("acosh", a))


def atanh(a):
    return Atanh.apply(_float_input("atanh", a))


_ERFC = np.frompyfunc(math.erfc, 1, 1)  # the C library's erfc, element by element (object results)


class Erfc(Function):
    """z = erfc a = 1 − erf a, computed directly — the C library's erfc in float64 on the CPU, CuPy's
    on the GPU — so that the right tail keeps its digits down to 1e−308 (1 − erf a is 0 from a ≈ 6);
    ∂z/∂a = −(2/√π) e^(−a²)."""

    def forward(self, a):
        if _xp(a) is not np:
            import cupyx.scipy.special
            return cupyx.scipy.special.erfc(a)
        return np.asarray(_ERFC(a.astype(np.float64)), dtype=np.float64).astype(a.dtype)

    def backward(self, g):
        a = self.inputs[0]
        return g * exp(-(a * a)) * -_TWO_OVER_SQRT_PI


def erfc(a):
    """erfc(a) = 1 − erf(a) elementwise, the complementary error function (see :class:`Erfc`)."""
    return Erfc.apply(_float_input("erfc", a))


class Logit(Function):
    """z = ln(p/(1 − p)) with p = clamp(a, eps, 1 − eps) when eps is given;
    ∂z/∂a = 1/(a(1 − a)) — NaN outside [0, 1] without eps, 0 where the clamp bites (NaN stays NaN)."""

    def __init__(self, eps=None):
        super().__init__()
        self.eps = eps

    def forward(self, a):
        xp = _xp(a)
        p = a if self.eps is None else xp.clip(a, self.eps, 1 - self.eps)
        return xp.log(p / (1 - p)).astype(a.dtype, copy=False)

    def backward(self, g):
        (a,) = self.inputs
        slope = g / (a.abs() * (1 - a))  # |a|: at a = −0 the slope is +∞, as PyTorch's; a < 0 is NaN below
        xp = a.xp
        if self.eps is None:
            outside = (a._data < 0) | (a._data > 1)
            return where(Tensor(outside), Tensor(xp.asarray(np.nan, dtype=slope.dtype)), slope)
        clamped = (a._data < self.eps) | (a._data > 1 - self.eps)
        return where(Tensor(clamped), Tensor(xp.zeros((), dtype=slope.dtype)), slope)


def logit(a, eps: float | None = None):
    """ln(p/(1 − p)), the inverse of the sigmoid; with ``eps`` p is first clamped to [eps, 1 − eps]."""
    return Logit.apply(_float_input("logit", a), eps=eps)


def logaddexp2(a, b):
    """log₂(2ᵃ + 2ᵇ) = logaddexp(a ln 2, b ln 2)/ln 2, never overflowing."""
    b = as_tensor_like(b, a)
    return logaddexp(a * math.log(2.0), b * math.log(2.0)) / math.log(2.0)


def fmax(a, b):
    """The larger of a and b elementwise, ignoring a NaN when the other is a number (C's fmax); the
    gradient goes to the chosen one (to a on ties)."""
    b = as_tensor_like(b, a, "fmax")
    pick_b = (b > a) | isnan(a)
    return where(pick_b & ~isnan(b), b, a)


def fmin(a, b):
    """The smaller of a and b elementwise, ignoring a NaN when the other is a number (C's fmin)."""
    b = as_tensor_like(b, a, "fmin")
    pick_b = (b < a) | isnan(a)
    return where(pick_b & ~isnan(b), b, a)


def deg2rad(a):
    """a·π/180."""
    return _float_input("deg2rad", a) * (math.pi / 180.0)


def rad2deg(a):
    """a·180/π."""
    return _float_input("rad2deg", a) * (180.0 / math.pi)


def signbit(a):
    """Whether the sign bit is set (True for −0.0 and negative numbers; no gradient)."""
    return Tensor(a.xp.signbit(a._data))


def _integer_pair(op: str, a, b) -> tuple[Tensor, Tensor]:
    """``a`` and ``b`` as ints, promoted as other binary ops are (a 0-d one does not widen the other;
    a bool one takes the other's int dtype: gcd(bool, int8) is int8, as in PyTorch); floats and a
    pair of bools are refused."""
    b = as_tensor_like(b, a, op)
    if a.dtype.kind not in "biu" or b.dtype.kind not in "biu" or a.dtype.kind == b.dtype.kind == "b":
        raise OpError(f"{op}: expects integer tensors, got {a.dtype} and {b.dtype}")
    a, b = weak_zero_dim(a, b)
    return (a.to(b.dtype) if a.dtype.kind == "b" else a), (b.to(a.dtype) if b.dtype.kind == "b" else b)


def gcd(a, b):
    """The greatest common divisor of |a| and |b| elementwise (gcd(0, 0) = 0); integers only."""
    a, b = _integer_pair("gcd", a, b)
    return Tensor(a.xp.gcd(a._data, b._data))


def lcm(a, b):
    """The least common multiple of |a| and |b| elementwise (0 if either is 0); integers only."""
    a, b = _integer_pair("lcm", a, b)
    return Tensor(a.xp.lcm(a._data, b._data))


def ldexp(a, exponent):
    """a·2^exponent (exponent an integer tensor, or any tensor as PyTorch allows); differentiable
    in a: ∂/∂a = 2^exponent."""
    a = _float_input("ldexp", a)
    exponent = as_tensor_like(exponent, a, "ldexp")
    return a * Tensor(a.xp.exp2(exponent._data.astype(a.dtype)))


Frexp = collections.namedtuple("frexp", ["mantissa", "exponent"])


class Mantissa(Function):
    """a = m·2^e with 0.5 ≤ |m| < 1 (m = 0, e = 0 for ±0; ±inf and NaN keep their value, e = 0).
    z = m = a·2^(−e) with e piecewise constant: ∂z/∂a = 2^(−e)."""

    def forward(self, a):
        mantissa, self.exponent = _xp(a).frexp(a)
        return mantissa

    def backward(self, g):
        xp = _xp(g._data)
        return g * Tensor(xp.ldexp(xp.ones((), dtype=g.dtype), -self.exponent).astype(g.dtype))


def frexp(a):
    """(mantissa, exponent) with a = mantissa·2^exponent, 0.5 ≤ |mantissa| < 1 (see
    :class:`Mantissa`); exponent is int32 and has no gradient."""
    if not isinstance(a, Tensor) or a.dtype.kind != "f":
        raise DtypeError(f"frexp: only supports floating-point dtypes, got {getattr(a, 'dtype', type(a).__name__)}")
    return Frexp(Mantissa.apply(a), Tensor(a.xp.frexp(a._data)[1].astype(np.int32)))


class Nextafter(Function):
    """z = the next floating-point number after a in the direction of b (a itself where a = b).
    A step of at most one unit in the last place: ∂z/∂a = 1 where a ≠ b and 0 where z = b = a
    (PyTorch's choice), ∂z/∂b = 0."""

    def forward(self, a, b):
        return _xp(a).nextafter(a, b)

    def backward(self, g):
        a, b = self.inputs
        return (unbroadcast(where(a == b, 0, g), a.shape) if self.needs_grad(0) else None,
                Tensor(_xp(g._data).zeros(b.shape, dtype=b.dtype)) if self.needs_grad(1) else None)


def nextafter(input, other):
    """The next representable float after ``input`` towards ``other``, elementwise (both float
    tensors; they broadcast and promote as other binary ops)."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(f"nextafter: input and other must be Tensors, got {type(input).__name__} and "
                        f"{type(other).__name__}")
    if input.dtype.kind != "f" or other.dtype.kind != "f":
        raise DtypeError(f"nextafter: only floating-point dtypes are supported, got {input.dtype} and {other.dtype}")
    return _binary(Nextafter, input, other)


class Lerp(Function):
    """z = a + w·(end − a), computed as PyTorch does: a + w·(end − a) for w < ½, end − (1 − w)·(end − a)
    otherwise (exact at both ends). ∂z/∂a = 1 − w, ∂z/∂end = w, ∂z/∂w = end − a — as products, so
    an infinite gradient stays infinite (the composed a + (end − a)·w would give inf − inf = NaN)."""

    def forward(self, a, end, weight):
        xp = _xp(a)
        difference = end - a
        return xp.where(weight < 0.5, a + weight * difference, end - difference * (1 - weight))

    def backward(self, g):
        a, end, weight = self.inputs
        return (unbroadcast(g * (1 - weight), a.shape) if self.needs_grad(0) else None,
                unbroadcast(g * weight, end.shape) if self.needs_grad(1) else None,
                unbroadcast(g * (end - a), weight.shape) if self.needs_grad(2) else None)


def lerp(a, end, weight):
    """a + weight·(end − a) (see :class:`Lerp`); ``weight`` a number or a tensor broadcasting with
    both."""
    if not isinstance(weight, Tensor):
        weight = Tensor(a.xp.asarray(weight, dtype=a.dtype))
    return Lerp.apply(a, end, weight)


class Angle(Function):
    """z = arg(a) for a real a: π where a < 0, 0 where a ≥ 0 (−0 included), NaN where a is NaN;
    piecewise constant, so ∂z/∂a = 0."""

    def forward(self, a):
        xp = _xp(a)
        return xp.where(a < 0, a.dtype.type(math.pi), xp.where(xp.isnan(a), a, a.dtype.type(0)))

    def backward(self, g):
        return Tensor(_xp(g._data).zeros(self.inputs[0].shape, dtype=g.dtype))


def angle(a):
    """The argument of each element as a complex number (zengrad's are real: 0 or π); integers
    give the default float dtype, as in PyTorch."""
    return Angle.apply(_float_input("angle", a))


def isreal(a):
    """Whether each element is real: all True, as zengrad has no complex dtypes (bool, a's shape)."""
    return Tensor(a.xp.ones(a.shape, dtype=bool))


def _python_elementwise(name: str, a: Tensor, fn, *operands) -> None:
    """a[i] ← fn(a[i], operands[0][i], …) in place, calling the Python ``fn`` on Python numbers
    (PyTorch's ``apply_``/``map_``: CPU tensors outside autograd only)."""
    from .inplace import overwrite
    if a.requires_grad:
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use var.detach().{name}() instead.")
    if backend.device_of(a._data) != "cpu":
        raise OpError(f"{name}: only implemented on CPU tensors, got one on {a.device}")
    if not callable(fn):
        raise TypeError(f"{name}: expected a callable, got {type(fn).__name__}")
    columns = [t._data.reshape(-1).tolist() for t in (a,) + operands]
    results = [fn(*values) for values in zip(*columns)]
    for value in results:
        if not isinstance(value, (numbers.Real, np.generic)):
            raise TypeError(f"{name}: the callable must return a real number, not {type(value).__name__}")
    target = np.array(results, dtype=np.float64 if a.dtype.kind == "f" else None)
    overwrite(a, target.astype(a.dtype).reshape(a.shape))


def apply_(a: Tensor, callable) -> Tensor:
    """a[i] ← callable(a[i]) for every element, in place (a Python call per element: slow)."""
    _python_elementwise("apply_", a, callable)
    return a


def map_(a: Tensor, tensor: Tensor, callable) -> Tensor:
    """a[i] ← callable(a[i], tensor[i]) in place, ``tensor`` broadcast to a's shape and of a's dtype."""
    if not isinstance(tensor, Tensor) or tensor.dtype != a.dtype:
        raise TypeError(f"map_: expected 'tensor' of dtype {a.dtype}, got {getattr(tensor, 'dtype', type(tensor).__name__)}")
    try:
        other = Tensor(np.broadcast_to(tensor._data, a.shape))
    except ValueError:
        raise OpError(f"map_: tensor of shape {tensor.shape} does not broadcast to the input's shape {a.shape}") from None
    _python_elementwise("map_", a, callable, other)
    return a
