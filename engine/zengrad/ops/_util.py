"""Helpers shared by every op: PyTorch's dtype promotion, turning Python numbers into tensors,
undoing broadcasting. (±inf and NaN come quietly from every op: see ``backend.quiet_floats``.)"""

from __future__ import annotations

import numbers

import numpy as np

from .. import backend
from ..errors import DtypeError

from ..tensor import Tensor


#: PyTorch's dtype categories: a dtype of a higher one wins a promotion, whatever its size
CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}  # bool < integer < floating point


def category(dtype) -> int:
    return CATEGORY.get(np.dtype(dtype).kind, 3)


def promote_types(type1, type2) -> np.dtype:
    """The dtype PyTorch gives an op on two tensors (with dimensions) of these dtypes: within a
    category (bool < integer < floating point) the smallest dtype holding both (NumPy's rule:
    uint8 with int8 is int16, float16 with float32 float32); across categories the dtype of the
    higher one (int64 with float16 is float16, where NumPy would take float64)."""
    type1, type2 = np.dtype(type1), np.dtype(type2)
    if category(type1) == category(type2):
        return np.promote_types(type1, type2)
    return type1 if category(type1) > category(type2) else type2


def can_cast(from_, to) -> bool:
    """Whether PyTorch's in-place ops and ``out=`` may write a result of dtype ``from_`` into a tensor
    of dtype ``to``: never into a lower category (a float into an int, an int into a bool); any
    size within or above it (float64 into float32 is allowed)."""
    return category(from_) <= category(to)


def as_tensor_like(value, like: Tensor, op: str = "op", exact_ints: bool = False) -> Tensor:
    """``value`` (a Tensor, a number or an array) as a Tensor on ``like``'s device, typed as
    PyTorch types a Python number next to a tensor (a "weak" scalar: it never widens the tensor):

    * next to a float tensor, any number takes the tensor's dtype (``x * 2`` stays float32);
    * next to an int tensor, an int (or bool) takes the tensor's dtype (int32 + 1 stays int32) and
      a float is float32, the default dtype (int tensor · 0.5 is float32);
    * next to a bool tensor, an int is int64 and a float float32.

    With ``exact_ints`` (an op computing ints in floating point: div, atan2) an int next to an int
    tensor stays int64, so its value is not wrapped into the tensor's dtype (uint8 / −2 is −0.5).

    Anything else (None, a string, an object array) is refused with a TypeError naming ``op``.
    """
    if isinstance(value, Tensor):
        return value
    if not isinstance(value, (numbers.Number, np.generic, np.ndarray, list, tuple)) or isinstance(value, complex):
        if not hasattr(value, "__cuda_array_interface__"):
            raise TypeError(f"{op}: unsupported operand of type {type(value).__name__} (next to a Tensor of "
                            f"shape {tuple(like.shape)}); expected a Tensor or a number")
    if like.dtype.kind == "f" or (like.dtype.kind in "iu" and not exact_ints
                                  and isinstance(value, (int, np.integer, bool))):
        dtype = like.dtype
    elif isinstance(value, (float, np.floating)):
        dtype = backend.DEFAULT_DTYPE
    else:
        dtype = None
    if dtype is not None and dtype.kind in "iu" and isinstance(value, (int, np.integer)):
        array = like.xp.asarray(np.int64(value)).astype(dtype)  # wraps around, as PyTorch's uint8 + (−5)
    else:
        array = like.xp.asarray(value, dtype=dtype) if dtype is not None else like.xp.asarray(value)
    if array.dtype == object:
        raise TypeError(f"{op}: could not convert the operand {value!r} to numbers")
    return Tensor(array)


def require_float(a: Tensor, op: str) -> None:
    """PyTorch's RuntimeError for an int or bool tensor given to an op defined on floating point only
    (mean, var, std, gelu, leaky_relu, hardsigmoid: PyTorch computes no int version of them)."""
    if a.dtype.kind != "f":
        raise DtypeError(f"{op}(): expects a floating-point input, got {a.dtype} (shape {tuple(a.shape)}); "
                         "convert it with .float()" + (" or pass dtype=" if op == "mean" else ""))


def float_array(a):
    """The array ``a`` as floats: itself when it is floating, else in the default float dtype, the
    one PyTorch computes a float op on ints and bools in."""
    return a if a.dtype.kind == "f" else a.astype(backend.DEFAULT_DTYPE)


def factors_read(fn) -> tuple:
    """``saved_inputs`` of a product of inputs 0 and 1 (mul, matmul, linear): backward reads each
    factor's value only for the other factor's gradient, so an in-place change of one factor
    before backward is harmless when the other needs no gradient (``y[0] = y[0] * 10``, a weight
    changed before the backward of a batch that needs no input gradient), as in PyTorch."""
    return tuple(i for i in (0, 1) if fn.inputs[1 - i]._requires_grad)


def normalize_dim(dim: int, ndim: int, op: str) -> int:
    """``dim`` (negatives count from the end) as an index in ``range(ndim)``; PyTorch's IndexError
    when it is out of range. A 0-d tensor accepts 0 and -1, as in PyTorch (returned as 0)."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    span = max(ndim, 1)
    if not -span <= dim < span:
        raise IndexError(f"{op}: dimension {dim} out of range for a tensor with {ndim} dimensions "
                         f"(expected to be in range of [{-span}, {span - 1}])")
    return int(dim) % span


def unbroadcast(grad: Tensor, shape: tuple) -> Tensor:
    """Sum ``grad`` over the axes that broadcasting added or stretched, so it has ``shape``.

    If ``y = f(x)`` broadcast ``x`` of shape (3, 1) to (2, 3, 4), every element of ``x`` was used
    2·4 times, and its gradient is the sum of those uses: sum over axis 0, and over axis 2 keeping it.
    """
    shape = tuple(shape)
    if grad.shape == shape:
        return grad
    leading = grad.ndim - len(shape)
    axes = tuple(range(leading)) + tuple(
        leading + i for i, size in enumerate(shape) if size == 1 and grad.shape[leading + i] != 1)
    return grad.sum(dim=axes).reshape(shape)
