"""Affine and reshaping layers: Linear, Bilinear, Identity, Flatten, Unflatten."""

from __future__ import annotations

from . import functional as F
from . import init
from ._factory import empty_parameter, optional_parameter
from .module import Module


class Linear(Module):
    """y = x Wᵀ + b, for x of shape (*, in_features); W is (out_features, in_features).

    Initialised as PyTorch does: W by kaiming_uniform_(a=√5), i.e. U(−1/√in, 1/√in), and b by
    U(−1/√in, 1/√in).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = empty_parameter(out_features, in_features, device=device, dtype=dtype)
        self.register_parameter("bias", optional_parameter(bias, out_features, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_affine_(self.weight, self.bias)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear by another name: MultiheadAttention's ``out_proj``, named as PyTorch names it
    (PyTorch uses the name to keep its quantizer away), so that models print as PyTorch's do."""


class Bilinear(Module):
    """y = x₁ᵀ W x₂ + b per output: y[…, o] = Σ_{i, j} x₁[…, i]·W[o, i, j]·x₂[…, j] + b[o], for x₁ of
    shape (*, in1_features), x₂ of shape (*, in2_features); W is (out_features, in1_features,
    in2_features) (see :func:`zengrad.nn.functional.bilinear`).

    Initialised as PyTorch does: W and b both ~ U(−1/√in1, 1/√in1).
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__()
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        self.weight = empty_parameter(out_features, in1_features, in2_features, device=device, dtype=dtype)
        self.register_parameter("bias", optional_parameter(bias, out_features, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.uniform_affine_(self.weight, self.bias, self.in1_features)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class Identity(Module):
    """y = x (a placeholder that accepts and ignores constructor arguments)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Flatten(Module):
    """Merge dimensions start_dim..end_dim into one: (N, C, H, W) -> (N, C·H·W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size``: (N, 784) -> (N, 1, 28, 28)."""

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input):
        dim = self.dim % input.ndim
        return input.reshape(input.shape[:dim] + self.unflattened_size + input.shape[dim + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
