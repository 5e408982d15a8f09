"""Activation functions (``torch.nn.functional`` names), built from the elementwise ops.

Most are compositions, so their gradients and second derivatives follow from the parts. Two
things to watch in a composition: a branch ``where`` does not pick must still be finite (its
gradient is multiplied by 0, and 0·inf is NaN), so exponentials only ever see clamped inputs;
and exact GELU is its own Function, its backward written with erf and exp.
"""

from __future__ import annotations

import math

from ..errors import DtypeError, OpError
from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from ._util import require_float
from .elementwise import clamp, minimum, sigmoid, tanh, where
from .math import erf, erf_array, expm1, log1p

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def rectify_in_place(xp, out, negative_slope: float):
    """ReLU (``negative_slope`` 0) or LeakyReLU applied to ``out`` in place, for ops that fuse the
    activation after them (BatchNorm, conv2d); returns the derivative to multiply gradients by,
    with the elementwise ops' rules: ReLU's is ~(y ≤ 0) (0 where y ≤ 0, 1 at NaN), LeakyReLU's
    the slope m = [z > 0] + [z ≤ 0]·s that y = m·z was computed with."""
    if negative_slope == 0:
        xp.maximum(out, out.dtype.type(0), out=out)
        return ~(out <= 0)
    positive = out > 0
    slope = positive + ~positive * out.dtype.type(negative_slope)
    out *= slope
    return slope


class GELU(Function):
    """z = a·Φ(a), Φ(a) = ½(1 + erf(a/√2)) the standard normal CDF;
    ∂z/∂a = Φ(a) + a·φ(a), φ(a) = e^(−a²/2)/√(2π) the normal density."""

    node_name = "GeluBackward0"

    def forward(self, a):
        half = a.dtype.type(0.5)
        return a * half * (1 + erf_array(a * a.dtype.type(_SQRT_HALF)))

    def backward(self, g):
        a = self.inputs[0]
        cdf = (erf(a * _SQRT_HALF) + 1) * 0.5
        density = (a * a * -0.5).exp() * _INV_SQRT_2PI
        return g * (cdf + a * density)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Exact: x·Φ(x) (see :class:`GELU`). approximate='tanh':
    ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    require_float(input, "gelu")
    if approximate == "none":
        return GELU.apply(input)
    if approximate != "tanh":
        raise OpError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    inner = (input + input * input * input * 0.044715) * math.sqrt(2.0 / math.pi)
    return input * 0.5 * (tanh(inner) + 1)


def silu(input: Tensor) -> Tensor:
    """x·σ(x) (also called swish)."""
    return input * sigmoid(input)


def _negative_part_expm1(input: Tensor, scale: float) -> Tensor:
    """eˣ/ˢ − 1 for x ≤ 0, and 0 for x > 0 and NaN: the exponential only sees x ≤ 0, so it and its
    derivative stay finite where ``where`` does not pick it (0·inf or 0·NaN would poison the gradient)."""
    return expm1(where(input <= 0, input, 0) / scale)


def elu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, α(eˣ − 1) otherwise (NaN takes the first branch: gradient 1, as in PyTorch)."""
    return where(input <= 0, _negative_part_expm1(input, 1.0) * alpha, input)


def selu(input: Tensor) -> Tensor:
    """λ·elu(x, α) with λ ≈ 1.0507 and α ≈ 1.6733 (the self-normalising constants)."""
    return elu(input, _SELU_ALPHA) * _SELU_SCALE


def celu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, α(e^(x/α) − 1) otherwise."""
    if alpha == 0:
        raise OpError("celu: alpha must not be 0")
    return where(input <= 0, _negative_part_expm1(input, alpha) * alpha, input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """(1/β)·ln(1 + e^(βx)), and x itself where βx > threshold (PyTorch's switch to the linear
    part); ∂/∂x = σ(βx)."""
    scaled = input * beta
    smooth = log1p(clamp(scaled, max=threshold).exp()) / beta
    return where(scaled > threshold, input, smooth)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def mish(input: Tensor) -> Tensor:
    """x·tanh(softplus(x))."""
    return input * tanh(softplus(input))


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """x clipped to [min_val, max_val]; the gradient is 0 from each corner outwards and 1 elsewhere,
    NaN included (PyTorch's choice; ``clamp`` gives 1 at the corners). An int tensor stays int, its
    bounds truncated to ints, as in PyTorch; a bool tensor is refused."""
    if min_val > max_val:
        raise OpError(f"hardtanh: min_val {min_val} must not exceed max_val {max_val}")
    if input.dtype.kind == "b":
        raise DtypeError("hardtanh: bool inputs are not supported (nor by PyTorch)")
    if input.dtype.kind != "f":
        min_val, max_val = int(min_val), int(max_val)
    clipped = Tensor(input.xp.clip(input._data, min_val, max_val))
    return where((input <= min_val) | (input >= max_val), clipped, input)


def relu6(input: Tensor) -> Tensor:
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0)


class Hardsigmoid(Function):
    """z = clip((x + 3)/6, 0, 1): 0 up to −3, 1 from 3, linear between (NaN stays NaN);
    ∂z/∂x = 1/6 strictly between −3 and 3, else 0 (0 at NaN too, as in PyTorch)."""

    def forward(self, a):
        xp = backend.array_module(backend.device_of(a))
        return xp.clip((a + a.dtype.type(3)) / a.dtype.type(6), 0, 1).astype(a.dtype, copy=False)

    def backward(self, g):
        (a,) = self.inputs
        inside = (a._data > -3) & (a._data < 3)
        return g * Tensor((inside / 6.0).astype(g.dtype))


def hardsigmoid(input: Tensor) -> Tensor:
    """relu6(x + 3)/6: 0 below −3, 1 above 3, linear between."""
    require_float(input, "hardsigmoid")
    return Hardsigmoid.apply(input)


def hardswish(input: Tensor) -> Tensor:
    """x·relu6(x + 3)/6, written piecewise — 0 up to −3, x(x + 3)/6 strictly between, x from 3 —
    so the gradient is (2x + 3)/6 inside and PyTorch's 0 and 1 at the corners −3 and 3 (and, as
    in PyTorch, −inf·0 = NaN at −inf)."""
    middle = where((input > -3) & (input < 3), input, 0)  # finite wherever the middle piece is not used
    return where(input <= -3, input * 0, where(input < 3, middle * (middle + 3) / 6, input))


def logsigmoid(input: Tensor) -> Tensor:
    """ln σ(x) = min(x, 0) − ln(1 + e^(−|x|)), finite for every x."""
    return minimum(input, 0) - log1p((-input.abs()).exp())


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a·σ(b), where a and b are the two halves of ``input`` along ``dim``."""
    size = input.shape[dim] if input.ndim else 0
    if size % 2 or input.ndim == 0:
        raise OpError(f"glu: dim {dim} of shape {input.shape} must have an even size")
    first, second = input.chunk(2, dim)
    return first * sigmoid(second)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, w·x otherwise; ``weight`` has 1 element or one per channel (dim 1)."""
    if weight.numel() != 1:
        if input.ndim < 2 or weight.ndim != 1 or weight.shape[0] != input.shape[1]:
            raise OpError(f"prelu: weight of shape {weight.shape} must have 1 element or one per channel "
                          f"(dim 1 of input shape {input.shape})")
        weight = weight.reshape((1, -1) + (1,) * (input.ndim - 2))
    else:
        weight = weight.reshape(())
    negative = where(input > 0, 0, input)  # so an unpicked +inf does not reach w's gradient as 0·inf
    return where(input > 0, input, negative * weight)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape (*, num_classes) with a 1 at each index (no gradient)."""
    if tensor.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expects an integer tensor of class indices, got {tensor.dtype}")
    xp = backend.array_module(tensor.device)
    if num_classes == -1:
        if tensor.numel() == 0:
            raise OpError("one_hot: cannot infer num_classes from an empty tensor")
        num_classes = int(tensor._data.max()) + 1
    if tensor.numel() and (int(tensor._data.min()) < 0 or int(tensor._data.max()) >= num_classes):
        raise OpError(f"one_hot: class values must be in [0, {num_classes}), got "
                      f"[{int(tensor._data.min())}, {int(tensor._data.max())}] (shape {tensor.shape})")
    return Tensor((tensor._data[..., None] == xp.arange(num_classes)).astype(xp.int64))


# ---- shrinkage and thresholds ------------------------------------------------------------------

def softmin(input: Tensor, dim: int) -> Tensor:
    """softmax(−x) along ``dim``: weights that favour the smallest entries."""
    from .reduction import softmax
    return softmax(-input, dim)


def threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    """``value`` where x ≤ threshold, else x (NaN stays NaN);  ∂/∂x = 1 above the threshold, 0 below."""
    return where(input <= threshold, value, input)


def tanhshrink(input: Tensor) -> Tensor:
    """x − tanh x;  ∂/∂x = tanh² x."""
    return input - tanh(input)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x − λ for x > λ, x + λ for x < −λ, 0 between (the proximal step of λ|x|); NaN stays NaN and
    passes its gradient, as in PyTorch (only −λ ≤ x ≤ λ is cut)."""
    if lambd < 0:
        raise OpError(f"softshrink: lambd must be non-negative, got {lambd}")
    inside = (input >= -lambd) & (input <= lambd)
    return where(input > lambd, input - lambd, where(inside, input * 0, input + lambd))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > λ, else 0; NaN stays NaN and passes its gradient, as in PyTorch (only −λ ≤ x ≤ λ
    is cut)."""
    return where((input >= -lambd) & (input <= lambd), input * 0, input)
