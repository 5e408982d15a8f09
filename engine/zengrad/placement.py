"""``.to()``'s arguments and its shortcuts, shared by :class:`~zengrad.Tensor` and
:class:`~zengrad.nn.Module`: ``.cpu() .cuda() .float() .double() .half()`` are ``.to(...)``."""

from __future__ import annotations

import numpy as np


def to_arguments(args: tuple, dtype=None, device=None):
    """(device, dtype) from ``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)`` (its
    device and dtype) or keywords; a string positional is a device, a tensor gives both, anything
    else is a dtype. Either may be None (keep it)."""
    for arg in args:
        if isinstance(arg, str):
            device = arg
        elif not isinstance(arg, type) and hasattr(arg, "device") and hasattr(arg, "dtype"):  # a tensor
            device, dtype = arg.device, arg.dtype
        else:
            dtype = arg
    return device, dtype


class PlacementShortcuts:
    """PyTorch's shortcuts for ``.to``; the class defines ``to(*args, dtype=None, device=None)``."""

    __slots__ = ()  # Tensor has slots

    def cpu(self):
        return self.to("cpu")

    def cuda(self):
        return self.to("cuda")

    def float(self):
        return self.to(np.float32)

    def double(self):
        return self.to(np.float64)

    def half(self):
        return self.to(np.float16)
