"""Convolution layers: Conv2d, Conv3d, ConvTranspose2d and ConvTranspose3d (the math is in
:mod:`zengrad.nn.functional`; the 1-d layers are in :mod:`.conv1d`)."""

from __future__ import annotations


from ..ops.conv import _ntuple, named_padding
from . import functional as F
from . import init
from ._factory import empty_parameter, optional_parameter
from .module import Module


PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def check_padding_mode(padding_mode: str, name: str) -> None:
    """One of PyTorch's padding modes."""
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"{name}: padding_mode must be one of {PADDING_MODES}, got {padding_mode!r}")


def pad_by_mode(layer, input):
    """The input padded as ``layer.padding`` says (a number per spatial axis, both sides, or
    'same'/'valid': the odd one of 'same' at the end, see :func:`~zengrad.ops.conv.named_padding`)
    with ``layer.padding_mode`` 'reflect', 'replicate' or 'circular' (F.pad's modes), as PyTorch's
    conv layers do before a convolution with no padding of its own."""
    if isinstance(layer.padding, str):
        before, extra = named_padding(layer.padding, layer.kernel_size, layer.dilation, layer.stride,
                                      type(layer).__name__)
    else:
        before, extra = layer.padding, (0,) * len(layer.padding)
    sides = tuple(side for p, e in zip(reversed(before), reversed(extra)) for side in (p, p + e))
    return F.pad(input, sides, mode=layer.padding_mode)


class _ConvNd(Module):
    """What the 2-d and 3-d convolutions share: arguments (one entry per spatial axis, ``spatial``
    of them), the weight and bias, PyTorch's initialisation and repr.

    Initialisation as PyTorch: W by kaiming_uniform_(a=√5), i.e. U(−1/√fan_in, 1/√fan_in), and b by
    U(−1/√fan_in, 1/√fan_in), fan_in = weight.shape[1]·Πk (for the transposed layers that is
    out_channels/groups·Πk, as in PyTorch).
    """

    spatial = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                 weight_shape, device, dtype):
        super().__init__()
        name = type(self).__name__
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: groups={groups} must divide in_channels={in_channels} and "
                             f"out_channels={out_channels}")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _ntuple(kernel_size, self.spatial, "kernel_size", name)
        self.stride = _ntuple(stride, self.spatial, "stride", name)
        if isinstance(padding, str):  # 'valid' or 'same' (PyTorch's names), checked now as PyTorch does
            named_padding(padding, self.kernel_size, dilation, stride, name)
            self.padding = padding
        else:
            self.padding = _ntuple(padding, self.spatial, "padding", name)
        self.dilation = _ntuple(dilation, self.spatial, "dilation", name)
        self.groups = groups
        self.weight = empty_parameter(*weight_shape, *self.kernel_size, device=device, dtype=dtype)
        self.register_parameter("bias", optional_parameter(bias, out_channels, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_affine_(self.weight, self.bias)

    def extra_repr(self) -> str:
        zeros, ones = (0,) * self.spatial, (1,) * self.spatial
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != zeros:
            text += f", padding={self.padding}"
        if self.dilation != ones:
            text += f", dilation={self.dilation}"
        if getattr(self, "output_padding", zeros) != zeros:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class _Conv(_ConvNd):
    """A convolution layer over ``spatial`` axes with PyTorch's padding modes; ``convolve`` is its
    function in ``nn.functional``."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None, dtype=None):
        check_padding_mode(padding_mode, type(self).__name__)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         (out_channels, in_channels // max(groups, 1)), device, dtype)
        self.padding_mode = padding_mode

    def forward(self, input):
        if self.padding_mode != "zeros":
            return self.convolve(pad_by_mode(self, input), self.weight, self.bias,
                                 self.stride, 0, self.dilation, self.groups)
        return self.convolve(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        text = super().extra_repr()
        return text if self.padding_mode == "zeros" else f"{text}, padding_mode={self.padding_mode}"


class Conv2d(_Conv):
    """y = conv2d(x, W, b): a 2-D cross-correlation over (N, C_in, H, W) inputs.

    W has shape (out_channels, in_channels/groups, kh, kw); the output is (N, C_out, H_out, W_out)
    with H_out = ⌊(H + 2·padding − dilation·(kh − 1) − 1)/stride⌋ + 1; padding='same' keeps H_out = H
    (stride 1), padding='valid' is 0, as in PyTorch. ``padding_mode`` 'reflect', 'replicate' or
    'circular' pads the input that way (:func:`~zengrad.nn.functional.pad`) instead of with zeros.
    """

    convolve = staticmethod(F.conv2d)

    def forward_activated(self, input, negative_slope: float | None):
        """The layer followed by ReLU (``negative_slope`` 0) or LeakyReLU (another slope), as one
        node without groups (``F.conv2d_activated``; see :func:`zengrad.models.dcgan.fused_forward`)."""
        return F.conv2d_activated(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                                  self.groups, negative_slope)


class Conv3d(_Conv):
    """y = conv3d(x, W, b): a 3-D cross-correlation over (N, C_in, D, H, W) or (C_in, D, H, W) inputs.

    W has shape (out_channels, in_channels/groups, kd, kh, kw); each output size is
    ⌊(size + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1 (see :func:`~zengrad.nn.functional.conv3d`);
    padding='same'/'valid' and the padding modes as for :class:`Conv2d`.
    """

    spatial = 3
    convolve = staticmethod(F.conv3d)


class _ConvTranspose(_ConvNd):
    """A transposed convolution layer over ``spatial`` axes (``convolve`` is its function): the
    weight is (in_channels, out_channels/groups, *kernel), ``output_padding`` or ``output_size=`` in
    forward picks among the output sizes that the same Conv maps to the input's."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros",
                 device=None, dtype=None):
        name = type(self).__name__
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {name}')
        if isinstance(padding, str):
            raise ValueError(f"{name}: padding {padding!r} is not supported (as in PyTorch): give ints")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         (in_channels, out_channels // max(groups, 1)), device, dtype)
        self.output_padding = _ntuple(output_padding, self.spatial, "output_padding", name)
        self.padding_mode = padding_mode

    def forward(self, input, output_size=None):
        output_padding = self.output_padding
        if output_size is not None:
            output_padding = self._output_padding_for(input, tuple(output_size)[-self.spatial:])
        return self.convolve(input, self.weight, self.bias, self.stride, self.padding, output_padding,
                             self.groups, self.dilation)

    def _output_padding_for(self, input, size) -> tuple:
        """The output_padding that makes the output ``size`` (PyTorch's ``output_size=`` argument)."""
        smallest = tuple((n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in
                         zip(input.shape[-self.spatial:], self.stride, self.padding, self.dilation, self.kernel_size))
        extra = tuple(want - have for want, have in zip(size, smallest))
        if any(e < 0 or e >= max(s, d) for e, s, d in zip(extra, self.stride, self.dilation)):
            raise ValueError(f"{type(self).__name__}: requested output size {size} is not reachable from input "
                             f"shape {input.shape} (smallest {smallest}, at most stride − 1 more)")
        return extra


class ConvTranspose2d(_ConvTranspose):
    """y = conv_transpose2d(x, W, b): the adjoint of a Conv2d with the same geometry (an upsampling).

    W has shape (in_channels, out_channels/groups, kh, kw); the output has
    H_out = (H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1 rows.
    """

    convolve = staticmethod(F.conv_transpose2d)


class ConvTranspose3d(_ConvTranspose):
    """y = conv_transpose3d(x, W, b): the adjoint of a Conv3d with the same geometry. W has shape
    (in_channels, out_channels/groups, kd, kh, kw); each output size is
    (size − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1."""

    spatial = 3
    convolve = staticmethod(F.conv_transpose3d)
