"""The classical orthogonal polynomials of ``torch.special``, p_n(x) for a tensor (or number) x and a
degree n (a tensor or a number, truncated to an integer), by their three-term recurrences:

* Chebyshev  T: T₀ = 1, T₁ = x,      T_{k+1} = 2x·T_k − T_{k−1}
             U: U₀ = 1, U₁ = 2x,     same recurrence;  V: V₁ = 2x − 1;  W: W₁ = 2x + 1
  (shifted T*, U*, V*, W*: the same with 2x − 1 in place of x, orthogonal on [0, 1]);
  for |x| < 1 and large n the closed forms with θ = arccos x are used instead, as PyTorch does:
  T_n = cos nθ,  U_n = sin (n+1)θ / sin θ,  V_n = cos (n+½)θ / cos ½θ,  W_n = sin (n+½)θ / sin ½θ;
* Hermite (physicists') H: H₀ = 1, H₁ = 2x,  H_{k+1} = 2x·H_k − 2k·H_{k−1};
  (probabilists') He: He₀ = 1, He₁ = x,  He_{k+1} = x·He_k − k·He_{k−1};
* Laguerre  L: L₀ = 1, L₁ = 1 − x,  L_{k+1} = ((2k + 1 − x)·L_k − k·L_{k−1}) / (k + 1);
* Legendre  P: P₀ = 1, P₁ = x,  P_{k+1} = ((2k + 1)·x·P_k − k·P_{k−1}) / (k + 1).

A negative degree (and a NaN or one beyond int64, as PyTorch's cast gives) yields 0; at the ends of
the interval of orthogonality the exact values (T_n(±1) = (±1)ⁿ, U_n(±1) = (±1)ⁿ(n + 1), …) are
returned, as in PyTorch. Computed on the host in the result dtype (the promoted dtype of x and n,
the default float dtype when both are integers; float32 for the half types), in the order PyTorch
computes, so that overflow gives the same inf or NaN. As in PyTorch the results are
outside the graph (no gradient flows through a polynomial).
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import backend
from ..errors import OpError
from ..tensor import Tensor
from ._util import as_tensor_like, promote_types
from .elementwise import weak_zero_dim


def _operands(op: str, x, n):
    """x and n as float64 host arrays (broadcast), with the result's dtype and device."""
    if not isinstance(x, Tensor) and not isinstance(n, Tensor):
        raise TypeError(f"{op}: expected x or n to be a Tensor, got {type(x).__name__} and {type(n).__name__}")
    for value in (x, n):
        if not isinstance(value, (Tensor, numbers.Number)) or isinstance(value, complex):
            raise TypeError(f"{op}: expected a Tensor or a number, got {type(value).__name__}")
    x = as_tensor_like(x, n, op) if not isinstance(x, Tensor) else x
    n = as_tensor_like(n, x, op)
    if x.dtype != n.dtype:
        x, n = weak_zero_dim(x, n)
    dtype = promote_types(x.dtype, n.dtype)
    if dtype.kind != "f":
        dtype = backend.DEFAULT_DTYPE
    device = backend.device_of(x._data)
    work = dtype if dtype in (np.float32, np.float64) else np.dtype(np.float32)
    xs, ns = (np.asarray(backend.to_device(t._data, "cpu")).astype(work) for t in (x, n))
    try:
        xs, ns = np.broadcast_arrays(xs, ns)
    except ValueError:
        raise OpError(f"{op}: the shapes of x {tuple(xs.shape)} and n {tuple(ns.shape)} do not broadcast") from None
    return xs, _degree(ns), dtype, device


def _degree(n):
    """n truncated to int64; NaN and values beyond int64 become −1 (PyTorch's cast gives INT64_MIN)."""
    n = n.astype(np.float64)
    ok = np.isfinite(n) & (np.abs(n) < 2.0 ** 63)
    return np.where(ok, np.trunc(np.where(ok, n, -1)), -1).astype(np.int64)


def _result(values, dtype, device) -> Tensor:
    return Tensor(backend.to_device(np.asarray(values).astype(dtype), device))


def _recurrence(x, n, first, step):
    """p_n(x) for p₀ = 1, p₁ = ``first``, p_{k+1} = ``step(k, p_k, p_{k−1})``, elementwise in n."""
    previous, current = np.ones_like(x), first
    out = np.where(n == 0, previous, np.where(n == 1, current, 0.0))
    top = int(n.max()) if n.size else 0
    for k in range(1, top):
        previous, current = current, step(k, current, previous)
        out = np.where(n == k + 1, current, out)
    return out


def _chebyshev(x, n, first, closed_form, trig_from: int):
    """The Chebyshev recurrence (2x p_k − p_{k−1}) from p₁ = ``first``, with ``closed_form(θ, n)``
    where |x| < 1 and n > ``trig_from``."""
    trig = (np.abs(x) < 1) & (n > trig_from)
    degree = np.where(trig, 0, n)
    out = _recurrence(x, degree, first, lambda k, p, q: (x + x) * p - q)
    with np.errstate(all="ignore"):
        theta = np.arccos(np.where(trig, x, 0.0))
        out = np.where(trig, closed_form(theta, n), out)
    return out


def _sign_of_degree(n):
    return np.where(n % 2 == 0, 1.0, -1.0)


def _t(x, n):
    out = _chebyshev(x, n, x.copy(), lambda t, n: np.cos(n * t), 6)
    return np.where(np.abs(x) == 1, np.where(x > 0, 1.0, _sign_of_degree(n)), out)


def _u(x, n):
    def closed(t, n):
        s = np.sin(t)
        return np.where(s != 0, np.sin((n + 1) * t) / np.where(s != 0, s, 1), (n + 1) * np.cos((n + 1) * t) * np.cos(t))
    out = _chebyshev(x, n, x + x, closed, 8)
    return np.where(np.abs(x) == 1, np.where(x > 0, 1.0, _sign_of_degree(n)) * (n + 1), out)


def _v(x, n):
    def closed(t, n):
        inner = np.sin(t / 2) != 1  # PyTorch's test for θ at π
        c = np.where(inner, np.cos(t / 2), 1)
        return np.where(inner, np.cos((n + 0.5) * t) / c, _sign_of_degree(n) * (2 * n + 1))
    out = _chebyshev(x, n, x + x - 1, closed, 8)
    return np.where(np.abs(x) == 1, np.where(x > 0, 1.0, _sign_of_degree(n) * (2 * n + 1)), out)


def _w(x, n):
    def closed(t, n):
        inner = np.cos(t / 2) != 1  # PyTorch's test for θ at 0
        s = np.where(inner, np.sin(t / 2), 1)
        return np.where(inner, np.sin((n + 0.5) * t) / s, 2 * n + 1.0)
    out = _chebyshev(x, n, x + x + 1, closed, 8)
    return np.where(np.abs(x) == 1, np.where(x > 0, 2 * n + 1.0, _sign_of_degree(n)), out)


def _hermite_h(x, n):
    return _recurrence(x, n, x + x, lambda k, p, q: (x + x) * p - 2 * k * q)


def _hermite_he(x, n):
    return _recurrence(x, n, x.copy(), lambda k, p, q: x * p - k * q)


def _laguerre(x, n):
    out = _recurrence(x, n, 1 - x, lambda k, p, q: ((2 * k + (1 - x)) * p - k * q) / (k + 1))
    return np.where(x == 0, 1.0, out)


def _legendre(x, n):
    out = _recurrence(x, n, x.copy(), lambda k, p, q: ((2 * k + 1) * x * p - k * q) / (k + 1))
    return np.where(np.abs(x) == 1, np.where(x > 0, 1.0, _sign_of_degree(n)), out)


def _polynomial(op: str, fn, shifted: bool = False):
    def polynomial(x, n) -> Tensor:
        xs, ns, dtype, device = _operands(op, x, n)
        with np.errstate(all="ignore"):
            values = fn(xs + xs - 1 if shifted else xs, ns)
        return _result(np.where(ns < 0, 0.0, values), dtype, device)
    polynomial.__name__ = op
    polynomial.__doc__ = f"``torch.special.{op}(x, n)``: see the module's docstring for the recurrence."
    return polynomial


chebyshev_polynomial_t = _polynomial("chebyshev_polynomial_t", _t)
chebyshev_polynomial_u = _polynomial("chebyshev_polynomial_u", _u)
chebyshev_polynomial_v = _polynomial("chebyshev_polynomial_v", _v)
chebyshev_polynomial_w = _polynomial("chebyshev_polynomial_w", _w)
shifted_chebyshev_polynomial_t = _polynomial("shifted_chebyshev_polynomial_t", _t, shifted=True)
shifted_chebyshev_polynomial_u = _polynomial("shifted_chebyshev_polynomial_u", _u, shifted=True)
shifted_chebyshev_polynomial_v = _polynomial("shifted_chebyshev_polynomial_v", _v, shifted=True)
shifted_chebyshev_polynomial_w = _polynomial("shifted_chebyshev_polynomial_w", _w, shifted=True)
hermite_polynomial_h = _polynomial("hermite_polynomial_h", _hermite_h)
hermite_polynomial_he = _polynomial("hermite_polynomial_he", _hermite_he)
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l", _laguerre)
legendre_polynomial_p = _polynomial("legendre_polynomial_p", _legendre)
