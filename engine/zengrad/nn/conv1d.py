"""Conv1d: the 1-D convolution layer (the math is :func:`zengrad.nn.functional.conv1d`)."""

from __future__ import annotations

from ..ops.conv import named_padding
from . import functional as F
from . import init
from ._factory import empty_parameter, optional_parameter
from .conv import check_padding_mode, pad_by_mode
from .module import Module


def _single(value, name: str) -> int:
    value = value[0] if isinstance(value, (tuple, list)) and len(value) == 1 else value
    if not isinstance(value, int):
        raise TypeError(f"Conv1d: {name} must be an int or a 1-tuple, got {value!r}")
    return value


class Conv1d(Module):
    """y[n, o, t] = b[o] + Σ_{c, k} W[o, c, k] · x_pad[n, c, t·s + k·d] over (N, C, L) input.

    weight (out_channels, in_channels/groups, kernel_size) and bias (out_channels), initialised as
    PyTorch does: U(−1/√fan_in, 1/√fan_in) with fan_in = in_channels/groups · kernel_size.
    ``padding`` may be 'same' or 'valid'; ``padding_mode`` 'reflect', 'replicate' or 'circular' pads
    the input that way instead of with zeros."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__()
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(f"Conv1d: groups={groups} must divide in_channels={in_channels} and "
                             f"out_channels={out_channels}")
        check_padding_mode(padding_mode, padding, "Conv1d")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.padding_mode = padding_mode
        self.kernel_size = (_single(kernel_size, "kernel_size"),)
        self.stride, self.dilation = (_single(stride, "stride"),), (_single(dilation, "dilation"),)
        if isinstance(padding, str):  # 'valid' or 'same', checked now as PyTorch does
            named_padding(padding, (1,) + self.kernel_size, (1,) + self.dilation, (1,) + self.stride, "Conv1d")
            self.padding = padding
        else:
            self.padding = (_single(padding, "padding"),)
        self.weight = empty_parameter(out_channels, in_channels // groups, self.kernel_size[0], device=device,
                                      dtype=dtype)
        self.register_parameter("bias", optional_parameter(bias, out_channels, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_affine_(self.weight, self.bias)

    def forward(self, input):
        if self.padding_mode != "zeros":
            return F.conv1d(pad_by_mode(input, self.padding, self.padding_mode), self.weight, self.bias,
                            self.stride[0], 0, self.dilation[0], self.groups)
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        return F.conv1d(input, self.weight, self.bias, self.stride[0], padding, self.dilation[0], self.groups)

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,):
            text += f", padding={self.padding}"
        if self.dilation != (1,):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text if self.padding_mode == "zeros" else f"{text}, padding_mode={self.padding_mode}"
