"""The activations with PyTorch's functional signatures: ``input=`` by name, ``inplace=True``
(overwrite ``input`` and return it, as :meth:`Tensor.relu_` does), the in-place twins ``relu_``,
``elu_``, … and softmax's ``dtype=`` and implicit ``dim``. The math lives in :mod:`zengrad.ops`;
each function here only routes to it.

In place, ``input`` ← f(input) is recorded as in PyTorch: the graph sees f applied to the old
value, a leaf that requires grad refuses it, and a tensor saved for backward notices the change.
"""

from __future__ import annotations

import warnings

from ... import ops
from ...ops import activation
from ...ops.inplace import in_place
from ...tensor import Tensor


def _routed(name: str, op, input: Tensor, inplace: bool, *args) -> Tensor:
    """op(input, *args) as a new tensor, or written into ``input`` when ``inplace``."""
    return in_place(f"{name}_", input, op, *args) if inplace else op(input, *args)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0)."""
    return _routed("relu", ops.relu, input, inplace)


def relu_(input: Tensor) -> Tensor:
    return relu(input, inplace=True)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x ≥ 0, negative_slope·x otherwise."""
    return _routed("leaky_relu", ops.leaky_relu, input, inplace, negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, α(eˣ − 1) otherwise."""
    return _routed("elu", activation.elu, input, inplace, alpha)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, inplace=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, α(e^{x/α} − 1))."""
    return _routed("celu", activation.celu, input, inplace, alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, inplace=True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """λ·elu(x, α) with PyTorch's constants λ ≈ 1.0507, α ≈ 1.6733."""
    return _routed("selu", activation.selu, input, inplace)


def selu_(input: Tensor) -> Tensor:
    return selu(input, inplace=True)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x·σ(x)."""
    return _routed("silu", activation.silu, input, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x·tanh(softplus(x))."""
    return _routed("mish", activation.mish, input, inplace)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """x clamped to [min_val, max_val]."""
    return _routed("hardtanh", activation.hardtanh, input, inplace, min_val, max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return _routed("relu6", activation.relu6, input, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x/6 + ½, 0), 1)."""
    return _routed("hardsigmoid", activation.hardsigmoid, input, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x·hardsigmoid(x)."""
    return _routed("hardswish", activation.hardswish, input, inplace)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``value`` where x ≤ threshold, else x."""
    return _routed("threshold", activation.threshold, input, inplace, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return _routed("threshold", activation.threshold, input, True, threshold, value)


def sigmoid(input: Tensor) -> Tensor:
    """σ(x) = 1/(1 + e⁻ˣ)."""
    return ops.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """tanh(x)."""
    return ops.tanh(input)


def _softmax_dim(name: str, input: Tensor, dim: int | None) -> int:
    """``dim``, or PyTorch's deprecated implicit choice when it is None: 0 for 0-, 1- and 3-d input,
    1 otherwise (with PyTorch's warning)."""
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", UserWarning, stacklevel=3)
    return 0 if input.ndim in (0, 1, 3) else 1


def _cast(input: Tensor, dtype) -> Tensor:
    return input if dtype is None else input.to(dtype)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """e^{xᵢ} / Σⱼ e^{xⱼ} along ``dim`` (computed in ``dtype`` when given)."""
    return ops.softmax(_cast(input, dtype), _softmax_dim("softmax", input, dim))


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """xᵢ − log Σⱼ e^{xⱼ} along ``dim`` (computed in ``dtype`` when given)."""
    return ops.log_softmax(_cast(input, dtype), _softmax_dim("log_softmax", input, dim))


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(−x) along ``dim`` (computed in ``dtype`` when given)."""
    return activation.softmin(_cast(input, dtype), _softmax_dim("softmin", input, dim))
