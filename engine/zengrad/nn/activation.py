"""Activation layers: module forms of the elementwise nonlinearities and (log-)softmax."""

from __future__ import annotations

from . import functional as F
from .module import Module


class ReLU(Module):
    """y = max(x, 0)."""

    def forward(self, input):
        return F.relu(input)


class LeakyReLU(Module):
    """y = x for x ≥ 0, negative_slope·x otherwise."""

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Tanh(Module):
    """y = tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)."""

    def forward(self, input):
        return F.tanh(input)


class Sigmoid(Module):
    """y = σ(x) = 1 / (1 + e⁻ˣ)."""

    def forward(self, input):
        return F.sigmoid(input)


class Softmax(Module):
    """yᵢ = e^{xᵢ} / Σⱼ e^{xⱼ} along ``dim``."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """yᵢ = xᵢ − log Σⱼ e^{xⱼ} along ``dim``."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
