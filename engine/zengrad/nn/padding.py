"""Padding layers (``ZeroPad1d/2d/3d``, ``ConstantPad1d/2d/3d``, ``ReflectionPad1d/2d/3d``,
``ReplicationPad1d/2d/3d``, ``CircularPad1d/2d/3d``): each applies :func:`~zengrad.nn.functional.pad`
with its mode to the last one, two or three dims. An int pads every side by that much; a tuple is
(left, right), (left, right, top, bottom) or (left, right, top, bottom, front, back), as in PyTorch."""

from __future__ import annotations

from . import functional as F
from .module import Module


class _Pad(Module):
    mode = "constant"
    sides = 2  # 2 numbers for 1d layers, 4 for 2d, 6 for 3d

    def __init__(self, padding, value: float | None = None):
        super().__init__()
        padding = (padding,) * self.sides if isinstance(padding, int) else tuple(padding)
        if len(padding) != self.sides:
            raise ValueError(f"{type(self).__name__}: padding must be an int or {self.sides} ints, got {padding}")
        self.padding, self.value = padding, value

    def forward(self, input):
        return F.pad(input, self.padding, self.mode, self.value)

    def extra_repr(self) -> str:
        return f"{self.padding}" if self.value is None else f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_Pad):
    """Pads the last dim with ``value``."""

    def __init__(self, padding, value: float):
        super().__init__(padding, value)


class ConstantPad2d(ConstantPad1d):
    """Pads the last two dims with ``value``."""
    sides = 4


class ConstantPad3d(ConstantPad1d):
    """Pads the last three dims with ``value``."""
    sides = 6


class ZeroPad1d(_Pad):
    """Pads the last dim with zeros."""


class ZeroPad2d(_Pad):
    """Pads the last two dims with zeros."""
    sides = 4


class ZeroPad3d(_Pad):
    """Pads the last three dims with zeros."""
    sides = 6


class ReflectionPad1d(_Pad):
    """Pads the last dim with its mirror image, the edge not repeated."""
    mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Pads the last two dims with their mirror images."""
    sides = 4


class ReflectionPad3d(ReflectionPad1d):
    """Pads the last three dims with their mirror images."""
    sides = 6


class ReplicationPad1d(_Pad):
    """Pads the last dim by repeating its edge element."""
    mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Pads the last two dims by repeating their edges."""
    sides = 4


class ReplicationPad3d(ReplicationPad1d):
    """Pads the last three dims by repeating their edges."""
    sides = 6


class CircularPad1d(_Pad):
    """Pads the last dim by wrapping around."""
    mode = "circular"


class CircularPad2d(CircularPad1d):
    """Pads the last two dims by wrapping around."""
    sides = 4


class CircularPad3d(CircularPad1d):
    """Pads the last three dims by wrapping around."""
    sides = 6
