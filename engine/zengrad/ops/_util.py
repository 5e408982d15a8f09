"""Helpers shared by every op: turning Python numbers into tensors, and undoing broadcasting."""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor


def as_tensor_like(value, like: Tensor) -> Tensor:
    """``value`` as a Tensor on ``like``'s device; Python numbers take ``like``'s float dtype.

    So ``x * 2`` stays float32 for a float32 ``x`` instead of being promoted.
    """
    if isinstance(value, Tensor):
        return value
    dtype = like.dtype if like.dtype.kind == "f" else None
    if dtype is None and isinstance(value, float):
        dtype = np.float32
    return Tensor(like.xp.asarray(value, dtype=dtype))


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
