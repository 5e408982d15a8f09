"""Parameter and Buffer: the Tensors that a Module registers, as attributes, as learnable
(``requires_grad=True`` by default) or as state that is not learnt."""

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
        _share(self, data, requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Buffer(Tensor):
    """A Tensor that, assigned as a Module attribute, is registered as a buffer (PyTorch's
    ``nn.Buffer``): ``module.x = Buffer(t, persistent=False)`` is ``module.register_buffer("x", t,
    persistent=False)``. It shares t's array and keeps its ``requires_grad``; ``persistent`` says
    whether ``state_dict`` holds it."""

    __slots__ = ("persistent",)

    def __init__(self, data=None, *, persistent: bool = True):
        _share(self, data, data.requires_grad if isinstance(data, Tensor) else False)
        self.persistent = persistent


def _share(tensor: Tensor, data, requires_grad: bool) -> None:
    """Make ``tensor`` (a Parameter or Buffer being built) a leaf on ``data``'s array, with its
    version counter (the same memory: the same count of changes); no data: an empty float32 one."""
    if data is None:
        data = np.empty((0,), dtype=np.float32)
    Tensor.__init__(tensor, data._data if isinstance(data, Tensor) else data, requires_grad=requires_grad)
    if isinstance(data, Tensor):
        tensor._version_counter = data._version_counter
