"""Dropout: random zeroing during training (inverted, so evaluation is the identity) of single
elements (Dropout) or of whole channels (Dropout1d, Dropout2d, Dropout3d); alpha dropout for SELU networks
(AlphaDropout, FeatureAlphaDropout)."""

from __future__ import annotations

from . import functional as F
from .module import Module


class Dropout(Module):
    """In training, zero each element with probability p and scale the rest by 1/(1 − p);
    in eval mode, y = x. Randomness comes from zengrad's generator (``manual_seed`` repeats it).
    ``inplace`` is accepted for PyTorch's signature; the result is always a new tensor."""

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(Dropout):
    """In training, zero whole channels of (N, C, L) with probability p, the rest scaled by 1/(1 − p)."""

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(Dropout):
    """In training, zero whole channels of (N, C, H, W) with probability p, the rest scaled by 1/(1 − p)."""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(Dropout):
    """In training, zero whole channels of (N, C, D, H, W) with probability p, the rest scaled by 1/(1 − p)."""

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(Dropout):
    """In training, drop elements to SELU's saturation value and rescale so that a zero-mean,
    unit-variance input keeps its mean and variance (see :func:`~zengrad.nn.functional.alpha_dropout`);
    y = x in eval mode."""

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(Dropout):
    """:class:`AlphaDropout` of whole channels of (N, C, *)."""

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
