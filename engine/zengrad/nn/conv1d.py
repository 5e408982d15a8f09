"""Conv1d and ConvTranspose1d: the 1-D convolution layers (the math is
:func:`zengrad.nn.functional.conv1d` and :func:`~zengrad.nn.functional.conv_transpose1d`)."""

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


class _Conv1dBase(Module):
    """What Conv1d and ConvTranspose1d share: the arguments as 1-tuples, the weight of shape
    (weight_rows, weight_columns/groups, kernel_size), the optional bias, PyTorch's initialisation
    U(−1/√fan_in, 1/√fan_in) with fan_in = weight.shape[1] · kernel_size, and the repr."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride, dilation, groups: int, bias: bool,
                 weight_rows: int, weight_columns: int, device, dtype):
        super().__init__()
        name = type(self).__name__
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: groups={groups} must divide in_channels={in_channels} and "
                             f"out_channels={out_channels}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = (_single(kernel_size, "kernel_size"),)
        self.stride, self.dilation = (_single(stride, "stride"),), (_single(dilation, "dilation"),)
        self.weight = empty_parameter(weight_rows, weight_columns // groups, self.kernel_size[0], device=device,
                                      dtype=dtype)
        self.register_parameter("bias", optional_parameter(bias, out_channels, device=device, dtype=dtype))

    def reset_parameters(self) -> None:
        init.default_affine_(self.weight, self.bias)

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,):
            text += f", padding={self.padding}"
        if self.dilation != (1,):
            text += f", dilation={self.dilation}"
        if getattr(self, "output_padding", (0,)) != (0,):
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        mode = getattr(self, "padding_mode", "zeros")
        return text if mode == "zeros" else f"{text}, padding_mode={mode}"


class Conv1d(_Conv1dBase):
    """y[n, o, t] = b[o] + Σ_{c, k} W[o, c, k] · x_pad[n, c, t·s + k·d] over (N, C, L) input.

    weight (out_channels, in_channels/groups, kernel_size) and bias (out_channels), initialised as
    PyTorch does: U(−1/√fan_in, 1/√fan_in) with fan_in = in_channels/groups · kernel_size.
    ``padding`` may be 'same' or 'valid'; ``padding_mode`` 'reflect', 'replicate' or 'circular' pads
    the input that way instead of with zeros."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None, dtype=None):
        check_padding_mode(padding_mode, "Conv1d")
        super().__init__(in_channels, out_channels, kernel_size, stride, dilation, groups, bias, out_channels,
                         in_channels, device, dtype)
        self.padding_mode = padding_mode
        if isinstance(padding, str):  # 'valid' or 'same', checked now as PyTorch does
            named_padding(padding, (1,) + self.kernel_size, (1,) + self.dilation, (1,) + self.stride, "Conv1d")
            self.padding = padding
        else:
            self.padding = (_single(padding, "padding"),)
        self.reset_parameters()

    def forward(self, input):
        if self.padding_mode != "zeros":
            return F.conv1d(pad_by_mode(self, input), self.weight, self.bias,
                            self.stride[0], 0, self.dilation[0], self.groups)
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        return F.conv1d(input, self.weight, self.bias, self.stride[0], padding, self.dilation[0], self.groups)


class ConvTranspose1d(_Conv1dBase):
    """y = conv_transpose1d(x, W, b) over (N, C_in, L) input: the adjoint of a Conv1d with the same
    geometry, L_out = (L − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1 (see
    :func:`~zengrad.nn.functional.conv_transpose1d`). weight (in_channels, out_channels/groups, k)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros", device=None,
                 dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for ConvTranspose1d, got {padding_mode!r}')
        if isinstance(padding, str):
            raise ValueError(f"ConvTranspose1d: padding {padding!r} is not supported (as in PyTorch): give ints")
        super().__init__(in_channels, out_channels, kernel_size, stride, dilation, groups, bias, in_channels,
                         out_channels, device, dtype)
        self.padding = (_single(padding, "padding"),)
        self.output_padding = (_single(output_padding, "output_padding"),)
        self.reset_parameters()

    def forward(self, input, output_size=None):
        output_padding = self.output_padding[0]
        if output_size is not None:
            smallest = ((input.shape[-1] - 1) * self.stride[0] - 2 * self.padding[0]
                        + self.dilation[0] * (self.kernel_size[0] - 1) + 1)
            output_padding = tuple(output_size)[-1] - smallest
            if not 0 <= output_padding < max(self.stride[0], self.dilation[0]):
                raise ValueError(f"ConvTranspose1d: requested output size {tuple(output_size)} is not reachable "
                                 f"from input shape {input.shape} (smallest {smallest}, at most stride − 1 more)")
        return F.conv_transpose1d(input, self.weight, self.bias, self.stride[0], self.padding[0], output_padding,
                                  self.groups, self.dilation[0])
