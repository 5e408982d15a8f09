"""Elementwise ops. Each class: forward on arrays, backward (the chain rule) in Tensor ops.

Binary ops broadcast their operands like NumPy; their backward sums the gradient back to each
operand's shape with :func:`unbroadcast`.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .. import backend, kernels
from ..errors import DtypeError, OpError
from ..autograd import Function
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from ._util import as_tensor_like, category, factors_read, float_array, promote_types, require_float, unbroadcast


def _binary(cls, a, b, **params) -> Tensor:
    op = cls.__name__.lower()
    if not isinstance(a, Tensor):
        a = as_tensor_like(a, b, op, exact_ints=cls.computes_in_float)
    b = as_tensor_like(b, a, op, exact_ints=cls.computes_in_float)
    if a.dtype != b.dtype:
        a, b = weak_zero_dim(a, b, keep_ints=cls.computes_in_float)
    return cls.apply(a, b, **params)


def weak_zero_dim(*tensors: Tensor, keep_ints: bool = False) -> tuple:
    """``tensors`` with a 0-d one converted to the dtype of the tensors with dimensions when its
    dtype is of the same kind or a lower one (bool < int < float), as PyTorch types an op's
    operands: a 0-d tensor, like a Python number, does not widen a tensor with dimensions
    (int32 + 0-d int64 is int32, float32 + 0-d float64 is float32, uint8 + 0-d −2 wraps in uint8),
    but a higher kind still promotes (int32 + 0-d float64 is float64). The conversion is an op, so
    the 0-d tensor's gradient comes back in its own dtype. With ``keep_ints`` (an op computing ints
    in floating point: uint8 / 0-d −3 is −1/3 in PyTorch) a 0-d int or bool tensor is left as it is."""
    dimensioned = [t.dtype for t in tensors if t.ndim]
    if not dimensioned or len(dimensioned) == len(tensors):
        return tensors
    target = functools.reduce(promote_types, dimensioned)
    return tuple(convert(t, target) if not t.ndim and category(t.dtype) <= category(target)
                 and not (keep_ints and t.dtype.kind != "f") else t for t in tensors)


def result_type(tensor, other) -> np.dtype:
    """The dtype of ``tensor + other`` as PyTorch types it, each a Tensor or a Python number: a
    number takes the tensor's dtype unless it is of a higher category (an int tensor with 0.5 is
    the default float), a 0-d tensor does not widen a tensor with dimensions, otherwise
    :func:`promote_types`. (zengrad itself refuses to mix float32 and float64 tensors in one op;
    this reports PyTorch's float64 for them.) Two numbers give int64, the default float or bool."""
    if not isinstance(tensor, Tensor) and not isinstance(other, Tensor):
        tensor = Tensor(np.asarray(tensor, dtype=_number_dtype(tensor)))
    if not isinstance(tensor, Tensor):
        tensor, other = other, tensor
    a, b = weak_zero_dim(tensor, as_tensor_like(other, tensor, "result_type"))
    return promote_types(a.dtype, b.dtype)


def _number_dtype(value) -> np.dtype:
    if isinstance(value, bool):
        return np.dtype(np.bool_)
    return np.dtype(np.int64) if isinstance(value, int) else backend.DEFAULT_DTYPE


class Add(Function):
    """z = a + b;  ∂z/∂a = 1, ∂z/∂b = 1."""

    saved_inputs = ()

    def forward(self, a, b):
        return a + b

    def backward(self, g):
        a, b = self.inputs
        return (unbroadcast(g, a.shape) if self.needs_grad(0) else None,
                unbroadcast(g, b.shape) if self.needs_grad(1) else None)


class Sub(Function):
    """z = a − b;  ∂z/∂a = 1, ∂z/∂b = −1. (:func:`sub` refuses bools, as PyTorch does.)"""

    saved_inputs = ()

    def forward(self, a, b):
        return a - b

    def backward(self, g):
        a, b = self.inputs
        return (unbroadcast(g, a.shape) if self.needs_grad(0) else None,
                unbroadcast(-g, b.shape) if self.needs_grad(1) else None)


class Mul(Function):
    """z = a · b;  ∂z/∂a = b, ∂z/∂b = a."""

    saved_inputs = property(factors_read)

    def forward(self, a, b):
        return a * b

    def backward(self, g):
        a, b = self.inputs
        return (unbroadcast(g * b, a.shape) if self.needs_grad(0) else None,
                unbroadcast(g * a, b.shape) if self.needs_grad(1) else None)


class Div(Function):
    """z = a / b;  ∂z/∂a = 1/b, ∂z/∂b = −a/b², computed as −(a/b)/b as PyTorch does (b² underflows to 0
    for |b| < 1e-19 in float32, where (a/b)/b is still finite)."""

    computes_in_float = True

    def forward(self, a, b):
        return a / b

    def backward(self, g):
        a, b = self.inputs
        return (unbroadcast(g / b, a.shape) if self.needs_grad(0) else None,
                unbroadcast(-g * (a / b) / b, b.shape) if self.needs_grad(1) else None)


class Pow(Function):
    """z = aᵇ;  ∂z/∂a = b·aᵇ⁻¹, ∂z/∂b = aᵇ·ln a (defined for a > 0).

    At the limits PyTorch takes: ∂z/∂a = 0 where b = 0 (a⁰ = 1 for every a, 0⁻¹ included), and
    ∂z/∂b = 0 where a = 0 and b ≥ 0 (0ᵇ is constant there; the formula would give 0·(−∞)).
    Ints to negative int powers are PyTorch's integer ones: 1⁻ⁿ = 1, (−1)⁻ⁿ = ±1, every other a⁻ⁿ
    truncated to 0 (0⁻ⁿ included).
    """

    node_name = "PowBackward1"

    def forward(self, a, b):
        if a.dtype.kind == "b" and b.dtype.kind == "b":
            raise DtypeError("pow: not implemented for two bool tensors, as in PyTorch")
        if a.dtype.kind in "biu" and b.dtype.kind in "iu" and (b < 0).any():
            xp = backend.array_module(backend.device_of(a))
            negative = b < 0
            powers = a ** xp.where(negative, 0, b)
            unit = xp.where(a == 1, 1, xp.where(a == -1, 1 - 2 * (b & 1), 0))
            return xp.where(negative, unit, powers).astype(powers.dtype, copy=False)
        return a ** b

    def backward(self, g):
        a, b = self.inputs
        grad_a = grad_b = None
        if self.needs_grad(0):
            grad_a = unbroadcast(where(b == 0, 0, g * b * a ** (b - 1)), a.shape)
        if self.needs_grad(1):
            constant = (a == 0) & (b >= 0)
            grad_b = unbroadcast(where(constant, 0, g * self.output() * a.to(g.dtype).log()), b.shape)
        return grad_a, grad_b


class PowScalar(Function):
    """z = aᵖ for a constant number p;  ∂z/∂a = p·aᵖ⁻¹ (no logarithm, so any sign of a)."""

    node_name = "PowBackward0"

    def __init__(self, exponent):
        super().__init__()
        self.exponent = exponent

    def forward(self, a):
        return _power(backend.array_module(backend.device_of(a)), a, self.exponent)

    def backward(self, g):
        (a,) = self.inputs
        if self.exponent == 0:
            return g * Tensor(a.xp.zeros(a.shape, dtype=g.dtype))  # zero even where g is inf or NaN
        return g * self.exponent * pow(a, self.exponent - 1)


def _extreme_grads(g, a, b, a_loses, b_loses):
    """PyTorch's gradients of an elementwise max/min: g to each operand except where it loses, g/2 to
    each on a tie. Where either is NaN neither loses (NaN compares false), so both get g."""
    tie = a == b
    return (unbroadcast(where(a_loses, 0, where(tie, g * 0.5, g)), a.shape),
            unbroadcast(where(b_loses, 0, where(tie, g * 0.5, g)), b.shape))


def _power(xp, a, exponent):
    """aᵖ as PyTorch computes it: p = ±0.5 by a square root, p = 2, 3, −1, −2 by products, other p
    by ``pow``. The results differ from ``pow``'s at −0 and −inf: √−0 = −0 and √−inf = NaN, where
    pow(−0, 0.5) = +0 and pow(−inf, 0.5) = +inf (IEEE 754)."""
    if a.dtype == bool and isinstance(exponent, int):  # PyTorch: a bool power of a bool is a bool,
        return a | (not exponent) if isinstance(exponent, bool) else a.astype(np.int64) ** exponent  # an int one int64
    if a.dtype.kind != "f":
        return a ** exponent
    one = a.dtype.type(1)
    by_products = {0.5: xp.sqrt, -0.5: lambda x: one / xp.sqrt(x), 2: lambda x: x * x,
                   3: lambda x: x * x * x, -1: lambda x: one / x, -2: lambda x: one / (x * x)}
    if exponent in by_products:
        return by_products[exponent](a)
    return a ** a.dtype.type(exponent)


class Maximum(Function):
    """z = max(a, b) elementwise (NaN if either is NaN); the gradient goes to the larger operand,
    split evenly on ties (see :func:`_extreme_grads`)."""

    def forward(self, a, b):
        return backend.array_module(backend.device_of(a)).maximum(a, b)

    def backward(self, g):
        a, b = self.inputs
        return _extreme_grads(g, a, b, a < b, a > b)


class Minimum(Function):
    """z = min(a, b) elementwise (NaN if either is NaN); the gradient goes to the smaller operand,
    split evenly on ties (see :func:`_extreme_grads`)."""

    def forward(self, a, b):
        return backend.array_module(backend.device_of(a)).minimum(a, b)

    def backward(self, g):
        a, b = self.inputs
        return _extreme_grads(g, a, b, a > b, a < b)


class Where(Function):
    """z = a where cond else b;  the gradient flows to a where cond holds, to b elsewhere (a true 0
    to the other: g·0 would be NaN where g is ±inf or NaN, as PyTorch's where backward is not)."""

    saved_inputs = (0,)

    def forward(self, cond, a, b):
        return backend.array_module(backend.device_of(a)).where(cond, a, b)

    def backward(self, g):
        cond, a, b = self.inputs
        return (None,
                unbroadcast(where(cond, g, 0), a.shape) if self.needs_grad(1) else None,
                unbroadcast(where(cond, 0, g), b.shape) if self.needs_grad(2) else None)


class Neg(Function):
    """z = −a;  ∂z/∂a = −1. A bool is refused, as in PyTorch."""

    saved_inputs = ()

    def forward(self, a):
        try:
            return -a
        except TypeError:  # NumPy refuses −bool
            raise DtypeError("Negation, the `-` operator, on a bool tensor is not supported. "
                             "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.") from None

    def backward(self, g):
        return -g


class Abs(Function):
    """z = |a|;  ∂z/∂a = sign(a) (0 at 0)."""

    def forward(self, a):
        return backend.array_module(backend.device_of(a)).abs(a)

    def backward(self, g):
        (a,) = self.inputs
        return g * sign(a)


class Exp(Function):
    """z = eᵃ;  ∂z/∂a = eᵃ = z."""

    saved_inputs = ()  # backward reads the output

    def forward(self, a):
        xp = backend.array_module(backend.device_of(a))
        return xp.exp(a)

    def backward(self, g):
        return g * self.output()


class Log(Function):
    """z = ln a;  ∂z/∂a = 1/a."""

    def forward(self, a):
        xp = backend.array_module(backend.device_of(a))
        return xp.log(a)

    def backward(self, g):
        return g / self.inputs[0]


class Sqrt(Function):
    """z = √a;  ∂z/∂a = 1/(2√a) = 1/(2z)."""

    saved_inputs = ()  # backward reads the output

    def forward(self, a):
        xp = backend.array_module(backend.device_of(a))
        return xp.sqrt(a)

    def backward(self, g):
        return g / (self.output() * 2)


class Tanh(Function):
    """z = tanh a;  ∂z/∂a = 1 − z²."""

    saved_inputs = ()  # backward reads the output

    def forward(self, a):
        xp = backend.array_module(backend.device_of(a))
        return xp.tanh(a)

    def backward(self, g):
        z = self.output()
        return g * (1 - z * z)


class Sigmoid(Function):
    """z = σ(a) = 1/(1 + e⁻ᵃ);  ∂z/∂a = z(1 − z).

    Computed as ½(1 + tanh(a/2)), which never overflows for large |a|.
    """

    saved_inputs = ()  # backward reads the output

    def forward(self, a):
        xp = backend.array_module(backend.device_of(a))
        a = float_array(a)
        half = a.dtype.type(0.5)
        return half * (xp.tanh(a * half) + a.dtype.type(1))

    def backward(self, g):
        z = self.output()
        return g * z * (1 - z)


class ReLU(Function):
    """z = max(a, 0) (relu(−∞) = 0, relu(NaN) = NaN, relu(−0) = −0 as in PyTorch: only a < 0 becomes 0);
    ∂z/∂a = 0 where z ≤ 0, else 1 — PyTorch's rule, written on the output, which gives 1 at NaN."""

    node_name = "ReluBackward0"

    saved_inputs = ()  # backward reads the output

    def forward(self, a):
        if a.dtype.kind != "f":
            return backend.array_module(backend.device_of(a)).maximum(a, a.dtype.type(0))
        return kernels.relu_forward(a)

    def backward(self, g):
        if is_grad_enabled() or g.dtype.kind != "f":
            return where(self.output() <= 0, 0, g)
        return Tensor(kernels.relu_backward(self.output()._data, g._data))


class LeakyReLU(Function):
    """z = a if a > 0 else s·a (s = negative_slope);  ∂z/∂a = 1 or s.

    Both are one slope array m = [a > 0] + [a ≤ 0]·s (exactly 1 or s, for any slope): z = m ⊙ a,
    and backward multiplies g by the m that forward kept. Multiplies instead of a select (``where``
    took 1.5x as long on a (64, 256) float32 array), with PyTorch's results for every input, ±0, ±inf
    and NaN included. A slope that is not finite in the input's dtype (NaN, ±inf, beyond ±65504 for
    float16) is refused.
    m is piecewise constant, so the second derivative is 0.
    """

    node_name = "LeakyReluBackward0"

    saved_inputs = ()

    def __init__(self, negative_slope):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, a):
        positive = a > 0
        self.slope = positive + ~positive * a.dtype.type(self.negative_slope)
        return a * self.slope

    def backward(self, g):
        return g * Tensor(self.slope)


class Clamp(Function):
    """z = min(max(a, lo), hi);  ∂z/∂a = 1 inside [lo, hi], 0 where clipped."""

    node_name = "ClampBackward1"

    def __init__(self, min, max):
        super().__init__()
        self.bounds = (min, max)

    def forward(self, a):
        xp = backend.array_module(backend.device_of(a))
        return xp.clip(a, *self.bounds)

    def backward(self, g):
        (a,) = self.inputs
        lo, hi = self.bounds
        inside = Tensor(a.xp.ones(a.shape, dtype=bool))
        if lo is not None:
            inside = inside & (a >= lo)
        if hi is not None:
            inside = inside & (a <= hi)
        return g * inside.to(g.dtype)


class Convert(Function):
    """z = a moved to another device and/or dtype;  the gradient is moved back."""

    node_name = "ToCopyBackward0"

    saved_inputs = ()
    chooses_dtype = True

    def __init__(self, dtype, device):
        super().__init__()
        self.target = (dtype, device)

    def forward(self, a):
        dtype, device = self.target
        self.source = (a.dtype, backend.device_of(a))
        out = backend.to_device(a, device)
        return out.astype(dtype, copy=False)

    def backward(self, g):
        dtype, device = self.source
        return convert(g, dtype=dtype, device=device)


# ---- functional forms (what Tensor's methods and operators call) ----------------------------

def add(a, b, *, alpha=1):
    """a + alpha·b (PyTorch's signature: ``alpha`` scales the second operand)."""
    if type(alpha) is not int or alpha != 1:
        b = _times_alpha(a, b, alpha, "add")
    return _binary(Add, a, b)


def _is_bool(x) -> bool:
    """Whether ``x`` is a bool tensor or a Python/NumPy bool."""
    return x._data.dtype.kind == "b" if isinstance(x, Tensor) else isinstance(x, (bool, np.bool_))


def sub(a, b, *, alpha=1):
    """a − alpha·b. PyTorch refuses a bool operand (a bool tensor, 0-d too, or True/False), whatever
    the other."""
    if _is_bool(a) or _is_bool(b):
        raise DtypeError("sub: Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                         "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    if type(alpha) is not int or alpha != 1:
        b = _times_alpha(a, b, alpha, "sub")
    return _binary(Sub, a, b)


def _times_alpha(a, b, alpha, op: str):
    """alpha·b for ``add``/``sub``, with PyTorch's checks: ``alpha`` must not be of a higher category
    than the result (no float alpha for an int or bool result; a bool alpha only for a bool one)."""
    if isinstance(alpha, (bool, np.bool_, float, np.floating)):
        kind = result_type(a, b).kind
        if isinstance(alpha, (bool, np.bool_)) and kind != "b":
            raise OpError(f"{op}: Boolean alpha only supported for Boolean results.")
        if isinstance(alpha, (float, np.floating)) and kind in "biu":
            raise OpError(f"{op}: For integral input tensors, argument alpha must not be a floating point number.")
    if alpha == 1:
        return b
    if isinstance(b, Tensor) and b.dtype == np.bool_:
        return b if alpha else b & False
    return b * alpha


def mul(a, b):
    return _binary(Mul, a, b)


def div(a, b):
    return _binary(Div, a, b)


def pow(a, exponent):
    """aᵖ: a constant-number exponent uses PowScalar (any sign of a); a Tensor exponent uses Pow."""
    if isinstance(exponent, (int, float)) and isinstance(a, Tensor):
        return PowScalar.apply(a, exponent=exponent)
    return _binary(Pow, a, exponent)


def maximum(a, b):
    return _binary(Maximum, a, b)


def minimum(a, b):
    return _binary(Minimum, a, b)


def where(condition, a=None, b=None):
    """Elements of ``a`` where ``condition`` is true, else of ``b`` (broadcast together);
    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``, as in PyTorch."""
    if a is None and b is None and isinstance(condition, Tensor):
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError(f"where: condition must be a boolean Tensor, got {type(condition).__name__}")
    like = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else condition
    a, b = as_tensor_like(a, like, "where"), as_tensor_like(b, like, "where")
    if a.dtype != b.dtype:
        a, b = weak_zero_dim(a, b)
    return Where.apply(condition, a, b)


def neg(a):
    return Neg.apply(a)


def abs(a):
    """|a| elementwise (see :class:`Abs`); PyTorch refuses a bool tensor."""
    _refuse_bool("abs", a)
    return Abs.apply(a)


def _refuse_bool(op: str, a: Tensor) -> None:
    if a.dtype == np.bool_:
        raise DtypeError(f"{op}: not implemented for bool tensors (shape {tuple(a.shape)}), as in PyTorch")


def exp(a):
    return Exp.apply(a)


def log(a):
    return Log.apply(a)


def sqrt(a):
    return Sqrt.apply(a)


def tanh(a):
    return Tanh.apply(a)


def sigmoid(a):
    return Sigmoid.apply(a)


def relu(a):
    _refuse_bool("relu", a)
    return ReLU.apply(a)


def leaky_relu(a, negative_slope: float = 0.01):
    require_float(a, "leaky_relu")
    largest = float(np.finfo(a.dtype).max) if np.issubdtype(a.dtype, np.floating) else math.inf
    if not math.fabs(negative_slope) <= largest:
        raise OpError(f"leaky_relu: negative_slope must be a finite number the input's dtype {a.dtype} "
                      f"holds, got {negative_slope} (input shape {a.shape})")
    return LeakyReLU.apply(a, negative_slope=negative_slope)


def clamp(a, min=None, max=None):
    if min is None and max is None:
        raise OpError("clamp: at least one of min and max must be given")
    return Clamp.apply(a, min=min, max=max)


def convert(a, dtype=None, device=None):
    device = a.device if device is None else backend.normalize_device(device)
    dtype = a.dtype if dtype is None else np.dtype(dtype)
    if dtype == a.dtype and device == a.device:
        return a
    if a.requires_grad and dtype.kind != "f":
        return Tensor(backend.to_device(a._data, device).astype(dtype))
    return Convert.apply(a, dtype=dtype, device=device)


def sign(a: Tensor) -> Tensor:
    """−1, 0 or +1 elementwise, and 0 at NaN as in PyTorch (no gradient); a bool tensor is its own sign."""
    if a.dtype.kind == "b":
        return Tensor(a._data.copy())
    signs = a.xp.sign(a._data)
    if signs.dtype.kind == "f":
        signs = a.xp.where(a.xp.isnan(signs), signs.dtype.type(0), signs)
    return Tensor(signs)


# ---- comparisons, logic and bits: results outside the graph (boolean, or int for bits) --------

def _compare(op, name, doc="elementwise, broadcast, a boolean tensor with no gradient.", kinds=None,
             two_bools=True):
    """The function ``name(a, b)`` = ``op`` on the arrays, outside the graph; ``kinds``: the dtype
    kinds it takes (others are refused); ``two_bools=False`` refuses a pair of bools (a shift needs
    an int: bool << int8 is int8, bool << bool is refused, as in PyTorch)."""
    def compare(a, b):
        if not isinstance(a, Tensor):
            a = as_tensor_like(a, b, name)
        b = as_tensor_like(b, a, name)
        if kinds is not None and (a.dtype.kind not in kinds or b.dtype.kind not in kinds):
            raise DtypeError(f"{name}: only integer and bool tensors have bits to combine, got {a.dtype} and {b.dtype}")
        if not two_bools and a.dtype.kind == b.dtype.kind == "b":
            raise DtypeError(f"{name}: not implemented for two bool tensors, as in PyTorch")
        if a.dtype != b.dtype:
            a, b = weak_zero_dim(a, b)
        try:
            return Tensor(op(a._data, b._data))
        except ValueError:
            raise OpError(f"{name}: shapes {tuple(a.shape)} and {tuple(b.shape)} do not broadcast") from None
    compare.__name__ = name
    compare.__doc__ = f"``{name}(a, b)``: {doc}"
    return compare


eq = _compare(lambda x, y: x == y, "eq")
ne = _compare(lambda x, y: x != y, "ne")
lt = _compare(lambda x, y: x < y, "lt")
le = _compare(lambda x, y: x <= y, "le")
gt = _compare(lambda x, y: x > y, "gt")
ge = _compare(lambda x, y: x >= y, "ge")
# logical ops read any dtype as truth values (non-zero is True), as PyTorch's do
logical_and = _compare(lambda x, y: x.astype(bool) & y.astype(bool), "logical_and")
logical_or = _compare(lambda x, y: x.astype(bool) | y.astype(bool), "logical_or")
logical_xor = _compare(lambda x, y: x.astype(bool) ^ y.astype(bool), "logical_xor")


def logical_not(a):
    """``not a`` elementwise (non-zero is True): a boolean tensor with no gradient."""
    return Tensor(~a._data.astype(bool))


_BITWISE = ("each bit of int or bool tensors (broadcast; for bools the logical op), the ``&``, ``|`` and ``^`` "
            "operators as in PyTorch; no gradient.")
bitwise_and = _compare(lambda x, y: x & y, "bitwise_and", _BITWISE, kinds="biu")
bitwise_or = _compare(lambda x, y: x | y, "bitwise_or", _BITWISE, kinds="biu")
bitwise_xor = _compare(lambda x, y: x ^ y, "bitwise_xor", _BITWISE, kinds="biu")
_SHIFT = ("a·2^b (left) or ⌊a / 2^b⌋ (right, arithmetic: the sign is kept) for int tensors, the ``<<`` and ``>>`` "
          "operators; no gradient.")
bitwise_left_shift = _compare(lambda x, y: x << y, "bitwise_left_shift", _SHIFT, kinds="biu", two_bools=False)
bitwise_right_shift = _compare(lambda x, y: x >> y, "bitwise_right_shift", _SHIFT, kinds="biu", two_bools=False)


def bitwise_not(a):
    """~a: every bit flipped (two's complement: ~n = −n − 1) for an int tensor, ``not a`` for a bool
    one; a float tensor is refused, as in PyTorch. No gradient."""
    if a.dtype.kind not in "biu":
        raise DtypeError(f"bitwise_not: only integer and bool tensors have bits to flip, got {a.dtype}")
    return Tensor(~a._data)


def positive(a):
    """+a: the tensor itself, as PyTorch returns it (a bool tensor is refused, as in PyTorch)."""
    if a.dtype.kind == "b":
        raise DtypeError("positive: the unary + of a bool tensor is not supported (nor by PyTorch)")
    return a


def isfinite(a):
    return Tensor(a.xp.isfinite(a._data))
