"""Window functions for signal processing (``torch.hann_window`` & co.): a taper w[n], n = 0 … N−1.

With M = N − 1 (the symmetric window, ``periodic=False``):

    Hann       w[n] = 0.5 − 0.5·cos(2πn/M)
    Hamming    w[n] = α − β·cos(2πn/M)                      α = 0.54, β = 0.46 by default
    Blackman   w[n] = 0.42 − 0.5·cos(2πn/M) + 0.08·cos(4πn/M)
    Bartlett   w[n] = 1 − |2n/M − 1|
    Kaiser     w[n] = I₀(β·√(1 − (2n/M − 1)²)) / I₀(β)        β = 12 by default

``periodic=True`` (the default, for spectral analysis) is the symmetric window of length N + 1 with
its last point dropped. N = 1 gives [1], N = 0 an empty tensor. Computed in float64 by NumPy's own
window functions, then given the requested floating dtype (the default dtype without one).
"""

from __future__ import annotations

import numpy as np

from .backend import get_default_dtype
from .creation import tensor
from .errors import DtypeError, OpError

__all__ = ["bartlett_window", "blackman_window", "hamming_window", "hann_window", "kaiser_window"]


def _window(name: str, symmetric, window_length: int, periodic: bool, dtype, device, requires_grad: bool):
    if not isinstance(window_length, (int, np.integer)) or isinstance(window_length, bool) or window_length < 0:
        raise OpError(f"{name}: window_length must be a non-negative integer, got {window_length!r}")
    if dtype is not None and np.dtype(dtype).kind != "f":
        raise DtypeError(f"{name} expects floating point dtypes, got: {np.dtype(dtype)}")
    if window_length <= 1:
        values = np.ones(window_length)
    else:
        values = symmetric(window_length + 1)[:-1] if periodic else symmetric(window_length)
    return tensor(values, dtype=get_default_dtype() if dtype is None else dtype, device=device,
                  requires_grad=requires_grad)


def hann_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None, device=None,
                requires_grad: bool = False):
    """The Hann (raised-cosine) window."""
    return _window("hann_window", np.hanning, window_length, periodic, dtype, device, requires_grad)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54, beta: float = 0.46, *,
                   dtype=None, layout=None, device=None, requires_grad: bool = False):
    """The Hamming window α − β·cos(2πn/M)."""
    def symmetric(n):
        return alpha - beta * np.cos(2 * np.pi * np.arange(n) / (n - 1))
    return _window("hamming_window", symmetric, window_length, periodic, dtype, device, requires_grad)


def blackman_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None, device=None,
                    requires_grad: bool = False):
    """The Blackman window."""
    return _window("blackman_window", np.blackman, window_length, periodic, dtype, device, requires_grad)


def bartlett_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None, device=None,
                    requires_grad: bool = False):
    """The Bartlett (triangular) window."""
    return _window("bartlett_window", np.bartlett, window_length, periodic, dtype, device, requires_grad)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *, dtype=None, layout=None,
                  device=None, requires_grad: bool = False):
    """The Kaiser window with shape parameter β."""
    return _window("kaiser_window", lambda n: np.kaiser(n, beta), window_length, periodic, dtype, device,
                   requires_grad)
