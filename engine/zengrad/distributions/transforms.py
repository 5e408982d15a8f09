"""Invertible maps y = f(x) for TransformedDistribution, as ``torch.distributions.transforms``:
each gives f, its inverse (``.inv``), and log|det ∂y/∂x| (``log_abs_det_jacobian(x, y)``), the
term the change of variables subtracts:  log p_Y(y) = log p_X(f⁻¹(y)) − log|det J_f(f⁻¹(y))|.

``domain_event_dim``/``codomain_event_dim`` say how many rightmost dims one event spans (0: the
map is elementwise; 1: it mixes the last dim, as softmax does)."""

from __future__ import annotations

import math

from ..ops import sigmoid
from ..ops.activation import softplus
from .base import as_tensor, finfo, sum_rightmost


class Transform:
    """A bijection y = f(x) with ``__call__``, ``inv``, ``log_abs_det_jacobian`` and ``sign``
    (+1 increasing, −1 decreasing: what ``cdf`` of a transformed distribution needs)."""

    bijective = True
    domain_event_dim = 0
    codomain_event_dim = 0
    sign = 1

    def __call__(self, x):
        return self._call(x)

    @property
    def inv(self) -> "Transform":
        return _InverseTransform(self)

    def _call(self, x):
        raise NotImplementedError

    def _inverse(self, y):
        raise NotImplementedError

    def log_abs_det_jacobian(self, x, y):
        raise NotImplementedError(f"{type(self).__name__} has no log_abs_det_jacobian")

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))

    def __repr__(self):
        return f"{type(self).__name__}()"


class _InverseTransform(Transform):
    """f⁻¹ of a transform f: calls swap, the log-Jacobian changes sign."""

    def __init__(self, transform: Transform):
        self._inv = transform
        self.domain_event_dim, self.codomain_event_dim = transform.codomain_event_dim, transform.domain_event_dim
        self.sign = transform.sign
        self.bijective = transform.bijective

    @property
    def inv(self):
        return self._inv

    def _call(self, x):
        return self._inv._inverse(x)

    def _inverse(self, y):
        return self._inv(y)

    def log_abs_det_jacobian(self, x, y):
        return -self._inv.log_abs_det_jacobian(y, x)

    def __eq__(self, other):
        return isinstance(other, _InverseTransform) and self._inv == other._inv

    def __hash__(self):
        return hash((_InverseTransform, self._inv))


class ExpTransform(Transform):
    """y = eˣ (a positive value from any real);  log|dy/dx| = x;  inverse log y."""

    def _call(self, x):
        return x.exp()

    def _inverse(self, y):
        return y.log()

    def log_abs_det_jacobian(self, x, y):
        return x


class SigmoidTransform(Transform):
    """y = σ(x) = 1/(1 + e^{−x});  log|dy/dx| = log σ(x) + log σ(−x) = −softplus(−x) − softplus(x);
    the inverse clamps y to [tiny, 1 − eps] before the logit."""

    def _call(self, x):
        eps, tiny = float(finfo(x).eps), float(finfo(x).tiny)
        return sigmoid(x).clamp(min=tiny, max=1 - eps)

    def _inverse(self, y):
        y = y.clamp(min=float(finfo(y).tiny), max=1 - float(finfo(y).eps))
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x, y):
        return -softplus(-x) - softplus(x)


class TanhTransform(Transform):
    """y = tanh x;  log|dy/dx| = log(1 − tanh² x) = 2(log 2 − x − softplus(−2x))."""

    def _call(self, x):
        return x.tanh()

    def _inverse(self, y):
        return y.atanh()

    def log_abs_det_jacobian(self, x, y):
        return 2.0 * (math.log(2.0) - x - softplus(-2.0 * x))


class AffineTransform(Transform):
    """y = loc + scale·x;  log|det J| = Σ log|scale| over the event's ``event_dim`` rightmost dims."""

    def __init__(self, loc, scale, event_dim: int = 0):
        self.loc, self.scale = loc, scale
        self.domain_event_dim = self.codomain_event_dim = event_dim

    @property
    def sign(self):
        if isinstance(self.scale, (int, float)):
            return 1 if self.scale > 0 else -1
        return self.scale.sign()

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        scale = as_tensor(self.scale, x) if not hasattr(self.scale, "abs") else self.scale
        log_scale = scale.abs().log()
        return sum_rightmost(log_scale.expand(x.shape) if log_scale.shape != x.shape else log_scale,
                             self.domain_event_dim)

    def __eq__(self, other):
        if not isinstance(other, AffineTransform):
            return False
        same = [a == b if isinstance(a, (int, float)) and isinstance(b, (int, float)) else
                bool((as_tensor(a) == as_tensor(b)).all()) for a, b in ((self.loc, other.loc), (self.scale, other.scale))]
        return all(same) and self.domain_event_dim == other.domain_event_dim

    def __hash__(self):
        return hash(AffineTransform)

    def __repr__(self):
        return f"AffineTransform(loc={self.loc}, scale={self.scale}, event_dim={self.domain_event_dim})"


class SoftmaxTransform(Transform):
    """y = softmax(x) over the last dim (x ↦ eˣ/Σeˣ); not injective (x + c gives the same y), so
    there is no log-Jacobian; the inverse returns log y, one of the preimages."""

    bijective = False
    domain_event_dim = codomain_event_dim = 1

    def _call(self, x):
        probs = (x - x.max(-1, keepdim=True)[0]).exp()
        return probs / probs.sum(-1, keepdim=True)

    def _inverse(self, y):
        return y.log()


class ComposeTransform(Transform):
    """f_n ∘ … ∘ f_1 (``parts`` applied in order):  log|det J| = Σ_i log|det J_{f_i}| at the
    intermediate values, each summed over the event dims it does not already span."""

    def __init__(self, parts):
        self.parts = list(parts)
        self.domain_event_dim = max([0] + [p.domain_event_dim for p in self.parts])
        self.codomain_event_dim = max([0] + [p.codomain_event_dim for p in self.parts])
        self.bijective = all(p.bijective for p in self.parts)

    @property
    def sign(self):
        sign = 1
        for part in self.parts:
            sign = sign * part.sign
        return sign

    @property
    def inv(self):
        return ComposeTransform([p.inv for p in reversed(self.parts)])

    def _call(self, x):
        for part in self.parts:
            x = part(x)
        return x

    def _inverse(self, y):
        return self.inv(y)

    def log_abs_det_jacobian(self, x, y):
        total = 0
        event_dim = self.domain_event_dim
        for part in self.parts:
            after = part(x)
            total = total + sum_rightmost(part.log_abs_det_jacobian(x, after), event_dim - part.domain_event_dim)
            event_dim += part.codomain_event_dim - part.domain_event_dim
            x = after
        return total if self.parts else as_tensor(0.0, x).expand(x.shape)

    def __eq__(self, other):
        return isinstance(other, ComposeTransform) and self.parts == other.parts

    def __hash__(self):
        return hash(tuple(self.parts))
