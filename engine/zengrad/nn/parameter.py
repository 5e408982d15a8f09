"""Parameter: a Tensor that a Module registers as learnable (``requires_grad=True`` by default)."""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor that, assigned as a Module attribute, joins ``module.parameters()``.

    ``Parameter(tensor)`` shares the tensor's array (no copy) and version counter, as in PyTorch. Results of ops on a
    Parameter are plain Tensors.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            data = np.empty((0,), dtype=np.float32)
        counter = data._version_counter if isinstance(data, Tensor) else None
        if isinstance(data, Tensor):
            data = data._data
        super().__init__(data, requires_grad=requires_grad)
        if counter is not None:
            self._version_counter = counter  # the same memory: the same count of changes

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
