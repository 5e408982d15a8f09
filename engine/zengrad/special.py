"""``zengrad.special``, as ``torch.special``: special functions under SciPy's names. Most are ops
defined elsewhere (their math is in :mod:`zengrad.ops`); the few new ones are compositions of those
ops, so their gradients (and gradients of gradients) come from autograd.

erfcx and log_ndtr are in :mod:`zengrad.ops.erfcx`, gammainc and gammaincc in
:mod:`zengrad.ops.incomplete_gamma`, the modified Bessel functions (i0, i0e, i1, i1e,
modified_bessel_*, scaled_modified_bessel_*) in :mod:`zengrad.ops.bessel`, airy_ai, bessel_j0/j1/y0/y1 and
spherical_bessel_j0 in :mod:`zengrad.ops.bessel_jy`, zeta in :mod:`zengrad.ops.zeta`, the orthogonal
polynomials (Chebyshev, shifted Chebyshev, Hermite, Laguerre, Legendre) in
:mod:`zengrad.ops.polynomials`. New here, with x a tensor:

* ndtr(x) = Φ(x) = ½ erfc(−x/√2), the standard normal CDF;  ndtri(p) = Φ⁻¹(p) = √2 erfinv(2p − 1);
* xlog1py(x, y) = x ln(1 + y), 0 where x = 0 (``entr``, −x ln x, is in :mod:`zengrad.ops.special`);
* multigammaln(a, p) = ln Γ_p(a) = p(p − 1)/4 · ln π + Σ_{j<p} ln Γ(a − j/2) (inf or NaN where
  a ≤ (p − 1)/2, as PyTorch 2.13 gives, without an error).
"""

from __future__ import annotations

import math

import numpy as np

from .errors import OpError
from .ops import (digamma, erf, erfc, erfinv, exp2, expm1, lgamma, log1p, log_softmax, logit, logsumexp,
                  polygamma, round, sigmoid, sinc, softmax, xlogy)
from .ops.bessel import (i0, i0e, i1, i1e, modified_bessel_i0, modified_bessel_i1, modified_bessel_k0,
                         modified_bessel_k1, scaled_modified_bessel_k0, scaled_modified_bessel_k1)
from .ops.bessel_jy import airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1, spherical_bessel_j0
from .ops.erfcx import erfcx, log_ndtr
from .ops.incomplete_gamma import gammainc, gammaincc
from .ops.zeta import zeta
from .ops.polynomials import (chebyshev_polynomial_t, chebyshev_polynomial_u, chebyshev_polynomial_v,
                              chebyshev_polynomial_w, hermite_polynomial_h, hermite_polynomial_he,
                              laguerre_polynomial_l, legendre_polynomial_p, shifted_chebyshev_polynomial_t,
                              shifted_chebyshev_polynomial_u, shifted_chebyshev_polynomial_v,
                              shifted_chebyshev_polynomial_w)
from .ops.special import entr
from .tensor import Tensor

expit = sigmoid
gammaln = lgamma
psi = digamma

__all__ = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
           "erfcx", "hermite_polynomial_h", "hermite_polynomial_he", "i0e", "i1", "i1e", "log_ndtr",
           "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "laguerre_polynomial_l", "legendre_polynomial_p",
           "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w", "digamma", "entr", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammainc", "gammaincc", "gammaln", "i0", "log1p",
           "log_softmax", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round",
           "sinc", "softmax", "spherical_bessel_j0", "xlog1py", "xlogy", "zeta"]


def ndtr(x: Tensor) -> Tensor:
    """Φ(x) = ½ erfc(−x/√2): the probability that a standard normal variable is below x."""
    return erfc(x * (-1 / math.sqrt(2))) * 0.5


def ndtri(p: Tensor) -> Tensor:
    """Φ⁻¹(p) = √2 erfinv(2p − 1), the standard normal quantile (−inf at 0, inf at 1)."""
    return erfinv(p * 2 - 1) * math.sqrt(2)


def xlog1py(x, y) -> Tensor:
    """x·ln(1 + y), with 0 where x = 0 (unless y is NaN), as ``xlogy`` with y + 1."""
    return xlogy(x, y + 1) if isinstance(y, Tensor) else xlogy(x, Tensor(np.asarray(y)) + 1)


def multigammaln(a: Tensor, p: int) -> Tensor:
    """ln Γ_p(a) = p(p − 1)/4 · ln π + Σ_{j=0}^{p−1} ln Γ(a − j/2) (the multivariate log-gamma)."""
    if p < 1:
        raise OpError(f"multigammaln: p has to be greater than or equal to 1, got {p}")
    total = lgamma(a)
    for j in range(1, p):
        total = total + lgamma(a - j / 2)
    return total + p * (p - 1) / 4 * math.log(math.pi)

